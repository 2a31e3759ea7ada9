// Samples per second per core through the remote-write receiver: 200 hosts
// of node_exporter-shaped series (the fixture's real scrape, relabelled per
// host), posted over loopback HTTP in requests of 2,000 samples (Prometheus's
// default max_samples_per_send), through the real listener (token, limits,
// decode, validation) into the same path pushed hosts take (frames per host,
// node_exporter → observation, derivation). Printed next to the codec alone
// (decode of the same bodies) in the same run. The HTTP client runs in this
// process too, so the receiver's figure is a lower bound.
//   npm run build && node bench/remote-write-receive.mjs [--hosts 200] [--scrapes 6]
import fs from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { hosts: { type: 'string', default: '200' }, scrapes: { type: 'string', default: '6' } } });
const HOSTS = Number(values.hosts);
const SCRAPES = Number(values.scrapes);
const dist = new URL('../dist/main/core/', import.meta.url);
const { parseExposition } = await import(new URL('prometheus/textFormat.js', dist));
const { encodeRemoteWriteBody, decodeRemoteWriteBody, REMOTE_WRITE_HEADERS, wireLabels } = await import(new URL('prometheus/remoteWrite.js', dist));
const { startRemoteWriteReceiver, newReceiverCounters } = await import(new URL('sources/push/remoteWriteReceiver.js', dist));
const { HostFrames } = await import(new URL('sources/push/pushFrames.js', dist));
const { observationFromSamples } = await import(new URL('prometheus/hostObservation.js', dist));
const { deriveObservation } = await import(new URL('derive/observation.js', dist));

const text = fs.readFileSync(new URL('../main/core/prometheus/fixtures/node-exporter-1.5.0-debian12.txt', import.meta.url), 'utf8');
const base = parseExposition(text).samples;
const t0 = Date.now() - SCRAPES * 15_000;
// Every scrape of every host as wire series, cut into requests of 2,000 samples.
const bodies = [];
let batch = [];
let samples = 0;
for (let s = 0; s < SCRAPES; s++) {
  for (let h = 0; h < HOSTS; h++) {
    for (const x of base) {
      const v = x.name.endsWith('_total') ? x.value + s * 10 : x.value;
      batch.push({ labels: wireLabels(x.name, { ...x.labels, instance: `host-${h}:9100`, job: 'node' }), samples: [{ t: t0 + s * 15_000, v }] });
      if (batch.length === 2000) {
        bodies.push(encodeRemoteWriteBody(batch));
        samples += batch.length;
        batch = [];
      }
    }
  }
}
if (batch.length) {
  bodies.push(encodeRemoteWriteBody(batch));
  samples += batch.length;
}

// The codec alone.
let cpu = process.cpuUsage();
for (const b of bodies) decodeRemoteWriteBody(b);
cpu = process.cpuUsage(cpu);
const decodeRate = samples / ((cpu.user + cpu.system) / 1e6);

// The receiver and the pushed-host path.
const frames = new Map();
const state = new Map();
let observations = 0;
const sink = {
  accept(series) {
    const now = Date.now();
    for (const s of series) {
      let name = '';
      let host = '';
      const labels = {};
      for (const [k, v] of s.labels) {
        if (k === '__name__') name = v;
        else {
          labels[k] = v;
          if (k === 'instance') host = v;
        }
      }
      if (!name.startsWith('node_')) continue;
      let f = frames.get(host);
      if (!f) frames.set(host, (f = new HostFrames()));
      const key = s.labels.map(([k, v]) => `${k}\u0001${v}`).join('\u0000');
      for (const { t, v } of s.samples) f.add(key, { name, labels, value: v }, t, now);
    }
    for (const [host, f] of frames) {
      for (const frame of f.take(now)) {
        const obs = observationFromSamples(frame.samples, { t: frame.t });
        state.set(host, deriveObservation(state.get(host), obs, host).state);
        observations++;
      }
    }
    return { ok: true };
  },
};
const TOKEN = 'bench-token-0123456789';
const receiver = await startRemoteWriteReceiver({ host: '127.0.0.1', port: 0, tokens: [{ token: TOKEN }], limits: { maxSamplesPerSecond: 1e9 }, sink, counters: newReceiverCounters(), log: { info() {}, warn() {}, error() {}, debug() {} } });
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
const post = (body) =>
  new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: receiver.port, method: 'POST', path: '/api/v1/write', agent, headers: { ...REMOTE_WRITE_HEADERS, Authorization: `Bearer ${TOKEN}` } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 204 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
const started = Date.now();
cpu = process.cpuUsage();
for (let i = 0; i < bodies.length; i += 4) await Promise.all(bodies.slice(i, i + 4).map(post));
cpu = process.cpuUsage(cpu);
const wall = (Date.now() - started) / 1000;
await receiver.close();
agent.destroy();
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
console.log(`${HOSTS} hosts × ${SCRAPES} scrapes × ${base.length} series = ${samples} samples in ${bodies.length} requests of ≤2,000`);
console.log(`codec alone (decode):                 ${Math.round(decodeRate).toLocaleString('en')} samples per CPU-second`);
console.log(`receiver → frames → observation → derive: ${Math.round(samples / cpuSeconds).toLocaleString('en')} samples per CPU-second (client included), ${Math.round(samples / wall).toLocaleString('en')}/s wall, ${observations} observations`);
console.log(`at 15 s per scrape that is ${Math.round(samples / cpuSeconds / (base.length / 15))} node_exporter hosts per core`);
