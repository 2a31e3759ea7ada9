// The alerts feature's wiring: the window reader over a real history store,
// the provisioning file's alerts and channels, host status into the
// built-in offline rule, and the contract handlers answering through it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventName, Host, Settings } from '../../common/contract.js';
import type { ProvisioningResult } from '../config/provisioning.js';
import { parseProvisioningText } from '../../testing/provisioningText.js';
import type { CoreContext, CoreFeature } from '../coreContext.js';
import { createMemoryLogger } from '../log.js';
import { createEncryptedFileSecretStore } from '../secrets/encryptedFileSecretStore.js';
import { dingTalkSign } from './channels/robots.js';
import http from 'node:http';
import { openMetricStore } from '../store/metricStore.js';
import type { MetricStore } from '../store/types.js';
import { createAlertsFeature } from './feature.js';
import { storeWindowReader } from './storeReader.js';
import { startAlertmanager } from '../../testing/engines.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-alerts-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function openStore(dir: string): MetricStore {
  const store = openMetricStore({ file: path.join(dir, 'history.sqlite'), retention: { rawHours: 48, minuteDays: 30, hourDays: 365 } });
  cleanups.push(() => store.close());
  return store;
}

const T0 = Date.UTC(2025, 0, 6, 12, 0, 0);

describe('storeWindowReader over the real history store', async () => {
  it('returns the raw samples of the window (from, to], one per poll, with their values', async () => {
    const store = openStore(tempDir());
    const samples = Array.from({ length: 30 }, (_, i) => ({ name: 'host:cpu_usage:ratio', labels: { host: 'web-1' }, t: T0 + i * 5000 + 137, v: i / 100 }));
    await store.append(samples);
    await store.append([{ name: 'host:cpu_usage:ratio', labels: { host: 'web-2' }, t: T0 + 1000, v: 0.5 }]);
    const reader = storeWindowReader(store, () => 5000);
    const to = T0 + 29 * 5000 + 137;
    const got = await reader.read({ name: 'host:cpu_usage:ratio', matchers: [{ label: 'host', op: '=', value: 'web-1' }] }, to - 60_000, to, 'avg');
    expect(got).toHaveLength(1);
    expect(got[0]!.labels).toEqual({ host: 'web-1' });
    // 60 s at 5 s: the 12 samples after `from`, the newest at `to` included.
    expect(got[0]!.points.map((p) => p[1])).toEqual(Array.from({ length: 12 }, (_, i) => (18 + i) / 100));
    for (const [t] of got[0]!.points) expect(t > to - 60_000 && t <= to).toBe(true);
    // Ascending, as the evaluator requires.
    const times = got[0]!.points.map((p) => p[0]);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('keeps a spike for a max rule and a dip for a min rule when two samples share a bucket', async () => {
    const store = openStore(tempDir());
    // Two samples 300 ms apart (a late poll followed by an on-time one).
    await store.append([
      { name: 'node_load1', labels: { host: 'a' }, t: T0 + 10_000, v: 1 },
      { name: 'node_load1', labels: { host: 'a' }, t: T0 + 10_300, v: 9 },
    ]);
    const reader = storeWindowReader(store, () => 10_000);
    const values = async (aggregate: 'max' | 'min' | 'avg') => (await reader.read({ name: 'node_load1' }, T0, T0 + 20_000, aggregate))[0]!.points.map((p) => p[1]);
    expect(Math.max(...(await values('max')))).toBe(9);
    expect(Math.min(...(await values('min')))).toBe(1);
  });

  it('leaves out series with no sample in the window', async () => {
    const store = openStore(tempDir());
    await store.append([{ name: 'node_load1', labels: { host: 'old' }, t: T0, v: 1 }]);
    const reader = storeWindowReader(store, () => 5000);
    expect(await reader.read({ name: 'node_load1' }, T0 + 3_600_000, T0 + 3_660_000)).toEqual([]);
  });

  it('leaves out hosts the console no longer watches, so history-only hosts raise no alerts', async () => {
    const store = openStore(tempDir());
    await store.append([
      { name: 'node_load1', labels: { host: 'watched' }, t: T0 + 1000, v: 1 },
      { name: 'node_load1', labels: { host: 'removed' }, t: T0 + 1000, v: 2 },
    ]);
    const reader = storeWindowReader(store, () => 5000, () => new Set(['watched']));
    expect((await reader.read({ name: 'node_load1' }, T0, T0 + 10_000)).map((r) => r.labels.host)).toEqual(['watched']);
  });
});

interface Harness {
  feature: CoreFeature;
  events: { event: EventName; payload: unknown }[];
  setNow(t: number): void;
  ctx: CoreContext;
}

function harness(options: { evaluateEveryMs?: number; env?: Record<string, string>; dir?: string; realSecrets?: boolean } = {}): Harness {
  const dir = options.dir ?? tempDir();
  const store = openStore(dir);
  let now = T0;
  const events: { event: EventName; payload: unknown }[] = [];
  const settings: Settings = { pollIntervalMs: 5000, retention: { rawHours: 48, minuteDays: 30, hourDays: 365 } };
  const ctx: CoreContext = {
    dataDir: dir,
    shell: 'headless',
    log: createMemoryLogger(),
    secrets: options.realSecrets ? createEncryptedFileSecretStore(dir) : { get: async () => undefined, set: async () => {}, delete: async () => {}, list: async () => [] },
    store,
    history: store,
    health: { samplesIngested: 0, ingestFailures: 0, samplesLost: 0, ingestError: undefined, sshReconnects: 0, agentErrors: 0, alertEvaluations: 0 },
    now: () => now,
    emit: (event, payload) => void events.push({ event, payload }),
    ingest: (samples) => store.append(samples),
    settings: () => settings,
    hosts: () => [],
    host: () => undefined,
    addHost: () => {},
    replaceHost: async () => {},
    removeHost: async () => {},
    exposition: async () => [],
    openStreamVia: async () => {
      throw new Error('no SSH host in this test');
    },
    runVia: async () => {
      throw new Error('no SSH host in this test');
    },
    request: async () => {
      throw new Error('no other feature in this test');
    },
    anomalyVerdicts: () => [],
  };
  const feature = createAlertsFeature({ evaluateEveryMs: options.evaluateEveryMs ?? 20, env: options.env, retry: { maxAttempts: 1 } })(ctx);
  cleanups.push(() => feature.stop?.());
  return { feature, events, ctx, setNow: (t) => void (now = t) };
}

const until = async (cond: () => boolean | Promise<boolean>, ms = 5000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

function provisioning(text: string, file = '/etc/overlook/overlook.yaml'): ProvisioningResult {
  const parsed = parseProvisioningText(text, file);
  return { file, config: parsed.config, problems: parsed.problems, applied: parsed.config !== null, loadedAt: T0, checkedAt: T0 };
}

const FILE_WITH_ONE_BAD_RULE = `version: 1
channels:
  - name: hook
    type: webhook
    url_env: ALERT_HOOK_URL
alerts:
  - name: busy
    selector: host:cpu_usage:ratio{host="local"}
    aggregate: max
    window: 1m
    op: ">"
    threshold: 0.0001
    for: 0s
    channels: [hook]
  - name: broken
    selector: node_load1
    window: 5
    op: ">"
    threshold: 4
  - name: typo
    selector: node_load1
    window: 1m
    op: ">"
    treshold: 4
`;

describe('the alerts feature', () => {
  it('takes alerts and channels from the provisioning file; a bad entry is a located problem and the others apply', async () => {
    const result = provisioning(FILE_WITH_ONE_BAD_RULE);
    expect(result.config).not.toBeNull();
    const broken = result.problems.find((p) => p.field === 'alerts[1].window');
    expect(broken?.line).toBe(17);
    expect(broken?.message).toMatch(/broken.*window.*unit/);
    const typo = result.problems.find((p) => p.field === 'alerts[2].treshold');
    expect(typo?.line).toBe(24);
    expect(typo?.message).toMatch(/unknown field `treshold`/);

    const h = harness();
    h.feature.onProvisioning!(result);
    await h.feature.start!();
    const { rules, channels } = await h.feature.handlers!['alerts/rules']!();
    const names = rules.map((r) => `${r.rule.origin}:${r.rule.name}`);
    expect(names).toContain('provisioned:busy');
    expect(names).not.toContain('provisioned:broken');
    expect(names).toContain('builtin:Host offline');
    expect(channels).toEqual(['desktop', 'hook']);
    // Provisioned rules are read-only through the contract.
    await expect(async () => h.feature.handlers!['alerts/rule-enable']!({ id: 'provisioned:busy', enabled: false })).rejects.toMatchObject({ code: 'provisioned' });
  });

  it('fires the built-in offline alert after its grace period, tells the UI, and resolves when the host returns', async () => {
    const h = harness();
    await h.feature.start!();
    const host: Host = { id: 'web-1', name: 'web-1', kind: 'ssh', status: 'offline', pollIntervalMs: 5000, tags: [], provisioned: false };
    h.feature.onHostStatus!(host, 'online');
    await until(() => h.events.some((e) => e.event === 'alerts/changed' && (e.payload as { reason: string }).reason === 'states'));
    const pending = await h.feature.handlers!['alerts/list']!();
    expect(pending.map((a) => `${a.ruleName}:${a.status}:${a.labels.host}`)).toEqual(['Host offline:pending:web-1']);

    h.setNow(T0 + 61_000);
    await until(() => h.events.some((e) => e.event === 'alerts/changed' && (e.payload as { alerts: { status: string }[] }).alerts[0]?.status === 'firing'));
    // Notifications of a rule wait the grouping window (10 s) for others.
    expect(h.events.some((e) => e.event === 'alerts/notification')).toBe(false);
    h.setNow(T0 + 72_000);
    await until(() => h.events.some((e) => e.event === 'alerts/notification'));
    const firing = await h.feature.handlers!['alerts/list']!();
    expect(firing[0]).toMatchObject({ status: 'firing', severity: 'critical', summary: 'Host web-1 is offline' });
    const notice = h.events.find((e) => e.event === 'alerts/notification')!.payload as { title: string; status: string };
    expect(notice.status).toBe('firing');
    expect(notice.title).toMatch(/Host offline/);
    expect(h.ctx.health.alertEvaluations).toBeGreaterThan(0);

    // One click silences it: still listed, marked muted.
    const silence = await h.feature.handlers!['alerts/silence']!({ alertId: firing[0]!.alertId, scope: 'host', durationMs: 3_600_000 });
    expect(silence.host).toBe('web-1');
    expect((await h.feature.handlers!['alerts/list']!())[0]).toMatchObject({ muted: true, status: 'firing' });

    h.setNow(T0 + 80_000);
    const seen = h.events.length;
    h.feature.onHostStatus!({ ...host, status: 'online' }, 'offline');
    // Resolved, it leaves the current alerts for the history.
    await until(() => h.events.slice(seen).some((e) => e.event === 'alerts/changed' && (e.payload as { alerts: unknown[] }).alerts.length === 0));
    expect(await h.feature.handlers!['alerts/list']!()).toEqual([]);
    const history = await h.feature.handlers!['alerts/history']!({});
    expect(history.map((t) => `${t.from}->${t.to}`)).toEqual(['firing->resolved', 'pending->firing', 'normal->pending']);
  });

  it('forgets a removed host: its offline alert ends', async () => {
    const h = harness();
    await h.feature.start!();
    h.feature.onHostStatus!({ id: 'h1', name: 'box', kind: 'ssh', status: 'offline', pollIntervalMs: 5000, tags: [], provisioned: false }, 'online');
    await until(() => h.events.some((e) => e.event === 'alerts/changed' && (e.payload as { reason: string }).reason === 'states'));
    expect(await h.feature.handlers!['alerts/list']!()).toHaveLength(1);
    h.feature.onHostRemoved!('h1');
    expect(await h.feature.handlers!['alerts/list']!()).toHaveLength(0);
  });

  it('maps bad rule drafts to invalid_input with the field named', async () => {
    const h = harness();
    await expect(async () => h.feature.handlers!['alerts/rule-create']!({ name: 'x', selector: 'node_load1', window: 60_000, op: '>', threshold: 'high' })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/threshold/),
    });
  });
});

/** A local receiver: records each POST and answers what `reply` says. */
async function receiver(reply: (path: string) => { status: number; body: string } = () => ({ status: 200, body: '{"errcode":0,"errmsg":"ok"}' })) {
  const got: { path: string; body: Record<string, unknown> }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      got.push({ path: req.url ?? '', body: JSON.parse(body) as Record<string, unknown> });
      const r = reply(req.url ?? '');
      res.writeHead(r.status, { 'content-type': 'application/json' });
      res.end(r.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, got };
}

describe('notification channels from the UI', () => {
  it('adds a webhook whose URL goes to the secret store, lists it without the URL, tests it and sends alerts through it', async () => {
    const hook = await receiver();
    const h = harness({ realSecrets: true });
    await h.feature.start!();
    const token = 'tok-SECRET-1234567890';
    const handlers = h.feature.handlers!;
    const added = await handlers['alerts/channel-add']!({ name: 'ops-hook', type: 'webhook', url: `${hook.url}/hook?token=${token}` });
    expect(added).toMatchObject({ name: 'ops-hook', type: 'webhook', origin: 'user', url: { set: true, origin: 'store', host: new URL(hook.url).host }, secret: null });
    const list = await handlers['alerts/channels']!();
    expect(list.map((c) => `${c.origin}:${c.name}`)).toEqual(['builtin:desktop', 'user:ops-hook']);
    expect(JSON.stringify(list)).not.toContain(token);
    expect(fs.readFileSync(path.join(h.ctx.dataDir, 'channels.json'), 'utf8')).not.toContain(token);
    expect(await h.ctx.secrets.get('channel:ops-hook:url')).toContain(token);
    expect((await handlers['alerts/rules']!()).channels).toEqual(['desktop', 'ops-hook']);

    // Test: one message, marked as a test.
    expect(await handlers['alerts/channel-test']!({ name: 'ops-hook' })).toMatchObject({ ok: true });
    expect(hook.got).toHaveLength(1);
    expect(hook.got[0]).toMatchObject({ path: `/hook?token=${token}`, body: { test: true, source: 'overlook', title: expect.stringContaining('TEST') } });

    // A rule that notifies through it fires: the alert arrives there.
    await handlers['alerts/rule-create']!({ name: 'always', selector: 'cloud_cpu_utilization_ratio', window: 60_000, op: '>=', threshold: 0, channels: ['ops-hook'] });
    expect((await handlers['alerts/channels']!()).find((c) => c.name === 'ops-hook')!.usedBy.map((r) => r.name)).toEqual(['always']);
    await h.ctx.ingest([{ name: 'cloud_cpu_utilization_ratio', labels: { cloud: 'aliyun', account: 'a', region: 'r', instance: 'i-1', product: 'ecs' }, t: T0 - 1000, v: 0.5 }]);
    await until(async () => (await handlers['alerts/list']!()).some((a) => a.status === 'firing'));
    h.setNow(T0 + 11_000); // past the grouping window
    await until(() => hook.got.some((g) => g.body.status === 'firing' && !g.body.test), 15_000);
    await h.feature.stop!();

    // A restart keeps it.
    const again = harness({ realSecrets: true, dir: h.ctx.dataDir });
    await again.feature.start!();
    expect((await again.feature.handlers!['alerts/channels']!()).map((c) => c.name)).toEqual(['desktop', 'ops-hook']);
  });

  it('tests a draft before it is saved, and says what the receiver answered without the token', async () => {
    const failing = await receiver(() => ({ status: 403, body: 'token tok-SECRET-1234567890 is not valid' }));
    const h = harness({ realSecrets: true });
    await h.feature.start!();
    const result = await h.feature.handlers!['alerts/channel-test']!({ draft: { name: 'new', type: 'slack', url: `${failing.url}/services/T000/B000/tok-SECRET-1234567890` } });
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/HTTP 403/);
    expect(result.error).not.toContain('SECRET');
    expect(await h.feature.handlers!['alerts/channels']!()).toHaveLength(1);
  });

  it('signs DingTalk messages with the stored secret; an edit keeps what it leaves empty and can remove the secret', async () => {
    const robot = await receiver();
    const h = harness({ realSecrets: true });
    await h.feature.start!();
    const handlers = h.feature.handlers!;
    const secret = 'SECabcdef0123456789';
    await handlers['alerts/channel-add']!({ name: 'dd', type: 'dingtalk', url: `${robot.url}/robot/send?access_token=abc123456`, secret });
    expect((await handlers['alerts/channels']!())[1]).toMatchObject({ secret: { set: true, origin: 'store' } });
    expect(await handlers['alerts/channel-test']!({ name: 'dd' })).toMatchObject({ ok: true });
    const signed = new URL(robot.got[0]!.path, robot.url);
    const timestamp = Number(signed.searchParams.get('timestamp'));
    expect(signed.searchParams.get('sign')).toBe(dingTalkSign(secret, timestamp));
    expect(robot.got[0]!.body).toMatchObject({ msgtype: 'markdown' });

    // Edit without the URL or secret: both kept; a draft test while editing uses the stored ones.
    await handlers['alerts/channel-update']!({ name: 'dd', draft: { name: 'dd', type: 'dingtalk', timeoutMs: 5000 } });
    expect(await handlers['alerts/channel-test']!({ draft: { name: 'dd', type: 'dingtalk' }, editing: 'dd' })).toMatchObject({ ok: true });
    expect(new URL(robot.got[1]!.path, robot.url).searchParams.get('sign')).toBeTruthy();
    // secret: null removes the signing secret.
    const edited = await handlers['alerts/channel-update']!({ name: 'dd', draft: { name: 'dd', type: 'dingtalk', secret: null } });
    expect(edited).toMatchObject({ url: { set: true }, secret: { set: false, origin: null }, timeoutMs: null });
    // Unsigned from now on: sent without a signature (the robot decides), not failed for a missing secret.
    expect(await handlers['alerts/channel-test']!({ name: 'dd' })).toMatchObject({ ok: true });
    expect(new URL(robot.got[2]!.path, robot.url).searchParams.has('sign')).toBe(false);
    await expect(async () => handlers['alerts/channel-update']!({ name: 'dd', draft: { name: 'other', type: 'dingtalk' } })).rejects.toMatchObject({ code: 'invalid_input' });

    await handlers['alerts/channel-remove']!({ name: 'dd' });
    expect(await h.ctx.secrets.list()).toEqual([]);
    expect((await handlers['alerts/channels']!()).map((c) => c.name)).toEqual(['desktop']);
  });

  it('adds an Alertmanager with basic auth from the screen: the password in the secret store only, a real Alertmanager behind --web.config.file takes its test, and the password stays with the URLs it was entered for', async () => {
    const user = 'overlook';
    const password = 'am-test-password';
    // bcrypt of the password (htpasswd -nbBC 10 overlook am-test-password), as Alertmanager's web config takes it.
    const hash = '$2y$10$E2kb8Rg7C5xZC5KimKSzfOLJMYogWY0lgiyE6qGut5MD5orgK5CTS';
    const am = await startAlertmanager('route:\n  receiver: none\nreceivers:\n  - name: none\n', {
      basicAuth: { users: { [user]: hash }, readyAuth: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
    });
    cleanups.push(() => am.remove());
    const h = harness({ realSecrets: true });
    await h.feature.start!();
    const handlers = h.feature.handlers!;
    const draft = { name: 'team-am', type: 'alertmanager' as const, urls: [am.url], resendMs: 30_000, auth: 'basic' as 'basic' | 'none', username: user };
    const noAuth = { name: 'team-am', type: 'alertmanager' as const, urls: [am.url], resendMs: 30_000, auth: 'none' as const };

    // Basic auth without a password is refused; with it, added.
    await expect(async () => handlers['alerts/channel-add']!(draft)).rejects.toMatchObject({ code: 'invalid_input', message: /basic auth password/ });
    const added = await handlers['alerts/channel-add']!({ ...draft, authSecret: password });
    expect(added).toMatchObject({
      name: 'team-am',
      type: 'alertmanager',
      origin: 'user',
      url: { host: new URL(am.url).host },
      alertmanager: { urls: [am.url], resendMs: 30_000, auth: { kind: 'basic', username: user, set: true, origin: 'store' } },
    });
    expect(JSON.stringify(await handlers['alerts/channels']!())).not.toContain(password);
    expect(fs.readFileSync(path.join(h.ctx.dataDir, 'channels.json'), 'utf8')).not.toContain(password);
    expect(await h.ctx.secrets.get('channel:team-am:auth')).toBe(password);

    // The real Alertmanager takes the saved channel's test; a draft without auth gets its 401.
    expect(await handlers['alerts/channel-test']!({ name: 'team-am' })).toMatchObject({ ok: true });
    expect(await handlers['alerts/channel-test']!({ draft: noAuth, editing: 'team-am' })).toMatchObject({ ok: false, problem: { kind: 'http', status: 401 } });

    // An edit that keeps the URLs keeps the password; one that points elsewhere must enter it again (the test does not send it there either).
    const elsewhere = { ...draft, urls: [am.url, 'http://127.0.0.1:9'] };
    await expect(async () => handlers['alerts/channel-update']!({ name: 'team-am', draft: elsewhere })).rejects.toMatchObject({ code: 'invalid_input', message: /http:\/\/127\.0\.0\.1:9 is not where the stored basic auth password was entered for.*enter it again/ });
    expect(await handlers['alerts/channel-test']!({ draft: elsewhere, editing: 'team-am' })).toMatchObject({ ok: false, problem: { kind: 'notSet', what: 'auth' } });
    const kept = await handlers['alerts/channel-update']!({ name: 'team-am', draft: { ...draft, resendMs: 60_000 } });
    expect(kept).toMatchObject({ alertmanager: { resendMs: 60_000, auth: { kind: 'basic', set: true } } });
    expect(await handlers['alerts/channel-test']!({ name: 'team-am' })).toMatchObject({ ok: true });

    // No auth: the password leaves the store; removed: nothing left.
    await handlers['alerts/channel-update']!({ name: 'team-am', draft: noAuth });
    expect(await h.ctx.secrets.list()).toEqual([]);
    expect(await handlers['alerts/channel-test']!({ name: 'team-am' })).toMatchObject({ ok: false, problem: { kind: 'http', status: 401 } });
    await handlers['alerts/channel-remove']!({ name: 'team-am' });
    expect((await handlers['alerts/channels']!()).map((c) => c.name)).toEqual(['desktop']);
  }, 60_000);

  it('writes notifications in the UI language once the UI says which', async () => {
    const h = harness();
    await h.feature.start!();
    await h.feature.handlers!['alerts/channel-test']!({ name: 'desktop' });
    h.feature.onSettings!({ ...h.ctx.settings(), language: 'zh-CN' });
    await h.feature.handlers!['alerts/channel-test']!({ name: 'desktop' });
    const notices = h.events.filter((e) => e.event === 'alerts/notification').map((e) => (e.payload as { title: string; body: string }));
    expect(notices).toEqual([
      expect.objectContaining({ title: '[TEST] Overlook test notification', body: 'A test message from Overlook: this channel works.' }),
      expect.objectContaining({ title: '【测试】Overlook 测试通知', body: '这是一条来自 Overlook 的测试消息：此通知渠道工作正常。' }),
    ]);
    // A host going offline now pops up in Chinese too.
    h.feature.onHostStatus!({ id: 'w', name: 'web-1', kind: 'ssh', status: 'offline', pollIntervalMs: 5000, tags: [], provisioned: false }, 'online');
    h.setNow(T0 + 61_000);
    await until(async () => (await h.feature.handlers!['alerts/list']!()).some((a) => a.status === 'firing'));
    h.setNow(T0 + 72_000);
    await until(() => h.events.filter((e) => e.event === 'alerts/notification').length === 3);
    expect(h.events.filter((e) => e.event === 'alerts/notification')[2]!.payload).toMatchObject({ title: '【告警:1】主机离线', body: '主机 web-1 状态：离线' });
  });

  it('lists provisioned channels read-only, with the variable they read and not its value', async () => {
    const h = harness({ realSecrets: true, env: { HOOK_URL: 'https://hooks.example.com/services/T1/B2/xyzSECRETxyz' } });
    h.feature.onProvisioning!(
      provisioning(`version: 1
channels:
  - name: filed
    type: slack
    url_env: HOOK_URL
  - name: unset
    type: webhook
    url_env: NOT_SET_ANYWHERE
`),
    );
    await h.feature.start!();
    const handlers = h.feature.handlers!;
    const list = await handlers['alerts/channels']!();
    expect(list.slice(1)).toMatchObject([
      { name: 'filed', origin: 'provisioned', url: { set: true, origin: 'env', reference: 'HOOK_URL', host: 'hooks.example.com' } },
      { name: 'unset', origin: 'provisioned', url: { set: false, origin: 'env', reference: 'NOT_SET_ANYWHERE', host: null } },
    ]);
    expect(JSON.stringify(list)).not.toContain('SECRET');
    await expect(async () => handlers['alerts/channel-remove']!({ name: 'filed' })).rejects.toMatchObject({ code: 'provisioned' });
    await expect(async () => handlers['alerts/channel-update']!({ name: 'filed', draft: { name: 'filed', type: 'slack' } })).rejects.toMatchObject({ code: 'provisioned' });
    await expect(async () => handlers['alerts/channel-add']!({ name: 'filed', type: 'slack', url: 'https://x.example.com/' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(async () => handlers['alerts/channel-remove']!({ name: 'desktop' })).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
