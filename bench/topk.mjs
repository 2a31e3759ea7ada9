// Top-K query time over a fleet: 1,000 hosts ranked by CPU (avg, max, last)
// over a 1-hour and a 7-day window, 60 sparkline buckets each, on a store
// holding 7 days of every host (one sample per minute, as a slow poller
// writes; rolled up by the store's own housekeeping), so each window is
// served by the tier it picks (1 h → minute buckets, 7 d → hour buckets).
// Needs the compiled core: `npx tsc -p main/tsconfig.json`, then
//   node bench/topk.mjs [hosts=1000] [days=7]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openMetricStore } from '../dist/main/core/store/metricStore.js';
import { queryTopK } from '../dist/main/core/topk/feature.js';

const hosts = Number(process.argv[2] ?? 1000);
const days = Number(process.argv[3] ?? 7);
const t0 = Date.UTC(2025, 0, 1);
const dir = mkdtempSync(join(tmpdir(), 'overlook-bench-topk-'));
let now = t0;
const store = openMetricStore({ file: join(dir, 'history.sqlite'), now: () => now });

const l0 = performance.now();
let samples = 0;
for (let hour = 0; hour < days * 24; hour++) {
  const batch = [];
  for (let h = 0; h < hosts; h++) {
    const base = ((h * 97) % 1000) / 1000;
    for (let m = 0; m < 60; m++) {
      const t = t0 + hour * 3_600_000 + m * 60_000 + (h % 60) * 1000;
      batch.push({ name: 'host:cpu_usage:ratio', labels: { host: `h${h}` }, t, v: Math.min(1, base + 0.05 * Math.sin((hour * 60 + m) / 30 + h)) });
    }
  }
  samples += batch.length;
  now = t0 + (hour + 1) * 3_600_000;
  await store.append(batch);
  for (let i = 0; i < 50 && (await store.housekeeping(now)).pending; i++);
}
const loadMs = performance.now() - l0;

async function median(fn, runs = 9) {
  const times = [];
  let out;
  for (let i = 0; i < runs; i++) {
    const q0 = performance.now();
    out = await fn();
    times.push(performance.now() - q0);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(runs / 2)], out };
}

console.log(`store: ${hosts} hosts × ${days} d at 1/min = ${samples.toLocaleString('en')} samples, loaded in ${(loadMs / 1000).toFixed(1)} s`);
for (const [label, windowMs] of [['1 h', 3_600_000], ['7 d', 7 * 86_400_000]]) {
  for (const aggregate of ['avg', 'max', 'last']) {
    const { ms, out } = await median(() =>
      queryTopK(store, { kind: 'host', metric: 'host:cpu_usage:ratio', aggregate, from: now - windowMs, to: now, k: 10, order: 'desc', points: 60 }),
    );
    console.log(`top-10 of ${out.total} by ${aggregate.padEnd(4)} over ${label}: ${ms.toFixed(1)} ms (step ${out.stepMs / 60_000} min)`);
  }
}
await store.close();
rmSync(dir, { recursive: true, force: true });
