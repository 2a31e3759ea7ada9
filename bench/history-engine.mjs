// History from an engine, two figures next to their peers in the same run:
//
// 1. A 30-day chart through VictoriaMetrics vs the local store. The same
//    samples — one host's 20 host-screen series every 15 s for 30 days
//    (3.5 million samples; the console polls at 5 s, but 5 s × 30 days of
//    20 series is 10 million samples and a load of several minutes here) —
//    are written into this console's history store (tiers and housekeeping
//    as the console runs them) and imported into a real VictoriaMetrics
//    (/api/v1/import). Then the console's own readers answer the same range
//    queries: the PromQL reader (main/core/history/promqlHistory.ts: avg,
//    min and max per bucket through /api/v1/query_range, `nocache=1`) and the
//    store through its worker thread (what the core calls). Milliseconds per
//    query (median), for one series and for a 20-chart host screen, and the
//    ratio; both answers are checked to hold the same buckets' averages.
//
// 2. Catch-up after a real outage. A fleet of replayed hosts (real agent
//    capture, bench/fleet-replay.mjs) appends to a real history store in real
//    time while the real sender (main/core/remoteWrite/sender.ts) writes to a
//    real VictoriaMetrics; the VictoriaMetrics process is stopped (SIGTERM)
//    for `outage` seconds and started again on the same data directory. Time
//    from its restart until nothing is pending, the backlog it drained, and
//    the samples in VictoriaMetrics counted against the samples the fleet
//    logged: lost = logged − stored (0 expected), duplicates = stored −
//    logged when positive (VictoriaMetrics keeps a re-sent sample twice
//    without -dedup.minScrapeInterval, so a double send would show).
//
//   npm run build
//   node bench/history-engine.mjs [days=30] [hosts=200] [outage=120]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadCapture, makeReplayFleet, DEFAULT_CAPTURE } from './fleet-replay.mjs';
import { loadAverage, loadDist, medianMs } from './lib.mjs';

const load = loadDist;
const { openSqliteStore } = await load('core/store/sqliteStore.js');
const { openMetricStore } = await load('core/store/metricStore.js');
const { createPromqlHistory } = await load('core/history/promqlHistory.js');
const { createEngineClient } = await load('core/engine/engineHttp.js');
const { RemoteWriteSender } = await load('core/remoteWrite/sender.js');
const { DEFAULT_MAX_SAMPLES_PER_SEND } = await load('core/remoteWrite/targetDefinitions.js');

const days = Number(process.argv[2] ?? 30);
const hosts = Number(process.argv[3] ?? 200);
const outageS = Number(process.argv[4] ?? 120);
const STEP_MS = 15_000;
const MAX_POINTS = 1000;
const HOST = 'bench-host';

const dir = mkdtempSync(join(tmpdir(), 'overlook-bench-history-engine-'));
const cleanups = [() => rmSync(dir, { recursive: true, force: true })];
process.on('exit', () => {
  for (const c of cleanups.reverse()) {
    try {
      c();
    } catch {}
  }
});
const f = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A real VictoriaMetrics on loopback, stoppable and restartable on the same data dir and port. */
async function victoriaMetrics(name) {
  const bin = spawnSync('sh', ['-c', 'command -v victoria-metrics'], { encoding: 'utf8' }).stdout.trim();
  if (!bin) throw new Error('victoria-metrics is not installed: apt-get install -y victoria-metrics (scripts/ensure-system-deps.sh does)');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child;
  const start = async () => {
    child = spawn(bin, [`-storageDataPath=${join(dir, name)}`, `-httpListenAddr=127.0.0.1:${port}`, '-retentionPeriod=2y', '-search.latencyOffset=0s', '-loggerLevel=ERROR'], { stdio: 'ignore' });
    const c = child;
    cleanups.push(() => c.kill('SIGKILL'));
    for (let i = 0; i < 600; i++) {
      try {
        if ((await fetch(`${url}/health`)).ok) return;
      } catch {}
      await sleep(50);
    }
    throw new Error('VictoriaMetrics did not start');
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
  };
  await start();
  return { url, start, stop, pid: () => child.pid };
}

// ================================================================ 1. a 30-day chart

