// The metric catalogue: every series name the core stores or exports, with its
// unit (the renderer humanises by unit) and help text (the exporter's # HELP).
//
// Two families:
// - raw names follow node_exporter exactly (counters end in _total), so
//   `overlook snapshot --format prom` and the /metrics exporter can be scraped
//   by dashboards built for node_exporter, with an extra `host` label;
// - derived names use the Prometheus recording-rule convention
//   `level:metric:operation` (https://prometheus.io/docs/practices/rules/):
//   per-second rates of counters and host-level aggregates. These are what the
//   store keeps, what charts draw and what alerts evaluate.
// Pure TypeScript: no Node, no DOM.

export const METRIC_UNITS = [
  'ratio', // 0..1, shown as percent
  'cores', // CPUs' worth of time per second, shown as top does: 150 % is one and a half cores
  'bytes',
  'bytes_per_second',
  'per_second',
  'seconds',
  'celsius',
  'count',
  'load',
  'timestamp_seconds',
] as const;
export type MetricUnit = (typeof METRIC_UNITS)[number];

export interface MetricInfo {
  readonly unit: MetricUnit;
  readonly help: string;
}

/** Derived (stored) series. Keys are series names. */
export const derivedMetrics = {
  'host:cpu_usage:ratio': { unit: 'ratio', help: 'Share of all CPUs busy (not idle, not iowait)' },
  'host:cpu_mode:ratio': { unit: 'ratio', help: 'Share of all CPU time spent in each mode (label mode)' },
  'host:cpu_core_usage:ratio': { unit: 'ratio', help: 'Share of one CPU busy (label cpu)' },
  'host:cpu_count:count': { unit: 'count', help: 'Number of logical CPUs' },
  'host:memory_used:bytes': { unit: 'bytes', help: 'Memory in use: MemTotal minus MemAvailable' },
  'host:memory_used:ratio': { unit: 'ratio', help: 'Memory in use as a share of MemTotal' },
  'host:swap_used:bytes': { unit: 'bytes', help: 'Swap in use: SwapTotal minus SwapFree' },
  'host:filesystem_used:ratio': {
    unit: 'ratio',
    help: 'Share of a filesystem in use, as df computes it: used / (used + available to unprivileged users)',
  },
  'host:filesystem_fullest_used:ratio': { unit: 'ratio', help: 'The fullest filesystem on the host' },
  'host:disk_read_bytes:rate': { unit: 'bytes_per_second', help: 'Bytes read per second, all disks' },
  'host:disk_written_bytes:rate': { unit: 'bytes_per_second', help: 'Bytes written per second, all disks' },
  'host:network_receive_bytes:rate': { unit: 'bytes_per_second', help: 'Bytes received per second, all interfaces but loopback' },
  'host:network_transmit_bytes:rate': { unit: 'bytes_per_second', help: 'Bytes sent per second, all interfaces but loopback' },
  'host:uptime:seconds': { unit: 'seconds', help: 'Seconds since the host booted' },
  'host:tcp_retransmits:rate': { unit: 'per_second', help: 'TCP segments retransmitted per second (Tcp RetransSegs)' },
  'host:pressure_waiting:ratio': {
    unit: 'ratio',
    help: 'Share of time some tasks waited for the resource (label resource: cpu, io, memory), from pressure stall information',
  },
  'node_disk_read_bytes:rate': { unit: 'bytes_per_second', help: 'Bytes read per second (label device)' },
  'node_disk_written_bytes:rate': { unit: 'bytes_per_second', help: 'Bytes written per second (label device)' },
  'node_disk_reads_completed:rate': { unit: 'per_second', help: 'Reads completed per second (label device)' },
  'node_disk_writes_completed:rate': { unit: 'per_second', help: 'Writes completed per second (label device)' },
  'node_disk_io_time_seconds:rate': { unit: 'ratio', help: 'Share of time the device was busy (utilisation)' },
  'node_network_receive_bytes:rate': { unit: 'bytes_per_second', help: 'Bytes received per second (label device)' },
  'node_network_transmit_bytes:rate': { unit: 'bytes_per_second', help: 'Bytes sent per second (label device)' },
  'node_network_receive_packets:rate': { unit: 'per_second', help: 'Packets received per second' },
  'node_network_transmit_packets:rate': { unit: 'per_second', help: 'Packets sent per second' },
  'node_network_receive_errs:rate': { unit: 'per_second', help: 'Receive errors per second' },
  'node_network_transmit_errs:rate': { unit: 'per_second', help: 'Transmit errors per second' },
  'node_network_receive_drop:rate': { unit: 'per_second', help: 'Received packets dropped per second' },
  'node_network_transmit_drop:rate': { unit: 'per_second', help: 'Transmitted packets dropped per second' },
} as const satisfies Record<string, MetricInfo>;

