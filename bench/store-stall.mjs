// How long the history store stalls the thread that calls it, at fleet
// scale, with the engine on that thread (openInProcessMetricStore) and on its
// worker (openMetricStore, what the core uses), in the same run on the same
// data. A fleet replayed from the real agent capture (bench/fleet-replay.mjs)
// is derived and appended in real time, a batch a second as the core does (~12,000
// samples a second at the default 740 hosts of ~81 series: the 200
// hosts × 300 series); housekeeping every 10 s; a 20-chart host screen (1 h,
// 24 h or 7 d, in turn) every 5 s. Before it, the store holds 10 minutes of
// the fleet and 7 days of the charted host, so chunks seal and queries read
// real tiers. Measured on the calling thread: the event loop's delay
// (monitorEventLoopDelay, 1 ms resolution: its max is the longest stall) and
// its utilisation, and how long each call took to come back.
//   npx tsc -p main/tsconfig.json
//   node bench/store-stall.mjs [seconds=30] [hosts=740] [prefillMinutes=10] [chartDays=7] [rounds=3]
// The two modes run in turn, `rounds` times each, on copies of the same
// prefilled file; on a shared machine a stall can also be the OS giving the
// core to someone else, so every round is printed and the median compared.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadCapture, makeReplayFleet } from './fleet-replay.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { openSqliteStore, openInProcessMetricStore } = await import(`${root}dist/main/core/store/sqliteStore.js`);
const { openMetricStore } = await import(`${root}dist/main/core/store/metricStore.js`);

const seconds = Number(process.argv[2] ?? 30);
const hosts = Number(process.argv[3] ?? 740);
const capture = loadCapture();
const t0 = Date.UTC(2025, 0, 1);
const PREFILL_MINUTES = Number(process.argv[4] ?? 10);
const CHART_DAYS = Number(process.argv[5] ?? 7);
const ROUNDS = Number(process.argv[6] ?? 3);

/**
 * The fleet as a clock-driven source: `until(t)` derives every host
 * observation due before t (each host at its own phase of the interval, as
 * the core derives each observation when it arrives) and returns the samples.
 */
function fleetSource(fleet) {
  return (until) => {
    const out = [];
    for (const h of fleet) while (h.peekT() < until) for (const s of h.next().samples) out.push(s);
    return out;
  };
}

const dir = mkdtempSync(join(tmpdir(), 'overlook-bench-'));
const template = join(dir, 'template.db');
const chartStart = t0 - CHART_DAYS * 86_400_000;
const fleetStart = t0 - PREFILL_MINUTES * 60_000;
// The charted host: a fleet host of its own, replayed from 7 days back (20 series kept, as bench/store-query.mjs).
const CHARTED = new Set(['host:cpu_usage:ratio', 'host:cpu_mode:ratio', 'host:cpu_core_usage:ratio', 'node_load1', 'node_load5', 'node_load15',
  'host:memory_used:bytes', 'host:memory_used:ratio', 'host:swap_used:bytes', 'host:filesystem_fullest_used:ratio',
  'host:network_receive_bytes:rate', 'host:network_transmit_bytes:rate', 'host:disk_read_bytes:rate', 'host:disk_written_bytes:rate']);
const p0 = performance.now();
{
  let now = chartStart;
  const store = openSqliteStore({ file: template, now: () => now });
  const [charted] = makeReplayFleet(capture, { hosts: 1, t0: chartStart, seed: 7 });
  while (charted.peekT() < t0 + seconds * 1000) {
    const batch = [];
    for (let i = 0; i < 720; i++) for (const s of charted.next().samples) if (CHARTED.has(s.name)) batch.push({ ...s, labels: { ...s.labels, host: 'charted' } });
    now = batch.at(-1).t;
    store.append(batch);
    for (let i = 0; i < 20 && store.housekeeping(now).pending; i++);
  }
  const source = fleetSource(makeReplayFleet(capture, { hosts, t0: fleetStart }));
  for (let i = 1; i <= PREFILL_MINUTES * 60; i++) {
    now = fleetStart + i * 1000;
    store.append(source(now));
    if (i % 10 === 0) store.housekeeping(now);
  }
  store.close();
}
const prefillS = (performance.now() - p0) / 1000;
/**
 * The timed part continues the same fleet (same seed) where the prefill
 * stopped, deriving each second's samples on the calling thread as the core
 * does (a fresh copy per run, so both runs get the same samples).
 */
function timedFleet() {
  const source = fleetSource(makeReplayFleet(capture, { hosts, t0: fleetStart }));
  source(t0);
  return source;
}
let appended = 0;

