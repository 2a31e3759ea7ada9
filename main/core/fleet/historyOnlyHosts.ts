// Hosts that have history in the store but no source watching them: removed
// from the configuration, or a data directory copied from another console.
// Their history is still worth seeing (what was that host doing before it was
// decommissioned?), so the overview lists them read-only as "not configured"
// with their last known values, and their charts still open.
import type { HistoryOnlyHost, HostSummary } from '../../common/contract.js';
import type { HistoryReader } from '../history/historyReader.js';

/** Series names whose presence marks a host (every source derives them on its first samples). */
const MARKER_METRICS = ['host:cpu_usage:ratio', 'host:memory_used:bytes', 'node_load1'];

const SUMMARY_FIELDS: [keyof HostSummary, string][] = [
  ['cpuUsage', 'host:cpu_usage:ratio'],
  ['cpus', 'host:cpu_count:count'],
  ['load1', 'node_load1'],
  ['load5', 'node_load5'],
  ['load15', 'node_load15'],
  ['memoryUsed', 'host:memory_used:bytes'],
  ['memoryTotal', 'node_memory_MemTotal_bytes'],
  ['swapUsed', 'host:swap_used:bytes'],
  ['swapTotal', 'node_memory_SwapTotal_bytes'],
  ['fullestMountUsage', 'host:filesystem_fullest_used:ratio'],
  ['networkRxRate', 'host:network_receive_bytes:rate'],
  ['networkTxRate', 'host:network_transmit_bytes:rate'],
  ['diskReadRate', 'host:disk_read_bytes:rate'],
  ['diskWriteRate', 'host:disk_written_bytes:rate'],
  ['uptimeSeconds', 'host:uptime:seconds'],
];

/** Hosts last seen within this window of each other share one query per metric. */
const GROUP_MS = 10 * 60_000;

export function emptySummary(hostId: string, t: number): HostSummary {
  return {
    hostId,
    t,
    cpuUsage: null,
    cpus: null,
    load1: null,
    load5: null,
    load15: null,
    memoryUsed: null,
    memoryTotal: null,
    swapUsed: null,
    swapTotal: null,
    fullestMount: null,
    fullestMountUsage: null,
    networkRxRate: null,
    networkTxRate: null,
    diskReadRate: null,
    diskWriteRate: null,
    uptimeSeconds: null,
  };
}

/** Hosts (by their `host` label) with history, minus the watched ones, with their last values. */
export async function findHistoryOnlyHosts(store: HistoryReader, watched: ReadonlySet<string>): Promise<HistoryOnlyHost[]> {
  const lastSeen = new Map<string, number>();
  for (const name of MARKER_METRICS) {
    for (const info of await store.series({ name })) {
      const host = info.labels.host;
      if (host === undefined || watched.has(host) || info.lastT === undefined) continue;
      lastSeen.set(host, Math.max(lastSeen.get(host) ?? 0, info.lastT));
    }
  }
  const summaries = new Map<string, HostSummary>();
  for (const [host, t] of lastSeen) summaries.set(host, emptySummary(host, t));

  const groups = new Map<number, string[]>();
  for (const [host, t] of lastSeen) {
    const g = Math.floor(t / GROUP_MS);
    groups.set(g, [...(groups.get(g) ?? []), host]);
  }
  for (const [g, members] of groups) {
    const inGroup = new Set(members);
    const from = g * GROUP_MS - GROUP_MS;
    const to = (g + 1) * GROUP_MS + 1;
    const lastOf = async (name: string) =>
      (await store.query({ selector: { name }, from, to, maxPoints: 20 })).filter((r) => inGroup.has(r.labels.host ?? '') && r.points.length > 0);
    for (const [field, name] of SUMMARY_FIELDS) {
      for (const r of await lastOf(name)) {
        const s = summaries.get(r.labels.host!)!;
        (s as Record<string, unknown>)[field] = r.points[r.points.length - 1]![1];
      }
    }
    const fullest = new Map<string, { usage: number; mount: string }>();
    for (const r of await lastOf('host:filesystem_used:ratio')) {
      const v = r.points[r.points.length - 1]![1];
      const cur = fullest.get(r.labels.host!);
      if (!cur || v > cur.usage) fullest.set(r.labels.host!, { usage: v, mount: r.labels.mountpoint ?? '' });
    }
    for (const [host, f] of fullest) summaries.get(host)!.fullestMount = f.mount;
  }
  return [...lastSeen].map(([hostId, lastSampleAt]) => ({ hostId, lastSampleAt, summary: summaries.get(hostId)! }));
}
