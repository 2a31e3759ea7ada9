// Real SSH servers for the SSH layer's tests (and later the e2e suite):
// OpenSSH sshd and Dropbear on loopback or inside network namespaces, an
// ssh-agent holding a key, and throwaway users and keys. Every process is
// started in the foreground (`sshd -D`, `dropbear -F`, `ssh-agent -D`) so it is
// stopped by its own PID; a process-exit hook kills whatever a crashed test
// left behind and deletes the namespaces it made. Needs root (useradd, ip
// netns), as in CI; see ../../../../shared/testing.md for the recipes.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const SSHD = '/usr/sbin/sshd';
const DROPBEAR = '/usr/sbin/dropbear';
const OPENSSH_SFTP_SERVER = '/usr/lib/openssh/sftp-server';

// ---------------------------------------------------------------------------
// Last-resort cleanup: a failing or killed test still leaves nothing running.

const livePids = new Set<number>();
const liveNamespaces = new Set<string>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const pid of livePids) killTree(pid, 'SIGKILL');
    for (const ns of liveNamespaces) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
    for (const dir of liveDirs) fs.rmSync(dir, { recursive: true, force: true });
  });
}

/** A temp dir readable by the test users (sshd reads authorized_keys as the user). */
export function makeTempDir(prefix: string): string {
  installExitHook();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ovl-ssh-${prefix}-`));
  fs.chmodSync(dir, 0o755);
  liveDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  liveDirs.delete(dir);
}

/** Descendants of a process, read from /proc (children before their own children). */
export function descendantPids(rootPid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // comm may hold spaces and parentheses: the fields after the last ')' are fixed.
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(entry), Number(after[1]));
    } catch {
      // exited while we looked
    }
  }
  const out: number[] = [];
  const queue = [rootPid];
  while (queue.length) {
    const pid = queue.shift()!;
    for (const [child, parent] of parentOf) {
      if (parent === pid) {
        out.push(child);
        queue.push(child);
      }
    }
  }
  return out;
}

function killTree(pid: number, signal: NodeJS.Signals): void {
  for (const p of [pid, ...descendantPids(pid)]) {
    try {
      process.kill(p, signal);
    } catch {
      // already gone
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function tcpAccepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Starts a foreground server, waits until its port accepts, and returns the child. */
async function startForeground(
  command: string,
  args: string[],
  host: string,
  port: number,
  logPath: string,
): Promise<ChildProcess> {
  installExitHook();
  const log = fs.openSync(logPath, 'a');
  const child = spawn(command, args, { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  livePids.add(child.pid);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  try {
    await waitFor(`${path.basename(command)} on ${host}:${port}`, async () => {
      if (exited) {
        throw new Error(`${command} exited at start: ${fs.readFileSync(logPath, 'utf8').slice(-2000)}`);
      }
      return tcpAccepts(host, port);
    });
  } catch (err) {
    killTree(child.pid, 'SIGKILL');
    livePids.delete(child.pid);
    throw err;
  }
  return child;
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  // Session processes (per-connection sshd, the agent under it) are
  // descendants; a stopped server leaves none of them behind.
  killTree(pid, signal);
  await waitFor(`pid ${pid} to exit`, () => !isAlive(pid) || child.exitCode !== null || child.signalCode !== null, 5000).catch(() =>
    killTree(pid, 'SIGKILL'),
  );
  livePids.delete(pid);
}

// ---------------------------------------------------------------------------
// Users and keys

export interface TestUser {
  readonly name: string;
  readonly password: string;
  readonly home: string;
  readonly uid: number;
}

/**
 * Creates the user when missing (idempotent, tolerant of a parallel test file
 * creating it at the same moment) and (re)sets its password and login shell.
 */
export async function ensureTestUser(name = 'ovl-test', password = 'ovl-secret-pw', shell = '/bin/bash'): Promise<TestUser> {
  const entry = async () => run('getent', ['passwd', name]).then((r) => r.stdout.trim().split(':'), () => undefined);
  // Test files run in parallel and may all set up the same user: useradd,
  // usermod and chpasswd take a lock on /etc/passwd and /etc/shadow and fail
  // when another holds it, so retry them for a while.
  const withLockRetry = async (what: () => Promise<unknown>) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await what();
        return;
      } catch (err) {
        if (attempt >= 40) throw err;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
      }
    }
  };
  if (!(await entry())) {
    await withLockRetry(async () => {
      if (await entry()) return;
      await run('useradd', ['-m', '-s', shell, name]);
    });
  }
  if ((await entry())?.[6] !== shell) await withLockRetry(() => run('usermod', ['-s', shell, name]));
  await withLockRetry(
    () =>
      new Promise<void>((resolve, reject) => {
        const child = spawn('chpasswd', [], { stdio: ['pipe', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`chpasswd failed: ${stderr}`))));
        child.stdin.end(`${name}:${password}\n`);
      }),
  );
  const fields = (await entry())!;
  return { name, password, home: fields[5]!, uid: Number(fields[2]) };
}

/** Adds public keys to the user's ~/.ssh/authorized_keys (Dropbear reads only that file). */
export function authorizeInHome(user: TestUser, publicKeys: readonly string[]): void {
  const sshDir = path.join(user.home, '.ssh');
  fs.mkdirSync(sshDir, { recursive: true, mode: 0o700 });
  const file = path.join(sshDir, 'authorized_keys');
  const have = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  for (const key of publicKeys) {
    if (!have.includes(key.trim())) fs.appendFileSync(file, key.trim() + '\n', { mode: 0o600 });
  }
  fs.chownSync(sshDir, user.uid, user.uid);
  fs.chownSync(file, user.uid, user.uid);
  fs.chmodSync(sshDir, 0o700);
  fs.chmodSync(file, 0o600);
}

/** Takes the keys out again (tests call it when done, so the file does not grow run after run). */
export function unauthorizeInHome(user: TestUser, publicKeys: readonly string[]): void {
  const file = path.join(user.home, '.ssh', 'authorized_keys');
  if (!fs.existsSync(file)) return;
  const drop = new Set(publicKeys.map((k) => k.trim()));
  const kept = fs.readFileSync(file, 'utf8').split('\n').filter((line) => line && !drop.has(line.trim()));
  fs.writeFileSync(file, kept.length ? kept.join('\n') + '\n' : '');
}

export interface KeyPair {
  readonly privateKeyPath: string;
  readonly privateKey: string;
  /** The authorized_keys line, "type base64 comment". */
  readonly publicKey: string;
  readonly passphrase?: string;
}

export async function makeKeyPair(dir: string, name: string, options: { passphrase?: string; type?: 'ed25519' | 'ecdsa' | 'rsa' } = {}): Promise<KeyPair> {
  const file = path.join(dir, name);
  const type = options.type ?? 'ed25519';
  await run('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', options.passphrase ?? '', '-C', `${name}@overlook-test`, '-f', file]);
  return {
    privateKeyPath: file,
    privateKey: fs.readFileSync(file, 'utf8'),
    publicKey: fs.readFileSync(file + '.pub', 'utf8').trim(),
    ...(options.passphrase ? { passphrase: options.passphrase } : {}),
  };
}

// ---------------------------------------------------------------------------
// OpenSSH sshd

export interface HostKeyInfo {
  readonly type: string;
  /** base64 of the key blob, as in known_hosts. */
  readonly blob: string;
  readonly path: string;
}

export interface SshServer {
  readonly kind: 'openssh' | 'dropbear';
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  readonly logPath: string;
  hostKey(): HostKeyInfo;
  /** The known_hosts line for this server's current key. */
  knownHostsLine(): string;
  log(): string;
  pid(): number | undefined;
  /** Kills the server and every session under it at once, like a host that dies. */
  crash(): Promise<void>;
  /** Starts again on the same port; with `newHostKey` it generates a fresh host key first. */
  restart(options?: { newHostKey?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

export interface SshdOptions {
  readonly port: number;
  readonly listenAddress?: string;
  /** Public key lines accepted for every user (written to a file in the server's dir). */
  readonly authorizedKeys?: readonly string[];
  readonly netns?: string;
  readonly sftp?: boolean;
  /** Extra sshd_config lines (e.g. "MaxStartups 300"). */
  readonly extraConfig?: readonly string[];
  readonly hostKeyType?: 'ed25519' | 'ecdsa' | 'rsa';
  /**
   * Run sshd in its own PID namespace with its own /proc, so the agents under
   * it see only that server's processes, like a separate host (many simulated
   * hosts on one kernel would otherwise each read every process of all of them).
   */
  readonly pidNamespace?: boolean;
}

function readHostKey(pubPath: string, privPath: string): HostKeyInfo {
  const [type, blob] = fs.readFileSync(pubPath, 'utf8').trim().split(/\s+/);
  return { type: type!, blob: blob!, path: privPath };
}

function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export async function startSshd(options: SshdOptions): Promise<SshServer> {
  const dir = makeTempDir(`sshd-${options.port}`);
  const host = options.listenAddress ?? '127.0.0.1';
  const keyType = options.hostKeyType ?? 'ed25519';
  const logPath = path.join(dir, 'sshd.log');
  const authorizedKeysPath = path.join(dir, 'authorized_keys');
  fs.writeFileSync(authorizedKeysPath, (options.authorizedKeys ?? []).join('\n') + '\n', { mode: 0o644 });
  fs.chmodSync(authorizedKeysPath, 0o644);
  let generation = 0;
  let hostKey: HostKeyInfo;

  async function newHostKey(): Promise<void> {
    generation += 1;
    const file = path.join(dir, `host_${keyType}_${generation}`);
    await run('ssh-keygen', ['-q', '-t', keyType, '-N', '', '-f', file]);
    hostKey = readHostKey(file + '.pub', file);
  }
  await newHostKey();

  function writeConfig(): string {
    const config = path.join(dir, 'sshd_config');
    fs.writeFileSync(
      config,
      [
        // sshd takes the first value of a keyword: extra lines go first so they override.
        ...(options.extraConfig ?? []),
        `Port ${options.port}`,
        `ListenAddress ${host}`,
        `HostKey ${hostKey.path}`,
        `PidFile ${path.join(dir, 'sshd.pid')}`,
        'PubkeyAuthentication yes',
        'PasswordAuthentication yes',
        'KbdInteractiveAuthentication no',
        'UsePAM yes',
        // The authorized_keys file lives in a temp dir under /tmp (mode 1777),
        // which StrictModes rejects.
        'StrictModes no',
        `AuthorizedKeysFile ${authorizedKeysPath}`,
        'LogLevel VERBOSE',
        'MaxAuthTries 6',
        // sshd drops unauthenticated connections at random beyond 10 at once
        // (MaxStartups 10:30:100, sshd_config(5)); tests open more than that.
        'MaxStartups 200',
        'PrintMotd no',
        ...(options.sftp === false ? [] : [`Subsystem sftp ${OPENSSH_SFTP_SERVER}`]),
        '',
      ].join('\n'),
    );
    return config;
  }

  return controlServer({
    kind: 'openssh',
    host,
    port: options.port,
    dir,
    logPath,
    hostKey: () => hostKey,
    newHostKey,
    launch: () => {
      fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
      const config = writeConfig();
      let command = [SSHD, '-D', '-f', config, '-E', logPath];
      if (options.pidNamespace) command = ['unshare', '--pid', '--fork', '--mount-proc', ...command];
      if (options.netns) command = ['ip', 'netns', 'exec', options.netns, ...command];
      return startForeground(command[0]!, command.slice(1), host, options.port, logPath);
    },
  });
}

/** The handle of a started server: its files, its host key, and crash / restart / stop by PID. */
async function controlServer(server: {
  kind: SshServer['kind'];
  host: string;
  port: number;
  dir: string;
  logPath: string;
  hostKey(): HostKeyInfo;
  newHostKey(): Promise<void>;
  launch(): Promise<ChildProcess>;
}): Promise<SshServer> {
  let child: ChildProcess | undefined = await server.launch();
  return {
    kind: server.kind,
    host: server.host,
    port: server.port,
    dir: server.dir,
    logPath: server.logPath,
    hostKey: server.hostKey,
    knownHostsLine: () => `${knownHostsName(server.host, server.port)} ${server.hostKey().type} ${server.hostKey().blob}`,
    log: () => (fs.existsSync(server.logPath) ? fs.readFileSync(server.logPath, 'utf8') : ''),
    pid: () => child?.pid,
    crash: async () => {
      if (child) await stopChild(child, 'SIGKILL');
      child = undefined;
    },
    restart: async (restartOptions = {}) => {
      if (child) await stopChild(child);
      if (restartOptions.newHostKey) await server.newHostKey();
      child = await server.launch();
    },
    stop: async () => {
      if (child) await stopChild(child);
      child = undefined;
      removeTempDir(server.dir);
    },
  };
}

// ---------------------------------------------------------------------------
// Dropbear

export interface DropbearOptions {
  readonly port: number;
  readonly listenAddress?: string;
  /** With false, Dropbear runs in a private mount namespace where its sftp-server path cannot be executed. */
  readonly sftp: boolean;
}

/** Dropbear reads keys from ~/.ssh/authorized_keys only: use authorizeInHome for the user. */
export async function startDropbear(options: DropbearOptions): Promise<SshServer> {
  const dir = makeTempDir(`dropbear-${options.port}`);
  const host = options.listenAddress ?? '127.0.0.1';
  const logPath = path.join(dir, 'dropbear.log');
  let generation = 0;
  let hostKey: HostKeyInfo;

  async function newHostKey(): Promise<void> {
    generation += 1;
    const file = path.join(dir, `dropbear_ed25519_${generation}`);
    const { stdout } = await run('dropbearkey', ['-t', 'ed25519', '-f', file]);
    const line = stdout.split('\n').find((l) => l.startsWith('ssh-ed25519 '));
    if (!line) throw new Error(`dropbearkey printed no public key: ${stdout}`);
    fs.writeFileSync(file + '.pub', line + '\n');
    hostKey = readHostKey(file + '.pub', file);
  }
  await newHostKey();

  return controlServer({
    kind: 'dropbear',
    host,
    port: options.port,
    dir,
    logPath,
    hostKey: () => hostKey,
    newHostKey,
    launch: () => {
      const args = ['-F', '-E', '-r', hostKey.path, '-p', `${host}:${options.port}`, '-P', path.join(dir, 'dropbear.pid')];
      if (options.sftp) return startForeground(DROPBEAR, args, host, options.port, logPath);
      // Debian's dropbear runs /usr/lib/sftp-server (a symlink into
      // openssh-sftp-server). Bind /dev/null over the target in a private mount
      // namespace: the exec fails, exactly as on a host without sftp-server,
      // and nothing outside this server sees the change.
      const script = `mount --make-rprivate / && mount --bind /dev/null ${OPENSSH_SFTP_SERVER} && exec ${DROPBEAR} "$@"`;
      return startForeground('unshare', ['-m', 'sh', '-c', script, 'dropbear', ...args], host, options.port, logPath);
    },
  });
}

// ---------------------------------------------------------------------------
// ssh-agent

export interface TestSshAgent {
  readonly socket: string;
  stop(): Promise<void>;
}

export async function startSshAgent(keys: readonly KeyPair[]): Promise<TestSshAgent> {
  installExitHook();
  const dir = makeTempDir('agent');
  const socket = path.join(dir, 'agent.sock');
  const child = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  if (child.pid === undefined) throw new Error('could not start ssh-agent');
  livePids.add(child.pid);
  await waitFor('ssh-agent socket', () => fs.existsSync(socket));
  for (const key of keys) {
    if (key.passphrase) throw new Error('startSshAgent adds unencrypted keys only');
    await run('ssh-add', ['-q', key.privateKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
  }
  return {
    socket,
    stop: async () => {
      await stopChild(child);
      removeTempDir(dir);
    },
  };
}

// ---------------------------------------------------------------------------
// Network-namespace hosts: 10.200.N.2 inside namespace ovl-sshN, 10.200.N.1 on
// our side of the veth. Only these addresses are ever configured.

export interface NetnsHost {
  readonly name: string;
  readonly address: string;
  readonly hostSideInterface: string;
  /** Takes our side of the link down: a real network fault. */
  cut(): Promise<void>;
  restore(): Promise<void>;
  remove(): Promise<void>;
}

export async function createNetnsHost(n: number): Promise<NetnsHost> {
  if (!Number.isInteger(n) || n < 1 || n > 254) throw new Error(`namespace number must be 1..254, got ${n}`);
  installExitHook();
  const name = `ovl-ssh${n}`;
  const veth = `ovl-sv${n}`;
  // A namespace left by an earlier crashed run would make `ip netns add` fail.
  await run('ip', ['netns', 'del', name]).catch(() => undefined);
  await run('ip', ['link', 'del', veth]).catch(() => undefined);
  await run('ip', ['netns', 'add', name]);
  liveNamespaces.add(name);
  const steps: string[][] = [
    ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', name],
    ['addr', 'add', `10.200.${n}.1/24`, 'dev', veth],
    ['link', 'set', veth, 'up'],
    ['-n', name, 'addr', 'add', `10.200.${n}.2/24`, 'dev', 'eth0'],
    ['-n', name, 'link', 'set', 'eth0', 'up'],
    ['-n', name, 'link', 'set', 'lo', 'up'],
  ];
  for (const step of steps) await run('ip', step);
  return {
    name,
    address: `10.200.${n}.2`,
    hostSideInterface: veth,
    cut: async () => void (await run('ip', ['link', 'set', veth, 'down'])),
    restore: async () => {
      await run('ip', ['link', 'set', veth, 'up']);
      // Taking the link down drops its address's route; bringing it up restores
      // it, but the address itself stays configured.
    },
    remove: async () => {
      await run('ip', ['netns', 'del', name]).catch(() => undefined);
      await run('ip', ['link', 'del', veth]).catch(() => undefined);
      liveNamespaces.delete(name);
    },
  };
}

// ---------------------------------------------------------------------------
// Inspecting the host

/** PIDs of the user's processes whose command line contains `pattern` (pgrep -f). */
export async function pgrepUser(user: string, pattern: string): Promise<number[]> {
  const result = await run('pgrep', ['-u', user, '-f', pattern]).catch((err: { code?: number; stdout?: string }) => {
    if (err.code === 1) return { stdout: '' };
    throw err;
  });
  return result.stdout
    .split('\n')
    .filter(Boolean)
    .map(Number);
}

export { waitFor };
