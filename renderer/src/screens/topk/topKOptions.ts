// What Top-K offers: the metrics each kind can be ranked by (the catalogue's
// series), the aggregates and the sizes. The window is the header's range.
import type { TopKAggregate, TopKKind } from '../../../../main/common/contract';
import type { MessageKey } from '../../i18n/catalogue';
import { ANOMALY_RATE_SERIES } from '../../../../main/common/anomalies';

/** Every kind can be ranked by its anomaly rate: the core stores it per entity as a series like any other. */
const anomalyRate: TopKMetric = { name: ANOMALY_RATE_SERIES, labelKey: 'anomaly.rate.topk' };

export interface TopKMetric {
  name: string;
  labelKey: MessageKey;
}

export const topKMetrics: Record<TopKKind, TopKMetric[]> = {
  host: [
    { name: 'host:cpu_usage:ratio', labelKey: 'topk.metric.cpu' },
    { name: 'host:memory_used:ratio', labelKey: 'topk.metric.memory' },
    { name: 'host:filesystem_fullest_used:ratio', labelKey: 'topk.metric.disk' },
    { name: 'node_load1', labelKey: 'topk.metric.load1' },
    { name: 'host:network_receive_bytes:rate', labelKey: 'topk.metric.netRx' },
    { name: 'host:network_transmit_bytes:rate', labelKey: 'topk.metric.netTx' },
    { name: 'host:disk_read_bytes:rate', labelKey: 'topk.metric.diskRead' },
    { name: 'host:disk_written_bytes:rate', labelKey: 'topk.metric.diskWrite' },
    { name: 'host:swap_used:bytes', labelKey: 'topk.metric.swap' },
    anomalyRate,
  ],
  // containers, by the series the core stores for each
  container: [
    { name: 'container:cpu_usage:cores', labelKey: 'topk.metric.containerCpu' },
    { name: 'container_memory_working_set_bytes', labelKey: 'topk.metric.containerMemory' },
    { name: 'container:memory_limit_used:ratio', labelKey: 'topk.metric.containerMemoryLimit' },
    { name: 'container:cpu_throttled:ratio', labelKey: 'topk.metric.containerThrottled' },
    { name: 'container:network_receive_bytes:rate', labelKey: 'topk.metric.netRx' },
    { name: 'container:network_transmit_bytes:rate', labelKey: 'topk.metric.netTx' },
    { name: 'container:fs_read_bytes:rate', labelKey: 'topk.metric.diskRead' },
    { name: 'container:fs_write_bytes:rate', labelKey: 'topk.metric.diskWrite' },
    { name: 'container_threads', labelKey: 'topk.metric.containerPids' },
    anomalyRate,
  ],
  // canonical cloud metrics (the shipped mappings'); a row links to the instance.
  cloud: [
    { name: 'cloud_cpu_utilization_ratio', labelKey: 'topk.metric.cpu' },
    { name: 'cloud_memory_utilization_ratio', labelKey: 'topk.metric.memory' },
    { name: 'cloud_filesystem_used_ratio', labelKey: 'topk.metric.disk' },
    { name: 'cloud_network_receive_bytes_per_second', labelKey: 'topk.metric.netRx' },
    { name: 'cloud_network_transmit_bytes_per_second', labelKey: 'topk.metric.netTx' },
    { name: 'cloud_public_network_transmit_bytes_per_second', labelKey: 'topk.metric.cloudPublicTx' },
    { name: 'cloud_storage_used_ratio', labelKey: 'topk.metric.cloudStorage' },
    { name: 'cloud_db_connection_utilization_ratio', labelKey: 'topk.metric.cloudDbConnections' },
    { name: 'cloud_db_queries_per_second', labelKey: 'topk.metric.cloudDbQps' },
    { name: 'cloud_lb_active_connections', labelKey: 'topk.metric.cloudLbConnections' },
    anomalyRate,
  ],
  // service checks from each vantage point, by latency; a row is `check/vantage` and links to the checks screen
  check: [{ name: 'probe_duration_seconds', labelKey: 'topk.metric.checkDuration' }, anomalyRate],
};

export const topKKinds: TopKKind[] = ['host', 'container', 'cloud', 'check'];
export const topKAggregates: TopKAggregate[] = ['avg', 'max', 'last'];
export const topKSizes = [5, 10, 20, 50, 100] as const;