/** Raw series, named as node_exporter names them. Gauges among them are also stored as they are. */
export const rawMetrics = {
  node_cpu_seconds_total: { unit: 'seconds', help: 'Seconds the CPUs spent in each mode.' },
  node_load1: { unit: 'load', help: '1m load average.' },
  node_load5: { unit: 'load', help: '5m load average.' },
  node_load15: { unit: 'load', help: '15m load average.' },
  node_memory_MemTotal_bytes: { unit: 'bytes', help: 'Memory information field MemTotal_bytes.' },
  node_memory_MemFree_bytes: { unit: 'bytes', help: 'Memory information field MemFree_bytes.' },
  node_memory_MemAvailable_bytes: { unit: 'bytes', help: 'Memory information field MemAvailable_bytes.' },
  node_memory_Buffers_bytes: { unit: 'bytes', help: 'Memory information field Buffers_bytes.' },
  node_memory_Cached_bytes: { unit: 'bytes', help: 'Memory information field Cached_bytes.' },
  node_memory_SwapTotal_bytes: { unit: 'bytes', help: 'Memory information field SwapTotal_bytes.' },
  node_memory_SwapFree_bytes: { unit: 'bytes', help: 'Memory information field SwapFree_bytes.' },
  node_filesystem_size_bytes: { unit: 'bytes', help: 'Filesystem size in bytes.' },
  node_filesystem_free_bytes: { unit: 'bytes', help: 'Filesystem free space in bytes.' },
  node_filesystem_avail_bytes: { unit: 'bytes', help: 'Filesystem space available to non-root users in bytes.' },
  node_filesystem_files: { unit: 'count', help: 'Filesystem total file nodes.' },
  node_filesystem_files_free: { unit: 'count', help: 'Filesystem total free file nodes.' },
  node_disk_read_bytes_total: { unit: 'bytes', help: 'The total number of bytes read successfully.' },
  node_disk_written_bytes_total: { unit: 'bytes', help: 'The total number of bytes written successfully.' },
  node_disk_reads_completed_total: { unit: 'count', help: 'The total number of reads completed successfully.' },
  node_disk_writes_completed_total: { unit: 'count', help: 'The total number of writes completed successfully.' },
  node_disk_io_time_seconds_total: { unit: 'seconds', help: 'Total seconds spent doing I/Os.' },
  node_network_receive_bytes_total: { unit: 'bytes', help: 'Network device statistic receive_bytes.' },
  node_network_transmit_bytes_total: { unit: 'bytes', help: 'Network device statistic transmit_bytes.' },
  node_network_receive_packets_total: { unit: 'count', help: 'Network device statistic receive_packets.' },
  node_network_transmit_packets_total: { unit: 'count', help: 'Network device statistic transmit_packets.' },
  node_network_receive_errs_total: { unit: 'count', help: 'Network device statistic receive_errs.' },
  node_network_transmit_errs_total: { unit: 'count', help: 'Network device statistic transmit_errs.' },
  node_network_receive_drop_total: { unit: 'count', help: 'Network device statistic receive_drop.' },
  node_network_transmit_drop_total: { unit: 'count', help: 'Network device statistic transmit_drop.' },
  node_boot_time_seconds: { unit: 'timestamp_seconds', help: 'Node boot time, in unixtime.' },
  node_sockstat_sockets_used: { unit: 'count', help: 'Number of sockets in use.' },
  node_sockstat_TCP_tw: { unit: 'count', help: 'Number of TCP sockets in state TIME-WAIT.' },
  node_netstat_Tcp_CurrEstab: { unit: 'count', help: 'TCP connections in state ESTABLISHED or CLOSE-WAIT (Tcp CurrEstab).' },
  node_filefd_allocated: { unit: 'count', help: 'File descriptor statistics: allocated.' },
  node_hwmon_temp_celsius: { unit: 'celsius', help: 'Hardware monitor for temperature (input).' },
  node_thermal_zone_temp: { unit: 'celsius', help: 'Zone temperature in Celsius' },
} as const satisfies Record<string, MetricInfo>;

