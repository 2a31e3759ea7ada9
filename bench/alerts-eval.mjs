// Alert evaluation cost: 200 rules over 50,000 series held by an in-memory
// SeriesWindowReader (so the figure is the engine's, not the store's), with a
// real journal file; then the same rules read through the history store on
// its worker thread (storeWindowReader over openMetricStore, as the core
// runs them). For evaluateInSlices, the engine's own figure for the longest
// hold of the event loop is printed next to the longest stall measured from
// outside (monitorEventLoopDelay, 1 ms resolution) in the same run.
// Prints per-cycle figures; asserts nothing.
//   npx tsc -p main/tsconfig.json && node bench/alerts-eval.mjs [cycles=20]
//
// Shape: 50 metric names × 1000 hosts = 50,000 series, one point every 10 s,
// 5-minute windows (30 points per series). 100 rules select a whole metric
// (1000 series each), 100 select a tenth of the hosts by regex (100 each):
// 110,000 series-evaluations and 3.3 M points aggregated per cycle. About 2%
// of series run hot, so alerts go pending, fire and resolve as in real life.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const load = (p) => import(path.join(root, 'dist/main', p));
const { AlertEngine } = await load('core/alerts/engine.js');
const { AlertJournal } = await load('core/alerts/journal.js');
const { createChannel } = await load('core/alerts/channels/createChannel.js');
const { matchesLabels } = await load('common/series.js');
const { openMetricStore } = await load('core/store/metricStore.js');
const { storeWindowReader } = await load('core/alerts/storeReader.js');

const cycles = Number(process.argv[2] ?? 20);
const METRICS = 50;
const HOSTS = 1000;
const STEP = 10_000;
const WINDOW = 5 * 60_000;
const POINTS = WINDOW / STEP;

let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
// About 2% of series run hot (0.88–1.0, around the thresholds, so some flap
// and keepFiringFor matters); the hot set drifts a little every cycle.
const hot = new Set();
const isHot = (m, h) => hot.has(m * HOSTS + h);
for (let i = 0; i < METRICS * HOSTS * 0.02; i++) hot.add(Math.floor(random() * METRICS * HOSTS));
const value = (m, h) => (isHot(m, h) ? 0.88 + random() * 0.12 : random() * 0.7);
function drift() {
  const ids = [...hot];
  for (let i = 0; i < 20; i++) hot.delete(ids[Math.floor(random() * ids.length)]);
  for (let i = 0; i < 20; i++) hot.add(Math.floor(random() * METRICS * HOSTS));
}

let now = Date.UTC(2025, 0, 1);
/** name → series[]; each series keeps the last POINTS points. */
const byName = new Map();
for (let m = 0; m < METRICS; m++) {
  const list = [];
  for (let h = 0; h < HOSTS; h++) {
    const points = [];
    for (let i = POINTS - 1; i >= 0; i--) points.push([now - i * STEP, value(m, h)]);
    list.push({ labels: { host: `h-${String(h).padStart(4, '0')}`, dc: h % 2 ? 'east' : 'west' }, points });
  }
  byName.set(`bench_metric_${m}:ratio`, list);
}

let readMs = 0;
const reader = {
  async read(selector, from, to) {
    const t0 = performance.now();
    const out = [];
    for (const s of byName.get(selector.name) ?? []) {
      if (!matchesLabels(s.labels, selector.matchers)) continue;
      // Points are ascending: slice the window rather than filter every point.
      let i = 0;
      while (i < s.points.length && s.points[i][0] <= from) i++;
      let j = s.points.length;
      while (j > i && s.points[j - 1][0] > to) j--;
      out.push({ labels: s.labels, points: s.points.slice(i, j) });
    }
    readMs += performance.now() - t0;
    return out;
  },
};

