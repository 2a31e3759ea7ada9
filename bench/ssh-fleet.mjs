// SSH fleet cost: this process plays the console, polling N simulated hosts
// (persistent SSH connections, the real agent streaming on each) spread over
// a few real sshd: three on loopback and one in a network namespace
// (10.200.62.2). Prints the console's CPU (% of one core) and RSS in steady
// state, RSS over time, and the time from "add host" to its first
// observation. Asserts nothing (shared, noisy machines). Root, like CI.
//   node bench/ssh-fleet.mjs [hosts=200] [seconds=120] [intervalSeconds=5]
// For "memory after 30 minutes against after 5": seconds=1800.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const hosts = Number(process.argv[2] ?? 200);
const seconds = Number(process.argv[3] ?? 120);
const intervalSeconds = Number(process.argv[4] ?? 5);
const root = fileURLToPath(new URL('..', import.meta.url));

// The SSH layer is TypeScript: compile it (and what it imports) on its own, so
// the bench does not depend on the rest of the tree building. Beside the test
// support's build (never under dist/, which is packaged); the agent script is
// found by walking up, as in a build.
const out = path.join(root, 'dist-test', 'bench-ssh');
execFileSync(
  process.execPath,
  [
    path.join(root, 'node_modules/typescript/bin/tsc'),
    '--outDir', out, '--rootDir', root, '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022',
    '--strict', '--skipLibCheck', '--types', 'node', '--declaration', 'false', '--sourceMap', 'false',
    path.join(root, 'main/core/ssh/sshHostSource.ts'),
    path.join(root, 'main/testing/sshServers.ts'),
  ],
  { stdio: 'inherit' },
);
const load = (rel) => import(pathToFileURL(path.join(out, rel)).href);
const { SshHostSource } = await load('main/core/ssh/sshHostSource.js');
const { HandshakeLimiter } = await load('main/core/ssh/handshakeLimiter.js');
const { HostKeyStore } = await load('main/core/ssh/knownHosts.js');
const servers = await load('main/testing/sshServers.js');
const { loadAgentScript } = await load('main/core/sources/agent/agentScript.js');

// BENCH_AGENT_MAWK_INTERACTIVE=1 runs a copy of the agent whose awk reader is
// started with `-W interactive`: mawk otherwise buffers its input from a pipe,
// so each frame leaves the host only when later output pushes it through.
let agent = loadAgentScript();
if (process.env.BENCH_AGENT_MAWK_INTERACTIVE) {
  const text = agent.text.replace('awk "$reader_program"', 'awk -W interactive "$reader_program"');
  if (text === agent.text) throw new Error('agent has no `awk "$reader_program"` line to patch');
  const { createHash } = await import('node:crypto');
  agent = { ...agent, text, version: `${agent.version}-mawk-interactive`, sha256: createHash('sha256').update(text).digest('hex') };
}

const mb = (b) => (b / 1048576).toFixed(1);
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

