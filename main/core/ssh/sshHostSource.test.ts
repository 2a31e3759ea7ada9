// SshHostSource and checkConnection against real servers on loopback (ports
// 22220–22239): live observations from the real agent, statuses for every
// failure the brief lists, reconnects, and nothing left running on the host.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostStatus } from '../../common/contract.js';
import { loadAgentScript } from '../sources/agent/agentScript.js';
import type { HostObservation } from '../model/observation.js';
import { HandshakeLimiter } from './handshakeLimiter.js';
import { HostKeyStore } from './knownHosts.js';
import { DEFAULT_READY_TIMEOUT_MS, type SshEndpoint } from './sshConnection.js';
import { SshHostSource, type SshHostSourceOptions } from './sshHostSource.js';
import { checkConnection } from './connectionCheck.js';
import {
  authorizeInHome,
  unauthorizeInHome,
  ensureTestUser,
  makeKeyPair,
  makeTempDir,
  pgrepUser,
  removeTempDir,
  startDropbear,
  startSshd,
  waitFor,
  type KeyPair,
  type SshServer,
  type TestUser,
} from '../../testing/sshServers.js';

const OPENSSH_PORT = 22220;
const DROPBEAR_PORT = 22221;
const PASSWORD_PORT = 22222;
const REKEY_PORT = 22223;
const CRASH_PORT = 22224;
const BROKEN_SH_PORT = 22225;
const TRUNCATE_PORT = 22226;
const FAKE_MAC_PORT = 22227;

let dir: string;
let user: TestUser;
let brokenShUser: TestUser;
let key: KeyPair;
let knownHostsFile: string;
const servers = new Map<number, SshServer>();
const sources: SshHostSource[] = [];
const agentDir = `.cache/overlook-src-${crypto.randomBytes(3).toString('hex')}`;

interface Recorder {
  statuses: { status: HostStatus; detail?: string }[];
  observations: HostObservation[];
}

function startSource(port: number, overrides: Partial<SshHostSourceOptions> = {}, auth?: SshEndpoint['auth'], username?: string): { source: SshHostSource; rec: Recorder } {
  const rec: Recorder = { statuses: [], observations: [] };
  const source = new SshHostSource({
    name: `test-${port}`,
    target: { host: '127.0.0.1', port, username: username ?? user.name, auth: auth ?? { type: 'key', keyFile: key.privateKeyPath } },
    intervalMs: 1000,
    hostKeys: new HostKeyStore({ consoleFile: path.join(dir, `console_known_hosts_${port}`), userFiles: [knownHostsFile] }),
    agentDir,
    limiter: new HandshakeLimiter(4),
    reconnect: { initialMs: 200, maxMs: 1000, agentErrorMs: 60_000, userActionMs: 60_000 },
    keepaliveIntervalMs: 1000,
    keepaliveCountMax: 2,
    readyTimeoutMs: 5000,
    ...overrides,
  });
  source.start({
    observation: (o) => rec.observations.push(o),
    status: (status, detail) => rec.statuses.push({ status, ...(detail !== undefined ? { detail } : {}) }),
  });
  sources.push(source);
  return { source, rec };
}

const lastStatus = (rec: Recorder) => rec.statuses[rec.statuses.length - 1]?.status;

async function untilStatus(rec: Recorder, status: HostStatus, timeoutMs = 15_000): Promise<void> {
  await waitFor(`status ${status} (have ${rec.statuses.map((s) => s.status).join(',')})`, () => lastStatus(rec) === status, timeoutMs);
}

