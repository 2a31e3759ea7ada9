// The containers table's model, pure: filter by text and state, sort by any
// column with a stable tie-break, and the usage-vs-limit shares the bars draw.
import type { ContainerRow } from '../../../../main/common/contract';
import { sortByValue, sumKnown, type SortDir } from '../sortRows';

export const containerSortColumns = ['name', 'state', 'cpu', 'memory', 'network', 'block', 'pids', 'restarts'] as const;
export type ContainerSort = (typeof containerSortColumns)[number];

/** Running first, then the ones holding resources, then the stopped. */
const STATE_ORDER: Record<ContainerRow['state'], number> = {
  running: 0,
  restarting: 1,
  paused: 2,
  created: 3,
  removing: 4,
  exited: 5,
  dead: 6,
  unknown: 7,
};

function sortValue(r: ContainerRow, by: ContainerSort): number | string | null {
  switch (by) {
    case 'name':
      return r.name;
    case 'state':
      return STATE_ORDER[r.state];
    case 'cpu':
      return r.cpuCores;
    case 'memory':
      return r.memoryWorkingSetBytes;
    case 'network':
      return sumKnown(r.networkRxBytesRate, r.networkTxBytesRate);
    case 'block':
      return sumKnown(r.blockReadBytesRate, r.blockWriteBytesRate);
    case 'pids':
      return r.pids;
    case 'restarts':
      return r.restarts;
  }
}

/** Unknown values sort last in either direction; ties keep name order (then id) so rows do not jump between samples. */
export function sortContainers(rows: readonly ContainerRow[], by: ContainerSort, dir: SortDir): ContainerRow[] {
  return sortByValue(rows, (r) => sortValue(r, by), dir, (r) => `${r.name}\u0000${r.id}`);
}

export interface ContainerFilter {
  readonly text: string;
  /** Exited, created and dead containers hold nothing; hidden unless asked for. */
  readonly showStopped: boolean;
  /** Kubernetes pods' sandbox ("pause") containers. */
  readonly showSandboxes: boolean;
}

export const isStopped = (r: ContainerRow) => r.state === 'exited' || r.state === 'created' || r.state === 'dead';

/** Every word must appear in the name, image, pod, namespace, id or a label value. */
export function filterContainers(rows: readonly ContainerRow[], f: ContainerFilter): ContainerRow[] {
  const words = f.text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return rows.filter((r) => {
    if (!f.showStopped && isStopped(r)) return false;
    if (!f.showSandboxes && r.sandbox) return false;
    if (words.length === 0) return true;
    const hay = [r.name, r.image ?? '', r.pod ?? '', r.namespace ?? '', r.id, ...Object.values(r.labels)].join('\n').toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** Working set over the limit (what the OOM killer compares); null without a limit. */
export function memoryShare(r: ContainerRow): number | null {
  return r.memoryLimitBytes && r.memoryWorkingSetBytes !== null ? r.memoryWorkingSetBytes / r.memoryLimitBytes : null;
}

/** CPU over the CPU limit, else over the host's CPUs (a container without a limit can use them all). */
export function cpuShare(r: ContainerRow, hostCpus: number | null): number | null {
  if (r.cpuCores === null) return null;
  const of = r.cpuLimitCores ?? hostCpus;
  return of ? r.cpuCores / of : null;
}

/** The route's identity of a row: its series labels. */
export function containerKey(labels: Readonly<Record<string, string>>): { container: string; namespace?: string; pod?: string } {
  return {
    container: labels.container ?? '',
    ...(labels.namespace ? { namespace: labels.namespace } : {}),
    ...(labels.pod ? { pod: labels.pod } : {}),
  };
}

export function counts(rows: readonly ContainerRow[]): { running: number; paused: number; stopped: number; total: number } {
  let running = 0;
  let paused = 0;
  let stopped = 0;
  for (const r of rows) {
    if (r.state === 'paused') paused++;
    else if (isStopped(r)) stopped++;
    else running++;
  }
  return { running, paused, stopped, total: rows.length };
}
