// /proc/diskstats and /proc/net/dev → node_exporter's diskstats and netdev series.
import type { RawSeries } from '../../common/series.js';
import type { Parsed } from './procfs.js';
import { NET_FIELDS, type NetDevCounters } from '../model/netDev.js';

/**
 * Devices left out, as node_exporter's default --collector.diskstats.device-exclude
 * (`^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$`) does, plus eMMC/SD
 * partitions: RAM disks, loop and floppy devices say nothing about storage,
 * and partitions would count their disk's I/O twice in host totals.
 */
export const IGNORED_DISK = /^(?:z?ram|loop|fd|(?:h|s|v|xv)d[a-z]+|nvme\d+n\d+p|mmcblk\d+p)\d+$/;

/**
 * Sectors in /proc/diskstats are always 512 bytes, whatever the device's
 * sector size (Documentation/admin-guide/iostats.rst and the kernel's
 * SECTOR_SHIFT = 9 in include/linux/blk_types.h).
 */
export const DISKSTATS_SECTOR_BYTES = 512;

// iostats.rst: after major, minor and name come 11 fields (kernel < 4.18),
// 15 (discards, 4.18+) or 17 (flushes, 5.5+). Times are milliseconds.
const DISK_FIELDS: ReadonlyArray<readonly [name: string, kind: RawSeries['kind'], scale: number] | undefined> = [
  ['node_disk_reads_completed_total', 'counter', 1],
  ['node_disk_reads_merged_total', 'counter', 1],
  ['node_disk_read_bytes_total', 'counter', DISKSTATS_SECTOR_BYTES],
  ['node_disk_read_time_seconds_total', 'counter', 0.001],
  ['node_disk_writes_completed_total', 'counter', 1],
  ['node_disk_writes_merged_total', 'counter', 1],
  ['node_disk_written_bytes_total', 'counter', DISKSTATS_SECTOR_BYTES],
  ['node_disk_write_time_seconds_total', 'counter', 0.001],
  ['node_disk_io_now', 'gauge', 1],
  ['node_disk_io_time_seconds_total', 'counter', 0.001],
  ['node_disk_io_time_weighted_seconds_total', 'counter', 0.001],
  ['node_disk_discards_completed_total', 'counter', 1],
  ['node_disk_discards_merged_total', 'counter', 1],
  ['node_disk_discarded_sectors_total', 'counter', 1],
  ['node_disk_discard_time_seconds_total', 'counter', 0.001],
  ['node_disk_flush_requests_total', 'counter', 1],
  ['node_disk_flush_requests_time_seconds_total', 'counter', 0.001],
];

export function parseDiskstats(lines: readonly string[]): Parsed {
  const series: RawSeries[] = [];
  const problems: string[] = [];
  lines.forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/);
    if (fields.length === 1 && fields[0] === '') return;
    const device = fields[2];
    if (device && IGNORED_DISK.test(device)) return;
    // 2.6-era kernels printed partitions with 4 counters only; not enough for I/O rates.
    if (fields.length < 14 || !device) {
      problems.push(`diskstats: line ${index + 1} (${device ?? '?'}) has ${fields.length} fields, expected at least 14`);
      return;
    }
    const values = fields.slice(3).map(Number);
    if (values.some((v) => !Number.isFinite(v))) {
      problems.push(`diskstats: line ${index + 1} (${device}) has a non-numeric field`);
      return;
    }
    values.forEach((v, i) => {
      const spec = DISK_FIELDS[i];
      if (spec) series.push({ name: spec[0], labels: { device }, value: v * spec[2], kind: spec[1] });
    });
  });
  return { value: series, problems };
}

// /proc/net/dev columns (net/core/net-procfs.c, dev_seq_printf_stats), in
// node_exporter's names.


/** node_exporter's series name for each NetDevCounters.values index. */
export const NET_SERIES_NAMES: readonly string[] = NET_FIELDS.map((f) => `node_network_${f}_total`);

/**
 * /proc/net/dev → each interface's counters, split on whitespace by hand:
 * the console reads one of these per container every sample.
 */
export function parseNetDevCounters(lines: readonly string[]): Parsed<NetDevCounters[]> {
  const out: NetDevCounters[] = [];
  const problems: string[] = [];
  lines.forEach((raw, index) => {
    if (raw.includes('|')) return; // the two header lines
    if (raw.trim() === '') return;
    // Interface names cannot contain ':' (net/core/dev.c dev_valid_name), and
    // old kernels print large byte counts right after it with no space.
    const colon = raw.indexOf(':');
    const device = colon > 0 ? raw.slice(0, colon).trim() : '';
    const values: number[] = [];
    let numeric = true;
    if (colon > 0) {
      let i = colon + 1;
      while (i < raw.length) {
        while (i < raw.length && (raw.charCodeAt(i) === 32 || raw.charCodeAt(i) === 9)) i++;
        if (i >= raw.length) break;
        const start = i;
        while (i < raw.length && raw.charCodeAt(i) !== 32 && raw.charCodeAt(i) !== 9) i++;
        if (values.length < NET_FIELDS.length) {
          const v = Number(raw.slice(start, i));
          if (!Number.isFinite(v)) numeric = false;
          values.push(v);
        } else values.push(0);
      }
    }
    if (!device || values.length < NET_FIELDS.length) {
      problems.push(`net/dev: line ${index + 1} (${device || '?'}) has ${values.length} counters, expected ${NET_FIELDS.length}`);
      return;
    }
    if (!numeric) {
      problems.push(`net/dev: line ${index + 1} (${device}) has a non-numeric field`);
      return;
    }
    values.length = NET_FIELDS.length;
    out.push({ device, values });
  });
  return { value: out, problems };
}

export function parseNetDev(lines: readonly string[]): Parsed {
  const { value, problems } = parseNetDevCounters(lines);
  const series: RawSeries[] = [];
  for (const { device, values } of value) {
    values.forEach((v, i) => series.push({ name: NET_SERIES_NAMES[i]!, labels: { device }, value: v, kind: 'counter' }));
  }
  return { value: series, problems };
}
