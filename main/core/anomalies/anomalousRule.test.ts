// The `anomalous` alert rule end to end: the real store and rollups, the real
// detector learning and scoring, the real alert engine and desktop channel,
// a fixed clock. Fires with the evidence in the notification (English and
// Chinese), waits out `for`, resolves when the value returns, and a silence
// mutes it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE, feed, gaussian, seeded, sineAt, type FeedSeries } from '../../testing/anomalySeries.js';
import { createChannel } from '../alerts/channels/createChannel.js';
import type { DesktopNotice } from '../alerts/channels/robots.js';
import { AlertEngine } from '../alerts/engine.js';
import { AlertJournal } from '../alerts/journal.js';
import { parseProvisionedRule } from '../alerts/rule.js';
import { openInProcessMetricStore } from '../store/sqliteStore.js';
import { createDetector } from './detector.js';

const T0 = Date.UTC(2026, 2, 1);
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-anomrule-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const clock = { now: T0 };
  const store = openInProcessMetricStore({ file: ':memory:', now: () => clock.now });
  cleanups.push(() => store.close());
  const detector = createDetector({ store, now: () => clock.now, sensitivity: () => 'medium', families: () => ['host'] });
  const popups: DesktopNotice[] = [];
  const engine = new AlertEngine({
    journal: new AlertJournal({ file: path.join(dir, 'alerts.sqlite') }),
    reader: { read: async () => [] },
    anomalies: (selector, sensitivity) => detector.verdicts(selector, sensitivity),
    now: () => clock.now,
    channels: [createChannel({ name: 'desktop', type: 'desktop' }, { notify: (n) => void popups.push(n) })],
    plan: { groupWindowMs: 0, repeatIntervalMs: 0 },
    delivery: { maxAttempts: 1, baseDelayMs: 5, maxDelayMs: 10 },
  });
  const noise = gaussian(seeded(5));
  const shape = { base: 40, daily: 15, weekly: 0, noise: 1.5 };
  const bump = { web1: 0, web2: 0 };
  const cpu = (host: 'web1' | 'web2'): FeedSeries => ({ name: 'host:cpu_usage:percent', labels: { host }, valueAt: (t) => sineAt(shape, t) + shape.noise * noise() + bump[host] });
  const series = [cpu('web1'), cpu('web2')];
  await feed(store, clock, series, T0, T0 + 5 * DAY, 5 * MINUTE);
  await detector.refreshAll();
  /** Five more minutes of data, a scoring cycle, an evaluation. */
  const cycle = async () => {
    await feed(store, clock, series, clock.now, clock.now + 5 * MINUTE, MINUTE);
    await detector.score();
    await engine.evaluate();
  };
  return { clock, engine, popups, bump, cycle };
}

const deliveries = async () => new Promise((r) => setTimeout(r, 50));

describe('the anomalous alert rule', () => {
  it('fires after `for` with the evidence in English and Chinese, resolves when the value returns, and respects a silence', async () => {
    const { engine, popups, bump, cycle, clock } = await setup();
    const parsed = parseProvisionedRule({ name: 'CPU unusual', type: 'anomalous', selector: 'host:cpu_usage:percent', scope: 'series', direction: 'up', sensitivity: 'medium', for: '10m' });
    expect(parsed.ok).toBe(true);
    const rule = engine.createRule(parsed.ok ? parsed.value : {});
    await cycle();
    expect(engine.listAlerts()).toEqual([]);

    bump.web1 = 40;
    await cycle();
    // Unusual, but not yet for 10 minutes: pending, nothing sent.
    expect(engine.listAlerts().map((a) => [a.labels.host, a.status])).toEqual([['web1', 'pending']]);
    await cycle();
    await cycle();
    await deliveries();
    expect(engine.listAlerts().map((a) => [a.labels.host, a.status])).toEqual([['web1', 'firing']]);
    expect(popups).toHaveLength(1);
    const body = popups[0]!.body;
    // Value, normal range, z, the UTC bucket and the history learned from.
    expect(body).toMatch(/host:cpu_usage:percent\{host="web1"\} is [\d.]+, normally [\d.-]+ to [\d.]+ \(daily at \d\d:00 UTC\), z = \d+\.\d, learned from 5 days of history/);

    // The same alert read in Chinese.
    engine.setLanguage('zh-CN');
    expect(engine.listAlerts()[0]!.summary).toMatch(/host:cpu_usage:percent\{host="web1"\} 当前为 [\d.]+，通常在 [\d.-]+ 到 [\d.]+ 之间（UTC 每天 \d\d:00），z = \d+\.\d，基于 5 天的历史学得/);
    engine.setLanguage('en');

    // Back to normal: resolved (keepFiringFor is 0).
    bump.web1 = 0;
    await cycle();
    await deliveries();
    expect(engine.listAlerts()).toEqual([]);
    expect(popups.map((p) => p.status)).toEqual(['firing', 'resolved']);

    // A silence on web2, then web2 goes unusual: the alert fires but nothing is sent.
    engine.silence({ ruleId: rule.id, matchers: [{ label: 'host', op: '=', value: 'web2' }], startsAt: clock.now, endsAt: clock.now + DAY });
    bump.web2 = 40;
    for (let i = 0; i < 4; i++) await cycle();
    await deliveries();
    expect(engine.listAlerts().map((a) => [a.labels.host, a.status, a.muted])).toEqual([['web2', 'firing', true]]);
    expect(popups).toHaveLength(2);
  }, 60_000);

  it('entity scope fires when the share of a host\'s unusual series reaches minRate', async () => {
    const { engine, bump, cycle } = await setup();
    engine.createRule({ name: 'Host unusual', type: 'anomalous', scope: 'entity', minRate: 0.5, for: 0 });
    // Only rises count for this one: web2 falls, so it stays quiet.
    engine.createRule({ name: 'Host busier than usual', type: 'anomalous', scope: 'entity', direction: 'up', minRate: 0.5, for: 0 });
    await cycle();
    expect(engine.listAlerts()).toEqual([]);
    bump.web2 = -30;
    await cycle();
    const alerts = engine.listAlerts();
    expect(alerts.map((a) => [a.ruleName, a.labels, a.status, a.value])).toEqual([['Host unusual', { host: 'web2' }, 'firing', 1]]);
    expect(alerts[0]!.summary).toMatch(/^Host unusual: 1 of 1 series unusual \(100%\); most: host:cpu_usage:percent\{host="web2"\} is /);
  }, 60_000);
});