beforeAll(async () => {
  dir = makeTempDir('source-test');
  // Its own user: Dropbear reads ~/.ssh/authorized_keys, which this file edits.
  user = await ensureTestUser('ovl-src');
  key = await makeKeyPair(dir, 'id');
  authorizeInHome(user, [key.publicKey]);

  // A user whose sh is not POSIX enough: its login shell puts a "sh" first in
  // PATH that fails the way an old or odd shell does on the agent's syntax.
  const fakeBin = path.join(dir, 'fakebin');
  fs.mkdirSync(fakeBin, { mode: 0o755 });
  fs.writeFileSync(path.join(fakeBin, 'sh'), '#!/bin/dash\necho "sh: 12: Syntax error: \\"(\\" unexpected" >&2\nexit 2\n', { mode: 0o755 });
  const loginShell = path.join(dir, 'odd-login-shell');
  fs.writeFileSync(loginShell, `#!/bin/dash\nPATH=${fakeBin}:/usr/bin:/bin\nexport PATH\nexec /bin/dash "$@"\n`, { mode: 0o755 });
  brokenShUser = await ensureTestUser('ovl-oddsh', 'ovl-secret-pw', loginShell);

  for (const port of [OPENSSH_PORT, PASSWORD_PORT, REKEY_PORT, CRASH_PORT, BROKEN_SH_PORT, TRUNCATE_PORT]) {
    servers.set(port, await startSshd({ port, authorizedKeys: [key.publicKey] }));
  }
  servers.set(DROPBEAR_PORT, await startDropbear({ port: DROPBEAR_PORT, sftp: false }));
  // Every command on this one answers like macOS's uname.
  servers.set(FAKE_MAC_PORT, await startSshd({ port: FAKE_MAC_PORT, authorizedKeys: [key.publicKey], extraConfig: [`ForceCommand printf 'Darwin\\nx86_64\\n'`] }));
  knownHostsFile = path.join(dir, 'known_hosts');
  fs.writeFileSync(knownHostsFile, [...servers.values()].filter((s) => s.port !== OPENSSH_PORT).map((s) => s.knownHostsLine()).join('\n') + '\n');
});

afterAll(async () => {
  if (user && key) unauthorizeInHome(user, [key.publicKey]);
  await Promise.allSettled(sources.map((s) => s.stop()));
  await Promise.allSettled([...servers.values()].map((s) => s.stop()));
  for (const u of [user, brokenShUser]) if (u) fs.rmSync(path.join(u.home, agentDir), { recursive: true, force: true });
  if (dir) removeTempDir(dir);
});

