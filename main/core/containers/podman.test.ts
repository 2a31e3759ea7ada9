// A real rootful Podman (testEngines.ts: runc, cgroupfs manager, its own
// storage under a temp dir) serving the Docker-compatible API on its own
// socket, seen by the local source: cgroups under libpod_parent/libpod-<id>
// (its conmon cgroup beside them is not a container), names and states from
// the API, which calls itself Podman.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalAgentHost } from '../localHost.js';
import { hostContainerExportSeries } from './exportContainers.js';
import { startTestPodman, watchContainers, type TestPodman, type Watched } from '../../testing/containerEngines.js';

let p: TestPodman;

beforeAll(async () => {
  p = await startTestPodman('podman');
  await p.podman('run', '-d', '--name', 'pweb', '--label', 'app=pweb', '-m', '48m', '--cpus', '0.25', p.image, 'sh', '-c', 'while :; do :; done');
  // Shares, swap and reservation, for cAdvisor's spec families (compared with podman inspect below).
  await p.podman('run', '-d', '--name', 'pheld', '-m', '40m', '--memory-swap', '72m', '--memory-reservation', '24m', '--cpu-shares', '256', p.image, 'sleep', '3600');
  await p.podman('pause', 'pheld');
  await p.podman('run', '--name', 'pdone', p.image, 'true');
});

afterAll(async () => {
  await p?.stop();
});

const row = (w: Watched, name: string) => w.rows.find((r) => r.name === name);

describe('a real rootful Podman, seen by the local source', () => {
  it('running, paused and exited containers with names, labels and limits; CPU held by its quota', async () => {
    const w = await watchContainers(
      createLocalAgentHost({ intervalMs: 1000, engine: { socketPath: p.socket, refreshMs: 1000 } }),
      (w) => row(w, 'pweb')?.cpuThrottledRatio != null && row(w, 'pdone') !== undefined,
      { timeoutMs: 40_000 },
    );
    expect(w.observation.containers!.engine).toMatchObject({ engine: 'podman', via: 'socket' });
    const web = row(w, 'pweb')!;
    expect(web).toMatchObject({ state: 'running', runtime: 'podman', image: 'localhost/ovl/busybox:latest', labels: { app: 'pweb' }, memoryLimitBytes: 48 * 1024 * 1024, cpuLimitCores: 0.25 });
    expect(web.cgroupPath).toBe(`/libpod_parent/libpod-${web.id}`);
    // Held to its quota however busy the machine is.
    expect(web.cpuCores!).toBeGreaterThan(0);
    expect(web.cpuCores!).toBeLessThan(0.25 * 1.25);
    expect(web.cpuThrottledRatio!).toBeGreaterThan(0.5);
    expect(row(w, 'pheld')).toMatchObject({ state: 'paused' });
    // cAdvisor's spec families against what Podman says it set (this host is
    // cgroup v1: memsw is memory + swap, as --memory-swap is).
    const hc = (JSON.parse(await p.podman('inspect', 'pheld')) as { HostConfig: { CpuShares: number; MemorySwap: number; MemoryReservation: number } }[])[0]!.HostConfig;
    expect([hc.CpuShares, hc.MemorySwap, hc.MemoryReservation]).toEqual([256, 72 * 1024 * 1024, 24 * 1024 * 1024]);
    const spec = (name: string) => hostContainerExportSeries(w.observation).filter((s) => s.name === name && s.labels.name === 'pheld').map((s) => s.value);
    expect(spec('container_spec_cpu_shares')).toEqual([hc.CpuShares]);
    expect(spec('container_spec_memory_swap_limit_bytes')).toEqual([hc.MemorySwap]);
    expect(spec('container_spec_memory_reservation_limit_bytes')).toEqual([hc.MemoryReservation]);
    expect(row(w, 'pdone')).toMatchObject({ state: 'exited', cgroupPath: null });
    // Only the running and the paused container have a cgroup (other tests' containers may share this machine's cgroups).
    expect(w.rows.filter((r) => r.cgroupPath?.startsWith('/libpod_parent/')).map((r) => r.name).sort()).toEqual(['pheld', 'pweb']);
  });
});
