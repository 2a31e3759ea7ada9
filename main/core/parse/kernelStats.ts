// The small /proc files node_exporter's default Linux collectors read besides
// stat, meminfo and the devices: vmstat, filefd, entropy, pressure (PSI),
// conntrack, softnet and uname. Each parser is pure (lines in, raw series
// with node_exporter's names, labels and units out); a line that cannot be
// read becomes a problem and the rest still counts.
import type { RawSeries } from '../../common/series.js';
import type { Parsed } from './procfs.js';

function num(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

const gauge = (name: string, value: number, labels: RawSeries['labels'] = {}): RawSeries => ({ name, labels, value, kind: 'gauge' });
const counter = (name: string, value: number, labels: RawSeries['labels'] = {}): RawSeries => ({ name, labels, value, kind: 'counter' });

/**
 * node_exporter's default --collector.vmstat.fields. node_exporter exports
 * these as untyped; they are exported here as gauges (Prometheus stores
 * untyped samples as gauges, and the names have no _total a counter needs).
 */
export const VMSTAT_FIELDS = /^(oom_kill|pgpg|pswp|pg.*fault).*/;

/** /proc/vmstat: "name value" per line (mm/vmstat.c vmstat_show). */
export function parseVmstat(lines: readonly string[]): Parsed {
  const series: RawSeries[] = [];
  const problems: string[] = [];
  for (const raw of lines) {
    const space = raw.indexOf(' ');
    if (space <= 0) {
      if (raw.trim() !== '') problems.push(`vmstat: cannot read "${raw.slice(0, 80)}"`);
      continue;
    }
    const field = raw.slice(0, space);
    if (!VMSTAT_FIELDS.test(field)) continue;
    const v = num(raw.slice(space + 1).trim());
    if (v === undefined || !/^\w+$/.test(field)) problems.push(`vmstat: cannot read "${raw.slice(0, 80)}"`);
    else series.push(gauge(`node_vmstat_${field}`, v));
  }
  return { value: series, problems };
}

/**
 * /proc/sys/fs/file-nr: allocated handles, allocated but unused (always 0
 * since 2.6), and the maximum (Documentation/admin-guide/sysctl/fs.rst).
 */
export function parseFileNr(lines: readonly string[]): Parsed {
  const f = (lines[0] ?? '').trim().split(/\s+/);
  const allocated = num(f[0]);
  const maximum = num(f[2]);
  if (allocated === undefined || maximum === undefined) return { value: [], problems: [`file-nr: cannot read "${lines[0] ?? ''}"`] };
  return { value: [gauge('node_filefd_allocated', allocated), gauge('node_filefd_maximum', maximum)], problems: [] };
}

/** A file holding one number (entropy_avail, poolsize, nf_conntrack_count/max). */
export function parseSingleValue(file: string, name: string, lines: readonly string[]): Parsed {
  const v = num((lines[0] ?? '').trim());
  return v === undefined ? { value: [], problems: [`${file}: cannot read "${lines[0] ?? ''}"`] } : { value: [gauge(name, v)], problems: [] };
}

/** node_exporter's pressure series per /proc/pressure file: the "some" line's, and the "full" line's (none for cpu). */
const PRESSURE: Readonly<Record<string, { some: string; full?: string }>> = {
  cpu: { some: 'node_pressure_cpu_waiting_seconds_total' },
  io: { some: 'node_pressure_io_waiting_seconds_total', full: 'node_pressure_io_stalled_seconds_total' },
  memory: { some: 'node_pressure_memory_waiting_seconds_total', full: 'node_pressure_memory_stalled_seconds_total' },
};

/**
 * /proc/pressure/{cpu,io,memory} (Documentation/accounting/psi.rst):
 * "some avg10=… avg60=… avg300=… total=MICROSECONDS" and a "full" line.
 * The totals are the kernel's counters in µs, exported in seconds. Since
 * 5.13 cpu has a "full" line too, which node_exporter leaves out.
 */
export function parsePressure(resource: string, lines: readonly string[]): Parsed {
  const names = PRESSURE[resource];
  if (!names) return { value: [], problems: [] };
  const series: RawSeries[] = [];
  const problems: string[] = [];
  for (const raw of lines) {
    if (raw.trim() === '') continue;
    const m = /^(some|full)\s.*\btotal=(\d+)\s*$/.exec(raw);
    if (!m) {
      problems.push(`pressure/${resource}: cannot read "${raw.slice(0, 80)}"`);
      continue;
    }
    const name = m[1] === 'some' ? names.some : names.full;
    // µs → s as node_exporter computes it (two divisions by 1000: the same float).
    if (name) series.push(counter(name, Number(m[2]) / 1000 / 1000));
  }
  return { value: series, problems };
}

// /proc/net/softnet_stat columns, hexadecimal (net/core/net-procfs.c,
// softnet_seq_show): processed, dropped, time_squeeze, five zeros, cpu_collision,
// received_rps, flow_limit_count, and since 5.10 backlog length and the CPU's id.
const SOFTNET: ReadonlyArray<readonly [column: number, name: string]> = [
  [0, 'node_softnet_processed_total'],
  [1, 'node_softnet_dropped_total'],
  [2, 'node_softnet_times_squeezed_total'],
  [8, 'node_softnet_cpu_collision_total'],
  [9, 'node_softnet_received_rps_total'],
  [10, 'node_softnet_flow_limit_count_total'],
];
const SOFTNET_CPU_COLUMN = 12;

/** /proc/net/softnet_stat: a line per online CPU, labelled {cpu} by its id column, or its line number on older kernels. */
export function parseSoftnet(lines: readonly string[]): Parsed {
  const series: RawSeries[] = [];
  const problems: string[] = [];
  let index = 0;
  for (const raw of lines) {
    const f = raw.trim().split(/\s+/);
    if (f.length === 1 && f[0] === '') continue;
    const line = index++;
    if (f.length < 11 || f.some((h) => !/^[0-9a-f]+$/i.test(h))) {
      problems.push(`softnet_stat: line ${line + 1} has ${f.length} fields or a non-hex one, expected at least 11 hex fields`);
      continue;
    }
    const cpu = String(f.length > SOFTNET_CPU_COLUMN ? parseInt(f[SOFTNET_CPU_COLUMN]!, 16) : line);
    for (const [column, name] of SOFTNET) series.push(counter(name, parseInt(f[column]!, 16), { cpu }));
  }
  return { value: series, problems };
}

export interface UnameFiles {
  readonly sysname?: string;
  readonly release?: string;
  readonly version?: string;
  readonly machine?: string;
  readonly nodename?: string;
  readonly domainname?: string;
}

/**
 * node_uname_info: uname(2)'s fields, which the kernel also shows in
 * /proc/sys/kernel/{ostype,osrelease,version,hostname,domainname}
 * (kernel/utsname_sysctl.c); the machine is `uname -m`. Only when every
 * file came: a half-empty info series would be a different series.
 */
export function unameInfo(files: UnameFiles): RawSeries[] {
  const { sysname, release, version, machine, nodename, domainname } = files;
  if (sysname === undefined || release === undefined || version === undefined || machine === undefined || nodename === undefined || domainname === undefined) {
    return [];
  }
  return [gauge('node_uname_info', 1, { domainname, machine, nodename, release, sysname, version })];
}
