#!/usr/bin/env node
// Agent cost: CPU per sample of agent/overlook-agent.sh, next to
// prometheus-node-exporter's CPU per scrape, measured in the same run. The
// agent is measured in paced mode (a sample per line on stdin, as the console
// runs it, with per-process stats every --process-every samples) and in
// stream mode (`stream 1`, processes every sample: the figure before paced
// mode existed).
//
//   node bench/agent-cost.mjs [--samples 20] [--shell sh] [--process-every 3] [--exporter /usr/bin/prometheus-node-exporter]
//                             [--baseline OLD-AGENT.sh]   also measures another script in `stream 1` (before/after)
//
// The agent reads every process's stat, which node_exporter (no processes
// collector by default) does not: its cost grows with the process count,
// printed with the figures.
//
// CPU is read from /proc/PID/stat for every process in the agent's process
// group: utime + stime of each plus cutime + cstime, their waited-for
// children (tail, df, sleep). The agent is measured between the end lines of
// frame 1 and frame N+1: at each end line the shell has waited for that
// sample's children, so the window holds exactly N sample-and-wait cycles. Processes
// that start and end inside the window without being waited for by a group
// member would escape this count; the agent has none (every fork is waited
// for). node_exporter is multi-threaded; its utime/stime sum all threads.
// Where cgroup v1 cpuacct is writable (root), each also runs in its own
// cgroup and the nanosecond cpuacct.usage is reported too (it includes
// children still running and is not rounded to clock ticks). Forks per sample
// come from separate `strace -f` runs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, mkdtempSync, rmSync } from 'node:fs';
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
const PROCESS_EVERY = opt('process-every', '3');
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

/** cpuMs(pid, true) summed over every process of a process group (the agent shell and anything still running under it). */
function groupCpuMs(pgid) {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) === pgid) total += cpuMs(Number(entry), true);
    } catch {
      // gone between readdir and read
    }
  }
  return total;
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

/**
 * Runs the agent with `agentArgs`; when `paced`, writes a request line every
 * second (as the console does), else the agent keeps its own time.
 */
async function measureAgent(agentArgs, paced, script = SCRIPT) {
  const cgroup = makeCgroup('ovl-bench-agent');
  const child = spawnIn(cgroup, SHELL, [script, ...agentArgs], { stdio: ['pipe', 'pipe', 'inherit'], detached: true });
  // With a cgroup the group leader is the joining sh that then execs the agent: same pid.
  const pgid = child.pid;
  const pacer = paced ? setInterval(() => child.stdin.write('\n'), 1000) : undefined;
  if (paced) child.stdin.write('\n');
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
        if (frames === 1) start = { ms: groupCpuMs(pgid), ns: cgroupNs(cgroup), bytes };
        if (frames === SAMPLES + 1) resolve({ ms: groupCpuMs(pgid), ns: cgroupNs(cgroup), bytes });
      }
    });
  });
  const end = await done;
  if (pacer) clearInterval(pacer);
  process.kill(-pgid, 'SIGTERM');
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

/**
 * Forks per sample: strace the agent for a short and a longer run and count
 * clone/fork/vfork calls; the difference over the extra samples leaves out
 * the start-up probes and the first sample's df (which then recurs every
 * ~30 s).
 */
async function forksPerSample(agentArgs, paced) {
  if (spawnSync('strace', ['-V']).status !== 0) return undefined;
  const dir = mkdtempSync(join(os.tmpdir(), 'ovl-bench-'));
  const log = join(dir, 'trace');
  const count = async (samples) => {
    const child = spawn('strace', ['-f', '-qq', '-e', 'trace=clone,clone3,fork,vfork', '-o', log, SHELL, SCRIPT, ...agentArgs], {
      stdio: ['pipe', 'pipe', 'ignore'],
      detached: true,
    });
    let frames = 0;
    let partial = '';
    child.stdout.setEncoding('utf8');
    const enough = new Promise((resolve) =>
      child.stdout.on('data', (chunk) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop();
        for (const line of lines) {
          if (!/^@@overlook-agent \S+ end \d+$/.test(line)) continue;
          // One request per finished frame, so requests never queue up.
          if (++frames === samples) resolve();
          else if (frames < samples && paced) child.stdin.write('\n');
        }
      }),
    );
    if (paced) child.stdin.write('\n');
    await enough;
    if (paced) child.stdin.end();
    else process.kill(-child.pid, 'SIGTERM');
    await new Promise((r) => child.on('close', r));
    const text = readFileSync(log, 'utf8');
    // A clone that strace caught mid-call shows as "<... clone resumed>" too: count calls, not lines.
    return (text.match(/\b(clone3?|v?fork)\(/g) ?? []).length;
  };
  const few = await count(2);
  const many = await count(6);
  rmSync(dir, { recursive: true });
  return { startup: few, perSample: (many - few) / 4 };
}

const fmt = (n) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const pacedArgs = ['paced', PROCESS_EVERY];
const streamArgs = ['stream', '1'];
const paced = await measureAgent(pacedArgs, true);
const stream = await measureAgent(streamArgs, false);
const BASELINE = opt('baseline', undefined);
const baseline = BASELINE ? await measureAgent(streamArgs, false, BASELINE) : undefined;
const exporter = await measureExporter();
const processCount = readdirSync('/proc').filter((e) => /^\d+$/.test(e)).length;
console.log(`agent cost, ${SAMPLES} samples at 1 s, shell: ${SHELL} (${os.cpus().length} CPUs, ${os.release()}, ${processCount} processes, load ${os.loadavg()[0].toFixed(1)})`);
const row = (label, r, unit) =>
  console.log(`  ${label.padEnd(26)} ${fmt(r.msPerSample)} ms CPU/${unit} (proc stat)   ${fmt(r.cgroupMsPerSample)} ms (cgroup)   ${Math.round(r.bytesPerSample)} bytes/${unit}`);
row(`agent ${pacedArgs.join(' ')}`, paced, 'sample');
row(`agent ${streamArgs.join(' ')}`, stream, 'sample');
if (baseline) row(`baseline ${streamArgs.join(' ')}`, baseline, 'sample');
row('node_exporter', exporter, 'scrape');
const ratios = [[pacedArgs.join(' '), paced], [streamArgs.join(' '), stream]];
if (baseline) ratios.push([`baseline ${streamArgs.join(' ')}`, baseline]);
for (const [label, r] of ratios) {
  console.log(`  ratio agent ${label}/node_exporter: ${fmt(r.msPerSample / exporter.msPerSample)} (proc stat), ${fmt(r.cgroupMsPerSample / exporter.cgroupMsPerSample)} (cgroup); target <= 0.25`);
}
for (const [args, isPaced] of [[pacedArgs, true], [streamArgs, false]]) {
  const forks = await forksPerSample(args, isPaced);
  if (!forks) {
    console.log('  forks: strace not installed (apt-get install -y strace)');
    break;
  }
  console.log(`  forks, ${args.join(' ')}: ${forks.startup} for start-up and two samples, ${fmt(forks.perSample)} per further sample (plus df every ~30 s)`);
}
