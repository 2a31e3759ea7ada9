// One SSH connection to a host, possibly through jump hosts (ProxyJump: each
// next hop runs over a direct-tcpip channel, forwardOut, of the previous one,
// passed to ssh2 as `sock`). Every hop's host key is checked against the
// HostKeyStore (or a pin) and is never accepted silently: an unknown key fails
// with HostKeyUnknownError carrying the fingerprint for the UI; a different
// one fails with HostKeyChangedError, which blocks the host.
import fs from 'node:fs';
import ssh2, { type AgentAuthMethod, type Client, type ClientChannel, type ConnectConfig, type PublicKeyAuthMethod, type SFTPWrapper } from 'ssh2';
import type { Duplex } from 'node:stream';
import { HostKeyStore, keyTypeOfBlob, sha256Fingerprint, type HostKeyVerdict } from './knownHosts.js';
import { HostKeyChangedError, HostKeyUnknownError, SshError, classifyConnectError } from './sshErrors.js';

// ssh2 is CommonJS: Node's ESM loader only sees its module.exports as the default export.
const { Client: SshClient, utils: sshUtils } = ssh2;

export type SshAuth =
  | { readonly type: 'key'; readonly keyFile: string; readonly passphrase?: string }
  | { readonly type: 'key'; readonly privateKey: string | Buffer; readonly passphrase?: string; readonly keyFile?: undefined }
  | { readonly type: 'password'; readonly password: string }
  /**
   * What `ssh` offers when no IdentityFile is given (ssh_config(5)): the
   * ssh-agent's keys (`socket`; Pageant on Windows), then each default
   * identity file in `keyFiles` that exists and needs no passphrase.
   */
  | { readonly type: 'agent'; readonly socket?: string; readonly keyFiles?: readonly string[] };

export interface SshEndpoint {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly auth: SshAuth;
  /** "SHA256:…" pin: when set, only this key is accepted and known_hosts is not consulted. */
  readonly hostKeyPin?: string;
}

export type ConnectStep = 'connect' | 'host_key' | 'auth' | 'ready';

export interface ConnectStepReport {
  readonly step: ConnectStep;
  readonly hop: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface ConnectOptions {
  readonly target: SshEndpoint;
  /** Jump hosts in the order traversed (ProxyJump a,b → [a, b]). */
  readonly jumps?: readonly SshEndpoint[];
  readonly hostKeys: HostKeyStore;
  readonly readyTimeoutMs?: number;
  readonly keepaliveIntervalMs?: number;
  readonly keepaliveCountMax?: number;
  readonly onStep?: (report: ConnectStepReport) => void;
  readonly env?: NodeJS.ProcessEnv;
  /** The console's log: why a key file cannot be used goes here, not into the error a caller sees. */
  readonly log?: { warn(message: string, fields?: Record<string, unknown>): void };
}

export interface RunResult {
  readonly stdout: Buffer;
  readonly stderr: string;
  readonly code: number | null;
  readonly signal?: string;
}

export const DEFAULT_KEEPALIVE_INTERVAL_MS = 15_000;
export const DEFAULT_KEEPALIVE_COUNT_MAX = 3;
export const DEFAULT_READY_TIMEOUT_MS = 20_000;

/** Host key algorithms for key types known for this host, so the server presents the key we can check (as OpenSSH orders them). */
function algorithmsForKnownTypes(types: readonly string[]): string[] {
  const out: string[] = [];
  for (const type of types) {
    if (type === 'ssh-rsa') out.push('rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa');
    else if (/^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521))$/.test(type)) out.push(type);
  }
  return out;
}

/** A private key is a few KiB (an RSA-16384 PEM is about 12 KiB): anything larger is not one. */
export const MAX_KEY_FILE_BYTES = 64 * 1024;

/**
 * Reads a key file without ever blocking the event loop or a libuv thread on
 * it: asynchronously, regular files only (a named pipe would block open() and
 * read() until a writer comes; /dev/zero never ends), at most
 * MAX_KEY_FILE_BYTES. The caller may have typed any path: the error says the
 * same "cannot be used as a key file" whether the file is missing, unreadable
 * or not a regular file, so it does not tell whether a path exists; the
 * reason goes to the console's own log only.
 */
