#!/usr/bin/env node
// Agent cost: CPU per sample of agent/overlook-agent.sh, next to
// prometheus-node-exporter's CPU per scrape, measured in the same run, on
// this machine made as busy as asked (bench/sleepers.mjs starts sleeping
// processes up to each --processes count and ends them after).
//
// The agent runs as the console runs it: paced mode at the console's pace
// (--interval-ms, default 5000), per-process stats every --process-every
// samples, and the console's own code (pacer.ts: createBusiestTracker,
// topListWord; agentFrame.ts) reading each frame and naming the busiest
// processes in the request line. Its CPU is its cgroup's (cpuacct.usage: the
// shell, tail and df), over --samples samples (default 24 = two minutes at
// 5 s: four df runs and two full process reads at their ~30 s and ~60 s
// cadences). Frame bytes per sample next to it. The agent, the --baseline
// script (e.g. main's, from a second worktree) and node_exporter run at the
// same time, each in its own cgroup, so they share the machine's load alike.
//
//   node bench/agent-cost.mjs [--processes 200,1300] [--samples 24] [--interval-ms 5000] [--shell sh]
//                             [--process-every 3] [--baseline OLD-AGENT.sh] [--exporter /usr/bin/prometheus-node-exporter]
//                             [--no-ssh] [--no-breakdown]
//
// Then the same agents again as the console runs them on a watched host:
// started through a real OpenSSH sshd and paced over its channel, the
// agent's cgroup and the sshd's (the per-connection processes that serve the
// channel) measured apart: what the watched host pays per sample. Last, where
// a sample's cost goes (strace): forks, programs executed, files opened,
// write calls and bytes per sample; and every run prints the frame's bytes by
// what they carry.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { agentMeasure, option as opt } from './agentMeasure.mjs';
import { processCount, startSleepers } from './sleepers.mjs';

const SAMPLES = Number(opt('samples', '24'));
const INTERVAL_MS = Number(opt('interval-ms', '5000'));
const COUNTS = opt('processes', '200,1300').split(',').map(Number);
const SHELL = opt('shell', 'sh');
const PROCESS_EVERY = opt('process-every', '3');
const EXPORTER = opt('exporter', '/usr/bin/prometheus-node-exporter');
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'agent', 'overlook-agent.sh');
const { measureAgent, measureExporter, measureAgentOverSsh } = agentMeasure({ samples: SAMPLES, shell: SHELL, script: SCRIPT, exporter: EXPORTER });

/**
 * Where a sample's base cost goes, from strace: per sample, the processes
 * started (clone/fork) and programs executed (execve, by name), the files
 * opened (by the shell's globs and redirections and by tail) and the write
 * calls and bytes the frame costs. One run of 14 samples, paced with a
 * one-pid "top=" list as the console sends; the trace is cut at each frame
 * begin line the shell writes, and the first two samples (which always carry every
 * process) are left out. Of the 12 counted, every PROCESS_EVERY-th reads
 * the named processes; a df run and the slow files come when the host's
 * uptime crosses a 30-s mark ("with df" says in how many).
 */
