// The history store's interface. The core writes derived samples in batches
// and asks range queries for charts; the implementation owns tiers, rollups
// and retention. Keep callers to this interface so the store can change
// (compressed chunks, a worker thread) without touching them.
import type { Labels, Sample, SeriesSelector } from '../../common/series.js';
import type { Point, Retention, Tier } from '../../common/contract.js';

export interface SeriesInfo {
  readonly id: number;
  readonly name: string;
  readonly labels: Labels;
  /** Last sample time in ms, or undefined when the series has no sample. */
  readonly lastT?: number;
}

export interface StoredRange {
  readonly name: string;
  readonly labels: Labels;
  readonly tier: Tier;
  readonly stepMs: number;
  /** [bucket start ms, avg, min, max], ascending, empty buckets left out. */
  readonly points: Point[];
}

export interface RangeRequest {
  readonly selector: SeriesSelector;
  readonly from: number;
  readonly to: number;
  readonly maxPoints: number;
}

export interface StoreStats {
  readonly sizeBytes: number;
  readonly series: number;
  /** Samples refused by append (out of order, duplicate, late or invalid), since open. */
  readonly droppedSamples?: number;
}

export interface MetricStore {
  /** Append one batch in one transaction. Samples out of order for a series are dropped (counted). */
  append(samples: readonly Sample[]): void;
  /** Series matching a selector, with label sets. */
  series(selector: SeriesSelector): SeriesInfo[];
  /** Bucketed range query: picks the tier whose resolution fits `(to - from) / maxPoints`. */
  query(request: RangeRequest): StoredRange[];
  /** Roll up finished buckets and enforce retention, in small steps; call periodically. */
  housekeeping(now: number): void;
  setRetention(retention: Retention): void;
  stats(): StoreStats;
  close(): void;
}
