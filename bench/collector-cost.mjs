// CPU per collection of the built-in collector (main/core/sources/system/systemCollector.ts,
// used for "local" on macOS and Windows) next to the agent's per sample, on
// this Linux machine, in the same run. Prints figures; asserts nothing.
//
//   npx tsc -p main/tsconfig.json     # writes dist/
//   node bench/collector-cost.mjs [samples=20]
//
// Agent: `sh agent/overlook-agent.sh stream 1`; CPU of the sh and of every
// child it reaped (tail, df, sleep) from /proc/PID/stat utime+stime+cutime+cstime,
// plus the console's parse of each frame (parseAgentFrame, in this process).
// Collector: process.cpuUsage() around each collect() in this process, plus
// the CPU of the shells the library spawned and this process reaped
// (/proc/self/stat cutime+cstime). Collections are 1 s apart, as the library
// caches some answers for 500 ms.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const samples = Number(process.argv[2] ?? 20);
const clkTck = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const msPerTick = 1000 / clkTck;

const { createSystemCollector } = await import(`${root}dist/main/core/sources/system/systemCollector.js`);
const { parseAgentFrame } = await import(`${root}dist/main/core/parse/agentFrame.js`);
const si = (await import('systeminformation')).default;

function statTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields 14-17 of proc(5): utime stime cutime cstime (f[0] is field 3)
  return { self: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]) };
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmt = (ms) => `${ms.toFixed(1)} ms`;

// --- agent -----------------------------------------------------------------
async function measureAgent() {
  const child = spawn('sh', [`${root}agent/overlook-agent.sh`, 'stream', '1'], { stdio: ['pipe', 'pipe', 'ignore'] });
  let buffer = '';
  const frames = [];
  let parseMs = 0;
  let start;
  let end;
  await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.stdout.on('data', (chunk) => {
      buffer += chunk.toString();
      let endAt;
      while ((endAt = buffer.search(/^@@overlook-agent \S+ end \d+$/m)) >= 0) {
        const nl = buffer.indexOf('\n', endAt);
        if (nl < 0) break;
        const frame = buffer.slice(0, nl + 1);
        buffer = buffer.slice(nl + 1);
        frames.push(frame);
        // Frames 1 (start-up probes) is left out; measure frames 2..samples+1.
        if (frames.length === 1) start = statTicks(child.pid);
        if (frames.length > 1) {
          const c0 = process.cpuUsage();
          const parsed = parseAgentFrame(frame, Date.now());
          const c = process.cpuUsage(c0);
          parseMs += (c.user + c.system) / 1000;
          if (parsed.kind !== 'observation') reject(new Error(`agent frame: ${JSON.stringify(parsed).slice(0, 200)}`));
        }
        if (frames.length === samples + 1) {
          end = statTicks(child.pid);
          resolve();
        }
      }
    });
  });
  child.stdin.end();
  child.kill('SIGTERM');
  const shellMs = ((end.self - start.self) * msPerTick) / samples;
  const childrenMs = ((end.children - start.children) * msPerTick) / samples;
  return { shellMs, childrenMs, parseMs: parseMs / samples, bytes: frames.at(-1).length };
}

// --- collector -------------------------------------------------------------
async function measureCollector(options) {
  const collector = createSystemCollector({ intervalMs: 1000, ...options });
  await collector.collect(); // warm-up: module load, osInfo, mount list
  await sleep(1000);
  let ownMs = 0;
  const t0 = statTicks('self');
  let series = 0;
  let processes = 0;
  for (let i = 0; i < samples; i++) {
    const c0 = process.cpuUsage();
    const obs = await collector.collect();
    const c = process.cpuUsage(c0);
    ownMs += (c.user + c.system) / 1000;
    series = obs.series.length;
    processes = Math.max(processes, obs.processes.length);
    await sleep(1000);
  }
  const t1 = statTicks('self');
  return { ownMs: ownMs / samples, childrenMs: ((t1.children - t0.children) * msPerTick) / samples, series, processes };
}

async function measureCall(name, run) {
  await run();
  await sleep(600);
  let ownMs = 0;
  const n = 5;
  const t0 = statTicks('self');
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage();
    await run();
    const c = process.cpuUsage(c0);
    ownMs += (c.user + c.system) / 1000;
    await sleep(600);
  }
  const t1 = statTicks('self');
  return { name, ownMs: ownMs / n, childrenMs: ((t1.children - t0.children) * msPerTick) / n };
}

console.log(`collector-cost: ${samples} samples, 1 s apart, CLK_TCK ${clkTck}, node ${process.version}, ${process.platform}`);
const agent = await measureAgent();
// Every collection reads everything (processes and temperatures too): the worst case.
const everything = await measureCollector({ slowEveryMs: 0, mountRefreshMs: 0 });
// The default schedule: processes every collection, temperatures every 15 s, mounts every 60 s.
const steady = await measureCollector({});
// Processes every 15 s as well (needs deriveSamples to pair with the last observation that had processes).
const sparse = await measureCollector({ processEveryMs: 15_000 });

const row = (label, own, children, extra = '') =>
  console.log(`${label.padEnd(58)} ${fmt(own + children).padStart(9)}  (in node ${fmt(own)}, child processes ${fmt(children)})${extra}`);
console.log('\nCPU per sample / collection');
row('agent: sh + children, plus parse in the console', agent.shellMs + agent.parseMs, agent.childrenMs, `  frame ${agent.bytes} B`);
row('collector, default schedule (processes every collection)', steady.ownMs, steady.childrenMs, `  ${steady.series} series`);
row('collector, processes every 15 s', sparse.ownMs, sparse.childrenMs, `  ${sparse.series} series`);
row('collector, reading everything every time', everything.ownMs, everything.childrenMs, `  ${everything.series} series, ${everything.processes} processes`);
console.log(`ratio collector(default) / agent: ${((steady.ownMs + steady.childrenMs) / (agent.shellMs + agent.parseMs + agent.childrenMs)).toFixed(2)}`);

console.log('\nPer library call on Linux (what each costs here; macOS/Windows spawn differently, see systemCollector.ts)');
const os = await import('node:os');
const calls = [
  ['os.cpus + os.loadavg + os.uptime', async () => [os.cpus(), os.loadavg(), os.uptime()]],
  ['si.mem', () => si.mem()],
  ['si.fsSize', () => si.fsSize()],
  ['si.fsStats', () => si.fsStats()],
  ['si.disksIO', () => si.disksIO()],
  ['si.networkStats(interfaces with an address)', () => si.networkStats(Object.keys(os.networkInterfaces()).join(','))],
  ['si.cpuTemperature', () => si.cpuTemperature()],
  ['si.processes', () => si.processes()],
];
for (const [name, run] of calls) {
  const r = await measureCall(name, run);
  row(`  ${name}`, r.ownMs, r.childrenMs);
}