/** The 20 series of the host screen: name and the labels beyond `host`, with a level and a daily swing. */
const SCREEN = [
  ['host:cpu_usage:ratio', {}, 0.3, 0.2],
  ['host:cpu_mode:ratio', { mode: 'user' }, 0.2, 0.15],
  ['host:cpu_mode:ratio', { mode: 'system' }, 0.06, 0.03],
  ['host:cpu_mode:ratio', { mode: 'iowait' }, 0.01, 0.01],
  ['host:cpu_mode:ratio', { mode: 'steal' }, 0.002, 0.002],
  ['host:cpu_core_usage:ratio', { cpu: '0' }, 0.3, 0.2],
  ['host:cpu_core_usage:ratio', { cpu: '1' }, 0.3, 0.2],
  ['node_load1', {}, 1.2, 0.8],
  ['node_load5', {}, 1.1, 0.6],
  ['node_load15', {}, 1.0, 0.4],
  ['host:memory_used:bytes', {}, 6e9, 1e9],
  ['host:memory_used:ratio', {}, 0.4, 0.06],
  ['host:swap_used:bytes', {}, 2e8, 5e7],
  ['host:filesystem_fullest_used:ratio', {}, 0.6, 0.01],
  ['host:network_receive_bytes:rate', {}, 4e5, 3e5],
  ['host:network_transmit_bytes:rate', {}, 2e5, 1e5],
  ['host:disk_read_bytes:rate', {}, 1e5, 8e4],
  ['host:disk_written_bytes:rate', {}, 5e5, 3e5],
  ['node_network_receive_packets:rate', { device: 'eth0' }, 300, 200],
  ['node_disk_io_time_seconds:rate', { device: 'vda' }, 0.05, 0.04],
];
const DAY = 86_400_000;
const valueAt = (i, t) => {
  const [, , level, swing] = SCREEN[i];
  // A daily swing plus a deterministic wobble, never negative.
  return Math.max(0, level + swing * Math.sin((2 * Math.PI * (t % DAY)) / DAY) + swing * 0.1 * Math.sin(t / 7_777 + i));
};

const end = Math.floor(Date.now() / STEP_MS) * STEP_MS;
const start = end - days * DAY;

// The local store, filled hour by hour with housekeeping (the tiers) as the console runs it.
const l0 = performance.now();
let clock = start;
const store = openSqliteStore({ file: join(dir, 'history.sqlite'), now: () => clock });
let samples = 0;
for (let hourStart = start; hourStart < end; hourStart += 3_600_000) {
  const batch = [];
  for (let t = hourStart; t < Math.min(end, hourStart + 3_600_000); t += STEP_MS) {
    for (let i = 0; i < SCREEN.length; i++) batch.push({ name: SCREEN[i][0], labels: { host: HOST, ...SCREEN[i][1] }, t, v: valueAt(i, t) });
  }
  clock = hourStart + 3_600_000;
  store.append(batch);
  samples += batch.length;
  for (let k = 0; k < 20 && store.housekeeping(clock).pending; k++);
}
clock = end;
store.close();
const localLoadS = (performance.now() - l0) / 1000;

// The same samples into VictoriaMetrics, one JSON line per series and day.
const vm = await victoriaMetrics('vm-chart');
const i0 = performance.now();
for (let i = 0; i < SCREEN.length; i++) {
  const lines = [];
  for (let dayStart = start; dayStart < end; dayStart += DAY) {
    const timestamps = [];
    const values = [];
    for (let t = dayStart; t < Math.min(end, dayStart + DAY); t += STEP_MS) {
      timestamps.push(t);
      values.push(valueAt(i, t));
    }
    lines.push(JSON.stringify({ metric: { __name__: SCREEN[i][0], host: HOST, ...SCREEN[i][1] }, values, timestamps }));
  }
  const res = await fetch(`${vm.url}/api/v1/import`, { method: 'POST', body: lines.join('\n') });
  if (res.status !== 204) throw new Error(`import: HTTP ${res.status} ${await res.text()}`);
}
await fetch(`${vm.url}/internal/force_flush`).catch(() => undefined);
const vmLoadS = (performance.now() - i0) / 1000;
// Everything imported is queryable before timing starts.
for (let k = 0; ; k++) {
  const res = await fetch(`${vm.url}/api/v1/query?query=${encodeURIComponent(`sum(count_over_time({host="${HOST}"}[${days + 1}d]))`)}&time=${end / 1000}&nocache=1`);
  const n = Number((await res.json()).data?.result?.[0]?.value?.[1] ?? 0);
  if (n === samples) break;
  if (k > 200) throw new Error(`VictoriaMetrics holds ${n} of ${samples} imported samples`);
  await sleep(100);
}

