// What learning baselines costs, and how well the verdicts detect.
//   1. Refresh: learnBaseline over 60,000 series × 30 days of hour rollups
//      (720 rows each, generated in memory as the store's query returns
//      them): CPU time and the baselines' memory. Then the same refresh
//      through the real store (its hour tier, query per metric name) for a
//      smaller fleet, to show what reading the rollups adds per series.
//   2. Scoring: one cycle over 60,000 learned series whose last 5 minutes are
//      in the real store (baselines learned as in 1 and handed to the detector).
//   3. Detection: 400 seeded series (daily + weekly sine + noise), 4 weeks
//      learned, then one week scored every 5 minutes on 5-minute means, half
//      of them with a sustained step of 6 spreads at a random time: the
//      false-positive rate (windows flagged before any step) and the delay
//      from the step to the first flag, at each sensitivity, next to a plain
//      static threshold per series (above the maximum 5-minute mean of its
//      4 learned weeks, the usual way one is picked) on the same data.
// Needs the compiled core and test support: `npm run build && npm run build:test-support`, then
//   node bench/anomalies.mjs [series=60000] [storeSeries=200]
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openMetricStore } from '../dist/main/core/store/metricStore.js';
import { Z_THRESHOLD, learnBaseline, baselineBytes, bucketAt, HOUR_MS } from '../dist/main/core/anomalies/baseline.js';
import { createDetector } from '../dist/main/core/anomalies/detector.js';
import { gaussian, seeded, sineAt } from '../dist-test/main/testing/anomalySeries.js';

const N = Number(process.argv[2] ?? 60_000);
const STORE_N = Number(process.argv[3] ?? 200);
const MIN = 60_000;
const DAY = 24 * HOUR_MS;
const WEEK = 7 * DAY;
const T0 = Date.UTC(2026, 0, 4); // a Sunday
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`load average at start: ${load()}`);

// ---------------------------------------------------------------- 1. refresh (pure)
const rand = seeded(1);
const noise = gaussian(rand);
function hourRows(i, days, to) {
  const shape = { base: 10 + (i % 90), daily: (i % 13) + 1, weekly: (i % 5) + 0.5, noise: 1 + (i % 3) };
  const rows = new Array(days * 24);
  for (let h = 0; h < days * 24; h++) {
    const t = to - (days * 24 - h) * HOUR_MS;
    const avg = sineAt(shape, t + HOUR_MS / 2) + 0.15 * shape.noise * noise();
    rows[h] = [t, avg, avg - 2.3 * shape.noise, avg + 2.3 * shape.noise];
  }
  return rows;
}
const NOW = T0 + 30 * DAY;
const baselines = new Array(N);
let learnMs = 0;
let generateMs = 0;
const heap0 = process.memoryUsage().heapUsed;
for (let i = 0; i < N; i++) {
  const g = performance.now();
  const rows = hourRows(i, 30, NOW);
  const l = performance.now();
  baselines[i] = learnBaseline('host:cpu_usage:percent', rows, NOW);
  learnMs += performance.now() - l;
  generateMs += l - g;
}
globalThis.gc?.();
const heap1 = process.memoryUsage().heapUsed;
const bytes = baselines.reduce((s, b) => s + baselineBytes(b), 0);
console.log(`refresh, pure: ${N} series × 720 hour rows learned in ${(learnMs / 1000).toFixed(1)} s CPU (${((1000 * learnMs) / N).toFixed(0)} µs per series); baselines ${(bytes / 1048576).toFixed(1)} MiB by count, heap grew ${((heap1 - heap0) / 1048576).toFixed(1)} MiB${globalThis.gc ? '' : ' (run with --expose-gc for a settled heap figure)'}`);

