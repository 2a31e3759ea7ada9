// Agents that misbehave, run for real through the local agent source and
// through a real sshd (the same agent session carries both): one that goes
// silent is restarted after a few missed intervals; one that prints an
// endless line costs bounded memory and is restarted; one whose output is
// random bytes is reported a few times and then summed up, and its status
// says what it printed instead of blaming the shell.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HostStatus } from '../../../common/contract.js';
import { createMemoryLogger } from '../../log.js';
import type { HostSource } from '../../model/hostSource.js';
import { HostKeyStore } from '../../ssh/knownHosts.js';
import { SshHostSource } from '../../ssh/sshHostSource.js';
import { ensureTestUser, makeKeyPair, makeTempDir, removeTempDir, startSshd, waitFor, type KeyPair, type SshServer, type TestUser } from '../../../testing/sshServers.js';
import { createLocalAgentSource } from './localAgent.js';

const SSH_PORT = 22228;
let dir: string;
const sources: HostSource[] = [];

beforeAll(() => {
  dir = makeTempDir('misbehaving-agent');
  fs.chmodSync(dir, 0o755);
});
afterAll(() => removeTempDir(dir));
afterEach(async () => {
  for (const s of sources.splice(0)) await s.stop();
});

/** A fake agent: `body` runs after it notes its start in `starts` (one line per start). */
function fakeAgent(name: string, body: string): { script: string; text: string; starts: string } {
  const starts = path.join(dir, `${name}.starts`);
  fs.writeFileSync(starts, '', { mode: 0o666 });
  fs.chmodSync(starts, 0o666);
  const text = `#!/bin/sh\nAGENT_VERSION=fake-${name}\necho started >> '${starts}'\n${body}\n`;
  const script = path.join(dir, `${name}.sh`);
  fs.writeFileSync(script, text, { mode: 0o755 });
  return { script, text, starts };
}
const startsOf = (file: string) => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length;

interface Seen {
  statuses: { status: HostStatus; detail?: string }[];
}
function record(source: HostSource): Seen {
  const seen: Seen = { statuses: [] };
  source.start({ observation: () => undefined, status: (status, detail) => seen.statuses.push({ status, ...(detail !== undefined ? { detail } : {}) }) });
  sources.push(source);
  return seen;
}
const details = (seen: Seen) => seen.statuses.map((s) => s.detail ?? '').join('\n');

// Reads its requests and never answers: a hung df on a dead mount looks the same.
const SILENT = 'while read -r line; do :; done';
// One line that never ends, as fast as the shell can print it.
const ENDLESS = "x=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; x=$x$x$x$x$x$x$x$x; x=$x$x$x$x$x$x$x$x\nwhile :; do printf '%s' \"$x\" || exit 0; done";
// What a broken host's sh might print: random bytes, lines and all, then silence.
const RANDOM_BYTES = 'head -c 3000000 /dev/urandom; while read -r line; do :; done';

describe('the local agent source', () => {
  it('restarts a silent agent after it misses its intervals, and says so', async () => {
    const agent = fakeAgent('silent', SILENT);
    const seen = record(createLocalAgentSource({ intervalMs: 500, scriptPath: agent.script, stuckAfterMs: 2000 }));
    await waitFor('a second start of the silent agent', () => startsOf(agent.starts) >= 2, 15_000);
    expect(details(seen)).toMatch(/the agent sent no sample for [2-4] s \(\d+ intervals\); it printed nothing; restarting it/);
  });

  it('drops an endless line without keeping it, restarts the agent, and stays small', async () => {
    const agent = fakeAgent('endless', ENDLESS);
    const rssBefore = process.memoryUsage().rss;
    const seen = record(createLocalAgentSource({ intervalMs: 500, scriptPath: agent.script, stuckAfterMs: 4000 }));
    await waitFor('a second start of the endless agent', () => startsOf(agent.starts) >= 2, 20_000);
    expect(details(seen)).toMatch(/a line longer than 1048576 bytes outside any frame/);
    expect(details(seen)).toMatch(/no sample for \d+ s .*it printed output that is not agent frames, starting "xxxx/);
    // Tens of MB a second went by; what is kept is at most a line's cap.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
  });
});

describe('an SSH host (real sshd)', () => {
  let user: TestUser;
  let key: KeyPair;
  let server: SshServer;
  let knownHosts: string;
  const agentDir = `.cache/overlook-misbehave-${crypto.randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    user = await ensureTestUser('ovl-src');
    key = await makeKeyPair(dir, 'id');
    server = await startSshd({ port: SSH_PORT, authorizedKeys: [key.publicKey] });
    knownHosts = path.join(dir, 'known_hosts');
    fs.writeFileSync(knownHosts, server.knownHostsLine() + '\n');
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    if (user) fs.rmSync(path.join(user.home, agentDir), { recursive: true, force: true });
  });

  function sshSource(agent: { text: string }, log = createMemoryLogger(), stuckAfterMs = 3000) {
    const text = agent.text;
    const source = new SshHostSource({
      name: 'odd-host',
      target: { host: '127.0.0.1', port: SSH_PORT, username: user.name, auth: { type: 'key', keyFile: key.privateKeyPath } },
      intervalMs: 500,
      hostKeys: new HostKeyStore({ consoleFile: path.join(dir, 'console_known_hosts'), userFiles: [knownHosts] }),
      agent: { text, version: /AGENT_VERSION=(\S+)/.exec(text)![1]!, sha256: crypto.createHash('sha256').update(text).digest('hex') },
      agentDir,
      log,
      engine: false,
      stuckAfterMs,
      reconnect: { initialMs: 200, maxMs: 1000, agentErrorMs: 60_000, userActionMs: 60_000 },
      readyTimeoutMs: 5000,
    });
    return { source, log };
  }

  it('restarts a silent agent over its connection', async () => {
    const agent = fakeAgent('ssh-silent', SILENT);
    const { source } = sshSource(agent);
    const seen = record(source);
    await waitFor('a second start over SSH', () => startsOf(agent.starts) >= 2, 30_000).catch((e: Error) => { throw new Error(e.message + ': ' + JSON.stringify(seen.statuses)); });
    expect(details(seen)).toMatch(/the agent sent no sample for \d+ s \(\d+ intervals\); it printed nothing; restarting it/);
  });

  it('random bytes from the host: a few log lines and a summary, not one per chunk; the status says what was printed, not "POSIX"', async () => {
    const agent = fakeAgent('ssh-random', RANDOM_BYTES);
    const { source, log } = sshSource(agent, createMemoryLogger(), 60_000);
    const seen = record(source);
    await waitFor('the random output dropped', () => log.lines.some((l) => l.includes('agent output dropped')), 20_000);
    // The 3 MB arrive in a few hundred chunks; let them all pass.
    await new Promise((r) => setTimeout(r, 3000));
    const dropped = log.lines.filter((l) => l.includes('agent output dropped'));
    expect(dropped.length).toBeGreaterThanOrEqual(1);
    expect(dropped.length).toBeLessThanOrEqual(3);
    expect(dropped[0]).toMatch(/output is not agent frames .*first bytes \\"/);
    await source.stop();
    // The held-back rest is summed up when the session ends.
    expect(log.lines.filter((l) => l.includes('agent output dropped')).at(-1)).toMatch(/more piece\(s\) of output dropped in the last 60 s/);
    expect(log.lines.filter((l) => l.includes('agent output dropped')).length).toBeLessThanOrEqual(4);
    expect(details(seen)).not.toMatch(/POSIX/);
  });
});