async function readKeyFile(file: string, hop: string, log: ConnectOptions['log']): Promise<Buffer> {
  const refuse = (detail: string) => {
    log?.warn(`key file ${file}: ${detail}`);
    return new SshError('config', `${file} cannot be used as a key file (a readable regular file of at most ${MAX_KEY_FILE_BYTES / 1024} KiB holding a private key); the console's log says why.`, hop);
  };
  let handle: fs.promises.FileHandle | undefined;
  try {
    const st = await fs.promises.stat(file);
    if (!st.isFile()) throw refuse(`not a regular file (${fileKind(st)})`);
    // O_NONBLOCK: should the path become a FIFO between stat and open, open() returns at once instead of waiting for a writer.
    handle = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
    const opened = await handle.stat();
    if (!opened.isFile()) throw refuse(`not a regular file (${fileKind(opened)})`);
    if (opened.size > MAX_KEY_FILE_BYTES) throw refuse(`${opened.size} bytes, more than a private key's ${MAX_KEY_FILE_BYTES}`);
    const buffer = Buffer.alloc(MAX_KEY_FILE_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > MAX_KEY_FILE_BYTES) throw refuse(`more than a private key's ${MAX_KEY_FILE_BYTES} bytes`);
    return buffer.subarray(0, length);
  } catch (err) {
    if (err instanceof SshError) throw err;
    throw refuse(`cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

function fileKind(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

async function loadPrivateKey(auth: Extract<SshAuth, { type: 'key' }>, hop: string, log: ConnectOptions['log']): Promise<Buffer | string> {
  const key: Buffer | string = auth.keyFile !== undefined ? await readKeyFile(auth.keyFile, hop, log) : auth.privateKey;
  // Parse up front: ssh2 would otherwise throw from inside connect() with a
  // message that does not say which file or whether it was the passphrase.
  const parsed = sshUtils.parseKey(key, auth.passphrase);
  if (parsed instanceof Error) {
    const what = auth.keyFile ?? 'the private key';
    if (/passphrase|encrypted|decrypt|bad decrypt/i.test(parsed.message)) {
      throw new SshError('auth_failed', auth.passphrase ? `Wrong passphrase for ${what}.` : `${what} is protected by a passphrase; none was given.`, hop);
    }
    throw new SshError('config', `${what} is not a private key ssh2 can read (${parsed.message.slice(0, 80)}).`, hop);
  }
  return key;
}

async function connectConfig(endpoint: SshEndpoint, options: ConnectOptions, hop: string): Promise<ConnectConfig> {
  const config: ConnectConfig = {
    host: endpoint.host,
    port: endpoint.port,
    username: endpoint.username,
    readyTimeout: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    keepaliveInterval: options.keepaliveIntervalMs ?? DEFAULT_KEEPALIVE_INTERVAL_MS,
    keepaliveCountMax: options.keepaliveCountMax ?? DEFAULT_KEEPALIVE_COUNT_MAX,
  };
  const auth = endpoint.auth;
  switch (auth.type) {
    case 'key':
      config.privateKey = await loadPrivateKey(auth, hop, options.log);
      if (auth.passphrase) config.passphrase = auth.passphrase;
      config.authHandler = ['publickey'];
      break;
    case 'password':
      config.password = auth.password;
      // Servers with PasswordAuthentication off often ask through PAM's
      // keyboard-interactive instead; answered with the same password.
      config.tryKeyboard = true;
      config.authHandler = ['password', 'keyboard-interactive'];
      break;
    case 'agent': {
      const env = options.env ?? process.env;
      const socket = auth.socket ?? (process.platform === 'win32' ? 'pageant' : env.SSH_AUTH_SOCK);
      // Tried in ssh's order: the agent's keys, then the default identity files (each a publickey attempt).
      const attempts: (AgentAuthMethod | PublicKeyAuthMethod)[] = [];
      if (socket) attempts.push({ type: 'agent', username: endpoint.username, agent: socket });
      const skipped: string[] = [];
      for (const file of auth.keyFiles ?? []) {
        let key: Buffer;
        try {
          key = fs.readFileSync(file);
        } catch {
          continue;
        }
        // A key with a passphrase cannot be used without one (ssh would ask; the console cannot): left out, and said if nothing else works.
        if (sshUtils.parseKey(key) instanceof Error) {
          skipped.push(file);
          continue;
        }
        attempts.push({ type: 'publickey', username: endpoint.username, key });
      }
      if (attempts.length === 0) {
        throw new SshError(
          'config',
          `No identity to offer: SSH_AUTH_SOCK is not set in the console's environment and ${skipped.length ? `${skipped.join(', ')} need${skipped.length === 1 ? 's' : ''} a passphrase` : `none of ${(auth.keyFiles ?? []).join(', ') || 'the default identity files'} exists`}. Choose a key file (with its passphrase) or a password.`,
          hop,
        );
      }
      config.authHandler = attempts;
      break;
    }
  }
  const known = endpoint.hostKeyPin ? [] : algorithmsForKnownTypes(options.hostKeys.knownTypes(endpoint.host, endpoint.port));
  if (known.length) {
    config.algorithms = { serverHostKey: { remove: known, prepend: known } as never };
  }
  return config;
}

