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
    const view: CheckView = { name: 'api', kind: 'http', target: draft.target, vantages: draft.vantages, intervalMs: 60_000, timeoutMs: 5_000, enabled: false, provisioned: false, draft, results: [], secrets: { headers: [], auth: false } };
    const form = checkFormFromView(view);
    expect(form).toMatchObject({ method: 'HEAD', expectStatus: '301', followRedirects: false, bodyMatchType: 'regex', bodyMatch: 'ok|ready', intervalSeconds: '60', timeoutSeconds: '5', enabled: false });
    const again = checkCheckForm(form);
    expect(again.ok && again.draft.http).toMatchObject(draft.http);
  });

  it('carries headers, auth and warning days; a stored secret is kept by leaving it empty, a new one needs a value', () => {
    const base = { ...emptyCheckForm('http'), name: 'api', target: 'https://x/' };
    const r = checkCheckForm({ ...base, headers: [{ name: 'X-Probe', value: 'ovl', secretSet: false }, { name: '', value: '', secretSet: false }], authType: 'basic', authUsername: 'probe', authSecret: 'pw', certWarnDays: '30' });
    expect(r.ok && { headers: r.draft.http!.headers, auth: r.draft.auth, days: r.draft.certWarnDays }).toEqual({ headers: { 'X-Probe': 'ovl' }, auth: { type: 'basic', username: 'probe', password: 'pw' }, days: 30 });
    const keep = checkCheckForm({ ...base, headers: [{ name: 'X-Api-Key', value: '', secretSet: true }], authType: 'bearer', authSecretSet: true });
    expect(keep.ok && { headers: keep.draft.http!.headers, auth: keep.draft.auth }).toEqual({ headers: { 'X-Api-Key': '' }, auth: { type: 'bearer' } });
    const missing = checkCheckForm({ ...base, headers: [{ name: 'X-Api-Key', value: '', secretSet: false }], authType: 'bearer' });
    expect(!missing.ok && Object.keys(missing.problems).sort()).toEqual(['auth', 'headers']);
    const hop = checkCheckForm({ ...base, headers: [{ name: 'Connection', value: 'close', secretSet: false }] });
    expect(!hop.ok && Object.keys(hop.problems)).toEqual(['headers']);
    const days = checkCheckForm({ ...base, certWarnDays: '400' });
    expect(!days.ok && Object.keys(days.problems)).toEqual(['certWarnDays']);
  });

  it('editing shows which secrets are set, never their values', () => {
    const view = { name: 'api', kind: 'http', target: 'https://x/', vantages: ['console'], intervalMs: 30_000, timeoutMs: 10_000, enabled: true, provisioned: false, results: [], secrets: { headers: ['Cookie'], auth: true }, draft: { name: 'api', kind: 'http', target: 'https://x/', certWarnDays: 7, auth: { type: 'basic', username: 'probe' }, http: { url: 'https://x/', headers: { Cookie: '', 'X-Probe': 'ovl' } } } } as CheckView;
    const form = checkFormFromView(view);
    expect({ headers: form.headers, auth: [form.authType, form.authUsername, form.authSecret, form.authSecretSet], days: form.certWarnDays }).toEqual({
      headers: [
        { name: 'Cookie', value: '', secretSet: true },
        { name: 'X-Probe', value: 'ovl', secretSet: false },
      ],
      auth: ['basic', 'probe', '', true],
      days: '7',
    });
  });
});
