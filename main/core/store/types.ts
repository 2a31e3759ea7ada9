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

/** One metric name in the series index: how many series carry it, and the newest sample among them. */
export interface MetricNameInfo {
  readonly name: string;
  readonly series: number;
  readonly lastT?: number;
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
  /**
   * Samples only for the remote-write outbox: logged in the order they came,
   * for the senders to read (see MetricStore.outboxRead), never kept in the
   * history. Raw counters, whose history the store keeps as rates, and
   * staleness markers (a NaN value: the series ended). Dropped at once when
   * no sender reads the outbox. Times are taken as given; a sample must still
   * be newer than its series' last one.
   */
  readonly outboxOnly?: boolean;
}

/** A remote-write target reading the outbox, and how old a sample it still wants. */
export interface OutboxTarget {
  readonly name: string;
  readonly maxAgeMs: number;
}

export interface OutboxReadRequest {
  /** The outbox position to read from (a target's cursor). */
  readonly from: number;
  /** At most this many samples; whole rows are not required. */
  readonly maxSamples: number;
  /** Samples logged before this time (ms) are skipped and counted as dropped. */
  readonly minAt: number;
}

/** One read of the outbox: samples as columns, sample i is (series id ids[i], t[i], v[i]). */
export interface OutboxBatch {
  /** Where the samples returned start: the request's `from` plus what was dropped. */
  readonly from: number;
  /** The position after the last sample returned (the cursor once they are sent). */
  readonly to: number;
  /** Samples between the request's `from` and `from` here that are gone: older than minAt, or already pruned. */
  readonly dropped: number;
  readonly ids: Float64Array;
  readonly t: Float64Array;
  /** NaN is a staleness marker. */
  readonly v: Float64Array;
  /** The series of the ids in this batch. */
  readonly series: readonly (SeriesRef & { readonly id: number })[];
  /** When the first sample returned was logged (ms). */
  readonly oldestAt?: number;
  /** The position the next logged sample will get: `end - to` samples are still pending. */
  readonly end: number;
}

export interface OutboxStatus {
  /** The position the next logged sample will get. */
  readonly end: number;
  /** Per target: its cursor, and when the oldest sample it has not sent was logged. */
  readonly cursors: Readonly<Record<string, { readonly pos: number; readonly oldestAt?: number }>>;
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
  /** Every metric name in the series index, sorted (the rule editor's metric picker). */
  names(): Promise<MetricNameInfo[]>;
  /** Bucketed range query: picks the tier whose resolution fits `(to - from) / maxPoints`. */
  query(request: RangeRequest): Promise<StoredRange[]>;
  /** Roll up finished buckets and enforce retention, in small steps; call periodically. `pending`: work is left, call again soon. */
  housekeeping(now: number): Promise<{ readonly pending: boolean }>;
  setRetention(retention: Retention): Promise<void>;
  stats(): Promise<StoreStats>;
  /**
   * Remote-write targets that read the outbox (added, or their age limit
   * changed): a new one starts at the outbox's end. Returns each one's cursor.
   */
  outboxTargets(targets: readonly OutboxTarget[]): Promise<Readonly<Record<string, number>>>;
  /** Targets gone for good: their cursors no longer keep rows. */
  outboxForget(names: readonly string[]): Promise<void>;
  /** Samples logged from a position on, in the order they were logged. */
  outboxRead(request: OutboxReadRequest): Promise<OutboxBatch>;
  /** A target sent (or gave up on) everything before `pos`: its cursor moves there, durably. */
  outboxAck(target: string, pos: number): Promise<void>;
  outboxStatus(): Promise<OutboxStatus>;
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
