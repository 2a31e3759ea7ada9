// The host's own series from two consecutive observations: per-second rates
// of the counters, CPU and memory ratios, host totals, plus the raw gauges of
// the catalogue passed through. Pure; observation.ts runs it with the
// processes and containers of the same observation.
import { rawMetrics } from '../../common/metrics.js';
import { seriesKey, type Labels, type RawSeries, type Sample } from '../../common/series.js';
import type { HostObservation } from '../model/observation.js';
import { counterIncrease } from './counters.js';

export const DEFAULT_MAX_INTERVAL_SECONDS = 600;

/**
 * Boot time read from /proc/stat's btime moves when the wall clock is
 * stepped (it is "now - uptime"), so only a change beyond this is a reboot.
 */
export const BOOT_TIME_TOLERANCE_SECONDS = 5;

/**
 * Devices stacked on others (device-mapper, software RAID, DRBD, bcache,
 * zram): their I/O is already counted on the disks beneath, so host totals
 * leave them out. They keep their own per-device series.
 */
const STACKED_DISK = /^(?:dm-|md|drbd|bcache|zram)/;

/** Per-device counters that become `<name without _total>:rate`. */
const DEVICE_RATES: ReadonlyArray<readonly [raw: string, rate: string]> = [
  ['node_disk_read_bytes_total', 'node_disk_read_bytes:rate'],
  ['node_disk_written_bytes_total', 'node_disk_written_bytes:rate'],
  ['node_disk_reads_completed_total', 'node_disk_reads_completed:rate'],
  ['node_disk_writes_completed_total', 'node_disk_writes_completed:rate'],
  ['node_disk_io_time_seconds_total', 'node_disk_io_time_seconds:rate'],
  ['node_network_receive_bytes_total', 'node_network_receive_bytes:rate'],
  ['node_network_transmit_bytes_total', 'node_network_transmit_bytes:rate'],
  ['node_network_receive_packets_total', 'node_network_receive_packets:rate'],
  ['node_network_transmit_packets_total', 'node_network_transmit_packets:rate'],
  ['node_network_receive_errs_total', 'node_network_receive_errs:rate'],
  ['node_network_transmit_errs_total', 'node_network_transmit_errs:rate'],
  ['node_network_receive_drop_total', 'node_network_receive_drop:rate'],
  ['node_network_transmit_drop_total', 'node_network_transmit_drop:rate'],
];

/**
 * Host-wide counters that become a per-second rate: TCP retransmissions
 * (/proc/net/snmp), and the PSI "some" totals, whose rate is the share of
 * time some task waited (Documentation/accounting/psi.rst), at most 1.
 */
const SCALAR_RATES: ReadonlyArray<readonly [raw: string, rate: string, labels: Labels, max: number]> = [
  ['node_netstat_Tcp_RetransSegs', 'host:tcp_retransmits:rate', {}, Infinity],
  ['node_pressure_cpu_waiting_seconds_total', 'host:pressure_waiting:ratio', { resource: 'cpu' }, 1],
  ['node_pressure_io_waiting_seconds_total', 'host:pressure_waiting:ratio', { resource: 'io' }, 1],
  ['node_pressure_memory_waiting_seconds_total', 'host:pressure_waiting:ratio', { resource: 'memory' }, 1],
];

const HOST_TOTALS: ReadonlyArray<readonly [rate: string, total: string, include: (device: string) => boolean]> = [
  ['node_disk_read_bytes:rate', 'host:disk_read_bytes:rate', (d) => !STACKED_DISK.test(d)],
  ['node_disk_written_bytes:rate', 'host:disk_written_bytes:rate', (d) => !STACKED_DISK.test(d)],
  ['node_network_receive_bytes:rate', 'host:network_receive_bytes:rate', (d) => d !== 'lo'],
  ['node_network_transmit_bytes:rate', 'host:network_transmit_bytes:rate', (d) => d !== 'lo'],
];

function first(series: readonly RawSeries[], name: string): number | undefined {
  return series.find((s) => s.name === name)?.value;
}

