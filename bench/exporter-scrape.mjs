// /metrics exporter cost over a fleet replayed from a real agent capture
// (bench/fixtures/*.capture.br, bench/capture-agent.mjs): every host's
// series are what the console exports for that capture's frames (parsed by
// the real frame parser, the slow-cadence files carried between the frames
// that have them, containers under cAdvisor's names), each host at its own
// frame, renamed, and its values moved slightly (±1 %, same number of
// decimals) so that gzip is not flattered by 500 identical copies. Measured:
// the whole-fleet /metrics scrape (time, bytes, gzip ratio next to the
// unvaried capture's own), the longest event-loop stall a render causes
// (ingest shares that loop), the per-host targets (/sd/hosts, one host's
// /metrics/host/<id>, all of them in turn), and — in the same run —
// Debian's prometheus-node-exporter for this one machine. Wall times and, steadier
// on a shared machine, this process's CPU per scrape (exporter and client).
//
// --baseline DIR runs an earlier checkout (its dist/ built, its own capture
// and parser) in the same process, alternating with this checkout (before,
// after, before, after; the second round is printed), so "before" and
// "after" share the machine's load; its figures print beside this
// checkout's. Prints figures,
// asserts nothing. Needs compiled JS: `npx tsc -p main/tsconfig.json`.
//   node bench/exporter-scrape.mjs [hosts=500] [scrapes=15] [--baseline DIR] [--capture FILE]
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliDecompressSync, gzipSync } from 'node:zlib';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const BASELINE = opt('baseline', '');
const CAPTURE = opt('capture', '');
const HOSTS = Number(args[0] ?? 500);
const SCRAPES = Number(args[1] ?? 15);
const NODE_EXPORTER_PORT = 19397;
const here = fileURLToPath(new URL('..', import.meta.url));
const MARK = '@@capture received_at_ms ';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => (x === undefined ? 'n/a' : `${x.toFixed(1)} ms`);
const mb = (x) => (x === undefined ? 'n/a' : `${(x / 1e6).toFixed(2)} MB`);
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const log = { info() {}, warn: (m, f) => console.error('warn', m, f ?? ''), error: (m, f) => console.error('error', m, f ?? '') };

function makeRandom(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** The first of a module's paths that a checkout has (an earlier checkout may predate the current layout). */
async function importFirst(dir, ...paths) {
  for (const p of paths) if (existsSync(`${dir}/dist/${p}`)) return import(pathToFileURL(`${dir}/dist/${p}`).href);
  throw new Error(`${dir}: none of ${paths.join(', ')}; build it first: npx tsc -p main/tsconfig.json`);
}

/** Container values read only every few samples (limits, peak), carried from the frame that had them, as the console's tracker does. */
const CARRIED = ['cpuQuotaMicros', 'cpuPeriodMicros', 'cpuLimitCores', 'cpuShares', 'memoryLimitBytes', 'memorySwapLimitBytes', 'memoryReservationBytes', 'memoryPeakBytes', 'tasksLimit'];

/** A checkout's exported series per frame of a capture: what its console would export for that host at each sample. */
async function exportedFrames(dir, captureFile) {
  const { parseAgentFrame } = await importFirst(dir, 'main/core/parse/agentFrame.js');
  const containers = await importFirst(dir, 'main/core/containers/exportContainers.js');
  const containerSeries = containers.hostContainerExportSeries
    ? (obs) => containers.hostContainerExportSeries(obs)
    : (obs) => containers.containerExportSeries(obs.containers);
  const text = brotliDecompressSync(readFileSync(captureFile)).toString('utf8');
  const frames = [];
  let slow;
  const carried = new Map();
  let hostName;
  for (const part of text.split(MARK).slice(1)) {
    const newline = part.indexOf('\n');
    const result = parseAgentFrame(part.slice(newline + 1).replace(/\n+$/, '\n'), Number(part.slice(0, newline)), slow);
    if (result.kind !== 'observation') throw new Error(`${captureFile}: a frame did not parse (${result.kind})`);
    if (result.slowFiles) slow = result.slowFiles;
    const obs = result.observation;
    hostName ??= obs.info?.hostname;
    for (const c of obs.containers?.cgroups ?? []) {
      const keep = carried.get(c.id) ?? {};
      for (const k of CARRIED) if (c.stats[k] !== undefined) keep[k] = c.stats[k];
      carried.set(c.id, keep);
      c.stats = { ...keep, ...c.stats };
      if (c.cpuLimitCores === undefined && keep.cpuLimitCores !== undefined) c.cpuLimitCores = keep.cpuLimitCores;
    }
    frames.push(obs.containers ? [...obs.series, ...containerSeries(obs)] : obs.series);
  }
  return { frames, hostName };
}

/** A value moved by up to ±1 %, with as many decimals as it had. */
function vary(value, random) {
  if (!Number.isFinite(value) || value === 0) return value;
  const s = String(value);
  const dot = s.indexOf('.');
  const decimals = dot < 0 || s.includes('e') ? 0 : s.length - dot - 1;
  const moved = value * (1 + (random() - 0.5) * 0.02);
  return decimals === 0 ? Math.round(moved) : Number(moved.toFixed(decimals));
}

function makeFleet({ frames, hostName }, hosts) {
  const random = makeRandom(42);
  return Array.from({ length: hosts }, (_, i) => {
    const name = `node-${String(i).padStart(3, '0')}.dc1.example`;
    const frame = frames[(i * 7 + 2) % frames.length];
    const series = frame.map((s) => {
      let labels = s.labels;
      if (hostName && Object.values(labels).includes(hostName)) labels = Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, v === hostName ? name : v]));
      return { ...s, labels, value: vary(s.value, random) };
    });
    return { host: name, up: true, lastSampleAt: Date.now(), series };
  });
}

