import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Systeminformation } from 'systeminformation';
import { describe, expect, it } from 'vitest';
import { rawMetrics } from '../../../common/metrics.js';
import type { RawSeries } from '../../../common/series.js';
import {
  accumulateProcessCpu,
  mapSystemReadings,
  processStartSecondsAfterBoot,
  type SystemReadings,
} from './systemInformationMapping.js';

interface Fixture {
  reads: { readings: SystemReadings; processes: Systeminformation.ProcessesData }[];
}
function fixture(name: string): Fixture {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`fixtures/${name}`, import.meta.url)), 'utf8')) as Fixture;
}
function read(f: Fixture, i: number) {
  const r = f.reads[i];
  if (!r) throw new Error(`fixture has no read ${i}`);
  return r;
}
const names = (series: RawSeries[]) => new Set(series.map((s) => s.name));
const find = (series: RawSeries[], name: string, labels: Record<string, string> = {}) =>
  series.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
const one = (series: RawSeries[], name: string, labels: Record<string, string> = {}) => {
  const hits = find(series, name, labels);
  expect(hits, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
  return hits[0]!;
};
const modesOf = (series: RawSeries[], cpu: string) =>
  find(series, 'node_cpu_seconds_total', { cpu }).map((s) => s.labels.mode).sort();

function expectOnlyCatalogueNames(series: RawSeries[]) {
  for (const s of series) expect(Object.keys(rawMetrics), s.name).toContain(s.name);
}

// Recorded on this build machine (Debian 12, systeminformation 5.33.23) by
// createSystemCollector's onReadings hook: the JSON the library returned.
describe('Linux: recorded systeminformation output', () => {
  const f = fixture('linux-debian12-systeminformation-5.33.json');
  const { readings } = read(f, 1);
  const { series, problems } = mapSystemReadings(readings);

  it('maps without problems to catalogue names only', () => {
    expect(problems).toEqual([]);
    expectOnlyCatalogueNames(series);
  });

  it('gives every core the five modes libuv reads from /proc/stat, in seconds', () => {
    readings.os.cpus.forEach((cpu, i) => {
      expect(modesOf(series, String(i))).toEqual(['idle', 'irq', 'nice', 'system', 'user']);
      expect(one(series, 'node_cpu_seconds_total', { cpu: String(i), mode: 'system' }).value).toBe(cpu.times.sys / 1000);
      expect(one(series, 'node_cpu_seconds_total', { cpu: String(i), mode: 'idle' }).kind).toBe('counter');
    });
  });

  it('keeps Linux memory fields, load and boot time', () => {
    const mem = readings.si.mem!;
    expect(one(series, 'node_memory_MemTotal_bytes').value).toBe(mem.total);
    expect(one(series, 'node_memory_MemAvailable_bytes').value).toBe(mem.available);
    expect(one(series, 'node_memory_Buffers_bytes').value).toBe(mem.buffers);
    expect(one(series, 'node_memory_Cached_bytes').value).toBe(mem.cached);
    expect(one(series, 'node_memory_SwapTotal_bytes').value).toBe(mem.swaptotal);
    expect(one(series, 'node_load15').value).toBe(readings.os.loadavg[2]);
    expect(one(series, 'node_boot_time_seconds').value).toBe(Math.round(readings.nowMs / 1000 - readings.os.uptime));
  });

  it('sizes filesystems from statfs, with inodes, labelled like node_exporter', () => {
    for (const fs of readings.si.fsSize!) {
      const st = readings.statfs![fs.mount]!;
      const labels = { device: fs.fs, fstype: fs.type, mountpoint: fs.mount };
      expect(one(series, 'node_filesystem_size_bytes', labels).value).toBe(st.blocks * st.bsize);
      expect(one(series, 'node_filesystem_avail_bytes', labels).value).toBe(st.bavail * st.bsize);
      expect(one(series, 'node_filesystem_free_bytes', labels).value).toBe(st.bfree * st.bsize);
      expect(one(series, 'node_filesystem_files_free', labels).value).toBe(st.ffree);
    }
  });

  it('reports host-wide disk totals without a device label, and every interface', () => {
    const disk = one(series, 'node_disk_written_bytes_total');
    expect(disk.labels).toEqual({});
    expect(disk.value).toBe(readings.si.fsStats!.wx);
    expect(one(series, 'node_disk_reads_completed_total').value).toBe(readings.si.disksIO!.rIO);
    const devices = new Set(find(series, 'node_network_receive_bytes_total').map((s) => s.labels.device));
    expect(devices).toEqual(new Set(readings.si.networkStats!.map((n) => n.iface)));
    expect(find(series, 'node_network_transmit_drop_total')).toHaveLength(devices.size);
    expect(names(series).has('node_network_receive_packets_total')).toBe(false); // si has no packet counts
  });

  it('emits no temperature on a VM whose library answer is all null', () => {
    expect(readings.si.cpuTemperature?.main).toBeNull();
    expect(names(series).has('node_hwmon_temp_celsius')).toBe(false);
  });

  it('turns the process percentages into a counter that advances by share × interval × cpus', () => {
    const first = accumulateProcessCpu(new Map(), read(f, 0).processes.list, {
      platform: 'linux',
      logicalCpus: readings.os.cpus.length,
      elapsedSeconds: 0,
      bootTimeSeconds: readings.nowMs / 1000 - readings.os.uptime,
    });
    expect(first.processes.every((p) => p.cpuSeconds === 0)).toBe(true);
    const elapsed = (readings.nowMs - read(f, 0).readings.nowMs) / 1000;
    const second = accumulateProcessCpu(first.ledger, read(f, 1).processes.list, {
      platform: 'linux',
      logicalCpus: readings.os.cpus.length,
      elapsedSeconds: elapsed,
      bootTimeSeconds: readings.nowMs / 1000 - readings.os.uptime,
    });
    // si's "started" for the same pid moved by one second between these two real reads (it is derived from ps etime).
    const busiest = [...read(f, 1).processes.list].filter((p) => first.ledger.has(p.pid)).sort((a, b) => b.cpu - a.cpu)[0]!;
    const mapped = second.processes.find((p) => p.pid === busiest.pid)!;
    expect(mapped.cpuSeconds).toBeCloseTo((busiest.cpu / 100) * elapsed * readings.os.cpus.length, 9);
    expect(mapped.rssBytes).toBe(busiest.memRss * 1024);
    expect(mapped.comm).toBe(busiest.name);
    expect(mapped.startTime).toBeGreaterThanOrEqual(0);
  });
});

// Shapes from systeminformation's index.d.ts and the macOS columns of its
// support tables (systeminformation.io memory/filesystem/network/cpu/processes
// pages); see the fixture's "source" field.
describe('macOS: documented shapes', () => {
  const f = fixture('darwin-documented-shapes.json');
  const r0 = read(f, 0).readings;
  const r1 = read(f, 1).readings;
  const first = mapSystemReadings(r0);
  const second = mapSystemReadings(r1);

  it('maps to catalogue names only, without problems', () => {
    expect(first.problems).toEqual([]);
    expect(second.problems).toEqual([]);
    expectOnlyCatalogueNames([...first.series, ...second.series]);
  });

  it('has no irq mode (host_processor_info has none) but has load', () => {
    expect(modesOf(first.series, '0')).toEqual(['idle', 'nice', 'system', 'user']);
    expect(one(first.series, 'node_load1').value).toBe(r0.os.loadavg[0]);
  });

  it('omits the Linux-only memory fields and keeps free, available and swap', () => {
    const s = names(first.series);
    expect(s.has('node_memory_Buffers_bytes')).toBe(false);
    expect(s.has('node_memory_Cached_bytes')).toBe(false);
    expect(one(first.series, 'node_memory_MemFree_bytes').value).toBe(r0.si.mem!.free);
    expect(one(first.series, 'node_memory_MemAvailable_bytes').value).toBe(r0.si.mem!.available);
    expect(one(first.series, 'node_memory_SwapFree_bytes').value).toBe(r0.si.mem!.swapfree);
  });

  it('uses statfs where it answered and df figures where it did not', () => {
    const data = { mountpoint: '/System/Volumes/Data' };
    expect(one(first.series, 'node_filesystem_size_bytes', data).labels.fstype).toBe('apfs');
    expect(one(first.series, 'node_filesystem_files', data).value).toBe(r0.statfs!['/System/Volumes/Data']!.files);
    const usb = r0.si.fsSize!.find((x) => x.mount === '/Volumes/USB STICK')!;
    expect(one(first.series, 'node_filesystem_free_bytes', { mountpoint: usb.mount }).value).toBe(usb.size - usb.used);
    expect(one(first.series, 'node_filesystem_avail_bytes', { mountpoint: usb.mount }).value).toBe(usb.available);
    expect(find(first.series, 'node_filesystem_files', { mountpoint: usb.mount })).toHaveLength(0);
    // Second read: the mount list was not refreshed and no statfs is given, so no filesystem series.
    expect(names(second.series).has('node_filesystem_size_bytes')).toBe(false);
  });

  it('leaves out network drops, which si fills from one netstat column for both directions', () => {
    expect(find(first.series, 'node_network_receive_drop_total')).toHaveLength(0);
    expect(find(first.series, 'node_network_transmit_drop_total')).toHaveLength(0);
    expect(one(first.series, 'node_network_receive_errs_total', { device: 'en0' }).value).toBe(2);
  });

  it('has temperatures only when si found a sensor', () => {
    expect(find(first.series, 'node_hwmon_temp_celsius')).toHaveLength(0);
    const t = r1.si.cpuTemperature!;
    expect(one(second.series, 'node_hwmon_temp_celsius', { sensor: 'package' }).value).toBe(t.main);
    expect(one(second.series, 'node_hwmon_temp_celsius', { sensor: 'core1' }).value).toBe(t.cores[1]);
    expect(one(second.series, 'node_hwmon_temp_celsius', { chip: 'chipset' }).value).toBe(t.chipset);
  });

  it('integrates ps %cpu as a share of one CPU, and restarts the counter of a reused pid', () => {
    const opts = { platform: 'darwin', logicalCpus: r0.os.cpus.length, bootTimeSeconds: r0.nowMs / 1000 - r0.os.uptime };
    const a = accumulateProcessCpu(new Map(), read(f, 0).processes.list, { ...opts, elapsedSeconds: 0 });
    const elapsed = (r1.nowMs - r0.nowMs) / 1000;
    const b = accumulateProcessCpu(a.ledger, read(f, 1).processes.list, { ...opts, elapsedSeconds: elapsed });
    const ws = read(f, 1).processes.list.find((p) => p.name === 'WindowServer')!;
    expect(b.processes.find((p) => p.pid === ws.pid)!.cpuSeconds).toBeCloseTo((ws.cpu / 100) * elapsed, 9);
    // pid 4242 was started again between the reads (different "started"): a new process.
    expect(b.processes.find((p) => p.pid === 4242)!.cpuSeconds).toBe(0);
    expect(b.processes.find((p) => p.pid === 4242)!.user).toBe('alice');
  });
});

// Shapes from systeminformation's index.d.ts and the Win columns of its
// support tables (systeminformation.io memory/filesystem/network/cpu/processes
// pages); see the fixture's "source" field.
describe('Windows: documented shapes', () => {
  const f = fixture('win32-documented-shapes.json');
  const r0 = read(f, 0).readings;
  const r1 = read(f, 1).readings;
  const first = mapSystemReadings(r0);
  const second = mapSystemReadings(r1);

  it('maps to catalogue names only, without problems', () => {
    expect(first.problems).toEqual([]);
    expect(second.problems).toEqual([]);
    expectOnlyCatalogueNames([...first.series, ...second.series]);
  });

  it('has no nice mode and no load average', () => {
    expect(modesOf(first.series, '3')).toEqual(['idle', 'irq', 'system', 'user']);
    expect(one(first.series, 'node_cpu_seconds_total', { cpu: '0', mode: 'irq' }).value).toBe(r0.os.cpus[0]!.times.irq / 1000);
    expect(names(first.series).has('node_load1')).toBe(false);
  });

  it('reports available memory but not "free", and swap only when the page file query answered', () => {
    expect(one(first.series, 'node_memory_MemAvailable_bytes').value).toBe(r0.si.mem!.available);
    expect(names(first.series).has('node_memory_MemFree_bytes')).toBe(false);
    expect(one(first.series, 'node_memory_SwapTotal_bytes').value).toBe(r0.si.mem!.swaptotal);
    expect(names(second.series).has('node_memory_SwapTotal_bytes')).toBe(false);
  });

  it('sizes drives from statfs without inode counts, and falls back to Win32_LogicalDisk figures', () => {
    const c = { mountpoint: 'C:', device: 'C:', fstype: 'ntfs' };
    expect(one(first.series, 'node_filesystem_size_bytes', c).value).toBe(r0.statfs!['C:']!.blocks * 4096);
    expect(find(first.series, 'node_filesystem_files', c)).toHaveLength(0);
    expect(one(first.series, 'node_filesystem_size_bytes', { mountpoint: 'D:' }).value).toBe(r0.si.fsSize![1]!.size);
  });

  it('has no disk I/O (the library returns null) and skips adapters it could not read', () => {
    expect([...names(first.series)].some((n) => n.startsWith('node_disk_'))).toBe(false);
    expect(new Set(find(first.series, 'node_network_receive_bytes_total').map((s) => s.labels.device))).toEqual(new Set(['Ethernet']));
    expect(one(first.series, 'node_network_receive_drop_total', { device: 'Ethernet' }).value).toBe(3);
  });

  it('reports ACPI thermal zones as thermal zones, and nothing for the -1 "no sensor" answer', () => {
    expect(find(first.series, 'node_thermal_zone_temp').map((s) => [s.labels.zone, s.value])).toEqual([
      ['0', 45.05],
      ['1', 47.05],
    ]);
    expect(find(first.series, 'node_hwmon_temp_celsius')).toHaveLength(0);
    expect(find(second.series, 'node_thermal_zone_temp')).toHaveLength(0);
  });

  it('integrates Win32_Process shares of all processors (× logical CPUs)', () => {
    const opts = { platform: 'win32', logicalCpus: r0.os.cpus.length, bootTimeSeconds: r0.nowMs / 1000 - r0.os.uptime };
    const a = accumulateProcessCpu(new Map(), read(f, 0).processes.list, { ...opts, elapsedSeconds: 0 });
    const b = accumulateProcessCpu(a.ledger, read(f, 1).processes.list, { ...opts, elapsedSeconds: 5 });
    const code = b.processes.find((p) => p.comm === 'Code.exe')!;
    expect(code.cpuSeconds).toBeCloseTo(0.125 * 5 * 4, 9);
    expect(code.rssBytes).toBe(266240 * 1024);
    // The idle process has no CreationDate: no startTime rather than a made-up one.
    expect(b.processes.find((p) => p.pid === 0)!.startTime).toBeUndefined();
  });
});

describe('bad input', () => {
  const base = read(fixture('linux-debian12-systeminformation-5.33.json'), 1).readings;

  it('drops NaN and negative values with a problem line and keeps the rest', () => {
    const broken: SystemReadings = {
      ...base,
      si: { ...base.si, mem: { ...base.si.mem!, available: Number.NaN, swapfree: -5 } },
    };
    const { series, problems } = mapSystemReadings(broken);
    expect(problems.some((p) => p.includes('node_memory_MemAvailable_bytes'))).toBe(true);
    expect(problems.some((p) => p.includes('node_memory_SwapFree_bytes'))).toBe(true);
    expect(names(series).has('node_memory_MemAvailable_bytes')).toBe(false);
    expect(one(series, 'node_memory_MemTotal_bytes').value).toBe(base.si.mem!.total);
  });

  it('loses one section, not the sample, when a reading has the wrong shape', () => {
    const broken = { ...base, si: { ...base.si, networkStats: 42 } } as unknown as SystemReadings;
    const { series, problems } = mapSystemReadings(broken);
    expect(problems.some((p) => p.startsWith('network:'))).toBe(true);
    expect(names(series).has('node_cpu_seconds_total')).toBe(true);
    expect(names(series).has('node_filesystem_size_bytes')).toBe(true);
  });

  it('skips process entries without a pid and unparseable start times', () => {
    const list = [{ name: 'ghost' }, { pid: 7, name: 'x', cpu: 1, memRss: 1, started: 'yesterday' }] as unknown as Systeminformation.ProcessesProcessData[];
    const out = accumulateProcessCpu(new Map(), list, { platform: 'linux', logicalCpus: 2, elapsedSeconds: 1, bootTimeSeconds: 0 });
    expect(out.processes.map((p) => p.pid)).toEqual([7]);
    expect(out.processes[0]!.startTime).toBeUndefined();
    expect(out.problems).toHaveLength(1);
  });

  it('reads si start times as local time', () => {
    const boot = new Date(2024, 4, 1, 8, 0, 0).getTime() / 1000;
    expect(processStartSecondsAfterBoot('2024-05-01 09:00:30', boot)).toBe(3630);
  });
});