function advance() {
  now += STEP;
  drift();
  let m = 0;
  for (const list of byName.values()) {
    list.forEach((s, h) => {
      s.points.shift();
      s.points.push([now, value(m, h)]);
    });
    m++;
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-alerts-bench-'));
const journal = new AlertJournal({ file: path.join(dir, 'alerts.sqlite') });
let popups = 0;
const engine = new AlertEngine({
  journal,
  reader,
  now: () => now,
  channels: [createChannel({ name: 'desktop', type: 'desktop' }, { notify: () => void popups++ })],
});
for (const r of engine.listRules()) engine.setRuleEnabled(r.rule.id, false); // built-ins read other metrics
const ruleDrafts = [];
for (let i = 0; i < 200; i++) {
  const metric = `bench_metric_${i % METRICS}:ratio`;
  const selector = i < 100 ? metric : `${metric}{host=~"h-0${i % 10}.*"}`;
  const draft = { name: `rule ${i}`, selector, aggregate: ['avg', 'max', 'min', 'last'][i % 4], window: WINDOW, op: '>', threshold: i % 4 === 1 ? 0.95 : 0.85, for: 60_000, keepFiringFor: 60_000, severity: 'warning' };
  ruleDrafts.push(draft);
  engine.createRule(draft);
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p95: q(0.95), max: s[s.length - 1] };
};
const fmt = (x) => x.toFixed(1);

// Warm-up (JIT, first states).
for (let i = 0; i < 3; i++) {
  advance();
  await engine.evaluate();
}
const totals = [];
const reads = [];
const engineOnly = [];
const settles = [];
let series = 0;
let transitions = 0;
for (let c = 0; c < cycles; c++) {
  advance();
  readMs = 0;
  const r = await engine.evaluate();
  totals.push(r.durationMs);
  reads.push(readMs);
  engineOnly.push(r.durationMs - readMs);
  settles.push(r.settleMs);
  series = r.series;
  transitions += r.transitions;
}
/** Runs fn while measuring the event loop's delay; returns fn's result and the longest stall in ms. */
async function measuringStalls(fn) {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const result = await fn();
  // One more turn of the loop, so the delay timer sees a stall that ended just now.
  await new Promise((resolve) => setTimeout(resolve, 5));
  delay.disable();
  return { result, stallMs: delay.max / 1e6 };
}
const sliced = [];
const slicedStalls = [];
for (let c = 0; c < 5; c++) {
  advance();
  const { result, stallMs } = await measuringStalls(() => engine.evaluateInSlices(now, 8));
  sliced.push(result);
  slicedStalls.push(stallMs);
}
await engine.flush();
const alerts = engine.listAlerts();
const firing = alerts.filter((a) => a.status === 'firing').length;

const t = stats(totals);
const rd = stats(reads);
const en = stats(engineOnly);
console.log(`alerts-eval: 200 rules over ${METRICS * HOSTS} series, ${series} series-evaluations per cycle, ${POINTS} points each, ${cycles} cycles`);
console.log(`  cycle total   median ${fmt(t.median)} ms  p95 ${fmt(t.p95)} ms  max ${fmt(t.max)} ms  (${fmt((t.median / 200) * 1000)} µs per rule)`);
console.log(`  of which read median ${fmt(rd.median)} ms (synthetic reader: label match + window slice)`);
console.log(`  engine only   median ${fmt(en.median)} ms  p95 ${fmt(en.p95)} ms  (${fmt((en.median / series) * 1e6)} ns per series-evaluation)`);
console.log(`  of engine: journal + planning + dispatch (settle) median ${fmt(stats(settles).median)} ms  p95 ${fmt(stats(settles).p95)} ms`);
console.log(`  sliced (8 ms budget): total ${sliced.map((r) => fmt(r.durationMs)).join(' / ')} ms, longest event-loop hold by the engine's count ${fmt(Math.max(...sliced.map((r) => r.longestSliceMs)))} ms, measured longest stall ${fmt(Math.max(...slicedStalls))} ms`);
console.log(`  transitions ${fmt(transitions / cycles)} per cycle; alerts now ${alerts.length} (${firing} firing); desktop notifications ${popups}`);
console.log(`  journal ${(fs.statSync(path.join(dir, 'alerts.sqlite')).size / 1024).toFixed(0)} KiB + WAL; rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
await engine.close();

// The same rules and series through the history store on its worker thread.
const store = openMetricStore({ file: path.join(dir, 'history.sqlite'), now: () => now });
const appendPoint = async (offset) => {
  const batch = [];
  for (const [name, list] of byName) {
    for (const s of list) batch.push({ name, labels: s.labels, t: s.points[s.points.length - 1 - offset][0], v: s.points[s.points.length - 1 - offset][1] });
  }
  await store.append(batch);
};
const l0 = performance.now();
for (let i = POINTS - 1; i >= 0; i--) await appendPoint(i);
const loadS = (performance.now() - l0) / 1000;
const storeJournal = new AlertJournal({ file: path.join(dir, 'alerts-store.sqlite') });
const viaStore = new AlertEngine({ journal: storeJournal, reader: storeWindowReader(store, () => STEP), now: () => now });
for (const r of viaStore.listRules()) viaStore.setRuleEnabled(r.rule.id, false);
for (const draft of ruleDrafts) viaStore.createRule(draft);
const storeCycles = [];
const storeStalls = [];
for (let c = 0; c < 5; c++) {
  advance();
  await appendPoint(0);
  const { result, stallMs } = await measuringStalls(() => viaStore.evaluateInSlices(now, 8));
  storeCycles.push(result);
  storeStalls.push(stallMs);
}
await viaStore.close();
await store.close();
const sc = stats(storeCycles.map((r) => r.durationMs));
console.log(`  through the store's worker (${(METRICS * HOSTS * POINTS / 1e6).toFixed(1)} M samples loaded in ${loadS.toFixed(1)} s), sliced: total median ${fmt(sc.median)} ms, of which awaiting reads ${fmt(stats(storeCycles.map((r) => r.readWaitMs)).median)} ms; ` +
  `longest hold by the engine's count ${fmt(Math.max(...storeCycles.map((r) => r.longestSliceMs)))} ms, measured longest stall ${fmt(Math.max(...storeStalls))} ms`);
fs.rmSync(dir, { recursive: true, force: true });