function sourceOf(fleet) {
  const byId = new Map(fleet.map((h) => [h.host, h]));
  return {
    hosts: () => fleet,
    targets: () => fleet.map((h) => ({ id: h.host, name: h.host, source: 'ssh', tags: ['dc1'] })),
    host: (id) => (byId.has(id) ? { exported: byId.get(id), status: 'online' } : undefined),
    health: () => ({ samplesIngested: 1e7, sshReconnects: 4, agentErrors: 2, alertEvaluations: 5e5, dbSizeBytes: 3e8, cloudApis: [] }),
  };
}

/** Longest gap between 1 ms timer ticks while `work` runs: how long ingest would wait. */
async function longestStall(work) {
  let last = performance.now();
  let worst = 0;
  const ticker = setInterval(() => {
    const t = performance.now();
    worst = Math.max(worst, t - last);
    last = t;
  }, 1);
  await new Promise((r) => setTimeout(r, 5));
  last = performance.now();
  await work();
  clearInterval(ticker);
  worst = Math.max(worst, performance.now() - last);
  return worst;
}

/** CPU ms of this process (exporter and the fetching client) for `work`: steadier than wall time on a loaded machine. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function timeScrapes(url, n) {
  const cpu0 = cpuMs();
  const times = [];
  let bytes = 0;
  let text = '';
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch(url);
    text = await res.text();
    times.push(performance.now() - t0);
    bytes = Buffer.byteLength(text);
    if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
  }
  return { median: median(times), min: Math.min(...times), max: Math.max(...times), cpu: (cpuMs() - cpu0) / n, bytes, lines: text.split('\n').filter((l) => l && !l.startsWith('#')).length, text };
}

const gzipRatio = (text) => Buffer.byteLength(text) / gzipSync(text, { level: 1 }).length;

async function measure(label, dir, captureFile, port) {
  const loadBefore = load();
  const { createMetricsExposition, startMetricsExporter } = await importFirst(dir, 'main/core/export/exporter.js');
  const captured = await exportedFrames(dir, captureFile);
  const fleet = makeFleet(captured, HOSTS);
  const series = fleet.reduce((n, h) => n + h.series.length, 0);
  // The capture's own host, unvaried: the gzip ratio a real single host has.
  const single = createMetricsExposition({ source: sourceOf([{ host: 'capture', up: true, lastSampleAt: Date.now(), series: captured.frames.at(-1) }]), log, processMetrics: false });
  const singleText = await single.render();

  const exposition = createMetricsExposition({ source: sourceOf(fleet), log, processMetrics: true });
  await exposition.render();
  const renderTimes = [];
  const stalls = [];
  for (let i = 0; i < SCRAPES; i++) {
    let took = 0;
    stalls.push(
      await longestStall(async () => {
        const t0 = performance.now();
        await exposition.render();
        took = performance.now() - t0;
      }),
    );
    renderTimes.push(took);
  }

  const exporter = await startMetricsExporter({ host: '127.0.0.1', port, source: sourceOf(fleet), log, processMetrics: true });
  const out = { label, captureFile, frames: captured.frames.length, series, render: median(renderTimes), stall: Math.max(...stalls) };
  try {
    await timeScrapes(exporter.url, 2);
    out.fleet = await timeScrapes(exporter.url, SCRAPES);
    out.fleetGzip = gzipRatio(out.fleet.text);
    out.singleGzip = gzipRatio(typeof singleText === 'string' ? singleText : String(singleText));
    delete out.fleet.text;
    if (exporter.sdUrl) {
      const base = exporter.url.replace(/\/metrics$/, '');
      out.sd = await timeScrapes(exporter.sdUrl, SCRAPES);
      out.oneHost = await timeScrapes(`${base}/metrics/host/${encodeURIComponent(fleet[0].host)}`, SCRAPES);
      const allStart = performance.now();
      const allCpu = cpuMs();
      for (const h of fleet) await timeScrapes(`${base}/metrics/host/${encodeURIComponent(h.host)}`, 1);
      out.allHostsMs = performance.now() - allStart;
      out.allHostsCpu = cpuMs() - allCpu;
    }
  } finally {
    await exporter.close();
  }
  out.load = `${loadBefore} → ${load()}`;
  return out;
}

async function nodeExporterScrape() {
  const child = spawn('/usr/bin/prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${NODE_EXPORTER_PORT}`], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 50; i++) {
      try {
        await fetch(`http://127.0.0.1:${NODE_EXPORTER_PORT}/metrics`);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await timeScrapes(`http://127.0.0.1:${NODE_EXPORTER_PORT}/metrics`, 2);
    return await timeScrapes(`http://127.0.0.1:${NODE_EXPORTER_PORT}/metrics`, SCRAPES);
  } finally {
    child.kill('SIGTERM');
  }
}

const captureOf = (dir) => `${dir}/bench/fixtures/agent-debian12-vm.capture.br`;
// With a baseline: before, after, before, after; the second round is
// reported, so neither side is measured while the process is still cold.
let results = [];
for (let round = 0; round < (BASELINE ? 2 : 1); round++) {
  results = [];
  if (BASELINE) results.push(await measure('before', BASELINE, captureOf(BASELINE), 19395));
  results.push(await measure(BASELINE ? 'after' : 'this checkout', here, CAPTURE || captureOf(here), 19396));
}
const theirs = await nodeExporterScrape();

console.log(`${HOSTS} hosts replayed from a real capture (each at its own frame, renamed, values ±1 %), ${SCRAPES} scrapes each; load average (1 5 15 min) given per run`);
for (const r of results) {
  console.log(`\n[${r.label}] ${r.captureFile.replace(/^.*\/bench\//, 'bench/')} (${r.frames} frames): ${r.series} series (${(r.series / HOSTS).toFixed(0)} per host); load ${r.load}`);
  console.log(`  whole-fleet /metrics: median ${ms(r.fleet.median)} (min ${ms(r.fleet.min)}, max ${ms(r.fleet.max)}), CPU ${ms(r.fleet.cpu)} a scrape, ${mb(r.fleet.bytes)}, ${r.fleet.lines} samples; gzip -1 ${r.fleetGzip.toFixed(1)}:1 (the capture's own host alone: ${r.singleGzip.toFixed(1)}:1)`);
  console.log(`  render alone (no HTTP): median ${ms(r.render)}; longest event-loop stall during a render ${ms(r.stall)}`);
  if (r.sd) console.log(`  per-host targets: /sd/hosts median ${ms(r.sd.median)} (${mb(r.sd.bytes)}); one host's /metrics/host/<id> median ${ms(r.oneHost.median)}, CPU ${ms(r.oneHost.cpu)} (${mb(r.oneHost.bytes)}, ${r.oneHost.lines} samples); all ${HOSTS} in turn ${ms(r.allHostsMs)}, CPU ${ms(r.allHostsCpu)} (${ms(r.allHostsMs / HOSTS)} each)`);
  else console.log('  per-host targets: not in this checkout');
}
console.log(`\nnode_exporter (this machine, same run): median ${ms(theirs.median)} (min ${ms(theirs.min)}, max ${ms(theirs.max)}), ${mb(theirs.bytes)}, ${theirs.lines} samples`);
const after = results.at(-1);
console.log(`per sample: overlook ${((after.fleet.median / after.fleet.lines) * 1000).toFixed(2)} µs vs node_exporter ${((theirs.median / theirs.lines) * 1000).toFixed(2)} µs`);
console.log(`console RSS after: ${mb(process.memoryUsage().rss)}`);