async function syscallsPerSample(agentArgs, script = SCRIPT) {
  if (spawnSync('strace', ['-V']).status !== 0) return undefined;
  const dir = mkdtempSync(join(os.tmpdir(), 'ovl-bench-'));
  const log = join(dir, 'trace');
  const SAMPLES_TRACED = 14;
  const child = spawn('strace', ['-f', '-qq', '-s', '32', '-e', 'trace=clone,clone3,fork,vfork,execve,openat,open,write', '-o', log, SHELL, script, ...agentArgs], {
    stdio: ['pipe', 'pipe', 'ignore'],
    detached: true,
  });
  let frames = 0;
  let partial = '';
  child.stdout.setEncoding('utf8');
  const done = new Promise((resolve) =>
    child.stdout.on('data', (chunk) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop();
      for (const line of lines) {
        if (!/^@@overlook-agent \S+ end \d+$/.test(line)) continue;
        // One request per finished frame, so requests never queue up.
        if (++frames === SAMPLES_TRACED) resolve();
        else child.stdin.write('top=1\n');
      }
    }),
  );
  child.stdin.write('top=1\n');
  await done;
  child.stdin.end();
  await new Promise((r) => child.on('close', r));
  const text = readFileSync(log, 'utf8');
  rmSync(dir, { recursive: true });
  const lines = text.split('\n');
  const shellPid = /^(\d+)/.exec(lines[0])?.[1];
  const buckets = [];
  let c;
  const fresh = () => ({ forks: 0, opens: 0, writes: 0, writeBytes: 0, execs: {} });
  // A call that strace caught mid-way shows as "<... X resumed>" too: count calls, not resumptions.
  for (const line of lines) {
    const m = /^(\d+)\s+(\w+)\((.*)$/.exec(line);
    if (!m) continue;
    const [, pid, call, rest] = m;
    // Each frame starts with the shell's write of its begin line.
    if (call === 'write' && pid === shellPid && /^1, "@@overlook-agent \S+ begin/.test(rest)) buckets.push((c = fresh()));
    if (!c) continue;
    if (/^(clone3?|v?fork)$/.test(call)) c.forks++;
    else if (call === 'open' || call === 'openat') c.opens++;
    else if (call === 'write') {
      c.writes++;
      const n = /= (\d+)$/.exec(rest);
      if (n) c.writeBytes += Number(n[1]);
    } else if (call === 'execve' && / = 0$/.test(rest)) {
      const prog = /^"([^"]*)"/.exec(rest)?.[1]?.split('/').pop() ?? '?';
      c.execs[prog] = (c.execs[prog] ?? 0) + 1;
    }
  }
  // Samples 1 and 2 left out.
  const counted = buckets.slice(2, SAMPLES_TRACED);
  const mean = (k) => counted.reduce((n, b) => n + b[k], 0) / counted.length;
  const execs = {};
  for (const b of counted) for (const [k, v] of Object.entries(b.execs)) execs[k] = (execs[k] ?? 0) + v / counted.length;
  return { samples: counted.length, withDf: counted.filter((b) => b.execs.df).length, forks: mean('forks'), opens: mean('opens'), writes: mean('writes'), writeBytes: mean('writeBytes'), execs };
}

/**
 * The floor under a sample that forks one `tail`: CPU of a shell loop that
 * forks and executes `tail -n +1` on no file (/dev/null), and on the files
 * every sample reads (from a frame of the agent: the headers that are not
 * processes, cgroups or slow files), per run, from the POSIX `times`
 * builtin (the loop's children, 10-ms ticks over `runs` runs).
 */
function tailFloor(files, runs = 300) {
  const loop = (args) => {
    const r = spawnSync('sh', ['-c', `i=0; while [ $i -lt ${runs} ]; do LC_ALL=C tail -n +1 -- "$@" >/dev/null 2>&1; i=$((i+1)); done; times`, 'sh', ...args], { encoding: 'utf8' });
    // times: the shell's own user/sys, then its children's ("0m1.230s 0m0.450s").
    const line = r.stdout.trim().split('\n').pop() ?? '';
    const secs = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
    return ((secs[0] ?? NaN) + (secs[1] ?? NaN)) * 1000 / runs;
  };
  return { execOnly: loop(['/dev/null']), withFiles: loop(files) };
}

/** Bytes of a frame by what they carry: each file (processes and cgroup files as groups), tail's headers, the agent's own lines, df. */
function sectionBytes(text, acc) {
  let key = 'frame lines (@@)';
  for (const line of text.split('\n')) {
    const n = line.length + 1;
    if (line.startsWith('@@')) {
      acc['frame lines (@@)'] = (acc['frame lines (@@)'] ?? 0) + n;
      if (line.startsWith('@@section df')) key = 'df';
      continue;
    }
    const h = /^==> (.*) <==$/.exec(line);
    if (h) {
      const path = h[1];
      key = /^\/proc\/\d+\/stat$/.test(path) ? '/proc/PID/stat' : path.startsWith('/') ? path.replace(/^\/sys\/class\/net\/[^/]+\/.*/, '/sys/class/net/*/…') : 'cgroup files';
      acc['tail headers'] = (acc['tail headers'] ?? 0) + n;
      continue;
    }
    acc[key] = (acc[key] ?? 0) + n;
  }
}

const fmt = (n) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');

// The console's code for naming the busiest processes, compiled on its own (as ssh-fleet does).
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist-test', 'bench-agent');
execFileSync(
  process.execPath,
  [
    join(root, 'node_modules/typescript/bin/tsc'),
    '--outDir', out, '--rootDir', root, '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022',
    '--strict', '--skipLibCheck', '--types', 'node', '--declaration', 'false', '--sourceMap', 'false',
    join(root, 'main/core/sources/agent/pacer.ts'),
    join(root, 'main/core/parse/agentFrame.ts'),
    join(root, 'main/testing/sshServers.ts'),
  ],
  { stdio: 'inherit' },
);
const load = (rel) => import(pathToFileURL(join(out, rel)).href);
const { createBusiestTracker, topListWord } = await load('main/core/sources/agent/pacer.js');
const { parseAgentFrame } = await load('main/core/parse/agentFrame.js');

