// A host in its own network namespace (10.200.61.2, sshd on port 22240): cut
// its link while the agent streams, see it go stale then offline, restore the
// link and see it come back without help. Needs root (ip netns), as CI has.
import fs from 'node:fs';
import crypto from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostStatus } from '../../common/contract.js';
import { HandshakeLimiter } from './handshakeLimiter.js';
import { HostKeyStore } from './knownHosts.js';
import { SshHostSource } from './sshHostSource.js';
import { createNetnsHost, ensureTestUser, makeKeyPair, makeTempDir, removeTempDir, startSshd, waitFor, type KeyPair, type NetnsHost, type SshServer, type TestUser } from '../../testing/sshServers.js';

const NETNS_NUMBER = 61;
const PORT = 22240;

let dir: string;
let user: TestUser;
let key: KeyPair;
let netns: NetnsHost;
let server: SshServer;
const agentDir = `.cache/overlook-net-${crypto.randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  dir = makeTempDir('netfault-test');
  user = await ensureTestUser();
  key = await makeKeyPair(dir, 'id');
  netns = await createNetnsHost(NETNS_NUMBER);
  server = await startSshd({ port: PORT, listenAddress: netns.address, netns: netns.name, authorizedKeys: [key.publicKey] });
});

afterAll(async () => {
  await server?.stop();
  await netns?.remove();
  if (user) fs.rmSync(path.join(user.home, agentDir), { recursive: true, force: true });
  if (dir) removeTempDir(dir);
});

describe('network faults', () => {
  it('a cut link makes the host stale, then offline; restoring it brings the host back by itself', async () => {
    const known = path.join(dir, 'known_hosts');
    fs.writeFileSync(known, server.knownHostsLine() + '\n');
    const statuses: HostStatus[] = [];
    let observations = 0;
    const source = new SshHostSource({
      name: 'netns-host',
      target: { host: netns.address, port: PORT, username: user.name, auth: { type: 'key', keyFile: key.privateKeyPath } },
      intervalMs: 1000,
      hostKeys: new HostKeyStore({ consoleFile: path.join(dir, 'console'), userFiles: [known] }),
      agentDir,
      limiter: new HandshakeLimiter(2),
      keepaliveIntervalMs: 1000,
      keepaliveCountMax: 3,
      readyTimeoutMs: 2000,
      reconnect: { initialMs: 300, maxMs: 1500 },
    });
    source.start({ observation: () => void observations++, status: (s) => void statuses.push(s) });
    try {
      await waitFor('online', () => statuses.at(-1) === 'online', 15_000);
      expect(server.log()).toContain('Accepted publickey');

      await netns.cut();
      await waitFor(`stale (have ${statuses.join(',')})`, () => statuses.includes('stale'), 10_000);
      await waitFor(`offline (have ${statuses.join(',')})`, () => statuses.at(-1) === 'offline' || statuses.at(-1) === 'connecting', 15_000);
      expect(statuses.lastIndexOf('offline')).toBeGreaterThan(statuses.indexOf('stale'));
      const during = observations;

      await netns.restore();
      await waitFor(`online again (have ${statuses.join(',')})`, () => statuses.at(-1) === 'online', 20_000);
      await waitFor('a new observation', () => observations > during, 5000);
      expect(source.stats.sessions).toBeGreaterThanOrEqual(2);
    } finally {
      await source.stop();
    }
  });
});
