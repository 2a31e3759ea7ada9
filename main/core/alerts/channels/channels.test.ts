// Channels against real HTTP servers on 127.0.0.1 (ports 19400–19449).
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlannedNotification } from '../model.js';
import { createChannel } from './createChannel.js';
import { deliverWithRetry } from './deliver.js';
import { redactUrl, scrubSecrets } from './http.js';
import { WECOM_MARKDOWN_MAX_BYTES } from './robots.js';
import { plainBody, slackMrkdwn } from './messageText.js';

interface Received {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => (s.closeAllConnections(), s.close(() => r())))));
});

function serve(port: number, answer: (req: Received, n: number) => { status: number; body: string } | 'hang'): Promise<Received[]> {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const r: Received = { method: req.method ?? '', url: new URL(req.url ?? '/', `http://127.0.0.1:${port}`), headers: req.headers, body: text ? JSON.parse(text) : undefined };
      got.push(r);
      const a = answer(r, got.length);
      if (a === 'hang') return; // never answer
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(a.body);
    });
  });
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(got));
  });
}

const t0 = Date.UTC(2025, 0, 2, 3, 4, 5);
const notification: PlannedNotification = {
  id: 'disk@1',
  ruleId: 'disk',
  ruleName: 'Disk nearly full',
  severity: 'warning',
  channels: ['x'],
  status: 'firing',
  title: '[FIRING:1] Disk nearly full',
  alerts: [
    {
      alertId: 'disk|k',
      key: 'host:filesystem_used:ratio{host="web-1",mountpoint="/"}',
      labels: { host: 'web-1', mountpoint: '/' },
      status: 'firing',
      repeat: false,
      summary: '/ on web-1 is 95% full',
      value: 0.95,
      activeAt: t0,
      firedAt: t0,
    },
  ],
  createdAt: t0,
};
const fast = { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 4 };

