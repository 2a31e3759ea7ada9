// /metrics exporter cost: scrape time and exposition size for a fleet of
// 500 hosts × ~300 series, the longest event-loop stall a scrape causes
// (ingest shares that loop), and — in the same run — the scrape time of
// Debian's prometheus-node-exporter for this one machine. Then the same fleet
// as 500 targets of their own: the discovery answer, one host's exposition,
// and all 500 one after another (what Prometheus does over a scrape
// interval). Prints figures,
// asserts nothing. Needs compiled JS: `npx tsc -p main/tsconfig.json`.
//   node bench/exporter-scrape.mjs [hosts=500] [scrapes=15]
import { spawn } from 'node:child_process';
import { gzipSync } from 'node:zlib';

const compiled = new URL('../dist/main/core/export/exporter.js', import.meta.url);
const { createMetricsExposition: createExposition, startMetricsExporter: startExporter } = await import(compiled.href).catch((err) => {
  throw new Error(`cannot load ${compiled.pathname} (${err.message}); build it first: npx tsc -p main/tsconfig.json`);
});

const HOSTS = Number(process.argv[2] ?? 500);
const SCRAPES = Number(process.argv[3] ?? 15);
const EXPORTER_PORT = 19396;
const NODE_EXPORTER_PORT = 19397;
const CPU_MODES = ['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user'];

// A mid-size server as node_exporter shows it: 16 CPUs, 6 filesystems, 6 disks, 10 interfaces, sensors.
function hostSeries(i, t) {
  const s = [];
  const counter = (name, labels, value) => s.push({ name, labels, value, kind: 'counter' });
  const gauge = (name, labels, value) => s.push({ name, labels, value, kind: 'gauge' });
  for (let cpu = 0; cpu < 16; cpu++) for (const mode of CPU_MODES) counter('node_cpu_seconds_total', { cpu: String(cpu), mode }, 1e5 + t * 0.7 + cpu + i);
  gauge('node_load1', {}, 0.5 + (i % 7));
  gauge('node_load5', {}, 0.4);
  gauge('node_load15', {}, 0.3);
  for (const field of ['MemTotal', 'MemFree', 'MemAvailable', 'Buffers', 'Cached', 'SwapTotal', 'SwapFree']) gauge(`node_memory_${field}_bytes`, {}, 3.2e10 - i * 1e6);
  for (let f = 0; f < 6; f++) {
    const labels = { device: `/dev/nvme0n1p${f + 1}`, fstype: f === 0 ? 'vfat' : 'ext4', mountpoint: f === 0 ? '/boot/efi' : `/srv/data${f}` };
    for (const field of ['size_bytes', 'free_bytes', 'avail_bytes', 'files', 'files_free']) gauge(`node_filesystem_${field}`, labels, 5e11 - f * 1e9);
  }
  for (let d = 0; d < 6; d++) {
    const labels = { device: `nvme${d}n1` };
    for (const field of ['read_bytes_total', 'written_bytes_total', 'reads_completed_total', 'writes_completed_total', 'io_time_seconds_total']) counter(`node_disk_${field}`, labels, 1e9 + t * 4096 * (d + 1));
  }
  for (let n = 0; n < 10; n++) {
    const labels = { device: n === 0 ? 'lo' : `ens${n}` };
    for (const field of ['receive_bytes', 'transmit_bytes', 'receive_packets', 'transmit_packets', 'receive_errs', 'transmit_errs', 'receive_drop', 'transmit_drop']) counter(`node_network_${field}_total`, labels, 1e8 + t * 1500 * n);
  }
  gauge('node_boot_time_seconds', {}, 1.717e9 + i);
  for (let k = 1; k <= 10; k++) gauge('node_hwmon_temp_celsius', { chip: 'platform_coretemp_0', sensor: `temp${k}` }, 40 + k);
  for (let z = 0; z < 2; z++) gauge('node_thermal_zone_temp', { type: 'x86_pkg_temp', zone: String(z) }, 45 + z);
  return s;
}

