import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { derivedMetrics } from '../../common/metrics.js';
import type { RawSeries, Sample } from '../../common/series.js';
import { parseAgentFrame } from '../parse/agentFrame.js';
import type { HostObservation } from '../model/observation.js';
import { counterIncrease } from './counters.js';
import { deriveObservation, deriveSamples } from './observation.js';
import { hostSummaryFrom } from './summary.js';

function observe(name: string, t: number): HostObservation {
  const result = parseAgentFrame(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'), t);
  if (result.kind !== 'observation') throw new Error(`${name}: ${JSON.stringify(result)}`);
  return result.observation;
}
const T0 = 1_700_000_000_000;
const t0 = observe('handmade-t0.txt', T0);
const t1 = observe('handmade-t1.txt', T0 + 10_000);

const pick = (samples: readonly Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
const one = (samples: readonly Sample[], name: string, labels: Record<string, string> = {}) => {
  const found = pick(samples, name, labels);
  if (found.length !== 1) throw new Error(`${name} ${JSON.stringify(labels)}: ${found.length} samples`);
  return found[0]!.v;
};
const rates = (samples: readonly Sample[]) => samples.filter((s) => s.name.endsWith(':rate') || /cpu_(usage|mode|core_usage)/.test(s.name));

describe('counterIncrease', () => {
  it('tells growth, 32-bit wraps and resets apart', () => {
    expect(counterIncrease(10, 25)).toBe(15);
    expect(counterIncrease(2 ** 32 - 100, 50)).toBe(150);
    expect(counterIncrease(3_000_000, 500)).toBeUndefined(); // a reset from low
    expect(counterIncrease(2 ** 33, 5)).toBeUndefined(); // a 64-bit counter went back: reset
    expect(counterIncrease(2 ** 32 - 100, 2 ** 31)).toBeUndefined(); // too big a jump to be a wrap
  });
});

describe('deriveSamples', () => {
  it('derives rates and ratios between two normal samples', () => {
    const { samples } = deriveSamples(t0, t1, 'web-1');
    expect(samples.every((s) => s.labels.host === 'web-1' && s.t === T0 + 10_000)).toBe(true);
    expect(one(samples, 'host:cpu_usage:ratio')).toBeCloseTo(550 / 2000, 9);
    expect(one(samples, 'host:cpu_mode:ratio', { mode: 'user' })).toBeCloseTo(0.2, 9);
    expect(one(samples, 'host:cpu_mode:ratio', { mode: 'iowait' })).toBeCloseTo(0.05, 9);
    expect(one(samples, 'host:cpu_core_usage:ratio', { cpu: '0' })).toBeCloseTo(0.4, 9);
    expect(one(samples, 'host:cpu_core_usage:ratio', { cpu: '1' })).toBeCloseTo(0.15, 9);
    expect(one(samples, 'host:cpu_count:count')).toBe(2);
    expect(one(samples, 'host:memory_used:bytes')).toBe(2_000_000 * 1024);
    expect(one(samples, 'host:memory_used:ratio')).toBe(0.25);
    expect(one(samples, 'host:swap_used:bytes')).toBe(250_000 * 1024);
    expect(one(samples, 'host:filesystem_used:ratio', { mountpoint: '/' })).toBeCloseTo(60 / 95, 9);
    expect(one(samples, 'host:filesystem_fullest_used:ratio')).toBeCloseTo(0.95, 9);
    expect(one(samples, 'host:uptime:seconds')).toBe(1010);
    expect(one(samples, 'node_disk_read_bytes:rate', { device: 'sda' })).toBe(1_024_000);
    expect(one(samples, 'node_disk_written_bytes:rate', { device: 'sda' })).toBe(5_120_000);
    expect(one(samples, 'node_disk_reads_completed:rate', { device: 'sda' })).toBe(10);
    expect(one(samples, 'node_disk_io_time_seconds:rate', { device: 'sda' })).toBe(0.5);
    // dm-0 sits on the disks: its own rate, but not in the host total.
    expect(one(samples, 'node_disk_read_bytes:rate', { device: 'dm-0' })).toBe(1_024_000);
    expect(one(samples, 'host:disk_read_bytes:rate')).toBe(1_024_000 + 2_048_000);
    expect(one(samples, 'host:disk_written_bytes:rate')).toBe(5_120_000);
    expect(one(samples, 'node_network_receive_bytes:rate', { device: 'lo' })).toBe(10_000);
    expect(one(samples, 'node_network_receive_packets:rate', { device: 'eth0' })).toBe(100);
    // Loopback is not traffic of the host.
    expect(one(samples, 'host:network_receive_bytes:rate')).toBe(50_000);
    expect(one(samples, 'host:network_transmit_bytes:rate')).toBe(100_000);
    expect(one(samples, 'host:tcp_retransmits:rate')).toBe(5);
    // PSI: seconds some task waited per second, a share of the interval.
    expect(one(samples, 'host:pressure_waiting:ratio', { resource: 'cpu' })).toBeCloseTo(0.25, 9);
    expect(one(samples, 'host:pressure_waiting:ratio', { resource: 'io' })).toBeCloseTo(0.05, 9);
    expect(one(samples, 'host:pressure_waiting:ratio', { resource: 'memory' })).toBe(0);
    expect(one(samples, 'node_netstat_Tcp_CurrEstab')).toBe(8);
    expect(one(samples, 'node_sockstat_TCP_tw')).toBe(4);
    expect(one(samples, 'node_filefd_allocated')).toBe(2048);
    expect(pick(samples, 'node_filefd_maximum')).toEqual([]);
    // Raw gauges of the catalogue pass through; the long tail of meminfo and counters do not.
    expect(one(samples, 'node_load1')).toBe(0.5);
    expect(one(samples, 'node_memory_MemTotal_bytes')).toBe(8_000_000 * 1024);
    expect(one(samples, 'node_hwmon_temp_celsius', { chip: 'coretemp' })).toBe(45);
    expect(one(samples, 'node_thermal_zone_temp', { zone: '0' })).toBe(46);
    expect(one(samples, 'node_boot_time_seconds')).toBe(1_700_000_000);
    expect(pick(samples, 'node_memory_Active_anon_bytes')).toEqual([]);
    expect(pick(samples, 'node_cpu_seconds_total')).toEqual([]);
    // Every derived name that applies to this host is there.
    const names = new Set(samples.map((s) => s.name));
    expect(Object.keys(derivedMetrics).filter((n) => !names.has(n))).toEqual([]);
  });

  it('gives the first observation no rates, but every gauge', () => {
    const { samples } = deriveSamples(undefined, t0, 'web-1');
    expect(rates(samples)).toEqual([]);
    expect(one(samples, 'host:memory_used:ratio')).toBe(0.25);
    expect(one(samples, 'host:cpu_count:count')).toBe(2);
  });

  it('unwraps a 32-bit counter and leaves a gap for a reset one', () => {
    const t2 = observe('handmade-t2-wrap32.txt', T0 + 20_000);
    const { samples } = deriveSamples(t1, t2, 'web-1');
    expect(one(samples, 'node_network_receive_bytes:rate', { device: 'eth0' })).toBeCloseTo((2 ** 32 - 4_294_500_000 + 1_000_000) / 10, 6);
    expect(pick(samples, 'node_network_transmit_bytes:rate', { device: 'eth0' })).toEqual([]);
    expect(one(samples, 'node_network_transmit_packets:rate', { device: 'eth0' })).toBe(100);
  });

  it('skips every rate across a reboot', () => {
    const t2 = observe('handmade-t2-reboot.txt', T0 + 20_000);
    const { samples, processes } = deriveSamples(t1, t2, 'web-1');
    expect(rates(samples)).toEqual([]);
    expect(one(samples, 'host:uptime:seconds')).toBe(30);
    expect(one(samples, 'node_boot_time_seconds')).toBe(1_700_001_100);
    // After a reboot a process's CPU is its average since it started.
    expect(processes.find((p) => p.pid === 4242)?.cpu).toBeCloseTo(0.06 / 10, 9);
  });

  it('skips every rate across a short reboot after a long run, where uptime and every counter went up', () => {
    // Up 1,010 s, down 30 s, observed again 1,030 s into the new boot (the
    // console could not reach it meanwhile): uptime advanced by 20 s and every
    // counter is above its old value, so only the moved boot time (/proc/stat
    // btime) says these are not 20 s of growth.
    const t2 = observe('handmade-t2-reboot-short-outage.txt', T0 + 20_000);
    const { samples, processes } = deriveSamples(t1, t2, 'web-1');
    expect(rates(samples)).toEqual([]);
    expect(one(samples, 'node_boot_time_seconds')).toBe(1_700_001_040);
    expect(one(samples, 'host:uptime:seconds')).toBe(1030);
    // pid 4242 is a process of the new boot: its CPU is its average since it started (73 s over 1,000 s).
    expect(processes.find((p) => p.pid === 4242)?.cpu).toBeCloseTo(0.073, 9);
  });

  it('skips rates when the interval is not usable', () => {
    const back = { ...t1, monotonicSeconds: 999 };
    expect(rates(deriveSamples(t0, back, 'h').samples)).toEqual([]);
    const long = { ...t1, monotonicSeconds: 1000 + 3600 };
    expect(rates(deriveSamples(t0, long, 'h').samples)).toEqual([]);
    // Without a monotonic clock the receive times are the interval.
    const noClock = (o: HostObservation) => ({ ...o, monotonicSeconds: undefined });
    expect(one(deriveSamples(noClock(t0), { ...noClock(t1), t: T0 + 20_000 }, 'h').samples, 'node_disk_read_bytes:rate', { device: 'sda' })).toBe(512_000);
  });

  it('starts rates for new devices on their second sample and drops vanished ones', () => {
    const t2 = observe('handmade-t2-devices-changed.txt', T0 + 20_000);
    const { samples } = deriveSamples(t1, t2, 'web-1');
    const devices = (name: string) => pick(samples, name).map((s) => s.labels.device).sort();
    expect(devices('node_network_receive_bytes:rate')).toEqual(['lo']);
    expect(devices('node_disk_read_bytes:rate')).toEqual(['dm-0', 'sda']);
    // No non-loopback interface had a rate this time: no total rather than a false zero.
    expect(pick(samples, 'host:network_receive_bytes:rate')).toEqual([]);
    expect(one(samples, 'host:disk_read_bytes:rate')).toBe(1_024_000);
  });

  it('ranks processes by CPU over the interval, matching pid and start time', () => {
    const { processes } = deriveSamples(t0, t1, 'web-1');
    expect(processes.map((p) => [p.pid, p.comm, p.cpu])).toEqual([
      [4242, 'my (odd) app', 1],
      [1, 'systemd', expect.closeTo(0.02, 9)],
      [2, 'kthreadd', 0],
    ]);
    expect(processes[0]).toMatchObject({ rssBytes: 100000 * 4096, memoryRatio: (100000 * 4096) / (8_000_000 * 1024), state: 'R' });
    const t2 = observe('handmade-t2-devices-changed.txt', T0 + 20_000);
    const reused = deriveSamples(t1, t2, 'web-1').processes.find((p) => p.pid === 4242)!;
    // pid 4242 is another process now (started at 1010 s, 4 s of CPU in 10 s): no 60-second spike.
    expect(reused.comm).toBe('reused pid');
    expect(reused.cpu).toBeCloseTo(0.4, 9);
  });

  it('pairs processes with the last observation that carried them, and shows its rows in between', () => {
    // A source that reads processes every third sample: t1 and t2 carry none.
    const at = (o: HostObservation, seconds: number): HostObservation => ({ ...o, t: T0 + seconds * 1000, monotonicSeconds: t0.monotonicSeconds! + seconds });
    const mid1 = { ...at(t1, 10), processes: [] };
    const mid2 = { ...at(t1, 20), processes: [] };
    const t3 = at(t1, 30);
    const first = deriveObservation(undefined, t0, 'web-1');
    expect(first.processesAt).toBe(T0);
    const between1 = deriveObservation(first.state, mid1, 'web-1');
    const between2 = deriveObservation(between1.state, mid2, 'web-1');
    // The rows of t0, as computed then, not an empty table.
    expect(between1.processes).toBe(first.processes);
    expect(between2.processes).toBe(first.processes);
    expect(between2.processesAt).toBe(T0);
    // t3 against t0, 30 s: my (odd) app used 8 + 2 s of CPU, a third of a core.
    const paired = deriveObservation(between2.state, t3, 'web-1');
    expect(paired.processesAt).toBe(T0 + 30_000);
    expect(paired.processes.map((p) => [p.pid, p.cpu])).toEqual([
      [4242, expect.closeTo(10 / 30, 9)],
      [1, expect.closeTo(0.2 / 30, 9)],
      [2, 0],
    ]);
    // System-wide rates still pair with the immediately previous observation.
    expect(pick(paired.samples, 'host:cpu_usage:ratio')).toHaveLength(0); // mid2 and t3 have the same /proc/stat
  });

  it('between full reads re-reads only the named processes: each pairs with its own latest reading, one not found has exited', () => {
    // Full read at 0 s, the named busiest (4242, 1) re-read at 15 s and 30 s, full read again at 60 s.
    const proc = (pid: number, cpuSeconds: number) => ({ pid, comm: `p${pid}`, cpuSeconds, rssBytes: pid * 4096, startTime: 5 });
    const at = (seconds: number, processes: ReturnType<typeof proc>[], only?: number[]): HostObservation => ({
      ...t1,
      t: T0 + seconds * 1000,
      monotonicSeconds: t0.monotonicSeconds! + seconds,
      processes,
      ...(only ? { processesOnly: only } : {}),
    });
    const full0 = deriveObservation(undefined, at(0, [proc(1, 0), proc(4242, 0), proc(77, 0), proc(78, 0)]), 'web-1');
    // 4242 used 15 s of CPU in 15 s (one core), pid 1 three; 77 and 78 were not read.
    const top15 = deriveObservation(full0.state, at(15, [proc(1, 3), proc(4242, 15)], [1, 4242]), 'web-1');
    expect(top15.processesAt).toBe(T0 + 15_000);
    expect(top15.processes.map((p) => [p.pid, p.cpu])).toEqual([
      [4242, expect.closeTo(1, 9)],
      [1, expect.closeTo(0.2, 9)],
      [78, 0],
      [77, 0],
    ]);
    // 4242 has exited by 30 s (named, not found): it is gone, the others stay.
    const top30 = deriveObservation(top15.state, at(30, [proc(1, 4.5)], [1, 4242]), 'web-1');
    expect(top30.processes.map((p) => [p.pid, p.cpu])).toEqual([
      [1, expect.closeTo(0.1, 9)],
      [78, 0],
      [77, 0],
    ]);
    // A sample without processes in between shows the rows of 30 s.
    const none45 = deriveObservation(top30.state, at(45, []), 'web-1');
    expect(none45.processes).toBe(top30.processes);
    // The next full read: 77 (not re-read since 0 s) used 30 s in 60 s, half a core over its own
    // interval; 78 stayed idle; 99 is new (its average since it started, 2 s in 10 s); pid 1 pairs
    // with its reading at 30 s.
    const full60 = deriveObservation(none45.state, at(60, [proc(1, 6), proc(77, 30), proc(78, 0), { ...proc(99, 2), startTime: t0.monotonicSeconds! + 50 }]), 'web-1');
    expect(full60.processes.map((p) => [p.pid, p.cpu])).toEqual([
      [77, expect.closeTo(0.5, 9)],
      [99, expect.closeTo(0.2, 9)],
      [1, expect.closeTo(1.5 / 30, 9)],
      [78, 0],
    ]);
  });

  it('does not carry process rows across a gap longer than maxIntervalSeconds, nor from nothing', () => {
    const late = { ...t1, t: T0 + 700_000, monotonicSeconds: t0.monotonicSeconds! + 700, processes: [] };
    const first = deriveObservation(undefined, t0, 'web-1');
    expect(deriveObservation(first.state, late, 'web-1', { maxIntervalSeconds: 600 })).toMatchObject({ processes: [] });
    expect(deriveObservation(first.state, late, 'web-1', { maxIntervalSeconds: 600 }).processesAt).toBeUndefined();
    // An observation without processes and no history: an empty table.
    expect(deriveSamples(undefined, { ...t0, processes: [] }, 'web-1').processes).toEqual([]);
  });

  it('uses a prev it never derived as the process baseline (a snapshot pair)', () => {
    const a = observe('handmade-t0.txt', T0);
    const b = observe('handmade-t1.txt', T0 + 10_000);
    expect(deriveSamples(a, b, 'web-1').processes.find((p) => p.pid === 4242)?.cpu).toBe(1);
  });

  it('keeps the busiest and the largest processes', () => {
    const many = {
      ...t1,
      processes: Array.from({ length: 100 }, (_, i) => ({ pid: 1000 + i, comm: `p${i}`, cpuSeconds: i, rssBytes: (100 - i) * 4096, startTime: 1 })),
    };
    const { processes } = deriveSamples(undefined, many, 'h', { topProcesses: 5 });
    expect(processes.map((p) => p.pid)).toEqual([1099, 1098, 1097, 1096, 1095, 1004, 1003, 1002, 1001, 1000]);
  });

  it('derives sane values from a real pair of frames one second apart', () => {
    const a = observe('debian12-vm-stream-seq1.txt', T0);
    const b = observe('debian12-vm-stream-seq2.txt', T0 + 1000);
    const { samples, processes } = deriveSamples(a, b, 'vm');
    const usage = one(samples, 'host:cpu_usage:ratio');
    expect(usage).toBeGreaterThanOrEqual(0);
    expect(usage).toBeLessThanOrEqual(1);
    const modeSum = pick(samples, 'host:cpu_mode:ratio').reduce((s, x) => s + x.v, 0);
    expect(modeSum).toBeCloseTo(1, 9);
    expect(one(samples, 'host:network_receive_bytes:rate')).toBeGreaterThanOrEqual(0);
    expect(processes.length).toBeGreaterThan(0);
    expect(processes.every((p) => p.cpu >= 0 && p.cpu <= 2)).toBe(true);
  });
});

describe('deriveSamples at the edges, on observations built by hand', () => {
  const g = (name: string, value: number, labels: Record<string, string> = {}) => ({ name, labels, value, kind: 'gauge' as const });
  const c = (name: string, value: number, labels: Record<string, string> = {}) => ({ name, labels, value, kind: 'counter' as const });
  const cpu = (n: string, user: number, idle: number) => [c('node_cpu_seconds_total', user, { cpu: n, mode: 'user' }), c('node_cpu_seconds_total', idle, { cpu: n, mode: 'idle' })];
  /** `monotonic` null: a source without the host's monotonic clock. */
  const at = (seconds: number, series: RawSeries[], monotonic: number | null = 1000 + seconds): HostObservation => ({
    t: T0 + seconds * 1000,
    ...(monotonic !== null ? { monotonicSeconds: monotonic } : {}),
    series,
    processes: [],
    facts: {},
    problems: [],
  });
  const boot = (v: number) => g('node_boot_time_seconds', v);
  const eth = (bytes: number, device = 'eth0') => c('node_network_receive_bytes_total', bytes, { device });

  it('takes a boot time that moved by up to 5 s for a stepped wall clock, and one that moved further for a reboot', () => {
    const before = at(0, [boot(1_700_000_000), eth(1000)]);
    const rate = (bootNow: number) => pick(deriveSamples(before, at(10, [boot(bootNow), eth(2000)]), 'h').samples, 'node_network_receive_bytes:rate');
    expect(rate(1_700_000_005).map((s) => s.v)).toEqual([100]);
    expect(rate(1_699_999_995).map((s) => s.v)).toEqual([100]);
    expect(rate(1_700_000_006)).toEqual([]);
    // A source that reads no boot time (the built-in collector) keeps its rates.
    expect(pick(deriveSamples(at(0, [eth(1000)]), at(10, [eth(2000)]), 'h').samples, 'node_network_receive_bytes:rate').map((s) => s.v)).toEqual([100]);
  });

  it('times the interval by the host\'s monotonic clock only when both observations have it, else by receive times', () => {
    const rate = (a: HostObservation, b: HostObservation) => pick(deriveSamples(a, b, 'h').samples, 'node_network_receive_bytes:rate').map((s) => s.v);
    // Receive times 10 s apart, uptime 4 s apart (the network delayed the first frame).
    expect(rate(at(0, [eth(1000)], 1000), at(10, [eth(2000)], 1004))).toEqual([250]);
    expect(rate(at(0, [eth(1000)], null), at(10, [eth(2000)], 1004))).toEqual([100]);
    expect(rate(at(0, [eth(1000)], 1000), at(10, [eth(2000)], null))).toEqual([100]);
  });

  it('gives rates for an interval of exactly maxIntervalSeconds, none for a zero or longer one', () => {
    const rates600 = (seconds: number) => pick(deriveSamples(at(0, [eth(0), ...cpu('0', 0, 0)]), at(seconds, [eth(600_000), ...cpu('0', 1, 1)]), 'h').samples, 'node_network_receive_bytes:rate');
    expect(rates600(600).map((s) => s.v)).toEqual([1000]);
    expect(rates600(601)).toEqual([]);
    // The same uptime twice (a duplicated frame): no rate and no CPU share, not an infinite one.
    const same = deriveSamples(at(0, [eth(0), ...cpu('0', 0, 0)]), at(0, [eth(10), ...cpu('0', 1, 1)]), 'h').samples;
    expect(rates(same)).toEqual([]);
  });

  it('stores no value that is not finite', () => {
    const { samples } = deriveSamples(undefined, at(0, [g('node_load1', Number.NaN), g('node_load5', Number.POSITIVE_INFINITY), g('node_load15', 0.5)]), 'h');
    expect(samples.filter((s) => s.name.startsWith('node_load')).map((s) => [s.name, s.v])).toEqual([['node_load15', 0.5]]);
  });

  it('leaves out what an observation cannot tell: CPU count, memory, swap and uptime when their inputs are missing', () => {
    const { samples } = deriveSamples(undefined, at(0, [g('node_memory_MemTotal_bytes', 1000), g('node_memory_SwapTotal_bytes', 100)], null), 'h');
    expect(samples.map((s) => s.name)).toEqual(['node_memory_MemTotal_bytes', 'node_memory_SwapTotal_bytes']);
    // MemAvailable without MemTotal is no ratio either.
    expect(deriveSamples(undefined, at(0, [g('node_memory_MemAvailable_bytes', 10)]), 'h').samples.map((s) => s.name)).toEqual(['node_memory_MemAvailable_bytes', 'host:uptime:seconds']);
  });

  it('estimates available memory as free + buffers + page cache on kernels before 3.14 (no MemAvailable)', () => {
    const mem = (field: string, kib: number) => g(`node_memory_${field}_bytes`, kib * 1024);
    const { samples } = deriveSamples(undefined, at(0, [mem('MemTotal', 1000), mem('MemFree', 100), mem('Buffers', 50), mem('Cached', 250)]), 'h');
    expect(one(samples, 'host:memory_used:bytes')).toBe(600 * 1024);
    expect(one(samples, 'host:memory_used:ratio')).toBe(0.6);
    // Without one of the three there is no estimate.
    expect(pick(deriveSamples(undefined, at(0, [mem('MemTotal', 1000), mem('MemFree', 100), mem('Buffers', 50)]), 'h').samples, 'host:memory_used:bytes')).toEqual([]);
  });

  it('computes filesystem use as df does, skips a mount it cannot, and keeps the fullest', () => {
    const fs = (mountpoint: string, size: number, free: number, avail: number | undefined) => [
      g('node_filesystem_size_bytes', size, { mountpoint }),
      g('node_filesystem_free_bytes', free, { mountpoint }),
      ...(avail !== undefined ? [g('node_filesystem_avail_bytes', avail, { mountpoint })] : []),
    ];
    const { samples } = deriveSamples(undefined, at(0, [...fs('/full', 100, 10, 5), ...fs('/half', 100, 50, 50), ...fs('/empty-pseudo', 0, 0, 0), ...fs('/no-avail', 100, 10, undefined)]), 'h');
    expect(pick(samples, 'host:filesystem_used:ratio').map((s) => [s.labels.mountpoint, s.v])).toEqual([
      ['/full', 90 / 95],
      ['/half', 0.5],
    ]);
    expect(one(samples, 'host:filesystem_fullest_used:ratio')).toBe(90 / 95);
  });

  it('gives a CPU brought online since the last sample no share yet, and keeps the host\'s from the others', () => {
    const { samples } = deriveSamples(at(0, [...cpu('0', 100, 100)]), at(10, [...cpu('0', 105, 105), ...cpu('1', 1, 1)]), 'h');
    expect(pick(samples, 'host:cpu_core_usage:ratio').map((s) => [s.labels.cpu, s.v])).toEqual([['0', 0.5]]);
    expect(one(samples, 'host:cpu_usage:ratio')).toBe(0.5);
    expect(one(samples, 'host:cpu_count:count')).toBe(2);
  });

  it('caps disk busy time at 1 when the host\'s clock and the console\'s disagree by a hair', () => {
    const io = (v: number) => c('node_disk_io_time_seconds_total', v, { device: 'sda' });
    const { samples } = deriveSamples(at(0, [io(100)]), at(10, [io(110.02)]), 'h');
    expect(one(samples, 'node_disk_io_time_seconds:rate', { device: 'sda' })).toBe(1);
  });

  it('sums the host total over the devices that have a rate: a reset NIC leaves a gap of its own, the others still count', () => {
    const { samples } = deriveSamples(at(0, [eth(5_000_000, 'eth0'), eth(1000, 'eth1')]), at(10, [eth(100, 'eth0'), eth(2000, 'eth1')]), 'h');
    expect(pick(samples, 'node_network_receive_bytes:rate').map((s) => [s.labels.device, s.v])).toEqual([['eth1', 100]]);
    expect(one(samples, 'host:network_receive_bytes:rate')).toBe(100);
  });
});

describe('counterIncrease at its boundaries', () => {
  it('never turns an infinite reading into growth', () => {
    expect(counterIncrease(5, Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(counterIncrease(Number.NaN, 5)).toBeUndefined();
  });

  it('takes a wrap only from inside the 32-bit range and for an increase below a quarter of it', () => {
    expect(counterIncrease(2 ** 32, 5)).toBeUndefined(); // a 64-bit counter past 2^32 went back: a reset
    expect(counterIncrease(2 ** 32 - 100, 2 ** 30 - 101)).toBe(2 ** 30 - 1);
    expect(counterIncrease(2 ** 32 - 100, 2 ** 30 - 100)).toBeUndefined();
  });
});

describe('hostSummaryFrom', () => {
  it('picks the overview values out of derived samples', () => {
    const { samples } = deriveSamples(t0, t1, 'web-1');
    expect(hostSummaryFrom(samples, 'id-1', T0 + 10_000)).toEqual({
      hostId: 'id-1',
      t: T0 + 10_000,
      cpuUsage: expect.closeTo(0.275, 9),
      cpus: 2,
      load1: 0.5,
      load5: 0.4,
      load15: 0.3,
      memoryUsed: 2_000_000 * 1024,
      memoryTotal: 8_000_000 * 1024,
      swapUsed: 250_000 * 1024,
      swapTotal: 1_000_000 * 1024,
      fullestMount: '/srv/my data',
      fullestMountUsage: expect.closeTo(0.95, 9),
      networkRxRate: 50_000,
      networkTxRate: 100_000,
      diskReadRate: 3_072_000,
      diskWriteRate: 5_120_000,
      uptimeSeconds: 1010,
    });
    const first = hostSummaryFrom(deriveSamples(undefined, t0, 'web-1').samples, 'id-1', T0);
    expect(first).toMatchObject({ cpuUsage: null, networkRxRate: null, memoryTotal: 8_000_000 * 1024 });
  });
});
