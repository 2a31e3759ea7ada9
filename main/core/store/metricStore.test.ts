// The store behind its worker thread: the same answers as the engine on the
// calling thread, in call order, errors as rejected promises with the
// engine's messages, a dead worker reported and replaced, close() draining.
// Real worker threads, real SQLite files.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sample } from '../../common/series.js';
import { openMetricStore, terminateWorker, type WorkerMetricStore } from './metricStore.js';
import { openSqliteStore } from './sqliteStore.js';
import { SCHEMA_VERSION } from './schema.js';
import { HOUR_MS, MINUTE_MS, SECOND_MS } from './tiers.js';

const T0 = Date.UTC(2025, 2, 10);
let dir: string;
const stores: WorkerMetricStore[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'overlook-store-worker-'));
});

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

function open(file: string, clock: { now: number }, extra: Partial<Parameters<typeof openMetricStore>[0]> = {}): WorkerMetricStore {
  const store = openMetricStore({ file, now: () => clock.now, ...extra });
  stores.push(store);
  return store;
}

/** A few hosts' worth of series over `minutes`, every 5 s. */
function fleet(hosts: number, minutes: number): Sample[][] {
  const batches: Sample[][] = [];
  for (let i = 0; i < (minutes * 60) / 5; i++) {
    const t = T0 + i * 5 * SECOND_MS + (i % 3);
    const batch: Sample[] = [];
    for (let h = 0; h < hosts; h++) {
      batch.push({ name: 'host:cpu_usage:ratio', labels: { host: `h${h}` }, t, v: ((i * 7 + h) % 100) / 100 });
      batch.push({ name: 'node_network_receive_bytes:rate', labels: { device: 'eth0', host: `h${h}` }, t, v: (i * 1e3 + h) / 3 });
      // The same series with its labels in the other order: one series, not two.
      if (i % 2 === 1) batch.push({ name: 'node_load1', labels: { host: `h${h}`, extra: 'x' }, t, v: i / 100 });
      else batch.push({ name: 'node_load1', labels: { extra: 'x', host: `h${h}` }, t, v: i / 100 });
    }
    batches.push(batch);
  }
  return batches;
}

