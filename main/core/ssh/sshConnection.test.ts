// connectSsh against real OpenSSH servers on loopback (ports 22200–22209).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostKeyStore, hashedHostField } from './knownHosts.js';
import { connectSsh, type ConnectStepReport, type SshEndpoint } from './sshConnection.js';
import { HostKeyChangedError, HostKeyUnknownError, SshError } from './sshErrors.js';
import {
  ensureTestUser,
  makeKeyPair,
  makeTempDir,
  removeTempDir,
  startSshAgent,
  startSshd,
  type KeyPair,
  type SshServer,
  type TestSshAgent,
  type TestUser,
} from '../../testing/sshServers.js';

const TARGET_PORT = 22200;
const JUMP_PORT = 22201;
const SILENT_PORT = 22208;
const CLOSED_PORT = 22209;
const PASSPHRASE = 'correct horse battery';

let dir: string;
let user: TestUser;
let plainKey: KeyPair;
let protectedKey: KeyPair;
let agentKey: KeyPair;
let target: SshServer;
let jump: SshServer;
let agent: TestSshAgent;
let trusting: HostKeyStore;

function expectSshError(err: unknown, kind: string): SshError {
  expect(err).toBeInstanceOf(SshError);
  expect((err as SshError).kind).toBe(kind);
  return err as SshError;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the connection to fail');
}

function endpoint(port: number, auth: SshEndpoint['auth'], extra: Partial<SshEndpoint> = {}): SshEndpoint {
  return { host: '127.0.0.1', port, username: user.name, auth, ...extra };
}

function fingerprintBySshKeygen(pubFile: string): string {
  // "256 SHA256:xxxx comment (ED25519)"
  return execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubFile], { encoding: 'utf8' }).split(' ')[1]!;
}

beforeAll(async () => {
  dir = makeTempDir('conn-test');
  user = await ensureTestUser();
  plainKey = await makeKeyPair(dir, 'plain');
  protectedKey = await makeKeyPair(dir, 'protected', { passphrase: PASSPHRASE });
  agentKey = await makeKeyPair(dir, 'agent', { type: 'ecdsa' });
  const authorizedKeys = [plainKey.publicKey, protectedKey.publicKey, agentKey.publicKey];
  target = await startSshd({ port: TARGET_PORT, authorizedKeys });
  // DEBUG1 so the jump host logs the direct-tcpip target it opened.
  jump = await startSshd({ port: JUMP_PORT, authorizedKeys, extraConfig: ['LogLevel DEBUG1'] });
  agent = await startSshAgent([agentKey]);
  const knownHosts = path.join(dir, 'trusted_known_hosts');
  fs.writeFileSync(knownHosts, [target.knownHostsLine(), jump.knownHostsLine()].join('\n') + '\n');
  trusting = new HostKeyStore({ consoleFile: path.join(dir, 'console_known_hosts'), userFiles: [knownHosts] });
});

afterAll(async () => {
  await Promise.allSettled([target?.stop(), jump?.stop(), agent?.stop()]);
  if (dir) removeTempDir(dir);
});

