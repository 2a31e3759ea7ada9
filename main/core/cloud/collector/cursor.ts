// Time bookkeeping of the collector, pure:
//
// - the settled window: a datapoint stamped t covers [t, t + period) and is
//   final once `delay` has passed after its period ended, so a cycle at `now`
//   asks for periods that end at or before now − delay, never the newest
//   minute the cloud is still aggregating;
// - a cursor per fetched series ("covered until"): a cycle asks each series
//   from its cursor (less one period, so a point the cloud published a little
//   late is picked up on the next pass), and the cursor only moves when the
//   call succeeded. A failed, throttled-out or skipped cycle therefore leaves
//   the series behind, and the next cycle backfills it instead of losing it;
// - the newest timestamp delivered per output series, so each series reaches
//   the store in strictly increasing time order even though windows overlap.

export interface WindowPolicy {
  readonly periodMs: number;
  readonly delayMs: number;
  /** A series behind by more than this restarts here (an outage longer than this leaves a gap). */
  readonly maxBackfillMs: number;
  /** At most this much history per series per cycle; the rest follows next cycle. */
  readonly maxCatchUpMs: number;
  /** A series seen for the first time starts this far back. */
  readonly initialLookbackMs: number;
}

export interface TimeWindow {
  /** Inclusive, aligned to the period. */
  readonly from: number;
  /** Exclusive, aligned to the period. */
  readonly to: number;
}

/** End (exclusive) of the newest settled window at `now`. */
export function settledEnd(now: number, policy: Pick<WindowPolicy, 'periodMs' | 'delayMs'>): number {
  return Math.floor((now - policy.delayMs) / policy.periodMs) * policy.periodMs;
}

/**
 * The window a series with cursor `coveredUntil` (undefined: not fetched by
 * this collector yet) asks for now; null when nothing new is settled. A series
 * without a cursor starts the first-start lookback back, or further back at
 * `resumeFrom` (where an earlier collector of the account had every series),
 * so a restart backfills what it missed and a newly mapped metric still gets
 * the lookback's history.
 */
export function windowFor(coveredUntil: number | undefined, end: number, policy: WindowPolicy, resumeFrom?: number): TimeWindow | null {
  if (coveredUntil !== undefined && coveredUntil >= end) return null;
  const earliest = end - policy.maxBackfillMs;
  let from = coveredUntil === undefined ? end - policy.initialLookbackMs : coveredUntil - policy.periodMs;
  if (coveredUntil === undefined && resumeFrom !== undefined) from = Math.min(from, resumeFrom - policy.periodMs);
  from = Math.max(from, earliest);
  from = Math.floor(from / policy.periodMs) * policy.periodMs;
  const to = Math.min(end, from + policy.maxCatchUpMs);
  return to > from ? { from, to } : null;
}

/** Cursors of fetched series, keyed by the collector's item key. */
export class CursorBook {
  private readonly covered = new Map<string, number>();

  get(key: string): number | undefined {
    return this.covered.get(key);
  }

  advance(key: string, to: number): void {
    const current = this.covered.get(key);
    if (current === undefined || to > current) this.covered.set(key, to);
  }

  /** Series not covered up to `end` (a cycle aiming for `end` left them behind; the next one backfills them). */
  lagging(end: number, keys: Iterable<string>): number {
    let n = 0;
    for (const key of keys) {
      const c = this.covered.get(key);
      if (c === undefined || c < end) n++;
    }
    return n;
  }

  /** Forgets series no longer collected (an instance gone, a metric dropped). */
  retain(keep: ReadonlySet<string>): void {
    for (const key of this.covered.keys()) if (!keep.has(key)) this.covered.delete(key);
  }

  get size(): number {
    return this.covered.size;
  }
}

/** The newest timestamp delivered per output series. */
export class DeliveryOrder {
  private readonly last = new Map<string, number>();

  /** True (and recorded) when `t` is newer than anything delivered for the series. */
  accept(seriesKey: string, t: number): boolean {
    const prev = this.last.get(seriesKey);
    if (prev !== undefined && t <= prev) return false;
    this.last.set(seriesKey, t);
    return true;
  }

  retain(keep: (seriesKey: string) => boolean): void {
    for (const key of this.last.keys()) if (!keep(key)) this.last.delete(key);
  }
}