/** Verifies a DingTalk robot request the way DingTalk documents it: HMAC-SHA256 over `timestamp\nsecret`, Base64, and a timestamp within an hour. */
function dingTalkCheck(url: URL, secret: string, now: number): { status: number; body: string } {
  const timestamp = url.searchParams.get('timestamp') ?? '';
  const sign = url.searchParams.get('sign') ?? '';
  const ts = Number(timestamp);
  if (!Number.isInteger(ts) || Math.abs(now - ts) > 3_600_000) return { status: 200, body: JSON.stringify({ errcode: 310000, errmsg: 'sign not match, more: [timestamp is expired]' }) };
  const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest();
  const given = Buffer.from(sign, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { status: 200, body: JSON.stringify({ errcode: 310000, errmsg: 'sign not match' }) };
  return { status: 200, body: JSON.stringify({ errcode: 0, errmsg: 'ok' }) };
}

describe('generic webhook', () => {
  it('POSTs the documented JSON body', async () => {
    const got = await serve(19401, () => ({ status: 204, body: '' }));
    const ch = createChannel({ name: 'hook', type: 'webhook', url: { value: 'http://127.0.0.1:19401/hooks/overlook' } }, { now: () => t0 + 1000 });
    const out = await deliverWithRetry(ch, notification, fast);
    expect(out).toEqual({ ok: true, attempts: 1 });
    expect(got).toHaveLength(1);
    expect(got[0]!.headers['content-type']).toMatch(/^application\/json/);
    expect(got[0]!.body).toEqual({
      version: '1',
      source: 'overlook',
      id: 'disk@1',
      status: 'firing',
      title: '[FIRING:1] Disk nearly full',
      rule: { id: 'disk', name: 'Disk nearly full', severity: 'warning' },
      alerts: [
        {
          id: 'disk|k',
          status: 'firing',
          repeat: false,
          labels: { host: 'web-1', mountpoint: '/' },
          summary: '/ on web-1 is 95% full',
          value: 0.95,
          activeAt: '2025-01-02T03:04:05.000Z',
          firedAt: '2025-01-02T03:04:05.000Z',
        },
      ],
      sentAt: '2025-01-02T03:04:06.000Z',
    });
  });
});

describe('DingTalk robot', () => {
  const secret = 'SECa1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4';
  const token = 'dt-access-token-0123456789abcdef';

  it('signs the request so that DingTalk accepts it, with a markdown message', async () => {
    const got = await serve(19402, (r) => dingTalkCheck(r.url, secret, Date.now()));
    const ch = createChannel(
      { name: 'ding', type: 'dingtalk', url: { env: 'DING_URL' }, secret: { ref: 'alerts:ding:secret' } },
      { env: { DING_URL: `http://127.0.0.1:19402/robot/send?access_token=${token}` }, getSecret: async (ref) => (ref === 'alerts:ding:secret' ? secret : undefined) },
    );
    const out = await deliverWithRetry(ch, notification, fast);
    expect(out).toEqual({ ok: true, attempts: 1 });
    expect(got[0]!.url.searchParams.get('access_token')).toBe(token);
    expect(got[0]!.body).toMatchObject({ msgtype: 'markdown', markdown: { title: '[FIRING:1] Disk nearly full' } });
    expect((got[0]!.body as { markdown: { text: string } }).markdown.text).toContain('/ on web-1 is 95% full');
  });

  it('a timestamp more than an hour old is rejected; the failure is not retried and names no secret', async () => {
    const got = await serve(19403, (r) => dingTalkCheck(r.url, secret, Date.now()));
    const ch = createChannel(
      { name: 'ding', type: 'dingtalk', url: { value: `http://127.0.0.1:19403/robot/send?access_token=${token}` }, secret: { value: secret } },
      { now: () => Date.now() - 3_600_000 - 60_000 },
    );
    const out = await deliverWithRetry(ch, notification, fast);
    expect(out.ok).toBe(false);
    expect(out.attempts).toBe(1);
    expect(got).toHaveLength(1);
    expect(out.error).toContain('DingTalk rejected the message: errcode 310000');
    expect(out.error).not.toContain(token);
    expect(out.error).not.toContain(secret);
    // The problem the screen words in the UI's language, with the robot's own message.
    expect(out.problem).toEqual({ kind: 'refused', service: 'DingTalk', code: '310000', message: expect.stringContaining('sign') });
    expect(JSON.stringify(out.problem)).not.toContain(secret);
  });

  it('a wrong secret is rejected', async () => {
    await serve(19404, (r) => dingTalkCheck(r.url, secret, Date.now()));
    const ch = createChannel({ name: 'ding', type: 'dingtalk', url: { value: `http://127.0.0.1:19404/robot/send?access_token=${token}` }, secret: { value: 'SECwrong' } });
    const out = await deliverWithRetry(ch, notification, fast);
    expect(out).toMatchObject({ ok: false, attempts: 1 });
    expect(out.error).toMatch(/sign not match/);
  });
});

describe('WeCom and Slack', () => {
  it('WeCom gets a markdown message within its byte limit', async () => {
    const got = await serve(19405, () => ({ status: 200, body: '{"errcode":0,"errmsg":"ok"}' }));
    const many: PlannedNotification = {
      ...notification,
      alerts: Array.from({ length: 200 }, (_, i) => ({ ...notification.alerts[0]!, key: `k${i}`, summary: `磁盘 /data${i} 在 web-${i} 上已用 95%` })),
    };
    const ch = createChannel({ name: 'wc', type: 'wecom', url: { value: 'http://127.0.0.1:19405/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4' } });
    expect(await deliverWithRetry(ch, many, fast)).toEqual({ ok: true, attempts: 1 });
    const body = got[0]!.body as { msgtype: string; markdown: { content: string } };
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.content).toContain('### [FIRING:1] Disk nearly full');
    expect(body.markdown.content).toContain('and 180 more');
    expect(Buffer.byteLength(body.markdown.content, 'utf8')).toBeLessThanOrEqual(WECOM_MARKDOWN_MAX_BYTES);
  });

  it('writes the message words in the notification language: WeCom, Slack and the desktop popup in Chinese', async () => {
    const got = await serve(19408, () => ({ status: 200, body: '{"errcode":0,"errmsg":"ok"}' }));
    const zh: PlannedNotification = {
      ...notification,
      lang: 'zh-CN',
      title: '【告警:1】磁盘将满',
      alerts: [{ ...notification.alerts[0]!, summary: 'web-1 上的文件系统 / 已用 95%' }, { ...notification.alerts[0]!, key: 'k2', status: 'resolved', resolvedAt: t0, summary: 'x' }],
    };
    const ch = createChannel({ name: 'wc', type: 'wecom', url: { value: 'http://127.0.0.1:19408/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4' } });
    expect(await deliverWithRetry(ch, zh, fast)).toEqual({ ok: true, attempts: 1 });
    const text = (got[0]!.body as { markdown: { content: string } }).markdown.content;
    expect(text).toContain('级别：**警告**');
    expect(text).toContain('- **告警** web-1 上的文件系统 / 已用 95%');
    expect(text).toContain('- **已恢复** x');
    expect(text).not.toMatch(/Severity|FIRING|since|resolved /);
    expect(slackMrkdwn(zh)).toContain('(级别：警告)');
    expect(plainBody(zh)).toBe('web-1 上的文件系统 / 已用 95%\n已恢复：x');
  });

  it('WeCom errcode is a failure', async () => {
    await serve(19406, () => ({ status: 200, body: '{"errcode":93000,"errmsg":"invalid webhook url"}' }));
    const ch = createChannel({ name: 'wc', type: 'wecom', url: { value: 'http://127.0.0.1:19406/cgi-bin/webhook/send?key=secret-key-123456' } });
    const out = await deliverWithRetry(ch, notification, fast);
    expect(out).toMatchObject({ ok: false, attempts: 1, error: 'WeCom rejected the message: errcode 93000 invalid webhook url' });
    expect(out.problem).toEqual({ kind: 'refused', service: 'WeCom', code: '93000', message: 'invalid webhook url' });
  });

  it('Slack gets text plus a mrkdwn section, with &, < and > escaped', async () => {
    const got = await serve(19407, () => ({ status: 200, body: 'ok' }));
    const n = { ...notification, alerts: [{ ...notification.alerts[0]!, summary: 'load <high> & rising' }] };
    const ch = createChannel({ name: 'sl', type: 'slack', url: { value: 'http://127.0.0.1:19407/services/T000/B000/XXXXXXXXXXXX' } });
    expect(await deliverWithRetry(ch, n, fast)).toEqual({ ok: true, attempts: 1 });
    const body = got[0]!.body as { text: string; blocks: { type: string; text: { type: string; text: string } }[] };
    expect(body.text).toBe('[FIRING:1] Disk nearly full');
    expect(body.blocks[0]!.type).toBe('section');
    expect(body.blocks[0]!.text.type).toBe('mrkdwn');
    expect(body.blocks[0]!.text.text).toContain('load &lt;high&gt; &amp; rising');
  });
});