// ---------------------------------------------------------------- containers
// Raw names follow cAdvisor (google/cadvisor metrics/prometheus.go), so
// dashboards and alert rules written for cAdvisor read them; derived ones
// are recording-rule style at the `container` level. Every container series
// carries `container` (Kubernetes container name, else engine name, else the
// short id), and `image`, `namespace`, `pod` where known, besides `host`.

/** What the core stores for each container and what its charts, Top-K and alerts use. */
export const containerDerivedMetrics = {
  'container:cpu_usage:cores': { unit: 'cores', help: 'CPU used by the container, in cores (1 = one full CPU)' },
  'container:cpu_limit:cores': { unit: 'cores', help: 'CPU limit of the container (CFS quota / period), in cores; absent when unlimited' },
  'container:cpu_throttled:ratio': { unit: 'ratio', help: 'Share of CFS periods in which the container was throttled' },
  'container:cpu_throttled_seconds:rate': { unit: 'cores', help: 'Time the container spent throttled, per second' },
  'container:memory_limit_used:ratio': { unit: 'ratio', help: 'Working set as a share of the memory limit; absent when unlimited' },
  'container:fs_read_bytes:rate': { unit: 'bytes_per_second', help: 'Block I/O bytes read per second, all devices' },
  'container:fs_write_bytes:rate': { unit: 'bytes_per_second', help: 'Block I/O bytes written per second, all devices' },
  'container:fs_reads:rate': { unit: 'per_second', help: 'Block I/O reads per second, all devices' },
  'container:fs_writes:rate': { unit: 'per_second', help: 'Block I/O writes per second, all devices' },
  'container:network_receive_bytes:rate': { unit: 'bytes_per_second', help: 'Bytes received per second, all interfaces of the container but loopback' },
  'container:network_transmit_bytes:rate': { unit: 'bytes_per_second', help: 'Bytes sent per second, all interfaces of the container but loopback' },
} as const satisfies Record<string, MetricInfo>;

/** cAdvisor's names. The gauges among them are stored as they are, too. */
export const containerRawMetrics = {
  container_cpu_usage_seconds_total: { unit: 'seconds', help: 'Cumulative cpu time consumed in seconds.' },
  container_cpu_cfs_periods_total: { unit: 'count', help: 'Number of elapsed enforcement period intervals.' },
  container_cpu_cfs_throttled_periods_total: { unit: 'count', help: 'Number of throttled period intervals.' },
  container_cpu_cfs_throttled_seconds_total: { unit: 'seconds', help: 'Total time duration the container has been throttled.' },
  container_spec_cpu_quota: { unit: 'count', help: 'CPU quota of the container.' },
  container_spec_cpu_period: { unit: 'count', help: 'CPU period of the container.' },
  container_spec_cpu_shares: { unit: 'count', help: 'CPU share of the container.' },
  container_memory_usage_bytes: { unit: 'bytes', help: 'Current memory usage in bytes, including all memory regardless of when it was accessed.' },
  container_memory_working_set_bytes: { unit: 'bytes', help: 'Current working set in bytes.' },
  container_memory_rss: { unit: 'bytes', help: 'Size of RSS in bytes.' },
  container_memory_cache: { unit: 'bytes', help: 'Number of bytes of page cache memory.' },
  container_memory_max_usage_bytes: { unit: 'bytes', help: 'Maximum memory usage recorded in bytes.' },
  container_spec_memory_limit_bytes: { unit: 'bytes', help: 'Memory limit for the container.' },
  container_spec_memory_swap_limit_bytes: { unit: 'bytes', help: 'Memory swap limit for the container.' },
  container_spec_memory_reservation_limit_bytes: { unit: 'bytes', help: 'Memory reservation limit for the container.' },
  container_oom_events_total: { unit: 'count', help: 'Count of out of memory events observed for the container.' },
  container_threads: { unit: 'count', help: 'Number of threads running inside the container.' },
  container_threads_max: { unit: 'count', help: 'Maximum number of threads allowed inside the container, infinity if value is zero.' },
  container_fs_reads_bytes_total: { unit: 'bytes', help: 'Cumulative count of bytes read.' },
  container_fs_writes_bytes_total: { unit: 'bytes', help: 'Cumulative count of bytes written.' },
  container_fs_reads_total: { unit: 'count', help: 'Cumulative count of reads completed.' },
  container_fs_writes_total: { unit: 'count', help: 'Cumulative count of writes completed.' },
  container_network_receive_bytes_total: { unit: 'bytes', help: 'Cumulative count of bytes received.' },
  container_network_transmit_bytes_total: { unit: 'bytes', help: 'Cumulative count of bytes transmitted.' },
  container_network_receive_packets_total: { unit: 'count', help: 'Cumulative count of packets received.' },
  container_network_transmit_packets_total: { unit: 'count', help: 'Cumulative count of packets transmitted.' },
  container_network_receive_errors_total: { unit: 'count', help: 'Cumulative count of errors encountered while receiving.' },
  container_network_transmit_errors_total: { unit: 'count', help: 'Cumulative count of errors encountered while transmitting.' },
  container_network_receive_packets_dropped_total: { unit: 'count', help: 'Cumulative count of packets dropped while receiving.' },
  container_network_transmit_packets_dropped_total: { unit: 'count', help: 'Cumulative count of packets dropped while transmitting.' },
  container_start_time_seconds: { unit: 'timestamp_seconds', help: 'Start time of the container since unix epoch in seconds.' },
  container_last_seen: { unit: 'timestamp_seconds', help: 'Last time a container was seen by the exporter.' },
  machine_cpu_cores: { unit: 'count', help: 'Number of logical CPU cores.' },
  machine_memory_bytes: { unit: 'bytes', help: 'Amount of memory installed on the machine.' },
} as const satisfies Record<string, MetricInfo>;

