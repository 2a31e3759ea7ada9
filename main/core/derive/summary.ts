// The overview values of one host (its card and table row), picked out of
// the samples derived from one observation. Pure.
import type { HostSummary } from '../../common/contract.js';
import type { Sample } from '../../common/series.js';

/** The overview values of one host, picked out of its derived samples of one tick. */
export function hostSummaryFrom(samples: readonly Sample[], hostId: string, t: number): HostSummary {
  const value = (name: string): number | null => samples.find((s) => s.name === name)?.v ?? null;
  let fullestMount: string | null = null;
  let fullestUsage = -1;
  for (const s of samples) {
    if (s.name === 'host:filesystem_used:ratio' && s.v > fullestUsage) {
      fullestUsage = s.v;
      fullestMount = s.labels.mountpoint ?? null;
    }
  }
  return {
    hostId,
    t,
    cpuUsage: value('host:cpu_usage:ratio'),
    cpus: value('host:cpu_count:count'),
    load1: value('node_load1'),
    load5: value('node_load5'),
    load15: value('node_load15'),
    memoryUsed: value('host:memory_used:bytes'),
    memoryTotal: value('node_memory_MemTotal_bytes'),
    swapUsed: value('host:swap_used:bytes'),
    swapTotal: value('node_memory_SwapTotal_bytes'),
    fullestMount,
    fullestMountUsage: value('host:filesystem_fullest_used:ratio'),
    networkRxRate: value('host:network_receive_bytes:rate'),
    networkTxRate: value('host:network_transmit_bytes:rate'),
    diskReadRate: value('host:disk_read_bytes:rate'),
    diskWriteRate: value('host:disk_written_bytes:rate'),
    uptimeSeconds: value('host:uptime:seconds'),
  };
}