function connectHop(endpoint: SshEndpoint, sock: Duplex | undefined, options: ConnectOptions): Promise<Client> {
  const hop = `${endpoint.host}:${endpoint.port}`;
  const step = (s: ConnectStep, ok: boolean, detail: string) => options.onStep?.({ step: s, hop, ok, detail });
  return connectConfig(endpoint, options, hop).then(
    (config) => handshake(endpoint, sock, options, config, hop, step),
    (err: unknown) => Promise.reject(err instanceof SshError ? err : classifyConnectError(err, hop, endpoint.username)),
  );
}

function handshake(
  endpoint: SshEndpoint,
  sock: Duplex | undefined,
  options: ConnectOptions,
  config: ConnectConfig,
  hop: string,
  step: (s: ConnectStep, ok: boolean, detail: string) => void,
): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new SshClient();
    let keyError: SshError | undefined;
    let keyVerdict: HostKeyVerdict | undefined;
    let settled = false;
    let handshakeDone = false;
    const fail = (err: SshError) => {
      if (settled) return;
      settled = true;
      if (err.kind === 'auth_failed') step('auth', false, err.message);
      else if (err.kind.startsWith('host_key')) step('host_key', false, err.message);
      else if (!handshakeDone) step('connect', false, err.message);
      client.end();
      client.destroy();
      reject(err);
    };
    config.hostVerifier = (key: Buffer): boolean => {
      const keyType = keyTypeOfBlob(key) ?? 'unknown';
      const fingerprint = sha256Fingerprint(key);
      keyVerdict = options.hostKeys.check(endpoint.host, endpoint.port, keyType, key, endpoint.hostKeyPin);
      const details = { host: endpoint.host, port: endpoint.port, keyType, key: key.toString('base64'), fingerprint };
      if (keyVerdict.result === 'match') return true;
      keyError =
        keyVerdict.result === 'unknown'
          ? new HostKeyUnknownError(details)
          : new HostKeyChangedError({ ...details, revoked: keyVerdict.result === 'revoked', decidedBy: keyVerdict.decidedBy });
      return false;
    };
    if (sock) config.sock = sock;
    client.on('connect', () => step('connect', true, sock ? `channel through the jump host to ${hop} open` : `TCP connection to ${hop} established`));
    client.on('handshake', () => {
      handshakeDone = true;
      step('host_key', true, `host key verified (${keyVerdict?.decidedBy === 'pin' ? 'pinned fingerprint' : keyVerdict?.decidedBy === 'console' ? 'accepted in Overlook' : '~/.ssh/known_hosts'})`);
    });
    client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => {
      const password = endpoint.auth.type === 'password' ? endpoint.auth.password : '';
      finish(prompts.map(() => password));
    });
    client.once('ready', () => {
      if (settled) return;
      settled = true;
      step('auth', true, `authenticated as ${endpoint.username} (${endpoint.auth.type})`);
      resolve(client);
    });
    client.on('error', (err) => fail(keyError ?? classifyConnectError(err, hop, endpoint.username)));
    client.on('close', () => fail(keyError ?? new SshError('closed', `${hop} closed the connection during the handshake.`, hop)));
    try {
      client.connect(config);
    } catch (err) {
      fail(classifyConnectError(err, hop, endpoint.username));
    }
  });
}

function forwardOut(client: Client, host: string, port: number): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, host, port, (err, channel) => {
      if (err) {
        // The jump host reports the reason for the next hop as text ("Connection refused").
        reject(classifyConnectError(err, `${host}:${port}`));
      } else resolve(channel);
    });
  });
}