describe('authentication', () => {
  it('logs in with a key file and runs a command', async () => {
    const steps: ConnectStepReport[] = [];
    const conn = await connectSsh({ target: endpoint(TARGET_PORT, { type: 'key', keyFile: plainKey.privateKeyPath }), hostKeys: trusting, onStep: (s) => steps.push(s) });
    try {
      const result = await conn.run('id -un');
      expect(result.stdout.toString().trim()).toBe(user.name);
      expect(result.code).toBe(0);
    } finally {
      conn.close();
    }
    expect(steps.map((s) => `${s.step}:${s.ok}`)).toEqual(['connect:true', 'host_key:true', 'auth:true', 'ready:true']);
  });

  it('logs in with a passphrase-protected key, and says which problem a wrong or missing passphrase is', async () => {
    const conn = await connectSsh({ target: endpoint(TARGET_PORT, { type: 'key', keyFile: protectedKey.privateKeyPath, passphrase: PASSPHRASE }), hostKeys: trusting });
    expect((await conn.run('echo ok')).stdout.toString()).toBe('ok\n');
    conn.close();

    const wrong = expectSshError(await failure(connectSsh({ target: endpoint(TARGET_PORT, { type: 'key', keyFile: protectedKey.privateKeyPath, passphrase: 'nope-nope' }), hostKeys: trusting })), 'auth_failed');
    expect(wrong.message).toContain('Wrong passphrase');
    expect(wrong.message).not.toContain('nope-nope');
    const missing = expectSshError(await failure(connectSsh({ target: endpoint(TARGET_PORT, { type: 'key', keyFile: protectedKey.privateKeyPath }), hostKeys: trusting })), 'auth_failed');
    expect(missing.message).toContain('passphrase');
  });

  it('logs in with a password; a wrong one is auth_failed without the password in the message', async () => {
    const conn = await connectSsh({ target: endpoint(TARGET_PORT, { type: 'password', password: user.password }), hostKeys: trusting });
    expect((await conn.run('id -un')).stdout.toString().trim()).toBe(user.name);
    conn.close();
    const err = expectSshError(await failure(connectSsh({ target: endpoint(TARGET_PORT, { type: 'password', password: 'wrong-secret-123' }), hostKeys: trusting })), 'auth_failed');
    expect(err.message).not.toContain('wrong-secret-123');
    expect(err.message).toContain(user.name);
  });

  it('logs in through ssh-agent, and reports a missing agent as a config problem', async () => {
    const conn = await connectSsh({ target: endpoint(TARGET_PORT, { type: 'agent', socket: agent.socket }), hostKeys: trusting });
    expect((await conn.run('id -un')).stdout.toString().trim()).toBe(user.name);
    conn.close();
    const viaEnv = await connectSsh({ target: endpoint(TARGET_PORT, { type: 'agent' }), hostKeys: trusting, env: { SSH_AUTH_SOCK: agent.socket } });
    viaEnv.close();
    expectSshError(await failure(connectSsh({ target: endpoint(TARGET_PORT, { type: 'agent' }), hostKeys: trusting, env: {} })), 'config');
  });

  it('without an agent offers the default identities in turn, as ssh does, skipping one that needs a passphrase', async () => {
    const stranger = await makeKeyPair(dir, 'stranger');
    const conn = await connectSsh({ target: endpoint(TARGET_PORT, { type: 'agent', keyFiles: [stranger.privateKeyPath, protectedKey.privateKeyPath, path.join(dir, 'missing'), plainKey.privateKeyPath] }), hostKeys: trusting, env: {} });
    expect((await conn.run('id -un')).stdout.toString().trim()).toBe(user.name);
    conn.close();
    // The agent first, then the files.
    const both = await connectSsh({ target: endpoint(TARGET_PORT, { type: 'agent', keyFiles: [stranger.privateKeyPath] }), hostKeys: trusting, env: { SSH_AUTH_SOCK: agent.socket } });
    both.close();
    const locked = expectSshError(await failure(connectSsh({ target: endpoint(TARGET_PORT, { type: 'agent', keyFiles: [protectedKey.privateKeyPath] }), hostKeys: trusting, env: {} })), 'config');
    expect(locked.message).toContain(`${protectedKey.privateKeyPath} needs a passphrase`);
    expectSshError(await failure(connectSsh({ target: endpoint(TARGET_PORT, { type: 'agent', keyFiles: [stranger.privateKeyPath] }), hostKeys: trusting, env: {} })), 'auth_failed');
  });

  it('reports an unreadable key file with its path', async () => {
    const err = expectSshError(await failure(connectSsh({ target: endpoint(TARGET_PORT, { type: 'key', keyFile: path.join(dir, 'missing') }), hostKeys: trusting })), 'config');
    expect(err.message).toContain(path.join(dir, 'missing'));
  });
});

describe('commands', () => {
  it('reports the exit status of short commands run on many connections at once', async () => {
    // Regression: output, exit-status and close of a short command can arrive
    // in the tick of the exec reply; the status used to be lost (code null).
    const results = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const conn = await connectSsh({ target: endpoint(TARGET_PORT, { type: 'key', keyFile: plainKey.privateKeyPath }), hostKeys: trusting });
        try {
          return await conn.run(`uname -s; exit ${i % 3}`);
        } finally {
          conn.close();
        }
      }),
    );
    expect(results.map((r) => r.code)).toEqual(Array.from({ length: 12 }, (_, i) => i % 3));
    expect(results.every((r) => r.stdout.toString() === 'Linux\n')).toBe(true);
  });
});

describe('ProxyJump', () => {
  it('reaches the target through a second sshd', async () => {
    const before = jump.log().length;
    const conn = await connectSsh({
      jumps: [endpoint(JUMP_PORT, { type: 'key', keyFile: plainKey.privateKeyPath })],
      target: endpoint(TARGET_PORT, { type: 'password', password: user.password }),
      hostKeys: trusting,
    });
    expect((await conn.run('id -un')).stdout.toString().trim()).toBe(user.name);
    conn.close();
    // sshd's DEBUG1 line for the direct-tcpip channel the jump opened (serverloop.c).
    expect(jump.log().slice(before)).toContain(`target 127.0.0.1 port ${TARGET_PORT}`);
  });

  it('names the hop that failed: a jump host to a closed port', async () => {
    const err = expectSshError(
      await failure(
        connectSsh({
          jumps: [endpoint(JUMP_PORT, { type: 'key', keyFile: plainKey.privateKeyPath })],
          target: endpoint(CLOSED_PORT, { type: 'key', keyFile: plainKey.privateKeyPath }),
          hostKeys: trusting,
        }),
      ),
      'refused',
    );
    expect(err.hop).toBe(`127.0.0.1:${CLOSED_PORT}`);
  });
});

