// Real cgroup v1 on this machine (see shared/testing.md): memory and cpuacct
// are separate hierarchies here. The test makes its own cgroups, moves a busy
// child in, reads them through the same reader + parser as any host, and
// removes everything it made, also when an assertion fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { detectCgroupLayout } from './cgroupLayout.js';
import { parseCgroupStats } from './cgroupStats.js';
import { readCgroupV1Files } from './readCgroupFiles.js';

const name = `ovl-test-${process.pid}`;
const layout = detectCgroupLayout(readFileSync('/proc/self/mountinfo', 'utf8'), []);
const dirs: Record<string, string> = {};
let child: ChildProcess | undefined;

async function stopChild(): Promise<void> {
  const c = child;
  if (!c || c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
  c.kill('SIGKILL');
  await exited;
}

afterAll(async () => {
  await stopChild();
  for (const dir of Object.values(dirs)) {
    // rmdir fails while a task is still charged; the child is gone by now.
    if (existsSync(dir)) rmdirSync(dir);
  }
});

describe('real v1 cgroup made by the test', () => {
  it('reads growing CPU usage, the memory limit and the task count of a busy child', async () => {
    expect(process.getuid?.(), 'this test needs root to make cgroups').toBe(0);
    expect(layout.mode === 'v1' || layout.mode === 'hybrid', `cgroup mode is ${layout.mode}`).toBe(true);
    for (const controller of ['memory', 'cpuacct', 'pids']) {
      const mount = layout.v1Controllers[controller];
      expect(mount, `${controller} hierarchy mounted`).toBeDefined();
      dirs[controller] = `${mount}/${name}`;
      mkdirSync(dirs[controller]!);
    }
    const limit = 64 * 1024 * 1024;
    writeFileSync(`${dirs.memory}/memory.limit_in_bytes`, String(limit));

    // v1 leaves a moved task's pages charged to its old cgroup
    // (memory.move_charge_at_immigrate is refused by this kernel), so the
    // child waits to be moved, then allocates (a 4 MB shell variable) and spins.
    child = spawn('/bin/sh', ['-c', "read _; x=$(head -c 4000000 /dev/zero | tr '\\0' a); while :; do :; done"], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    const pid = child.pid!;
    for (const dir of Object.values(dirs)) writeFileSync(`${dir}/cgroup.procs`, String(pid));
    child.stdin!.write('go\n');
    await new Promise((r) => setTimeout(r, 300));
    expect(readFileSync(`${dirs.memory}/cgroup.procs`, 'utf8').trim().split('\n')).toContain(String(pid));

    const first = parseCgroupStats('v1', readCgroupV1Files(dirs));
    await new Promise((r) => setTimeout(r, 400));
    const second = parseCgroupStats('v1', readCgroupV1Files(dirs));

    // blkio and cpu are not given, so their files are not read; everything read must parse.
    expect(first.problems).toEqual([]);
    expect(second.problems).toEqual([]);
    expect(second.stats.memoryLimitBytes).toBe(limit);
    expect(second.stats.tasks).toBe(1);
    expect(second.stats.memoryUsageBytes).toBeGreaterThan(0);
    expect(second.stats.memoryWorkingSetBytes).toBeLessThanOrEqual(second.stats.memoryUsageBytes!);
    expect(second.stats.oomKills).toBe(0);
    const grew = second.stats.cpuUsageSeconds! - first.stats.cpuUsageSeconds!;
    // A spinning shell on a 2-core machine: most of the 0.4 s wall time, never more than 2 cores' worth.
    expect(grew).toBeGreaterThan(0.1);
    expect(grew).toBeLessThan(0.4 * 2 + 0.1);
    await stopChild();
  });
});
