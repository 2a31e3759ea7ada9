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
//                             [--forks]   also counts forks per sample with strace (stream mode, slow)
//
// Not included: the sshd that carries the frames to a remote console
// (bench/ssh-fleet.mjs measures SSH transport).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
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
const { measureAgent, measureExporter } = agentMeasure({ samples: SAMPLES, shell: SHELL, script: SCRIPT, exporter: EXPORTER });

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
  return {
    onFrame(text) {
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
  };
}

const BASELINE = opt('baseline', undefined);
const pacedArgs = ['paced', PROCESS_EVERY];
const rows = [];
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
    rows.push({ count: here, paced, baseline, exporter, fullReads: mine.fullReads, baseFullReads: theirs.fullReads, parseMs: mine.parseMs / (SAMPLES + 1) });
  } finally {
    await sleepers.stop();
  }
}
console.log(`agent cost, ${SAMPLES} samples at ${INTERVAL_MS / 1000} s, shell: ${SHELL}, processes every ${PROCESS_EVERY} (${os.cpus().length} CPUs, ${os.release()}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} at the end)`);
for (const r of rows) {
  console.log(`  ${r.count} processes:`);
  const row = (label, m, unit, extra = '') =>
    console.log(`    ${label.padEnd(26)} ${fmt(m.cgroupMsPerSample).padStart(7)} ms CPU/${unit} (cgroup)  ${fmt(m.msPerSample).padStart(7)} (proc stat)  ${String(Math.round(m.bytesPerSample)).padStart(7)} bytes/${unit}${extra}`);
  row('agent (this tree)', r.paced, 'sample', `  ${r.fullReads} full process reads`);
  if (r.baseline) row('agent (baseline)', r.baseline, 'sample', `  ${r.baseFullReads} full process reads`);
  row('node_exporter', r.exporter, 'scrape');
  console.log(`    ratio agent/node_exporter (cgroup): ${fmt(r.paced.cgroupMsPerSample / r.exporter.cgroupMsPerSample)}${r.baseline ? `, baseline ${fmt(r.baseline.cgroupMsPerSample / r.exporter.cgroupMsPerSample)}` : ''}; target <= ${r.count > 700 ? '0.35' : '0.25'}`);
  console.log(`    console parse per frame: ${fmt(r.parseMs)} ms`);
}
if (process.argv.includes('--forks')) {
  for (const [args, isPaced] of [[pacedArgs, true], [['stream', '1'], false]]) {
    const forks = await forksPerSample(args, isPaced);
    if (!forks) {
      console.log('  forks: strace not installed (apt-get install -y strace)');
      break;
    }
    console.log(`  forks, ${args.join(' ')}: ${forks.startup} for start-up and two samples, ${fmt(forks.perSample)} per further sample (plus df every ~30 s)`);
  }
}