// ---------------------------------------------------------------- 1b. refresh through the store, and 2. scoring
const dir = mkdtempSync(join(tmpdir(), 'overlook-bench-anomalies-'));
let now = NOW - 30 * DAY;
const store = openMetricStore({ file: join(dir, 'history.sqlite'), now: () => now });
const names = ['host:cpu_usage:percent', 'host:load1:ratio', 'host:net_rx:bytes', 'host:memory_used:bytes'];
const storeSeries = (i) => ({ name: names[i % names.length], labels: { host: `h${Math.floor(i / names.length)}` } });
const f0 = performance.now();
for (let hour = 0; hour < 30 * 24; hour++) {
  const batch = [];
  const t = NOW - 30 * DAY + hour * HOUR_MS;
  for (let i = 0; i < STORE_N; i++) for (let m = 0; m < 60; m += 20) batch.push({ ...storeSeries(i), t: t + m * MIN, v: 50 + 10 * Math.sin(hour / 4 + i) + noise() });
  now = t + HOUR_MS;
  await store.append(batch);
  for (let k = 0; k < 50 && (await store.housekeeping(now)).pending; k++);
}
console.log(`(store filled with ${STORE_N} series × 30 days, 3 samples an hour, in ${((performance.now() - f0) / 1000).toFixed(0)} s)`);
const detector = createDetector({ store, now: () => now, sensitivity: () => 'medium', families: () => ['host'] });
const r0 = performance.now();
await detector.refreshAll();
const refreshStoreMs = performance.now() - r0;
const st = detector.status();
// Ingest while a sweep runs: the same store takes batches of 10,000 samples (one per series of 10,000 new
// series, a second apart) alone, then while the detector sweeps over and over; the worker serves both.
async function ingestRate(label, during) {
  const stop = { now: false };
  const loop = during ? (async () => { while (!stop.now) await during(); })() : Promise.resolve();
  const i0 = performance.now();
  const batches = 40;
  for (let b = 0; b < batches; b++) {
    now += 1000;
    const batch = [];
    for (let i = 0; i < 10_000; i++) batch.push({ name: 'bench:ingest:ratio', labels: { host: `i${i}` }, t: now, v: Math.random() });
    await store.append(batch);
  }
  const ms = performance.now() - i0;
  stop.now = true;
  await loop;
  console.log(`ingest ${label}: ${((batches * 10_000) / (ms / 1000) / 1000).toFixed(0)}k samples/s (${(ms / batches).toFixed(1)} ms per 10,000-sample batch)`);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
await ingestRate('warm-up (creates the 10,000 series; not a figure)', undefined);
await ingestRate('alone', undefined);
// As the feature paces it: one metric name per 2-second tick, a new sweep when one ends.
await ingestRate('while baselines refresh as the feature paces it (a slice per 2 s)', async () => {
  if (!(await detector.refreshSlice())) detector.clear();
  await sleep(2000);
});
await ingestRate('while baselines refresh without pause (worst case)', () => detector.refreshAll());
await ingestRate('alone, again', undefined);
console.log(`refresh through the store: ${st.seriesLearned} series in ${refreshStoreMs.toFixed(0)} ms wall (${((1000 * refreshStoreMs) / STORE_N).toFixed(0)} µs per series, reading included); at that rate 60,000 series take ${((60_000 * refreshStoreMs) / STORE_N / 1000).toFixed(0)} s of background slices per hour`);

// Scoring at N series: the last 5 minutes of each in the store, baselines from step 1 handed to the detector.
const scoreStore = openMetricStore({ file: join(dir, 'score.sqlite'), now: () => now });
const scoreNames = Array.from({ length: 60 }, (_, k) => `bench:metric_${k}:ratio`);
const series = (i) => ({ name: scoreNames[i % 60], labels: { host: `h${Math.floor(i / 60)}` } });
for (let m = 5; m >= 0; m--) {
  const batch = [];
  for (let i = 0; i < N; i++) batch.push({ ...series(i), t: NOW - m * MIN, v: 50 });
  now = NOW - m * MIN + 1;
  await scoreStore.append(batch);
}
const scorer = createDetector({ store: scoreStore, now: () => now, sensitivity: () => 'medium', families: () => ['host'] });
const learned = scorer.learned();
for (let i = 0; i < N; i++) {
  const s = series(i);
  learned.set(`${s.name}{host="${s.labels.host}"}`, { ...s, entity: { kind: 'host', id: s.labels.host }, family: 'host', baseline: baselines[i] });
}
const cycles = [];
for (let c = 0; c < 5; c++) {
  const s0 = performance.now();
  await scorer.score();
  cycles.push(performance.now() - s0);
}
cycles.sort((a, b) => a - b);
console.log(`scoring: one cycle over ${N} series (60 metric names, 1,000 hosts) median ${cycles[2].toFixed(0)} ms wall (min ${cycles[0].toFixed(0)}, max ${cycles[4].toFixed(0)}), once a minute`);
await store.close();
await scoreStore.close();
rmSync(dir, { recursive: true, force: true });

// ---------------------------------------------------------------- 3. detection vs a static threshold
const D = 400;
const drand = seeded(42);
const dnoise = gaussian(drand);
const result = { low: { fp: 0, det: [], miss: 0 }, medium: { fp: 0, det: [], miss: 0 }, high: { fp: 0, det: [], miss: 0 }, static: { fp: 0, det: [], miss: 0 } };
let windows = 0;
const learnFrom = T0;
const scoreFrom = T0 + 4 * WEEK;
for (let i = 0; i < D; i++) {
  const shape = { base: 30 + 40 * drand(), daily: 5 + 15 * drand(), weekly: 5 * drand(), noise: 1 + 2 * drand() };
  // Minute samples; hour rollups and 5-minute means computed as the store does (avg, min, max).
  const minuteValue = (t) => sineAt(shape, t) + shape.noise * dnoise();
  const rows = [];
  let maxMean5 = -Infinity;
  for (let h = learnFrom; h < scoreFrom; h += HOUR_MS) {
    let sum = 0, min = Infinity, max = -Infinity, five = 0;
    for (let m = 0; m < 60; m++) {
      const v = minuteValue(h + m * MIN);
      sum += v; five += v;
      if (v < min) min = v;
      if (v > max) max = v;
      if (m % 5 === 4) { maxMean5 = Math.max(maxMean5, five / 5); five = 0; }
    }
    rows.push([h, sum / 60, min, max]);
  }
  const b = learnBaseline('bench:x', rows, scoreFrom);
  const stepped = i % 2 === 1;
  const stepAt = scoreFrom + Math.floor(drand() * 6 * DAY / (5 * MIN)) * 5 * MIN;
  const stepSize = 6 * (bucketAt(b, stepAt)?.spread ?? shape.noise);
  const firstFlag = { low: undefined, medium: undefined, high: undefined, static: undefined };
  let five = [];
  for (let t = scoreFrom; t < scoreFrom + WEEK; t += MIN) {
    five.push(minuteValue(t) + (stepped && t >= stepAt ? stepSize : 0));
    if (five.length < 5) continue;
    const mean = five.reduce((a, v) => a + v, 0) / 5;
    five = [];
    const end = t + MIN;
    const before = !stepped || end <= stepAt;
    if (before) windows++;
    const bucket = bucketAt(b, t);
    const z = bucket ? (mean - bucket.centre) / bucket.spread : 0;
    for (const s of ['low', 'medium', 'high']) {
      if (Math.abs(z) < Z_THRESHOLD[s]) continue;
      if (before) result[s].fp++;
      else firstFlag[s] ??= end - stepAt;
    }
    if (mean > maxMean5) {
      if (before) result.static.fp++;
      else firstFlag.static ??= end - stepAt;
    }
  }
  if (stepped) for (const s of Object.keys(result)) (firstFlag[s] === undefined ? result[s].miss++ : result[s].det.push(firstFlag[s]));
}
console.log(`detection: ${D} series (half with a sustained step of 6 spreads), 4 weeks learned, 1 week scored on 5-minute means; ${windows} windows without a step`);
for (const [s, r] of Object.entries(result)) {
  r.det.sort((a, b) => a - b);
  const med = r.det.length ? `${(r.det[r.det.length >> 1] / MIN).toFixed(0)} min median, ${(r.det[Math.floor(r.det.length * 0.9)] / MIN).toFixed(0)} min p90` : 'n/a';
  const label = s === 'static' ? 'static threshold (> max of 4 weeks)' : `anomalous, ${s} (z ≥ ${Z_THRESHOLD[s]})`;
  console.log(`  ${label.padEnd(38)} false positives ${((100 * r.fp) / windows).toFixed(3)} % of windows; detected ${r.det.length}/${D / 2} steps, delay ${med}`);
}
console.log(`load average at end: ${load()}`);