export type DerivedMetricName = keyof typeof derivedMetrics;

/** A metric name as the rule editor's picker offers it. */
export interface MetricChoice {
  readonly name: string;
  readonly unit: MetricUnit;
  readonly help: string;
  /** Series stored under the name now (0: known to the catalogue, none stored yet). */
  readonly series: number;
  readonly lastT: number | null;
}

/**
 * The names a rule can be written on: every name the store holds, then the
 * catalogue's names it does not hold yet. Counters (`…_total`) are left out
 * of the latter: the store keeps their rates, never the counters themselves.
 */
export function metricChoices(stored: readonly { name: string; series: number; lastT?: number }[]): MetricChoice[] {
  const out = new Map<string, MetricChoice>();
  for (const s of stored) {
    const info = metricInfo(s.name);
    out.set(s.name, { name: s.name, unit: info?.unit ?? 'count', help: info?.help ?? '', series: s.series, lastT: s.lastT ?? null });
  }
  for (const table of [derivedMetrics, rawMetrics, containerDerivedMetrics, containerRawMetrics] as readonly Record<string, MetricInfo>[]) {
    for (const [name, info] of Object.entries(table)) {
      if (out.has(name) || name.endsWith('_total')) continue;
      out.set(name, { name, unit: info.unit, help: info.help, series: 0, lastT: null });
    }
  }
  return [...out.values()].sort((a, b) => (b.series > 0 ? 1 : 0) - (a.series > 0 ? 1 : 0) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
export type RawMetricName = keyof typeof rawMetrics;

export function metricInfo(name: string): MetricInfo | undefined {
  return (
    (derivedMetrics as Record<string, MetricInfo>)[name] ??
    (rawMetrics as Record<string, MetricInfo>)[name] ??
    (containerDerivedMetrics as Record<string, MetricInfo>)[name] ??
    (containerRawMetrics as Record<string, MetricInfo>)[name] ??
    cloudMetricInfo(name)
  );
}

// ---- cloud metrics: canonical names come from mapping files, which
// users extend, so their unit cannot be listed here. The mapping loader
// requires the name to end in its unit (Prometheus naming practice,
// https://prometheus.io/docs/practices/naming/), which lets every layer read
// the unit from the name alone.
export const CLOUD_METRIC_PREFIX = 'cloud_';

const CLOUD_UNIT_SUFFIXES: readonly (readonly [string, MetricUnit])[] = [
  ['_bytes_per_second', 'bytes_per_second'],
  ['_per_second', 'per_second'],
  ['_ratio', 'ratio'],
  ['_bytes', 'bytes'],
  ['_seconds', 'seconds'],
  ['_celsius', 'celsius'],
];

/** The unit a cloud metric's name declares by its suffix; `count` when it ends in none of them. */
export function cloudMetricUnit(name: string): MetricUnit {
  for (const [suffix, unit] of CLOUD_UNIT_SUFFIXES) if (name.endsWith(suffix)) return unit;
  return 'count';
}

function cloudMetricInfo(name: string): MetricInfo | undefined {
  if (!name.startsWith(CLOUD_METRIC_PREFIX)) return undefined;
  return { unit: cloudMetricUnit(name), help: name.slice(CLOUD_METRIC_PREFIX.length).replace(/_/g, ' ') };
}
