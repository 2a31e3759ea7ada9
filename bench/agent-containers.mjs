#!/usr/bin/env node
// Agent cost with containers: CPU per sample of agent/overlook-agent.sh (paced,
// as the console runs it) on hosts with 0, 50 and 200 containers, next to
// prometheus-node-exporter's CPU per scrape in the same run, plus the
// console's cost to parse and derive one such frame.
//
//   npm run build && node bench/agent-containers.mjs [--samples 20] [--counts 0,50,200] [--shell sh] [--real 50]
//
// The larger counts run on generated cgroup trees (SYS_ROOT; /proc stays the
// real one) in two layouts: cgroup v1 as on this machine (cpu, cpuacct,
// memory, blkio, pids and freezer as separate hierarchies, Docker on
// cgroupfs) and cgroup v2 with the systemd driver (docker-<id>.scope), each
// container's files copied from the fixtures modelled on real hosts. The
// request line asks for one /proc/PID/net/dev per container, as the console
// does for their init processes. With --real N (default 50; 0 to skip) a
// real dockerd (the test harness, from dist/) runs N containers and the agent
// reads the real /sys/fs/cgroup.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { agentMeasure, option as opt } from './agentMeasure.mjs';

const SAMPLES = Number(opt('samples', '20'));
const SHELL = opt('shell', 'sh');
const COUNTS = opt('counts', '0,50,200').split(',').map(Number);
const REAL = Number(opt('real', process.getuid?.() === 0 ? '50' : '0'));
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCRIPT = join(ROOT, 'agent', 'overlook-agent.sh');
const FIXTURES = join(ROOT, 'main', 'core', 'containers', 'fixtures');
const V1 = join(FIXTURES, 'rhel8-v1-cgroupfs-docker', 'sys', 'fs', 'cgroup');
const V1_ID = '5b4e3d2c1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d';
const V2 = join(FIXTURES, 'ubuntu2204-v2-systemd-docker-k8s', 'sys', 'fs', 'cgroup', 'system.slice', 'docker-3f6c2a9e1b7d4c8a0e5f92b1d6a4c7e8f0b3a5d9c2e6f1a4b8d7c0e3f5a9b2c6.scope');

const { measureAgent, measureExporter } = agentMeasure({ samples: SAMPLES, shell: SHELL, script: SCRIPT, exporter: opt('exporter', '/usr/bin/prometheus-node-exporter') });
const fromDist = async (rel) => import(pathToFileURL(join(ROOT, 'dist', 'main', rel)).href);
const { parseAgentFrame } = await fromDist('core/agent/parse.js').catch(() => {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(1);
});
const { deriveSamples } = await fromDist('core/metrics/derive.js');

/** Real pids to ask the network of, one per container (repeated when there are fewer processes than containers). */
function somePids(n) {
  const pids = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  return Array.from({ length: n }, (_, i) => pids[i % pids.length]);
}

function v1Tree(n) {
  const tree = mkdtempSync(join(os.tmpdir(), 'ovl-bench-ctr-v1-'));
  const cg = join(tree, 'fs', 'cgroup');
  const files = {
    cpuacct: ['cpuacct.usage'],
    cpu: ['cpu.stat', 'cpu.cfs_quota_us', 'cpu.cfs_period_us'],
    memory: ['memory.usage_in_bytes', 'memory.max_usage_in_bytes', 'memory.limit_in_bytes', 'memory.stat', 'memory.oom_control'],
    blkio: ['blkio.throttle.io_service_bytes', 'blkio.throttle.io_serviced'],
    pids: ['pids.current', 'pids.max'],
    freezer: [],
  };
  const source = { cpuacct: 'cpu,cpuacct', cpu: 'cpu,cpuacct', memory: 'memory', blkio: 'blkio', pids: 'pids' };
  const pids = somePids(n);
  for (const controller of Object.keys(files)) mkdirSync(join(cg, controller, 'docker'), { recursive: true });
  for (let i = 0; i < n; i++) {
    const id = randomBytes(32).toString('hex');
    for (const [controller, names] of Object.entries(files)) {
      const dir = join(cg, controller, 'docker', id);
      mkdirSync(dir);
      for (const name of names) cpSync(join(V1, source[controller], 'docker', V1_ID, name), join(dir, name));
    }
    writeFileSync(join(cg, 'freezer', 'docker', id, 'freezer.state'), 'THAWED\n');
    writeFileSync(join(cg, 'memory', 'docker', id, 'cgroup.procs'), `${pids[i]}\n`);
  }
  return { tree, pids };
}