const local = openMetricStore({ file: join(dir, 'history.sqlite'), now: () => end });
const engine = createPromqlHistory({ client: createEngineClient({ url: vm.url, timeoutMs: 60_000 }), localHostOnEngine: 'not-this-host', now: () => end });
const selector = ([name, labels]) => ({ name, matchers: [{ label: 'host', op: '=', value: HOST }, ...Object.entries(labels).map(([label, value]) => ({ label, op: '=', value }))] });

const median = medianMs;

// The two answers agree: the same number of buckets within one, and the same mean of the bucket averages within 1 %.
const mean = (points) => points.reduce((a, p) => a + p[1], 0) / points.length;
const spans = [['24 h', DAY], ['7 d', 7 * DAY], [`${days} d`, days * DAY]];
const chart = [];
for (const [label, span] of spans) {
  const request = (s) => ({ selector: selector(s), from: end - span, to: end, maxPoints: MAX_POINTS });
  const [a] = await local.query(request(SCREEN[0]));
  const [b] = await engine.query(request(SCREEN[0]));
  if (!a || !b) throw new Error(`${label}: an empty answer (local ${a?.points.length ?? 0}, engine ${b?.points.length ?? 0})`);
  const agree = Math.abs(mean(a.points) - mean(b.points)) / Math.abs(mean(a.points)) < 0.01 && Math.abs(a.points.length - b.points.length) <= 2;
  const oneLocal = await median(() => local.query(request(SCREEN[0])), 15);
  const oneEngine = await median(() => engine.query(request(SCREEN[0])), 15);
  const screenLocal = await median(() => Promise.all(SCREEN.map((s) => local.query(request(s)))), 7);
  const screenEngine = await median(() => Promise.all(SCREEN.map((s) => engine.query(request(s)))), 7);
  chart.push({ label, oneLocal, oneEngine, screenLocal, screenEngine, points: [a.points.length, b.points.length], agree });
}
await local.close();
await vm.stop();

// ================================================================ 2. catch-up after a real outage

const capture = loadCapture(DEFAULT_CAPTURE);
const INTERVAL_MS = 5000;
const target = await victoriaMetrics('vm-outage');
const rwStore = openSqliteStore({ file: join(dir, 'outbox.sqlite'), now: Date.now });
rwStore.outboxTargets([{ name: 'bench', maxAgeMs: 6 * 3_600_000 }]);
const t0 = Date.now();
const fleet = makeReplayFleet(capture, { hosts, t0, intervalMs: INTERVAL_MS });
let logged = 0;
let firstT = Infinity;
let lastT = 0;
let writing = true;
// The fleet: every 250 ms, every sample due by now is appended, as ingest does.
const fleetLoop = (async () => {
  while (writing) {
    const now = Date.now();
    const batch = [];
    for (const host of fleet) while (host.peekT() <= now) for (const s of host.next().samples) batch.push(s);
    if (batch.length) {
      rwStore.append(batch);
      logged += batch.length;
      for (const s of batch) {
        if (s.t < firstT) firstT = s.t;
        if (s.t > lastT) lastT = s.t;
      }
    }
    await sleep(250);
  }
})();
const sender = new RemoteWriteSender({
  name: 'bench',
  store: { outboxRead: async (r) => rwStore.outboxRead(r), outboxAck: async (t, pos) => rwStore.outboxAck(t, pos) },
  client: createEngineClient({ url: `${target.url}/api/v1/write`, timeoutMs: 30_000 }),
  series: { series: ['host', 'container', 'cloud', 'health'], externalLabels: {}, localHostOnEngine: 'bench' },
  maxAgeMs: 6 * 3_600_000,
  maxSamplesPerSend: DEFAULT_MAX_SAMPLES_PER_SEND,
  now: Date.now,
  log: { info() {}, warn() {}, error() {} },
  idlePollMs: 200,
});
sender.start(0);
const pending = () => rwStore.outboxStatus().end - sender.position();