// As the core will hold them: one latest observation per host, replaced on each sample.
const fleet = Array.from({ length: HOSTS }, (_, i) => ({ host: `node-${String(i).padStart(3, '0')}.dc1.example`, up: true, lastSampleAt: Date.now(), series: hostSeries(i, 1000) }));
const seriesCount = fleet.reduce((n, h) => n + h.series.length, 0);
const byId = new Map(fleet.map((h) => [h.host, h]));
const source = {
  hosts: () => fleet,
  targets: () => fleet.map((h) => ({ id: h.host, name: h.host, source: 'ssh', tags: ['dc1'] })),
  host: (id) => (byId.has(id) ? { exported: byId.get(id), status: 'online' } : undefined),
  health: () => ({ samplesIngested: 1e7, sshReconnects: 4, agentErrors: 2, alertEvaluations: 5e5, dbSizeBytes: 3e8, cloudApis: [] }),
};
const log = { info() {}, warn: (m, f) => console.error('warn', m, f ?? ''), error: (m, f) => console.error('error', m, f ?? '') };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(1)} ms`;
const mb = (x) => `${(x / 1e6).toFixed(2)} MB`;

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

async function timeScrapes(url, n) {
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
  return { median: median(times), min: Math.min(...times), max: Math.max(...times), bytes, lines: text.split('\n').filter((l) => l && !l.startsWith('#')).length, text };
}

// 1. The exposition alone (no HTTP), and the event-loop stall it causes.
const exposition = createExposition({ source, log, processMetrics: true });
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

// 2. Over HTTP, as Prometheus scrapes it.
const exporter = await startExporter({ host: '127.0.0.1', port: EXPORTER_PORT, source, log, processMetrics: true });
await timeScrapes(exporter.url, 2);
const ours = await timeScrapes(exporter.url, SCRAPES);
// 2b. Each host its own target: discovery, one host, every host in turn.
const base = exporter.url.replace(/\/metrics$/, '');
const sd = await timeScrapes(exporter.sdUrl, SCRAPES);
const oneHost = await timeScrapes(`${base}/metrics/host/${encodeURIComponent(fleet[0].host)}`, SCRAPES);
const allStart = performance.now();
for (const h of fleet) await timeScrapes(`${base}/metrics/host/${encodeURIComponent(h.host)}`, 1);
const allHostsMs = performance.now() - allStart;
const gzipStart = performance.now();
const gzipped = gzipSync(ours.text, { level: 1 }).length;
const gzipMs = performance.now() - gzipStart;
await exporter.close();

// 3. node_exporter for this one machine, same run.
const nodeExporter = spawn('/usr/bin/prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${NODE_EXPORTER_PORT}`], { stdio: 'ignore' });
let theirs;
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
  theirs = await timeScrapes(`http://127.0.0.1:${NODE_EXPORTER_PORT}/metrics`, SCRAPES);
} finally {
  nodeExporter.kill('SIGTERM');
}

console.log(`fleet: ${HOSTS} hosts, ${seriesCount} series (${(seriesCount / HOSTS).toFixed(0)} per host), ${SCRAPES} scrapes each`);
console.log(`exposition render (no HTTP): median ${ms(median(renderTimes))}, min ${ms(Math.min(...renderTimes))}, max ${ms(Math.max(...renderTimes))}`);
console.log(`longest event-loop stall during a render: median ${ms(median(stalls))}, max ${ms(Math.max(...stalls))}`);
console.log(`overlook /metrics over HTTP: median ${ms(ours.median)} (min ${ms(ours.min)}, max ${ms(ours.max)}), ${mb(ours.bytes)}, ${ours.lines} samples; gzip -1 would be ${mb(gzipped)} in ${ms(gzipMs)}`);
console.log(`node_exporter (this machine): median ${ms(theirs.median)} (min ${ms(theirs.min)}, max ${ms(theirs.max)}), ${mb(theirs.bytes)}, ${theirs.lines} samples`);
console.log(`ratio: overlook fleet scrape / node_exporter one-host scrape = ${(ours.median / theirs.median).toFixed(1)}×; per sample ${((ours.median / ours.lines) * 1000).toFixed(2)} µs vs ${((theirs.median / theirs.lines) * 1000).toFixed(2)} µs`);
console.log(`per-host targets: /sd/hosts median ${ms(sd.median)} (${mb(sd.bytes)}); one host's exposition median ${ms(oneHost.median)} (${mb(oneHost.bytes)}, ${oneHost.lines} samples); all ${HOSTS} hosts one after another ${ms(allHostsMs)} (${ms(allHostsMs / HOSTS)} each) next to one whole-fleet scrape ${ms(ours.median)}`);
console.log(`console RSS after: ${mb(process.memoryUsage().rss)}`);
