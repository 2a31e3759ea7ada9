import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Labels, Sample } from '../../common/series.js';
import { openSqliteStore, type MetricStoreOptions, type SqliteMetricStore } from './sqliteStore.js';
import { SCHEMA_VERSION } from './schema.js';
import { aggregateChunkParts, aggregateColumnCodings, chunkCoding, decodeAggregates, decodeSamples } from './chunkCodec.js';
import { precisionOf, roundToPrecision } from './precision.js';
import { decodeBatch } from './headLog.js';
import { CHUNK_WINDOW_MS, DAY_MS, HOUR_MS, MINUTE_BLOCK_MS, MINUTE_MS, SECOND_MS } from './tiers.js';

// A fixed clock far from today, so nothing depends on when the tests run.
const T0 = Date.UTC(2025, 2, 10, 0, 0, 0);

let dir: string;
const open: SqliteMetricStore[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'overlook-store-'));
});

afterEach(() => {
  for (const store of open.splice(0)) store.close();
  rmSync(dir, { recursive: true, force: true });
});

function storeAt(file: string, clock: { now: number }, extra: Partial<MetricStoreOptions> = {}): SqliteMetricStore {
  const store = openSqliteStore({ file, now: () => clock.now, housekeeping: { maxMillis: 10_000 }, ...extra });
  open.push(store);
  return store;
}

/** Bit patterns, so -0 and NaN payloads count. */
function bitsOf(values: readonly number[]): string[] {
  const view = new DataView(new ArrayBuffer(8));
  return values.map((v) => {
    view.setFloat64(0, v);
    return view.getBigUint64(0).toString(16);
  });
}

/** Housekeeping until it reports no work left. */
function settle(store: SqliteMetricStore, now: number): { minuteBuckets: number; hourBuckets: number; deletedRows: number } {
  const total = { minuteBuckets: 0, hourBuckets: 0, deletedRows: 0 };
  for (let i = 0; i < 10_000; i++) {
    const report = store.housekeeping(now);
    total.minuteBuckets += report.minuteBuckets;
    total.hourBuckets += report.hourBuckets;
    total.deletedRows += report.deletedRows;
    if (!report.pending && report.seriesWorked === 0) return total;
  }
  throw new Error('housekeeping never settled');
}

/** Every minute row in the sealed minute chunks and the merged blocks, as [series_id, bucket start, count]. */
function minuteRows(file: string): Array<[number, number, number]> {
  const db = new Database(file, { readonly: true });
  try {
    const chunks = db
      .prepare('SELECT series_id, data FROM (SELECT series_id, t, data FROM rollup_1m_block UNION ALL SELECT series_id, t, data FROM rollup_1m_chunk) ORDER BY series_id, t')
      .raw(true)
      .all() as Array<[number, Uint8Array]>;
    return chunks.flatMap(([id, data]) => decodeAggregates(data).map((r): [number, number, number] => [id, r[0], r[4]]));
  } finally {
    db.close();
  }
}

function countSealed(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT coalesce(sum(n), 0) FROM raw_chunk').pluck().get() as number);
  } finally {
    db.close();
  }
}

/** Start of every hour row in the hour chunks, ascending. */
function hourRows(file: string): number[] {
  const db = new Database(file, { readonly: true });
  try {
    const chunks = db.prepare('SELECT data FROM rollup_1h_chunk ORDER BY series_id, t').pluck().all() as Uint8Array[];
    return chunks.flatMap((data) => decodeAggregates(data).map((r) => r[0]));
  } finally {
    db.close();
  }
}

/** Samples held in the head log now. */
function loggedSamples(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare('SELECT data FROM head_log').pluck().all() as Uint8Array[];
    return rows.reduce((n, data) => n + decodeBatch(data, () => {}), 0);
  } finally {
    db.close();
  }
}

/** The aggregate layout of each merged minute block (those spanning more than one chunk window). */
function minuteChunkLayouts(file: string): Array<'legacy' | 1 | 2 | 3> {
  const db = new Database(file, { readonly: true });
  try {
    const chunks = db.prepare('SELECT data FROM rollup_1m_block').pluck().all() as Uint8Array[];
    return chunks.filter((c) => {
      const rows = decodeAggregates(c);
      return rows.length > 0 && rows.at(-1)![0] - rows[0]![0] >= 10 * MINUTE_MS;
    }).map((c) => aggregateChunkParts(c).layout);
  } finally {
    db.close();
  }
}

function countRows(file: string, table: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  } finally {
    db.close();
  }
}

const cpu = (host: string, extra: Labels = {}): Labels => ({ host, ...extra });

function series(name: string, labels: Labels, from: number, to: number, every: number, value: (t: number) => number): Sample[] {
  const out: Sample[] = [];
  for (let t = from; t < to; t += every) out.push({ name, labels, t, v: value(t) });
  return out;
}

