// The overview's table model, pure: one row per host (watched or only in the
// history), filtered by text / tag / status, sorted by any column, grouped by
// tag. Kept out of React so 500-host filtering and sorting are unit-tested.
import type { HistoryOnlyHost, Host, HostKind, HostStatus, HostSummary } from '../../../../main/common/contract';
import type { EntityRate } from '../../../../main/common/anomalies';
import { compareNatural, sortByValue, sumKnown, type SortDir } from '../sortRows';

export type FleetStatus = HostStatus | 'not_configured';

export interface FleetRow {
  id: string;
  name: string;
  status: FleetStatus;
  statusDetail?: string;
  tags: string[];
  /** Where the host's data comes from; absent for a host only in the history. */
  kind?: HostKind;
  configured: boolean;
  cpu: number | null;
  memoryRatio: number | null;
  memoryUsed: number | null;
  disk: number | null;
  diskMount: string | null;
  networkRx: number | null;
  networkTx: number | null;
  load1: number | null;
  cpus: number | null;
  /** Running containers (paused and restarting included); null = the host reports no container data. */
  containers: number | null;
  /** Every container the host knows, stopped ones included. */
  containersTotal: number | null;
  alerts: number;
  lastSampleAt: number | null;
  /** Share of the host's scored series flagged unusual now; null before the first scoring (or with none scored). */
  anomalyRate: number | null;
  anomalyFlagged: number;
  anomalyScored: number;
}

export const sortColumns = ['name', 'status', 'cpu', 'memory', 'disk', 'network', 'load', 'containers', 'alerts', 'unusual'] as const;
export type SortColumn = (typeof sortColumns)[number];

export const statusFilters = ['all', 'problems', 'online', 'not_configured'] as const;
export type StatusFilter = (typeof statusFilters)[number];

export interface FleetFilter {
  text: string;
  tag: string | null;
  status: StatusFilter;
}

/**
 * When a host last delivered a sample: its live summary moves with every
 * sample, the host list only with status changes, so the newer of the two.
 */
export function latestSampleAt(host: Pick<Host, 'lastSampleAt'> | undefined, summary: Pick<HostSummary, 't'> | undefined): number | undefined {
  const times = [host?.lastSampleAt, summary?.t].filter((x): x is number => typeof x === 'number');
  return times.length ? Math.max(...times) : undefined;
}

const ratio = (a: number | null | undefined, b: number | null | undefined) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : null);

export function buildFleetRows(
  hosts: readonly Host[],
  summaries: Readonly<Record<string, HostSummary>>,
  historyOnly: readonly HistoryOnlyHost[],
  firingByHost: Readonly<Record<string, number>>,
  /** Anomaly rates by host id (stores/anomalyRates.ts). */
  anomalyByHost: Readonly<Record<string, Pick<EntityRate, 'rate' | 'flagged' | 'scored'>>> = {},
): FleetRow[] {
  const anomaly = (id: string) => {
    const a = anomalyByHost[id];
    return { anomalyRate: a && a.scored > 0 ? a.rate : null, anomalyFlagged: a?.flagged ?? 0, anomalyScored: a?.scored ?? 0 };
  };
  const fromSummary = (s: HostSummary | undefined) => ({
    cpu: s?.cpuUsage ?? null,
    memoryRatio: ratio(s?.memoryUsed, s?.memoryTotal),
    memoryUsed: s?.memoryUsed ?? null,
    disk: s?.fullestMountUsage ?? null,
    diskMount: s?.fullestMount ?? null,
    networkRx: s?.networkRxRate ?? null,
    networkTx: s?.networkTxRate ?? null,
    load1: s?.load1 ?? null,
    cpus: s?.cpus ?? null,
    containers: s?.containersRunning ?? null,
    containersTotal: s?.containersTotal ?? null,
  });
  const rows: FleetRow[] = hosts.map((h) => ({
    id: h.id,
    name: h.name,
    status: h.status,
    statusDetail: h.statusDetail,
    tags: h.tags,
    kind: h.kind,
    configured: true,
    ...fromSummary(summaries[h.id]),
    cpus: summaries[h.id]?.cpus ?? h.info?.cpus ?? null,
    alerts: firingByHost[h.name] ?? firingByHost[h.id] ?? 0,
    lastSampleAt: latestSampleAt(h, summaries[h.id]) ?? null,
    ...anomaly(h.id),
  }));
  const known = new Set(hosts.flatMap((h) => [h.id, h.name]));
  for (const h of historyOnly) {
    if (known.has(h.hostId)) continue;
    rows.push({
      id: h.hostId,
      name: h.hostId,
      status: 'not_configured',
      tags: [],
      configured: false,
      ...fromSummary(h.summary),
      alerts: firingByHost[h.hostId] ?? 0,
      lastSampleAt: h.lastSampleAt,
      ...anomaly(h.hostId),
    });
  }
  return rows;
}

