import type { ProcessRow } from '../../../../main/common/contract';

export type ProcessSort = 'cpu' | 'memory';

/** Highest first; ties keep a stable order by pid so rows do not jump between samples. */
export function sortProcesses(rows: readonly ProcessRow[], by: ProcessSort): ProcessRow[] {
  const value = (r: ProcessRow) => (by === 'cpu' ? r.cpu : r.rssBytes);
  return [...rows].sort((a, b) => value(b) - value(a) || a.pid - b.pid);
}