describe('MetricStore on SQLite', () => {
  it('stores a batch and returns it from a range query', () => {
    const clock = { now: T0 + 10 * MINUTE_MS };
    const store = storeAt(join(dir, 'h.db'), clock);
    const samples = series('host:cpu_usage_ratio', cpu('local'), T0, T0 + 10 * MINUTE_MS, 5 * SECOND_MS, (t) => (t - T0) / 1e6);
    store.append(samples);
    const [range, ...rest] = store.query({ selector: { name: 'host:cpu_usage_ratio' }, from: T0, to: T0 + 10 * MINUTE_MS, maxPoints: 1000 });
    expect(rest).toEqual([]);
    expect(range!.tier).toBe('raw');
    expect(range!.stepMs).toBe(SECOND_MS);
    expect(range!.labels).toEqual({ host: 'local' });
    expect(range!.points).toEqual(samples.map((s) => [s.t, s.v, s.v, s.v]));
    expect(store.series({ name: 'host:cpu_usage_ratio' })).toEqual([
      { id: expect.any(Number), name: 'host:cpu_usage_ratio', labels: { host: 'local' }, lastT: samples.at(-1)!.t },
    ]);
    expect(store.stats().series).toBe(1);
    expect(store.stats().sizeBytes).toBeGreaterThan(0);
  });

  it('picks the tier and step by range: 15 min and 1 h raw, 24 h and 7 d minutes, 30 d hours', () => {
    const clock = { now: T0 + 31 * DAY_MS };
    const store = storeAt(join(dir, 'h.db'), clock);
    store.append([{ name: 'm', labels: {}, t: T0 + 31 * DAY_MS - SECOND_MS, v: 1 }]);
    const to = clock.now;
    const pick = (span: number) => {
      const [r] = store.query({ selector: { name: 'm' }, from: to - span, to, maxPoints: 1000 });
      return [r!.tier, r!.stepMs];
    };
    expect(pick(15 * MINUTE_MS)).toEqual(['raw', SECOND_MS]);
    expect(pick(HOUR_MS)).toEqual(['raw', 5 * SECOND_MS]);
    expect(pick(DAY_MS)).toEqual(['1m', 2 * MINUTE_MS]);
    expect(pick(7 * DAY_MS)).toEqual(['1m', 15 * MINUTE_MS]);
    expect(pick(30 * DAY_MS)).toEqual(['1h', HOUR_MS]);
  });

  it('rolls up into minutes and hours exactly as a brute-force computation over the same (stored) data', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        // An exact series, a ratio (kept to 1e-4) and a rate (kept to 12 bits): rollups are of what is stored.
        fc.constantFrom('x', 'x:ratio', 'x:rate'),
        fc.array(
          fc.record({
            gapSeconds: fc.integer({ min: 1, max: 400 }),
            value: fc.oneof(fc.double({ min: -1e9, max: 1e9, noNaN: true }), fc.integer({ min: -5, max: 5 })),
          }),
          { minLength: 1, maxLength: 300 },
        ),
        // Times 30: runs of days in a few dozen samples, so minute chunks are merged into blocks.
        fc.constantFrom(1, 30),
        (run, name, steps, gapScale) => {
          const file = join(dir, `prop-${run}-${steps.length}.db`);
          rmSync(file, { force: true });
          const clock = { now: T0 };
          const store = openSqliteStore({ file, now: () => clock.now, retention: { rawHours: 1, minuteDays: 30, hourDays: 365 } });
          try {
            const samples: Sample[] = [];
            let t = T0 + 17;
            for (const { gapSeconds, value } of steps) {
              t += gapSeconds * gapScale * SECOND_MS;
              samples.push({ name, labels: { host: 'h' }, t, v: value });
            }
            clock.now = t;
            // Ingest in a few batches, with housekeeping in between as the core would.
            for (let i = 0; i < samples.length; i += 37) {
              store.append(samples.slice(i, i + 37));
              store.housekeeping(samples[Math.min(i + 36, samples.length - 1)]!.t);
            }
            // Far enough ahead that every bucket is final and raw retention (1 h) has removed all raw rows:
            // what the queries return now comes from the rollups alone.
            const later = t + 3 * HOUR_MS;
            clock.now = later;
            settle(store, later);
            expect(countRows(file, 'raw_chunk')).toBe(0);
            expect(countRows(file, 'head_log')).toBe(0);
            // Where the first sample's block ends before the last sample (a block is at most one chunk window
            // off the hour grid), the hour tier has absorbed that block and it is read back merged below.
            if (samples[0]!.t + MINUTE_BLOCK_MS + CHUNK_WINDOW_MS <= t) expect(countRows(file, 'rollup_1m_block')).toBeGreaterThan(0);
            // A merged block holding rows of several windows is in aggregate layout 3.
            for (const layout of minuteChunkLayouts(file)) expect(layout).toBe(3);
            expect(store.stats().headSamples).toBe(0);

            for (const step of [MINUTE_MS, HOUR_MS]) {
              const from = T0;
              const to = t + 1;
              const maxPoints = Math.floor((to - from) / step);
              const [range] = store.query({ selector: { name }, from, to, maxPoints: Math.max(1, maxPoints) });
              const expected = new Map<number, number[]>();
              for (const s of samples) {
                const b = Math.floor(s.t / range!.stepMs) * range!.stepMs;
                expected.set(b, [...(expected.get(b) ?? []), roundToPrecision(s.v, precisionOf(name))]);
              }
              expect(range!.points.map((p) => p[0])).toEqual([...expected.keys()].sort((a, b) => a - b));
              for (const [b, avg, min, max] of range!.points) {
                const values = expected.get(b)!;
                // `+ 0` folds -0 into 0: SQLite stores a REAL -0.0 as 0.
                expect(min + 0).toBe(Math.min(...values) + 0);
                expect(max + 0).toBe(Math.max(...values) + 0);
                const mean = values.reduce((a, c) => a + c, 0) / values.length;
                expect(Math.abs(avg - mean)).toBeLessThanOrEqual(1e-9 * Math.max(1, ...values.map(Math.abs)));
              }
            }
          } finally {
            store.close();
            rmSync(file, { force: true });
            rmSync(`${file}-wal`, { force: true });
            rmSync(`${file}-shm`, { force: true });
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('deletes old data per tier by its retention, only after the next tier has it', () => {
    const file = join(dir, 'h.db');
    const clock = { now: T0 };
    const store = storeAt(file, clock, { retention: { rawHours: 2, minuteDays: 1, hourDays: 3 } });
    // Four days of one sample a minute.
    for (let day = 0; day < 4; day++) {
      clock.now = T0 + (day + 1) * DAY_MS;
      store.append(series('m', {}, T0 + day * DAY_MS, T0 + (day + 1) * DAY_MS, MINUTE_MS, (t) => t % 7));
    }
    const end = T0 + 4 * DAY_MS;
    settle(store, end);
    const db = new Database(file, { readonly: true });
    const span = (table: string) => db.prepare(`SELECT min(t) AS oldest, max(t) AS newest, count(*) AS n FROM ${table}`).get() as {
      oldest: number;
      newest: number;
      n: number;
    };
    const raw = span('raw_chunk');
    const minutes = span('(SELECT t FROM rollup_1m_chunk UNION ALL SELECT t FROM rollup_1m_block)');
    const hourStarts = hourRows(file);
    const hours = { oldest: Math.min(...hourStarts), n: hourStarts.length };
    const oldestSample = decodeSamples(db.prepare('SELECT data FROM raw_chunk ORDER BY t LIMIT 1').pluck().get() as Uint8Array).t[0]!;
    db.close();
    // Each tier keeps its window (give or take the deletion slack and a chunk window of 10 min,
    // for minutes a merged block of 6 h) and nothing older.
    expect(raw.oldest).toBeGreaterThanOrEqual(end - 2 * HOUR_MS - 20 * MINUTE_MS);
    expect(oldestSample).toBeLessThanOrEqual(end - 2 * HOUR_MS + MINUTE_MS);
    // The newest sample sits in the open head, not yet in a chunk, and is served from there.
    expect(raw.newest).toBeLessThan(end - MINUTE_MS);
    expect(store.series({ name: 'm' })[0]!.lastT).toBe(end - MINUTE_MS);
    expect(minutes.oldest).toBeGreaterThanOrEqual(end - DAY_MS - MINUTE_BLOCK_MS - HOUR_MS);
    expect(minutes.oldest).toBeLessThanOrEqual(end - DAY_MS + MINUTE_MS);
    expect(hours.oldest).toBeGreaterThanOrEqual(end - 3 * DAY_MS - DAY_MS);
    expect(hours.oldest).toBeLessThanOrEqual(end - 3 * DAY_MS + HOUR_MS);
    expect(hours.n).toBeGreaterThanOrEqual(3 * 24 - 1);

    // A 15-minute chart of data raw no longer holds is served by the minute rollups,
    // also after reopening (the cut marks are stored).
    const oldRange = { selector: { name: 'm' }, from: end - 3 * HOUR_MS, to: end - 3 * HOUR_MS + 15 * MINUTE_MS, maxPoints: 1000 };
    const [old] = store.query(oldRange);
    expect(old!.tier).toBe('raw');
    expect(old!.points).toHaveLength(16); // [from, to] is closed: the minute starting at `to` is in
    expect(old!.points[0]).toEqual([end - 3 * HOUR_MS, (end - 3 * HOUR_MS) % 7, (end - 3 * HOUR_MS) % 7, (end - 3 * HOUR_MS) % 7]);
    store.close();
    const reopened = storeAt(file, clock, { retention: { rawHours: 2, minuteDays: 1, hourDays: 3 } });
    expect(reopened.query(oldRange)).toEqual([old]);
    // Three days back only the hour tier is left: one point per hour at the 15-minute step.
    const [older] = reopened.query({ ...oldRange, from: end - 3 * DAY_MS + 2 * HOUR_MS, to: end - 3 * DAY_MS + 4 * HOUR_MS - 1 });
    expect(older!.points.map((p) => p[0])).toEqual([end - 3 * DAY_MS + 2 * HOUR_MS, end - 3 * DAY_MS + 3 * HOUR_MS]);
    expect(older!.points[0]![3]).toBe(6);

    // Shrinking retention later deletes more on the next housekeeping passes.
    reopened.setRetention({ rawHours: 1, minuteDays: 1, hourDays: 1 });
    const report = settle(reopened, end);
    expect(report.deletedRows).toBeGreaterThan(0);
    expect(hourRows(file).length).toBeLessThanOrEqual(25);
    expect(() => reopened.setRetention({ rawHours: 0, minuteDays: 1, hourDays: 1 })).toThrow(/invalid retention: rawHours/);
  });

  it('keeps a late series\' minutes past their retention until its hour tier has them: the last hour is whole', () => {
    // A series that may arrive up to two days late (a backfill, a slow
    // cloud) is older than the one-day minute retention when it lands. Its
    // newest window stays open for that lateness, so the hour it ends in is
    // not rolled up yet; the minutes of that hour must outlive their
    // retention until it is.
    const file = join(dir, 'h.db');
    const retention = { rawHours: 2, minuteDays: 1, hourDays: 3 };
    const start = T0 + DAY_MS;
    const end = start + 6 * HOUR_MS + 35 * MINUTE_MS;
    const clock = { now: T0 + 3 * DAY_MS };
    const store = storeAt(file, clock, { retention });
    // One sample a minute, valued by its minute in the hour: a whole hour is min 0, max 59, avg 29.5.
    store.append(series('late', {}, start, end, MINUTE_MS, (t) => (t / MINUTE_MS) % 60), { maxDelayMs: 2 * DAY_MS });
    settle(store, clock.now);
    // Two days on, the newest window has sealed and its hour is rolled up.
    clock.now = end + 2 * DAY_MS + HOUR_MS;
    settle(store, clock.now);
    const [hours] = store.query({ selector: { name: 'late' }, from: start, to: start + 7 * HOUR_MS - 1, maxPoints: 7 });
    expect(hours!.tier).toBe('1h');
    expect(hours!.points.map((p) => (p[0] - start) / HOUR_MS)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(hours!.points.slice(0, 6).every(([, avg, min, max]) => avg === 29.5 && min === 0 && max === 59)).toBe(true);
    // The last hour has its 35 minutes, 0 to 34, not only those of its newest window.
    expect(hours!.points[6]).toEqual([start + 6 * HOUR_MS, 17, 0, 34]);
  });

  it('rolls up incrementally and never redoes a finished bucket', () => {
    const file = join(dir, 'h.db');
    const clock = { now: T0 + 10 * MINUTE_MS };
    const store = storeAt(file, clock);
    store.append(series('m', { host: 'a' }, T0, T0 + 10 * MINUTE_MS, 10 * SECOND_MS, () => 1));
    settle(store, T0 + 10 * MINUTE_MS);
    expect(settle(store, T0 + 10 * MINUTE_MS)).toEqual({ minuteBuckets: 0, hourBuckets: 0, deletedRows: 0 });
    // The grace period after the last window ends seals it: every minute once.
    settle(store, T0 + 15 * MINUTE_MS);
    const starts = () => minuteRows(file).map((r) => (r[1] - T0) / MINUTE_MS);
    expect(starts()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(minuteRows(file).every((r) => r[2] === 6)).toBe(true);
    clock.now = T0 + 70 * MINUTE_MS;
    store.append(series('m', { host: 'a' }, T0 + 15 * MINUTE_MS, T0 + 70 * MINUTE_MS, 10 * SECOND_MS, () => 2));
    const next = settle(store, T0 + 75 * MINUTE_MS);
    expect(next.hourBuckets).toBe(1);
    expect(starts()).toEqual([...Array(10).keys(), ...Array.from({ length: 55 }, (_, i) => 15 + i)]);
    expect(settle(store, T0 + 75 * MINUTE_MS)).toEqual({ minuteBuckets: 0, hourBuckets: 0, deletedRows: 0 });
    expect(hourRows(file)).toEqual([T0]);
  });

  it('does its work in bounded steps across calls', () => {
    const clock = { now: T0 + HOUR_MS };
    const store = storeAt(join(dir, 'h.db'), clock, { housekeeping: { maxSeries: 3, maxMillis: 10_000 } });
    for (let i = 0; i < 10; i++) store.append(series('m', { i: String(i) }, T0, T0 + HOUR_MS, MINUTE_MS, () => i));
    // Two hours on, every series seals its last window and rolls up the hour.
    const first = store.housekeeping(T0 + 2 * HOUR_MS);
    expect(first.seriesWorked).toBe(3);
    expect(first.pending).toBe(true);
    expect(first.sealedChunks).toBe(3);
    expect(first.hourBuckets).toBe(3);
    let calls = 1;
    for (;;) {
      calls++;
      if (!store.housekeeping(T0 + 2 * HOUR_MS).pending) break;
    }
    // 3 + 3 + 3 + 1 series.
    expect(calls).toBe(4);
    const [one] = store.query({ selector: { name: 'm', matchers: [{ label: 'i', op: '=', value: '9' }] }, from: T0, to: T0 + HOUR_MS, maxPoints: 60 });
    expect(one!.tier).toBe('1m');
    expect(one!.points).toHaveLength(60);
    expect(one!.points.every((p) => p[1] === 9)).toBe(true);
  });

  it('replays the head log on open: appended samples survive a close without housekeeping', () => {
    const file = join(dir, 'h.db');
    const clock = { now: T0 + 25 * MINUTE_MS };
    const first = storeAt(file, clock);
    const samples = series('m', { host: 'a' }, T0, T0 + 25 * MINUTE_MS, 5 * SECOND_MS, (t) => Math.sin(t / 1e5) * 1e3);
    for (let i = 0; i < samples.length; i += 50) first.append(samples.slice(i, i + 50));
    const range = { selector: { name: 'm' }, from: T0, to: T0 + 25 * MINUTE_MS, maxPoints: 2000 };
    const before = first.query(range);
    expect(before[0]!.points).toHaveLength(samples.length);
    // Finished windows were sealed as the batches crossed them; the rest is in the head and its log.
    expect(countRows(file, 'raw_chunk')).toBeGreaterThan(0);
    expect(first.stats().headSamples).toBeGreaterThan(0);
    expect(countRows(file, 'head_log')).toBeGreaterThan(0);
    first.close();
    const second = storeAt(file, clock);
    expect(second.query(range)).toEqual(before);
    expect(second.stats().headSamples).toBe(samples.length - countSealed(file));
    second.append([{ name: 'm', labels: { host: 'a' }, t: samples.at(-1)!.t, v: 0 }]);
    expect(second.stats().dropped.outOfOrder).toBe(1);
  });

  it('keeps ratios to 1e-4 and rates to 12 significant bits, everything else bit for bit, through head, chunks and reopen', () => {
    const file = join(dir, 'h.db');
    const clock = { now: T0 + HOUR_MS };
    const store = storeAt(file, clock);
    const n = 400;
    const t = Array.from({ length: n }, (_, i) => T0 + i * 5 * SECOND_MS + (i % 4));
    const inputs = {
      'host:cpu_usage:ratio': t.map((_, i) => Math.abs(Math.sin(i / 9)) * 0.987654321),
      'node_network_receive_bytes:rate': t.map((_, i) => (i * 1_234_567.891) / 5.0031 + 0.25),
      // Exact: bytes, and values the decimal coding cannot hold, in a gauge with no bounds (parse/sanityBounds.ts).
      'host:memory_used:bytes': t.map((_, i) => 2 ** 33 + ((i * 7) % 13) * 4096),
      node_entropy_available_bits: t.map((_, i) => [0.47, -0, 5e-324, 1 / 3, 2 ** 60][i % 5]!),
    };
    for (let i = 0; i < n; i += 50) {
      store.append(Object.entries(inputs).flatMap(([name, values]) => values.slice(i, i + 50).map((v, j) => ({ name, labels: { host: 'a' }, t: t[i + j]!, v }))));
    }
    const expected = (name: keyof typeof inputs) => inputs[name].map((v) => roundToPrecision(v, precisionOf(name)));
    const stored = (s: SqliteMetricStore, name: string) =>
      s.query({ selector: { name }, from: T0, to: T0 + HOUR_MS, maxPoints: HOUR_MS })[0]!.points.map((p) => p[1]);
    const check = (s: SqliteMetricStore) => {
      for (const name of Object.keys(inputs) as Array<keyof typeof inputs>) expect(bitsOf(stored(s, name))).toEqual(bitsOf(expected(name)));
    };
    check(store); // partly sealed chunks, partly the open head
    // What the rounding promises, in numbers.
    stored(store, 'host:cpu_usage:ratio').forEach((v, i) => expect(Math.abs(v - inputs['host:cpu_usage:ratio'][i]!)).toBeLessThanOrEqual(0.5e-4));
    stored(store, 'node_network_receive_bytes:rate').forEach((v, i) => {
      const x = inputs['node_network_receive_bytes:rate'][i]!;
      expect(Math.abs(v - x)).toBeLessThanOrEqual(x / 4096);
    });
    settle(store, T0 + 2 * HOUR_MS);
    check(store); // all sealed
    store.close();
    open.length = 0;
    check(storeAt(file, clock));
    // Each chunk took the coding that suits it.
    const db = new Database(file, { readonly: true });
    const codings = db
      .prepare('SELECT s.name, c.data FROM raw_chunk c JOIN series s ON s.id = c.series_id')
      .raw(true)
      .all() as Array<[string, Uint8Array]>;
    db.close();
    const codingOf = (name: string) => new Set(codings.filter((c) => c[0] === name).map((c) => chunkCoding(c[1])));
    expect(codingOf('host:cpu_usage:ratio')).toEqual(new Set(['decimal']));
    expect(codingOf('node_entropy_available_bits')).toEqual(new Set(['xor']));
    // Its minute rollups too: min and max as decimals, or (layout 3) integers at 1e-4 relative to the min; the
    // floating-point sums of values kept to 1e-4 as such integers and their few ulps off the decimal.
    const check2 = new Database(file, { readonly: true });
    const minuteChunks = check2
      .prepare("SELECT c.data FROM rollup_1m_chunk c JOIN series s ON s.id = c.series_id WHERE s.name = 'host:cpu_usage:ratio'")
      .pluck()
      .all() as Uint8Array[];
    check2.close();
    const minuteCodings = minuteChunks.flatMap((c) => aggregateColumnCodings(c).slice(0, 3));
    expect(minuteCodings.filter((c) => c !== 'decimal' && c !== 'integer')).toEqual([]);
  });

  it('drops and counts out-of-order, duplicate, late and non-finite samples', () => {
    const clock = { now: T0 + HOUR_MS };
    const store = storeAt(join(dir, 'h.db'), clock);
    const l = { host: 'a' };
    store.append([
      { name: 'm', labels: l, t: T0 + 10_000, v: 1 },
      { name: 'm', labels: l, t: T0 + 10_000, v: 2 }, // duplicate in the batch
      { name: 'm', labels: l, t: T0 + 5_000, v: 3 }, // out of order in the batch
      { name: 'm', labels: l, t: T0 + 20_000, v: 4 },
      { name: 'm', labels: l, t: T0 + 30_000, v: Number.NaN },
      { name: 'm', labels: l, t: T0 + 31_000, v: Number.POSITIVE_INFINITY },
      { name: 'm', labels: l, t: T0 + 32_000, v: Number.NEGATIVE_INFINITY },
      { name: 'other', labels: l, t: Number.NaN, v: 1 },
      { name: 'other', labels: { host: 7 as unknown as string }, t: T0, v: 1 },
      { name: 'm', labels: l, t: T0 + 2 * HOUR_MS, v: 1 }, // more than maxFutureMs ahead of the clock
    ]);
    store.append([{ name: 'm', labels: l, t: T0 + 20_000, v: 5 }]); // duplicate across batches
    expect(store.stats().dropped).toEqual({ outOfOrder: 3, late: 0, invalid: 6 });
    expect(store.stats().series).toBe(1);
    const [range] = store.query({ selector: { name: 'm' }, from: T0, to: T0 + MINUTE_MS, maxPoints: 1000 });
    expect(range!.points).toEqual([
      [T0 + 10_000, 1, 1, 1],
      [T0 + 20_000, 4, 4, 4],
    ]);

    // A new series in a minute that is already rolled up for another one is fine;
    // a sample in a rolled-up minute of the same series is late.
    store.append([{ name: 'm', labels: l, t: T0 + 10 * MINUTE_MS, v: 1 }]);
    settle(store, T0 + 20 * MINUTE_MS);
    store.append([{ name: 'm', labels: { host: 'b' }, t: T0 + 11 * MINUTE_MS + 5, v: 1 }]);
    expect(store.stats().dropped.late).toBe(0);
    clock.now = T0 + 20 * MINUTE_MS;
    store.append([{ name: 'm', labels: { host: 'b' }, t: T0 + 30 * MINUTE_MS, v: 1 }]);
    settle(store, T0 + 40 * MINUTE_MS);
    store.append([{ name: 'm', labels: l, t: T0 + 10 * MINUTE_MS + 30_000, v: 9 }]);
    expect(store.stats().dropped.late).toBe(1);
    expect(store.stats().droppedSamples).toBe(3 + 6 + 1);
  });

  it('accepts a backfill hours late for series appended with maxDelayMs, also after a reopen, and still drops it for the rest', () => {
    const file = join(dir, 'h.db');
    const clock = { now: T0 + 5 * MINUTE_MS };
    const store = storeAt(file, clock);
    const cloud = { instance: 'i-1' };
    const host = { host: 'a' };
    // Both series get one sample, then an outage: nothing for three hours while housekeeping runs.
    store.append([{ name: 'cloud_cpu', labels: cloud, t: T0, v: 0.1 }], { maxDelayMs: 6 * HOUR_MS });
    store.append([{ name: 'host_cpu', labels: host, t: T0, v: 0.1 }]);
    for (let m = 10; m <= 180; m += 10) settle(store, T0 + m * MINUTE_MS);
    store.close();
    open.length = 0;

    clock.now = T0 + 3 * HOUR_MS;
    const reopened = storeAt(file, clock);
    settle(reopened, clock.now);
    // The backfill: one sample a minute for the three hours, in order.
    const backfill = (name: string, labels: Labels) => Array.from({ length: 179 }, (_, i) => ({ name, labels, t: T0 + (i + 1) * MINUTE_MS, v: i / 179 }));
    reopened.append(backfill('cloud_cpu', cloud));
    reopened.append(backfill('host_cpu', host));
    // The host series' quiet windows were final after the 2-minute grace: only the last few minutes get in.
    expect(reopened.stats().dropped.late).toBeGreaterThan(170);
    const points = (name: string) => reopened.query({ selector: { name }, from: T0, to: clock.now, maxPoints: 1000 })[0]!.points.length;
    expect(points('cloud_cpu')).toBe(180);
    expect(points('host_cpu')).toBeLessThan(10);
    // Sealed like any other series once its windows are past, so a later backfill beyond the delay is late.
    settle(reopened, T0 + 10 * HOUR_MS);
    const lateBefore = reopened.stats().dropped.late;
    clock.now = T0 + 10 * HOUR_MS;
    reopened.append([{ name: 'cloud_cpu', labels: cloud, t: T0 + 3 * HOUR_MS + MINUTE_MS, v: 1 }]);
    expect(reopened.stats().dropped.late).toBe(lateBefore + 1);
  });

  it('keeps a late series from pinning the head log: it copies the long-open chunk and lets every host row go', () => {
    const file = join(dir, 'h.db');
    const clock = { now: T0 };
    const store = storeAt(file, clock);
    const cloud = { instance: 'i-1' };
    store.append([{ name: 'cloud_cpu', labels: cloud, t: T0, v: 0.25 }], { maxDelayMs: 6 * HOUR_MS });
    // Three hours of 40 host series every 5 s, housekeeping every 10 s, while the cloud series stays quiet.
    let mostLogged = 0;
    for (let i = 1; i <= 3 * 720; i++) {
      clock.now = T0 + i * 5 * SECOND_MS;
      store.append(Array.from({ length: 40 }, (_, h) => ({ name: 'host_cpu', labels: { host: `h${h}` }, t: clock.now, v: (i + h) % 7 })));
      if (i % 2 === 0) store.housekeeping(clock.now);
      if (i % 60 === 0) mostLogged = Math.max(mostLogged, loggedSamples(file));
    }
    // Pinned by the cloud chunk, the log would hold all 86,400 host samples by now. It holds
    // what is still open: at most a window plus the grace period plus the slack (15 min = 180 polls).
    expect(mostLogged).toBeLessThanOrEqual(40 * 180 + 1);
    expect(mostLogged).toBeGreaterThan(40 * 100);
    expect(store.stats().headSamples).toBeLessThan(40 * 150);
    store.close();
    open.length = 0;

    // The cloud sample lives on in its copy: after a reopen it is there, and its backfill still gets in.
    const reopened = storeAt(file, clock);
    const cloudPoints = () => reopened.query({ selector: { name: 'cloud_cpu' }, from: T0, to: clock.now, maxPoints: 1000 })[0]!.points;
    expect(cloudPoints()).toEqual([[T0, 0.25, 0.25, 0.25]]);
    reopened.append(Array.from({ length: 179 }, (_, i) => ({ name: 'cloud_cpu', labels: cloud, t: T0 + (i + 1) * MINUTE_MS, v: i })));
    expect(reopened.stats().dropped.late).toBe(0);
    expect(cloudPoints()).toHaveLength(180);
    const [host] = reopened.query({ selector: { name: 'host_cpu', matchers: [{ label: 'host', op: '=', value: 'h3' }] }, from: T0, to: clock.now + 1, maxPoints: 5000 });
    expect(host!.points).toHaveLength(3 * 720);
  });

  it('refuses a maxDelayMs that is not a finite number >= 0', () => {
    const store = storeAt(join(dir, 'h.db'), { now: T0 });
    expect(() => store.append([{ name: 'm', labels: {}, t: T0, v: 1 }], { maxDelayMs: -1 })).toThrow(/maxDelayMs/);
    expect(() => store.append([{ name: 'm', labels: {}, t: T0, v: 1 }], { maxDelayMs: Number.NaN })).toThrow(/maxDelayMs/);
  });

  it('selects series with =, !=, =~ and !~ label matchers', () => {
    const clock = { now: T0 + MINUTE_MS };
    const store = storeAt(join(dir, 'h.db'), clock);
    const devices = ['eth0', 'eth1', 'lo', 'wlan0'];
    store.append(
      devices.map((device, i) => ({ name: 'node_network_receive_bytes_total', labels: { host: 'a', device }, t: T0, v: i })),
    );
    store.append([{ name: 'node_network_transmit_bytes_total', labels: { host: 'a', device: 'eth0' }, t: T0, v: 1 }]);
    const devicesFor = (matchers: Array<{ label: string; op: '=' | '!=' | '=~' | '!~'; value: string }>) =>
      store
        .query({ selector: { name: 'node_network_receive_bytes_total', matchers }, from: T0, to: T0 + MINUTE_MS, maxPoints: 10 })
        .map((r) => r.labels.device)
        .sort();
    expect(devicesFor([])).toEqual(devices);
    expect(devicesFor([{ label: 'device', op: '=', value: 'lo' }])).toEqual(['lo']);
    expect(devicesFor([{ label: 'device', op: '!=', value: 'lo' }])).toEqual(['eth0', 'eth1', 'wlan0']);
    expect(devicesFor([{ label: 'device', op: '=~', value: 'eth.' }])).toEqual(['eth0', 'eth1']);
    expect(devicesFor([{ label: 'device', op: '!~', value: 'eth.|lo' }])).toEqual(['wlan0']);
    expect(devicesFor([{ label: 'host', op: '=', value: 'b' }])).toEqual([]);
    expect(store.series({ name: 'node_network_transmit_bytes_total' })).toHaveLength(1);
  });

  it('leaves gaps as gaps in every tier', () => {
    const clock = { now: T0 + 3 * HOUR_MS };
    const store = storeAt(join(dir, 'h.db'), clock);
    store.append(series('m', {}, T0, T0 + 5 * MINUTE_MS, 10 * SECOND_MS, () => 1));
    store.append(series('m', {}, T0 + 10 * MINUTE_MS, T0 + 15 * MINUTE_MS, 10 * SECOND_MS, () => 2));
    const minuteStarts = () => {
      const [r] = store.query({ selector: { name: 'm' }, from: T0, to: T0 + 15 * MINUTE_MS - 1, maxPoints: 15 });
      expect(r!.stepMs).toBe(MINUTE_MS);
      return r!.points.map((p) => (p[0] - T0) / MINUTE_MS);
    };
    const expected = [0, 1, 2, 3, 4, 10, 11, 12, 13, 14];
    expect(minuteStarts()).toEqual(expected); // from raw
    settle(store, T0 + 3 * HOUR_MS);
    expect(minuteStarts()).toEqual(expected); // from the minute rollups
  });

  it('shows the current, unrolled minute at the end of a 24-hour chart', () => {
    const clock = { now: T0 + DAY_MS };
    const store = storeAt(join(dir, 'h.db'), clock);
    const samples = series('m', {}, T0, T0 + DAY_MS, 30 * SECOND_MS, () => 1);
    samples.push({ name: 'm', labels: {}, t: T0 + DAY_MS - 5 * SECOND_MS, v: 100 });
    store.append(samples);
    settle(store, T0 + DAY_MS);
    const [range] = store.query({ selector: { name: 'm' }, from: T0, to: T0 + DAY_MS, maxPoints: 1000 });
    expect(range!.tier).toBe('1m');
    const last = range!.points.at(-1)!;
    expect(last[0]).toBe(T0 + DAY_MS - 2 * MINUTE_MS);
    expect(last[3]).toBe(100);
    expect(range!.points).toHaveLength(720);
  });

  it('keeps data, series and schema version when the file is reopened', () => {
    const file = join(dir, 'h.db');
    const clock = { now: T0 + HOUR_MS };
    const first = storeAt(file, clock);
    first.append(series('m', { host: 'a' }, T0, T0 + HOUR_MS, 15 * SECOND_MS, (t) => t % 11));
    settle(first, T0 + HOUR_MS);
    const before = first.query({ selector: { name: 'm' }, from: T0, to: T0 + HOUR_MS, maxPoints: 100 });
    first.close();

    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();

    const second = storeAt(file, clock);
    expect(second.query({ selector: { name: 'm' }, from: T0, to: T0 + HOUR_MS, maxPoints: 100 })).toEqual(before);
    expect(second.stats().series).toBe(1);
    second.append([{ name: 'm', labels: { host: 'a' }, t: T0 + HOUR_MS - 15 * SECOND_MS, v: 0 }]);
    expect(second.stats().dropped.outOfOrder).toBe(1);
    expect(settle(second, T0 + HOUR_MS).minuteBuckets).toBe(0);
  });

  it('opens a file of the schema-6 build (ten-minute minute chunks, layout 1), merges its minutes into blocks and answers exactly as that build did', () => {
    // fixtures/schema6-history.sqlite and the answers that build gave at END were written by
    // fixtures/make-schema6-history.mjs on main before minute blocks: three series at 5 s for three days.
    const fixture = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'schema6-answers.json'), 'utf8')) as {
      END: number;
      answers: Array<{ label: string; name: string; from: number; to: number; maxPoints: number; answer: unknown }>;
    };
    const file = join(dir, 'schema6.sqlite');
    copyFileSync(join(import.meta.dirname, 'fixtures', 'schema6-history.sqlite'), file);
    const before = minuteChunkStats(file, false);
    expect(before.layouts).toEqual(new Set([1]));
    const clock = { now: fixture.END };
    const check = (store: SqliteMetricStore) => {
      for (const a of fixture.answers) expect(store.query({ selector: { name: a.name }, from: a.from, to: a.to, maxPoints: a.maxPoints }), a.label).toEqual(a.answer);
    };
    const store = storeAt(file, clock);
    // Migrated on open (a column of marks), answered from the old chunks before any merge ...
    check(store);
    settle(store, fixture.END);
    // ... and after: the same rows, in six-hour blocks of layout 3 up to the last block the hour
    // tier has absorbed; the newest hours stay in their ten-minute chunks until then.
    check(store);
    const after = minuteChunkStats(file);
    expect(after.rows).toBe(before.rows);
    expect(new Set(minuteChunkLayouts(file))).toEqual(new Set([3]));
    expect(minuteChunkLayouts(file).length).toBeGreaterThanOrEqual(3 * 10);
    expect(after.chunks).toBeLessThan(before.chunks / 5);
    expect(after.bytes).toBeLessThan(before.bytes / 2);
    store.close();
    check(storeAt(file, clock));
  });

  it('opens a file of the schema-7 build (six-hour minute blocks in layout 2) and answers exactly as that build did, its blocks read as they are', () => {
    // fixtures/schema7-history.sqlite and the answers that build gave at END were written by
    // fixtures/make-schema7-history.mjs on main before layout 3: three series at 5 s for three days.
    const fixture = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'schema7-answers.json'), 'utf8')) as {
      END: number;
      answers: Array<{ label: string; name: string; from: number; to: number; maxPoints: number; answer: unknown }>;
    };
    const file = join(dir, 'schema7.sqlite');
    copyFileSync(join(import.meta.dirname, 'fixtures', 'schema7-history.sqlite'), file);
    const before = minuteChunkStats(file);
    expect(new Set(minuteChunkLayouts(file))).toEqual(new Set([2]));
    expect(minuteChunkLayouts(file).length).toBeGreaterThanOrEqual(30);
    const clock = { now: fixture.END };
    const check = (store: SqliteMetricStore) => {
      for (const a of fixture.answers) expect(store.query({ selector: { name: a.name }, from: a.from, to: a.to, maxPoints: a.maxPoints }), a.label).toEqual(a.answer);
    };
    const store = storeAt(file, clock);
    check(store);
    settle(store, fixture.END);
    check(store);
    store.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
    // The layout-2 blocks are read as they are, not rewritten.
    expect(minuteChunkStats(file).rows).toBe(before.rows);
    expect(minuteChunkLayouts(file).filter((l) => l === 2).length).toBe(minuteChunkLayouts(file).length);
    check(storeAt(file, clock));
  });

  it('opens a database written by the build before compact chunks (schema 3) and answers from it exactly', () => {
    // fixtures/schema3-history.sqlite was written by the store as it was on main at schema 3
    // (legacy chunk layout, hour rollups as rows, head log without copies): three hours of
    // three host series every 5 s with housekeeping every 10 s, so it holds sealed chunks,
    // hour rows and a head log, plus one cloud sample appended with maxDelayMs of 6 h.
    // The values follow the formulas below.
    const file = join(dir, 'old.sqlite');
    copyFileSync(join(import.meta.dirname, 'fixtures', 'schema3-history.sqlite'), file);
    const expected = { cpu: [] as number[][], mem: [] as number[][], rx: [] as number[][] };
    for (let i = 0; i < 2160; i++) {
      const t = T0 + i * 5000 + (i % 3);
      expected.cpu.push([t, ((i * 37) % 101) / 101]);
      expected.mem.push([t, 3_000_000_000 + ((i * 13) % 7) * 4096]);
      expected.rx.push([t, (i * 1234.5) / 5.003]);
    }
    const clock = { now: T0 + 3 * HOUR_MS };
    const store = storeAt(file, clock);
    // One-millisecond buckets: each point is one sample, at its own time.
    const raw = (name: string) =>
      store.query({ selector: { name }, from: T0, to: T0 + 3 * HOUR_MS, maxPoints: 3 * HOUR_MS })[0]!.points.map((p) => [p[0], p[1]]);
    expect(raw('host:cpu_usage:ratio')).toEqual(expected.cpu);
    expect(raw('host:memory_used:bytes')).toEqual(expected.mem);
    expect(raw('node_network_receive_bytes:rate')).toEqual(expected.rx);
    expect(raw('cloud_cpu')).toEqual([[T0 + MINUTE_MS, 0.5]]);
    // The old hour rows moved into hour chunks: two hourly points from the hour tier.
    const brute = (values: number[]) => [values.reduce((a, b) => a + b, 0) / values.length, Math.min(...values), Math.max(...values)];
    const hourly = (name: string) => store.query({ selector: { name }, from: T0, to: T0 + 2 * HOUR_MS - 1, maxPoints: 2 })[0]!;
    for (const [name, values] of [['host:memory_used:bytes', expected.mem], ['node_network_receive_bytes:rate', expected.rx]] as const) {
      const range = hourly(name);
      expect(range.tier).toBe('1h');
      expect(range.points).toEqual([0, 1].map((h) => [T0 + h * HOUR_MS, ...brute(values.slice(h * 720, (h + 1) * 720).map((p) => p[1]!))]));
    }
    expect(hourRows(file)).toHaveLength(6);
    // It carries on: new samples, sealing and rollups on top of the old chunks.
    for (let i = 2160; i < 2880; i++) {
      clock.now = T0 + i * 5000;
      store.append([{ name: 'host:memory_used:bytes', labels: { host: 'old' }, t: clock.now, v: 3_000_000_000 }]);
    }
    settle(store, T0 + 5 * HOUR_MS);
    const [third] = store.query({ selector: { name: 'host:memory_used:bytes' }, from: T0 + 2 * HOUR_MS, to: T0 + 4 * HOUR_MS - 1, maxPoints: 2 });
    const old = expected.mem.slice(1440).map((p) => p[1]!);
    expect(third!.points).toEqual([[T0 + 2 * HOUR_MS, ...brute(old)], [T0 + 3 * HOUR_MS, 3_000_000_000, 3_000_000_000, 3_000_000_000]]);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('creates a file in 16-KiB pages with incremental auto_vacuum, so housekeeping gives freed pages back; an old file keeps its own', () => {
    const file = join(dir, 'pages.sqlite');
    const clock = { now: T0 };
    const store = storeAt(file, clock);
    store.append(Array.from({ length: 2000 }, (_, i) => ({ name: 'm', labels: { host: 'a', n: String(i % 50) }, t: T0 + Math.floor(i / 50) * 5000, v: i })));
    store.close();
    const db = new Database(file, { readonly: true });
    expect([db.pragma('page_size', { simple: true }), db.pragma('auto_vacuum', { simple: true })]).toEqual([16_384, 2]);
    db.close();
    // A schema-7 file was made in 4-KiB pages without auto_vacuum: opened, it stays as it is (no rewrite at open).
    const old = join(dir, 'pages-old.sqlite');
    copyFileSync(join(import.meta.dirname, 'fixtures', 'schema7-history.sqlite'), old);
    storeAt(old, { now: T0 }).close();
    const check = new Database(old, { readonly: true });
    expect([check.pragma('page_size', { simple: true }), check.pragma('auto_vacuum', { simple: true })]).toEqual([4096, 0]);
    check.close();
  });

  it('refuses a database from a newer schema with a clear error', () => {
    const file = join(dir, 'h.db');
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openSqliteStore({ file })).toThrow(/schema version \d+, newer than this build/);
  });

  it('returns empty points for a range with no data', () => {
    const clock = { now: T0 + DAY_MS };
    const store = storeAt(join(dir, 'h.db'), clock);
    store.append(series('m', {}, T0 + 20 * HOUR_MS, T0 + 21 * HOUR_MS, MINUTE_MS, () => 1));
    const [range] = store.query({ selector: { name: 'm' }, from: T0, to: T0 + HOUR_MS, maxPoints: 100 });
    expect(range!.points).toEqual([]);
    expect(store.query({ selector: { name: 'missing' }, from: T0, to: T0 + HOUR_MS, maxPoints: 100 })).toEqual([]);
  });

  it('counts the WAL in the size and fails clearly once closed', () => {
    const file = join(dir, 'h.db');
    const clock = { now: T0 + DAY_MS };
    const store = storeAt(file, clock);
    const empty = store.stats().sizeBytes;
    store.append(series('m', {}, T0, T0 + DAY_MS, 10 * SECOND_MS, () => Math.random()));
    expect(store.stats().sizeBytes).toBeGreaterThan(empty + 100_000);
    store.close();
    expect(() => store.append([{ name: 'm', labels: {}, t: T0 + DAY_MS, v: 1 }])).toThrow(/is closed/);
  });

  it('works in memory too', () => {
    const clock = { now: T0 + MINUTE_MS };
    const store = storeAt(':memory:', clock);
    store.append([{ name: 'm', labels: {}, t: T0, v: 3 }]);
    expect(store.query({ selector: { name: 'm' }, from: T0, to: T0 + MINUTE_MS, maxPoints: 10 })[0]!.points).toEqual([[T0, 3, 3, 3]]);
    expect(store.stats().sizeBytes).toBeGreaterThan(0);
  });
});