const dir = servers.makeTempDir('bench');
const user = await servers.ensureTestUser();
const key = await servers.makeKeyPair(dir, 'id');
// Many sessions per server: lift sshd's unauthenticated-connection throttle
// (MaxStartups 10:30:100 drops handshakes beyond 10 in flight).
// Each sshd in its own PID namespace: its agents see ~50 hosts' worth of
// processes instead of all 200 simulated hosts' (a real host has its own).
const pidNamespace = process.env.BENCH_SHARED_PROC ? false : true;
const extraConfig = ['MaxStartups 200', 'MaxSessions 20', process.env.BENCH_SSHD_LOGLEVEL ? `LogLevel ${process.env.BENCH_SSHD_LOGLEVEL}` : 'LogLevel ERROR'];
const netns = await servers.createNetnsHost(62);
const sshds = [];
try {
  for (const port of [22280, 22281, 22282]) sshds.push(await servers.startSshd({ port, authorizedKeys: [key.publicKey], extraConfig, pidNamespace }));
  sshds.push(await servers.startSshd({ port: 22283, listenAddress: netns.address, netns: netns.name, authorizedKeys: [key.publicKey], extraConfig, pidNamespace }));
  const knownHosts = path.join(dir, 'known_hosts');
  fs.writeFileSync(knownHosts, sshds.map((s) => s.knownHostsLine()).join('\n') + '\n');
  const hostKeys = new HostKeyStore({ consoleFile: path.join(dir, 'console_known_hosts'), userFiles: [knownHosts] });
  const limiter = new HandshakeLimiter(16);

  let observations = 0;
  const firstAt = new Array(hosts).fill(undefined);
  const sources = [];
  const t0 = performance.now();
  const addHost = (i) => {
    const server = sshds[i % sshds.length];
    const source = new SshHostSource({
      name: `sim-${i}`,
      target: { host: server.host, port: server.port, username: user.name, auth: { type: 'key', keyFile: key.privateKeyPath } },
      intervalMs: intervalSeconds * 1000,
      hostKeys,
      limiter,
      agentDir: '.cache/overlook-bench',
      agent,
    });
    const added = performance.now();
    source.start({
      observation: () => {
        observations++;
        if (firstAt[i] === undefined) firstAt[i] = performance.now() - added;
      },
      status: () => {},
    });
    sources.push(source);
  };
  // One host alone first: "Add host" → first chart point on a quiet console.
  addHost(0);
  while (firstAt[0] === undefined && performance.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 10));
  const single = firstAt[0];
  const tFleet = performance.now();
  for (let i = 1; i < hosts; i++) addHost(i);
  const deadline = Date.now() + 180_000;
  while (firstAt.some((t) => t === undefined) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  const online = firstAt.slice(1).filter((t) => t !== undefined);
  const allOnlineMs = performance.now() - tFleet;
  console.log(`hosts: ${hosts} (over ${sshds.length} sshd: 3 loopback, 1 netns), interval ${intervalSeconds} s, handshake cap 16`);
  console.log(`one host added alone: first observation after ${single?.toFixed(0)} ms (connect, host key, auth, uname, deploy, first sample)`);
  console.log(`then ${hosts - 1} added at once: ${online.length} online; add → first observation p50 ${pct(online, 50)?.toFixed(0)} ms, p95 ${pct(online, 95)?.toFixed(0)} ms, all within ${allOnlineMs.toFixed(0)} ms`);

  // Steady state: let first-connect work settle for two intervals, then measure.
  await new Promise((r) => setTimeout(r, 2 * intervalSeconds * 1000));
  global.gc?.();
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  const obs0 = observations;
  const sum = (f) => sources.reduce((n, s) => n + f(s.stats), 0);
  const bytes0 = sum((s) => s.bytesReceived);
  const decode0 = sum((s) => s.decodeMs);
  const rssTimeline = [];
  const end = Date.now() + seconds * 1000;
  let nextMark = 0;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 5000));
    const elapsed = (performance.now() - w0) / 1000;
    if (elapsed >= nextMark) {
      rssTimeline.push([Math.round(elapsed), process.memoryUsage().rss]);
      nextMark += seconds > 600 ? 300 : 30;
    }
  }
  const wall = (performance.now() - w0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const rate = (observations - obs0) / wall;
  console.log(`steady state over ${wall.toFixed(0)} s: console CPU ${((100 * cpuSeconds) / wall).toFixed(1)} % of one core (user ${(cpu.user / 1e6).toFixed(1)} s, sys ${(cpu.system / 1e6).toFixed(1)} s)`);
  console.log(`observations: ${rate.toFixed(1)}/s (expected ${(hosts / intervalSeconds).toFixed(1)}/s), ${(1000 * cpuSeconds / Math.max(1, observations - obs0)).toFixed(2)} ms CPU per observation`);
  const frames = observations - obs0;
  console.log(`agent output: ${((sum((s) => s.bytesReceived) - bytes0) / Math.max(1, frames) / 1024).toFixed(1)} KiB per sample; split+parse ${((sum((s) => s.decodeMs) - decode0) / Math.max(1, frames)).toFixed(2)} ms per sample, the rest is SSH transport and scheduling`);
  console.log(`RSS now ${mb(process.memoryUsage().rss)} MB, heap used ${mb(process.memoryUsage().heapUsed)} MB`);
  console.log(`RSS over time: ${rssTimeline.map(([s, r]) => `${s}s=${mb(r)}MB`).join(' ')}`);
  const dropped = sources.reduce((n, s) => n + s.stats.framesDropped, 0);
  const notOnline = sources.filter((s) => s.stats.status !== 'online').map((s) => `${s.stats.status}: ${s.stats.detail ?? ''}`);
  console.log(`frames dropped: ${dropped}; hosts not online at the end: ${notOnline.length}${notOnline.length ? ' — ' + [...new Set(notOnline)].slice(0, 3).join(' / ') : ''}`);
  await Promise.all(sources.map((s) => s.stop()));
} finally {
  if (process.env.BENCH_SSHD_LOGLEVEL) for (const s of sshds) fs.copyFileSync(s.logPath, `/tmp/bench-sshd-${s.port}.log`);
  await Promise.allSettled(sshds.map((s) => s.stop()));
  await netns.remove();
  fs.rmSync(path.join(user.home, '.cache/overlook-bench'), { recursive: true, force: true });
  servers.removeTempDir(dir);
}
