// Console CPU for a fleet that pushes next to the same fleet over SSH, same
// run, same interval. Pushed: 200 hosts' node_exporter scrapes (the fixture's
// real node_exporter 1.5 scrape, relabelled per host) sent every 15 s by a
// separate sender process as remote write in requests of 2,000 samples
// (Prometheus's max_samples_per_send), into the real listener (token, limits,
// decode, validation) and the pushed-host path (PushedHosts: routing, frames
// per host, node_exporter → observation). This process plays the console and
// measures only its own CPU. SSH: bench/ssh-fleet.mjs with 200 hosts at the
// same interval (real sshd, the real agent on each persistent connection),
// run as a child after the pushed phase; its steady-state line is printed
// beside. Neither side derives or stores (both stop at the observation a
// source hands the registry). Asserts nothing. Root, like CI.
//   npm run build && node bench/pushed-vs-ssh.mjs [hosts=200] [seconds=120] [intervalSeconds=15]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/main/core/', import.meta.url);
const load = (rel) => import(new URL(rel, dist));

// ---------------------------------------------------------------- the sender (a child process)
if (process.argv[2] === '--sender') {
  const [, , , port, token, hostsText, intervalText] = process.argv;
  const { parseExposition } = await load('prometheus/textFormat.js');
  const { encodeRemoteWriteBody, REMOTE_WRITE_HEADERS, wireLabels } = await load('prometheus/remoteWrite.js');
  const text = fs.readFileSync(new URL('../main/core/prometheus/fixtures/node-exporter-1.5.0-debian12.txt', import.meta.url), 'utf8');
  const base = parseExposition(text).samples;
  const hosts = Number(hostsText);
  const intervalMs = Number(intervalText) * 1000;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const post = (body) =>
    new Promise((resolve) => {
      const req = http.request({ host: '127.0.0.1', port: Number(port), method: 'POST', path: '/api/v1/write', agent, headers: { ...REMOTE_WRITE_HEADERS, Authorization: `Bearer ${token}` } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', () => resolve(0));
      req.end(body);
    });
  let scrape = 0;
  // Each host scrapes at its own offset within the interval, as a real fleet's senders do.
  const sendHost = async (h) => {
    const t = Date.now();
    const series = base.map((x) => ({ labels: wireLabels(x.name, { ...x.labels, instance: `host-${h}:9100`, job: 'node' }), samples: [{ t, v: x.name.endsWith('_total') ? x.value + scrape * 10 : x.value }] }));
    for (let i = 0; i < series.length; i += 2000) {
      const status = await post(encodeRemoteWriteBody(series.slice(i, i + 2000)));
      if (status !== 204) process.stderr.write(`status ${status}\n`);
    }
  };
  for (;;) {
    const cycle = Date.now();
    for (let h = 0; h < hosts; h++) {
      const at = cycle + (h * intervalMs) / hosts;
      const wait = at - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      void sendHost(h);
    }
    scrape++;
    const rest = cycle + intervalMs - Date.now();
    if (rest > 0) await new Promise((r) => setTimeout(r, rest));
  }
}

// ---------------------------------------------------------------- the console
const hosts = Number(process.argv[2] ?? 200);
const seconds = Number(process.argv[3] ?? 120);
const intervalSeconds = Number(process.argv[4] ?? 15);
const { startRemoteWriteReceiver, newReceiverCounters } = await load('sources/push/remoteWriteReceiver.js');
const { PushedHosts } = await load('pushReceiver/pushedHosts.js');
const silent = { info() {}, warn() {}, error() {}, debug() {} };

let observations = 0;
const sources = new Map();
const ctx = {
  now: Date.now,
  log: silent,
  host: (id) => sources.get(id),
  addHost(host, source) {
    sources.set(host.id, { host, source });
    source.start({ observation: () => observations++, status: () => {} });
  },
  async removeHost(id) {
    sources.delete(id);
  },
};
const pushed = new PushedHosts(ctx, { hostLabel: 'instance', allowedHosts: [], intervalMs: intervalSeconds * 1000, offlineAfterMs: 120_000, maxSeriesPerHost: 20_000, maxHosts: 2000 });
const flushTimer = setInterval(() => pushed.flush(Date.now()), 1000);
const TOKEN = 'bench-token-0123456789';
const counters = newReceiverCounters();
const receiver = await startRemoteWriteReceiver({ host: '127.0.0.1', port: 0, tokens: [{ token: TOKEN }], sink: pushed, counters, log: silent });
const sender = spawn(process.execPath, [fileURLToPath(import.meta.url), '--sender', String(receiver.port), TOKEN, String(hosts), String(intervalSeconds)], { stdio: ['ignore', 'inherit', 'inherit'] });
try {
  // Two intervals for every host to appear and its frames to settle, then measure.
  await new Promise((r) => setTimeout(r, 2 * intervalSeconds * 1000 + 5000));
  const online = pushed.count;
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  const obs0 = observations;
  const samples0 = counters.samplesAccepted;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const wall = (performance.now() - w0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const samples = counters.samplesAccepted - samples0;
  console.log(`PUSHED: ${online} hosts pushing every ${intervalSeconds} s (remote write, 2,000 samples per request), over ${wall.toFixed(0)} s`);
  console.log(`PUSHED: console CPU ${((100 * cpuSeconds) / wall).toFixed(1)} % of one core (user ${(cpu.user / 1e6).toFixed(1)} s, sys ${(cpu.system / 1e6).toFixed(1)} s); ${Math.round(samples / wall).toLocaleString('en')} samples/s accepted, ${Math.round(samples / cpuSeconds).toLocaleString('en')} per CPU-second`);
  console.log(`PUSHED: observations ${((observations - obs0) / wall).toFixed(1)}/s (expected ${(hosts / intervalSeconds).toFixed(1)}/s), ${((1000 * cpuSeconds) / Math.max(1, observations - obs0)).toFixed(2)} ms CPU per observation; refused ${JSON.stringify(counters.refused)}`);
  console.log(`PUSHED: RSS ${(process.memoryUsage().rss / 1048576).toFixed(1)} MB`);
} finally {
  sender.kill('SIGTERM');
  clearInterval(flushTimer);
  await receiver.close();
}

// The same fleet over SSH, same interval, right after (BENCH_PUSHED_ONLY=1 skips it, e.g. for a --cpu-prof of the pushed side).
if (process.env.BENCH_PUSHED_ONLY) process.exit(0);
console.log(`SSH: bench/ssh-fleet.mjs ${hosts} ${seconds} ${intervalSeconds}`);
const ssh = spawn(process.execPath, [fileURLToPath(new URL('./ssh-fleet.mjs', import.meta.url)), String(hosts), String(seconds), String(intervalSeconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
ssh.stdout.on('data', (d) => process.stdout.write(String(d).replace(/^(?=.)/gm, 'SSH: ')));
await new Promise((r) => ssh.on('exit', r));