/**
 * Seconds between two observations: the host's monotonic clock when both
 * have it (network delay between host and console does not distort it),
 * else the receive times. Undefined when rates would be wrong: a reboot
 * (uptime went back, or the boot time moved), an interval ≤ 0, or one
 * longer than `maxSeconds`.
 */
export function rateInterval(prev: HostObservation, cur: HostObservation, maxSeconds: number): number | undefined {
  const prevBoot = first(prev.series, 'node_boot_time_seconds');
  const curBoot = first(cur.series, 'node_boot_time_seconds');
  if (prevBoot !== undefined && curBoot !== undefined && Math.abs(curBoot - prevBoot) > BOOT_TIME_TOLERANCE_SECONDS) return undefined;
  const dt =
    prev.monotonicSeconds !== undefined && cur.monotonicSeconds !== undefined
      ? cur.monotonicSeconds - prev.monotonicSeconds
      : (cur.t - prev.t) / 1000;
  if (!(dt > 0) || dt > maxSeconds) return undefined;
  return dt;
}

/**
 * The host's series of `cur` (with its `host` label), rates against `prev`
 * when `dt` (rateInterval) allows them; the memory total, for process shares.
 */
export function deriveHostSeries(
  prev: HostObservation | undefined,
  cur: HostObservation,
  dt: number | undefined,
  host: string,
): { samples: Sample[]; memTotal: number | undefined } {
  const t = cur.t;
  const samples: Sample[] = [];
  const push = (name: string, labels: Labels, v: number) => {
    if (Number.isFinite(v)) samples.push({ name, labels: { ...labels, host }, t, v });
  };

  // Raw gauges of the catalogue, as they are. The catalogue is what is
  // stored; the long tail of meminfo fields stays in the observation (for
  // the exporter) without costing history space.
  for (const s of cur.series) {
    if (s.kind === 'gauge' && s.name in rawMetrics) push(s.name, s.labels, s.value);
  }

  // CPU count, memory, swap, filesystems, uptime: from this observation alone.
  const cpus = new Set(cur.series.filter((s) => s.name === 'node_cpu_seconds_total').map((s) => s.labels.cpu));
  if (cpus.size > 0) push('host:cpu_count:count', {}, cpus.size);
  const mem = (field: string) => first(cur.series, `node_memory_${field}_bytes`);
  const memTotal = mem('MemTotal');
  // MemAvailable exists since Linux 3.14; before it, free + buffers + page cache is the usual estimate.
  const memAvailable = mem('MemAvailable') ?? sumDefined(mem('MemFree'), mem('Buffers'), mem('Cached'));
  if (memTotal !== undefined && memAvailable !== undefined) {
    push('host:memory_used:bytes', {}, memTotal - memAvailable);
    if (memTotal > 0) push('host:memory_used:ratio', {}, (memTotal - memAvailable) / memTotal);
  }
  const swapTotal = mem('SwapTotal');
  const swapFree = mem('SwapFree');
  if (swapTotal !== undefined && swapFree !== undefined) push('host:swap_used:bytes', {}, swapTotal - swapFree);

  let fullest: number | undefined;
  const fsSize = new Map<string, RawSeries>();
  const fsFree = new Map<string, number>();
  const fsAvail = new Map<string, number>();
  for (const s of cur.series) {
    const key = seriesKey('', s.labels);
    if (s.name === 'node_filesystem_size_bytes') fsSize.set(key, s);
    else if (s.name === 'node_filesystem_free_bytes') fsFree.set(key, s.value);
    else if (s.name === 'node_filesystem_avail_bytes') fsAvail.set(key, s.value);
  }
  for (const [key, size] of fsSize) {
    const free = fsFree.get(key);
    const avail = fsAvail.get(key);
    if (free === undefined || avail === undefined) continue;
    // df's Use%: used / (used + available to unprivileged users), so the root reserve counts as full.
    const used = size.value - free;
    if (used + avail <= 0) continue;
    const ratio = used / (used + avail);
    push('host:filesystem_used:ratio', size.labels, ratio);
    fullest = fullest === undefined ? ratio : Math.max(fullest, ratio);
  }
  if (fullest !== undefined) push('host:filesystem_fullest_used:ratio', {}, fullest);
  if (cur.monotonicSeconds !== undefined) push('host:uptime:seconds', {}, cur.monotonicSeconds);

  if (prev && dt !== undefined) {
    deriveCpu(prev, cur, push);
    deriveDeviceRates(prev, cur, dt, push);
    for (const [raw, rate, labels, max] of SCALAR_RATES) {
      const was = first(prev.series, raw);
      const now = first(cur.series, raw);
      if (was === undefined || now === undefined) continue;
      const increase = counterIncrease(was, now);
      if (increase !== undefined) push(rate, labels, Math.min(max, increase / dt));
    }
  }
  return { samples, memTotal };
}