const isProblem = (s: FleetStatus) => s !== 'online' && s !== 'not_configured' && s !== 'paused';

export function filterRows(rows: readonly FleetRow[], f: FleetFilter): FleetRow[] {
  const words = f.text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return rows.filter((r) => {
    if (f.tag !== null && !r.tags.includes(f.tag)) return false;
    if (f.status === 'problems' && !isProblem(r.status)) return false;
    if (f.status === 'online' && r.status !== 'online') return false;
    if (f.status === 'not_configured' && r.status !== 'not_configured') return false;
    if (words.length === 0) return true;
    const hay = `${r.name} ${r.id} ${r.tags.join(' ')} ${r.status} ${r.kind ?? ''} ${r.diskMount ?? ''}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** Status order for sorting: worst first when descending. */
const statusRank: Record<FleetStatus, number> = {
  online: 0,
  paused: 1,
  not_configured: 2,
  connecting: 3,
  stale: 4,
  unsupported_os: 5,
  agent_error: 6,
  host_key_unknown: 7,
  offline: 8,
  auth_failed: 9,
  host_key_changed: 10,
};

function sortValue(r: FleetRow, c: SortColumn): number | string | null {
  switch (c) {
    case 'name':
      return r.name;
    case 'status':
      return statusRank[r.status];
    case 'cpu':
      return r.cpu;
    case 'memory':
      return r.memoryRatio;
    case 'disk':
      return r.disk;
    case 'network':
      return sumKnown(r.networkRx, r.networkTx);
    case 'load':
      return r.load1;
    case 'containers':
      return r.containers;
    case 'alerts':
      return r.alerts;
    case 'unusual':
      return r.anomalyRate;
  }
}

/** Sorts by a column; hosts without a value go last in both directions, ties by name. */
export function sortRows(rows: readonly FleetRow[], column: SortColumn, dir: SortDir): FleetRow[] {
  return sortByValue(rows, (r) => sortValue(r, column), dir, (r) => r.name);
}

export type FleetItem = { kind: 'group'; key: string; tag: string | null; count: number; collapsed: boolean } | { kind: 'row'; row: FleetRow };

/**
 * Groups rows by tag (a host with two tags shows under both; untagged ones
 * last, tag null). Collapsed groups keep their header only.
 */
export function groupRows(rows: readonly FleetRow[], byTag: boolean, collapsed: ReadonlySet<string>): FleetItem[] {
  if (!byTag) return rows.map((row) => ({ kind: 'row', row }));
  const groups = new Map<string | null, FleetRow[]>();
  for (const r of rows) {
    for (const tag of r.tags.length ? r.tags : [null]) {
      let list = groups.get(tag);
      if (!list) groups.set(tag, (list = []));
      list.push(r);
    }
  }
  const keys = [...groups.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : compareNatural(a, b)));
  const items: FleetItem[] = [];
  for (const tag of keys) {
    const key = tag ?? '';
    const list = groups.get(tag)!;
    const isCollapsed = collapsed.has(key);
    items.push({ kind: 'group', key, tag, count: list.length, collapsed: isCollapsed });
    if (!isCollapsed) for (const row of list) items.push({ kind: 'row', row });
  }
  return items;
}

export function allTags(rows: readonly FleetRow[]): string[] {
  return [...new Set(rows.flatMap((r) => r.tags))].sort(compareNatural);
}