interface ChannelEnd {
  exited?: { code: number | null; signal?: string };
  closed: boolean;
  listeners: (() => void)[];
}

// ssh2 processes a whole TCP read synchronously: a short command's output,
// exit-status and close can all arrive in the same tick as the exec reply,
// before any code awaiting exec() has attached listeners. Data waits in the
// stream's buffer, but 'exit' would be lost; so exec() records it at once.
const channelEnds = new WeakMap<ClientChannel, ChannelEnd>();

function trackChannelEnd(channel: ClientChannel): void {
  const end: ChannelEnd = { closed: false, listeners: [] };
  channelEnds.set(channel, end);
  const notify = () => {
    for (const l of end.listeners.splice(0)) l();
  };
  channel.once('exit', (code: number | null, signal?: string) => {
    end.exited = { code, ...(signal ? { signal } : {}) };
    notify();
  });
  channel.once('close', () => {
    end.closed = true;
    notify();
  });
}

/**
 * Calls back once the channel has closed and its exit status is in. ssh2 may
 * emit 'close' before the exit-status request is processed, so after 'close'
 * 'exit' gets a moment (graceMs) before the callback runs without it.
 */
export function whenExited(channel: ClientChannel, callback: (code: number | null, signal?: string) => void, graceMs = 1000): void {
  const end = channelEnds.get(channel);
  if (!end) throw new Error('whenExited needs a channel opened by SshConnection.exec');
  let called = false;
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    if (called) return;
    if (end.closed && end.exited) {
      called = true;
      clearTimeout(timer);
      callback(end.exited.code, end.exited.signal);
      return;
    }
    if (end.closed && !timer) {
      timer = setTimeout(() => {
        if (called) return;
        called = true;
        callback(end.exited?.code ?? null, end.exited?.signal);
      }, graceMs);
    }
    end.listeners.push(check);
  };
  check();
}

/** Why a stream-local channel could not be opened. */
export class StreamLocalError extends Error {
  constructor(
    /** refused: the server does not do such channels (or not for this user); connect_failed: it tried, the socket said no. */
    readonly kind: 'refused' | 'connect_failed',
    message: string,
  ) {
    super(message);
    this.name = 'StreamLocalError';
  }
}

// RFC 4254 §5.1 open failure reasons: 1 administratively prohibited, 2
// connect failed, 3 unknown channel type. OpenSSH answers 1 when
// AllowStreamLocalForwarding forbids it and 2 when connect() to the socket
// fails; servers without the extension (Dropbear) answer 1 or 3.
function streamLocalError(err: Error & { reason?: number | string }, socketPath: string): StreamLocalError {
  const description = err.message.replace(/^\(SSH\) Channel open failure: /, '');
  if (err.reason === 2) return new StreamLocalError('connect_failed', `the SSH server could not connect to ${socketPath}: ${description || 'connect failed'}`);
  return new StreamLocalError('refused', `the SSH server does not forward to unix sockets (${description || `reason ${String(err.reason)}`})`);
}

/** A live connection (the last hop of a chain). */
export class SshConnection {
  private closed = false;
  private readonly closeListeners: ((err?: SshError) => void)[] = [];
  private lastError: SshError | undefined;