function v2Tree(n) {
  const tree = mkdtempSync(join(os.tmpdir(), 'ovl-bench-ctr-v2-'));
  const cg = join(tree, 'fs', 'cgroup');
  mkdirSync(join(cg, 'system.slice'), { recursive: true });
  writeFileSync(join(cg, 'cgroup.controllers'), 'cpuset cpu io memory hugetlb pids rdma misc\n');
  const pids = somePids(n);
  for (let i = 0; i < n; i++) {
    const dir = join(cg, 'system.slice', `docker-${randomBytes(32).toString('hex')}.scope`);
    cpSync(V2, dir, { recursive: true });
    writeFileSync(join(dir, 'cgroup.procs'), `${pids[i]}\n`);
  }
  return { tree, pids };
}

/** The console's side: parse and derive one frame, ms per frame (median of 50). */
function consoleCost(frames) {
  if (frames.length < 2) return NaN;
  const [a, b] = frames.slice(-2);
  const times = [];
  for (let i = 0; i < 50; i++) {
    const t0 = performance.now();
    const prev = parseAgentFrame(a, Date.now());
    const cur = parseAgentFrame(b, Date.now());
    if (prev.kind !== 'observation' || cur.kind !== 'observation') throw new Error('bench frames did not parse');
    deriveSamples(prev.observation, cur.observation, 'bench');
    times.push((performance.now() - t0) / 2);
  }
  times.sort((x, y) => x - y);
  return times[Math.floor(times.length / 2)];
}

async function run(label, env, pids) {
  const frames = [];
  const r = await measureAgent(['paced', '3'], true, SCRIPT, {
    env,
    request: pids.map((p) => `net:${p}`).join(' '),
    onFrame: (f) => {
      frames.push(f);
      if (frames.length > 2) frames.shift();
    },
  });
  const last = frames.length ? parseAgentFrame(frames[frames.length - 1], Date.now()) : undefined;
  const seen = last?.kind === 'observation' ? (last.observation.containers?.cgroups.length ?? 0) : 0;
  return { label, ...r, containers: seen, consoleMs: consoleCost(frames) };
}

const results = [];
for (const [layout, make] of [
  ['v1', v1Tree],
  ['v2', v2Tree],
]) {
  for (const n of COUNTS) {
    const { tree, pids } = make(n);
    try {
      results.push(await run(`${layout} tree, ${n} containers`, { SYS_ROOT: tree }, pids));
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  }
}

if (REAL > 0) {
  const { startTestDockerd } = await fromDist('core/containers/testEngines.js');
  const d = await startTestDockerd('bench');
  try {
    for (let i = 0; i < REAL; i++) await d.docker('run', '-d', '--name', `b${i}`, '-m', '64m', '--cpus', '0.5', d.image, 'sleep', '3600');
    const pids = (await d.docker('inspect', '--format', '{{.State.Pid}}', ...Array.from({ length: REAL }, (_, i) => `b${i}`))).trim().split('\n');
    results.push(await run(`real dockerd, ${REAL} containers`, {}, pids));
  } finally {
    await d.stop();
  }
}

const exporter = await measureExporter();
const fmt = (n, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
console.log(`agent cost with containers, ${SAMPLES} paced samples at 1 s, shell ${SHELL} (${os.cpus().length} CPUs, ${os.release()}, load ${os.loadavg()[0].toFixed(1)})`);
for (const r of results) {
  console.log(
    `  ${r.label.padEnd(30)} ${fmt(r.msPerSample)} ms CPU/sample (proc stat)  ${fmt(r.cgroupMsPerSample)} ms (cgroup)  ${Math.round(r.bytesPerSample / 1024)} KiB/sample  ` +
      `ratio to node_exporter ${fmt(r.msPerSample / exporter.msPerSample)} / ${fmt(r.cgroupMsPerSample / exporter.cgroupMsPerSample)}  ` +
      `(${r.containers} read; console parse+derive ${fmt(r.consoleMs)} ms/frame)`,
  );
}
console.log(`  node_exporter                  ${fmt(exporter.msPerSample)} ms CPU/scrape (proc stat)  ${fmt(exporter.cgroupMsPerSample)} ms (cgroup)  ${Math.round(exporter.bytesPerSample / 1024)} KiB/scrape`);
// Keep the trees honest: a layout that read fewer containers than it made is a bench bug, not a figure.
for (const r of results) {
  const made = Number(/(\d+) containers/.exec(r.label)?.[1]);
  if (r.containers !== made) console.log(`  WARNING: ${r.label}: the agent read ${r.containers}`);
}
