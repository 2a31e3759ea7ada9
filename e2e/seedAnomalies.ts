// Seeds a console's data directory with five days of history for two
// history-only hosts, through the product's own store and its housekeeping
// (so the hour rollups baselines learn from are sealed, as in a running
// console) with the anomaly tests' own seeded sine + noise (main/testing/
// anomalySeries.ts). On `anom-1` the CPU series step up by far more than
// their spread for the last PERTURBED_MS: the one thing unusual there.
import path from 'node:path';
import { fromDist, fromTestSupport } from './console.js';

export const PERTURBED_HOST = 'anom-1';
export const QUIET_HOST = 'anom-2';
/** The series the seed perturbs; every other series follows its usual shape. */
export const PERTURBED_SERIES = ['host:cpu_usage:ratio', 'host:cpu_mode:ratio'];
export const PERTURBED_MS = 90 * 60_000;
const HISTORY_MS = 4 * 86_400_000 + 12 * 3_600_000;
/** Data runs this far past the seed's clock, so the console's scoring window (the last 5 minutes) still holds samples minutes after start. */
export const AHEAD_MS = 10 * 60_000;

interface Shape {
  base: number;
  daily: number;
  weekly: number;
  noise: number;
}
interface AnomalySeriesModule {
  seeded(seed: number): () => number;
  gaussian(rand: () => number): () => number;
  sineAt(shape: Shape, t: number): number;
}
interface SeedSample {
  name: string;
  labels: Record<string, string>;
  t: number;
  v: number;
}
interface SeedStore {
  append(samples: readonly SeedSample[]): Promise<void>;
  housekeeping(now: number): Promise<{ pending: boolean }>;
  close(): void | Promise<void>;
}

/**
 * Appends `step`-spaced samples of every series over [from, to) in six-hour
 * batches, the store's clock at each batch's end, with housekeeping after
 * each so the minute and hour rollups seal as in a running console (the
 * anomaly tests' feed() does the same an hour at a time; six hours keeps a
 * busy machine's seeding under a minute).
 */
async function feed(store: SeedStore, clock: { now: number }, series: readonly { name: string; labels: Record<string, string>; valueAt(t: number): number }[], from: number, to: number, stepMs: number): Promise<void> {
  const BATCH = 6 * 3_600_000;
  for (let start = from; start < to; start += BATCH) {
    const end = Math.min(to, start + BATCH);
    const batch: SeedSample[] = [];
    for (let t = start; t < end; t += stepMs) for (const s of series) batch.push({ name: s.name, labels: s.labels, t, v: s.valueAt(t) });
    clock.now = end;
    await store.append(batch);
    for (let i = 0; i < 100 && (await store.housekeeping(end)).pending; i++);
  }
}

export async function seedAnomalies(dataDir: string, now: number): Promise<void> {
  const m = await fromTestSupport<AnomalySeriesModule>('anomalySeries.js');
  const { openSqliteStore } = await fromDist<{ openSqliteStore(o: { file: string; now: () => number }): SeedStore }>('core/store/sqliteStore.js');
  const clock = { now: now - HISTORY_MS };
  const store = openSqliteStore({ file: path.join(dataDir, 'history.sqlite'), now: () => clock.now });
  const noise = m.gaussian(m.seeded(24));
  const end = Math.floor(now / 60_000) * 60_000 + AHEAD_MS;
  const stepFrom = now - PERTURBED_MS;
  const series = [PERTURBED_HOST, QUIET_HOST].flatMap((host) => {
    const perturbed = host === PERTURBED_HOST;
    const cpu = (t: number) => Math.min(1, Math.max(0, m.sineAt({ base: 0.25, daily: 0.08, weekly: 0.01, noise: 0 }, t) + 0.006 * noise() + (perturbed && t >= stepFrom ? 0.45 : 0)));
    const labels = { host };
    return [
      { name: 'host:cpu_usage:ratio', labels, valueAt: cpu },
      { name: 'host:cpu_mode:ratio', labels: { host, mode: 'user' }, valueAt: (t: number) => cpu(t) * 0.7 },
      { name: 'host:cpu_mode:ratio', labels: { host, mode: 'system' }, valueAt: (t: number) => m.sineAt({ base: 0.06, daily: 0.02, weekly: 0, noise: 0 }, t) + 0.002 * noise() },
      { name: 'host:memory_used:ratio', labels, valueAt: (t: number) => m.sineAt({ base: 0.5, daily: 0.03, weekly: 0.01, noise: 0 }, t) + 0.004 * noise() },
      { name: 'node_load1', labels, valueAt: (t: number) => Math.max(0, m.sineAt({ base: 1.2, daily: 0.4, weekly: 0.05, noise: 0 }, t) + 0.05 * noise()) },
      { name: 'host:cpu_count:count', labels, valueAt: () => 4 },
    ];
  });
  try {
    // Ten-minute samples for the history, then one a minute for the charts' last hours.
    const fine = Math.floor((now - 6 * 3_600_000) / 3_600_000) * 3_600_000;
    await feed(store, clock, series, Math.floor((now - HISTORY_MS) / 3_600_000) * 3_600_000, fine, 10 * 60_000);
    await feed(store, clock, series, fine, end, 60_000);
  } finally {
    await store.close();
  }
}