  constructor(
    readonly client: Client,
    /** Every hop, first jump to target. */
    private readonly chain: readonly Client[],
    readonly target: string,
  ) {
    for (const hopClient of chain) {
      hopClient.on('error', (err) => {
        this.lastError = classifyConnectError(err, target);
      });
      hopClient.on('close', () => this.markClosed());
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Called once when any hop goes away, with the error that took it down if there was one (keepalive timeout, reset). */
  onClose(listener: (err?: SshError) => void): void {
    if (this.closed) listener(this.lastError);
    else this.closeListeners.push(listener);
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.chain) c.end();
    for (const listener of this.closeListeners.splice(0)) listener(this.lastError);
  }

  exec(command: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new SshError('closed', `The connection to ${this.target} is closed.`, this.target));
        return;
      }
      try {
        this.client.exec(command, (err, channel) => {
          if (err) {
            reject(classifyConnectError(err, this.target));
            return;
          }
          trackChannelEnd(channel);
          resolve(channel);
        });
      } catch (err) {
        reject(classifyConnectError(err, this.target));
      }
    });
  }

  /** Runs a command to completion, optionally feeding stdin; output capped so a runaway command cannot fill memory. */
  async run(command: string, options: { stdin?: string | Buffer; timeoutMs?: number; maxOutputBytes?: number } = {}): Promise<RunResult> {
    const channel = await this.exec(command);
    const max = options.maxOutputBytes ?? 4 * 1024 * 1024;
    return new Promise((resolve, reject) => {
      const out: Buffer[] = [];
      let outBytes = 0;
      let stderr = '';
      let code: number | null = null;
      let signal: string | undefined;
      const timer = setTimeout(() => {
        channel.close();
        reject(new SshError('timeout', `Command on ${this.target} did not finish within ${options.timeoutMs} ms.`, this.target));
      }, options.timeoutMs ?? 30_000);
      channel.on('data', (d: Buffer) => {
        outBytes += d.length;
        if (outBytes <= max) out.push(d);
      });
      channel.stderr.on('data', (d: Buffer) => {
        if (stderr.length < 64 * 1024) stderr += d.toString('utf8');
      });
      const done = () => {
        clearTimeout(timer);
        resolve({ stdout: Buffer.concat(out), stderr, code, ...(signal ? { signal } : {}) });
      };
      whenExited(channel, (c, s) => {
        code = c;
        if (s) signal = s;
        done();
      });
      if (options.stdin !== undefined) channel.end(options.stdin);
      else channel.end();
    });
  }

  /**
   * A channel to a unix socket on the host (OpenSSH's
   * direct-streamlocal@openssh.com; the container engine's API socket). Fails
   * with a StreamLocalError saying whether the server refuses such channels
   * (Dropbear, `AllowStreamLocalForwarding no`) or could not connect to the socket.
   */
  openStreamLocal(socketPath: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new SshError('closed', `The connection to ${this.target} is closed.`, this.target));
        return;
      }
      try {
        this.client.openssh_forwardOutStreamLocal(socketPath, (err, channel) => {
          if (err) reject(streamLocalError(err as Error & { reason?: number | string }, socketPath));
          else resolve(channel);
        });
      } catch (err) {
        reject(classifyConnectError(err, this.target));
      }
    });
  }

  /**
   * A TCP stream to host:port opened by the host itself (a direct-tcpip
   * channel, RFC 4254 §7.2): the service checks speak HTTP and TLS over it
   * from inside the host's network. Rejects with the host's reason ("Connection refused").
   */
  openTcpStream(host: string, port: number): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new SshError('closed', `The connection to ${this.target} is closed.`, this.target));
        return;
      }
      try {
        this.client.forwardOut('127.0.0.1', 0, host, port, (err, channel) => {
          if (err) reject(new Error(`${this.target} could not connect to ${host}:${port}: ${err.message.replace(/^\(SSH\) Channel open failure: /, '') || 'refused'}`));
          else resolve(channel);
        });
      } catch (err) {
        reject(classifyConnectError(err, this.target));
      }
    });
  }

  sftp(): Promise<SFTPWrapper> {
    return new Promise((resolve, reject) => {
      this.client.sftp((err, sftp) => (err ? reject(err) : resolve(sftp)));
    });
  }

  close(): void {
    for (const c of [...this.chain].reverse()) c.end();
    this.markClosed();
  }
}

/** Connects to the target through its jump hosts; rejects with an SshError (or a host-key error subclass). */
export async function connectSsh(options: ConnectOptions): Promise<SshConnection> {
  const hops = [...(options.jumps ?? []), options.target];
  const chain: Client[] = [];
  try {
    let sock: Duplex | undefined;
    for (let i = 0; i < hops.length; i++) {
      const hop = hops[i]!;
      if (i > 0) {
        sock = await forwardOut(chain[i - 1]!, hop.host, hop.port);
        options.onStep?.({ step: 'connect', hop: `${hop.host}:${hop.port}`, ok: true, detail: `jump host ${hops[i - 1]!.host} opened a channel to ${hop.host}:${hop.port}` });
      }
      chain.push(await connectHop(hop, sock, options));
    }
  } catch (err) {
    for (const c of chain.reverse()) c.end();
    throw err instanceof SshError ? err : classifyConnectError(err, `${options.target.host}:${options.target.port}`);
  }
  options.onStep?.({ step: 'ready', hop: `${options.target.host}:${options.target.port}`, ok: true, detail: 'connected' });
  return new SshConnection(chain[chain.length - 1]!, chain, `${options.target.host}:${options.target.port}`);
}
