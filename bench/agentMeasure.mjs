// Shared by the agent benches (agent-cost.mjs, agent-containers.mjs): CPU of
// the agent per sample and of prometheus-node-exporter per scrape, measured
// the same way for both.
//
// CPU is read from /proc/PID/stat for every process in the agent's process
// group: utime + stime of each plus cutime + cstime, their waited-for
// children (tail, df, sleep). The agent is measured between the end lines of
// frame 1 and frame N+1: at each end line the shell has waited for that
// sample's children, so the window holds exactly N sample-and-wait cycles.
// node_exporter is multi-threaded; its utime/stime sum all threads. Where
// cgroup v1 cpuacct is writable (root), each also runs in its own cgroup and
// the nanosecond cpuacct.usage is reported too (it includes children still
// running and is not rounded to clock ticks).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { join } from 'node:path';

/** `--name value` from the command line, else `fallback`. */
export function option(name, fallback) {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const CPUACCT = '/sys/fs/cgroup/cpuacct';

/** utime+stime(+cutime+cstime) of a pid in ms. Fields after the ")" of comm: see proc(5). */
export function cpuMs(pid, withChildren) {
  const { user, sys, childUser, childSys } = cpuSplitMs(pid);
  return user + sys + (withChildren ? childUser + childSys : 0);
}

/** A pid's own user and kernel time and its waited-for children's, in ms. */
export function cpuSplitMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  const ms = (ticks) => (ticks * 1000) / CLK_TCK;
  return { user: ms(f[11]), sys: ms(f[12]), childUser: ms(f[13]), childSys: ms(f[14]) };
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

let cgroups = 0;
function makeCgroup(name) {
  if (!existsSync(join(CPUACCT, 'cpuacct.usage'))) return undefined;
  // Numbered, so that measurements running at the same time get one each.
  const dir = join(CPUACCT, `${name}-${process.pid}-${++cgroups}`);
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

/**
 * @param {{ samples: number, shell: string, script: string, exporter: string }} config
 */
export function agentMeasure({ samples, shell, script: defaultScript, exporter }) {
  if (!existsSync(exporter)) {
    console.error(`${exporter} not found: apt-get install -y prometheus-node-exporter`);
    process.exit(1);
  }

  /**
   * Runs the agent with `agentArgs`; when `paced`, writes a request line every
   * second (as the console does), else the agent keeps its own time.
   * `options.env` is added to its environment (SYS_ROOT for fixture trees),
   * `options.request` is the request line (the console's `net:PID` words),
   * `options.firstRequest` the first one when it differs (agent 3 keeps the
   * `net=…` list it was sent once). `options.onFrame` receives each whole
   * frame's text. `options.intervalMs` is the pace (default 1 s);
   * `options.nextRequest()`, when given, words each request line (the
   * console's "top=" list). Besides the totals it returns `split`: the shell's own
   * user and kernel time per sample and its children's (`tail`, `df`).
   */
  async function measureAgent(agentArgs, paced, script = defaultScript, options = {}) {
    const cgroup = makeCgroup('ovl-bench-agent');
    const child = spawnIn(cgroup, shell, [script, ...agentArgs], {
      stdio: ['pipe', 'pipe', 'inherit'],
      detached: true,
      env: { ...process.env, ...(options.env ?? {}) },
    });
    // With a cgroup the group leader is the joining sh that then execs the agent: same pid.
    const pgid = child.pid;
    const line = () => `${options.nextRequest ? options.nextRequest() : (options.request ?? '')}\n`;
    const pacer = paced ? setInterval(() => child.stdin.write(line()), options.intervalMs ?? 1000) : undefined;
    if (paced) child.stdin.write(options.firstRequest !== undefined ? `${options.firstRequest}\n` : line());
    let frames = 0;
    let bytes = 0;
    let partial = '';
    let frame = [];
    let start;
    const done = new Promise((resolve) => {
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk) => {
        bytes += chunk.length;
        const lines = (partial + chunk).split('\n');
        partial = lines.pop();
        for (const l of lines) {
          if (options.onFrame) frame.push(l);
          if (!/^@@overlook-agent \S+ end \d+$/.test(l)) continue;
          frames++;
          if (options.onFrame) {
            options.onFrame(frame.join('\n') + '\n');
            frame = [];
          }
          if (frames === 1) start = { ms: groupCpuMs(pgid), ns: cgroupNs(cgroup), bytes, split: cpuSplitMs(pgid) };
          if (frames === samples + 1) resolve({ ms: groupCpuMs(pgid), ns: cgroupNs(cgroup), bytes, split: cpuSplitMs(pgid) });
        }
      });
    });
    const end = await done;
    if (pacer) clearInterval(pacer);
    process.kill(-pgid, 'SIGTERM');
    await new Promise((r) => child.on('close', r));
    await removeCgroup(cgroup);
    return {
      msPerSample: (end.ms - start.ms) / samples,
      cgroupMsPerSample: (end.ns - start.ns) / 1e6 / samples,
      bytesPerSample: (end.bytes - start.bytes) / samples,
      split: Object.fromEntries(Object.keys(end.split).map((k) => [k, (end.split[k] - start.split[k]) / samples])),
    };
  }

  async function measureExporter(intervalMs = 1000) {
    const port = await freePort();
    const cgroup = makeCgroup('ovl-bench-node-exporter');
    const child = spawnIn(cgroup, exporter, [`--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
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
      for (let i = 0; i < samples; i++) {
        bytes += await scrape(port);
        // Same cadence as the agent, so idle costs (GC, timers) weigh the same.
        if (i < samples - 1) await new Promise((r) => setTimeout(r, intervalMs));
      }
      const end = { ms: cpuMs(child.pid, false), ns: cgroupNs(cgroup) };
      return {
        msPerSample: (end.ms - start.ms) / samples,
        cgroupMsPerSample: (end.ns - start.ns) / 1e6 / samples,
        bytesPerSample: bytes / samples,
      };
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('close', r));
      await removeCgroup(cgroup);
    }
  }

  /**
   * The agent as the console runs it on a watched host: started by a real
   * OpenSSH sshd (`ssh` from here, as the console's SSH client would), paced
   * over the channel. `server` is a started sshd (main/testing/sshServers.ts)
   * whose listener this moves into a cgroup of its own, so the per-connection
   * sshd processes that serve the channel (key exchange, encryption, reading
   * the agent's pipe) are measured by it; the agent moves itself into another
   * (its shell, tail and df) before it execs, so the two are apart. Returns
   * both per sample, with the frame bytes.
   */
  async function measureAgentOverSsh(server, login, script, options = {}) {
    const sshdGroup = makeCgroup('ovl-bench-sshd');
    const agentGroup = makeCgroup('ovl-bench-agent-ssh');
    if (!sshdGroup || !agentGroup) throw new Error('measuring over SSH needs cgroup v1 cpuacct (run as root)');
    // The test user joins its own cgroup: it may write that cgroup.procs (cgroup v1 checks the file's mode and the task's uid).
    spawnSync('chown', [String(login.uid), join(agentGroup, 'cgroup.procs')]);
    // The listener and every session it forks from now on.
    spawnSync('sh', ['-c', `echo ${server.pid()} > ${sshdGroup}/cgroup.procs`]);
    const remote = `echo $$ > ${agentGroup}/cgroup.procs && exec ${shell} ${script} paced ${options.processEvery ?? '3'}`;
    const child = spawn('ssh', ['-T', '-p', String(server.port), '-i', login.keyFile, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no',
      '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', `${login.name}@${server.host}`, remote], { stdio: ['pipe', 'pipe', 'inherit'] });
    const line = () => `${options.nextRequest ? options.nextRequest() : ''}\n`;
    const pacer = setInterval(() => child.stdin.write(line()), options.intervalMs ?? 1000);
    child.stdin.write(line());
    let frames = 0;
    let bytes = 0;
    let partial = '';
    let frame = [];
    let start;
    const mark = () => ({ sshd: cgroupNs(sshdGroup), agent: cgroupNs(agentGroup), bytes });
    const end = await new Promise((resolve) => {
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk) => {
        bytes += chunk.length;
        const lines = (partial + chunk).split('\n');
        partial = lines.pop();
        for (const l of lines) {
          if (options.onFrame) frame.push(l);
          if (!/^@@overlook-agent \S+ end \d+$/.test(l)) continue;
          frames++;
          if (options.onFrame) {
            options.onFrame(frame.join('\n') + '\n');
            frame = [];
          }
          if (frames === 1) start = mark();
          if (frames === samples + 1) resolve(mark());
        }
      });
    });
    clearInterval(pacer);
    child.stdin.end();
    await new Promise((r) => child.on('close', r));
    // Back to the root cgroup, so both can be removed.
    spawnSync('sh', ['-c', `echo ${server.pid()} > ${CPUACCT}/cgroup.procs`]);
    await removeCgroup(agentGroup);
    await removeCgroup(sshdGroup);
    return {
      agentMsPerSample: (end.agent - start.agent) / 1e6 / samples,
      sshdMsPerSample: (end.sshd - start.sshd) / 1e6 / samples,
      bytesPerSample: (end.bytes - start.bytes) / samples,
    };
  }

  return { measureAgent, measureExporter, measureAgentOverSsh };
}
