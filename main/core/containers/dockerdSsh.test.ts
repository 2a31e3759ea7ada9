// A real dockerd seen through real SSH servers (testServers.ts): OpenSSH
// forwards to the engine socket (direct-streamlocal); an OpenSSH with
// AllowStreamLocalForwarding off and Dropbear (no stream-local at all) fall
// back to the docker CLI on an exec channel; a user outside the socket's
// group gets a note and id-named containers whose metrics still flow.
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../testing/freePort.js';
import { HostKeyStore } from '../ssh/knownHosts.js';
import { SshHostSource } from '../ssh/sshHostSource.js';
import {
  authorizeInHome,
  ensureTestUser,
  makeKeyPair,
  makeTempDir,
  removeTempDir,
  startDropbear,
  startSshd,
  unauthorizeInHome,
  type KeyPair,
  type SshServer,
  type TestUser,
} from '../../testing/sshServers.js';
import { ensureGroup, kubernetesLabelArgs, startTestDockerd, watchContainers, type TestDockerd, type Watched } from '../../testing/containerEngines.js';

const run = promisify(execFile);
const GROUP = 'ovl-ctr-docker';
let d: TestDockerd;
let dir: string;
let member: TestUser;
let outsider: TestUser;
let key: KeyPair;
let knownHosts: string;
const servers: SshServer[] = [];
let openssh: SshServer;
let noForwarding: SshServer;
let dropbear: SshServer;
const agentDir = `.cache/overlook-ctr-${process.pid}`;

beforeAll(async () => {
  await ensureGroup(GROUP);
  d = await startTestDockerd('ssh', { group: GROUP });
  dir = makeTempDir('ctr');
  member = await ensureTestUser('ovl-ctrssh');
  outsider = await ensureTestUser('ovl-ctrno');
  await run('usermod', ['-aG', GROUP, member.name]);
  key = await makeKeyPair(dir, 'id');
  for (const u of [member, outsider]) authorizeInHome(u, [key.publicKey]);
  openssh = await startSshd({ port: await freePort(), authorizedKeys: [key.publicKey] });
  noForwarding = await startSshd({ port: await freePort(), authorizedKeys: [key.publicKey], extraConfig: ['AllowStreamLocalForwarding no'] });
  dropbear = await startDropbear({ port: await freePort(), sftp: false });
  servers.push(openssh, noForwarding, dropbear);
  knownHosts = path.join(dir, 'known_hosts');
  fs.writeFileSync(knownHosts, servers.map((s) => s.knownHostsLine()).join('\n') + '\n');

  await d.docker('run', '-d', '--name', 'web', '--label', 'tier=front', '-m', '32m', d.image, 'sleep', '3600');
  await d.docker('run', '-d', '--name', 'held', d.image, 'sleep', '3600');
  await d.docker('pause', 'held');
  await d.docker('run', '--name', 'finished', d.image, 'true');
  await d.docker('run', '-d', '--name', 'k8s_db_db-0_data_0', ...kubernetesLabelArgs('db-0', 'data', 'db'), d.image, 'sleep', '3600');
});

afterAll(async () => {
  for (const u of [member, outsider]) {
    if (!u) continue;
    if (key) unauthorizeInHome(u, [key.publicKey]);
    fs.rmSync(path.join(u.home, agentDir), { recursive: true, force: true });
  }
  await Promise.allSettled(servers.map((s) => s.stop()));
  await d?.stop();
  if (dir) removeTempDir(dir);
});

function source(server: SshServer, user: TestUser): SshHostSource {
  return new SshHostSource({
    name: `ctr-${server.port}`,
    target: { host: '127.0.0.1', port: server.port, username: user.name, auth: { type: 'key', keyFile: key.privateKeyPath } },
    intervalMs: 1000,
    hostKeys: new HostKeyStore({ consoleFile: path.join(dir, `console_known_hosts_${server.port}_${user.name}`), userFiles: [knownHosts] }),
    agentDir,
    engineSocket: d.socket,
    engineRefreshMs: 1000,
    readyTimeoutMs: 10_000,
  });
}

const row = (w: Watched, name: string) => w.rows.find((r) => r.name === name);
const named = (w: Watched) => row(w, 'web')?.cpuCores != null && row(w, 'finished') !== undefined;

function expectTheContainers(w: Watched) {
  expect(row(w, 'web')).toMatchObject({ state: 'running', image: 'ovl/busybox', labels: { tier: 'front' }, memoryLimitBytes: 32 * 1024 * 1024 });
  expect(row(w, 'held')).toMatchObject({ state: 'paused' });
  expect(row(w, 'finished')).toMatchObject({ state: 'exited', cgroupPath: null });
  expect(row(w, 'k8s_db_db-0_data_0')).toMatchObject({ pod: 'db-0', namespace: 'data', seriesLabels: { container: 'db', image: 'ovl/busybox', namespace: 'data', pod: 'db-0' } });
}

describe('a real dockerd through SSH', () => {
  it('OpenSSH: the engine API over direct-streamlocal to the socket', async () => {
    const w = await watchContainers(source(openssh, member), named, { timeoutMs: 40_000 });
    expect(w.observation.containers?.engine).toMatchObject({ engine: 'docker', via: 'ssh-socket', target: d.socket });
    expect(w.observation.containers?.access?.sockets).toContainEqual({ path: d.socket, writable: true });
    expectTheContainers(w);
  });

  it('OpenSSH without stream-local forwarding: the docker CLI over exec', async () => {
    const w = await watchContainers(source(noForwarding, member), named, { timeoutMs: 40_000 });
    expect(w.observation.containers?.engine).toMatchObject({ engine: 'docker', via: 'cli' });
    expectTheContainers(w);
  });

  it('Dropbear (no direct-streamlocal): the docker CLI over exec', async () => {
    const w = await watchContainers(source(dropbear, member), named, { timeoutMs: 40_000 });
    expect(w.observation.containers?.engine).toMatchObject({ engine: 'docker', via: 'cli' });
    expectTheContainers(w);
  });

  it('a user who may not open the socket: a note naming the user, metrics still flow named by id', async () => {
    const w = await watchContainers(
      source(openssh, outsider),
      (w) => w.observation.containers?.engine?.note !== undefined && w.rows.some((r) => r.cpuCores != null),
      { timeoutMs: 40_000 },
    );
    expect(w.observation.containers?.engine?.note).toMatchObject({ code: 'socket_denied', socket: d.socket, user: outsider.name });
    const web = w.rows.find((r) => r.cgroupPath?.includes(r.id) && r.memoryLimitBytes === 32 * 1024 * 1024)!;
    expect(web.name).toBe(web.id.slice(0, 12));
    expect(web.seriesLabels).toEqual({ container: web.id.slice(0, 12) });
    // Exited containers are known only to the engine.
    expect(w.rows.some((r) => r.state === 'exited')).toBe(false);
  });
});
