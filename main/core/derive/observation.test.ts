import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { derivedMetrics } from '../../common/metrics.js';
import type { Sample } from '../../common/series.js';
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
