// The Alertmanager channel's authentication against Debian's real
// prometheus-alertmanager with its HTTP API behind basic auth
// (--web.config.file, exporter-toolkit's basic_auth_users with a bcrypt
// hash): alerts are taken with the right user and password, refused 401
// without or with a wrong one (no retry, no password in the error). A bearer
// token (Alertmanager has no bearer check of its own; a token-checking proxy
// in front of it does) to a test receiver; a redirect to another server
// carries nothing there. And the provisioning file's auth fields.
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAlertmanager, type RunningEngine } from '../../../testing/engines.js';
import type { PlannedNotification } from '../model.js';
import { createChannel, parseProvisionedChannel } from './createChannel.js';
import { deliverWithRetry } from './deliver.js';
import type { ChannelSpec } from './types.js';

const USER = 'overlook';
const PASSWORD = 'am-test-password';
// bcrypt (cost 10) of PASSWORD, made with `htpasswd -nbBC 10 overlook am-test-password` (apache2-utils).
const PASSWORD_BCRYPT = '$2y$10$E2kb8Rg7C5xZC5KimKSzfOLJMYogWY0lgiyE6qGut5MD5orgK5CTS';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

let am: RunningEngine;

beforeAll(async () => {
  am = await startAlertmanager(
    `route:
  receiver: none
receivers:
  - name: none
`,
    { basicAuth: { users: { [USER]: PASSWORD_BCRYPT }, readyAuth: basic(USER, PASSWORD) } },
  );
}, 60_000);

afterAll(async () => {
  await am?.remove();
});

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => (s.closeAllConnections(), s.close(() => r())))));
});

interface Seen {
  path: string;
  authorization: string | undefined;
}

async function receiver(answer: (req: http.IncomingMessage) => { status: number; headers?: Record<string, string> }): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
      const a = answer(req);
      res.writeHead(a.status, a.headers).end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

function notification(rule: string): PlannedNotification {
  const now = Date.now();
  return {
    id: `${rule}@1`,
    ruleId: rule,
    ruleName: rule,
    severity: 'warning',
    channels: ['am'],
    status: 'firing',
    title: `[FIRING:1] ${rule}`,
    alerts: [{ alertId: `${rule}|k`, key: 'k', labels: { host: 'web-1' }, status: 'firing', repeat: false, summary: 'load is high', value: 3, activeAt: now, firedAt: now }],
    createdAt: now,
  };
}

const amSpec = (auth: ChannelSpec['auth'], urls = [am.url]): ChannelSpec => ({ name: 'am', type: 'alertmanager', urls, ...(auth ? { auth } : {}) });

