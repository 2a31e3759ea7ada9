#!/usr/bin/env node
// Agent cost: CPU per sample of agent/overlook-agent.sh in stream mode, next
// to prometheus-node-exporter's CPU per scrape, measured in the same run.
//
//   node bench/agent-cost.mjs [--samples 20] [--shell sh] [--exporter /usr/bin/prometheus-node-exporter]
//
// CPU is read from /proc/PID/stat: utime + stime of the process plus cutime +
// cstime, its waited-for children (the agent's tail, df, sleep). The agent is
// measured between the end lines of frame 1 and frame N+1: at each end line
// the shell has waited for that sample's children, so the window holds
// exactly N sample-and-wait cycles. node_exporter is multi-threaded; its
// utime/stime sum all threads. Where cgroup v1 cpuacct is writable (root),
// each also runs in its own cgroup and the nanosecond cpuacct.usage is
// reported too (it includes children still running and is not rounded to
// clock ticks). Forks per sample come from a separate `strace -f` run.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const SAMPLES = Number(opt('samples', '20'));
const SHELL = opt('shell', 'sh');
const EXPORTER = opt('exporter', '/usr/bin/prometheus-node-exporter');
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'agent', 'overlook-agent.sh');
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const CPUACCT = '/sys/fs/cgroup/cpuacct';

if (!existsSync(EXPORTER)) {
  console.error(`${EXPORTER} not found: apt-get install -y prometheus-node-exporter`);
  process.exit(1);
}

/** utime+stime(+cutime+cstime) of a pid in ms. Fields after the ")" of comm: see proc(5). */
function cpuMs(pid, withChildren) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  const ticks = f[11] + f[12] + (withChildren ? f[13] + f[14] : 0);
  return (ticks * 1000) / CLK_TCK;
}

function makeCgroup(name) {
  if (!existsSync(join(CPUACCT, 'cpuacct.usage'))) return undefined;
  const dir = join(CPUACCT, `${name}-${process.pid}`);
  try {
    mkdirSync(dir);
    return dir;
  } catch {
    return undefined;
  }
}
const cgroupNs = (dir) => (dir ? Number(readFileSync(join(dir, 'cpuacct.usage'), 'utf8')) : NaN);
async function removeCgroup(dir) {
  if (!dir) return;
  for (let i = 0; i < 50; i++) {
    try {
      rmdirSync(dir);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Starts `cmd` inside the cgroup (when there is one) via a tiny sh that joins it, then execs. */
function spawnIn(cgroup, cmd, argv, options) {
  if (!cgroup) return spawn(cmd, argv, options);
  return spawn('sh', ['-c', `echo $$ > ${cgroup}/cgroup.procs && exec "$@"`, 'sh', cmd, ...argv], options);
}

async function measureAgent() {
  const cgroup = makeCgroup('ovl-bench-agent');
  const child = spawnIn(cgroup, SHELL, [SCRIPT, 'stream', '1'], { stdio: ['pipe', 'pipe', 'inherit'], detached: true });
  let frames = 0;
  let bytes = 0;
  let partial = '';
  let start;
  const done = new Promise((resolve) => {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      bytes += chunk.length;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop();
      for (const line of lines) {
        if (!/^@@overlook-agent \S+ end \d+$/.test(line)) continue;
        frames++;
        if (frames === 1) start = { ms: cpuMs(child.pid, true), ns: cgroupNs(cgroup), bytes };
        if (frames === SAMPLES + 1) resolve({ ms: cpuMs(child.pid, true), ns: cgroupNs(cgroup), bytes });
      }
    });
  });
  const end = await done;
  process.kill(-child.pid, 'SIGTERM');
  await new Promise((r) => child.on('close', r));
  await removeCgroup(cgroup);
  return {
    msPerSample: (end.ms - start.ms) / SAMPLES,
    cgroupMsPerSample: (end.ns - start.ns) / 1e6 / SAMPLES,
    bytesPerSample: (end.bytes - start.bytes) / SAMPLES,
  };
}

const freePort = () =>
  new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

const scrape = (port) =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
      let n = 0;
      res.on('data', (c) => (n += c.length));
      res.on('end', () => resolve(n));
    });
    req.on('error', reject);
    req.end();
  });