function sumDefined(...values: Array<number | undefined>): number | undefined {
  return values.every((v) => v !== undefined) ? values.reduce<number>((a, b) => a + b!, 0) : undefined;
}

type Push = (name: string, labels: Labels, v: number) => void;

/**
 * CPU shares come from the tick deltas themselves (time in a mode over all
 * time), not from the interval, so clock jitter does not matter. A mode's
 * counter that went backwards counts as no time: idle and iowait can step
 * back on tickless kernels (proc.rst: "iowait … the value may decrease").
 */
function deriveCpu(prev: HostObservation, cur: HostObservation, push: Push) {
  const before = new Map<string, number>();
  for (const s of prev.series) if (s.name === 'node_cpu_seconds_total') before.set(`${s.labels.cpu}/${s.labels.mode}`, s.value);
  const perCpu = new Map<string, Map<string, number>>();
  for (const s of cur.series) {
    if (s.name !== 'node_cpu_seconds_total') continue;
    const was = before.get(`${s.labels.cpu}/${s.labels.mode}`);
    if (was === undefined) continue; // a CPU brought online since: rates from its second sample
    const modes = perCpu.get(s.labels.cpu!) ?? new Map<string, number>();
    modes.set(s.labels.mode!, Math.max(0, s.value - was));
    perCpu.set(s.labels.cpu!, modes);
  }
  const hostModes = new Map<string, number>();
  let hostTotal = 0;
  for (const [cpu, modes] of perCpu) {
    let total = 0;
    for (const [mode, d] of modes) {
      total += d;
      hostModes.set(mode, (hostModes.get(mode) ?? 0) + d);
    }
    if (total <= 0) continue;
    hostTotal += total;
    push('host:cpu_core_usage:ratio', { cpu }, (total - (modes.get('idle') ?? 0) - (modes.get('iowait') ?? 0)) / total);
  }
  if (hostTotal <= 0) return;
  for (const [mode, d] of hostModes) push('host:cpu_mode:ratio', { mode }, d / hostTotal);
  push('host:cpu_usage:ratio', {}, (hostTotal - (hostModes.get('idle') ?? 0) - (hostModes.get('iowait') ?? 0)) / hostTotal);
}

function deriveDeviceRates(prev: HostObservation, cur: HostObservation, dt: number, push: Push) {
  const rateOf = new Map(DEVICE_RATES);
  const before = new Map<string, number>();
  for (const s of prev.series) if (rateOf.has(s.name)) before.set(seriesKey(s.name, s.labels), s.value);
  const totals = new Map<string, { sum: number; any: boolean }>();
  for (const s of cur.series) {
    const rateName = rateOf.get(s.name);
    if (!rateName) continue;
    const was = before.get(seriesKey(s.name, s.labels));
    if (was === undefined) continue; // a new device: rates from its second sample
    const increase = counterIncrease(was, s.value);
    if (increase === undefined) continue; // reset: a gap, not a spike
    let rate = increase / dt;
    // Busy time over an interval measured by another clock can overshoot 1 by a hair.
    if (rateName === 'node_disk_io_time_seconds:rate') rate = Math.min(1, rate);
    push(rateName, s.labels, rate);
    for (const [perDevice, total, include] of HOST_TOTALS) {
      if (perDevice !== rateName || !include(s.labels.device ?? '')) continue;
      const acc = totals.get(total) ?? { sum: 0, any: false };
      acc.sum += rate;
      acc.any = true;
      totals.set(total, acc);
    }
  }
  for (const [name, acc] of totals) if (acc.any) push(name, {}, acc.sum);
}