/** What the console does with each frame and each request line: parse, track the busiest, name them. */
function consoleSide() {
  const busiest = createBusiestTracker();
  let sent = '';
  let fullReads = 0;
  let parseMs = 0;
  const bytes = {};
  let frames = 0;
  let everySampleFiles = [];
  return {
    get everySampleFiles() {
      return everySampleFiles;
    },
    onFrame(text) {
      frames++;
      sectionBytes(text, bytes);
      if (text.includes('@@meta slow 0')) everySampleFiles = [...text.matchAll(/^==> (\/.*) <==$/gm)].map((m) => m[1]).filter((f) => !/^\/proc\/\d+\//.test(f));
      const t0 = performance.now();
      const r = parseAgentFrame(text, Date.now());
      parseMs += performance.now() - t0;
      if (r.kind !== 'observation') return;
      if (r.observation.processes.length > 0 && r.observation.processesOnly === undefined) fullReads++;
      busiest.observe(r.observation);
    },
    nextRequest() {
      const word = topListWord(busiest.pids(), sent);
      if (word === undefined) return '';
      sent = word;
      return word;
    },
    get fullReads() {
      return fullReads;
    },
    get parseMs() {
      return parseMs;
    },
    /** Mean bytes per frame by what they carry, largest first. */
    bytesBySection() {
      return Object.entries(bytes)
        .map(([k, v]) => [k, v / Math.max(1, frames)])
        .sort((a, b) => b[1] - a[1]);
    },
  };
}

const BASELINE = opt('baseline', undefined);
const pacedArgs = ['paced', PROCESS_EVERY];
const OVER_SSH = !process.argv.includes('--no-ssh');

// A watched host's sshd: one per agent measured over SSH (this tree's and
// the baseline's), each in a cgroup of its own, so each agent's sshd is apart.
let ssh;
if (OVER_SSH) {
  const servers = await load('main/testing/sshServers.js');
  const dir = servers.makeTempDir('bench-agent');
  const user = await servers.ensureTestUser();
  const key = await servers.makeKeyPair(dir, 'id');
  const sshds = [];
  for (const port of [22296, 22297]) sshds.push(await servers.startSshd({ port, authorizedKeys: [key.publicKey], extraConfig: ['LogLevel ERROR'] }));
  // The scripts where the test user can read them.
  const copy = (from, name) => {
    const to = join(dir, name);
    writeFileSync(to, readFileSync(from));
    return to;
  };
  ssh = {
    sshds,
    login: { name: user.name, uid: user.uid, keyFile: key.privateKeyPath },
    mine: copy(SCRIPT, 'agent-this.sh'),
    theirs: BASELINE ? copy(BASELINE, 'agent-baseline.sh') : undefined,
    async stop() {
      await Promise.allSettled(sshds.map((s) => s.stop()));
      servers.removeTempDir(dir);
    },
  };
}

const rows = [];
try {
  for (const count of COUNTS) {
    const sleepers = await startSleepers(count);
    try {
      const here = processCount();
      const mine = consoleSide();
      const theirs = consoleSide();
      const [paced, baseline, exporter] = await Promise.all([
        measureAgent(pacedArgs, true, SCRIPT, { intervalMs: INTERVAL_MS, onFrame: mine.onFrame, nextRequest: mine.nextRequest }),
        BASELINE ? measureAgent(pacedArgs, true, BASELINE, { intervalMs: INTERVAL_MS, onFrame: theirs.onFrame, nextRequest: theirs.nextRequest }) : undefined,
        measureExporter(INTERVAL_MS),
      ]);
      // Then both again as the console runs them: through sshd, at the same time.
      let overSsh;
      if (ssh) {
        const m = consoleSide();
        const t = consoleSide();
        const [a, b] = await Promise.all([
          measureAgentOverSsh(ssh.sshds[0], ssh.login, ssh.mine, { intervalMs: INTERVAL_MS, processEvery: PROCESS_EVERY, onFrame: m.onFrame, nextRequest: m.nextRequest }),
          ssh.theirs ? measureAgentOverSsh(ssh.sshds[1], ssh.login, ssh.theirs, { intervalMs: INTERVAL_MS, processEvery: PROCESS_EVERY, onFrame: t.onFrame, nextRequest: t.nextRequest }) : undefined,
        ]);
        overSsh = { mine: a, theirs: b };
      }
      rows.push({
        count: here, paced, baseline, exporter, overSsh,
        fullReads: mine.fullReads, baseFullReads: theirs.fullReads, parseMs: mine.parseMs / (SAMPLES + 1),
        bytes: mine.bytesBySection(), baseBytes: theirs.bytesBySection(),
        floor: tailFloor(mine.everySampleFiles),
        floorFiles: mine.everySampleFiles.length,
      });
    } finally {
      await sleepers.stop();
    }
  }
} finally {
  await ssh?.stop();
}
console.log(`agent cost, ${SAMPLES} samples at ${INTERVAL_MS / 1000} s, shell: ${SHELL}, processes every ${PROCESS_EVERY} (${os.cpus().length} CPUs, ${os.release()}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} at the end)`);
for (const r of rows) {
  console.log(`  ${r.count} processes:`);
  const row = (label, m, unit, extra = '') =>
    console.log(`    ${label.padEnd(26)} ${fmt(m.cgroupMsPerSample).padStart(7)} ms CPU/${unit} (cgroup)  ${fmt(m.msPerSample).padStart(7)} (proc stat)  ${String(Math.round(m.bytesPerSample)).padStart(7)} bytes/${unit}${extra}`);
  const split = (m) => `; shell ${fmt(m.split.user + m.split.sys)} ms, its children (tail, df) ${fmt(m.split.childUser + m.split.childSys)} ms`;
  row('agent (this tree)', r.paced, 'sample', `  ${r.fullReads} full process reads${split(r.paced)}`);
  if (r.baseline) row('agent (baseline)', r.baseline, 'sample', `  ${r.baseFullReads} full process reads${split(r.baseline)}`);
  row('node_exporter', r.exporter, 'scrape');
  console.log(`    ratio agent/node_exporter (cgroup): ${fmt(r.paced.cgroupMsPerSample / r.exporter.cgroupMsPerSample)}${r.baseline ? `, baseline ${fmt(r.baseline.cgroupMsPerSample / r.exporter.cgroupMsPerSample)}` : ''}; target <= ${r.count > 700 ? '0.35' : '0.25'}`);
  if (r.overSsh) {
    const s = (label, m) =>
      m && console.log(`    ${label.padEnd(26)} ${fmt(m.agentMsPerSample).padStart(7)} ms agent + ${fmt(m.sshdMsPerSample).padStart(5)} ms sshd = ${fmt(m.agentMsPerSample + m.sshdMsPerSample).padStart(6)} ms CPU/sample (cgroups)  ${String(Math.round(m.bytesPerSample)).padStart(7)} bytes/sample  = ${fmt((m.agentMsPerSample + m.sshdMsPerSample) / r.exporter.cgroupMsPerSample)}x node_exporter`);
    s('over sshd (this tree)', r.overSsh.mine);
    s('over sshd (baseline)', r.overSsh.theirs);
  }
  console.log(`    console parse per frame: ${fmt(r.parseMs)} ms`);
  console.log(`    floor (same run, sh loop of tail): fork+exec of tail on no file ${fmt(r.floor.execOnly)} ms; on the ${r.floorFiles} files every sample reads ${fmt(r.floor.withFiles)} ms`);
  const top = (list) => list.slice(0, 10).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ');
  console.log(`    bytes per frame by content (this tree): ${top(r.bytes)}`);
  if (r.baseline) console.log(`    bytes per frame by content (baseline):  ${top(r.baseBytes)}`);
}
if (!process.argv.includes('--no-breakdown')) {
  const show = async (label, script) => {
    const c = await syscallsPerSample(pacedArgs, script);
    if (!c) return console.log('  breakdown: strace not installed (apt-get install -y strace)');
    const execs = Object.entries(c.execs).map(([k, v]) => `${k} ${fmt(v)}`).join(', ') || 'none';
    console.log(`  per sample, ${label} (strace, ${c.samples} samples, ${c.withDf} with df, ${processCount()} processes, paced, processes every ${PROCESS_EVERY}): ${fmt(c.forks)} forks, execs: ${execs}; ${fmt(c.opens)} opens; ${fmt(c.writes)} writes, ${Math.round(c.writeBytes)} bytes written`);
  };
  await show('this tree', SCRIPT);
  if (BASELINE) await show('baseline', BASELINE);
}