async function alertnames(): Promise<string[]> {
  const res = await fetch(`${am.url}/api/v2/alerts`, { headers: { authorization: basic(USER, PASSWORD) } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { labels: Record<string, string> }[]).map((a) => a.labels.alertname!);
}

describe('an Alertmanager behind basic auth', () => {
  it('takes alerts sent with its user and password (read from the environment at send time)', async () => {
    const channel = createChannel(amSpec({ kind: 'basic', username: USER, password: { env: 'AM_PASSWORD' } }), { env: { AM_PASSWORD: PASSWORD } });
    const outcome = await deliverWithRetry(channel, notification('With basic auth'), { maxAttempts: 1 });
    expect(outcome).toMatchObject({ ok: true });
    expect(await alertnames()).toContain('With basic auth');
  });

  it('refuses them without auth or with a wrong password: 401, not retried, and the error holds no password', async () => {
    const bare = await deliverWithRetry(createChannel(amSpec(undefined)), notification('Without auth'), { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10 });
    expect(bare).toMatchObject({ ok: false, attempts: 1, problem: { kind: 'http', status: 401 } });
    const wrong = 'not-the-password-123';
    const channel = createChannel(amSpec({ kind: 'basic', username: USER, password: { value: wrong } }));
    const outcome = await deliverWithRetry(channel, notification('Wrong password'), { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10 });
    expect(outcome).toMatchObject({ ok: false, attempts: 1, problem: { kind: 'http', status: 401 } });
    expect(outcome.error).not.toContain(wrong);
    expect(outcome.error).not.toContain(Buffer.from(`${USER}:${wrong}`).toString('base64'));
    expect(await alertnames()).not.toContain('Without auth');
    expect(await alertnames()).not.toContain('Wrong password');
  });

  it('a password whose variable is empty is a clear failure naming the variable, sent nowhere', async () => {
    const outcome = await deliverWithRetry(createChannel(amSpec({ kind: 'basic', username: USER, password: { env: 'AM_PASSWORD' } }), { env: {} }), notification('No password'), {
      maxAttempts: 3,
    });
    expect(outcome).toMatchObject({ ok: false, attempts: 1, problem: { kind: 'notSet', what: 'auth' } });
    expect(outcome.error).toContain('AM_PASSWORD');
  });
});

describe('a bearer token', () => {
  it('goes in the Authorization header to each listed Alertmanager, and nowhere else: a redirect is not followed', async () => {
    const token = 'tok-0123456789abcdef';
    const elsewhere = await receiver(() => ({ status: 200 }));
    const checked = await receiver((req) => ({ status: req.headers.authorization === `Bearer ${token}` ? 200 : 401 }));
    const redirecting = await receiver(() => ({ status: 307, headers: { location: `${elsewhere.url}/api/v2/alerts` } }));
    const ok = await deliverWithRetry(createChannel(amSpec({ kind: 'bearer', token: { value: token } }, [checked.url])), notification('Bearer'), { maxAttempts: 1 });
    expect(ok).toMatchObject({ ok: true });
    expect(checked.seen).toEqual([{ path: '/api/v2/alerts', authorization: `Bearer ${token}` }]);

    const moved = await deliverWithRetry(createChannel(amSpec({ kind: 'bearer', token: { value: token } }, [redirecting.url])), notification('Bearer'), { maxAttempts: 1 });
    expect(moved).toMatchObject({ ok: false, problem: { kind: 'http', status: 307 } });
    expect(moved.error).not.toContain(token);
    expect(redirecting.seen).toHaveLength(1);
    expect(elsewhere.seen).toEqual([]);
  });
});

describe('the provisioning file', () => {
  it('takes bearer_token_env / _file / _ref and basic_auth with password_env / _file / _ref', () => {
    expect(parseProvisionedChannel({ name: 'am', type: 'alertmanager', urls: ['http://am:9093'], bearer_token_env: 'AM_TOKEN' })).toMatchObject({
      ok: true,
      value: { auth: { kind: 'bearer', token: { env: 'AM_TOKEN' } } },
    });
    expect(parseProvisionedChannel({ name: 'am', type: 'alertmanager', urls: ['http://am:9093'], bearer_token_file: 'am.token' })).toMatchObject({
      ok: true,
      value: { auth: { kind: 'bearer', token: { file: 'am.token' } } },
    });
    expect(parseProvisionedChannel({ name: 'am', type: 'alertmanager', urls: ['http://am:9093'], basic_auth: { username: 'ops', password_ref: 'am-pw' } })).toMatchObject({
      ok: true,
      value: { auth: { kind: 'basic', username: 'ops', password: { ref: 'am-pw' } } },
    });
  });

  it('refuses a token or password written inline, both at once, basic auth without a password, a user in a URL, and auth on a webhook', () => {
    const am_ = { name: 'am', type: 'alertmanager', urls: ['http://am:9093'] };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...am_, bearer_token: 'x' }, /bearer_token_env, bearer_token_file or bearer_token_ref, never inline/],
      [{ ...am_, basic_auth: { username: 'ops', password: 'x' } }, /password_env, password_file or password_ref, never inline/],
      [{ ...am_, bearer_token_env: 'T', basic_auth: { username: 'ops', password_env: 'P' } }, /either a bearer token or basic_auth/],
      [{ ...am_, bearer_token_env: 'T', bearer_token_file: 'f' }, /not bearer_token_env and bearer_token_file/],
      [{ ...am_, basic_auth: { username: 'ops' } }, /exactly one of password_env/],
      [{ ...am_, basic_auth: { username: 'a:b', password_env: 'P' } }, /cannot contain ":"/],
      [{ ...am_, urls: ['http://ops:pw@am:9093'] }, /carries no user, password or query/],
      [{ name: 'hook', type: 'webhook', url: 'https://x.example/', bearer_token_env: 'T' }, /only an alertmanager channel/],
    ];
    for (const [entry, message] of cases) {
      const parsed = parseProvisionedChannel(entry);
      expect(parsed.ok, JSON.stringify(entry)).toBe(false);
      if (!parsed.ok) expect(parsed.error).toMatch(message);
    }
  });
});
