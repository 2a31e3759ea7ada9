// `overlook serve` as a real process, with the real agent reading this
// machine's /proc: the /metrics exporter is there with --metrics-listen or
// the provisioning file's `export:` section, and absent otherwise. Runs the
// built CLI (dist/), like the e2e suite: `npm run build` first.
import { freePort } from './testing/freePort.js';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const cli = path.join(repoRoot, 'scripts', 'overlook.js');

interface Serve {
  child: ChildProcess;
  consolePort: number;
  output: () => string;
}

const running: { child: ChildProcess; dataDir: string }[] = [];
afterEach(async () => {
  for (const { child, dataDir } of running.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

beforeAll(() => {
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'main', 'cli.js'))) throw new Error('dist/main/cli.js is missing: run `npm run build` before this test');
});

async function serve(args: string[], env: Record<string, string> = {}, files: Record<string, string> = {}): Promise<Serve> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-cli-metrics-'));
  const resolvedArgs = args.map((a) => a.replace('$DATA', dataDir));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dataDir, name), text);
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--data', dataDir, ...resolvedArgs], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push({ child, dataDir });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const consolePort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`overlook serve printed no URL within 30 s:\n${out}`)), 30_000);
    child.stdout!.on('data', () => {
      const m = /http:\/\/127\.0\.0\.1:(\d+)\/\?token=/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`overlook serve exited with ${code}:\n${out}`));
    });
  });
  return { child, consolePort, output: () => out };
}


/** TCP ports the process listens on, from its socket inodes and /proc/net/tcp{,6} (state 0A = LISTEN). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // The fd closed between readdir and readlink.
    }
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[3] === '0A' && inodes.has(f[9]!)) ports.add(parseInt(f[1]!.split(':')[1]!, 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}

async function pollMetrics(url: string, headers: Record<string, string>, until: (text: string) => boolean, ms = 30_000): Promise<string> {
  const end = Date.now() + ms;
  let last = '';
  while (Date.now() < end) {
    const res = await fetch(url, { headers });
    last = `${res.status}\n${await res.text()}`;
    if (res.status === 200 && until(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`/metrics never matched within ${ms} ms; last answer:\n${last.slice(0, 2000)}`);
}

const CPU_LOCAL = /^node_cpu_seconds_total\{[^}]*\bhost="local"[^}]*\} \d/m;
const UP_LOCAL = /^overlook_host_up\{host="local"\} 1$/m;

describe('overlook serve and /metrics', () => {
  it('serves this machine under node_exporter names with --metrics-listen', async () => {
    const metricsPort = await freePort();
    const s = await serve(['--metrics-listen', `127.0.0.1:${metricsPort}`]);
    const text = await pollMetrics(`http://127.0.0.1:${metricsPort}/metrics`, {}, (t) => CPU_LOCAL.test(t) && UP_LOCAL.test(t));
    expect(text).toMatch(CPU_LOCAL);
    expect(text).toMatch(UP_LOCAL);
    expect(text).toMatch(/^node_memory_MemAvailable_bytes\{host="local"\} \d/m);
    expect(text).toMatch(/^overlook_samples_ingested_total \d/m);
    expect(listeningPorts(s.child.pid!)).toEqual([s.consolePort, metricsPort].sort((a, b) => a - b));
  });

  it('listens on nothing but the console without the flag', async () => {
    const s = await serve([]);
    // Let the core finish starting (the local host's first sample) before looking.
    await new Promise((r) => setTimeout(r, 1500));
    expect(listeningPorts(s.child.pid!)).toEqual([s.consolePort]);
    expect(s.output()).not.toMatch(/metrics exporter listening/);
  });

  it('refuses a malformed --metrics-listen with a usage error', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-cli-metrics-'));
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--data', dataDir, '--metrics-listen', '127.0.0.1:99999'], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.push({ child, dataDir });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(err).toMatch(/--metrics-listen "127\.0\.0\.1:99999": the port must be a whole number from 1 to 65535/);
  });

  it('enforces the token named by token_env in the provisioning file', async () => {
    const metricsPort = await freePort();
    const token = 'cli-test-token-0123456789abcdef';
    const s = await serve(['--config', '$DATA/overlook.yaml'], { OVL_CLI_METRICS_TOKEN: token }, {
      'overlook.yaml': `version: 1\nexport:\n  listen: 127.0.0.1:${metricsPort}\n  token_env: OVL_CLI_METRICS_TOKEN\n`,
    });
    const url = `http://127.0.0.1:${metricsPort}/metrics`;
    const text = await pollMetrics(url, { authorization: `Bearer ${token}` }, (t) => UP_LOCAL.test(t));
    expect(text).toMatch(UP_LOCAL);
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer not-the-token-0123456789' } })).status).toBe(401);
    expect(s.output()).not.toContain(token);
  });
});
