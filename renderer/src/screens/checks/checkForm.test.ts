import { describe, expect, it } from 'vitest';
import type { CheckView } from '../../../../main/common/checks';
import { checkCheckForm, checkFormFromView, emptyCheckForm } from './checkForm';

describe('check form', () => {
  it('makes an HTTP draft the core takes: URL as target and spec, statuses, body match, seconds as ms', () => {
    const r = checkCheckForm({ ...emptyCheckForm('http'), name: 'api', target: ' http://127.0.0.1:8080/health ', expectStatus: '200, 204', bodyMatch: 'ok', intervalSeconds: '15', timeoutSeconds: '2.5', vantages: ['console', 'web-1'] });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.draft).toMatchObject({ name: 'api', kind: 'http', target: 'http://127.0.0.1:8080/health', intervalMs: 15_000, timeoutMs: 2_500, vantages: ['console', 'web-1'] });
    expect(r.draft.http).toMatchObject({ url: 'http://127.0.0.1:8080/health', method: 'GET', expectStatus: [200, 204], bodyMatch: { type: 'substring', pattern: 'ok' }, followRedirects: true });
  });

  it('puts each problem on its field, with the schema’s words', () => {
    const r = checkCheckForm({ ...emptyCheckForm('http'), name: 'bad name!', target: 'ftp://x', expectStatus: '200, abc', intervalSeconds: '0.1', vantages: [] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.problems).sort()).toEqual(['expectStatus', 'intervalSeconds', 'name', 'target', 'vantages']);
    expect(r.problems.target).toBe('give an http:// or https:// URL');
  });

  it('shows a problem inside the HTTP spec on the field that holds it, and nowhere else', () => {
    const url = checkCheckForm({ ...emptyCheckForm('http'), name: 'api', target: 'ftp://x' });
    expect(!url.ok && Object.keys(url.problems)).toEqual(['target']);
    const status = checkCheckForm({ ...emptyCheckForm('http'), name: 'api', target: 'http://x/', expectStatus: '700' });
    expect(!status.ok && Object.keys(status.problems)).toEqual(['expectStatus']);
    const timeout = checkCheckForm({ ...emptyCheckForm('http'), name: 'api', target: 'http://x/', timeoutSeconds: '500' });
    expect(!timeout.ok && Object.keys(timeout.problems)).toEqual(['timeoutSeconds']);
  });

  it('checks host:port for TCP and TLS, and a bare host for ping', () => {
    expect(checkCheckForm({ ...emptyCheckForm('tcp'), name: 'db', target: 'db.internal' }).ok).toBe(false);
    const tcp = checkCheckForm({ ...emptyCheckForm('tcp'), name: 'db', target: 'db.internal:5432', banner: 'SSH-2.0' });
    expect(tcp.ok && tcp.draft.banner).toBe('SSH-2.0');
    const tls = checkCheckForm({ ...emptyCheckForm('tls'), name: 'mail', target: 'mail.example.com:465', serverName: 'mail.example.com', banner: 'ignored' });
    expect(tls.ok && [tls.draft.serverName, tls.draft.banner, tls.draft.http]).toEqual(['mail.example.com', undefined, undefined]);
    const ping = checkCheckForm({ ...emptyCheckForm('ping'), name: 'gw', target: '-f' });
    expect(!ping.ok && ping.problems.target).toBe('give a host name or address to ping');
  });

  it('reads an edited check back from the draft the core keeps', () => {
    const draft = { name: 'api', kind: 'http', target: 'https://a.example/', vantages: ['console'], intervalMs: 60_000, timeoutMs: 5_000, enabled: false, http: { url: 'https://a.example/', method: 'HEAD', expectStatus: [301], followRedirects: false, bodyMatch: { type: 'regex', pattern: 'ok|ready' } } };
    const view: CheckView = { name: 'api', kind: 'http', target: draft.target, vantages: draft.vantages, intervalMs: 60_000, timeoutMs: 5_000, enabled: false, provisioned: false, draft, results: [] };
    const form = checkFormFromView(view);
    expect(form).toMatchObject({ method: 'HEAD', expectStatus: '301', followRedirects: false, bodyMatchType: 'regex', bodyMatch: 'ok|ready', intervalSeconds: '60', timeoutSeconds: '5', enabled: false });
    const again = checkCheckForm(form);
    expect(again.ok && again.draft.http).toMatchObject(draft.http);
  });
});
