import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { cgroupStatsToSeries, parseCgroupStats, V1_UNLIMITED_THRESHOLD } from './cgroupStats.js';
import type { ContainerCgroupStats } from '../../model/containers.js';
import { readCgroupV1Files, readCgroupV2Files } from '../../../testing/readCgroupFiles.js';

const tree = (path: string) => fileURLToPath(new URL(`../../sources/agent/fixtures/${path}`, import.meta.url));

const DOCKER_ID = '3f6c2a9e1b7d4c8a0e5f92b1d6a4c7e8f0b3a5d9c2e6f1a4b8d7c0e3f5a9b2c6';
const K8S_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678abcdef0123456789abcdef01';
const POD = 'kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod6d1f0c3e_8b2a_4f7d_9e15_2c4b7a9d0e38.slice';
const PODMAN_ID = '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d';
const V1_ID = '5b4e3d2c1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d';

const seriesValue = (stats: ContainerCgroupStats, name: string, labels: Record<string, string> = {}) =>
  cgroupStatsToSeries(stats).find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe('cgroup v2 fixture trees', () => {
  it('Docker container on a systemd v2 host: every value', () => {
    const dir = tree(`ubuntu2204-v2-systemd-docker-k8s/sys/fs/cgroup/system.slice/docker-${DOCKER_ID}.scope`);
    const { stats, problems } = parseCgroupStats('v2', readCgroupV2Files(dir));
    expect(problems).toEqual([]);
    expect(stats).toEqual({
      cpuUsageSeconds: 84.213377,
      cpuPeriods: 40211,
      cpuThrottledPeriods: 1377,
      cpuThrottledSeconds: 92.880411,
      cpuQuotaMicros: 50000,
      cpuPeriodMicros: 100000,
      cpuLimitCores: 0.5,
      cpuShares: 998,
      memoryUsageBytes: 314572800,
      memoryWorkingSetBytes: 314572800 - 73400320,
      memoryRssBytes: 201326592,
      memoryCacheBytes: 104857600,
      memoryLimitBytes: 536870912,
      memorySwapLimitBytes: 536870912,
      memoryReservationBytes: 0,
      oomKills: 2,
      tasks: 37,
      tasksLimit: 4096,
      ioReadBytes: 52428800 + 4096,
      ioWriteBytes: 10485760 + 1048576,
      ioReads: 1201,
      ioWrites: 596,
      ioDevices: [
        { device: '259:0', readBytes: 4096, writeBytes: 1048576, reads: 1, writes: 256 },
        { device: '8:0', readBytes: 52428800, writeBytes: 10485760, reads: 1200, writes: 340 },
      ],
    });
    const series = cgroupStatsToSeries(stats, { container: 'web' });
    expect(series.every((s) => s.labels.container === 'web')).toBe(true);
    expect(seriesValue(stats, 'container_cpu_usage_seconds_total')).toBe(84.213377);
    expect(seriesValue(stats, 'container_cpu_cfs_throttled_seconds_total')).toBe(92.880411);
    expect(seriesValue(stats, 'container_spec_memory_limit_bytes')).toBe(536870912);
    expect(seriesValue(stats, 'container_oom_events_total')).toBe(2);
    expect(seriesValue(stats, 'container_threads')).toBe(37);
    expect(seriesValue(stats, 'container_fs_reads_bytes_total', { device: '8:0' })).toBe(52428800);
    expect(seriesValue(stats, 'container_fs_writes_total', { device: '259:0' })).toBe(256);
    const kinds = Object.fromEntries(series.map((s) => [s.name, s.kind]));
    expect(kinds.container_cpu_usage_seconds_total).toBe('counter');
    expect(kinds.container_memory_working_set_bytes).toBe('gauge');
  });

  it('Kubernetes burstable container: no limits shown as none, working set floored at 0', () => {
    const dir = tree(`ubuntu2204-v2-systemd-docker-k8s/sys/fs/cgroup/${POD}/cri-containerd-${K8S_ID}.scope`);
    const { stats, problems } = parseCgroupStats('v2', readCgroupV2Files(dir));
    expect(problems).toEqual([]);
    expect(stats).toEqual({
      cpuUsageSeconds: 1.5,
      cpuPeriods: 0,
      cpuThrottledPeriods: 0,
      cpuThrottledSeconds: 0,
      cpuShares: 80,
      memoryUsageBytes: 20480000,
      memoryWorkingSetBytes: 0,
      memoryRssBytes: 8192000,
      memoryCacheBytes: 12288000,
      memorySwapLimitBytes: 0,
      memoryReservationBytes: 134217728,
      oomKills: 0,
      tasks: 4,
      ioReadBytes: 0,
      ioWriteBytes: 0,
      ioReads: 0,
      ioWrites: 0,
      ioDevices: [],
    });
    const names = cgroupStatsToSeries(stats).map((s) => s.name);
    expect(names).not.toContain('container_spec_memory_limit_bytes');
    expect(names).not.toContain('container_spec_cpu_quota');
    expect(names).not.toContain('container_threads_max');
  });

  it('rootless Podman: io not delegated, so not read and not a problem', () => {
    const dir = tree(`fedora39-v2-rootless-podman/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${PODMAN_ID}.scope`);
    const files = readCgroupV2Files(dir);
    expect(Object.keys(files)).not.toContain('io.stat');
    const { stats, problems } = parseCgroupStats('v2', files);
    expect(problems).toEqual([]);
    expect(stats).toEqual({
      cpuUsageSeconds: 2.75,
      cpuPeriods: 120,
      cpuThrottledPeriods: 7,
      cpuThrottledSeconds: 0.35,
      cpuQuotaMicros: 150000,
      cpuPeriodMicros: 100000,
      cpuLimitCores: 1.5,
      memoryUsageBytes: 67108864,
      memoryWorkingSetBytes: 67108864 - 16777216,
      memoryRssBytes: 41943040,
      memoryCacheBytes: 20971520,
      // memory.max is there, memory.swap.max and memory.min are not: 0, as cAdvisor reads a missing file.
      memorySwapLimitBytes: 0,
      memoryReservationBytes: 0,
      oomKills: 0,
      tasks: 3,
      tasksLimit: 2048,
    });
  });
});

