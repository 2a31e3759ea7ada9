// Cloud instance rows for the overview and the account screen, pure: text
// filter, product filter, sort by any column (missing values last in both
// directions, ties by name), and what counts as a problem (no datapoint for
// several periods). Kept out of React so 1,000-row filtering is unit-tested.
import type { CloudInstanceRow } from '../../../../main/common/clouds';
import { compareNatural, sortByValue, sumKnown, type SortDir } from '../sortRows';

export const cloudSortColumns = ['name', 'account', 'product', 'region', 'cpu', 'memory', 'disk', 'network', 'age'] as const;
export type CloudSortColumn = (typeof cloudSortColumns)[number];

export interface CloudRowFilter {
  text: string;
  product: string | null;
  account?: string | null;
}


export const displayName = (r: CloudInstanceRow) => r.name ?? r.instanceId;
/** Hover text of a row: the whole name (cells truncate it), the id and what the cloud's instance list said (its state in the UI's words). */
export const instanceTitle = (r: CloudInstanceRow, stateText: (word: string) => string = (w) => w) =>
  [r.name, r.instanceId, r.privateIp, r.instanceType, r.status === undefined ? undefined : stateText(r.status)].filter(Boolean).join(' · ');

export function filterCloudRows(rows: readonly CloudInstanceRow[], f: CloudRowFilter): CloudInstanceRow[] {
  const words = f.text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return rows.filter((r) => {
    if (f.product && r.product !== f.product) return false;
    if (f.account && r.account !== f.account) return false;
    if (words.length === 0) return true;
    const hay = `${r.name ?? ''} ${r.instanceId} ${r.privateIp ?? ''} ${r.instanceType ?? ''} ${r.account} ${r.provider} ${r.region} ${r.product} ${r.diskLabel ?? ''}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

function sortValue(r: CloudInstanceRow, c: CloudSortColumn): number | string | null {
  switch (c) {
    case 'name':
      return displayName(r);
    case 'account':
      return r.account;
    case 'product':
      return r.product;
    case 'region':
      return r.region;
    case 'cpu':
      return r.cpu;
    case 'memory':
      return r.memory;
    case 'disk':
      return r.disk;
    case 'network':
      return sumKnown(r.networkRx, r.networkTx);
    case 'age':
      return r.lastT === null ? null : -r.lastT;
  }
}

export function sortCloudRows(rows: readonly CloudInstanceRow[], column: CloudSortColumn, dir: SortDir): CloudInstanceRow[] {
  // Ties by name, then by id (instances discovery found no name for share theirs).
  return sortByValue(rows, (r) => sortValue(r, column), dir, (r) => `${displayName(r)}\u0000${r.instanceId}`);
}

/** Cloud data is minutes old by nature; an instance is behind when its newest point is older than this. */
export const CLOUD_STALE_AFTER_MS = 15 * 60_000;

export function isStaleRow(r: CloudInstanceRow, now: number): boolean {
  return r.lastT === null || now - r.lastT > CLOUD_STALE_AFTER_MS;
}

export function productsOf(rows: readonly CloudInstanceRow[]): string[] {
  return [...new Set(rows.map((r) => r.product))].sort(compareNatural);
}
