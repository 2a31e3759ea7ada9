// The anomaly detector over the real store (append, housekeeping rollups)
// with a fixed clock and seeded synthetic series: buckets are UTC, a seasonal
// series stays under a stated false-positive rate at each sensitivity, a
// sustained step is flagged within the scoring window, a flat series never
// divides by zero, too little history says "learning", and "what happened
// here?" ranks the one perturbed series first among thousands.
import { afterEach, describe, expect, it } from 'vitest';
import type { AnomalySensitivity } from '../../common/anomalies.js';
import { DAY, HOUR, MINUTE, WEEK, feed, gaussian, seeded, sineAt, type FeedSeries } from '../../testing/anomalySeries.js';
import { openInProcessMetricStore } from '../store/sqliteStore.js';
import type { MetricStore } from '../store/types.js';
import { Z_THRESHOLD, absoluteFloor, bucketOf, learnBaseline, normalRange, unitOf } from './baseline.js';
import { createDetector } from './detector.js';
import { counterIncrease } from '../derive/counters.js';

/** Sunday 2026-03-01 00:00 UTC: 4 weeks on is the night Europe moves its clocks forward (2026-03-29 01:00 UTC). */
const T0 = Date.UTC(2026, 2, 1);

const stores: MetricStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

function setup(sensitivity: AnomalySensitivity = 'medium') {
  const clock = { now: T0 };
  const store = openInProcessMetricStore({ file: ':memory:', now: () => clock.now, retention: { rawHours: 48, minuteDays: 30, hourDays: 365 } });
  stores.push(store);
  const settings = { sensitivity };
  const detector = createDetector({ store, now: () => clock.now, sensitivity: () => settings.sensitivity, families: () => ['host', 'container', 'cloud', 'check'] });
  return { clock, store, detector, settings };
}