describe('SshHostSource', () => {
  it('refuses an unknown host key without retrying, and goes online once the user accepts it; stop() leaves no agent running', async () => {
    const { source, rec } = startSource(OPENSSH_PORT);
    await untilStatus(rec, 'host_key_unknown');
    const detail = rec.statuses.find((s) => s.status === 'host_key_unknown')!.detail!;
    const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', servers.get(OPENSSH_PORT)!.hostKey().path + '.pub'], { encoding: 'utf8' }).split(' ')[1]!;
    expect(detail).toContain(fingerprint);
    await new Promise((r) => setTimeout(r, 1500));
    expect(source.stats.connectAttempts).toBe(1);
    expect(rec.observations).toHaveLength(0);

    // The UI's "accept" writes the console's known_hosts and asks for a retry.
    const err = source.stats.lastError as unknown as { host: string; port: number; keyType: string; key: string };
    new HostKeyStore({ consoleFile: path.join(dir, `console_known_hosts_${OPENSSH_PORT}`) }).accept(err.host, err.port, err.keyType, err.key);
    source.retryNow();
    await untilStatus(rec, 'online');
    await waitFor('two observations', () => rec.observations.length >= 2);
    const obs = rec.observations[0]!;
    expect(obs.series.some((s) => s.name === 'node_load1')).toBe(true);
    expect(obs.facts.hostname).toBe(fs.readFileSync('/proc/sys/kernel/hostname', 'utf8').trim());
    expect(source.stats.timeToFirstObservationMs).toBeGreaterThan(0);
    expect(await pgrepUser(user.name, `${agentDir}/agent-`)).not.toHaveLength(0);

    const statusesBefore = rec.statuses.length;
    await source.stop();
    await waitFor('the agent to exit on the host', async () => (await pgrepUser(user.name, `${agentDir}/agent-`)).length === 0, 5000);
    expect(rec.statuses.length).toBe(statusesBefore);
  });

  it('streams from Dropbear without SFTP (agent uploaded with cat)', async () => {
    const { source, rec } = startSource(DROPBEAR_PORT);
    await untilStatus(rec, 'online');
    expect(rec.observations[0]!.series.length).toBeGreaterThan(10);
    await source.stop();
    await waitFor('the agent to exit on the Dropbear host', async () => (await pgrepUser(user.name, `${agentDir}/agent-`)).length === 0, 5000);
  });

  it('a wrong password is auth_failed, with no retry storm: one attempt in the sshd log until the user retries', async () => {
    const server = servers.get(PASSWORD_PORT)!;
    // A refused password takes the server seconds to answer: pam_unix asks
    // libpam for a 2 s fail delay, which libpam randomises between 1 and 3 s,
    // and sshd then pads a failed attempt to its per-user minimum time doubled
    // until it exceeds what the attempt took (OpenSSH auth2.c,
    // ensure_minimum_time_since) — 2.4 s or 4.7 s measured here, up to twice
    // PAM's delay. ssh2's ready timeout spans authentication, so the 5 s the
    // other tests use can expire first; the timeout is then retried as a
    // network fault and the retry is a second failed login. The console's
    // default (20 s) keeps the server's answer, not the clock, deciding.
    const { source, rec } = startSource(PASSWORD_PORT, { readyTimeoutMs: DEFAULT_READY_TIMEOUT_MS }, { type: 'password', password: 'not-the-password' });
    await untilStatus(rec, 'auth_failed', 30_000);
    expect(rec.statuses.at(-1)!.detail).not.toContain('not-the-password');
    const failedLogins = () => server.log().split('\n').filter((l) => l.includes(`Failed password for ${user.name}`)).length;
    const refusals = () => rec.statuses.filter((s) => s.status === 'auth_failed').length;
    // sshd's monitor logs the failure after it has answered, so the line may trail the status.
    await waitFor('the failed login in the sshd log', () => failedLogins() >= 1);
    // Reconnects back off from 200 ms here: a storm would show within these 3 s.
    await new Promise((r) => setTimeout(r, 3000));
    expect(failedLogins()).toBe(1);
    expect(source.stats.connectAttempts).toBe(1);
    source.retryNow();
    await waitFor('the retry to be refused', () => refusals() === 2, 30_000);
    await waitFor('a second failed login in the sshd log', () => failedLogins() >= 2);
    await new Promise((r) => setTimeout(r, 1000));
    expect(failedLogins()).toBe(2);
    expect(source.stats.connectAttempts).toBe(2);
    await source.stop();
  });

  it('a host whose key changes is blocked and the new key is not accepted', async () => {
    const server = servers.get(REKEY_PORT)!;
    const consoleFile = path.join(dir, `console_known_hosts_${REKEY_PORT}`);
    const { source, rec } = startSource(REKEY_PORT);
    await untilStatus(rec, 'online');
    const oldKey = server.hostKey().blob;
    await server.restart({ newHostKey: true });
    expect(server.hostKey().blob).not.toBe(oldKey);
    await untilStatus(rec, 'host_key_changed');
    expect(rec.statuses.at(-1)!.detail).toMatch(/changed/);
    const attempts = source.stats.connectAttempts;
    await new Promise((r) => setTimeout(r, 1500));
    expect(source.stats.connectAttempts).toBe(attempts);
    expect(fs.existsSync(consoleFile) ? fs.readFileSync(consoleFile, 'utf8') : '').not.toContain(server.hostKey().blob);
    expect(fs.readFileSync(knownHostsFile, 'utf8')).not.toContain(server.hostKey().blob);
    await source.stop();
  });

  it('goes offline when sshd dies mid-stream and comes back by itself when it returns', async () => {
    const server = servers.get(CRASH_PORT)!;
    const { source, rec } = startSource(CRASH_PORT);
    await untilStatus(rec, 'online');
    await server.crash();
    await untilStatus(rec, 'offline');
    const seen = rec.observations.length;
    await new Promise((r) => setTimeout(r, 800));
    await server.restart();
    await untilStatus(rec, 'online');
    await waitFor('a new observation', () => rec.observations.length > seen);
    expect(source.stats.sessions).toBeGreaterThanOrEqual(2);
    await source.stop();
  });

  it('reports agent_error with the shell\'s complaint when sh cannot run the agent', async () => {
    const { source, rec } = startSource(BROKEN_SH_PORT, {}, undefined, brokenShUser.name);
    await untilStatus(rec, 'agent_error');
    const detail = rec.statuses.at(-1)!.detail!;
    expect(detail).toContain('Syntax error');
    expect(detail).toMatch(/POSIX/);
    expect(rec.observations).toHaveLength(0);
    await source.stop();
  });

  it('a host that is not Linux is unsupported_os, named, and not retried soon', async () => {
    const { source, rec } = startSource(FAKE_MAC_PORT);
    await untilStatus(rec, 'unsupported_os');
    expect(rec.statuses.at(-1)!.detail).toMatch(/macOS/);
    await new Promise((r) => setTimeout(r, 1500));
    expect(source.stats.connectAttempts).toBe(1);
    expect(rec.observations).toHaveLength(0);
    await source.stop();
  });

  it('drops and counts a sample cut off mid-frame, and keeps the whole ones', async () => {
    const real = execFileSync('sh', [loadAgentScript().path, 'once'], { encoding: 'utf8' });
    const lines = real.trimEnd().split('\n');
    const frame = (seq: number) => lines.map((l) => l.replace(/ (begin|end) 1$/, ` $1 ${seq}`)).join('\n');
    const half = frame(2).split('\n').slice(0, Math.floor(lines.length / 2)).join('\n');
    const text = `#!/bin/sh\n# truncating test agent\ncat <<'OVERLOOK_EOF'\n${frame(1)}\n${half}\n${frame(3)}\nOVERLOOK_EOF\n`;
    const agent = { text, version: `trunc${crypto.randomBytes(2).toString('hex')}`, sha256: crypto.createHash('sha256').update(text).digest('hex') };
    const { source, rec } = startSource(TRUNCATE_PORT, { agent });
    await untilStatus(rec, 'agent_error');
    expect(rec.observations.map((o) => o.series.length > 0)).toEqual([true, true]);
    expect(source.stats.framesDropped).toBe(1);
    expect(rec.statuses.at(-1)!.detail).toMatch(/exited with status 0 unexpectedly/);
    await source.stop();
  });
});