describe('host keys', () => {
  it('refuses an unknown key and reports its SHA256 fingerprint as ssh-keygen prints it; accepting persists it', async () => {
    const consoleFile = path.join(dir, 'accept_known_hosts');
    const store = new HostKeyStore({ consoleFile, userFiles: [path.join(dir, 'no-such-file')] });
    const steps: ConnectStepReport[] = [];
    const err = await failure(connectSsh({ target: endpoint(TARGET_PORT, { type: 'key', keyFile: plainKey.privateKeyPath }), hostKeys: store, onStep: (s) => steps.push(s) }));
    expect(err).toBeInstanceOf(HostKeyUnknownError);
    const unknown = err as HostKeyUnknownError;
    expect(unknown.fingerprint).toBe(fingerprintBySshKeygen(target.hostKey().path + '.pub'));
    expect(unknown.keyType).toBe('ssh-ed25519');
    expect(steps.some((s) => s.step === 'auth')).toBe(false);
    expect(steps.find((s) => s.step === 'host_key')?.ok).toBe(false);
    // The server never saw an authentication attempt: nothing was sent before the key was checked.
    expect(fs.existsSync(consoleFile)).toBe(false);

    store.accept(unknown.host, unknown.port, unknown.keyType, unknown.key);
    expect(fs.readFileSync(consoleFile, 'utf8')).toContain(`[127.0.0.1]:${TARGET_PORT} ssh-ed25519 ${target.hostKey().blob}`);
    const conn = await connectSsh({ target: endpoint(TARGET_PORT, { type: 'key', keyFile: plainKey.privateKeyPath }), hostKeys: new HostKeyStore({ consoleFile }) });
    conn.close();
  });

  it('honours a hashed ~/.ssh/known_hosts entry made by ssh-keygen -H', async () => {
    const file = path.join(dir, 'hashed_known_hosts');
    fs.writeFileSync(file, target.knownHostsLine() + '\n');
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^\|1\|/);
    const conn = await connectSsh({ target: endpoint(TARGET_PORT, { type: 'key', keyFile: plainKey.privateKeyPath }), hostKeys: new HostKeyStore({ consoleFile: path.join(dir, 'empty1'), userFiles: [file] }) });
    conn.close();
  });

  it('accepts a matching SHA256 pin and blocks a different one', async () => {
    const pin = fingerprintBySshKeygen(target.hostKey().path + '.pub');
    const store = new HostKeyStore({ consoleFile: path.join(dir, 'empty2') });
    const conn = await connectSsh({ target: endpoint(TARGET_PORT, { type: 'key', keyFile: plainKey.privateKeyPath }, { hostKeyPin: pin }), hostKeys: store });
    conn.close();
    const err = await failure(connectSsh({ target: endpoint(TARGET_PORT, { type: 'key', keyFile: plainKey.privateKeyPath }, { hostKeyPin: 'SHA256:' + 'A'.repeat(43) }), hostKeys: store }));
    expect(err).toBeInstanceOf(HostKeyChangedError);
  });

  it('checks jump hosts too: an unknown jump host key stops before the target', async () => {
    const onlyTarget = path.join(dir, 'only_target');
    fs.writeFileSync(onlyTarget, target.knownHostsLine() + '\n');
    const err = await failure(
      connectSsh({
        jumps: [endpoint(JUMP_PORT, { type: 'key', keyFile: plainKey.privateKeyPath })],
        target: endpoint(TARGET_PORT, { type: 'key', keyFile: plainKey.privateKeyPath }),
        hostKeys: new HostKeyStore({ consoleFile: path.join(dir, 'empty3'), userFiles: [onlyTarget] }),
      }),
    );
    expect(err).toBeInstanceOf(HostKeyUnknownError);
    expect((err as HostKeyUnknownError).port).toBe(JUMP_PORT);
  });
});

describe('network failures', () => {
  it('an unknown host name is a DNS failure', async () => {
    const err = expectSshError(await failure(connectSsh({ target: { ...endpoint(22, { type: 'password', password: 'x' }), host: 'no-such-host.invalid' }, hostKeys: trusting })), 'dns');
    expect(err.message).toContain('no-such-host.invalid');
  });

  it('a closed port is refused', async () => {
    expectSshError(await failure(connectSsh({ target: endpoint(CLOSED_PORT, { type: 'password', password: 'x' }), hostKeys: trusting })), 'refused');
  });

  it('a server that accepts but never speaks SSH times out', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(SILENT_PORT, '127.0.0.1', r));
    try {
      expectSshError(await failure(connectSsh({ target: endpoint(SILENT_PORT, { type: 'password', password: 'x' }), hostKeys: trusting, readyTimeoutMs: 800 })), 'timeout');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});