async function measureExporter() {
  const port = await freePort();
  const cgroup = makeCgroup('ovl-bench-node-exporter');
  const child = spawnIn(cgroup, EXPORTER, [`--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  try {
    for (let i = 0; ; i++) {
      try {
        await scrape(port);
        break;
      } catch (err) {
        if (i > 100) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await scrape(port); // warm: the first scrape initialises collectors
    const start = { ms: cpuMs(child.pid, false), ns: cgroupNs(cgroup) };
    let bytes = 0;
    for (let i = 0; i < SAMPLES; i++) {
      bytes += await scrape(port);
      // Same cadence as the agent, so idle costs (GC, timers) weigh the same.
      if (i < SAMPLES - 1) await new Promise((r) => setTimeout(r, 1000));
    }
    const end = { ms: cpuMs(child.pid, false), ns: cgroupNs(cgroup) };
    return {
      msPerSample: (end.ms - start.ms) / SAMPLES,
      cgroupMsPerSample: (end.ns - start.ns) / 1e6 / SAMPLES,
      bytesPerSample: bytes / SAMPLES,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.on('close', r));
    await removeCgroup(cgroup);
  }
}

/** Forks per sample: strace the agent for a few samples and count clone/fork/vfork calls. */
function forksPerSample() {
  if (spawnSync('strace', ['-V']).status !== 0) return undefined;
  const dir = mkdtempSync(join(os.tmpdir(), 'ovl-bench-'));
  const log = join(dir, 'trace');
  const n = 5;
  // `timeout` ends the run after about n samples; the probes at start are subtracted with a once run.
  const count = (argv) => {
    spawnSync('strace', ['-f', '-qq', '-e', 'trace=clone,clone3,fork,vfork', '-o', log, ...argv], { stdio: 'ignore' });
    const text = readFileSync(log, 'utf8');
    return (text.match(/\b(clone3?|v?fork)\(/g) ?? []).length;
  };
  const once = count([SHELL, SCRIPT, 'once']);
  const stream = count(['timeout', '-s', 'TERM', `${n - 0.5}`, SHELL, SCRIPT, 'stream', '1']);
  rmSync(dir, { recursive: true });
  // The stream run made n samples, the once run 1; both paid the start-up probes.
  return { once, stream, perSample: (stream - once) / (n - 1) };
}

const fmt = (n) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const agent = await measureAgent();
const exporter = await measureExporter();
const forks = forksPerSample();
console.log(`agent cost, ${SAMPLES} samples at 1 s, shell: ${SHELL} (${os.cpus().length} CPUs, ${os.release()})`);
console.log(`  agent         ${fmt(agent.msPerSample)} ms CPU/sample (proc stat)   ${fmt(agent.cgroupMsPerSample)} ms (cgroup)   ${Math.round(agent.bytesPerSample)} bytes/sample`);
console.log(`  node_exporter ${fmt(exporter.msPerSample)} ms CPU/scrape (proc stat)   ${fmt(exporter.cgroupMsPerSample)} ms (cgroup)   ${Math.round(exporter.bytesPerSample)} bytes/scrape`);
console.log(`  ratio agent/node_exporter: ${fmt(agent.msPerSample / exporter.msPerSample)} (proc stat), ${fmt(agent.cgroupMsPerSample / exporter.cgroupMsPerSample)} (cgroup); target <= 0.25`);
if (forks) console.log(`  forks: ${forks.once} for a one-shot run (start-up probes included), ${fmt(forks.perSample)} per sample in stream mode`);
else console.log('  forks: strace not installed (apt-get install -y strace)');
