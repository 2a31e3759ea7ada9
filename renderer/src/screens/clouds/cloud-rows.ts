// Cloud instance rows for the overview and the account screen, pure: text
// filter, product filter, sort by any column (missing values last in both
// directions, ties by name), and what counts as a problem (no datapoint for
// several periods). Kept out of React so 1,000-row filtering is unit-tested.
import type { CloudInstanceRow } from '../../../../main/common/clouds';

export const cloudSortColumns = ['name', 'account', 'product', 'region', 'cpu', 'memory', 'disk', 'network', 'age'] as const;
export type CloudSortColumn = (typeof cloudSortColumns)[number];

export interface CloudRowFilter {
  text: string;
  product: string | null;
  account?: string | null;
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

export const displayName = (r: CloudInstanceRow) => r.name ?? r.instanceId;

export function filterCloudRows(rows: readonly CloudInstanceRow[], f: CloudRowFilter): CloudInstanceRow[] {
  const words = f.text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return rows.filter((r) => {
    if (f.product && r.product !== f.product) return false;
    if (f.account && r.account !== f.account) return false;
    if (words.length === 0) return true;
    const hay = `${r.name ?? ''} ${r.instanceId} ${r.account} ${r.provider} ${r.region} ${r.product} ${r.diskLabel ?? ''}`.toLowerCase();
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
      return r.networkRx === null && r.networkTx === null ? null : (r.networkRx ?? 0) + (r.networkTx ?? 0);
    case 'age':
      return r.lastT === null ? null : -r.lastT;
  }
}

export function sortCloudRows(rows: readonly CloudInstanceRow[], column: CloudSortColumn, dir: 'asc' | 'desc'): CloudInstanceRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const va = sortValue(a, column);
    const vb = sortValue(b, column);
    if (va === null && vb !== null) return 1;
    if (vb === null && va !== null) return -1;
    let c = 0;
    if (typeof va === 'string' && typeof vb === 'string') c = collator.compare(va, vb);
    else if (typeof va === 'number' && typeof vb === 'number') c = va - vb;
    return c !== 0 ? sign * c : collator.compare(displayName(a), displayName(b)) || collator.compare(a.instanceId, b.instanceId);
  });
}

/** Cloud data is minutes old by nature; an instance is behind when its newest point is older than this. */
export const CLOUD_STALE_AFTER_MS = 15 * 60_000;

export function isStaleRow(r: CloudInstanceRow, now: number): boolean {
  return r.lastT === null || now - r.lastT > CLOUD_STALE_AFTER_MS;
}

export function productsOf(rows: readonly CloudInstanceRow[]): string[] {
  return [...new Set(rows.map((r) => r.product))].sort(collator.compare);
}
