// Rates, ratios, states and rows from two container observations, pure: the
// cases real engines do not produce on demand here (block I/O, which this
// VM's kernel does not account; counter resets; a pid that changed between
// samples; an engine a refresh behind).
import { describe, expect, it } from 'vitest';
import type { ContainerMeta, ContainerObservation, EngineSnapshot } from '../model/containers.js';
import { deriveContainers } from './containers.js';
import { parseContainerFiles } from '../parse/cgroups/containerFiles.js';

const ID = 'd'.repeat(64);
const DIR = `system.slice/docker-${ID}.scope`;

interface Counters {
  usageUsec: number;
  periods: number;
  throttled: number;
  throttledUsec: number;
  rbytes: number;
  wbytes: number;
  rx: number;
  pid: number;
  frozen?: boolean;
}

function observation(c: Counters, engine?: Partial<EngineSnapshot>): ContainerObservation {
  const files: [string, string][] = [
    ['cpu.stat', `usage_usec ${c.usageUsec}\nuser_usec 1\nsystem_usec 1\nnr_periods ${c.periods}\nnr_throttled ${c.throttled}\nthrottled_usec ${c.throttledUsec}`],
    ['cpu.max', '50000 100000'],
    ['memory.current', '200000000'],
    ['memory.max', '400000000'],
    ['memory.stat', 'anon 150000000\nfile 40000000\ninactive_file 20000000'],
    ['memory.events', 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1'],
    ['pids.current', '7'],
    ['pids.max', 'max'],
    ['io.stat', `8:0 rbytes=${c.rbytes} wbytes=${c.wbytes} rios=${c.rbytes / 4096} wios=${c.wbytes / 4096} dbytes=0 dios=0`],
    ['cgroup.events', `populated 1\nfrozen ${c.frozen ? 1 : 0}`],
  ];
  const cgroupFiles = files.map(([name, text]) => [`${DIR}/${name}`, `${text}\n`] as const);
  const netDevByPid = new Map([
    [String(c.pid), ['Inter-|   Receive', ' face |bytes', `    lo: 999 9 0 0 0 0 0 0 999 9 0 0 0 0 0 0`, `  eth0: ${c.rx} 10 0 0 0 0 0 0 ${c.rx / 2} 5 0 0 0 0 0 0`].join('\n') + '\n'],
  ]);
  const parsed = parseContainerFiles({ cgroupMode: 'v2', cgroupFiles, netDevByPid, engineSockets: undefined, engineCli: undefined, user: undefined });
  expect(parsed.problems).toEqual([]);
  const meta: ContainerMeta = { id: ID, name: 'web', image: 'nginx:1.27', state: 'running', labels: {}, pid: c.pid, restarts: 0 };
  return { ...parsed.containers!, engine: { engine: 'docker', via: 'socket', containers: [meta], at: 1, ...engine } };
}

const base: Counters = { usageUsec: 10_000_000, periods: 1000, throttled: 100, throttledUsec: 2_000_000, rbytes: 4096 * 1000, wbytes: 4096 * 2000, rx: 1_000_000, pid: 4242 };
const later: Counters = { ...base, usageUsec: 12_500_000, periods: 1050, throttled: 140, throttledUsec: 3_000_000, rbytes: 4096 * 1250, wbytes: 4096 * 2500, rx: 1_500_000 };
const value = (samples: { name: string; v: number }[], name: string) => samples.find((s) => s.name === name)?.v;

describe('deriveContainers', () => {
  it('CPU in cores, throttling, block I/O and network rates over the interval; memory against its limit', () => {
    const d = deriveContainers(observation(base), observation(later), 5, 'h1', 1000);
    const row = d.rows[0]!;
    expect(row).toMatchObject({ name: 'web', state: 'running', cpuLimitCores: 0.5, memoryLimitBytes: 400_000_000, memoryWorkingSetBytes: 180_000_000, oomKills: 1, pids: 7, pidsLimit: null });
    expect(row.cpuCores).toBeCloseTo(0.5, 9);
    expect(row.cpuThrottledRatio).toBeCloseTo(40 / 50, 9);
    expect(row.cpuThrottledSecondsRate).toBeCloseTo(0.2, 9);
    expect(row.blockReadBytesRate).toBeCloseTo((250 * 4096) / 5, 9);
    expect(row.blockWriteBytesRate).toBeCloseTo((500 * 4096) / 5, 9);
    expect(row.blockWriteOpsRate).toBeCloseTo(100, 9);
    // Loopback left out, as cAdvisor leaves it out.
    expect(row.networkRxBytesRate).toBeCloseTo(100_000, 9);
    expect(row.networkTxBytesRate).toBeCloseTo(50_000, 9);
    expect(value(d.samples, 'container:memory_limit_used:ratio')).toBeCloseTo(0.45, 9);
    expect(d.samples.every((s) => s.labels.host === 'h1' && s.labels.container === 'web' && s.labels.image === 'nginx:1.27')).toBe(true);
    expect(d).toMatchObject({ running: 1, total: 1 });
  });

  it('a restart (counters went back, a new init pid) gives gaps, not spikes', () => {
    const restarted: Counters = { ...base, usageUsec: 100_000, periods: 3, throttled: 0, throttledUsec: 0, rbytes: 0, wbytes: 0, rx: 500, pid: 5555 };
    const row = deriveContainers(observation(later), observation(restarted), 5, 'h1', 1000).rows[0]!;
    expect(row.cpuCores).toBeNull();
    expect(row.blockReadBytesRate).toBeNull();
    expect(row.networkRxBytesRate).toBeNull();
    // Gauges are current all the same.
    expect(row.memoryUsageBytes).toBe(200_000_000);
  });

  it('no interval (first sample, an outage): gauges only', () => {
    const d = deriveContainers(undefined, observation(base), undefined, 'h1', 1000);
    expect(d.rows[0]!.cpuCores).toBeNull();
    expect(d.rows[0]!.cpuThrottledRatio).toBeNull();
    expect(value(d.samples, 'container_memory_working_set_bytes')).toBe(180_000_000);
    expect(value(d.samples, 'container:cpu_usage:cores')).toBeUndefined();
  });

  it('while the engine\'s first answer is pending nothing is stored, but the table has its rows', () => {
    const d = deriveContainers(observation(base), observation(later, { pending: true, containers: [] }), 5, 'h1', 1000);
    expect(d.samples).toEqual([]);
    expect(d.rows[0]!.name).toBe(ID.slice(0, 12));
  });

  it('states: frozen is paused whatever the engine said; a stale "exited" for a live cgroup is running; exited ones come from the engine', () => {
    const frozen = deriveContainers(undefined, observation({ ...base, frozen: true }), undefined, 'h1', 1000).rows[0]!;
    expect(frozen.state).toBe('paused');
    const stale = observation(base);
    const behind = { ...stale, engine: { ...stale.engine!, containers: [{ ...stale.engine!.containers[0]!, state: 'exited' as const }] } };
    expect(deriveContainers(undefined, behind, undefined, 'h1', 1000).rows[0]!.state).toBe('running');
    const gone: ContainerMeta = { id: 'e'.repeat(64), name: 'batch', state: 'exited', labels: {}, memoryLimitBytes: 1 << 30 };
    const withExited = { ...stale, engine: { ...stale.engine!, containers: [...stale.engine!.containers, gone] } };
    const d = deriveContainers(undefined, withExited, undefined, 'h1', 1000);
    expect(d.rows.find((r) => r.name === 'batch')).toMatchObject({ state: 'exited', cgroupPath: null, memoryLimitBytes: 1 << 30, cpuCores: null });
    expect(d).toMatchObject({ running: 1, total: 2 });
    expect(d.samples.some((s) => s.labels.container === 'batch')).toBe(false);
  });

  it('no CPU quota: no throttling series at all (not a misleading 0)', () => {
    const o = observation(base);
    const noQuota = {
      ...o,
      cgroups: o.cgroups.map(({ cpuLimitCores: _gone, stats: { cpuQuotaMicros: _q, cpuPeriodMicros: _p, cpuLimitCores: _c, ...stats }, ...c }) => ({ ...c, stats })),
    };
    const d = deriveContainers(noQuota, noQuota, 5, 'h1', 1000);
    expect(d.rows[0]!.cpuThrottledRatio).toBeNull();
    expect(d.samples.some((s) => s.name.startsWith('container:cpu_throttled') || s.name === 'container:cpu_limit:cores')).toBe(false);
  });
});
