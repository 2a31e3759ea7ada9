// The agent's container globs and the frame parser, run for real under dash,
// bash and busybox ash over fixture trees modelled on real hosts (through
// SYS_ROOT and PROC_ROOT): cgroup v2 with the systemd driver (a Docker scope,
// a burstable Kubernetes pod under containerd, a conmon decoy), rootless
// Podman (its processes in the scope's container/ child, io not delegated),
// and v1 with cpu,cpuacct co-mounted (RHEL 8, Docker on cgroupfs).
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAgentScript } from './agentScript.js';
import { parseAgentFrame } from '../../parse/agentFrame.js';
import { cgroupStatsToSeries } from '../../parse/cgroups/cgroupStats.js';
import type { HostObservation } from '../../model/observation.js';

const script = loadAgentScript();
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}/sys`, import.meta.url));
const procTree = fileURLToPath(new URL('./fixtures/tree-two-cpus-hwmon-thermal/proc', import.meta.url));
const SHELLS: ReadonlyArray<readonly [string, string[]]> = [
  ['dash', ['dash']],
  ['bash', ['bash']],
  ['busybox ash', ['busybox', 'ash']],
];
const DOCKER_ID = '3f6c2a9e1b7d4c8a0e5f92b1d6a4c7e8f0b3a5d9c2e6f1a4b8d7c0e3f5a9b2c6';
const K8S_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678abcdef0123456789abcdef01';
const PODMAN_ID = '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d';
const V1_ID = '5b4e3d2c1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d';

const temps: string[] = [];
const AGENT_PROCESS_LINE = /^@@overlook-agent \S+ pid \d+ \d+\n/;
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

/**
 * Paced samples, one per request line (processes → the slow files too;
 * net=PID,… → those pids' net/dev from then on), under PROCESS_EVERY.
 */
function samples(cmd: readonly string[], sysRoot: string, requests: readonly string[], processEvery = '1', limitsEvery?: string): HostObservation[] {
  const run = spawnSync(cmd[0]!, [...cmd.slice(1), script.path, 'paced', processEvery, ...(limitsEvery ? [limitsEvery] : [])], {
    encoding: 'utf8',
    input: requests.map((r) => `${r}\n`).join(''),
    env: { ...process.env, PROC_ROOT: procTree, SYS_ROOT: sysRoot },
  });
  // Paced mode first names the agent's process (a line of its own); the frames follow.
  expect(run.stdout).toMatch(AGENT_PROCESS_LINE);
  const frames = run.stdout.replace(AGENT_PROCESS_LINE, '').split(/(?<=^@@overlook-agent \S+ end \d+\n)/m).filter((f) => f !== '');
  expect(frames).toHaveLength(requests.length);
  return frames.map((frame) => {
    const result = parseAgentFrame(frame, Date.now());
    if (result.kind !== 'observation') throw new Error(`${cmd.join(' ')}: ${JSON.stringify(result)} ${run.stderr}`);
    return result.observation;
  });
}
const sample = (cmd: readonly string[], sysRoot: string, request = 'processes') => samples(cmd, sysRoot, [request])[0]!;

/** A container's value under its cAdvisor name, as the exporter names it. */
const value = (obs: HostObservation, id: string, name: string) => {
  const c = obs.containers?.cgroups.find((x) => x.id === id);
  return c ? cgroupStatsToSeries(c.stats).find((s) => s.name === name)?.value : undefined;
};

describe.each(SHELLS)('container cgroups read by the agent under %s', (_name, cmd) => {
  it('v2, systemd driver: a Docker scope and a burstable pod under containerd; the conmon scope is not a container', () => {
    const obs = sample(cmd, fixture('ubuntu2204-v2-systemd-docker-k8s'), 'processes net=4242');
    expect(obs.problems.filter((p) => !p.startsWith('df'))).toEqual([]);
    const c = obs.containers!;
    expect(c.layout).toEqual({ mode: 'v2', driver: 'systemd' });
    expect(c.cgroups.map((x) => [x.id, x.runtime, x.driver, x.podUid, x.qos])).toEqual([
      [DOCKER_ID, 'docker', 'systemd', undefined, undefined],
      [K8S_ID, 'containerd', 'systemd', '6d1f0c3e-8b2a-4f7d-9e15-2c4b7a9d0e38', 'burstable'],
    ]);
    const docker = c.cgroups[0]!;
    expect(docker).toMatchObject({ cgroupPath: `/system.slice/docker-${DOCKER_ID}.scope`, initPid: 4242, processes: 2, frozen: false, cpuLimitCores: 0.5 });
    expect(value(obs, DOCKER_ID, 'container_cpu_usage_seconds_total')).toBe(84.213377);
    expect(value(obs, DOCKER_ID, 'container_cpu_cfs_throttled_periods_total')).toBe(1377);
    expect(value(obs, DOCKER_ID, 'container_spec_memory_limit_bytes')).toBe(536870912);
    expect(value(obs, DOCKER_ID, 'container_memory_working_set_bytes')).toBe(314572800 - 73400320);
    expect(value(obs, DOCKER_ID, 'container_oom_events_total')).toBe(2);
    // cAdvisor's spec values: weight 39 is 998 shares by cAdvisor's integer
    // map (runc wrote 39 for --cpu-shares 1024); swap is memory.swap.max
    // alone; the reservation is memory.min, not the memory.low runc writes
    // for --memory-reservation.
    expect(value(obs, DOCKER_ID, 'container_spec_cpu_shares')).toBe(998);
    expect(value(obs, DOCKER_ID, 'container_spec_memory_swap_limit_bytes')).toBe(536870912);
    expect(value(obs, DOCKER_ID, 'container_spec_memory_reservation_limit_bytes')).toBe(0);
    expect(value(obs, K8S_ID, 'container_spec_cpu_shares')).toBe(80);
    expect(value(obs, K8S_ID, 'container_spec_memory_swap_limit_bytes')).toBe(0);
    expect(value(obs, K8S_ID, 'container_spec_memory_reservation_limit_bytes')).toBe(134217728);
    // The burstable pod's container has no limits: none, not a huge number.
    expect(value(obs, K8S_ID, 'container_spec_memory_limit_bytes')).toBeUndefined();
    expect(c.cgroups[1]!.cpuLimitCores).toBeUndefined();
    // The init pid's network namespace, read because the request asked for it.
    expect(c.networkByPid['4242']?.find((i) => i.device === 'eth0')?.values[0]).toBe(73400320);
  });

  it('rootless Podman on v2: found under the user manager, paused, its processes in container/, io not delegated', () => {
    const obs = sample(cmd, fixture('fedora39-v2-rootless-podman'));
    expect(obs.problems.filter((p) => !p.startsWith('df'))).toEqual([]);
    const c = obs.containers!;
    expect(c.cgroups).toHaveLength(1);
    expect(c.cgroups[0]).toMatchObject({ id: PODMAN_ID, runtime: 'podman', rootlessUid: 1000, frozen: true, initPid: 5561 });
    expect(value(obs, PODMAN_ID, 'container_fs_reads_bytes_total')).toBeUndefined();
    expect(value(obs, PODMAN_ID, 'container_threads')).toBeGreaterThan(0);
  });

  it('v1 with cpu,cpuacct co-mounted: Docker on cgroupfs', () => {
    const obs = sample(cmd, fixture('rhel8-v1-cgroupfs-docker'), '');
    expect(obs.problems.filter((p) => !p.startsWith('df'))).toEqual([]);
    const c = obs.containers!;
    expect(c.layout).toEqual({ mode: 'v1', driver: 'cgroupfs' });
    expect(c.cgroups.map((x) => [x.id, x.runtime, x.cgroupPath])).toEqual([[V1_ID, 'docker', `/docker/${V1_ID}`]]);
    expect(value(obs, V1_ID, 'container_cpu_usage_seconds_total')).toBe(123.456789012);
    expect(value(obs, V1_ID, 'container_memory_max_usage_bytes')).toBe(402653184);
    expect(value(obs, V1_ID, 'container_spec_memory_limit_bytes')).toBeUndefined();
    expect(value(obs, V1_ID, 'container_spec_cpu_shares')).toBe(512);
    // memsw's page-rounded LONG_MAX is "none", which cAdvisor exports as 0.
    expect(value(obs, V1_ID, 'container_spec_memory_swap_limit_bytes')).toBe(0);
    expect(value(obs, V1_ID, 'container_spec_memory_reservation_limit_bytes')).toBe(268435456);
    // This capture has no cgroup.procs in the container: no init pid.
    expect(c.cgroups[0]!.initPid).toBeUndefined();
  });

  it('reads the slow files only every few samples, and keeps the pids it was told until told otherwise', () => {
    const obs = samples(cmd, fixture('ubuntu2204-v2-systemd-docker-k8s'), ['net=4242', '', 'net=', '', '', 'limits'], '1', '3');
    const [first, second, third, fourth] = obs;
    const read = obs.map((o) => [o.containers!.eventsRead ?? true, o.containers!.limitsRead ?? true]);
    // Processes (and OOM kills, freezer state) every sample under PROCESS_EVERY 1; limits in
    // the first two, LIMITS_EVERY samples after the last read (the 5th) and when asked ("limits", the 6th).
    expect(read).toEqual([[true, true], [true, true], [true, false], [true, false], [true, true], [true, true]]);
    expect(obs.map((o) => o.containers!.cgroups.find((c) => c.id === DOCKER_ID)!.stats.memoryLimitBytes)).toEqual([
      536870912, 536870912, undefined, undefined, 536870912, 536870912,
    ]);
    const slow = samples(cmd, fixture('ubuntu2204-v2-systemd-docker-k8s'), ['', '', ''], '3');
    // Samples 1 and 2 always carry everything; the 3rd under PROCESS_EVERY 3 no limits, OOM kills, freezer state or init pid.
    const fast = slow[2]!.containers!;
    expect([fast.limitsRead, fast.eventsRead]).toEqual([false, false]);
    const docker = fast.cgroups.find((c) => c.id === DOCKER_ID)!;
    expect(docker.stats).toMatchObject({ cpuUsageSeconds: 84.213377, memoryUsageBytes: 314572800, tasks: 37 });
    expect(docker.stats.memoryLimitBytes).toBeUndefined();
    expect([docker.stats.cpuShares, docker.stats.memorySwapLimitBytes, docker.stats.memoryReservationBytes]).toEqual([undefined, undefined, undefined]);
    expect(docker.stats.oomKills).toBeUndefined();
    expect([docker.frozen, docker.initPid, docker.cpuLimitCores]).toEqual([undefined, undefined, undefined]);
    // net=4242 holds for the second sample, which did not repeat it; net= ends it.
    for (const obs of [first!, second!]) expect(Object.keys(obs.containers!.networkByPid)).toEqual(['4242']);
    for (const obs of [third!, fourth!]) expect(obs.containers!.networkByPid).toEqual({});
  });

  it('a process named like a frame marker hides no container: its name is read as a name', () => {
    // The process files come before the cgroup files in a frame; a name (15 bytes
    // any user may set, newlines included) that opened a section there would
    // blank every container after it.
    const proc = mkdtempSync(join(os.tmpdir(), 'ovl-ctr-comm-'));
    temps.push(proc);
    cpSync(procTree, proc, { recursive: true });
    const stat = readFileSync(join(proc, '4242', 'stat'), 'utf8');
    for (const [pid, name] of [['3000', '\n@@section x'], ['3001', 'b) \n@@meta cgr']] as const) {
      mkdirSync(join(proc, pid));
      writeFileSync(join(proc, pid, 'stat'), stat.replace('4242 (my (odd) app)', `${pid} (${name})`));
    }
    const run = spawnSync(cmd[0]!, [...cmd.slice(1), script.path, 'once'], {
      encoding: 'utf8',
      env: { ...process.env, PROC_ROOT: proc, SYS_ROOT: fixture('ubuntu2204-v2-systemd-docker-k8s') },
    });
    const result = parseAgentFrame(run.stdout, Date.now());
    if (result.kind !== 'observation') throw new Error(JSON.stringify(result));
    const obs = result.observation;
    expect(obs.problems.filter((p) => !p.startsWith('df'))).toEqual([]);
    expect(obs.processes.map((p) => [p.pid, p.comm]).sort()).toEqual([[1, 'systemd'], [2, 'kthreadd'], [3000, '?@@section x'], [3001, 'b) ?@@meta cgr'], [4242, 'my (odd) app']].sort());
    expect(obs.containers!.layout).toEqual({ mode: 'v2', driver: 'systemd' });
    expect(obs.containers!.cgroups.map((c) => c.id)).toEqual([DOCKER_ID, K8S_ID]);
  });

  it('a host without cgroups says so, and an odd pid in a request is ignored', () => {
    const empty = mkdtempSync(join(os.tmpdir(), 'ovl-ctr-nocg-'));
    temps.push(empty);
    const obs = sample(cmd, empty, 'net=12x net=1;2 net=*');
    expect(obs.containers).toMatchObject({ layout: { mode: 'none' }, cgroups: [], networkByPid: {} });
  });
});

describe.each(SHELLS)('a file that fails to read, under %s', (_name, cmd) => {
  it('loses only that file: the processes, containers and sensors read after it still arrive', () => {
    // GNU tail (coreutils 9.1, tail.c dump_remainder) exits at its first read
    // error; a directory in place of a file fails to read with EISDIR, as a
    // hwmon sensor of a disk in standby fails with EIO or ENODATA and a process
    // that exits between open and read with ESRCH.
    const tree = mkdtempSync(join(os.tmpdir(), 'ovl-readerr-'));
    temps.push(tree);
    const sys = join(tree, 'sys');
    const proc = join(tree, 'proc');
    cpSync(fixture('ubuntu2204-v2-systemd-docker-k8s'), sys, { recursive: true });
    cpSync(procTree, proc, { recursive: true });
    for (const [chip, input] of [['hwmon0', 'dir'], ['hwmon1', '41000']] as const) {
      mkdirSync(join(sys, 'class/hwmon', chip), { recursive: true });
      writeFileSync(join(sys, 'class/hwmon', chip, 'name'), `${chip === 'hwmon0' ? 'drivetemp' : 'nvme'}\n`);
      if (input === 'dir') mkdirSync(join(sys, 'class/hwmon', chip, 'temp1_input'));
      else writeFileSync(join(sys, 'class/hwmon', chip, 'temp1_input'), `${input}\n`);
    }
    rmSync(join(proc, '2/stat'));
    mkdirSync(join(proc, '2/stat'));
    const run = spawnSync(cmd[0]!, [...cmd.slice(1), script.path, 'paced', '1'], {
      encoding: 'utf8',
      input: 'processes\n',
      env: { ...process.env, PROC_ROOT: proc, SYS_ROOT: sys },
    });
    const result = parseAgentFrame(run.stdout.replace(AGENT_PROCESS_LINE, ''), Date.now());
    if (result.kind !== 'observation') throw new Error(JSON.stringify(result) + run.stderr);
    const obs = result.observation;
    expect(obs.processes.map((p) => p.comm).sort()).toEqual(['my (odd) app', 'systemd']);
    expect(obs.containers?.cgroups.map((c) => c.id)).toContain(DOCKER_ID);
    expect(value(obs, DOCKER_ID, 'container_memory_usage_bytes')).toBe(314572800);
    expect(obs.series.filter((s) => s.name === 'node_hwmon_temp_celsius').map((s) => [s.labels.chip, s.value])).toEqual([['nvme', 41]]);
    expect(obs.series.some((s) => s.name === 'node_pressure_cpu_waiting_seconds_total')).toBe(true);
  });
});

describe('bad input in cgroup files', () => {
  it('an unreadable file leaves its values out, garbage in another is a problem, the rest of the container is read', () => {
    const tree = mkdtempSync(join(os.tmpdir(), 'ovl-ctr-bad-'));
    temps.push(tree);
    cpSync(fixture('ubuntu2204-v2-systemd-docker-k8s'), tree, { recursive: true });
    const dir = join(tree, 'fs/cgroup/system.slice', `docker-${DOCKER_ID}.scope`);
    writeFileSync(join(dir, 'memory.stat'), 'anon 1\nfile\x00\x00garbage\n');
    chmodSync(join(dir, 'cpu.stat'), 0o000);
    chmodSync(tree, 0o755);
    // As root every file is readable: read as a user, as the agent runs on most hosts.
    // The user may not enter the checkout (a home directory at 0750, a mktemp -d
    // folder), so the agent and its /proc tree run from a copy it can read.
    const runDir = mkdtempSync(join(os.tmpdir(), 'ovl-ctr-run-'));
    temps.push(runDir);
    cpSync(script.path, join(runDir, 'overlook-agent.sh'));
    cpSync(procTree, join(runDir, 'proc'), { recursive: true });
    chmodSync(runDir, 0o755);
    const obs = (() => {
      const run = spawnSync('su', ['-s', '/bin/sh', 'nobody', '-c', `PROC_ROOT=${join(runDir, 'proc')} SYS_ROOT=${tree} sh ${join(runDir, 'overlook-agent.sh')} paced 1`], { input: '\n', encoding: 'utf8' });
      const r = parseAgentFrame(run.stdout.replace(AGENT_PROCESS_LINE, ''), Date.now());
      if (r.kind !== 'observation') throw new Error(JSON.stringify(r) + run.stderr);
      return r.observation;
    })();
    const docker = obs.containers!.cgroups.find((c) => c.id === DOCKER_ID)!;
    expect(docker.stats.cpuUsageSeconds).toBeUndefined();
    expect(docker.stats.memoryUsageBytes).toBe(314572800);
    expect(obs.problems.some((p) => p.startsWith(`container ${DOCKER_ID.slice(0, 12)}: memory.stat: line 2`))).toBe(true);
  });
});
