// Remote write into real engines, started here on loopback from Debian's
// packages: VictoriaMetrics and Prometheus with its remote-write receiver.
// The console watches this machine through the real agent; what the engines
// hold afterwards must be what the console's history holds, sample for
// sample (values, timestamps, labels), and the raw counters exactly what the
// console sent. Then an outage: the engine stopped during ingest, the console
// killed (-9) and started again in the middle of it, the engine back — no
// sample missing, none twice, and the catch-up time printed.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SeriesSelector } from '../../common/series.js';
import { localHostOnEngine } from '../engine/engineHost.js';
import { createLocalAgentHost } from '../localHost.js';
import { decodeRemoteWriteBody, type WireSeries } from '../prometheus/remoteWrite.js';
import { openSqliteStore } from '../store/sqliteStore.js';
import { freePort } from '../../testing/freePort.js';
import { prometheusRaw, startPrometheusReceiver, startVictoriaMetrics, victoriaExport, type RunningEngine } from '../../testing/engines.js';
import { startTestCore } from '../../testing/testCore.js';
import { createRemoteWriteFeature } from './feature.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const HOST = localHostOnEngine();

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let vm: RunningEngine;
let prom: RunningEngine;
beforeAll(async () => {
  [vm, prom] = await Promise.all([startVictoriaMetrics(), startPrometheusReceiver()]);
});
afterAll(async () => {
  await Promise.all([vm?.remove(), prom?.remove()]);
});

async function until<T>(what: string, read: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await read();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `; last error: ${String(last)}` : ''}`);
}

/** A receiver that keeps what it was sent: the console's own account of its requests. */
async function recordingReceiver(): Promise<{ url: string; series: WireSeries[]; close(): Promise<void> }> {
  const series: WireSeries[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      series.push(...decodeRemoteWriteBody(new Uint8Array(Buffer.concat(chunks))));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/api/v1/write`, series, close: () => new Promise((r) => server.close(() => r())) };
}

type Sampled = Map<string, [number, number][]>;
const keyOf = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).filter(([k]) => k !== '__name__').sort());

/** The history's raw samples of a selector in [from, to), one bucket per millisecond, under the labels the engine sees. */
function storeSamples(dataDir: string, selector: SeriesSelector, from: number, to: number, extra: Record<string, string>): Sampled {
  const store = openSqliteStore({ file: path.join(dataDir, 'history.sqlite') });
  try {
    const out: Sampled = new Map();
    for (const r of store.query({ selector, from, to, maxPoints: to - from })) {
      const labels = { ...r.labels, ...extra, ...(r.labels.host === 'local' ? { host: HOST } : {}) };
      out.set(keyOf(labels), r.points.filter((p) => p[0] >= from && p[0] < to).map((p) => [p[0], p[1]]));
    }
    return out;
  } finally {
    store.close();
  }
}

async function vmSamples(match: string, from: number, to: number): Promise<Sampled> {
  const out: Sampled = new Map();
  for (const row of await victoriaExport(vm.url, match, { from, to: to - 1 })) {
    const key = keyOf(row.metric);
    expect(out.has(key), `VictoriaMetrics holds ${key} twice`).toBe(false);
    const pairs = row.timestamps.map((t, i) => [t, row.values[i]!] as [number, number]).filter(([t]) => t >= from && t < to).sort((a, b) => a[0] - b[0]);
    out.set(key, pairs);
  }
  return out;
}

async function promSamples(selector: string, from: number, to: number): Promise<Sampled> {
  const out: Sampled = new Map();
  for (const row of await prometheusRaw(prom.url, selector, to - 1, to - from)) {
    out.set(keyOf(row.metric), row.values.map(([t, v]) => [Math.round(t * 1000), Number(v)] as [number, number]).filter(([t]) => t >= from && t < to));
  }
  return out;
}

const sorted = (m: Sampled) => [...m.entries()].sort((a, b) => a[0].localeCompare(b[0]));

