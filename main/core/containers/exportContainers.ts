// A host's container series for the /metrics exporter and `overlook snapshot
// --format prom`: the raw cAdvisor-named counters and gauges of every running
// container, with cAdvisor's labels (container, image, namespace, pod, plus
// `name` — the engine's name — and `id` — the cgroup path), and the network
// counters of each container's namespace per interface. Pure.
import type { RawSeries } from '../../common/series.js';
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

const cache = new WeakMap<ContainerObservation, RawSeries[]>();

export function containerExportSeries(obs: ContainerObservation | undefined): readonly RawSeries[] {
  if (!obs) return [];
  const cached = cache.get(obs);
  if (cached) return cached;
  const out: RawSeries[] = [];
  for (const c of containerIdentities(obs)) {
    if (!c.cgroup) continue;
    const labels = { ...c.seriesLabels, name: c.name, id: c.cgroup.cgroupPath };
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
  cache.set(obs, out);
  return out;
}