describe('sample times on their cadence', () => {
  /** Every raw sample time in the file: sealed chunks, then the head log's rows. */
  const storedTimes = (file: string): number[] => {
    const db = new Database(file, { readonly: true });
    const times: number[] = [];
    for (const data of db.prepare('SELECT data FROM raw_chunk ORDER BY t').pluck().all() as Uint8Array[]) times.push(...decodeSamples(data).t);
    for (const data of db.prepare('SELECT data FROM head_log ORDER BY seq').pluck().all() as Uint8Array[]) decodeBatch(data, (_id, t) => void times.push(t));
    db.close();
    return times;
  };
  const chunkBytes = (file: string): number => {
    const db = new Database(file, { readonly: true });
    const n = db.prepare('SELECT sum(length(data)) FROM raw_chunk').pluck().get() as number;
    db.close();
    return n;
  };

  it('stores jittered times on the series’ step (within 100 ms), the same after a crash replays the head log, and as small as exact ones', () => {
    const file = join(dir, 'cadence.db');
    const exactFile = join(dir, 'exact.db');
    const clock = { now: T0 + HOUR_MS };
    const store = storeAt(file, clock);
    const exact = storeAt(exactFile, clock);
    let seed = 11;
    const jitter = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31 - 0.5) * 120; // ±60 ms
    const observed: number[] = [];
    for (let i = 0; i < 240; i++) {
      const t = T0 + i * 5 * SECOND_MS + Math.round(jitter());
      observed.push(t);
      store.append([{ name: 'host:load1', labels: { host: 'a' }, t, v: i % 7 }]);
      // The same values at exact times: the size to compare with.
      exact.append([{ name: 'host:load1', labels: { host: 'a' }, t: T0 + i * 5 * SECOND_MS, v: i % 7 }]);
    }
    const kept = storedTimes(file);
    expect(kept).toHaveLength(240);
    kept.forEach((t, i) => expect(Math.abs(t - observed[i]!)).toBeLessThanOrEqual(100));
    expect(new Set(kept.slice(2).map((t, i) => t - kept[i + 1]!))).toEqual(new Set([5000]));
    // Opened again from what is on disk (a crash between appends): the head log replays to the same times,
    // and they seal into chunks holding exactly them.
    store.close();
    open.splice(open.indexOf(store), 1);
    const again = storeAt(file, clock);
    settle(again, T0 + DAY_MS);
    settle(exact, T0 + DAY_MS);
    again.close();
    exact.close();
    open.splice(0);
    expect(storedTimes(file)).toEqual(kept);
    // A byte a sample of timestamp jitter is gone: the chunks cost what exact times cost.
    expect(chunkBytes(file)).toBeLessThanOrEqual(chunkBytes(exactFile) + 8 * 4);
  });

});

function minuteChunkStats(file: string, blocks = true): { chunks: number; rows: number; bytes: number; layouts: Set<'legacy' | 1 | 2 | 3> } {
  const db = new Database(file, { readonly: true });
  try {
    const chunks = db.prepare(`SELECT data FROM rollup_1m_chunk${blocks ? ' UNION ALL SELECT data FROM rollup_1m_block' : ''}`).pluck().all() as Uint8Array[];
    return {
      chunks: chunks.length,
      rows: chunks.reduce((n, c) => n + decodeAggregates(c).length, 0),
      bytes: chunks.reduce((n, c) => n + c.length, 0),
      layouts: new Set(chunks.map((c) => aggregateChunkParts(c).layout)),
    };
  } finally {
    db.close();
  }
}