describe('remote write into VictoriaMetrics and Prometheus', () => {
  it('the engines hold exactly what the history holds, labels and all, and the raw counters exactly as sent', async () => {
    const probe = await recordingReceiver();
    cleanups.push(() => probe.close());
    const config = [
      'remote_write:',
      `  - { name: vm, url: "${vm.url}/api/v1/write", external_labels: { console: alpha } }`,
      `  - { name: prom, url: "${prom.url}/api/v1/write", external_labels: { console: alpha } }`,
      `  - { name: probe, url: "${probe.url}", external_labels: { console: alpha } }`,
    ].join('\n');
    const t0 = Date.now();
    const core = await startTestCore(
      {
        prefix: 'ovl-rw-engines-',
        features: [createRemoteWriteFeature({ idlePollMs: 100, statusIntervalMs: 200, healthIntervalMs: 1000 })],
        answers: (r) => r.startsWith('remote-write/'),
        config,
        localSource: createLocalAgentHost({ intervalMs: 1000, engine: false }),
      },
      cleanups,
    );
    // Some seconds of this machine, rates included (they need two samples).
    await new Promise((r) => setTimeout(r, 8000));
    const caughtUpAt = await until('every target caught up', async () => {
      const list = await core.call('remote-write/list');
      return list.length === 3 && list.every((t) => t.status.pendingSamples === 0 && t.status.sentSamples > 0) ? Date.now() : undefined;
    });
    const to = caughtUpAt - 3000;
    await core.stop();
    const from = t0;

    for (const name of ['node_load1', 'host:cpu_usage:ratio', 'host:memory_used:bytes', 'node_filesystem_avail_bytes', 'host:cpu_core_usage:ratio']) {
      const history = storeSamples(core.dataDir, { name }, from, to, { console: 'alpha' });
      expect([...history.values()].flat().length, `${name} has samples in the history`).toBeGreaterThan(2);
      const inVm = await until(`${name} in VictoriaMetrics`, async () => {
        const got = await vmSamples(name, from, to);
        return JSON.stringify(sorted(got)) === JSON.stringify(sorted(history)) ? got : undefined;
      }, 15_000).catch(async () => vmSamples(name, from, to));
      expect(sorted(inVm)).toEqual(sorted(history));
      expect(sorted(await promSamples(name, from, to))).toEqual(sorted(history));
    }

    // The raw counters the history keeps only as rates: what the console sent, exactly.
    const sent: Sampled = new Map();
    for (const s of probe.series) {
      const labels = Object.fromEntries(s.labels);
      if (labels.__name__ !== 'node_cpu_seconds_total') continue;
      const key = keyOf(labels);
      sent.set(key, [...(sent.get(key) ?? []), ...s.samples.filter((x) => x.t >= from && x.t < to).map((x) => [x.t, x.v] as [number, number])]);
    }
    expect(sent.size).toBeGreaterThan(0);
    expect([...sent.keys()][0]).toContain(`["host","${HOST}"]`);
    expect(sorted(await vmSamples('node_cpu_seconds_total', from, to))).toEqual(sorted(sent));
    expect(sorted(await promSamples('node_cpu_seconds_total', from, to))).toEqual(sorted(sent));

    // The console's health went too, with the status of its own targets.
    const health = await vmSamples('overlook_remote_write_samples_sent_total', from, Date.now());
    expect([...health.keys()].some((k) => k.includes('"target","vm"'))).toBe(true);
  }, 120_000);
});

// ---------------------------------------------------------------- outage

const cli = path.join(repoRoot, 'scripts', 'overlook.js');

interface Console {
  child: ChildProcess;
  output: () => string;
}

function serve(dataDir: string, configFile: string, metricsPort: number): Promise<Console> {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--data', dataDir, '--config', configFile, '--metrics-listen', `127.0.0.1:${metricsPort}`], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`overlook serve printed no URL within 30 s:\n${out}`)), 30_000);
    child.stdout!.on('data', () => {
      if (/http:\/\/127\.0\.0\.1:\d+\/\?token=/.test(out)) {
        clearTimeout(timer);
        resolve({ child, output: () => out });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`overlook serve exited with ${code}:\n${out}`));
    });
  });
}

async function metric(port: number, pattern: RegExp): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m = pattern.exec(text);
  return m ? Number(m[1]) : undefined;
}

