#!/usr/bin/env node
// Agent cost with containers: CPU per sample of agent/overlook-agent.sh (paced,
// as the console runs it) on hosts with 0, 50 and 200 containers, next to
// prometheus-node-exporter's CPU per scrape in the same run, plus the
// console's cost to parse, carry (ContainerTracker) and derive one frame.
//
//   npm run build && node bench/agent-containers.mjs [--samples 20] [--counts 0,50,200] [--shell sh] [--real 50]
//     [--baseline DIR] [--breakdown]
//
// The larger counts run on generated cgroup trees (SYS_ROOT; /proc stays the
// real one) in two layouts: cgroup v1 as on this machine (cpu, cpuacct,
// memory, blkio, pids and freezer as separate hierarchies, Docker on
// cgroupfs) and cgroup v2 with the systemd driver (docker-<id>.scope), each
// container's files copied from the fixtures modelled on real hosts. The
// console asks for one /proc/PID/net/dev per container, for their init
// processes. With --real N (default 50; 0 to skip) a real dockerd (the test
// harness, from dist/) runs N containers and the agent reads the real
// /sys/fs/cgroup.
//
// --baseline DIR: a checkout of an earlier version with its dist/ built
// (`git worktree add DIR REV && (cd DIR && npm run build)`, node_modules
// linked): its agent and console run on the same trees in the same run, each
// case back to back, for before/after figures. --breakdown: where a frame's
// bytes go (by file kind, tail's headers apart) and the agent's CPU split
// (the shell's own user/kernel time, i.e. globbing and builtins, vs tail's).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

const BASELINE = opt('baseline', '');
const BREAKDOWN = process.argv.includes('--breakdown');

const { measureAgent, measureExporter } = agentMeasure({ samples: SAMPLES, shell: SHELL, script: SCRIPT, exporter: opt('exporter', '/usr/bin/prometheus-node-exporter') });
const fromDist = async (root, rel) => import(pathToFileURL(join(root, 'dist', 'main', rel)).href);
/** The first of a module's paths that a checkout has: a --baseline checkout may predate the core's current layout. */
const fromDistAt = async (root, ...rels) => {
  for (const rel of rels) if (existsSync(join(root, 'dist', 'main', rel))) return fromDist(root, rel);
  throw new Error(`none of ${rels.join(', ')} under ${root}/dist/main`);
};

/** One version of the agent and its console: the script, its version, and the parse → carry → derive path from its dist/. */
async function version(label, root) {
  const script = join(root, 'agent', 'overlook-agent.sh');
  const agentVersion = Number(/^AGENT_VERSION=(\d+)$/m.exec(readFileSync(script, 'utf8'))?.[1]);
  const [{ parseAgentFrame }, { deriveSamples }, { ContainerTracker }] = await Promise.all([
    fromDistAt(root, 'core/parse/agentFrame.js', 'core/agent/parse.js'),
    fromDistAt(root, 'core/derive/host.js', 'core/metrics/derive.js'),
    fromDistAt(root, 'core/containers/containerTracker.js'),
  ]).catch(() => {
    console.error(`${root}/dist/ is missing: run \`npm run build\` there first`);
    process.exit(1);
  });
  // Agent 3 keeps the init pids' list it is sent once (net=PID,…); earlier ones took net:PID words every sample.
  const requests = (pids) =>
    agentVersion >= 3 ? { firstRequest: `net=${pids.join(',')}`, request: '' } : { request: pids.map((p) => `net:${p}`).join(' ') };
  return { label, script, parseAgentFrame, deriveSamples, ContainerTracker, requests };
}
const versions = [...(BASELINE ? [await version('before', BASELINE)] : []), await version(BASELINE ? 'after' : 'this', ROOT)];

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

/**
 * The console's side, CPU ms per frame: parse, carry (the tracker, as the
 * sources run it) and derive over one cycle of the paced agent's frames (one
 * with processes, then two without), 40 rounds after 10 to warm up. CPU time
 * (process.cpuUsage, the collector's threads included) rather than wall
 * time, so other jobs on a shared machine weigh less.
 */
function consoleCost(v, frames) {
  if (frames.length < 3) return NaN;
  const round = () => {
    const tracker = new v.ContainerTracker({});
    let prev;
    for (const [i, text] of frames.entries()) {
      const parsed = v.parseAgentFrame(text, 1_000_000 + i * 1000);
      if (parsed.kind !== 'observation') throw new Error('bench frames did not parse');
      const obs = tracker.enrich(parsed.observation);
      v.deriveSamples(prev, obs, 'bench');
      prev = obs;
    }
  };
  for (let i = 0; i < 10; i++) round();
  const start = process.cpuUsage();
  const rounds = 40;
  for (let i = 0; i < rounds; i++) round();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / rounds / frames.length;
}

