// The SSH feature wired into a real core (real store, secret store and
// provisioning watcher) against a real OpenSSH sshd on loopback (ports
// 22260–22269): hosts added through the handlers and from the provisioning
// file, host keys decided only by the user or a pin, secrets kept out of
// hosts.json, events and logs, and nothing left running on the server.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RpcError, type Host } from '../../common/contract.js';
import { HostDraft, parseSshAddress } from '../../common/sshHosts.js';
import { createCore } from '../createCore.js';
import { createMemoryLogger } from '../log.js';
import { createEncryptedFileSecretStore } from '../secrets/encryptedFileSecretStore.js';
import { otherRequestsStub, startTestCore } from '../../testing/testCore.js';
import type { HostSource } from '../model/hostSource.js';
import { createSshFeature } from './feature.js';
import { sha256Fingerprint } from './knownHosts.js';
import { ensureTestUser, makeKeyPair, makeTempDir, pgrepUser, removeTempDir, startSshd, waitFor, type SshServer, type TestUser } from '../../testing/sshServers.js';

const PORT = 22260;
const PIN_PORT = 22261;
const DEFAULT_IDS_PORT = 22262;

let user: TestUser;
let server: SshServer;
let pinServer: SshServer;
let home: string;
const agentDir = `.cache/overlook-feat-${crypto.randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  user = await ensureTestUser();
  server = await startSshd({ port: PORT });
  pinServer = await startSshd({ port: PIN_PORT });
  // An empty home: the machine's own ~/.ssh/known_hosts must not decide for the test.
  home = makeTempDir('feat-home');
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await pinServer?.stop();
  if (home) removeTempDir(home);
  fs.rmSync(path.join(user.home, agentDir), { recursive: true, force: true });
});

const SSH_REQUESTS = new Set(['hosts/add', 'hosts/update', 'hosts/remove', 'hosts/set-enabled', 'hosts/definition', 'hosts/test', 'hosts/accept-key', 'hosts/ssh-config', 'hosts/import']);
const idleLocal: HostSource = { start() {}, async stop() {} };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startCore(options: { config?: string; env?: NodeJS.ProcessEnv } = {}) {
  const { core, dataDir, log, events, call, stop } = await startTestCore(
    {
      prefix: 'ovl-sshfeat-',
      ...(options.config !== undefined ? { config: options.config } : {}),
      features: [
        createSshFeature({
          home,
          agentDir,
          env: options.env ?? {},
          readyTimeoutMs: 5000,
          keepaliveIntervalMs: 1000,
          reconnect: { initialMs: 200, maxMs: 1000, userActionMs: 60_000, agentErrorMs: 60_000 },
        }),
      ],
      answers: (name) => SSH_REQUESTS.has(name),
    },
    cleanups,
  );
  const host = (id: string) => (core.handlers['hosts/list']() as Host[]).find((h) => h.id === id);
  const waitStatus = async (id: string, status: Host['status'], timeoutMs = 20_000) => {
    await waitFor(`${id} to be ${status} (is ${host(id)?.status}: ${host(id)?.statusDetail ?? ''})`, () => host(id)?.status === status, timeoutMs);
    return host(id)!;
  };
  return { core, dataDir, log, events, call, host, waitStatus, stop };
}

const passwordDraft = (name: string, port = PORT) => ({
  name,
  host: '127.0.0.1',
  port,
  user: user.name,
  auth: { type: 'password' as const, password: user.password },
  intervalMs: 1000,
  tags: ['lab'],
});

async function agentsOnServer(): Promise<number[]> {
  return pgrepUser(user.name, agentDir);
}

describe('the SSH feature against a real sshd', () => {
  it('adds a host with a password, asks about its key, goes online after the key is trusted, and removes it cleanly', async () => {
    const c = await startCore();
    const added = await c.call('hosts/add', passwordDraft('lab-1'));
    expect(added).toMatchObject({ id: 'lab-1', name: 'lab-1', kind: 'ssh', address: `${user.name}@127.0.0.1:${PORT}`, provisioned: false, tags: ['lab'] });

    const expected = sha256Fingerprint(server.hostKey().blob);
    const waiting = await c.waitStatus('lab-1', 'host_key_unknown');
    expect(waiting.hostKey).toEqual({ state: 'unknown', keyType: server.hostKey().type, fingerprint: expected });
    expect(await agentsOnServer()).toEqual([]);

    // Only the fingerprint on offer is accepted.
    await expect(c.call('hosts/accept-key', { hostId: 'lab-1', fingerprint: 'SHA256:' + 'A'.repeat(43) })).rejects.toThrow(/different key/);
    await c.call('hosts/accept-key', { hostId: 'lab-1', fingerprint: expected });
    const online = await c.waitStatus('lab-1', 'online');
    expect(online.hostKey).toBeUndefined();
    expect(online.info?.hostname).toBeTruthy();
    await waitFor('two samples of lab-1', () => c.events.filter((e) => e.event === 'samples/appended' && (e.payload as { hostId: string }).hostId === 'lab-1').length >= 2, 15_000);
    const cpu = await c.call('series/query', { selectors: [{ name: 'host:cpu_usage:ratio', matchers: [{ label: 'host', op: '=', value: 'lab-1' }] }], from: Date.now() - 60_000, to: Date.now() + 1000, maxPoints: 100 });
    expect(cpu.length).toBeGreaterThan(0);
    expect(await agentsOnServer()).not.toEqual([]);
    expect(fs.readFileSync(path.join(c.dataDir, 'known_hosts'), 'utf8')).toContain(server.hostKey().blob);

    // Pause: the connection closes and the agent goes with it; resume brings it back.
    expect((await c.call('hosts/set-enabled', { hostId: 'lab-1', enabled: false })).status).toBe('paused');
    await waitFor('no agent while paused', async () => (await agentsOnServer()).length === 0, 10_000);
    await c.call('hosts/set-enabled', { hostId: 'lab-1', enabled: true });
    await c.waitStatus('lab-1', 'online');

    // The definition comes back without the password, only that one is stored.
    const definition = await c.call('hosts/definition', { hostId: 'lab-1' });
    expect(definition.auth).toEqual({ type: 'password', passwordSet: true });

    // The password is nowhere but in the encrypted secret store.
    const hostsJson = fs.readFileSync(path.join(c.dataDir, 'hosts.json'), 'utf8');
    expect(JSON.parse(hostsJson).hosts[0]).toMatchObject({ name: 'lab-1', auth: { type: 'password' }, enabled: true });
    const everything = hostsJson + JSON.stringify(c.events) + JSON.stringify(definition) + c.log.lines.join('');
    expect(everything).not.toContain(user.password);
    for (const f of fs.readdirSync(c.dataDir)) {
      const file = path.join(c.dataDir, f);
      if (fs.statSync(file).isFile()) expect(fs.readFileSync(file).toString('latin1')).not.toContain(user.password);
    }

    // A server reinstalled with a new key blocks the host, showing old and new fingerprints.
    await server.restart({ newHostKey: true });
    const blocked = await c.waitStatus('lab-1', 'host_key_changed');
    const renewed = sha256Fingerprint(server.hostKey().blob);
    expect(blocked.hostKey).toEqual({ state: 'changed', keyType: server.hostKey().type, fingerprint: renewed, knownFingerprint: expected });
    await c.call('hosts/accept-key', { hostId: 'lab-1', fingerprint: renewed });
    await c.waitStatus('lab-1', 'online');

    expect(await c.call('hosts/remove', { hostId: 'lab-1' })).toBe(true);
    expect(c.host('lab-1')).toBeUndefined();
    await waitFor('the agent to end on the server', async () => (await agentsOnServer()).length === 0, 10_000);
    expect(JSON.parse(fs.readFileSync(path.join(c.dataDir, 'hosts.json'), 'utf8')).hosts).toEqual([]);
  }, 90_000);

  it('keeps UI hosts across restarts, refuses duplicates, renames and a missing password', async () => {
    const c = await startCore();
    await c.call('hosts/add', passwordDraft('lab-2'));
    await expect(c.call('hosts/add', passwordDraft('lab-2'))).rejects.toThrow(/already exists/);
    await expect(c.call('hosts/add', { ...passwordDraft('lab-3'), auth: { type: 'password' } })).rejects.toThrow(/enter the password/);
    await expect(c.call('hosts/update', { hostId: 'lab-2', draft: passwordDraft('lab-renamed') })).rejects.toThrow(/cannot be renamed/);
    // An update without a password keeps the stored one.
    await c.call('hosts/update', { hostId: 'lab-2', draft: { ...passwordDraft('lab-2'), auth: { type: 'password' }, intervalMs: 2000, engineSocket: '/run/user/1000/docker.sock' } });
    expect((await c.call('hosts/definition', { hostId: 'lab-2' })).auth).toEqual({ type: 'password', passwordSet: true });
    await expect(c.call('hosts/update', { hostId: 'lab-2', draft: { ...passwordDraft('lab-2'), engineSocket: 'docker.sock' } })).rejects.toThrow(/absolute path of a unix socket/);
    expect(c.host('lab-2')?.pollIntervalMs).toBe(2000);
    await c.stop();

    const again = createCore({
      dataDir: c.dataDir,
      shell: 'headless',
      secrets: createEncryptedFileSecretStore(c.dataDir),
      log: createMemoryLogger(),
      version: 'test',
      createLocalSource: () => idleLocal,
      features: [createSshFeature({ home, agentDir, env: {}, readyTimeoutMs: 5000 }), otherRequestsStub((name) => SSH_REQUESTS.has(name))],
    });
    await again.start();
    try {
      const hosts = again.handlers['hosts/list']() as Host[];
      expect(hosts.find((h) => h.id === 'lab-2')).toMatchObject({ kind: 'ssh', pollIntervalMs: 2000, provisioned: false });
      expect(await again.handlers['hosts/definition']({ hostId: 'lab-2' })).toMatchObject({ auth: { type: 'password', passwordSet: true }, engineSocket: '/run/user/1000/docker.sock' });
    } finally {
      await again.stop();
    }
  }, 60_000);

  it('provisioned hosts: a right pin goes online without a prompt, a wrong pin blocks, edits apply live', async () => {
    const pin = sha256Fingerprint(pinServer.hostKey().blob);
    const wrong = 'SHA256:' + crypto.createHash('sha256').update('another key').digest('base64').replace(/=+$/, '');
    const yaml = (entries: string) => `hosts:\n${entries}`;
    const pinned = `  - name: pinned\n    address: ${user.name}@127.0.0.1:${PIN_PORT}\n    password_env: LAB_PW\n    interval: 1s\n    host_key: ${pin}\n`;
    const wrongPin = `  - name: wrong-pin\n    address: ${user.name}@127.0.0.1:${PIN_PORT}\n    password_env: LAB_PW\n    interval: 1s\n    host_key: ${wrong}\n`;
    const c = await startCore({ config: yaml(pinned + wrongPin), env: { LAB_PW: user.password } });

    const online = await c.waitStatus('pinned', 'online');
    expect(online).toMatchObject({ provisioned: true, address: `${user.name}@127.0.0.1:${PIN_PORT}`, pollIntervalMs: 1000 });
    expect(c.events.some((e) => e.event === 'hosts/changed' && (e.payload as Host[]).some((h) => h.id === 'pinned' && h.status === 'host_key_unknown'))).toBe(false);

    const blocked = await c.waitStatus('wrong-pin', 'host_key_changed');
    expect(blocked.hostKey).toMatchObject({ state: 'changed', fingerprint: pin, knownFingerprint: wrong, pinned: true });
    await expect(c.call('hosts/accept-key', { hostId: 'wrong-pin', fingerprint: pin })).rejects.toMatchObject({ code: 'provisioned' });
    await expect(c.call('hosts/remove', { hostId: 'pinned' })).rejects.toBeInstanceOf(RpcError);
    expect(fs.existsSync(path.join(c.dataDir, 'known_hosts'))).toBe(false);

    // Hot reload: the wrong pin is removed from the file, the pinned host gets a tag.
    fs.writeFileSync(path.join(c.dataDir, 'overlook.yaml'), yaml(pinned.replace('interval: 1s\n', 'interval: 1s\n    tags: [edge]\n')));
    await waitFor('the file to apply', () => c.host('wrong-pin') === undefined && c.host('pinned')?.tags[0] === 'edge', 15_000);
    await c.waitStatus('pinned', 'online');
    expect(c.log.lines.join('')).not.toContain(user.password);
  }, 60_000);

  it('a provisioned host whose password variable is unset reports it without connecting', async () => {
    const c = await startCore({ config: `hosts:\n  - name: nopw\n    address: ${user.name}@127.0.0.1:${PORT}\n    password_env: NOT_SET_ANYWHERE\n` });
    const h = await c.waitStatus('nopw', 'auth_failed');
    expect(h.statusDetail).toMatch(/NOT_SET_ANYWHERE is not set/);
  });

  it('tests a draft step by step, using its password only for the test', async () => {
    const c = await startCore();
    const result = await c.call('hosts/test', passwordDraft('probe'));
    expect(result.ok).toBe(false);
    expect(result.error?.kind).toBe('host_key_unknown');
    expect(result.error?.hostKey?.fingerprint).toBe(sha256Fingerprint(server.hostKey().blob));
    expect(result.steps.map((s) => s.step)).toEqual(['resolve', 'connect', 'host_key']);
    const bad = await c.call('hosts/test', { ...passwordDraft('probe'), host: 'no-such-host.invalid' });
    expect(bad.steps[0]).toMatchObject({ step: 'resolve', ok: false });
    expect(c.host('probe')).toBeUndefined();
    expect(await createEncryptedFileSecretStore(c.dataDir).list()).toEqual([]);
  });

  it('trusts the unknown key the user was shown from the test, and goes on to the login and the agent', async () => {
    const c = await startCore();
    const fingerprint = sha256Fingerprint(server.hostKey().blob);
    // Another fingerprint than the host offers: not trusted, the question stands.
    const other = await c.call('hosts/test', { ...passwordDraft('probe'), trustHostKey: 'SHA256:' + 'A'.repeat(43) });
    expect(other.error?.kind).toBe('host_key_unknown');
    const trusted = await c.call('hosts/test', { ...passwordDraft('probe'), trustHostKey: fingerprint });
    expect(trusted.error).toBeUndefined();
    expect(trusted.ok).toBe(true);
    expect(trusted.steps.map((s) => s.step)).toEqual(['resolve', 'connect', 'host_key', 'auth', 'uname', 'agent_deploy', 'agent_run']);
    expect(trusted.steps.find((s) => s.step === 'host_key')?.detail).toContain('trusted now');
    // Kept: the next test (and the host once saved) knows the key.
    const again = await c.call('hosts/test', passwordDraft('probe'));
    expect(again.ok).toBe(true);
    expect(again.steps.find((s) => s.step === 'host_key')?.detail).not.toContain('trusted now');
    expect(c.host('probe')).toBeUndefined();
  });

  it('imports hosts from ~/.ssh/config', async () => {
    const c = await startCore();
    fs.mkdirSync(path.join(home, '.ssh'), { recursive: true });
    fs.writeFileSync(path.join(home, '.ssh', 'id_ed25519'), 'not read until connecting');
    fs.writeFileSync(
      path.join(home, '.ssh', 'config'),
      `Host bastion\n  HostName 127.0.0.1\n  Port ${PORT}\n  User ${user.name}\nHost app\n  HostName 10.0.0.9\n  ProxyJump bastion\nHost bad/name\n  HostName x\nHost *\n  User fallback\n`,
    );
    const view = await c.call('hosts/ssh-config');
    expect(view.entries.map((e) => e.name)).toEqual(['bastion', 'app', 'bad/name']);
    expect(view.entries[1]).toMatchObject({ hostName: '10.0.0.9', port: 22, user: 'fallback', proxyJump: ['bastion'], alreadyAdded: false });
    expect(view.entries[2]!.problem).toBeTruthy();
    const result = await c.call('hosts/import', { names: ['bastion', 'app', 'bad/name', 'missing'] });
    expect(result.added).toEqual(['bastion', 'app']);
    expect(result.problems.map((p) => p.name)).toEqual(['bad/name', 'missing']);
    // No IdentityFile: what ssh does without one (the agent, then every default identity), not one key picked now.
    expect(await c.call('hosts/definition', { hostId: 'app' })).toMatchObject({ host: '10.0.0.9', user: 'fallback', jump: ['bastion'], auth: { type: 'agent' } });
    expect((await c.call('hosts/ssh-config')).entries[0]!.alreadyAdded).toBe(true);
    fs.rmSync(path.join(home, '.ssh'), { recursive: true, force: true });
  });
});

describe('a host imported from ~/.ssh/config without IdentityFile', () => {
  it('logs in as ssh would: no agent here, so each default identity in turn until one is authorised', async () => {
    const keys = makeTempDir('feat-keys');
    const server3 = await startSshd({ port: DEFAULT_IDS_PORT, authorizedKeys: [(await makeKeyPair(keys, 'authorised', { type: 'rsa' })).publicKey] });
    cleanups.push(() => server3.stop(), () => removeTempDir(keys));
    const ssh = path.join(home, '.ssh');
    fs.mkdirSync(ssh, { recursive: true });
    cleanups.push(() => fs.rmSync(ssh, { recursive: true, force: true }));
    // ~/.ssh/id_ed25519 exists but is not authorised on the host; id_ecdsa has a passphrase; id_rsa is the one.
    const stranger = await makeKeyPair(keys, 'stranger');
    const locked = await makeKeyPair(keys, 'locked', { type: 'ecdsa', passphrase: 'not given' });
    fs.copyFileSync(stranger.privateKeyPath, path.join(ssh, 'id_ed25519'));
    fs.copyFileSync(locked.privateKeyPath, path.join(ssh, 'id_ecdsa'));
    fs.copyFileSync(path.join(keys, 'authorised'), path.join(ssh, 'id_rsa'));
    for (const f of ['id_ed25519', 'id_ecdsa', 'id_rsa']) fs.chmodSync(path.join(ssh, f), 0o600);
    fs.writeFileSync(path.join(ssh, 'config'), `Host imported\n  HostName 127.0.0.1\n  Port ${DEFAULT_IDS_PORT}\n  User ${user.name}\n`);
    fs.writeFileSync(path.join(ssh, 'known_hosts'), server3.knownHostsLine() + '\n');

    // The console's environment has no SSH_AUTH_SOCK.
    const c = await startCore({ env: {} });
    expect((await c.call('hosts/import', { names: ['imported'] })).added).toEqual(['imported']);
    const online = await c.waitStatus('imported', 'online');
    expect(online.statusDetail ?? '').not.toContain('SSH_AUTH_SOCK');
    await c.call('hosts/remove', { hostId: 'imported' });

    // Nothing to offer at all: says so, naming what it looked for.
    for (const f of ['id_ed25519', 'id_ecdsa', 'id_rsa']) fs.rmSync(path.join(ssh, f));
    expect((await c.call('hosts/import', { names: ['imported'] })).added).toEqual(['imported']);
    const none = await c.waitStatus('imported', 'auth_failed');
    expect(none.statusDetail).toContain('no identity to offer: SSH_AUTH_SOCK is not set');
    expect(none.statusDetail).toContain('~/.ssh/id_ed25519');
  }, 60_000);
});

describe('host drafts are validated with clear messages', () => {
  const problems = (draft: unknown) => {
    const r = HostDraft.safeParse(draft);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  const ok = { name: 'web-1', host: 'web-1.example.com', port: 22, user: 'deploy', auth: { type: 'agent' } };

  it('accepts a good draft and fills defaults', () => {
    expect(HostDraft.parse(ok)).toMatchObject({ intervalMs: 5000, jump: [], tags: [], enabled: true });
  });

  it('names each bad field', () => {
    expect(problems({ ...ok, name: 'web 1' })).toEqual(['name: the name may hold letters, digits, ".", "_" and "-", and must start with a letter or digit']);
    expect(problems({ ...ok, name: 'local' })[0]).toMatch(/this machine/);
    expect(problems({ ...ok, name: 'x'.repeat(64) })[0]).toMatch(/at most 63/);
    expect(problems({ ...ok, port: 70000 })).toEqual(['port: the port must be between 1 and 65535']);
    expect(problems({ ...ok, host: '999.1.1.1' })[0]).toMatch(/^host: not a host name or IP address/);
    expect(problems({ ...ok, intervalMs: 500 })[0]).toMatch(/between 1 s and 1 h/);
    expect(problems({ ...ok, jump: ['me@bad host'] })[0]).toMatch(/jump host/);
    expect(problems({ ...ok, auth: { type: 'key', keyFile: '' } })[0]).toMatch(/key file path is required/);
  });

  it('parses addresses with users, ports and IPv6', () => {
    expect(parseSshAddress('deploy@web-1:2222')).toEqual({ ok: true, address: { user: 'deploy', host: 'web-1', port: 2222 } });
    expect(parseSshAddress('[::1]:22')).toEqual({ ok: true, address: { host: '::1', port: 22 } });
    expect(parseSshAddress('fe80::1')).toEqual({ ok: true, address: { host: 'fe80::1' } });
    expect(parseSshAddress('web-1:99999')).toMatchObject({ ok: false });
  });
});
