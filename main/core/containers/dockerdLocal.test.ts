// A real dockerd (testEngines.ts) and the local source as the console runs
// it: the agent reads the containers' cgroups, the tracker asks the engine
// over its unix socket. Running, paused, exited, restarting and OOM-killing
// containers with names, labels and limits, a Kubernetes-style label set, and
// network traffic into one container's namespace over a veth the test adds.
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalAgentHost } from '../localHost.js';
import { hostContainerExportSeries } from './exportContainers.js';
import { kubernetesLabelArgs, startTestDockerd, watchContainers, type TestDockerd, type Watched } from '../../testing/containerEngines.js';

let d: TestDockerd;
const VETH = `ovlc-h${process.pid % 10000}`;
const NET = `10.201.${process.pid % 200}`;
const forwardBefore = fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
const iptablesBefore = iptablesRules();

function iptablesRules(): string {
  try {
    return execFileSync('iptables-save', [], { encoding: 'utf8' }).replace(/^#.*$/gm, '');
  } catch {
    return 'iptables-save unavailable';
  }
}

beforeAll(async () => {
  d = await startTestDockerd('local');
  // A fifth of a core: a spinner hits that quota in every period even on a busy machine.
  await d.docker('run', '-d', '--name', 'web', '--label', 'app=web', '-m', '64m', '--cpus', '0.2', d.image, 'sh', '-c', 'while :; do :; done');
  await d.docker('run', '-d', '--name', 'idle', d.image, 'sleep', '3600');
  await d.docker('pause', 'idle');
  await d.docker('run', '--name', 'done', d.image, 'true');
  await d.docker('run', '-d', '--name', 'k8s_api_api-7d9f_prod_0', ...kubernetesLabelArgs('api-7d9f', 'prod', 'api'), d.image, 'sleep', '3600');
  // dd's 32 MiB buffer cannot fit a 16 MiB limit (no swap here): the kernel kills dd, the shell lives on.
  await d.docker('run', '-d', '--name', 'hog', '-m', '16m', '--memory-swap', '16m', d.image, 'sh', '-c', 'while :; do dd if=/dev/zero of=/dev/null bs=32M count=1 2>/dev/null; sleep 1; done');
  await d.docker('run', '-d', '--name', 'flaky', '--restart', 'always', d.image, 'sh', '-c', 'sleep 1; exit 3');
  // Shares, swap and reservation, for cAdvisor's spec families (compared with docker inspect below).
  await d.docker('run', '-d', '--name', 'net', '-m', '64m', '--memory-swap', '96m', '--memory-reservation', '32m', '--cpu-shares', '512', d.image, 'sleep', '3600');
  const pid = await d.pidOf('net');
  execFileSync('ip', ['link', 'add', VETH, 'type', 'veth', 'peer', 'name', 'eth1', 'netns', String(pid)]);
  execFileSync('ip', ['addr', 'add', `${NET}.1/30`, 'dev', VETH]);
  execFileSync('ip', ['link', 'set', VETH, 'up']);
  execFileSync('nsenter', ['-t', String(pid), '-n', 'ip', 'addr', 'add', `${NET}.2/30`, 'dev', 'eth1']);
  execFileSync('nsenter', ['-t', String(pid), '-n', 'ip', 'link', 'set', 'eth1', 'up']);
});

afterAll(async () => {
  try {
    execFileSync('ip', ['link', 'del', VETH], { stdio: 'ignore' });
  } catch {
    // went with the container's namespace
  }
  await d?.stop();
});

/** UDP into the container's namespace: counted on its eth1's rx whether or not anything listens. */
async function sendTraffic(bytes: number): Promise<void> {
  const socket = dgram.createSocket('udp4');
  const payload = Buffer.alloc(1000, 7);
  for (let sent = 0; sent < bytes; sent += payload.length) {
    await new Promise<void>((resolve, reject) => socket.send(payload, 9, `${NET}.2`, (err) => (err ? reject(err) : resolve())));
  }
  socket.close();
}

const row = (w: Watched, name: string) => w.rows.find((r) => r.name === name);

describe('a real dockerd, seen by the local source', () => {
  let w: Watched;

  it('names, images, labels, states and limits come from the engine; usage from the cgroups', async () => {
    const traffic = setInterval(() => void sendTraffic(50_000).catch(() => {}), 300);
    try {
      w = await watchContainers(
        createLocalAgentHost({ intervalMs: 1000, engine: { socketPath: d.socket, refreshMs: 1000 } }),
        (w) => {
          const web = row(w, 'web');
          const net = row(w, 'net');
          const flaky = row(w, 'flaky');
          return (
            web?.cpuCores != null &&
            web.cpuThrottledRatio != null &&
            (net?.networkRxBytesRate ?? 0) > 10_000 &&
            (row(w, 'hog')?.oomKills ?? 0) >= 1 &&
            (flaky?.restarts ?? 0) >= 1
          );
        },
        { timeoutMs: 45_000, host: 'local' },
      );
    } finally {
      clearInterval(traffic);
    }
    const obs = w.observation.containers!;
    expect(obs.layout.mode).toBe(fs.existsSync('/sys/fs/cgroup/unified/cgroup.controllers') ? 'hybrid' : 'v1');
    expect(obs.layout.driver).toBe('cgroupfs');
    expect(obs.engine).toMatchObject({ engine: 'docker', via: 'socket', target: d.socket });
    expect(obs.engine?.note).toBeUndefined();

    const web = row(w, 'web')!;
    expect(web).toMatchObject({ state: 'running', image: 'ovl/busybox', runtime: 'docker', labels: { app: 'web' }, memoryLimitBytes: 64 * 1024 * 1024, cpuLimitCores: 0.2 });
    expect(web.seriesLabels).toEqual({ container: 'web', image: 'ovl/busybox' });
    expect(web.cgroupPath).toBe(`/docker/${web.id}`);
    // A spinning shell held to a fifth of a core: never more than that (the
    // quota holds however busy the machine is), and throttled in most periods.
    expect(web.cpuCores!).toBeGreaterThan(0);
    expect(web.cpuCores!).toBeLessThan(0.2 * 1.25);
    expect(web.cpuThrottledRatio!).toBeGreaterThan(0.5);
    expect(web.memoryWorkingSetBytes!).toBeGreaterThan(0);
    expect(web.memoryWorkingSetBytes!).toBeLessThanOrEqual(web.memoryUsageBytes!);
    expect(web.pids).toBeGreaterThanOrEqual(1);
    expect(web.startedAt).toBeGreaterThan(Date.now() - 120_000);

    expect(row(w, 'idle')).toMatchObject({ state: 'paused', memoryLimitBytes: null, cpuLimitCores: null });
    expect(row(w, 'done')).toMatchObject({ state: 'exited', cpuCores: null, memoryUsageBytes: null, cgroupPath: null });

    const k8s = row(w, 'k8s_api_api-7d9f_prod_0')!;
    expect(k8s).toMatchObject({ state: 'running', pod: 'api-7d9f', namespace: 'prod' });
    expect(k8s.seriesLabels).toEqual({ container: 'api', image: 'ovl/busybox', namespace: 'prod', pod: 'api-7d9f' });

    const hog = row(w, 'hog')!;
    expect(hog.oomKills).toBeGreaterThanOrEqual(1);
    expect(hog.memoryLimitBytes).toBe(16 * 1024 * 1024);
    expect(row(w, 'flaky')!.restarts).toBeGreaterThanOrEqual(1);
    expect(row(w, 'net')!.networkRxBytesRate!).toBeGreaterThan(10_000);
    // No I/O is zero, not unknown. (This VM's kernel accounts no block I/O to
    // any cgroup, the root's included, so I/O rates are tested on fixtures.)
    expect(row(w, 'idle')!.blockReadBytesRate).toBe(0);

    // Stored series carry the container's labels plus host.
    const stored = w.samples.filter((s) => s.name === 'container:cpu_usage:cores' && s.labels.container === 'web');
    expect(stored).toHaveLength(1);
    expect(stored[0]!.labels).toEqual({ host: 'local', container: 'web', image: 'ovl/busybox' });
    expect(w.samples.some((s) => s.name === 'container_spec_memory_limit_bytes' && s.labels.container === 'web' && s.v === 64 * 1024 * 1024)).toBe(true);
    expect(w.samples.some((s) => s.name === 'container_spec_memory_limit_bytes' && s.labels.container === 'idle')).toBe(false);
  });

  it('exports what the Docker dashboards read under cAdvisor\'s names: last seen, start time, CPU and memory spec, network per interface, the machine', async () => {
    const series = hostContainerExportSeries(w.observation);
    const one = (name: string, labels: Record<string, string>) => series.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
    const web = row(w, 'web')!;
    const webLabels = { name: 'web', container: 'web', image: 'ovl/busybox', id: `/docker/${web.id}` };
    expect(one('container_last_seen', webLabels).map((s) => s.value)).toEqual([w.observation.t / 1000]);
    expect(one('container_start_time_seconds', webLabels)[0]!.value).toBeCloseTo(web.startedAt! / 1000, 0);
    // --cpus 0.2 is a CFS quota of 20 ms per 100 ms period (Docker's default period).
    expect(one('container_spec_cpu_quota', webLabels).map((s) => s.value)).toEqual([20_000]);
    expect(one('container_spec_cpu_period', webLabels).map((s) => s.value)).toEqual([100_000]);
    expect(one('container_spec_memory_limit_bytes', webLabels).map((s) => s.value)).toEqual([64 * 1024 * 1024]);
    // What Docker says it set, as cAdvisor reports it on this cgroup v1 host:
    // cpu.shares, memsw (memory + swap: --memory-swap is that total) and the
    // soft limit. A container without them: the default 1024 shares, and no
    // swap limit or reservation, which cAdvisor exports as 0.
    const inspect = JSON.parse(await d.docker('inspect', 'net', 'idle')) as { HostConfig: { CpuShares: number; MemorySwap: number; MemoryReservation: number } }[];
    const hc = inspect[0]!.HostConfig;
    expect([hc.CpuShares, hc.MemorySwap, hc.MemoryReservation]).toEqual([512, 96 * 1024 * 1024, 32 * 1024 * 1024]);
    expect(one('container_spec_cpu_shares', { name: 'net' }).map((s) => s.value)).toEqual([hc.CpuShares]);
    expect(one('container_spec_memory_swap_limit_bytes', { name: 'net' }).map((s) => s.value)).toEqual([hc.MemorySwap]);
    expect(one('container_spec_memory_reservation_limit_bytes', { name: 'net' }).map((s) => s.value)).toEqual([hc.MemoryReservation]);
    expect([inspect[1]!.HostConfig.CpuShares, inspect[1]!.HostConfig.MemorySwap, inspect[1]!.HostConfig.MemoryReservation]).toEqual([0, 0, 0]);
    expect(one('container_spec_cpu_shares', { name: 'idle' }).map((s) => s.value)).toEqual([1024]);
    expect(one('container_spec_memory_swap_limit_bytes', { name: 'idle' }).map((s) => s.value)).toEqual([0]);
    expect(one('container_spec_memory_reservation_limit_bytes', { name: 'idle' }).map((s) => s.value)).toEqual([0]);
    const rx = one('container_network_receive_bytes_total', { name: 'net', interface: 'eth1' });
    expect(rx).toHaveLength(1);
    expect(rx[0]!.value).toBeGreaterThan(10_000);
    expect(one('container_network_receive_packets_total', { name: 'net', interface: 'eth1' })[0]!.value).toBeGreaterThan(10);
    expect(one('container_network_transmit_packets_dropped_total', { name: 'net', interface: 'eth1' })).toHaveLength(1);
    expect(one('machine_cpu_cores', {}).map((s) => s.value)).toEqual([os.cpus().length]);
    const memTotal = Number(/^MemTotal:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024;
    expect(one('machine_memory_bytes', {}).map((s) => s.value)).toEqual([memTotal]);
  });

  it('a container started while watching appears, one removed goes', async () => {
    await d.docker('rm', '-f', 'done');
    await d.docker('run', '-d', '--name', 'late', '--label', 'late=yes', d.image, 'sleep', '3600');
    const seen = await watchContainers(
      createLocalAgentHost({ intervalMs: 1000, engine: { socketPath: d.socket, refreshMs: 5000 } }),
      (w) => row(w, 'late')?.cpuCores != null && !row(w, 'done'),
      { timeoutMs: 20_000 },
    );
    expect(row(seen, 'late')).toMatchObject({ state: 'running', labels: { late: 'yes' } });
  });

  it('a container started while watching is stored under its name from its first stored sample, never under its id first', async () => {
    // A refresh a minute apart: only the one the new cgroup brings forward names it, after the sample that showed it.
    const stored: string[] = [];
    let started: Promise<string> | undefined;
    await watchContainers(
      createLocalAgentHost({ intervalMs: 500, engine: { socketPath: d.socket, refreshMs: 60_000 } }),
      (w) => {
        for (const sample of w.samples) if (sample.name === 'container_threads') stored.push(sample.labels.container!);
        // The engine has answered (names are known): start one now.
        if (!started && row(w, 'web')?.seriesLabels.container === 'web') started = d.docker('run', '-d', '--name', 'walk-db', d.image, 'sleep', '3600');
        return stored.filter((c) => c === 'walk-db').length >= 3;
      },
      { timeoutMs: 30_000, host: 'local' },
    );
    const id = (await started!).trim();
    expect(stored).not.toContain(id.slice(0, 12));
    await d.docker('rm', '-f', 'walk-db');
  });

  it('containers that come and go between the glob and the read cost nothing but their own values', async () => {
    // Short-lived containers, one after another, while the agent samples twice a second.
    let churning = true;
    const churn = (async () => {
      while (churning) await d.docker('run', '--rm', d.image, 'sh', '-c', 'sleep 0.2').catch(() => {});
    })();
    let samples = 0;
    const problems: string[] = [];
    const lasting = new Set(['web', 'idle', 'k8s_api_api-7d9f_prod_0', 'hog', 'flaky', 'net', 'late']);
    const transient = new Set<string>();
    try {
      await watchContainers(
        createLocalAgentHost({ intervalMs: 500, engine: { socketPath: d.socket, refreshMs: 1000 } }),
        (w) => {
          problems.push(...w.observation.problems.filter((p) => p.startsWith('container')));
          for (const r of w.rows) {
            expect(r.state).not.toBe('unknown');
            if (r.cgroupPath && !lasting.has(r.name)) transient.add(r.id);
          }
          return ++samples >= 16;
        },
        { timeoutMs: 30_000 },
      );
    } finally {
      churning = false;
      await churn;
    }
    expect(problems).toEqual([]);
    // The churn was seen: short-lived containers were read while they lasted.
    expect(transient.size).toBeGreaterThan(0);
  });

  it('leaves ip forwarding and iptables as they were', () => {
    expect(fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8')).toBe(forwardBefore);
    expect(iptablesRules()).toBe(iptablesBefore);
  });
});