describe('cgroup v1 fixture tree', () => {
  it('Docker on cgroupfs with cpu,cpuacct co-mounted: every value, huge limit is none', () => {
    const root = tree('rhel8-v1-cgroupfs-docker/sys/fs/cgroup');
    const files = readCgroupV1Files({
      cpu: `${root}/cpu,cpuacct/docker/${V1_ID}`,
      cpuacct: `${root}/cpu,cpuacct/docker/${V1_ID}`,
      memory: `${root}/memory/docker/${V1_ID}`,
      blkio: `${root}/blkio/docker/${V1_ID}`,
      pids: `${root}/pids/docker/${V1_ID}`,
    });
    const { stats, problems } = parseCgroupStats('v1', files);
    expect(problems).toEqual([]);
    expect(stats).toEqual({
      cpuUsageSeconds: 123.456789012,
      cpuPeriods: 5000,
      cpuThrottledPeriods: 250,
      cpuThrottledSeconds: 12.5,
      cpuShares: 512,
      memoryUsageBytes: 268435456,
      memoryPeakBytes: 402653184,
      memoryWorkingSetBytes: 268435456 - 71303168,
      memoryRssBytes: 155189248,
      memoryCacheBytes: 104857600,
      memorySwapLimitBytes: 0,
      memoryReservationBytes: 268435456,
      oomKills: 1,
      tasks: 12,
      ioReadBytes: 2 * 7340032,
      ioWriteBytes: 2 * 2097152,
      ioReads: 820,
      ioWrites: 192,
      ioDevices: [
        { device: '253:0', readBytes: 7340032, writeBytes: 2097152, reads: 410, writes: 96 },
        { device: '8:0', readBytes: 7340032, writeBytes: 2097152, reads: 410, writes: 96 },
      ],
    });
    expect(seriesValue(stats, 'container_spec_memory_limit_bytes')).toBeUndefined();
    expect(seriesValue(stats, 'container_memory_rss')).toBe(155189248);
  });
});

