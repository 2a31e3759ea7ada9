// A host's container series for the /metrics exporter and `overlook snapshot
// --format prom`: the raw cAdvisor-named counters and gauges of every running
// container, with cAdvisor's labels (container, image, namespace, pod, plus
// `name` — the engine's name — and `id` — the cgroup path), and the network
// counters of each container's namespace per interface. Pure.
//
// hostContainerExportSeries adds what cAdvisor exports beside them and the
// Docker dashboards read (grafana.com 193, 893, 14282): container_last_seen
// per container and machine_cpu_cores / machine_memory_bytes per host
// (cAdvisor lib/metrics/prometheus.go, prometheus_machine.go).
import type { Labels, RawSeries } from '../../common/series.js';
import type { HostObservation } from '../model/observation.js';
import { NET_SERIES_NAMES } from '../parse/devices.js';
import type { ContainerObservation } from '../model/containers.js';
import { cgroupStatsToSeries } from '../parse/cgroups/cgroupStats.js';
import { containerIdentities } from '../derive/containerIdentity.js';

/** node_exporter's netdev names (NET_SERIES_NAMES) → cAdvisor's (container_network_*, label `interface`). */
const NETWORK_NAMES: Readonly<Record<string, string>> = {
  node_network_receive_bytes_total: 'container_network_receive_bytes_total',
  node_network_transmit_bytes_total: 'container_network_transmit_bytes_total',
  node_network_receive_packets_total: 'container_network_receive_packets_total',
  node_network_transmit_packets_total: 'container_network_transmit_packets_total',
  node_network_receive_errs_total: 'container_network_receive_errors_total',
  node_network_transmit_errs_total: 'container_network_transmit_errors_total',
  node_network_receive_drop_total: 'container_network_receive_packets_dropped_total',
  node_network_transmit_drop_total: 'container_network_transmit_packets_dropped_total',
};

interface ContainerExport {
  readonly series: RawSeries[];
  /** Each exported container's labels, in order. */
  readonly containers: Labels[];
}

const cache = new WeakMap<ContainerObservation, ContainerExport>();

export function containerExportSeries(obs: ContainerObservation | undefined): readonly RawSeries[] {
  return obs ? containerExport(obs).series : [];
}

function containerExport(obs: ContainerObservation): ContainerExport {
  const cached = cache.get(obs);
  if (cached) return cached;
  const out: RawSeries[] = [];
  const containers: Labels[] = [];
  for (const c of containerIdentities(obs)) {
    if (!c.cgroup) continue;
    const labels = { ...c.seriesLabels, name: c.name, id: c.cgroup.cgroupPath };
    containers.push(labels);
    for (const s of cgroupStatsToSeries(c.cgroup.stats)) out.push({ ...s, labels: { ...labels, ...s.labels } });
    if (c.startedAt !== undefined) out.push({ name: 'container_start_time_seconds', labels, value: c.startedAt / 1000, kind: 'gauge' });
    // cAdvisor leaves loopback out: it is not the container's network I/O.
    const network = c.cgroup.network ?? (c.pid !== undefined ? obs.networkByPid[String(c.pid)] : undefined);
    for (const { device, values } of network ?? []) {
      if (device === 'lo') continue;
      values.forEach((value, i) => {
        const name = NETWORK_NAMES[NET_SERIES_NAMES[i]!];
        if (name) out.push({ name, labels: { ...labels, interface: device }, value, kind: 'counter' });
      });
    }
  }
  const result = { series: out, containers };
  cache.set(obs, result);
  return result;
}

const hostCache = new WeakMap<HostObservation, readonly RawSeries[]>();

/**
 * A host's container series for the exporter, from its latest observation:
 * containerExportSeries plus, when the observation read containers,
 * `container_last_seen` (the sample's time in seconds: cAdvisor gives the
 * time it last saw the container, which for the console is that sample) and
 * the machine's logical CPUs and memory as cAdvisor names them. cAdvisor
 * labels the machine series with machine_id, system_uuid and boot_id; the
 * agent does not read those, so they carry none.
 */
export function hostContainerExportSeries(latest: HostObservation): readonly RawSeries[] {
  if (!latest.containers) return [];
  const cached = hostCache.get(latest);
  if (cached) return cached;
  const { series, containers } = containerExport(latest.containers);
  const out = [...series];
  const seenAt = latest.t / 1000;
  for (const labels of containers) out.push({ name: 'container_last_seen', labels, value: seenAt, kind: 'gauge' });
  const cores = latest.facts.cpus ?? logicalCpus(latest.series);
  if (cores) out.push({ name: 'machine_cpu_cores', labels: {}, value: cores, kind: 'gauge' });
  // cAdvisor's MemoryCapacity is /proc/meminfo MemTotal (utils/machine.GetMachineMemoryCapacity).
  const memory = latest.series.find((s) => s.name === 'node_memory_MemTotal_bytes');
  if (memory) out.push({ name: 'machine_memory_bytes', labels: {}, value: memory.value, kind: 'gauge' });
  hostCache.set(latest, out);
  return out;
}

/** The number of distinct `cpu` labels of node_cpu_seconds_total (the host did not report its CPU count). */
function logicalCpus(series: readonly RawSeries[]): number {
  const cpus = new Set<string>();
  for (const s of series) if (s.name === 'node_cpu_seconds_total' && s.labels.cpu !== undefined) cpus.add(s.labels.cpu);
  return cpus.size;
}
