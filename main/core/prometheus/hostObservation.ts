// Prometheus samples from a host that speaks Prometheus (its node_exporter
// scraped, or its series pushed by remote write) → the same HostObservation
// the agent fills, so derivation, the store, alerts, Top-K and /metrics
// treat it as any other host. The agent already names its series as
// node_exporter does (main/common/metrics.ts), so this is selection and label
// handling: node_* series without the target's labels (instance, job, and
// any a scraper or sender added), the same disks and filesystems the agent
// leaves out, facts from node_uname_info / node_os_info, uptime from
// node_time_seconds − node_boot_time_seconds (the host's own clock, so rates
// do not depend on when the numbers reached the console). cAdvisor's
// container_* series become the host's containers. node_exporter lists no
// processes: such a host has none (the UI says processes need the agent).
// Pure.
import type { RawSeries, SeriesKind } from '../../common/series.js';
import type { ContainerCgroupStats, ContainerMeta, ContainerObservation, RawContainer } from '../model/containers.js';
import { NET_FIELDS, type NetDevCounters } from '../model/netDev.js';
import type { HostFacts, HostObservation } from '../model/observation.js';
import { parseContainerCgroupPath } from '../parse/cgroups/containerPaths.js';
import { IGNORED_DISK } from '../parse/devices.js';
import { isReportedFilesystem } from '../parse/filesystems.js';