describe('limits', () => {
  it.each([
    ['9223372036854771712', undefined], // LONG_MAX rounded to 4 KiB pages
    ['9223372036854710272', undefined], // … to 64 KiB pages (arm64/ppc64le)
    [String(2 ** 62), undefined],
    [String(2 ** 62 - 4096), 2 ** 62 - 4096],
    ['67108864', 67108864],
  ])('v1 memory.limit_in_bytes %s → %s', (text, expected) => {
    expect(parseCgroupStats('v1', { 'memory.limit_in_bytes': `${text}\n` }).stats.memoryLimitBytes).toBe(expected);
  });
  it('threshold is 2^62', () => expect(V1_UNLIMITED_THRESHOLD).toBe(4611686018427387904));
  it.each([
    ['-1', '100000', undefined],
    ['200000', '100000', 2],
    ['25000', '50000', 0.5],
  ])('v1 cfs quota %s / period %s → %s cores', (quota, period, cores) => {
    const { stats } = parseCgroupStats('v1', { 'cpu.cfs_quota_us': quota, 'cpu.cfs_period_us': period });
    expect(stats.cpuLimitCores).toBe(cores);
  });
  it.each([
    ['max 100000', undefined],
    ['max', undefined],
    ['250000 100000', 2.5],
  ])('v2 cpu.max %j → %s cores', (text, cores) => {
    expect(parseCgroupStats('v2', { 'cpu.max': text }).stats.cpuLimitCores).toBe(cores);
  });
  it.each([
    [1, 2],
    [4, 80],
    [39, 998],
    [100, 2597],
    [10000, 262144],
  ])('v2 cpu.weight %s → %s shares, by cAdvisor\'s integer map', (weight, shares) => {
    const r = parseCgroupStats('v2', { 'cpu.weight': `${weight}\n` });
    expect(r.problems).toEqual([]);
    expect(r.stats.cpuShares).toBe(shares);
    expect(seriesValue(r.stats, 'container_spec_cpu_shares')).toBe(shares);
  });
  it.each(['0', '10001'])('v2 cpu.weight %s is out of range: a problem, no shares', (text) => {
    const r = parseCgroupStats('v2', { 'cpu.weight': text });
    expect(r.stats.cpuShares).toBeUndefined();
    expect(r.problems).toEqual([`cpu.weight: expected 1 to 10000, got ${text}`]);
  });
  it('v1 cpu.shares as it is', () => {
    expect(seriesValue(parseCgroupStats('v1', { 'cpu.shares': '1024\n' }).stats, 'container_spec_cpu_shares')).toBe(1024);
  });
  it.each([
    ['9223372036854771712', 0], // none: cAdvisor's specMemoryValue exports anything above 2^62 as 0
    [String(2 ** 62), 2 ** 62],
    ['1073741824', 1073741824],
  ])('v1 memsw and soft limit %s → %s', (text, expected) => {
    const { stats } = parseCgroupStats('v1', { 'memory.limit_in_bytes': '536870912', 'memory.memsw.limit_in_bytes': text, 'memory.soft_limit_in_bytes': text });
    expect(seriesValue(stats, 'container_spec_memory_swap_limit_bytes')).toBe(expected);
    expect(seriesValue(stats, 'container_spec_memory_reservation_limit_bytes')).toBe(expected);
  });
  it.each([
    ['max', 0],
    ['0', 0],
    ['268435456', 268435456],
  ])('v2 memory.swap.max and memory.min %s → %s', (text, expected) => {
    const { stats } = parseCgroupStats('v2', { 'memory.max': 'max', 'memory.swap.max': text, 'memory.min': text });
    expect([stats.memorySwapLimitBytes, stats.memoryReservationBytes]).toEqual([expected, expected]);
  });
  it('v2 reservation is memory.min, as cAdvisor reads it; memory.low is not read', () => {
    const { stats } = parseCgroupStats('v2', { 'memory.max': 'max', 'memory.min': '0', 'memory.low': '268435456' });
    expect(stats.memoryReservationBytes).toBe(0);
  });
  it('a kernel without swap accounting has no memsw file: 0 where the memory limit was read, nothing where it was not', () => {
    expect(parseCgroupStats('v1', { 'memory.limit_in_bytes': '536870912', 'memory.soft_limit_in_bytes': '0' }).stats.memorySwapLimitBytes).toBe(0);
    expect(parseCgroupStats('v1', { 'memory.usage_in_bytes': '4096' }).stats.memorySwapLimitBytes).toBeUndefined();
  });
  it('garbage in a spec file is a problem and leaves only that value out', () => {
    const r = parseCgroupStats('v2', { 'memory.max': '536870912', 'memory.swap.max': 'lots', 'memory.min': '0' });
    expect(r.problems).toEqual(['memory.swap.max: expected a number or "max", got "lots"']);
    expect(r.stats).toMatchObject({ memoryLimitBytes: 536870912, memoryReservationBytes: 0 });
    expect(r.stats.memorySwapLimitBytes).toBeUndefined();
  });
  it('v1 oom_control without oom_kill (kernels before 4.13) leaves OOM kills out without a problem', () => {
    const r = parseCgroupStats('v1', { 'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\n' });
    expect(r.stats.oomKills).toBeUndefined();
    expect(r.problems).toEqual([]);
  });
});

