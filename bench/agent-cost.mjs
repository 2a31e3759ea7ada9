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
// How CPU is measured: see agentMeasure.mjs (shared with agent-containers.mjs).
// Processes that start and end inside the window without being waited for by
// a group member would escape the count; the agent has none (every fork is
// waited for). Forks per sample come from separate `strace -f` runs.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentMeasure, option as opt } from './agentMeasure.mjs';

const SAMPLES = Number(opt('samples', '20'));
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
