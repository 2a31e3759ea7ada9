// A real dockerd for the container tests (see shared/testing.md): its own
// data root, exec root, pid file and socket under a temp dir, the cgroupfs
// driver, no bridge, no iptables, no IP forwarding changes; a busybox image
// made from Debian's busybox-static with `docker import` (no registry is
// reachable). stop() — and a process-exit hook, should a test crash — removes
// its containers, stops dockerd and its containerd by PID, unmounts what it
// mounted under the temp dir, removes the cgroups its containers left and
// the temp dir. Needs root, as in CI.
import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ContainerRow } from '../common/contract.js';
import type { Sample } from '../common/series.js';
import { deriveSamples } from '../core/derive/observation.js';
import type { HostObservation } from '../core/model/observation.js';
import type { HostSource } from '../core/model/hostSource.js';
import { engineGet } from '../core/containers/engineHttp.js';
import { openUnixSocket } from '../core/containers/localEngine.js';

const run = promisify(execFile);

export const DOCKERD = '/usr/sbin/dockerd';
/** Debian's client from docker.io; a newer one elsewhere on PATH would negotiate down, but the tests pin what CI installs. */
export const DOCKER_CLI = '/usr/bin/docker';
export const TEST_IMAGE = 'ovl/busybox';
const CGROUP_ROOT = '/sys/fs/cgroup';

export interface TestDockerd {
  readonly dir: string;
  readonly socket: string;
  readonly pid: number;
  readonly image: string;
  /** `docker -H unix://SOCKET ARGS…`; resolves with stdout, rejects with stderr. */
  docker(...args: string[]): Promise<string>;
  /** The host pid of a running container's init. */
  pidOf(container: string): Promise<number>;
  log(): string;
  stop(): Promise<void>;
}

/** Where an engine under test keeps its containers' cgroups (the cgroupfs driver's parent) and their ids. */
interface EngineLayout {
  /** The parent cgroup, e.g. `docker` or `libpod_parent`. */
  readonly parent: string;
  /** A container's cgroup name under the parent. */
  readonly leaf: (id: string) => string;
  /** Directories under the parent that are the engine's own (Podman's conmon). */
  readonly extra: readonly string[];
  /** The ids of its containers, from its data dir (works when the engine is dead). */
  readonly ids: (dir: string) => string[];
}

interface Live {
  dir: string;
  pid: number;
  layout: EngineLayout;
}
const live = new Set<Live>();
let hookInstalled = false;

function installExitHook(): void {
  if (hookInstalled) return;
  hookInstalled = true;
  process.once('exit', () => {
    for (const l of live) cleanupSync(l);
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Processes whose command line names the temp dir: the engine, its containerd or conmons, the shims. */
function pidsUsing(dir: string): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dir)) out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}

