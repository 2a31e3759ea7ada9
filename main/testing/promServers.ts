// Real Prometheus parts for tests, from Debian's packages, each started by
// the test on loopback (or inside a network namespace the test made) with
// its files under a temp dir, and stopped by PID: node_exporter
// (prometheus-node-exporter), Prometheus in agent mode (prometheus
// --enable-feature=agent) and vmagent (victoria-metrics), the last two
// scraping a node_exporter and remote-writing to the console.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';
export const PROMETHEUS = '/usr/bin/prometheus';
export const VMAGENT = '/usr/bin/vmagent';

function need(binary: string, pkg: string): void {
  if (!fs.existsSync(binary)) throw new Error(`${binary} is missing: apt-get install -y ${pkg} (scripts/ensure-system-deps.sh does it)`);
}

export interface RunningProcess {
  readonly pid: number;
  /** What it printed, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

function startProcess(command: string, args: readonly string[], options: { cwd?: string } = {}): RunningProcess {
  const child: ChildProcess = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'], ...(options.cwd ? { cwd: options.cwd } : {}) });
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid: child.pid!,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves once something accepts TCP connections at host:port (a netns address is reachable from here through its veth). */
export async function waitForPort(host: string, port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface NodeExporterOptions {
  readonly host: string;
  readonly port: number;
  /** Run inside this network namespace (ip netns exec). */
  readonly netns?: string;
  /** A web config file (TLS, basic auth) as node_exporter's --web.config.file reads it. */
  readonly webConfigFile?: string;
}

export async function startNodeExporter(options: NodeExporterOptions): Promise<RunningProcess & { url: string }> {
  need(NODE_EXPORTER, 'prometheus-node-exporter');
  const args = [`--web.listen-address=${options.host}:${options.port}`, ...(options.webConfigFile ? [`--web.config.file=${options.webConfigFile}`] : [])];
  const proc = options.netns ? startProcess('ip', ['netns', 'exec', options.netns, NODE_EXPORTER, ...args]) : startProcess(NODE_EXPORTER, args);
  try {
    await waitForPort(options.host, options.port);
  } catch (err) {
    await proc.stop();
    throw new Error(`${(err as Error).message}; node_exporter said: ${proc.output().slice(-2000)}`);
  }
  const scheme = options.webConfigFile && fs.readFileSync(options.webConfigFile, 'utf8').includes('tls_server_config') ? 'https' : 'http';
  return { ...proc, url: `${scheme}://${options.host}:${options.port}/metrics` };
}

export interface SenderOptions {
  /** Where node_exporter listens (host:port). */
  readonly scrape: string;
  readonly remoteWriteUrl: string;
  readonly token: string;
  readonly scrapeIntervalSeconds: number;
  /** A temp dir of its own (config, WAL or buffer). */
  readonly dir: string;
  /** Prometheus's external_labels (added to every series it sends). */
  readonly externalLabels?: Readonly<Record<string, string>>;
}

/** Prometheus in agent mode: scrapes node_exporter and remote-writes everything, sending a batch at least every second. */
export async function startPrometheusAgent(options: SenderOptions & { listenPort: number }): Promise<RunningProcess> {
  need(PROMETHEUS, 'prometheus');
  fs.writeFileSync(path.join(options.dir, 'token'), options.token, { mode: 0o600 });
  const external = options.externalLabels ? `  external_labels:\n${Object.entries(options.externalLabels).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`).join('\n')}\n` : '';
  fs.writeFileSync(
    path.join(options.dir, 'agent.yml'),
    `global:
  scrape_interval: ${options.scrapeIntervalSeconds}s
${external}scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['${options.scrape}']
remote_write:
  - url: ${options.remoteWriteUrl}
    authorization:
      credentials_file: ${path.join(options.dir, 'token')}
    queue_config:
      batch_send_deadline: 1s
      min_backoff: 200ms
      max_backoff: 2s
`,
  );
  const proc = startProcess(PROMETHEUS, [
    '--enable-feature=agent',
    `--config.file=${path.join(options.dir, 'agent.yml')}`,
    `--storage.agent.path=${path.join(options.dir, 'wal')}`,
    `--web.listen-address=127.0.0.1:${options.listenPort}`,
  ]);
  try {
    await waitForPort('127.0.0.1', options.listenPort, 30_000);
  } catch (err) {
    await proc.stop();
    throw new Error(`${(err as Error).message}; prometheus said: ${proc.output().slice(-2000)}`);
  }
  return proc;
}

/** vmagent: scrapes node_exporter and remote-writes, buffering on disk while the receiver is down. */
export async function startVmagent(options: SenderOptions & { listenPort: number }): Promise<RunningProcess> {
  need(VMAGENT, 'victoria-metrics');
  fs.writeFileSync(path.join(options.dir, 'token'), options.token, { mode: 0o600 });
  fs.writeFileSync(
    path.join(options.dir, 'scrape.yml'),
    `global:
  scrape_interval: ${options.scrapeIntervalSeconds}s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['${options.scrape}']
`,
  );
  const proc = startProcess(VMAGENT, [
    `-promscrape.config=${path.join(options.dir, 'scrape.yml')}`,
    `-remoteWrite.url=${options.remoteWriteUrl}`,
    `-remoteWrite.bearerTokenFile=${path.join(options.dir, 'token')}`,
    `-remoteWrite.tmpDataPath=${path.join(options.dir, 'buffer')}`,
    '-remoteWrite.flushInterval=1s',
    `-httpListenAddr=127.0.0.1:${options.listenPort}`,
  ]);
  try {
    await waitForPort('127.0.0.1', options.listenPort, 30_000);
  } catch (err) {
    await proc.stop();
    throw new Error(`${(err as Error).message}; vmagent said: ${proc.output().slice(-2000)}`);
  }
  return proc;
}

export function makePromTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `ovl-prom-${prefix}-`));
}

/** A Prometheus server (not agent mode) with the given configuration text, its TSDB under `dir`, its API on 127.0.0.1:listenPort. */
export async function startPrometheusServer(options: { dir: string; config: string; listenPort: number }): Promise<RunningProcess & { url: string }> {
  need(PROMETHEUS, 'prometheus');
  fs.writeFileSync(path.join(options.dir, 'prometheus.yml'), options.config);
  const proc = startProcess(PROMETHEUS, [
    `--config.file=${path.join(options.dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${path.join(options.dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${options.listenPort}`,
    '--log.level=warn',
  ]);
  try {
    await waitForPort('127.0.0.1', options.listenPort, 30_000);
  } catch (err) {
    await proc.stop();
    throw new Error(`${(err as Error).message}; prometheus said: ${proc.output().slice(-2000)}`);
  }
  return { ...proc, url: `http://127.0.0.1:${options.listenPort}` };
}

export const BLACKBOX_EXPORTER = '/usr/bin/prometheus-blackbox-exporter';

/** Debian's blackbox_exporter with the given modules file text, on 127.0.0.1:listenPort. */
export async function startBlackboxExporter(options: { dir: string; config: string; listenPort: number }): Promise<RunningProcess & { url: string }> {
  need(BLACKBOX_EXPORTER, 'prometheus-blackbox-exporter');
  fs.writeFileSync(path.join(options.dir, 'blackbox.yml'), options.config);
  const proc = startProcess(BLACKBOX_EXPORTER, [`--config.file=${path.join(options.dir, 'blackbox.yml')}`, `--web.listen-address=127.0.0.1:${options.listenPort}`, '--log.level=warn']);
  try {
    await waitForPort('127.0.0.1', options.listenPort, 30_000);
  } catch (err) {
    await proc.stop();
    throw new Error(`${(err as Error).message}; blackbox_exporter said: ${proc.output().slice(-2000)}`);
  }
  return { ...proc, url: `http://127.0.0.1:${options.listenPort}` };
}

/**
 * What promtool's `check metrics` says about `ours` that it does not also say
 * about a real node_exporter's exposition (`theirs`). node_exporter's names
 * are camelCase where the kernel's are (node_memory_MemTotal_bytes,
 * node_netstat_Tcp_InSegs) and its entropy gauges are in bits, which
 * promtool's lint remarks on in node_exporter's own output too; a family
 * newer than the node_exporter at hand (TcpExt_TCPOFOQueue) meets the same
 * camelCase remark as its siblings.
 */
export function promtoolRemarksBeyondNodeExporter(ours: string, theirs: string): string[] {
  const lint = (text: string) => {
    const run = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    if (run.error) throw new Error(`promtool cannot run (${run.error.message}): apt-get install -y prometheus`);
    return `${run.stdout}${run.stderr}`.split('\n').filter((l) => l.trim() !== '');
  };
  const CAMEL = / metric names should be written in 'snake_case' not 'camelCase'$/;
  const family = (line: string) => line.split('_').slice(0, 2).join('_');
  const theirRemarks = lint(theirs);
  const camelFamilies = new Set(theirRemarks.filter((l) => CAMEL.test(l)).map(family));
  return lint(ours).filter((l) => !theirRemarks.includes(l) && !(CAMEL.test(l) && camelFamilies.has(family(l))));
}