const SPANS = [3_600_000, 86_400_000, 7 * 86_400_000];
const screenSelectors = [...CHARTED].map((name) => ({ name, matchers: [{ label: 'host', op: '=', value: 'charted' }] }));

async function run(mode, open) {
  const source = timedFleet();
  const file = join(dir, `${mode}.db`);
  copyFileSync(template, file);
  if (existsSync(`${template}-wal`)) copyFileSync(`${template}-wal`, `${file}-wal`);
  let sampleNow = t0;
  const store = open({ file, now: () => sampleNow });
  await store.stats(); // opened (replayed the head log) before the clock starts
  const appendMs = [];
  const screenMs = [];
  const housekeepingMs = [];
  const inFlight = new Set();
  /** Times a call from the moment it is made (an in-process call does its work right there) to its answer. */
  const track = (call, into) => {
    const s = performance.now();
    const tracked = call().then(() => into.push(performance.now() - s));
    inFlight.add(tracked);
    tracked.finally(() => inFlight.delete(tracked));
  };
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const elu0 = performance.eventLoopUtilization();
  delay.enable();
  const start = performance.now();
  await new Promise((done) => {
    // Every 100 ms the observations due arrive and are derived; once a second they are appended.
    let tick = 0;
    let pending = [];
    const timer = setInterval(() => {
      tick++;
      const t = t0 + tick * 100;
      sampleNow = t;
      for (const s of source(t)) pending.push(s);
      if (tick % 10 !== 0) return;
      const i = tick / 10;
      if (i > seconds) {
        clearInterval(timer);
        done();
        return;
      }
      const batch = pending;
      pending = [];
      appended += batch.length;
      track(() => store.append(batch), appendMs);
      if (i % 10 === 9) track(() => store.housekeeping(t), housekeepingMs);
      if (i % 5 === 2) {
        const span = SPANS[Math.floor(i / 5) % SPANS.length];
        track(() => Promise.all(screenSelectors.map((selector) => store.query({ selector, from: t - span, to: t, maxPoints: 1000 }))), screenMs);
      }
    }, 100);
  });
  await Promise.all([...inFlight]);
  delay.disable();
  const elu = performance.eventLoopUtilization(elu0);
  const wallS = (performance.now() - start) / 1000;
  await store.close();
  const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? 0;
  return {
    mode,
    maxStall: delay.max / 1e6,
    p99Stall: delay.percentile(99) / 1e6,
    elu: elu.utilization,
    wallS,
    append: [q(appendMs, 0.5), Math.max(...appendMs)],
    screen: [q(screenMs, 0.5), Math.max(...screenMs)],
    housekeeping: [q(housekeepingMs, 0.5), Math.max(...housekeepingMs)],
  };
}

const results = { 'in-process': [], worker: [] };
for (let r = 0; r < ROUNDS; r++) {
  results['in-process'].push(await run('in-process', openInProcessMetricStore));
  results.worker.push(await run('worker', openMetricStore));
}

const f = (x) => (x < 10 ? x.toFixed(1) : x.toFixed(0));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const perSecond = appended / (2 * ROUNDS * seconds);
console.log(`fleet: ${hosts} hosts replayed from the capture (derived on the calling thread as in the core), ${Math.round(perSecond).toLocaleString('en-US')} samples/s appended a batch a second for ${seconds} s; ` +
  `a 20-chart screen (${screenSelectors.length} selectors, 1 h / 24 h / 7 d in turn) every 5 s; housekeeping every 10 s (prefill ${prefillS.toFixed(0)} s); ${ROUNDS} rounds per mode`);
for (const mode of ['in-process', 'worker']) {
  for (const r of results[mode]) {
    console.log(`${r.mode.padEnd(10)} calling thread: longest stall ${f(r.maxStall)} ms, p99 delay ${f(r.p99Stall)} ms, busy ${(100 * r.elu).toFixed(1)} %; ` +
      `append p50 ${f(r.append[0])} / max ${f(r.append[1])} ms, screen p50 ${f(r.screen[0])} / max ${f(r.screen[1])} ms, housekeeping p50 ${f(r.housekeeping[0])} / max ${f(r.housekeeping[1])} ms (from call to answer)`);
  }
}
const stall = (mode) => median(results[mode].map((r) => r.maxStall));
const busy = (mode) => median(results[mode].map((r) => r.elu));
console.log(`median longest stall: in-process ${f(stall('in-process'))} ms, worker ${f(stall('worker'))} ms (${(stall('in-process') / stall('worker')).toFixed(1)}×); ` +
  `calling thread busy ${(100 * busy('in-process')).toFixed(1)} % vs ${(100 * busy('worker')).toFixed(1)} % (both derive the fleet's samples)`);
rmSync(dir, { recursive: true, force: true });