describe('bad input: values left out, problems counted, never a crash', () => {
  it('unreadable files (null) are problems', () => {
    const r = parseCgroupStats('v2', { 'memory.current': null, 'cpu.stat': 'usage_usec 10\n' });
    expect(r.stats).toEqual({ cpuUsageSeconds: 0.00001 });
    expect(r.problems).toEqual(['memory.current: unreadable']);
  });
  it('a container vanished mid-sample: every file missing on disk is left out, as the agent leaves it out', () => {
    const r = parseCgroupStats('v2', readCgroupV2Files(tree('does-not-exist')));
    expect(r.stats).toEqual({});
    expect(r.problems).toEqual([]);
  });
  it('truncated and garbled files', () => {
    const r = parseCgroupStats('v2', {
      'memory.current': '',
      'memory.stat': 'anon 100\nfile 5\ninactive_fi',
      'cpu.stat': 'usage_usec abc\n',
      'io.stat': '8:0 rbytes=1 wbytes=2 rios=3 wios=4\n8:16 rbyt\n',
      'pids.max': 'lots',
      'memory.events': '',
    });
    expect(r.stats).toEqual({
      memoryRssBytes: 100,
      memoryCacheBytes: 5,
      ioReadBytes: 1,
      ioWriteBytes: 2,
      ioReads: 3,
      ioWrites: 4,
      ioDevices: [{ device: '8:0', readBytes: 1, writeBytes: 2, reads: 3, writes: 4 }],
    });
    expect(r.problems).toHaveLength(8);
    expect(r.problems).toContain('memory.current: expected an integer, got ""');
    expect(r.problems.some((p) => p.startsWith('io.stat: line 2'))).toBe(true);
    expect(r.problems).toContain('memory.events: no "oom_kill"');
  });
  it('garbled v1 blkio lines are skipped, the rest summed', () => {
    const r = parseCgroupStats('v1', { 'blkio.throttle.io_service_bytes': '8:0 Read 10\n8:0 Write 20\nnonsense\nTotal 30\n' });
    expect(r.stats.ioReadBytes).toBe(10);
    expect(r.stats.ioWriteBytes).toBe(20);
    expect(r.stats.ioReads).toBeUndefined();
    expect(r.problems).toHaveLength(1);
  });
});