describe('an outage of the engine', () => {
  beforeAll(() => {
    if (!fs.existsSync(path.join(repoRoot, 'dist', 'main', 'cli.js'))) throw new Error('dist/main/cli.js is missing: run `npm run build` before this test');
  });

  it('loses nothing and duplicates nothing when the engine is stopped during ingest and the console is killed and restarted meanwhile', async () => {
    const outageVm = await startVictoriaMetrics();
    cleanups.push(() => outageVm.remove());
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-rw-outage-'));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const configFile = path.join(dataDir, 'overlook.yaml');
    fs.writeFileSync(configFile, `settings: { poll_interval: 1s }\nremote_write:\n  - { name: vm, url: "${outageVm.url}/api/v1/write" }\n`);
    const metricsPort = await freePort();
    const PENDING = /^overlook_remote_write_samples_pending\{target="vm"\} (\d+)/m;
    const SENT = /^overlook_remote_write_samples_sent_total\{target="vm"\} (\d+)/m;
    let consoleProcess = await serve(dataDir, configFile, metricsPort);
    const stopConsole = async (signal: NodeJS.Signals) => {
      const c = consoleProcess.child;
      if (c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill(signal);
      await exited;
    };
    cleanups.push(() => stopConsole('SIGTERM'));
    const t0 = Date.now();
    await until('samples in the engine', async () => ((await metric(metricsPort, SENT)) ?? 0) > 0 || undefined);

    // The outage: the engine goes; the console keeps collecting into its outbox.
    await outageVm.stop();
    await new Promise((r) => setTimeout(r, 5000));
    // The console is killed in the middle of it and started again on the same data.
    await stopConsole('SIGKILL');
    consoleProcess = await serve(dataDir, configFile, metricsPort);
    await new Promise((r) => setTimeout(r, 5000));
    const pendingBefore = await until('the backlog counted', async () => {
      const p = await metric(metricsPort, PENDING);
      return p !== undefined && p > 0 ? p : undefined;
    });
    // The engine comes back: the backlog goes out.
    const back = Date.now();
    await outageVm.start();
    await until('the backlog sent', async () => ((await metric(metricsPort, PENDING)) === 0 ? true : undefined), 120_000);
    const caughtUp = Date.now();
    console.log(`catch-up after a ${Math.round((back - t0) / 1000)} s outage window: ${pendingBefore}+ samples pending, sent in ${caughtUp - back} ms (engine start included)`);
    // A few seconds of sending as usual after it, then compare up to a time everything before was surely sent.
    await new Promise((r) => setTimeout(r, 5000));
    const settled = await until('caught up again', async () => ((await metric(metricsPort, PENDING)) === 0 ? Date.now() : undefined));
    const to = settled - 3000;
    await stopConsole('SIGTERM');

    for (const name of ['node_load1', 'host:memory_used:bytes', 'host:cpu_usage:ratio']) {
      const history = storeSamples(dataDir, { name }, t0 - 60_000, to, {});
      const points = [...history.values()].flat();
      // Samples from before, during and after the outage.
      expect(points.some(([t]) => t < back - 6000)).toBe(true);
      expect(points.some(([t]) => t > back)).toBe(true);
      const vmUrl = outageVm.url;
      const exported = await until(`${name} complete in the engine`, async () => {
        const out: Sampled = new Map();
        for (const row of await victoriaExport(vmUrl, name, { from: t0 - 60_000, to: to - 1 })) {
          const key = keyOf(row.metric);
          expect(out.has(key), `the engine holds ${key} twice`).toBe(false);
          const pairs = row.timestamps.map((t, i) => [t, row.values[i]!] as [number, number]).filter(([t]) => t < to).sort((a, b) => a[0] - b[0]);
          expect(new Set(pairs.map((p) => p[0])).size, `a sample of ${key} twice`).toBe(pairs.length);
          out.set(key, pairs);
        }
        return JSON.stringify(sorted(out)) === JSON.stringify(sorted(history)) ? out : undefined;
      }, 20_000).catch(() => undefined);
      expect(exported && sorted(exported), `${name}: the engine holds what the history holds`).toEqual(sorted(history));
    }
  }, 240_000);
});
