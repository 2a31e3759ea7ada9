// Real cgroup v1 on this machine (see shared/testing.md: memory, cpu and
// cpuacct are separate hierarchies here). The test makes a Kubernetes-shaped
// container cgroup (kubepods/besteffort/pod<uid>/<id>, the cgroupfs form, so
// the agent's globs find it like any pod's), sets a memory limit and a CPU
// quota, moves a busy process and a memory hog in, and reads it back through
// the agent, the frame parser and derive: usage, throttling, the OOM kill,
// the limit, the freezer. Everything it made is removed, also on failure.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runAgentOnce } from '../sources/agent/localAgent.js';
import { deriveSamples } from '../derive/observation.js';
import { detectCgroupLayout } from '../parse/cgroups/cgroupLayout.js';

const layout = detectCgroupLayout(readFileSync('/proc/self/mountinfo', 'utf8'), []);
const id = randomBytes(32).toString('hex');
const podUid = randomUUID();
const relative = ['kubepods', 'besteffort', `pod${podUid}`, id];
const CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'pids', 'blkio', 'freezer'];
const made: string[] = [];
const children: ChildProcess[] = [];
const dirs: Record<string, string> = {};

async function stop(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
  c.kill('SIGKILL');
  await exited;
}

/** Every task in the test's cgroup (the children and anything they forked, such as the hog's sleep), killed. */
async function emptyCgroup(): Promise<void> {
  const procs = dirs.pids ? `${dirs.pids}/cgroup.procs` : undefined;
  for (let i = 0; procs && existsSync(procs) && i < 100; i++) {
    const pids = readFileSync(procs, 'utf8').split('\n').filter(Boolean).map(Number);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

afterAll(async () => {
  if (dirs.freezer && existsSync(dirs.freezer)) writeFileSync(`${dirs.freezer}/freezer.state`, 'THAWED');
  await Promise.all(children.map(stop));
  await emptyCgroup();
  // Deepest first; rmdir fails while a task is still charged, and the children are gone by now.
  for (const dir of made.sort((a, b) => b.length - a.length)) {
    try {
      rmdirSync(dir);
    } catch {
      // a parent another test's cgroups still use
    }
  }
});

/** A shell that waits on stdin (so it can be moved in first: v1 does not move charges here), then runs `script`. */
function waitingChild(script: string): ChildProcess {
  const c = spawn('/bin/sh', ['-c', `read _; ${script}`], { stdio: ['pipe', 'ignore', 'ignore'] });
  children.push(c);
  return c;
}

function moveIn(pid: number): void {
  for (const dir of Object.values(dirs)) writeFileSync(`${dir}/cgroup.procs`, String(pid));
}

describe('a real v1 container cgroup made by the test, read through the agent', () => {
  it('CPU usage held by its quota, throttling, the memory limit, an OOM kill, pids, then paused by the freezer', async () => {
    expect(process.getuid?.(), 'this test needs root to make cgroups').toBe(0);
    expect(layout.mode === 'v1' || layout.mode === 'hybrid', `cgroup mode is ${layout.mode}`).toBe(true);
    for (const controller of CONTROLLERS) {
      const mount = layout.v1Controllers[controller];
      expect(mount, `${controller} hierarchy mounted`).toBeDefined();
      let path = mount!;
      for (const part of relative) {
        path = `${path}/${part}`;
        if (!existsSync(path)) {
          mkdirSync(path);
          made.push(path);
        }
      }
      dirs[controller] = path;
    }
    const limit = 32 * 1024 * 1024;
    writeFileSync(`${dirs.memory}/memory.limit_in_bytes`, String(limit));
    // A fifth of a core: 20 ms of every 100 ms period.
    writeFileSync(`${dirs.cpu}/cpu.cfs_period_us`, '100000');
    writeFileSync(`${dirs.cpu}/cpu.cfs_quota_us`, '20000');

    const busy = waitingChild('while :; do :; done');
    // dd's 64 MiB buffer cannot fit a 32 MiB limit (no swap here): the kernel's OOM killer takes it.
    const hog = waitingChild('dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; sleep 3600');
    for (const c of [busy, hog]) {
      moveIn(c.pid!);
      c.stdin!.write('go\n');
    }
    const killed = new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (/^oom_kill [1-9]/m.test(readFileSync(`${dirs.memory}/memory.oom_control`, 'utf8'))) {
          clearInterval(poll);
          resolve();
        }
      }, 50);
    });
    await killed;

    const [first, second] = await runAgentOnce({ intervalMs: 1000 });
    expect(second.problems.filter((p) => p.startsWith('container'))).toEqual([]);
    const raw = second.containers!.cgroups.find((c) => c.id === id)!;
    expect(raw).toMatchObject({ runtime: 'cri', driver: 'cgroupfs', podUid, qos: 'besteffort', cgroupPath: `/${relative.join('/')}`, cpuLimitCores: 0.2 });
    expect(raw.initPid).toBe(Math.min(busy.pid!, hog.pid!));

    const derived = deriveSamples(first, second, 'local');
    const row = derived.containers!.rows.find((r) => r.id === id)!;
    expect(row).toMatchObject({ state: 'running', name: id.slice(0, 12), memoryLimitBytes: limit, cpuLimitCores: 0.2, podUid, qos: 'besteffort' });
    // Held to 0.2 cores whatever the machine's speed or load; throttled in nearly every period.
    expect(row.cpuCores!).toBeGreaterThan(0);
    expect(row.cpuCores!).toBeLessThan(0.2 * 1.25);
    expect(row.cpuThrottledRatio!).toBeGreaterThan(0.5);
    expect(row.cpuThrottledSecondsRate!).toBeGreaterThan(0);
    expect(row.oomKills).toBeGreaterThanOrEqual(1);
    expect(row.pids).toBeGreaterThanOrEqual(2);
    expect(row.memoryPeakBytes!).toBeGreaterThan(0);
    expect(row.memoryPeakBytes!).toBeLessThanOrEqual(limit);
    expect(derived.samples.find((s) => s.name === 'container:cpu_throttled:ratio' && s.labels.container === id.slice(0, 12))?.labels).toEqual({
      container: id.slice(0, 12),
      host: 'local',
    });

    writeFileSync(`${dirs.freezer}/freezer.state`, 'FROZEN');
    const [, frozen] = await runAgentOnce({ intervalMs: 1000 });
    const frozenRow = deriveSamples(undefined, frozen, 'local').containers!.rows.find((r) => r.id === id)!;
    expect(frozenRow.state).toBe('paused');
    writeFileSync(`${dirs.freezer}/freezer.state`, 'THAWED');
  });
});