/** Bytes of a frame by what they carry: each cgroup file kind, /proc per-pid files, tail's headers apart. */
function bytesByKind(frames) {
  const kinds = new Map();
  const add = (k, n) => kinds.set(k, (kinds.get(k) ?? 0) + n);
  for (const frame of frames) {
    let kind = 'frame lines (meta, df)';
    for (const line of frame.split('\n')) {
      const n = line.length + 1;
      const header = /^==> (.*) <==$/.exec(line);
      if (header) {
        const path = header[1];
        kind = /^\/[^ ]*\/\d+\/stat$/.test(path)
          ? '/proc/PID/stat'
          : /\/\d+\/net\/dev$/.test(path)
            ? '/proc/PID/net/dev'
            : !path.startsWith('/') || path.includes('/fs/cgroup/')
              ? path.slice(path.lastIndexOf('/') + 1)
              : 'host files';
        add(`headers of ${kind.startsWith('/proc') || kind === 'host files' ? kind : 'cgroup files'}`, n);
        continue;
      }
      if (line.startsWith('@@')) kind = 'frame lines (meta, df)';
      add(kind, n);
    }
  }
  return [...kinds].map(([k, n]) => [k, n / frames.length]).sort((a, b) => b[1] - a[1]);
}

async function run(v, label, env, pids) {
  const frames = [];
  const r = await measureAgent(['paced', '3'], true, v.script, {
    env,
    ...v.requests(pids),
    onFrame: (f) => {
      frames.push(f);
      if (frames.length > 3) frames.shift();
    },
  });
  const last = frames.length ? v.parseAgentFrame(frames[frames.length - 1], Date.now()) : undefined;
  const seen = last?.kind === 'observation' ? (last.observation.containers?.cgroups.length ?? 0) : 0;
  return { label, version: v.label, ...r, containers: seen, consoleMs: consoleCost(v, frames), bytes: BREAKDOWN ? bytesByKind(frames) : [] };
}

/** Every version on the same host, back to back. */
async function runAll(label, env, pids) {
  for (const v of versions) results.push(await run(v, label, env, pids));
}

const results = [];
for (const [layout, make] of [
  ['v1', v1Tree],
  ['v2', v2Tree],
]) {
  for (const n of COUNTS) {
    const { tree, pids } = make(n);
    try {
      await runAll(`${layout} tree, ${n} containers`, { SYS_ROOT: tree }, pids);
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  }
}

if (REAL > 0) {
  // The harness is test support, built apart from the product: npm run build:test-support.
  const { startTestDockerd } = await import(pathToFileURL(join(ROOT, 'dist-test', 'main', 'testing', 'containerEngines.js')).href);
  const d = await startTestDockerd('bench');
  try {
    for (let i = 0; i < REAL; i++) await d.docker('run', '-d', '--name', `b${i}`, '-m', '64m', '--cpus', '0.5', d.image, 'sleep', '3600');
    const pids = (await d.docker('inspect', '--format', '{{.State.Pid}}', ...Array.from({ length: REAL }, (_, i) => `b${i}`))).trim().split('\n');
    await runAll(`real dockerd, ${REAL} containers`, {}, pids);
  } finally {
    await d.stop();
  }
}

const exporter = await measureExporter();
const fmt = (n, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
console.log(`agent cost with containers, ${SAMPLES} paced samples at 1 s (paced 3: processes every 3rd sample), shell ${SHELL} (${os.cpus().length} CPUs, ${os.release()}, load ${os.loadavg()[0].toFixed(1)})`);
console.log(`  node_exporter: ${fmt(exporter.msPerSample)} ms CPU/scrape (proc stat), ${fmt(exporter.cgroupMsPerSample)} ms (cgroup), ${Math.round(exporter.bytesPerSample / 1024)} KiB/scrape`);
console.log(`  ${'host'.padEnd(30)} ${'version'.padEnd(7)} ${'agent ms'.padStart(8)} ${'ratio'.padStart(6)} ${'cgroup ms'.padStart(9)} ${'KiB'.padStart(5)} ${'console ms'.padStart(10)}   shell user/sys, tail user/sys (ms)`);
for (const r of results) {
  const sp = r.split;
  console.log(
    `  ${r.label.padEnd(30)} ${r.version.padEnd(7)} ${fmt(r.msPerSample).padStart(8)} ${fmt(r.msPerSample / exporter.msPerSample).padStart(6)} ${fmt(r.cgroupMsPerSample).padStart(9)} ` +
      `${String(Math.round(r.bytesPerSample / 1024)).padStart(5)} ${fmt(r.consoleMs).padStart(10)}   ${fmt(sp.user, 1)}/${fmt(sp.sys, 1)}, ${fmt(sp.childUser, 1)}/${fmt(sp.childSys, 1)}`,
  );
}
console.log('  (agent ms: CPU per sample from /proc stat ticks; cgroup ms: cpuacct.usage of its own cgroup; ratio: agent ms / node_exporter ms; console ms: CPU to parse + carry + derive one frame)');
if (BREAKDOWN) {
  for (const r of results) {
    console.log(`  bytes per frame, ${r.label}, ${r.version} (average over the last 3 frames):`);
    for (const [kind, n] of r.bytes) if (n >= 512) console.log(`    ${kind.padEnd(36)} ${(n / 1024).toFixed(1).padStart(7)} KiB`);
  }
}
// Keep the trees honest: a layout that read fewer containers than it made is a bench bug, not a figure.
for (const r of results) {
  const made = Number(/(\d+) containers/.exec(r.label)?.[1]);
  if (r.containers !== made) console.log(`  WARNING: ${r.label} (${r.version}): the agent read ${r.containers}`);
}
