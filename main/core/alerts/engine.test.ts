import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { matchesSelector, type Labels, type SeriesSelector } from '../../common/series.js';
import { createChannel } from './channels/createChannel.js';
import type { DesktopNotice } from './channels/robots.js';
import { AlertEngine, AlertRuleError, type AlertEngineEvent, type SeriesWindowReader } from './engine.js';
import { AlertJournal } from './journal.js';
import { parseProvisionedRule } from './rule.js';

const S = 1000;
const M = 60 * S;

/** An in-memory series store the tests write points into. */
class MemoryReader implements SeriesWindowReader {
  /** Each read first spins this long on the calling thread (a store answering in-process). */
  busyMs = 0;
  /** Then answers this much later, leaving the event loop free meanwhile (a store on its own thread). */
  delayMs = 0;
  readonly series = new Map<string, { name: string; labels: Labels; points: [number, number][] }>();
  put(name: string, labels: Labels, t: number, v: number) {
    const key = JSON.stringify([name, labels]);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { name, labels, points: [] }));
    s.points.push([t, v]);
  }
  async read(selector: SeriesSelector, from: number, to: number) {
    const spinUntil = performance.now() + this.busyMs;
    while (performance.now() < spinUntil);
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    const out = [];
    for (const s of this.series.values()) {
      if (!matchesSelector(s.name, s.labels, selector)) continue;
      out.push({ labels: s.labels, points: s.points.filter(([t]) => t > from && t <= to) });
    }
    return out;
  }
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ovl-alerts-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function makeEngine(reader: MemoryReader, clock: { now: number }, popups: DesktopNotice[], events: AlertEngineEvent[] = []) {
  const journal = new AlertJournal({ file: path.join(dir, 'alerts.sqlite') });
  return new AlertEngine({
    journal,
    reader,
    now: () => clock.now,
    channels: [createChannel({ name: 'desktop', type: 'desktop' }, { notify: (n) => void popups.push(n) })],
    plan: { groupWindowMs: 0, repeatIntervalMs: 0 },
    delivery: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 },
    onEvent: (e) => events.push(e),
  });
}

const cpuRule = { name: 'CPU busy', selector: 'host:cpu_usage:ratio{host=~"web-.*"}', aggregate: 'avg', window: M, op: '>', threshold: 0.8, for: 30 * S, severity: 'critical', summary: 'CPU on {{host}} is {{value}}' };

