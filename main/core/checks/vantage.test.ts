// A check through an SSH host: an HTTP server reachable only inside a
// network-namespace host (listening on that namespace's own loopback), a
// real sshd in the namespace, and the console's SSH feature holding the
// connection. The check from that host — HTTP spoken over a direct-tcpip
// channel (RFC 4254 §7.2) — sees it up; the same check from the console
// sees nothing there.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckView } from '../../common/checks.js';
import { createNetnsHost, ensureTestUser, makeKeyPair, makeTempDir, removeTempDir, startSshd, type KeyPair, type NetnsHost, type SshServer, type TestUser } from '../../testing/sshServers.js';
import { startTestCore } from '../../testing/testCore.js';
import { requests } from '../../common/contract.js';
import { createSshFeature } from '../ssh/feature.js';
import { createChecksFeature } from './feature.js';

const NETNS_NUMBER = 137;
const SSH_PORT = 22237;
/** Inside the namespace only; on the console's loopback nothing listens here. */
const INNER_PORT = 28137;

/** The SSH feature's requests (hosts/list, hosts/add…), as its own handlers name them. */
const SSH_REQUESTS = new Set(Object.keys(requests).filter((n) => n.startsWith('hosts/') && !['hosts/statusHistory', 'hosts/historyOnly', 'hosts/list', 'hosts/summaries', 'hosts/inventory'].includes(n)));

const cleanups: (() => Promise<void> | void)[] = [];
let dir: string;
let user: TestUser;
let key: KeyPair;
let netns: NetnsHost;
let server: SshServer;
let inner: ChildProcess;

beforeAll(async () => {
  dir = makeTempDir('checks-vantage');
  user = await ensureTestUser();
  key = await makeKeyPair(dir, 'id');
  netns = await createNetnsHost(NETNS_NUMBER);
  server = await startSshd({ port: SSH_PORT, listenAddress: netns.address, netns: netns.name, authorizedKeys: [key.publicKey] });
  inner = spawn('ip', ['netns', 'exec', netns.name, process.execPath, '-e', `require('http').createServer((q, s) => s.end('inside-only')).listen(${INNER_PORT}, '127.0.0.1', () => console.log('ready'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    inner.stdout!.once('data', () => resolve());
    inner.once('exit', (code) => reject(new Error(`the namespace's server exited (${code})`)));
  });
}, 60_000);

afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  inner?.kill();
  await server?.stop();
  await netns?.remove();
  if (dir) removeTempDir(dir);
});

describe('checks from an SSH host', () => {
  it('up through the host’s connection, unreachable from the console; results say which vantage saw what', async () => {
    const home = path.join(dir, 'home');
    fs.mkdirSync(path.join(home, '.ssh'), { recursive: true });
    fs.writeFileSync(path.join(home, '.ssh', 'known_hosts'), server.knownHostsLine() + '\n');
    const url = `http://127.0.0.1:${INNER_PORT}/`;
    const c = await startTestCore(
      {
        prefix: 'ovl-checkvant-',
        config: `hosts:\n  - name: inner\n    address: ${user.name}@${netns.address}:${SSH_PORT}\n    key_file: ${key.privateKeyPath}\nchecks:\n  - name: internal-api\n    http: ${url}\n    body_contains: inside-only\n    from: [console, inner]\n    interval: 1h\n    timeout: 3s\n  - name: internal-port\n    tcp: 127.0.0.1:${INNER_PORT}\n    from: [inner]\n    interval: 1h\n  - name: host-ping\n    ping: 127.0.0.1\n    from: [console, inner]\n    interval: 1h\n    timeout: 2s\n  - name: outside-ping\n    ping: 192.0.2.1\n    from: [inner]\n    interval: 1h\n    timeout: 1s\n`,
        features: [createSshFeature({ home, env: {}, readyTimeoutMs: 5000 }), createChecksFeature({ firstRunShare: () => 0.999 })],
        answers: (name) => name.startsWith('checks/') || SSH_REQUESTS.has(name),
      },
      cleanups,
    );
    await expect.poll(async () => ((await c.call('hosts/list')) as { id: string; status: string }[]).find((h) => h.id === 'inner')?.status, { timeout: 30_000 }).toBe('online');
    const run = (await c.call('checks/run', { name: 'internal-api' })) as CheckView;
    const by = Object.fromEntries(run.results.map((r) => [r.vantage, r]));
    expect(by.inner).toMatchObject({ up: true, statusCode: 200, detail: 'status 200, body matched' });
    expect(by.console).toMatchObject({ up: false, reason: 'refused', detail: `connection refused at 127.0.0.1:${INNER_PORT}` });
    expect(((await c.call('checks/run', { name: 'internal-port' })) as CheckView).results).toEqual([expect.objectContaining({ vantage: 'inner', up: true })]);

    // Ping from both: the host's own ping runs over its connection.
    const ping = ((await c.call('checks/run', { name: 'host-ping' })) as CheckView).results;
    expect(ping.map((r) => [r.vantage, r.up])).toEqual([['console', true], ['inner', true]]);
    expect(ping[1]!.detail).toMatch(/^reply in [0-9.]+ ms$/);
    // The namespace host has no route out (RFC 5737's TEST-NET-1 address): its ping says so.
    const outside = ((await c.call('checks/run', { name: 'outside-ping' })) as CheckView).results[0]!;
    expect(outside).toMatchObject({ vantage: 'inner', up: false });
    expect(outside.detail).toMatch(/unreachable|no reply/i);

    // The server inside stops: the host says why it could not connect.
    inner.kill();
    await new Promise((resolve) => inner.once('exit', resolve));
    const down = ((await c.call('checks/run', { name: 'internal-api' })) as CheckView).results.find((r) => r.vantage === 'inner');
    expect(down).toMatchObject({ up: false, reason: 'connect_failed' });
    expect(down?.detail).toMatch(new RegExp(`could not connect to 127.0.0.1:${INNER_PORT}`));
  }, 90_000);
});