describe('delivery: retries, failures, timeouts', () => {
  it('retries after a 500 and delivers on the next attempt', async () => {
    const got = await serve(19408, (_r, n) => (n === 1 ? { status: 500, body: 'upstream down' } : { status: 200, body: 'ok' }));
    const ch = createChannel({ name: 'h', type: 'webhook', url: { value: 'http://127.0.0.1:19408/x' } });
    const attempts: (string | undefined)[] = [];
    const out = await deliverWithRetry(ch, notification, { ...fast, onAttempt: (_a, e) => attempts.push(e) });
    expect(out).toEqual({ ok: true, attempts: 2 });
    expect(got).toHaveLength(2);
    expect(attempts).toEqual(['POST http://127.0.0.1:19408/x: HTTP 500 upstream down', undefined]);
  });

  it('gives up after the bounded attempts; the error names no token even when the server echoes it', async () => {
    const token = 'tok-SUPERSECRET-42424242';
    const got = await serve(19409, (r) => ({ status: 503, body: `bad request to ${r.url.pathname}${r.url.search}` }));
    const ch = createChannel({ name: 'h', type: 'webhook', url: { value: `http://127.0.0.1:19409/hook/${token}?token=${token}` } });
    const out = await deliverWithRetry(ch, notification, fast);
    expect(out.ok).toBe(false);
    expect(out.attempts).toBe(4);
    expect(got).toHaveLength(4);
    expect(out.error).toMatch(/^POST http:\/\/127\.0\.0\.1:19409\/hook\/…: HTTP 503/);
    expect(out.error).not.toContain('SUPERSECRET');
    // The body quoted in the problem is scrubbed of the URL's token like the message.
    expect(out.problem).toMatchObject({ kind: 'http', status: 503 });
    expect(JSON.stringify(out.problem)).not.toContain(token);
  });

  it('does not retry a 4xx', async () => {
    const got = await serve(19410, () => ({ status: 404, body: 'no_service' }));
    const ch = createChannel({ name: 'h', type: 'slack', url: { value: 'http://127.0.0.1:19410/services/a/b/c' } });
    const out = await deliverWithRetry(ch, notification, fast);
    expect(out).toMatchObject({ ok: false, attempts: 1 });
    expect(got).toHaveLength(1);
  });

  it('times out a server that never answers, and retries', async () => {
    const got = await serve(19411, () => 'hang');
    const ch = createChannel({ name: 'h', type: 'webhook', url: { value: 'http://127.0.0.1:19411/slow' }, timeoutMs: 200 });
    const started = Date.now();
    const out = await deliverWithRetry(ch, notification, { ...fast, maxAttempts: 2 });
    expect(out).toMatchObject({ ok: false, attempts: 2, error: 'POST http://127.0.0.1:19411/slow: no answer within 200 ms', problem: { kind: 'timeout', ms: 200 } });
    expect(got).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a refused connection is retried and reported without the URL query', async () => {
    const ch = createChannel({ name: 'h', type: 'webhook', url: { value: 'http://127.0.0.1:19412/p?key=abcdef123456' } });
    const out = await deliverWithRetry(ch, notification, { ...fast, maxAttempts: 2 });
    expect(out).toMatchObject({ ok: false, attempts: 2, error: 'POST http://127.0.0.1:19412/p?…: ECONNREFUSED', problem: { kind: 'network', code: 'ECONNREFUSED' } });
  });

  it('a missing secret is a clear, non-retried failure', async () => {
    const ch = createChannel({ name: 'h', type: 'wecom', url: { env: 'NOT_SET_ANYWHERE' } }, { env: {} });
    const out = await deliverWithRetry(ch, notification, fast);
    expect(out).toEqual({
      ok: false,
      attempts: 1,
      error: 'the URL of channel "h" is not set (environment variable NOT_SET_ANYWHERE is empty or missing)',
      problem: { kind: 'notSet', what: 'url' },
    });
  });
});