/** One sample as a scrape or a remote-write request carries it. */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * Families node_exporter exports without a label of its own: any label they
 * carry was added on the way (the scraper's `instance` and `job`, a relabel
 * rule, a Prometheus agent's external_labels) and is the target's, not the
 * series', so it is dropped from every series of the host.
 */
const LABELLESS_FAMILIES: ReadonlySet<string> = new Set(['node_load1', 'node_time_seconds', 'node_boot_time_seconds', 'node_memory_MemTotal_bytes']);

/** Labels a scrape adds to every series (Prometheus configuration docs, "scrape_config": instance and job). */
const TARGET_LABELS: readonly string[] = ['instance', 'job'];

/** node_exporter's own health, not the host's. */
const EXPORTER_SELF = /^node_(?:scrape_collector_|exporter_build_info$|textfile_scrape_error$)/;

/** The label names that belong to the target rather than to the series: instance, job and whatever the label-less families carry. */
export function targetLabelNames(samples: Iterable<PromSample>, extra: readonly string[] = []): Set<string> {
  const names = new Set<string>([...TARGET_LABELS, ...extra]);
  for (const s of samples) if (LABELLESS_FAMILIES.has(s.name)) for (const name of Object.keys(s.labels)) names.add(name);
  return names;
}

function withoutLabels(labels: Readonly<Record<string, string>>, drop: ReadonlySet<string>): Readonly<Record<string, string>> {
  let out: Record<string, string> | undefined;
  for (const name in labels) {
    if (drop.has(name)) {
      out ??= { ...labels };
      delete out[name];
    }
  }
  return out ?? labels;
}

/** Counters by the naming convention node_exporter follows (`_total`), or by the exposition's TYPE when there is one. */
function kindOf(name: string, types?: ReadonlyMap<string, string>): SeriesKind {
  const type = types?.get(name) ?? types?.get(name.replace(/_total$/, ''));
  if (type === 'counter') return 'counter';
  if (type === 'gauge') return 'gauge';
  return name.endsWith('_total') ? 'counter' : 'gauge';
}

export interface NodeExporterMapping {
  /** When the numbers were taken (the scrape, or the pushed samples' timestamp), ms since the epoch. */
  readonly t: number;
  /** `# TYPE` lines of a scrape; remote write carries none (the `_total` convention decides). */
  readonly types?: ReadonlyMap<string, string>;
  /** Labels to drop besides the target's (the receiver's host label when it is not `instance`). */
  readonly dropLabels?: readonly string[];
  /** Problems the transport found (lines the text parser skipped), carried to the observation. */
  readonly problems?: readonly string[];
}

/**
 * A host's node_exporter samples (and any cAdvisor samples of the same host)
 * as one observation. Samples of other families are ignored.
 */
export function observationFromSamples(samples: readonly PromSample[], mapping: NodeExporterMapping): HostObservation {
  const drop = targetLabelNames(samples, mapping.dropLabels);
  const series: RawSeries[] = [];
  const cpus = new Set<string>();
  let uname: Readonly<Record<string, string>> | undefined;
  let osInfo: Readonly<Record<string, string>> | undefined;
  let bootTime: number | undefined;
  let hostTime: number | undefined;
  const containerSamples: PromSample[] = [];
  for (const s of samples) {
    if (s.name.startsWith('container_')) {
      containerSamples.push(s);
      continue;
    }
    if (!s.name.startsWith('node_') || EXPORTER_SELF.test(s.name)) continue;
    const labels = withoutLabels(s.labels, drop);
    if (s.name === 'node_uname_info') uname = labels;
    else if (s.name === 'node_os_info') osInfo = labels;
    else if (s.name === 'node_boot_time_seconds') bootTime = s.value;
    else if (s.name === 'node_time_seconds') hostTime = s.value;
    // The disks and filesystems the agent leaves out (parse/devices.ts, parse/filesystems.ts), so both kinds of host agree.
    if (s.name.startsWith('node_disk_') && labels.device !== undefined && IGNORED_DISK.test(labels.device)) continue;
    if (s.name.startsWith('node_filesystem_') && !isReportedFilesystem(labels.fstype ?? '', labels.mountpoint ?? '')) continue;
    if (s.name === 'node_cpu_seconds_total' && labels.cpu !== undefined) cpus.add(labels.cpu);
    series.push({ name: s.name, labels, value: s.value, kind: kindOf(s.name, mapping.types) });
  }
  const facts: HostFacts = {
    ...(uname?.nodename ? { hostname: uname.nodename } : {}),
    ...(uname?.release ? { kernel: uname.release } : {}),
    ...(osInfo?.pretty_name || osInfo?.name ? { os: osInfo.pretty_name || osInfo.name } : {}),
    ...(uname?.machine ? { arch: uname.machine } : {}),
    ...(cpus.size > 0 ? { cpus: cpus.size } : {}),
    ...(uname?.sysname ? { platform: platformOf(uname.sysname) } : {}),
  };
  const uptime = hostTime !== undefined && bootTime !== undefined && Number.isFinite(hostTime - bootTime) && hostTime > bootTime ? hostTime - bootTime : undefined;
  const containers = containerSamples.length ? containersFromCadvisor(containerSamples, drop, mapping.t) : undefined;
  return {
    t: mapping.t,
    ...(uptime !== undefined ? { monotonicSeconds: uptime } : {}),
    series,
    processes: [],
    facts,
    problems: [...(mapping.problems ?? [])],
    ...(containers ? { containers } : {}),
  };
}

/** uname -s → Node's platform names, which the UI uses to say why series are absent. */
function platformOf(sysname: string): string {
  const lower = sysname.toLowerCase();
  if (lower === 'linux') return 'linux';
  if (lower === 'darwin') return 'darwin';
  if (lower.includes('bsd')) return lower;
  return lower;
}

// ---------------------------------------------------------------- cAdvisor

/** cAdvisor's container_* gauges and counters → the fields the agent fills from cgroup files (google/cadvisor metrics/prometheus.go). */
const CADVISOR_STATS: ReadonlyArray<readonly [name: string, field: keyof ContainerCgroupStats]> = [
  ['container_cpu_usage_seconds_total', 'cpuUsageSeconds'],
  ['container_cpu_cfs_periods_total', 'cpuPeriods'],
  ['container_cpu_cfs_throttled_periods_total', 'cpuThrottledPeriods'],
  ['container_cpu_cfs_throttled_seconds_total', 'cpuThrottledSeconds'],
  ['container_spec_cpu_quota', 'cpuQuotaMicros'],
  ['container_spec_cpu_period', 'cpuPeriodMicros'],
  ['container_spec_cpu_shares', 'cpuShares'],
  ['container_memory_usage_bytes', 'memoryUsageBytes'],
  ['container_memory_working_set_bytes', 'memoryWorkingSetBytes'],
  ['container_memory_rss', 'memoryRssBytes'],
  ['container_memory_cache', 'memoryCacheBytes'],
  ['container_memory_max_usage_bytes', 'memoryPeakBytes'],
  ['container_spec_memory_limit_bytes', 'memoryLimitBytes'],
  ['container_spec_memory_swap_limit_bytes', 'memorySwapLimitBytes'],
  ['container_spec_memory_reservation_limit_bytes', 'memoryReservationBytes'],
  ['container_oom_events_total', 'oomKills'],
  ['container_threads', 'tasks'],
  ['container_threads_max', 'tasksLimit'],
];
const STAT_OF = new Map(CADVISOR_STATS) as ReadonlyMap<string, Exclude<keyof ContainerCgroupStats, 'ioDevices'>>;

const BLOCK_IO: Readonly<Record<string, 'readBytes' | 'writeBytes' | 'reads' | 'writes'>> = {
  container_fs_reads_bytes_total: 'readBytes',
  container_fs_writes_bytes_total: 'writeBytes',
  container_fs_reads_total: 'reads',
  container_fs_writes_total: 'writes',
};

/** cAdvisor's network names → the /proc/net/dev field each one is (model/netDev.ts NET_FIELDS). */
const NETWORK_FIELD: Readonly<Record<string, number>> = {
  container_network_receive_bytes_total: NET_FIELDS.indexOf('receive_bytes'),
  container_network_receive_packets_total: NET_FIELDS.indexOf('receive_packets'),
  container_network_receive_errors_total: NET_FIELDS.indexOf('receive_errs'),
  container_network_receive_packets_dropped_total: NET_FIELDS.indexOf('receive_drop'),
  container_network_transmit_bytes_total: NET_FIELDS.indexOf('transmit_bytes'),
  container_network_transmit_packets_total: NET_FIELDS.indexOf('transmit_packets'),
  container_network_transmit_errors_total: NET_FIELDS.indexOf('transmit_errs'),
  container_network_transmit_packets_dropped_total: NET_FIELDS.indexOf('transmit_drop'),
};

interface ContainerAccumulator {
  stats: { -readonly [K in Exclude<keyof ContainerCgroupStats, 'ioDevices'>]?: number };
  io?: { readBytes: number; writeBytes: number; reads: number; writes: number };
  network: Map<string, number[]>;
  labels: Record<string, string>;
  ref: NonNullable<ReturnType<typeof parseContainerCgroupPath>>;
  startedAt?: number;
}

/**
 * cAdvisor's series of one host → its containers. A container is a cgroup
 * (the `id` label) whose path names a container runtime, as the agent
 * recognises them (parse/cgroups/containerPaths.ts); cAdvisor's other
 * cgroups (the root, system slices) are not containers. Names, images and
 * Kubernetes labels come from cAdvisor's own labels: `name`, `image`,
 * `container`/`pod`/`namespace` (the kubelet's) or `container_label_*`
 * (standalone cAdvisor's copy of the engine's labels).
 */
export function containersFromCadvisor(samples: readonly PromSample[], drop: ReadonlySet<string>, t: number): ContainerObservation | undefined {
  const byId = new Map<string, ContainerAccumulator>();
  for (const s of samples) {
    const path = s.labels.id;
    if (!path || !Number.isFinite(s.value)) continue;
    let acc = byId.get(path);
    if (!acc) {
      const ref = parseContainerCgroupPath(path);
      // Sub-cgroups of a container resolve to the container's own path; only its own series count.
      if (!ref || ref.cgroupPath !== path) continue;
      acc = { stats: {}, network: new Map(), labels: {}, ref };
      byId.set(path, acc);
    }
    const labels = withoutLabels(s.labels, drop);
    for (const key of ['name', 'image', 'container', 'pod', 'namespace'] as const) if (labels[key] && !acc.labels[key]) acc.labels[key] = labels[key]!;
    for (const [k, v] of Object.entries(labels)) if (k.startsWith('container_label_') && v !== '') acc.labels[k] = v;
    const field = STAT_OF.get(s.name);
    if (field) {
      // container_cpu_usage_seconds_total is per CPU in old cAdvisors (`cpu="cpu00"`…) and `cpu="total"` in newer ones: sum the per-CPU ones.
      if (field === 'cpuUsageSeconds' && labels.cpu !== undefined && labels.cpu !== 'total') acc.stats.cpuUsageSeconds = (acc.stats.cpuUsageSeconds ?? 0) + s.value;
      else acc.stats[field] = s.value;
      continue;
    }
    const io = BLOCK_IO[s.name];
    if (io) {
      acc.io ??= { readBytes: 0, writeBytes: 0, reads: 0, writes: 0 };
      acc.io[io] += s.value;
      continue;
    }
    const netField = NETWORK_FIELD[s.name];
    if (netField !== undefined && labels.interface) {
      const values = acc.network.get(labels.interface) ?? new Array<number>(NET_FIELDS.length).fill(0);
      values[netField] = s.value;
      acc.network.set(labels.interface, values);
      continue;
    }
    if (s.name === 'container_start_time_seconds') acc.startedAt = s.value * 1000;
  }
  if (byId.size === 0) return undefined;
  const cgroups: RawContainer[] = [];
  const metas: ContainerMeta[] = [];
  for (const [path, acc] of byId) {
    const stats: ContainerCgroupStats = { ...acc.stats };
    // cAdvisor writes 0 (or the page-rounded maximum) for "no limit"; the model leaves the limit out.
    if (stats.memoryLimitBytes !== undefined && (stats.memoryLimitBytes <= 0 || stats.memoryLimitBytes >= 2 ** 62)) delete (stats as { memoryLimitBytes?: number }).memoryLimitBytes;
    if (stats.tasksLimit !== undefined && stats.tasksLimit <= 0) delete (stats as { tasksLimit?: number }).tasksLimit;
    const quota = stats.cpuQuotaMicros;
    const period = stats.cpuPeriodMicros;
    const cpuLimitCores = quota !== undefined && period !== undefined && quota > 0 && period > 0 ? quota / period : undefined;
    const network: NetDevCounters[] = [...acc.network].map(([device, values]) => ({ device, values }));
    cgroups.push({
      id: acc.ref.id,
      runtime: acc.ref.runtime,
      cgroupPath: path,
      driver: acc.ref.driver,
      ...(acc.ref.podUid ? { podUid: acc.ref.podUid } : {}),
      ...(acc.ref.qos ? { qos: acc.ref.qos } : {}),
      stats: cpuLimitCores !== undefined ? { ...stats, cpuLimitCores } : stats,
      ...(cpuLimitCores !== undefined ? { cpuLimitCores } : {}),
      ...(acc.io ? { blockIo: acc.io } : {}),
      ...(network.length ? { network } : {}),
    });
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(acc.labels)) if (k.startsWith('container_label_')) labels[k.slice('container_label_'.length).replace(/_/g, '.')] = v;
    // The kubelet's cAdvisor names pods and containers in labels of its own.
    if (acc.labels.pod) labels['io.kubernetes.pod.name'] = acc.labels.pod;
    if (acc.labels.namespace) labels['io.kubernetes.pod.namespace'] = acc.labels.namespace;
    if (acc.labels.container) labels['io.kubernetes.container.name'] = acc.labels.container;
    const name = acc.labels.name ?? acc.labels.container;
    if (name || acc.labels.image) {
      metas.push({
        id: acc.ref.id,
        name: name ?? acc.ref.id.slice(0, 12),
        ...(acc.labels.image ? { image: acc.labels.image } : {}),
        state: 'running',
        labels,
        ...(acc.startedAt !== undefined ? { startedAt: acc.startedAt } : {}),
      });
    }
  }
  const drivers = new Set(cgroups.map((c) => c.driver));
  return {
    layout: { mode: 'none', driver: drivers.size === 1 ? [...drivers][0]! : 'unknown' },
    cgroups,
    networkByPid: {},
    engine: { engine: null, via: null, target: 'cAdvisor', containers: metas, at: t },
  };
}
