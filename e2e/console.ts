// Starts a real `overlook serve` for a spec: its own data dir, a free port,
// the URL (with token) read from its stdout. Stopped by PID afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const artifactsDir = path.join(repoRoot, 'e2e', 'artifacts');

/** A module of the built product (npm run build), e.g. `core/ssh/knownHosts.js`. */
export const fromDist = async <T>(rel: string): Promise<T> => (await import(pathToFileURL(path.join(repoRoot, 'dist', 'main', rel)).href)) as T;
/** A test harness (main/testing), built apart from the product by npm run build:test-support, which npm test runs. */
export const fromTestSupport = async <T>(rel: string): Promise<T> => (await import(pathToFileURL(path.join(repoRoot, 'dist-test', 'main', 'testing', rel)).href)) as T;

/** The SSH layer's test harness (main/testing/sshServers.ts: sshd, Dropbear, network-namespace hosts, a test user), loaded from the test build. */
export type SshHarness = typeof import('../main/testing/sshServers.js');
export const loadSshHarness = (): Promise<SshHarness> => fromTestSupport<SshHarness>('sshServers.js');

export interface RunningConsole {
  url: string;
  origin: string;
  port: number;
  token: string;
  dataDir: string;
  output: () => string;
  /** Stops the console; its data dir is removed unless `keepData` (a restart of the same console follows). */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export async function startConsole(
  options: {
    args?: string[];
    env?: Record<string, string>;
    /** Runs on the empty data dir before the console starts (seeding history). */
    prepare?: (dataDir: string) => Promise<void> | void;
    /** An existing data dir (a restart); default a fresh temp dir. */
    dataDir?: string;
    /** Default 0: a free port. */
    port?: number;
  } = {},
): Promise<RunningConsole> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-e2e-'));
  await options.prepare?.(dataDir);
  const child: ChildProcess = spawn(process.execPath, [path.join(repoRoot, 'scripts', 'overlook.js'), 'serve', '--port', String(options.port ?? 0), '--data', dataDir, ...(options.args ?? [])], {
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`overlook serve printed no URL within 30 s:\n${out}`)), 30_000);
    const check = () => {
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+/);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => reject(new Error(`overlook serve exited with ${code}:\n${out}`)));
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    port: Number(parsed.port),
    token: parsed.searchParams.get('token')!,
    dataDir,
    output: () => out,
    async stop(stopOptions = {}) {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      if (!stopOptions.keepData) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function screenshotPath(name: string): string {
  fs.mkdirSync(artifactsDir, { recursive: true });
  return path.join(artifactsDir, `${name}.png`);
}