describe('redaction', () => {
  it('keeps only scheme, host and first path segment', () => {
    expect(redactUrl('https://oapi.dingtalk.com/robot/send?access_token=abc')).toBe('https://oapi.dingtalk.com/robot/…');
    expect(redactUrl('https://hooks.slack.com/services/T0/B0/XYZ')).toBe('https://hooks.slack.com/services/…');
    expect(redactUrl('https://example.com')).toBe('https://example.com');
    expect(scrubSecrets('x abc/def%2Bg y', ['def+g'])).toBe('x abc/*** y');
  });
});

describe('parseProvisionedChannel', () => {
  it('maps url_env / secret_env to secret sources and refuses inline secrets', async () => {
    const { parseProvisionedChannel } = await import('./createChannel.js');
    expect(parseProvisionedChannel({ name: 'ops', type: 'dingtalk', url_env: 'DING_URL', secret_env: 'DING_SECRET' })).toEqual({
      ok: true,
      value: { name: 'ops', type: 'dingtalk', url: { env: 'DING_URL' }, secret: { env: 'DING_SECRET' } },
    });
    expect(parseProvisionedChannel({ name: 'ops', type: 'dingtalk', url: 'https://x', secret: 'SECabc' })).toEqual({ ok: false, error: 'channel "ops": write the signing secret as secret_env, secret_file or secret_ref, never inline', field: 'secret' });
    expect(parseProvisionedChannel({ name: 'hook', type: 'webhook' })).toEqual({ ok: false, error: 'channel "hook": a webhook channel needs a url (url, url_env or a secret reference)' });
    expect(parseProvisionedChannel({ name: 'x', type: 'pager' }).ok).toBe(false);
    expect(parseProvisionedChannel({ name: 'f', type: 'slack', url_file: 'secrets/slack.url' })).toEqual({ ok: true, value: { name: 'f', type: 'slack', url: { file: 'secrets/slack.url' } } });
    expect(parseProvisionedChannel({ name: 'f', type: 'slack', url_file: 'a', url_env: 'B' })).toMatchObject({ ok: false, field: 'url_file' });
  });
});
