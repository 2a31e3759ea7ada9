// Remote write: how fast the sender drains the outbox and how many bytes a
// sample costs on the wire, for a fleet replayed from a real agent capture
// (bench/fleet-replay.mjs), next to peers measured in the same run.
//   npm run build
//   node bench/remote-write.mjs [hosts=200] [polls=120] [capture=bench/fixtures/agent-debian12-vm.capture.br]
// polls=120 at 5 s is 10 minutes of the fleet: the outbox an engine outage
// of 10 minutes leaves behind. It is logged into a real history store (on
// this thread), then the real sender (main/core/remoteWrite/sender.ts) sends
// all of it to a real VictoriaMetrics on loopback (another process), one
// request of up to 10,000 samples in flight, as the console does: the time
// that takes is the catch-up after such an outage, and samples per second
// of this process's CPU is the sender's cost per core (reading the outbox,
// labels, protobuf, snappy, HTTP). Without `victoria-metrics` installed a
// sink in a child process that reads and discards each body stands in.
//
// Peers, the same samples:
// - bytes: the Prometheus text exposition of the samples (with timestamps),
//   plain and gzipped (what a scrape with Accept-Encoding: gzip carries),
//   next to the remote-write body (protobuf, snappy block) and its protobuf
//   before snappy;
// - speed: encoding the same batches as text exposition on this thread, and
//   the fleet's own rate (samples per second it produces in real time).
import { fork, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { DEFAULT_CAPTURE, loadCapture, makeReplayFleet } from './fleet-replay.mjs';
import { loadDist } from './lib.mjs';

if (process.argv[2] === '--sink') {
  const http = await import('node:http');
  http.createServer((req, res) => req.on('data', () => {}).on('end', () => res.writeHead(204).end())).listen(Number(process.argv[3]), '127.0.0.1');
  await new Promise(() => {});
}

const load = loadDist;
const { openSqliteStore } = await load('core/store/sqliteStore.js');
const { RemoteWriteSender } = await load('core/remoteWrite/sender.js');
const { createEngineClient } = await load('core/engine/engineHttp.js');
const { encodeRemoteWriteBody, encodeWriteRequest } = await load('core/prometheus/remoteWrite.js');
const { DEFAULT_MAX_SAMPLES_PER_SEND } = await load('core/remoteWrite/targetDefinitions.js');

const hosts = Number(process.argv[2] ?? 200);
const polls = Number(process.argv[3] ?? 120);
const captureFile = process.argv[4] ?? DEFAULT_CAPTURE;
const INTERVAL_MS = 5000;
const t0 = Date.now() - polls * INTERVAL_MS - 60_000;

const dir = mkdtempSync(join(tmpdir(), 'overlook-bench-rw-'));
const cleanups = [() => rmSync(dir, { recursive: true, force: true })];
process.on('exit', () => {
  for (const c of cleanups.reverse()) {
    try {
      c();
    } catch {}
  }
});

// ---------------------------------------------------------------- the outbox a 10-minute outage leaves

let clock = t0;
const store = openSqliteStore({ file: join(dir, 'history.sqlite'), now: () => clock, maxFutureMs: 10 * 60_000 });
store.outboxTargets([{ name: 'bench', maxAgeMs: 365 * 86_400_000 }]);
const capture = loadCapture(captureFile);
const fleet = makeReplayFleet(capture, { hosts, t0, intervalMs: INTERVAL_MS });
let batch = [];
let flushAt = t0 + 1000;
let logged = 0;
for (let p = 0; p < polls; p++) {
  for (const host of fleet) {
    while (host.peekT() >= flushAt) {
      if (batch.length) {
        clock = flushAt;
        store.append(batch);
        logged += batch.length;
      }
      batch = [];
      flushAt += 1000;
    }
    for (const s of host.next().samples) batch.push(s);
  }
}
if (batch.length) {
  clock = flushAt;
  store.append(batch);
  logged += batch.length;
}
clock = Date.now();
const end = store.outboxStatus().end;
const fleetRate = logged / ((polls * INTERVAL_MS) / 1000);

// ---------------------------------------------------------------- the receiver

async function freePort() {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startReceiver() {
  const vm = spawnSync('sh', ['-c', 'command -v victoria-metrics'], { encoding: 'utf8' }).stdout.trim();
  const port = await freePort();
  if (vm) {
    const { spawn } = await import('node:child_process');
    const child = spawn(vm, [`-storageDataPath=${join(dir, 'vm')}`, `-httpListenAddr=127.0.0.1:${port}`, '-loggerLevel=ERROR'], { stdio: 'ignore' });
    cleanups.push(() => child.kill('SIGKILL'));
    for (let i = 0; i < 300; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return { name: 'VictoriaMetrics (victoria-metrics, loopback)', url: `http://127.0.0.1:${port}/api/v1/write` };
      } catch {}
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('VictoriaMetrics did not start');
  }
  const child = fork(fileURLToPath(import.meta.url), ['--sink', String(port)], { stdio: 'ignore' });
  cleanups.push(() => child.kill('SIGKILL'));
  await new Promise((r) => setTimeout(r, 500));
  return { name: 'a sink that discards each body (victoria-metrics not installed)', url: `http://127.0.0.1:${port}/api/v1/write` };
}

// ---------------------------------------------------------------- the sender, timed

const receiver = await startReceiver();
const outbox = {
  outboxRead: async (request) => store.outboxRead(request),
  outboxAck: async (target, pos) => store.outboxAck(target, pos),
};
const quiet = { info() {}, warn() {}, error() {} };
const sender = new RemoteWriteSender({
  name: 'bench',
  store: outbox,
  client: createEngineClient({ url: receiver.url, timeoutMs: 30_000 }),
  series: { series: ['host', 'container', 'cloud', 'health'], externalLabels: {}, localHostOnEngine: 'bench' },
  maxAgeMs: 365 * 86_400_000,
  maxSamplesPerSend: DEFAULT_MAX_SAMPLES_PER_SEND,
  now: Date.now,
  log: quiet,
  idlePollMs: 5,
});
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
sender.start(0);
while (sender.position() < end) await new Promise((r) => setTimeout(r, 2));
const wallMs = performance.now() - wall0;
const cpu = process.cpuUsage(cpu0);
await sender.stop();
const status = sender.status();
const cpuSeconds = (cpu.user + cpu.system) / 1e6;

// ---------------------------------------------------------------- the same samples as text exposition (peer)

let textBytes = 0;
let gzipBytes = 0;
let protoBytes = 0;
let bodyBytes = 0;
let textMs = 0;
let rwEncodeMs = 0;
// CPU time of this thread since `c` (the machine is shared: wall time would count other processes' turns).
const cpuMs = (c) => {
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000;
};
const escape = (v) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
for (let from = 0; from < end; ) {
  const b = store.outboxRead({ from, maxSamples: DEFAULT_MAX_SAMPLES_PER_SEND, minAt: 0 });
  if (b.to === b.from) break;
  from = b.to;
  const byId = new Map(b.series.map((s) => [s.id, s]));
  // Remote write: series with their samples, as the sender builds them.
  const wire = new Map();
  for (let i = 0; i < b.ids.length; i++) {
    let w = wire.get(b.ids[i]);
    if (!w) {
      const s = byId.get(b.ids[i]);
      const labels = [['__name__', s.name], ...Object.entries({ ...s.labels, host: s.labels.host === 'local' ? 'bench' : s.labels.host }).sort((x, y) => (x[0] < y[0] ? -1 : 1))];
      wire.set(b.ids[i], (w = { labels, samples: [] }));
    }
    w.samples.push({ t: b.t[i], v: b.v[i] });
  }
  const series = [...wire.values()];
  protoBytes += encodeWriteRequest(series).length;
  let c = process.cpuUsage();
  bodyBytes += encodeRemoteWriteBody(series).length;
  rwEncodeMs += cpuMs(c);
  // Text exposition: one line per sample, `name{labels} value timestamp`.
  c = process.cpuUsage();
  const lines = [];
  for (let i = 0; i < b.ids.length; i++) {
    const s = byId.get(b.ids[i]);
    const labels = Object.entries(s.labels)
      .map(([k, v]) => `${k}="${escape(v)}"`)
      .join(',');
    lines.push(`${s.name}{${labels}} ${b.v[i]} ${b.t[i]}`);
  }
  const text = lines.join('\n') + '\n';
  textMs += cpuMs(c);
  textBytes += Buffer.byteLength(text);
  gzipBytes += gzipSync(text).length;
}
store.close();

const f = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
console.log(`remote write: ${hosts} hosts × ${polls} polls at ${INTERVAL_MS / 1000} s (${f((polls * INTERVAL_MS) / 60_000, 1)} min of the fleet), ${f(logged)} samples in the outbox`);
console.log(`receiver: ${receiver.name}`);
console.log('');
console.log('sender (real outbox, real sender, one request in flight)');
console.log(`  sent ${f(status.sentSamples)} samples in ${f(status.sentSamples ? Math.ceil(status.sentSamples / DEFAULT_MAX_SAMPLES_PER_SEND) : 0)} requests; rejected ${f(Object.values(status.rejectedSamples).reduce((a, b) => a + b, 0))}, dropped ${f(status.droppedSamples)}, retries ${status.retries}`);
console.log(`  catch-up (the whole outbox sent): ${f(wallMs / 1000, 2)} s wall, ${f(status.sentSamples / (wallMs / 1000))} samples/s`);
console.log(`  this process's CPU: ${f(cpuSeconds, 2)} s → ${f(status.sentSamples / cpuSeconds)} samples/s per core (the rest of the wall time is the engine taking each request)`);
console.log(`  peer: the fleet produces ${f(fleetRate)} samples/s; catch-up runs at ${f(status.sentSamples / (wallMs / 1000) / fleetRate, 1)}× that`);
console.log(`  peer: encoding the same batches, per core (CPU time): remote write body alone (protobuf + snappy) ${f(logged / (rwEncodeMs / 1000))} samples/s, text exposition ${f(logged / (textMs / 1000))} samples/s`);
console.log('');
console.log('bytes per sample');
console.log(`  remote write body as sent (protobuf, snappy):  ${f(bodyBytes / logged, 2)}   (sender's count: ${f(status.sentBytes / status.sentSamples, 2)})`);
console.log(`  remote write protobuf before snappy:            ${f(protoBytes / logged, 2)}`);
console.log(`  peer: text exposition with timestamps:          ${f(textBytes / logged, 2)}`);
console.log(`  peer: text exposition, gzipped (a gzip scrape): ${f(gzipBytes / logged, 2)}`);
process.exit(0);