describe('checkConnection', () => {
  const agent = () => loadAgentScript();
  const target = (port: number): SshEndpoint => ({ host: '127.0.0.1', port, username: user.name, auth: { type: 'key', keyFile: key.privateKeyPath } });

  it('reports every step of a good connection', async () => {
    const result = await checkConnection({ target: target(PASSWORD_PORT), hostKeys: new HostKeyStore({ consoleFile: path.join(dir, 'tc1'), userFiles: [knownHostsFile] }), agent: agent(), agentDir, runAgentOnce: true });
    expect(result.ok).toBe(true);
    expect(result.steps.map((s) => s.step)).toEqual(['resolve', 'connect', 'host_key', 'auth', 'uname', 'agent_deploy', 'agent_run']);
    expect(result.steps.every((s) => s.ok)).toBe(true);
    expect(result.steps[4]!.detail).toMatch(/^Linux /);
  });

  it('stops at the host key step and hands back the fingerprint to confirm', async () => {
    const result = await checkConnection({ target: target(PASSWORD_PORT), hostKeys: new HostKeyStore({ consoleFile: path.join(dir, 'tc2') }), agent: agent(), agentDir });
    expect(result.ok).toBe(false);
    expect(result.steps.at(-1)).toMatchObject({ step: 'host_key', ok: false });
    expect(result.error?.kind).toBe('host_key_unknown');
    expect(result.error?.hostKey?.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('stops at resolve for an unknown host name and at auth for a wrong password', async () => {
    const dnsResult = await checkConnection({ target: { ...target(22), host: 'nowhere.invalid' }, hostKeys: new HostKeyStore({ consoleFile: path.join(dir, 'tc3') }), agent: agent() });
    expect(dnsResult.steps).toEqual([expect.objectContaining({ step: 'resolve', ok: false })]);
    expect(dnsResult.error?.kind).toBe('dns');
    const authResult = await checkConnection({
      target: { ...target(PASSWORD_PORT), auth: { type: 'password', password: 'nope-123' } },
      hostKeys: new HostKeyStore({ consoleFile: path.join(dir, 'tc4'), userFiles: [knownHostsFile] }),
      agent: agent(),
    });
    expect(authResult.steps.at(-1)).toMatchObject({ step: 'auth', ok: false });
    expect(authResult.error?.kind).toBe('auth_failed');
    expect(JSON.stringify(authResult)).not.toContain('nope-123');
  });
});
