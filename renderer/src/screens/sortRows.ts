// One sort for the screens' tables, pure: by a column's value, rows without
// a value last in both directions (a host with no sample yet never ranks
// first), ties by name in natural order (web-2 before web-10).
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

export function compareNatural(a: string, b: string): number {
  return collator.compare(a, b);
}

export type SortDir = 'asc' | 'desc';

/** In and out together (a network's, a disk's), or null when neither is known. */
export function sumKnown(a: number | null, b: number | null): number | null {
  return a === null && b === null ? null : (a ?? 0) + (b ?? 0);
}

export function sortByValue<R>(rows: readonly R[], valueOf: (row: R) => number | string | null, dir: SortDir, nameOf: (row: R) => string): R[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const va = valueOf(a);
    const vb = valueOf(b);
    if (va === null && vb !== null) return 1;
    if (vb === null && va !== null) return -1;
    let c = 0;
    if (typeof va === 'string' && typeof vb === 'string') c = collator.compare(va, vb);
    else if (typeof va === 'number' && typeof vb === 'number') c = va - vb;
    return c !== 0 ? sign * c : collator.compare(nameOf(a), nameOf(b));
  });
}