describe('MetricStore on a worker thread', () => {
  it('answers queries exactly as the engine on the calling thread does, for the same appends', async () => {
    const clock = { now: T0 + HOUR_MS };
    const worker = open(join(dir, 'w.db'), clock);
    const local = openSqliteStore({ file: join(dir, 'l.db'), now: () => clock.now });
    try {
      for (const batch of fleet(4, 40)) {
        await worker.append(batch);
        local.append(batch);
      }
      await worker.housekeeping(T0 + HOUR_MS);
      local.housekeeping(T0 + HOUR_MS);
      for (const [span, maxPoints] of [[15 * MINUTE_MS, 1000], [40 * MINUTE_MS, 40], [HOUR_MS, 7]] as const) {
        for (const name of ['host:cpu_usage:ratio', 'node_network_receive_bytes:rate', 'node_load1']) {
          const request = { selector: { name }, from: T0, to: T0 + span, maxPoints };
          expect(await worker.query(request)).toEqual(local.query(request));
        }
      }
      expect(await worker.series({ name: 'node_load1', matchers: [{ label: 'host', op: '=', value: 'h2' }] })).toEqual(
        local.series({ name: 'node_load1', matchers: [{ label: 'host', op: '=', value: 'h2' }] }),
      );
      // The series index by name: how many series carry each, and the newest sample among them.
      const names = await worker.names();
      expect(names).toEqual(local.names());
      expect(names.map((n) => [n.name, n.series])).toEqual([['host:cpu_usage:ratio', 4], ['node_load1', 4], ['node_network_receive_bytes:rate', 4]]);
      expect(names[0]!.lastT).toBeGreaterThan(T0 + 39 * MINUTE_MS);
      const stats = await worker.stats();
      expect(stats.series).toBe(12);
      expect(stats.droppedSamples).toBe(0);
    } finally {
      local.close();
    }
  });

  it('applies calls in the order they were made: a query right after an append sees it', async () => {
    const clock = { now: T0 + MINUTE_MS };
    const store = open(join(dir, 'h.db'), clock);
    const calls: Promise<unknown>[] = [];
    const seen: number[] = [];
    for (let i = 0; i < 50; i++) {
      calls.push(store.append([{ name: 'm', labels: {}, t: T0 + i * SECOND_MS, v: i }]));
      calls.push(
        store.query({ selector: { name: 'm' }, from: T0, to: T0 + MINUTE_MS, maxPoints: 1000 }).then((r) => seen.push(r[0]!.points.length)),
      );
    }
    await Promise.all(calls);
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('counts samples it cannot use as invalid and stores the rest of the batch', async () => {
    const clock = { now: T0 + MINUTE_MS };
    const store = open(join(dir, 'h.db'), clock);
    await store.append([
      { name: 'm', labels: { host: 'a' }, t: T0, v: 1 },
      null as unknown as Sample,
      { name: 'm', labels: { host: 7 as unknown as string }, t: T0, v: 2 },
      { name: 'm', labels: { host: 'a' }, t: 'soon' as unknown as number, v: 3 },
      { name: 'm', labels: { host: 'a' }, t: T0 + SECOND_MS, v: Number.NaN },
      { name: 'm', labels: { host: 'a' }, t: T0 + 2 * SECOND_MS, v: 4 },
    ]);
    const stats = await store.stats();
    expect(stats.droppedSamples).toBe(4);
    expect(stats.series).toBe(1);
    const [range] = await store.query({ selector: { name: 'm' }, from: T0, to: T0 + MINUTE_MS, maxPoints: 1000 });
    expect(range!.points.map((p) => p[1])).toEqual([1, 4]);
  });

  it('uses the caller’s clock to refuse samples from the future', async () => {
    const clock = { now: T0 };
    const store = open(join(dir, 'h.db'), clock);
    await store.append([{ name: 'm', labels: {}, t: T0 + HOUR_MS, v: 1 }]);
    expect((await store.stats()).droppedSamples).toBe(1);
    clock.now = T0 + HOUR_MS;
    await store.append([{ name: 'm', labels: {}, t: T0 + HOUR_MS, v: 1 }]);
    expect((await store.stats()).droppedSamples).toBe(1);
  });

  it('rejects with the engine’s messages: bad arguments, a closed store, a schema newer than this build', async () => {
    const clock = { now: T0 };
    const store = open(join(dir, 'h.db'), clock);
    await expect(store.append([{ name: 'm', labels: {}, t: T0, v: 1 }], { maxDelayMs: -1 })).rejects.toThrow(RangeError);
    await expect(store.append([{ name: 'm', labels: {}, t: T0, v: 1 }], { maxDelayMs: -1 })).rejects.toThrow(/maxDelayMs must be a finite number >= 0/);
    await expect(store.setRetention({ rawHours: 0, minuteDays: 1, hourDays: 1 })).rejects.toThrow(/invalid retention: rawHours/);
    await store.close();
    await expect(store.append([{ name: 'm', labels: {}, t: T0, v: 1 }])).rejects.toThrow(/history database .*h\.db is closed/);
    await expect(store.stats()).rejects.toThrow(/is closed/);

    const newer = join(dir, 'newer.db');
    const db = new Database(newer);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const refused = open(newer, clock);
    await expect(refused.stats()).rejects.toThrow(/schema version \d+, newer than this build understands/);
    await expect(refused.append([{ name: 'm', labels: {}, t: T0, v: 1 }])).rejects.toThrow(/newer than this build/);
  });

  it('hands nativeBinding to the worker: a wrong path fails the open, the real binary works', async () => {
    const clock = { now: T0 };
    const wrong = open(join(dir, 'a.db'), clock, { nativeBinding: join(dir, 'no-such-binding.node') });
    await expect(wrong.stats()).rejects.toThrow(/cannot open history database .*no-such-binding\.node/);
    const require = createRequire(import.meta.url);
    const real = join(require.resolve('better-sqlite3/package.json'), '..', 'build', 'Release', 'better_sqlite3.node');
    const right = open(join(dir, 'b.db'), clock, { nativeBinding: real });
    await right.append([{ name: 'm', labels: {}, t: T0, v: 1 }]);
    expect((await right.stats()).series).toBe(1);
  });

  it('reports a worker that dies, rejects what it had not answered, and carries on with a new one', async () => {
    const clock = { now: T0 + HOUR_MS };
    const problems: string[] = [];
    const file = join(dir, 'h.db');
    const store = open(file, clock, { onProblem: (message) => problems.push(message) });
    const batches = fleet(2, 20);
    await store.setRetention({ rawHours: 1, minuteDays: 30, hourDays: 365 });
    for (const batch of batches.slice(0, 100)) await store.append(batch);
    // A big batch of other series in flight when the thread ends (it takes the worker a while).
    const big = Array.from({ length: 200_000 }, (_, i) => ({ name: 'other', labels: { i: String(i % 20_000) }, t: T0 + Math.floor(i / 20_000) * SECOND_MS, v: i }));
    const inFlight = store.append(big);
    const killed = store[terminateWorker]();
    await expect(inFlight).rejects.toThrow(/store worker stopped \(terminated\) before answering; it is being restarted/);
    await killed;
    // The next calls go to a new worker, which reopened the file and replayed the head log.
    for (const batch of batches.slice(100)) await store.append(batch);
    const [range] = await store.query({ selector: { name: 'host:cpu_usage:ratio', matchers: [{ label: 'host', op: '=', value: 'h1' }] }, from: T0, to: T0 + HOUR_MS, maxPoints: 5000 });
    expect(range!.points).toHaveLength(batches.length);
    expect(problems).toEqual([expect.stringMatching(/history store worker stopped \(terminated\); restarting it/)]);
    // The new worker kept the retention set before: three hours on, raw is gone and minutes answer.
    for (let i = 0; i < 50 && (await store.housekeeping(T0 + 3 * HOUR_MS)).pending; i++);
    const [old] = await store.query({ selector: { name: 'host:cpu_usage:ratio', matchers: [{ label: 'host', op: '=', value: 'h1' }] }, from: T0, to: T0 + 15 * MINUTE_MS, maxPoints: 1000 });
    expect(old!.points).toHaveLength(16);
  });

  it('close() drains every call made before it, and the data is in the file', async () => {
    const clock = { now: T0 + HOUR_MS };
    const file = join(dir, 'h.db');
    const store = open(file, clock);
    const batches = fleet(3, 30);
    const appends = batches.map((batch) => store.append(batch));
    await store.close();
    await Promise.all(appends);
    const check = openSqliteStore({ file, now: () => clock.now });
    try {
      const ranges = check.query({ selector: { name: 'node_load1' }, from: T0, to: T0 + HOUR_MS, maxPoints: 5000 });
      expect(ranges.map((r) => r.points.length)).toEqual([batches.length, batches.length, batches.length]);
    } finally {
      check.close();
    }
  });
});