function mountsUnder(dir: string): string[] {
  return fs
    .readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((m): m is string => m !== undefined && (m === dir || m.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
}

function hierarchies(): string[] {
  try {
    return fs.readdirSync(CGROUP_ROOT).map((h) => path.join(CGROUP_ROOT, h));
  } catch {
    return [];
  }
}

/**
 * Container cgroups the engine (cgroupfs driver) leaves in every v1
 * hierarchy and in the empty cgroup2 at unified/. The parent is removed only
 * when empty: another test's engine may still have containers there.
 */
function removeEngineCgroups(layout: EngineLayout, ids: readonly string[]): void {
  for (const h of hierarchies()) {
    for (const name of [...ids.map(layout.leaf), ...layout.extra]) {
      try {
        fs.rmdirSync(path.join(h, layout.parent, name));
      } catch {
        // not there, or still busy
      }
    }
    try {
      fs.rmdirSync(path.join(h, layout.parent));
    } catch {
      // not there, or another engine's containers are in it
    }
  }
}

function idsIn(dir: string): string[] {
  try {
    return fs.readdirSync(dir).filter((n) => /^[0-9a-f]{64}$/.test(n));
  } catch {
    return [];
  }
}

const DOCKER_LAYOUT: EngineLayout = { parent: 'docker', leaf: (id) => id, extra: [], ids: (dir) => idsIn(path.join(dir, 'data', 'containers')) };
const PODMAN_LAYOUT: EngineLayout = {
  parent: 'libpod_parent',
  leaf: (id) => `libpod-${id}`,
  extra: ['conmon'],
  ids: (dir) => idsIn(path.join(dir, 'root', 'overlay-containers')),
};

function killAll(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function cleanupSync(l: Live): void {
  const ids = l.layout.ids(l.dir);
  killAll(pidsUsing(l.dir));
  // A container's own processes are not children of the shim once it is
  // killed: kill by cgroup, until the cgroups are empty (a killed task takes
  // a moment to leave), so they can be removed.
  const tasks = () =>
    [...ids.map(l.layout.leaf), ...l.layout.extra].flatMap((name) => {
      try {
        return fs.readFileSync(path.join(CGROUP_ROOT, 'pids', l.layout.parent, name, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
      } catch {
        return [];
      }
    });
  for (let i = 0; i < 40; i++) {
    const left = tasks();
    if (left.length === 0) break;
    killAll(left);
    sleepSync(50);
  }
  for (const m of mountsUnder(l.dir)) {
    try {
      execFileSync('umount', ['-l', m], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
  removeEngineCgroups(l.layout, ids);
  fs.rmSync(l.dir, { recursive: true, force: true });
  live.delete(l);
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function readLog(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

interface EngineLaunch {
  readonly what: string;
  readonly dir: string;
  readonly socket: string;
  readonly logPath: string;
  readonly layout: EngineLayout;
  readonly cli: (...args: string[]) => Promise<string>;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Starts the engine in its own process group with its log in the temp dir,
 * waits for its socket, and imports the busybox image; on any failure
 * everything it made is removed before the error is thrown.
 */
async function launchEngine(e: EngineLaunch): Promise<Live> {
  const logFd = fs.openSync(e.logPath, 'a');
  const child = spawn(e.command, [...e.args], { ...(e.env ? { env: e.env } : {}), stdio: ['ignore', logFd, logFd], detached: true });
  fs.closeSync(logFd);
  if (child.pid === undefined) throw new Error(`could not start ${e.what}`);
  const l: Live = { dir: e.dir, pid: child.pid, layout: e.layout };
  live.add(l);
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    await waitForEngine(e.what, e.socket, () => (exited ? readLog(e.logPath) : undefined));
    await e.cli('import', await busyboxRootfsTar(e.dir), TEST_IMAGE);
  } catch (err) {
    cleanupSync(l);
    throw err;
  }
  return l;
}

/** Removes the containers (while the engine still can), stops it by PID, then cleans up what is left. */
async function stopEngine(l: Live, what: string, removeContainers: () => Promise<unknown>): Promise<void> {
  if (!live.has(l)) return;
  // An engine already unwell cannot remove them: the kills below do it.
  await removeContainers().catch(() => {});
  try {
    process.kill(l.pid, 'SIGTERM');
    await waitFor(`${what} to exit`, () => !alive(l.pid), 20_000);
  } catch {
    // cleanupSync kills what is left
  }
  cleanupSync(l);
}

/** Waits until the engine answers /_ping on its socket; `failed` says why when its process died. */
async function waitForEngine(what: string, socket: string, failed: () => string | undefined): Promise<void> {
  await waitFor(
    `${what} to answer on its socket`,
    async () => {
      const why = failed();
      if (why !== undefined) throw new Error(`${what} exited at start: ${why.slice(-2000)}`);
      return engineGet(() => openUnixSocket(socket), '/_ping', { timeoutMs: 1000, maxBytes: 100, target: socket }).then(
        (body) => body === 'OK',
        () => false,
      );
    },
    30_000,
  );
}

/** `BIN BASE… ARGS…` with the engine's environment; resolves with stdout, rejects with stderr. */
function cliRunner(bin: string, base: readonly string[], env?: NodeJS.ProcessEnv): (...args: string[]) => Promise<string> {
  return async (...args) => {
    try {
      return (await run(bin, [...base, ...args], { ...(env ? { env } : {}), maxBuffer: 64 * 1024 * 1024 })).stdout;
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`${path.basename(bin)} ${args.join(' ')}: ${(e.stderr ?? e.message).trim()}`);
    }
  };
}

/** `--label` arguments for the label set the kubelet puts on a pod's container (dockershim, cri-dockerd). */
export function kubernetesLabelArgs(pod: string, namespace: string, container: string): string[] {
  return ['--label', `io.kubernetes.pod.name=${pod}`, '--label', `io.kubernetes.pod.namespace=${namespace}`, '--label', `io.kubernetes.container.name=${container}`];
}

/** A tar of busybox-static with its applets linked, as `docker import` takes it. */
async function busyboxRootfsTar(dir: string): Promise<string> {
  const root = path.join(dir, 'rootfs');
  fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
  fs.copyFileSync('/bin/busybox', path.join(root, 'bin', 'busybox'));
  fs.chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
  await run('chroot', [root, '/bin/busybox', '--install', '-s', '/bin']);
  for (const d of ['tmp', 'proc', 'sys', 'dev', 'etc']) fs.mkdirSync(path.join(root, d), { recursive: true });
  const tar = path.join(dir, 'busybox.tar');
  await run('tar', ['-C', root, '-cf', tar, '.']);
  return tar;
}

export interface TestDockerdOptions {
  /** The socket's group (dockerd --group), as the docker group on a real host; default root (0660 root:root). */
  readonly group?: string;
}

/** A system group, made if missing (idempotent, tolerant of a parallel test making it). */
export async function ensureGroup(name: string): Promise<void> {
  try {
    await run('getent', ['group', name]);
  } catch {
    await run('groupadd', ['-f', '--system', name]);
  }
}

/**
 * Checks what an engine under test needs (root, its binaries: says which
 * Debian package is missing) and makes its temp dir, traversable by the SSH
 * test users who reach its socket.
 */
function prepareEngine(what: string, name: string, binaries: readonly (readonly [bin: string, pkg: string])[]): string {
  if (process.getuid?.() !== 0) throw new Error(`a test ${what} needs root`);
  for (const [bin, pkg] of [...binaries, ['/bin/busybox', 'busybox-static'] as const]) {
    if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: apt-get install -y --no-install-recommends ${pkg} (scripts/ensure-system-deps.sh does)`);
  }
  installExitHook();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ovl-ctr-${name}-`));
  fs.chmodSync(dir, 0o755);
  return dir;
}

export async function startTestDockerd(name: string, options: TestDockerdOptions = {}): Promise<TestDockerd> {
  const dir = prepareEngine('dockerd', name, [
    [DOCKERD, 'docker.io'],
    [DOCKER_CLI, 'docker.io'],
  ]);
  const socket = path.join(dir, 'docker.sock');
  const logPath = path.join(dir, 'dockerd.log');
  const docker = cliRunner(DOCKER_CLI, ['-H', `unix://${socket}`]);
  const l = await launchEngine({
    what: 'dockerd',
    dir,
    socket,
    logPath,
    layout: DOCKER_LAYOUT,
    cli: docker,
    command: DOCKERD,
    args: [
      '--data-root', path.join(dir, 'data'),
      '--exec-root', path.join(dir, 'exec'),
      '--pidfile', path.join(dir, 'dockerd.pid'),
      '-H', `unix://${socket}`,
      '--bridge=none',
      '--iptables=false',
      '--ip6tables=false',
      '--ip-forward=false',
      '--ip-masq=false',
      '--storage-driver=overlay2',
      '--exec-opt', 'native.cgroupdriver=cgroupfs',
      '--group', options.group ?? 'root',
    ],
  });
  const log = () => readLog(logPath);

  return {
    dir,
    socket,
    pid: l.pid,
    image: TEST_IMAGE,
    docker,
    async pidOf(container) {
      return Number((await docker('inspect', '--format', '{{.State.Pid}}', container)).trim());
    },
    log,
    async stop() {
      await stopEngine(l, 'dockerd', async () => {
        const ids = (await docker('ps', '-aq', '--no-trunc')).split('\n').filter(Boolean);
        if (ids.length) await docker('rm', '-f', ...ids);
      });
    },
  };
}

// ---------------------------------------------------------------------------
// Podman, rootful, with runc and the cgroupfs manager (crun refuses this
// hybrid layout), its storage and runtime dirs under the temp dir, and
// explicit ulimits (its defaults ask for more than this machine allows).

export const PODMAN = '/usr/bin/podman';

export interface TestPodman {
  readonly dir: string;
  readonly socket: string;
  readonly image: string;
  podman(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startTestPodman(name: string): Promise<TestPodman> {
  const dir = prepareEngine('podman', name, [
    [PODMAN, 'podman'],
    ['/usr/sbin/runc', 'runc'],
  ]);
  const socket = path.join(dir, 'podman.sock');
  const conf = path.join(dir, 'containers.conf');
  const storage = path.join(dir, 'storage.conf');
  fs.writeFileSync(
    conf,
    [
      '[containers]',
      'default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]',
      'netns = "none"',
      '[engine]',
      'cgroup_manager = "cgroupfs"',
      'runtime = "runc"',
      'events_logger = "file"',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(storage, ['[storage]', 'driver = "overlay"', `runroot = "${dir}/run"`, `graphroot = "${dir}/root"`, ''].join('\n'));
  const env = { ...process.env, CONTAINERS_CONF: conf, CONTAINERS_STORAGE_CONF: storage };
  const base = ['--root', path.join(dir, 'root'), '--runroot', path.join(dir, 'run'), '--tmpdir', path.join(dir, 'tmp')];
  const podman = cliRunner(PODMAN, base, env);
  const l = await launchEngine({
    what: 'podman system service',
    dir,
    socket,
    logPath: path.join(dir, 'service.log'),
    layout: PODMAN_LAYOUT,
    cli: podman,
    command: PODMAN,
    args: [...base, 'system', 'service', '--time=0', `unix://${socket}`],
    env,
  });
  return {
    dir,
    socket,
    image: TEST_IMAGE,
    podman,
    async stop() {
      await stopEngine(l, 'podman system service', () => podman('rm', '-f', '-a', '-t', '0'));
    },
  };
}

// ---------------------------------------------------------------------------
// Watching a source until its containers look as expected


export interface Watched {
  readonly observation: HostObservation;
  readonly rows: ContainerRow[];
  readonly samples: Sample[];
  readonly statuses: string[];
}

/**
 * Runs the source, derives every observation as the core does, and resolves
 * with the first one for which `done` holds (or rejects with the last rows
 * seen, so a failure shows what was there). The source is stopped either way.
 */
export async function watchContainers(
  source: HostSource,
  done: (w: Watched) => boolean,
  options: { timeoutMs?: number; host?: string } = {},
): Promise<Watched> {
  const statuses: string[] = [];
  let prev: HostObservation | undefined;
  let last: Watched | undefined;
  try {
    return await new Promise<Watched>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`containers never looked as expected; statuses ${statuses.join(', ')}; last rows: ${JSON.stringify(last?.rows.map((r) => ({ name: r.name, state: r.state, cpu: r.cpuCores, net: r.networkRxBytesRate })) ?? null)}; note ${JSON.stringify(last?.observation.containers?.engine?.note ?? null)}`));
      }, options.timeoutMs ?? 30_000);
      source.start({
        observation(obs) {
          const derived = deriveSamples(prev, obs, options.host ?? 'test');
          prev = obs;
          last = { observation: obs, rows: derived.containers?.rows ?? [], samples: derived.samples, statuses };
          if (done(last)) {
            clearTimeout(timer);
            resolve(last);
          }
        },
        status(status, detail) {
          statuses.push(detail ? `${status} (${detail})` : status);
        },
      });
    });
  } finally {
    await source.stop();
  }
}
