// The history store's interface. The core writes derived samples in batches
// and asks range queries for charts; the implementation owns tiers, rollups
// and retention. Keep callers to this interface so the store can change
// (compressed chunks, a worker thread) without touching them.
import type { Labels, Sample, SeriesSelector } from '../../common/series.js';
import { RpcError, type Point, type Retention, type Tier } from '../../common/contract.js';

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

/** A StoredRange with its points flat: [t, avg, min, max, t, …] (how ranges cross threads). */
export interface FlatRange extends Omit<StoredRange, 'points'> {
  readonly points: Float64Array;
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

/** The series a batch of sample columns refers to. */
export interface SeriesRef {
  readonly name: string;
  readonly labels: Labels;
}

/**
 * A batch of samples as columns: sample i is (series[index[i]], t[i], v[i]).
 * This is how samples cross to the store's thread: three typed arrays and a
 * table of series that is sent once per series, instead of thousands of
 * sample objects cloned per batch.
 */
export interface SampleColumns {
  readonly series: readonly SeriesRef[];
  readonly index: ArrayLike<number>;
  readonly t: ArrayLike<number>;
  readonly v: ArrayLike<number>;
}

/** How a batch of samples may be late (see MetricStore.append). */
export interface AppendOptions {
  /**
   * These samples' series may receive samples up to this long after their
   * timestamps (cloud datapoints settle minutes late, and a backfill after an
   * outage arrives much later): the store keeps their newest chunk window
   * open, and does not count their quiet time as final, for that long. The
   * series remembers the largest value it was ever given. Default: the
   * store's grace period (2 minutes), right for hosts polled every few seconds.
   */
  readonly maxDelayMs?: number;
}

/**
 * The history store, asynchronous so that it can live off the main thread
 * (ingest and queries never stall the window or the WebSocket). Each call is
 * applied in the order it was made: a query made after an append sees it.
 */
export interface MetricStore {
  /** Append one batch in one transaction. Samples out of order for a series are dropped (counted). */
  append(samples: readonly Sample[], options?: AppendOptions): Promise<void>;
  /** Series matching a selector, with label sets. */
  series(selector: SeriesSelector): Promise<SeriesInfo[]>;
  /** Bucketed range query: picks the tier whose resolution fits `(to - from) / maxPoints`. */
  query(request: RangeRequest): Promise<StoredRange[]>;
  /** Roll up finished buckets and enforce retention, in small steps; call periodically. `pending`: work is left, call again soon. */
  housekeeping(now: number): Promise<{ readonly pending: boolean }>;
  setRetention(retention: Retention): Promise<void>;
  stats(): Promise<StoreStats>;
  close(): Promise<void>;
}

/**
 * A query the store refused for what the caller asked (a label pattern RE2
 * does not accept, a query past its time budget) as the contract's
 * invalid_input, with the store's message; any other error is returned as it is.
 */
export function queryRefusal(err: unknown): unknown {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (code === 'INVALID_PATTERN' || code === 'QUERY_TOO_LARGE') return new RpcError('invalid_input', (err as Error).message);
  return err;
}