await sleep(20_000);
const beforeOutage = pending();
await target.stop();
const stoppedAt = Date.now();
await sleep(outageS * 1000);
const backlog = pending();
const cpuBefore = process.cpuUsage();
const restart0 = performance.now();
await target.start();
const readyMs = performance.now() - restart0;
// Drained: the sender's position reaches the outbox's end while the fleet still writes — within about 1.5 s of the
// fleet (a replayed host logs about 80 samples per 5-s poll, so 20 per host).
while (pending() > hosts * 20) await sleep(50);
const drainMs = performance.now() - restart0;
const cpu = process.cpuUsage(cpuBefore);
const status = sender.status();
// Stop the fleet, let the sender send the rest, then count what VictoriaMetrics holds.
writing = false;
await fleetLoop;
while (pending() > 0) await sleep(50);
await sender.stop();
await fetch(`${target.url}/internal/force_flush`).catch(() => undefined);
const windowS = Math.ceil((Date.now() - firstT) / 1000) + 60;
let stored = 0;
for (let k = 0; k < 100; k++) {
  const res = await fetch(`${target.url}/api/v1/query?query=${encodeURIComponent(`sum(count_over_time({__name__!=""}[${windowS}s]))`)}&time=${(lastT + 1000) / 1000}&nocache=1`);
  stored = Number((await res.json()).data?.result?.[0]?.value?.[1] ?? 0);
  if (stored >= logged) break;
  await sleep(200);
}
rwStore.close();
await target.stop();
// The fleet's own rate over the whole run (its first seconds alone undercount: hosts start staggered).
const fleetRate = logged / ((lastT - firstT) / 1000);

// ================================================================ report

const loadAvg = loadAverage();
console.log(`load average at the end: ${loadAvg}`);
console.log('');
console.log(`1. a chart over a range, the same samples in both: one host, ${SCREEN.length} series every ${STEP_MS / 1000} s for ${days} days (${f(samples)} samples)`);
console.log(`   loaded: local store ${f(localLoadS, 1)} s (append + housekeeping), VictoriaMetrics ${f(vmLoadS, 1)} s (/api/v1/import)`);
console.log(`   median ms per query at ${MAX_POINTS} points: local store through its worker / VictoriaMetrics through the PromQL reader (ratio engine ÷ local)`);
for (const r of chart) {
  console.log(
    `   ${r.label.padEnd(5)} one series ${f(r.oneLocal, 1)} / ${f(r.oneEngine, 1)} (${f(r.oneEngine / r.oneLocal, 1)}×); ` +
      `20-chart screen ${f(r.screenLocal, 1)} / ${f(r.screenEngine, 1)} (${f(r.screenEngine / r.screenLocal, 1)}×); ` +
      `buckets ${r.points[0]} / ${r.points[1]}, averages ${r.agree ? 'agree' : 'DIFFER'}`,
  );
}
console.log('');
console.log(`2. catch-up after VictoriaMetrics was stopped for ${outageS} s while ${hosts} replayed hosts wrote (${f(fleetRate)} samples/s)`);
console.log(`   pending before the stop: ${f(beforeOutage)}; backlog at restart: ${f(backlog)} samples (${f(backlog / fleetRate, 0)} s of the fleet)`);
console.log(`   restart → ready ${f(readyMs / 1000, 1)} s; restart → drained ${f(drainMs / 1000, 1)} s (${f(backlog / (drainMs / 1000))} samples/s, ${f(backlog / (drainMs / 1000) / fleetRate, 1)}× the fleet's rate)`);
console.log(`   this process's CPU while draining (fleet + sender): ${f((cpu.user + cpu.system) / 1e6, 2)} s; sender retries ${status.retries}, dropped ${f(status.droppedSamples)}`);
console.log(`   samples logged ${f(logged)}, sent ${f(sender.status().sentSamples)}, in VictoriaMetrics ${f(stored)}: lost ${f(Math.max(0, logged - stored))}, duplicates ${f(Math.max(0, stored - logged))}`);
process.exit(0);
