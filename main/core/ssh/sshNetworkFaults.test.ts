// A host in its own network namespace (10.200.61.2, sshd on port 22240): cut
// its link while the agent streams, see it go stale then offline, restore the
// link and see it come back without help, and the agent the lost session
// left waiting on the host ended by the reconnecting console (the host's sh
// is dash, which has no bounded read: only the console can end it). Needs
// root (ip netns), as CI has.
import fs from 'node:fs';
import crypto from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostStatus } from '../../common/contract.js';
import { HandshakeLimiter } from './handshakeLimiter.js';
import { HostKeyStore } from './knownHosts.js';
import { SshHostSource } from './sshHostSource.js';
import { createNetnsHost, descendantPids, ensureTestUser, makeKeyPair, makeTempDir, pgrepUser, removeTempDir, startSshd, waitFor, type KeyPair, type NetnsHost, type SshServer, type TestUser } from '../../testing/sshServers.js';

const NETNS_NUMBER = 61;

function commOf(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}
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
      // This source's agents are the user's processes running the script from its own agent dir.
      const agents = () => pgrepUser(user.name, `${agentDir}/agent-`);
      const before = await agents();
      expect(before).toHaveLength(1);
      // The server's session processes (privileged monitor and the user's): one connection's worth.
      const sessions = () => descendantPids(server.pid()!).filter((pid) => commOf(pid) === 'sshd');
      const sessionsBefore = sessions().length;
      expect(sessionsBefore).toBeGreaterThan(0);

      await netns.cut();
      await waitFor(`stale (have ${statuses.join(',')})`, () => statuses.includes('stale'), 10_000);
      await waitFor(`offline (have ${statuses.join(',')})`, () => statuses.at(-1) === 'offline' || statuses.at(-1) === 'connecting', 15_000);
      expect(statuses.lastIndexOf('offline')).toBeGreaterThan(statuses.indexOf('stale'));
      const during = observations;

      // The lost session's agent still waits on the host: nothing reached it.
      expect(await agents()).toEqual(before);

      await netns.restore();
      await waitFor(`online again (have ${statuses.join(',')})`, () => statuses.at(-1) === 'online', 20_000);
      await waitFor('a new observation', () => observations > during, 5000);
      expect(source.stats.sessions).toBeGreaterThanOrEqual(2);
      // The reconnecting console ended it over the new connection: one agent runs, the new one.
      const after = await agents();
      expect(after).toHaveLength(1);
      expect(after).not.toEqual(before);
      expect(source.stats.previousAgentsEnded).toBe(1);
      // Its sshd session goes too: with the agent gone it writes the exit status, and the console's
      // side, which closed that connection long ago, answers with a reset.
      await waitFor(`the lost session's sshd ends (${sessions().length} sshd processes, ${sessionsBefore} for one session)`, () => sessions().length === sessionsBefore, 30_000);
    } finally {
      await source.stop();
    }
  });
});