describe('baseline buckets', () => {
  it('puts an instant in its UTC hour whatever the local time zone, across a DST change', () => {
    const saved = process.env.TZ;
    try {
      // 2026-03-29 00:30 and 01:30 UTC straddle the change in Berlin (02:00 CET → 03:00 CEST): local hours 1 and 3.
      const before = Date.UTC(2026, 2, 29, 0, 30);
      const after = Date.UTC(2026, 2, 29, 1, 30);
      for (const tz of ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Shanghai']) {
        process.env.TZ = tz;
        expect([bucketOf(before, 'hour_of_day'), bucketOf(after, 'hour_of_day')]).toEqual([0, 1]);
        // Sunday (0) × 24 + hour.
        expect([bucketOf(before, 'hour_of_week'), bucketOf(after, 'hour_of_week')]).toEqual([0, 1]);
        expect(bucketOf(Date.UTC(2026, 2, 4, 13, 59), 'hour_of_week')).toBe(3 * 24 + 13);
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});

describe('anomaly detector over the real store', () => {
  it('learns hour of week from 4 weeks of a daily + weekly sine, stays under the stated false-positive rate, and flags a sustained step within the window', async () => {
    const { clock, store, detector } = setup();
    const noise = gaussian(seeded(7));
    const shape = { base: 50, daily: 20, weekly: 8, noise: 2 };
    const seasonal: FeedSeries = { name: 'host:cpu_usage:percent', labels: { host: 'web-1' }, valueAt: (t) => sineAt(shape, t) + shape.noise * noise() };
    let stepFrom = Infinity;
    const stepped: FeedSeries = { name: 'host:cpu_usage:percent', labels: { host: 'web-2' }, valueAt: (t) => sineAt(shape, t) + shape.noise * noise() + (t >= stepFrom ? 40 : 0) };
    await feed(store, clock, [seasonal, stepped], T0, T0 + 4 * WEEK, MINUTE);
    await detector.refreshAll();
    const learned = [...detector.learned().values()];
    expect(learned.map((s) => s.baseline.kind)).toEqual(['hour_of_week', 'hour_of_week']);

    // One more day, scored every 5 minutes: the share of windows past each threshold.
    const zs: number[] = [];
    for (let t = T0 + 4 * WEEK; t < T0 + 4 * WEEK + DAY; t += 5 * MINUTE) {
      await feed(store, clock, [seasonal, stepped], t, t + 5 * MINUTE, MINUTE);
      await detector.score();
      zs.push(detector.learned().get(`host:cpu_usage:percent{host="web-1"}`)?.z ?? NaN);
    }
    expect(zs.every(Number.isFinite)).toBe(true);
    const rate = (s: AnomalySensitivity) => zs.filter((z) => Math.abs(z) >= Z_THRESHOLD[s]).length / zs.length;
    // Stated in baseline.ts: about 0 at low, under 0.1 % at medium, about 1 % at high.
    expect(rate('low')).toBe(0);
    expect(rate('medium')).toBeLessThanOrEqual(0.001);
    expect(rate('high')).toBeLessThanOrEqual(0.02);
    expect(detector.rates('host').find((r) => r.entity.id === 'web-1')?.rate).toBe(0);

    // web-2 steps up by 40 (well past 4.5 spreads of this baseline) and stays there: flagged by the first cycle whose window is mostly after the step.
    const start = T0 + 4 * WEEK + DAY;
    stepFrom = start;
    await feed(store, clock, [seasonal, stepped], start, start + 5 * MINUTE, MINUTE);
    await detector.score();
    const web2 = detector.unusual({ kind: 'host', id: 'web-2' }, 10);
    expect(web2.series).toHaveLength(1);
    expect(web2.series[0]).toMatchObject({ anomalous: true, direction: 'up', baseline: { kind: 'hour_of_week', hour: 0, weekday: 1 } });
    expect(web2.series[0]!.z).toBeGreaterThan(Z_THRESHOLD.medium);
    expect(web2.series[0]!.value).toBeGreaterThan(web2.series[0]!.baseline.high);
    expect(detector.rates('host').find((r) => r.entity.id === 'web-2')).toMatchObject({ rate: 1, flagged: 1, scored: 1 });
    // The band of the last 2 hours marks the stretch after the step, and nothing before it.
    const [band] = await detector.band({ selectors: [{ name: 'host:cpu_usage:percent', matchers: [{ label: 'host', op: '=', value: 'web-2' }] }], from: start - 2 * HOUR, to: start + 5 * MINUTE, maxPoints: 200 });
    expect(band!.kind).toBe('hour_of_week');
    expect(band!.band.length).toBeGreaterThan(100);
    for (const [, centre, low, high] of band!.band) expect(low < centre && centre < high).toBe(true);
    expect(band!.flagged).toEqual([[start, start + 5 * MINUTE]]);
  }, 120_000);

  it('a flat series never divides by zero and a tiny wiggle is not flagged; too little history says learning', async () => {
    const { clock, store, detector } = setup('high');
    const wiggle = seeded(3);
    const flat: FeedSeries = { name: 'host:disk_used:bytes', labels: { host: 'db' }, valueAt: () => 500e9 };
    const zero: FeedSeries = { name: 'host:errors:rate', labels: { host: 'db' }, valueAt: () => 0 };
    await feed(store, clock, [flat, zero], T0, T0 + 4 * DAY, 5 * MINUTE);
    await detector.refreshAll();
    for (const s of detector.learned().values()) expect(s.baseline.kind).toBe('hour_of_day');
    const young: FeedSeries = { name: 'host:cpu_usage:percent', labels: { host: 'new' }, valueAt: () => 10 };
    await feed(store, clock, [{ ...flat, valueAt: () => 500e9 + 1e6 * wiggle() }, { ...zero, valueAt: () => 0.001 * wiggle() }, young], T0 + 4 * DAY, T0 + 6 * DAY, 5 * MINUTE);
    await detector.refreshAll();
    await detector.score();
    const db = detector.unusual({ kind: 'host', id: 'db' }, 10);
    expect(db.series).toHaveLength(2);
    for (const s of db.series) {
      expect(Number.isFinite(s.z)).toBe(true);
      expect(s.baseline.spread).toBeGreaterThan(0);
      expect(s.anomalous).toBe(false);
    }
    // A new host with 2 days of history: learning, no verdict.
    expect(detector.learned().get('host:cpu_usage:percent{host="new"}')?.baseline.kind).toBe('learning');
    expect(detector.unusual({ kind: 'host', id: 'new' }, 10)).toMatchObject({ series: [], scored: 1, learning: 1 });
    // The flat zero series with a real jump is flagged: the floor is small enough to see it.
    await feed(store, clock, [{ ...zero, valueAt: () => 5 }], T0 + 6 * DAY, T0 + 6 * DAY + 5 * MINUTE, 5 * MINUTE);
    await detector.score();
    expect(detector.unusual({ kind: 'host', id: 'db' }, 10).series.find((s) => s.name === 'host:errors:rate')?.anomalous).toBe(true);
  }, 60_000);

  it('counter resets do not look anomalous: the store keeps rates, and derive skips the interval of a reset', async () => {
    const { clock, store, detector } = setup('high');
    const noise = gaussian(seeded(9));
    // An agent-like byte counter read once a minute, growing at a daily-seasonal rate; every 3 hours of the scored day it resets to 0 (a reboot).
    let counter = 0;
    let prevRead: number | undefined;
    let lastReset = 0;
    const rateAt = (t: number) => Math.max(0, sineAt({ base: 5e6, daily: 3e6, weekly: 0, noise: 0 }, t) + 2e5 * noise());
    const resetsFrom = T0 + 4 * DAY;
    const series: FeedSeries = {
      name: 'host:net_rx:bytes_per_second',
      labels: { host: 'web' },
      valueAt: (t) => {
        counter += rateAt(t) * 60;
        if (t >= resetsFrom && t - lastReset >= 3 * HOUR) {
          counter = rateAt(t) * 20;
          lastReset = t;
        }
        const inc = prevRead === undefined ? undefined : counterIncrease(prevRead, counter);
        prevRead = counter;
        return inc === undefined ? NaN : inc / 60;
      },
    };
    await feed(store, clock, [series], T0, resetsFrom, MINUTE);
    await detector.refreshAll();
    const flagged: number[] = [];
    for (let t = resetsFrom; t < resetsFrom + DAY; t += 5 * MINUTE) {
      await feed(store, clock, [series], t, t + 5 * MINUTE, MINUTE);
      await detector.score();
      const s = detector.learned().get('host:net_rx:bytes_per_second{host="web"}')!;
      if (s.z !== undefined && Math.abs(s.z) >= Z_THRESHOLD.high) flagged.push(t);
    }
    expect(lastReset).toBeGreaterThan(resetsFrom);
    expect(flagged).toEqual([]);
  }, 60_000);

  it("floors and normal ranges follow the unit, for the console's own names too; a share or a byte count never reads below 0 (pure)", () => {
    expect([unitOf('host:memory_used:bytes'), unitOf('host:cpu_usage:ratio'), unitOf('node_load1'), unitOf('container_fs_reads_bytes_total'), unitOf('host:net_rx:bytes_per_second')]).toEqual(['bytes', 'ratio', 'load', 'bytes', 'bytes_per_second']);
    expect(absoluteFloor('host:memory_used:bytes')).toBe(4096);
    expect(absoluteFloor('host:cpu_usage:percent')).toBe(1);
    expect(normalRange('host:cpu_mode:ratio', 0.25, 0.125, 4)).toEqual([0, 0.75]);
    expect(normalRange('node_hwmon_temp_celsius', 1, 1, 3)).toEqual([-2, 4]);
  });

  it('learning needs 3 days; hour of week needs 3 weeks (pure)', () => {
    const rows = (days: number) => Array.from({ length: days * 24 }, (_, i) => [T0 + i * HOUR, 1, 1, 1] as const);
    expect(learnBaseline('x', rows(2), T0).kind).toBe('learning');
    expect(learnBaseline('x', rows(3), T0).kind).toBe('hour_of_day');
    expect(learnBaseline('x', rows(20), T0).kind).toBe('hour_of_day');
    expect(learnBaseline('x', rows(21), T0).kind).toBe('hour_of_week');
  });

  it('"what happened here?" ranks the one perturbed series first among 2,000 unperturbed ones', async () => {
    const { clock, store, detector } = setup();
    const rand = seeded(11);
    const noise = gaussian(rand);
    const series: FeedSeries[] = [];
    const perturbedFrom = T0 + 3 * DAY + 6 * HOUR;
    for (let i = 0; i < 2_001; i++) {
      const shape = { base: 20 + 60 * rand(), daily: 10 * rand(), weekly: 0, noise: 1 + 2 * rand() };
      const perturbed = i === 1234;
      series.push({
        name: i % 2 ? 'host:load1:ratio' : 'host:net_rx_packets:rate',
        labels: { host: `h${i}` },
        valueAt: (t) => sineAt(shape, t) + shape.noise * noise() + (perturbed && t >= perturbedFrom ? 6 * shape.noise : 0),
      });
    }
    // Learned as the hours before the picked one sealed (the refresh sweeps each hour), then the picked hour arrives.
    await feed(store, clock, series, T0, perturbedFrom, 15 * MINUTE);
    await detector.refreshAll();
    await feed(store, clock, series, perturbedFrom, perturbedFrom + HOUR, 15 * MINUTE);
    const result = await detector.explain({ kind: 'fleet' }, perturbedFrom, perturbedFrom + HOUR, 5);
    expect(result.evaluated).toBe(2_001);
    expect(result.rows[0]).toMatchObject({ labels: { host: 'h1234' }, direction: 'up' });
    expect(result.rows[0]!.score).toBeGreaterThan(1.2 * result.rows[1]!.score);
    expect(result.rows[0]!.before).toBeLessThan(result.rows[0]!.value);
    // A host scope looks at that host's series only.
    const host = await detector.explain({ kind: 'host', hostId: 'h1234' }, perturbedFrom, perturbedFrom + HOUR, 5);
    expect(host.rows.map((r) => r.labels.host)).toEqual(['h1234']);
  }, 240_000);
});