describe('AlertEngine', () => {
  it('fires after `for`, notifies the desktop once, and survives a restart without notifying again', async () => {
    const reader = new MemoryReader();
    const clock = { now: 1_700_000_000_000 };
    const popups: DesktopNotice[] = [];
    let engine = makeEngine(reader, clock, popups);
    const rule = engine.createRule(cpuRule);
    for (let i = 0; i < 5; i++) {
      clock.now += 10 * S;
      reader.put('host:cpu_usage:ratio', { host: 'web-1' }, clock.now, 0.95);
      reader.put('host:cpu_usage:ratio', { host: 'db-1' }, clock.now, 0.99); // not matched by the selector
      await engine.evaluate();
    }
    await engine.flush();
    expect(popups).toEqual([{ title: '[FIRING:1] CPU busy', body: 'CPU on web-1 is 95%', severity: 'critical', status: 'firing' }]);
    expect(engine.listAlerts().map((a) => [a.ruleName, a.status, a.labels.host, a.muted])).toEqual([['CPU busy', 'firing', 'web-1', false]]);
    expect(engine.deliveries()).toMatchObject([{ channel: 'desktop', status: 'sent', attempts: 1 }]);
    await engine.close();

    // Restart: same file, still firing → no second notification.
    engine = makeEngine(reader, clock, popups);
    expect(engine.listAlerts().map((a) => a.status)).toEqual(['firing']);
    clock.now += 10 * S;
    reader.put('host:cpu_usage:ratio', { host: 'web-1' }, clock.now, 0.97);
    reader.put('host:cpu_usage:ratio', { host: 'db-1' }, clock.now, 0.99);
    await engine.evaluate();
    await engine.flush();
    expect(popups).toHaveLength(1);

    // Recovery → resolved notification, and the history has the whole episode.
    for (let i = 0; i < 7; i++) {
      clock.now += 10 * S;
      reader.put('host:cpu_usage:ratio', { host: 'web-1' }, clock.now, 0.1);
      reader.put('host:cpu_usage:ratio', { host: 'db-1' }, clock.now, 0.99); // still reporting: no "No data" alert
      await engine.evaluate();
    }
    await engine.flush();
    expect(popups.map((p) => p.title)).toEqual(['[FIRING:1] CPU busy', '[RESOLVED] CPU busy']);
    const history = engine.history({ ruleId: rule.id });
    expect(history.map((h) => `${h.from}>${h.to}`)).toEqual(['firing>resolved', 'pending>firing', 'normal>pending']);
    expect(history[1]).toMatchObject({ ruleName: 'CPU busy', durationMs: 30 * S, labels: { host: 'web-1' } });
    expect(engine.history({ host: 'db-1' })).toEqual([]);
    await engine.close();
  });

  it('resumes a pending alert after a restart without restarting its clock', async () => {
    const reader = new MemoryReader();
    const clock = { now: 1_700_000_000_000 };
    const popups: DesktopNotice[] = [];
    let engine = makeEngine(reader, clock, popups);
    engine.createRule({ ...cpuRule, for: 40 * S });
    for (let i = 0; i < 3; i++) {
      clock.now += 10 * S;
      reader.put('host:cpu_usage:ratio', { host: 'web-1' }, clock.now, 0.95);
      await engine.evaluate();
    }
    await engine.close();
    engine = makeEngine(reader, clock, popups);
    expect(engine.listAlerts()[0]!.status).toBe('pending');
    for (let i = 0; i < 2; i++) {
      clock.now += 10 * S;
      reader.put('host:cpu_usage:ratio', { host: 'web-1' }, clock.now, 0.95);
      await engine.evaluate();
    }
    expect(engine.listAlerts()[0]!.status).toBe('firing');
    await engine.close();
  });

  it('host offline: fires after the grace period from status events; a silence from the alert mutes, unsilence notifies', async () => {
    const reader = new MemoryReader();
    const clock = { now: 1_700_000_000_000 };
    const popups: DesktopNotice[] = [];
    const engine = makeEngine(reader, clock, popups);
    engine.onHostStatus('web-1', 'online', clock.now);
    engine.onHostStatus('web-2', 'online', clock.now);
    clock.now += 10 * S;
    engine.onHostStatus('web-1', 'offline', clock.now);
    engine.onHostStatus('web-2', 'offline', clock.now);
    clock.now += 30 * S;
    await engine.evaluate();
    expect(engine.listAlerts().map((a) => a.status)).toEqual(['pending', 'pending']);
    const pendingId = engine.listAlerts().find((a) => a.labels.host === 'web-2')!.alertId;
    const silence = engine.silenceAlert(pendingId, 'host', 10 * M, 'maintenance');
    clock.now += 30 * S;
    await engine.evaluate();
    await engine.flush();
    const alerts = engine.listAlerts();
    expect(alerts.map((a) => [a.labels.host, a.status, a.muted, a.summary])).toEqual([
      ['web-1', 'firing', false, 'Host web-1 is offline'],
      ['web-2', 'firing', true, 'Host web-2 is offline'],
    ]);
    expect(popups.map((p) => p.body)).toEqual(['Host web-1 is offline']);
    expect(engine.unsilence(silence.id)).toBe(true);
    await engine.flush();
    expect(popups.map((p) => p.body)).toEqual(['Host web-1 is offline', 'Host web-2 is offline']);
    await engine.close();
  });

  it('a restart fires no "No data" for hosts that report again, and sends nothing', async () => {
    const reader = new MemoryReader();
    const clock = { now: 1_700_000_000_000 };
    const popups: DesktopNotice[] = [];
    // The grouping window as it ships (10 s): a no-data alert fired at start and resolved within it used to send "[RESOLVED]".
    const withDefaults = () =>
      new AlertEngine({
        journal: new AlertJournal({ file: path.join(dir, 'alerts.sqlite') }),
        reader,
        now: () => clock.now,
        channels: [createChannel({ name: 'desktop', type: 'desktop' }, { notify: (n) => void popups.push(n) })],
      });
    const hosts = ['web-1', 'web-2'];
    const report = () => hosts.forEach((h) => reader.put('host:cpu_usage:ratio', { host: h }, clock.now, 0.3));
    let engine = withDefaults();
    hosts.forEach((h) => engine.onHostStatus(h, 'online', clock.now));
    for (let i = 0; i < 6; i++) {
      clock.now += 10 * S;
      report();
      await engine.evaluate();
    }
    await engine.close();

    // Closed for ten minutes; the hosts connect again a few seconds after the start.
    clock.now += 10 * M;
    engine = withDefaults();
    hosts.forEach((h) => engine.onHostStatus(h, 'connecting', clock.now));
    for (let i = 0; i < 12; i++) {
      clock.now += 5 * S;
      if (i === 1) hosts.forEach((h) => engine.onHostStatus(h, 'online', clock.now));
      if (i >= 2) report();
      await engine.evaluate();
    }
    await engine.flush();
    expect(engine.listAlerts()).toEqual([]);
    expect(popups).toEqual([]);
    expect(engine.history({}).filter((t) => t.ruleId === 'builtin:no-data')).toEqual([]);
    await engine.close();
  });

  it('a cut-off host fires "Host offline" only, not "No data" as well', async () => {
    const reader = new MemoryReader();
    const clock = { now: 1_700_000_000_000 };
    const popups: DesktopNotice[] = [];
    const engine = new AlertEngine({
      journal: new AlertJournal({ file: path.join(dir, 'alerts.sqlite') }),
      reader,
      now: () => clock.now,
      channels: [createChannel({ name: 'desktop', type: 'desktop' }, { notify: (n) => void popups.push(n) })],
    });
    engine.onHostStatus('web-1', 'online', clock.now);
    for (let i = 0; i < 6; i++) {
      clock.now += 10 * S;
      reader.put('host:cpu_usage:ratio', { host: 'web-1' }, clock.now, 0.3);
      await engine.evaluate();
    }
    // The link goes: no more samples; the registry calls the host stale after two intervals, offline later.
    const cutAt = clock.now;
    for (let i = 0; i < 24; i++) {
      clock.now += 10 * S;
      if (clock.now - cutAt === 20 * S) engine.onHostStatus('web-1', 'stale', clock.now);
      if (clock.now - cutAt === 50 * S) engine.onHostStatus('web-1', 'offline', clock.now);
      await engine.evaluate();
    }
    await engine.flush();
    expect(engine.listAlerts().map((a) => `${a.ruleName}:${a.status}`)).toEqual(['Host offline:firing']);
    expect(popups.map((p) => p.title)).toEqual(['[FIRING:1] Host offline']);

    // Back: online again, samples flow, the offline alert resolves and no-data never shows.
    engine.onHostStatus('web-1', 'online', clock.now);
    for (let i = 0; i < 6; i++) {
      clock.now += 10 * S;
      reader.put('host:cpu_usage:ratio', { host: 'web-1' }, clock.now, 0.3);
      await engine.evaluate();
    }
    await engine.flush();
    expect(engine.listAlerts()).toEqual([]);
    expect(popups.map((p) => p.title)).toEqual(['[FIRING:1] Host offline', '[RESOLVED] Host offline']);
    expect(engine.history({}).filter((t) => t.ruleId === 'builtin:no-data')).toEqual([]);
    await engine.close();
  });

  it('records a failing webhook delivery, visible and without the token', async () => {
    const token = 'tok-SECRET-987654321';
    const server = http.createServer((_req, res) => (res.writeHead(500), res.end('boom')));
    await new Promise<void>((r) => server.listen(19450, '127.0.0.1', () => r()));
    try {
      const reader = new MemoryReader();
      const clock = { now: 1_700_000_000_000 };
      const events: AlertEngineEvent[] = [];
      const engine = makeEngine(reader, clock, [], events);
      engine.setChannels([createChannel({ name: 'ops', type: 'webhook', url: { value: `http://127.0.0.1:19450/hook?token=${token}` } })]);
      engine.createRule({ ...cpuRule, for: 0, channels: ['ops', 'nowhere'] });
      clock.now += 10 * S;
      reader.put('host:cpu_usage:ratio', { host: 'web-1' }, clock.now, 0.95);
      await engine.evaluate();
      await engine.flush();
      const failed = engine.deliveries({ status: 'failed' });
      expect(failed.map((d) => [d.channel, d.attempts, d.lastError])).toEqual([
        ['nowhere', 0, 'no channel named "nowhere" is configured'],
        ['ops', 2, 'POST http://127.0.0.1:19450/hook?…: HTTP 500 boom'],
      ]);
      expect(JSON.stringify(events)).not.toContain('SECRET');
      expect(events.some((e) => e.type === 'delivery' && e.delivery.status === 'failed')).toBe(true);
      await engine.close();
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('previews a draft rule: how many series would fire now', async () => {
    const reader = new MemoryReader();
    const clock = { now: 1_700_000_000_000 };
    const engine = makeEngine(reader, clock, []);
    for (const [host, v] of [['web-1', 0.9], ['web-2', 0.95], ['web-3', 0.2], ['web-4', 0.85]] as const) reader.put('host:cpu_usage:ratio', { host }, clock.now - S, v);
    reader.put('host:cpu_usage:ratio', { host: 'web-5' }, clock.now - 10 * M, 0.99); // outside the window
    const p = await engine.preview(cpuRule);
    expect(p).toMatchObject({ wouldFire: 3, total: 5, noData: 1 });
    expect(p.series.map((s) => [s.labels.host, s.met, s.valueText])).toEqual([
      ['web-2', true, '95%'],
      ['web-1', true, '90%'],
      ['web-4', true, '85%'],
      ['web-3', false, '20%'],
      ['web-5', null, 'no data'],
    ]);
    await expect(engine.preview({ ...cpuRule, op: '=>' })).rejects.toThrow(AlertRuleError);
    await engine.close();
  });

  it('guards built-in and provisioned rules, and resolves alerts of a deleted rule', async () => {
    const reader = new MemoryReader();
    const clock = { now: 1_700_000_000_000 };
    const popups: DesktopNotice[] = [];
    const engine = makeEngine(reader, clock, popups);
    expect(engine.listRules().map((r) => r.rule.id).sort()).toEqual(['builtin:cert-expiry', 'builtin:check-down', 'builtin:disk-full', 'builtin:host-offline', 'builtin:no-data', 'builtin:unusual']);
    expect(() => engine.deleteRule('builtin:disk-full')).toThrow(/cannot be deleted; disable it instead/);
    const parsed = parseProvisionedRule({ name: 'Load', selector: 'node_load1', window: '1m', op: '>', threshold: 1, keep_firing_for: '5m', for: '0s' });
    expect(parsed.ok).toBe(true);
    engine.setProvisionedRules([parsed.ok ? parsed.value : (undefined as never)]);
    expect(engine.getRule('provisioned:Load')).toMatchObject({ keepFiringFor: 5 * M, origin: 'provisioned' });
    expect(() => engine.updateRule('provisioned:Load', { ...cpuRule })).toThrow(/provisioning file/);
    expect(parseProvisionedRule({ name: 'Bad', selector: 'x', window: 60, op: '>', threshold: 1 })).toEqual({ ok: false, error: 'alert "Bad": window must be a duration with a unit, like 30s, 5m or 1h', field: 'window' });

    const rule = engine.createRule({ ...cpuRule, for: 0 });
    clock.now += 10 * S;
    reader.put('host:cpu_usage:ratio', { host: 'web-1' }, clock.now, 0.95);
    await engine.evaluate();
    engine.deleteRule(rule.id);
    await engine.flush();
    expect(popups.map((p) => p.title)).toEqual(['[FIRING:1] CPU busy', '[RESOLVED] CPU busy']);
    expect(engine.history({ ruleId: rule.id })[0]).toMatchObject({ from: 'firing', to: 'resolved', reason: 'rule_deleted' });
    expect(engine.listAlerts()).toEqual([]);
    await engine.close();
  });

  it('keeps evaluating the other rules when the reader throws for one', async () => {
    const reader = new MemoryReader();
    const clock = { now: 1_700_000_000_000 };
    const engine = makeEngine(reader, clock, []);
    const broken = engine.createRule({ ...cpuRule, name: 'Broken', selector: 'broken_metric' });
    engine.createRule({ ...cpuRule, for: 0 });
    const original = reader.read.bind(reader);
    reader.read = async (sel, from, to) => {
      if (sel.name === 'broken_metric') throw new Error('store is closed');
      return original(sel, from, to);
    };
    clock.now += 10 * S;
    reader.put('host:cpu_usage:ratio', { host: 'web-1' }, clock.now, 0.95);
    await engine.evaluate();
    expect(engine.listAlerts().map((a) => a.status)).toEqual(['firing']);
    expect(engine.listRules().find((r) => r.rule.id === broken.id)!.health.lastError).toBe('store is closed');
    await engine.close();
  });

  it('counts what holds the event loop: reads answered on another thread do not, reads computed in-process do', async () => {
    const reader = new MemoryReader();
    const clock = { now: 1_700_000_000_000 };
    const engine = makeEngine(reader, clock, []);
    for (const r of engine.listRules()) engine.setRuleEnabled(r.rule.id, false);
    reader.put('host:cpu_usage:ratio', { host: 'web-1' }, clock.now - S, 0.5);
    for (let i = 0; i < 3; i++) engine.createRule({ ...cpuRule, name: `r${i}` });
    // Answered 200 ms later each, with the loop free: 600 ms of waiting, no hold to speak of.
    reader.delayMs = 200;
    const waiting = (await engine.evaluateInSlices(clock.now, 8))!;
    expect(waiting.durationMs).toBeGreaterThanOrEqual(590);
    expect(waiting.readWaitMs).toBeGreaterThanOrEqual(590);
    expect(waiting.longestSliceMs).toBeLessThan(100);
    // Computed on this thread for 30 ms each: every read holds the loop, and each is a slice of its own.
    reader.delayMs = 0;
    reader.busyMs = 30;
    const busy = (await engine.evaluateInSlices(clock.now, 8))!;
    expect(busy.longestSliceMs).toBeGreaterThanOrEqual(30);
    expect(busy.readWaitMs).toBeLessThan(busy.durationMs - 90);
    const whole = await engine.evaluate(clock.now);
    expect(whole.longestSliceMs).toBeGreaterThanOrEqual(90);
    await engine.close();
  });

  it('evaluateInSlices gives the event loop back between slices and reaches the same states', async () => {
    const reader = new MemoryReader();
    const clock = { now: 1_700_000_000_000 };
    const engine = makeEngine(reader, clock, []);
    for (let h = 0; h < 200; h++) reader.put('host:cpu_usage:ratio', { host: `web-${h}` }, clock.now - S, h % 10 === 0 ? 0.95 : 0.1);
    for (let i = 0; i < 40; i++) engine.createRule({ ...cpuRule, name: `r${i}`, for: 0 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const report = await engine.evaluateInSlices(clock.now, 0);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
    expect(report).toMatchObject({ rules: 43, transitions: 40 * 20 }); // 40 + the 3 built-ins
    expect(engine.listAlerts().filter((a) => a.status === 'firing')).toHaveLength(40 * 20);
    await engine.close();
  });
});
