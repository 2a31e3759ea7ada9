// The engines a team runs, started by a test on loopback from Debian's
// packages, each with its files in a temp dir and stopped by PID:
// VictoriaMetrics (`victoria-metrics`), Prometheus as a remote-write receiver
// (`prometheus --web.enable-remote-write-receiver`) and Alertmanager
// (`prometheus-alertmanager`). A missing binary fails loudly with the
// package to install (scripts/ensure-system-deps.sh installs them).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './freePort.js';

export interface RunningEngine {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** Its data dir (kept across stop/start, removed by remove()). */
  readonly dir: string;
  /** Its stdout and stderr so far. */
  output(): string;
  /** Stops the process (SIGTERM, then SIGKILL after 10 s); the data stays for start(). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data dir (after stop). */
  start(): Promise<void>;
  /** Stops it and removes its data dir. */
  remove(): Promise<void>;
}

function requireBinary(command: string, pkg: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8', env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` } });
  const bin = found.stdout.trim();
  if (found.status !== 0 || bin === '') throw new Error(`${command} is not installed; install it with: apt-get install -y ${pkg} (scripts/ensure-system-deps.sh does)`);
  return bin;
}

async function waitReady(url: string, child: ChildProcess, output: () => string, timeoutMs = 30_000, headers: Record<string, string> = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with ${child.exitCode}:\n${output().slice(-3000)}`);
    try {
      const res = await fetch(url, { headers });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} was not ready within ${timeoutMs} ms:\n${output().slice(-3000)}`);
}

function engine(spec: {
  bin: string;
  args: (port: number, dir: string) => string[];
  ready: string;
  prefix: string;
  port?: number;
  prepare?: (dir: string) => void;
  /** Headers the readiness probe sends (an engine behind basic auth answers it 401 otherwise). */
  readyHeaders?: Record<string, string>;
}): () => Promise<RunningEngine> {
  return async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), spec.prefix));
    spec.prepare?.(dir);
    const port = spec.port ?? (await freePort());
    const url = `http://127.0.0.1:${port}`;
    let out = '';
    let child: ChildProcess | undefined;
    const start = async () => {
      child = spawn(spec.bin, spec.args(port, dir), { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
      child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
      await waitReady(`${url}${spec.ready}`, child, () => out, 30_000, spec.readyHeaders);
    };
    const stop = async () => {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    };
    await start();
    return {
      url,
      port,
      dir,
      output: () => out,
      stop,
      start,
      async remove() {
        await stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  };
}

/** VictoriaMetrics single node; `-search.latencyOffset=0s` so the newest samples are queryable at once (it hides 30 s otherwise). */
export function startVictoriaMetrics(options: { port?: number } = {}): Promise<RunningEngine> {
  const bin = requireBinary('victoria-metrics', 'victoria-metrics');
  return engine({
    bin,
    prefix: 'ovl-vm-',
    ready: '/health',
    ...(options.port ? { port: options.port } : {}),
    args: (port, dir) => [
      `-storageDataPath=${path.join(dir, 'data')}`,
      `-httpListenAddr=127.0.0.1:${port}`,
      '-search.latencyOffset=0s',
      '-retentionPeriod=2y',
      '-loggerLevel=ERROR',
    ],
  })();
}

/** Prometheus accepting remote write at /api/v1/write; it scrapes nothing. */
export function startPrometheusReceiver(options: { port?: number } = {}): Promise<RunningEngine> {
  const bin = requireBinary('prometheus', 'prometheus');
  return engine({
    bin,
    prefix: 'ovl-promrw-',
    ready: '/-/ready',
    ...(options.port ? { port: options.port } : {}),
    prepare: (dir) => fs.writeFileSync(path.join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\n'),
    args: (port, dir) => [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      '--log.level=warn',
    ],
  })();
}

/**
 * Alertmanager with the given configuration (YAML), no gossip port.
 * `basicAuth`: its HTTP API behind basic auth, through --web.config.file
 * (Prometheus exporter-toolkit's `basic_auth_users`, user → bcrypt hash;
 * Debian's 0.25 has it); the readiness probe then sends `readyAuth`.
 */
export function startAlertmanager(config: string, options: { port?: number; basicAuth?: { users: Record<string, string>; readyAuth: string } } = {}): Promise<RunningEngine> {
  const bin = requireBinary('prometheus-alertmanager', 'prometheus-alertmanager');
  const webConfig = options.basicAuth
    ? `basic_auth_users:\n${Object.entries(options.basicAuth.users)
        .map(([user, hash]) => `  ${JSON.stringify(user)}: ${JSON.stringify(hash)}`)
        .join('\n')}\n`
    : undefined;
  return engine({
    bin,
    prefix: 'ovl-am-',
    ready: '/-/ready',
    ...(options.port ? { port: options.port } : {}),
    ...(options.basicAuth ? { readyHeaders: { authorization: options.basicAuth.readyAuth } } : {}),
    prepare: (dir) => {
      fs.writeFileSync(path.join(dir, 'alertmanager.yml'), config);
      if (webConfig) fs.writeFileSync(path.join(dir, 'web.yml'), webConfig);
    },
    args: (port, dir) => [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...(webConfig ? [`--web.config.file=${path.join(dir, 'web.yml')}`] : []),
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
  })();
}

/** Every raw sample VictoriaMetrics holds for a series selector, from /api/v1/export (one JSON object per line). */
export async function victoriaExport(url: string, match: string, range: { from: number; to: number }): Promise<{ metric: Record<string, string>; values: number[]; timestamps: number[] }[]> {
  const params = new URLSearchParams({ 'match[]': match, start: String(range.from / 1000), end: String(range.to / 1000) });
  const res = await fetch(`${url}/api/v1/export?${params}`);
  if (!res.ok) throw new Error(`export ${match}: HTTP ${res.status} ${await res.text()}`);
  const text = await res.text();
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { metric: Record<string, string>; values: number[]; timestamps: number[] });
}

/** Every raw sample Prometheus holds for a selector over the last `lookback`, as a range-vector query gives them. */
export async function prometheusRaw(url: string, selector: string, at: number, lookbackMs: number): Promise<{ metric: Record<string, string>; values: [number, string][] }[]> {
  const params = new URLSearchParams({ query: `${selector}[${Math.ceil(lookbackMs / 1000)}s]`, time: String(at / 1000) });
  const res = await fetch(`${url}/api/v1/query?${params}`);
  const body = (await res.json()) as { status: string; data?: { result: { metric: Record<string, string>; values: [number, string][] }[] }; error?: string };
  if (body.status !== 'success') throw new Error(`query ${selector}: ${body.error ?? res.status}`);
  return body.data!.result;
}
