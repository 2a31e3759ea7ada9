// The messages between the core's thread and the store worker (metricStore.ts
// ↔ storeWorker.ts), and how a batch of samples is packed for the crossing.
// Pure: no worker_threads here, so the packing is tested on its own.
//
// Samples cross as columns (SampleColumns): a Uint32Array of series indexes
// and two Float64Arrays of times and values, transferred (moved, not copied),
// plus the series the worker has not seen yet. A series' name and labels
// cross once per worker; after that a sample costs 20 bytes and no object.
import type { Labels, Sample, SeriesSelector } from '../../common/series.js';
import type { Retention } from '../../common/contract.js';
import { toPointList } from './tiers.js';
import type { AppendOptions, FlatRange, OutboxReadRequest, OutboxTarget, RangeRequest, SeriesRef, StoredRange } from './types.js';

export type StoreCall =
  | {
      readonly op: 'append';
      /** The caller's clock at the call (the store refuses samples too far ahead of it). */
      readonly now: number;
      /** Series first seen in this batch, in the order they join the worker's table. */
      readonly newSeries: readonly SeriesRef[];
      readonly index: Uint32Array;
      readonly t: Float64Array;
      readonly v: Float64Array;
      readonly options?: AppendOptions;
    }
  | { readonly op: 'series'; readonly selector: SeriesSelector }
  | { readonly op: 'names' }
  | { readonly op: 'query'; readonly request: RangeRequest }
  | { readonly op: 'housekeeping'; readonly now: number }
  | { readonly op: 'setRetention'; readonly retention: Retention }
  | { readonly op: 'stats' }
  | { readonly op: 'outboxTargets'; readonly targets: readonly OutboxTarget[] }
  | { readonly op: 'outboxForget'; readonly names: readonly string[] }
  | { readonly op: 'outboxRead'; readonly request: OutboxReadRequest }
  | { readonly op: 'outboxAck'; readonly target: string; readonly pos: number; readonly now: number }
  | { readonly op: 'outboxStatus'; readonly now: number }
  | { readonly op: 'close' };

export interface StoreRequest {
  readonly id: number;
  readonly call: StoreCall;
}

/** An error as it crosses the thread boundary: what the caller's rejected promise carries. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  /** e.g. SQLITE_FULL, from the error or its cause. */
  readonly code?: string;
}

export type StoreReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: WireError };


export function toWireError(err: unknown): WireError {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: unknown }).code ?? ((e.cause as { code?: unknown } | undefined)?.code);
  return { name: e.name, message: e.message, ...(typeof code === 'string' ? { code } : {}) };
}

export function fromWireError(wire: WireError): Error {
  const err = wire.name === 'RangeError' ? new RangeError(wire.message) : wire.name === 'TypeError' ? new TypeError(wire.message) : new Error(wire.message);
  if (wire.code) (err as Error & { code?: string }).code = wire.code;
  return err;
}

/**
 * A query's answer on the wire: every range's points in one buffer, each range
 * saying where its points are. One buffer to transfer instead of one per
 * range: a rule over 1,000 series crosses in about a millisecond, not ten.
 */
export interface WireRanges {
  readonly ranges: ReadonlyArray<Omit<FlatRange, 'points'> & { readonly at: number; readonly length: number }>;
  readonly points: Float64Array;
}

export function packRanges(ranges: readonly FlatRange[]): WireRanges {
  const points = new Float64Array(ranges.reduce((n, r) => n + r.points.length, 0));
  let at = 0;
  const out = ranges.map((r) => {
    points.set(r.points, at);
    const entry = { name: r.name, labels: r.labels, tier: r.tier, stepMs: r.stepMs, at, length: r.points.length };
    at += r.points.length;
    return entry;
  });
  return { ranges: out, points };
}

export function unpackRanges(wire: WireRanges): StoredRange[] {
  return wire.ranges.map((r) => ({
    name: r.name,
    labels: r.labels,
    tier: r.tier,
    stepMs: r.stepMs,
    points: toPointList(wire.points.subarray(r.at, r.at + r.length)),
  }));
}

/**
 * The caller's half of the worker's series table: interns (name, labels) to
 * a table index. The lookup key is cheap (no sorting) and so depends on label
 * order; the same series with its labels in another order just takes a second
 * table entry, which the store resolves to the same series. A sample whose
 * name or labels are not strings is never interned: it gets an entry of its
 * own, which the store counts as invalid.
 */
export class SeriesTable {
  private readonly indexes = new Map<string, number>();
  private size = 0;

  /** Packs a batch; the returned buffers are meant to be transferred. */
  pack(samples: readonly Sample[]): Pick<Extract<StoreCall, { op: 'append' }>, 'newSeries' | 'index' | 't' | 'v'> {
    const n = samples.length;
    const index = new Uint32Array(n);
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    const newSeries: SeriesRef[] = [];
    for (let i = 0; i < n; i++) {
      const s = samples[i] as Sample | null | undefined;
      if (s === null || typeof s !== 'object') {
        // No series at all: NaN columns make the store count it as invalid.
        t[i] = Number.NaN;
        v[i] = Number.NaN;
        continue;
      }
      t[i] = typeof s.t === 'number' ? s.t : Number.NaN;
      v[i] = typeof s.v === 'number' ? s.v : Number.NaN;
      const key = internKey(s.name, s.labels);
      let at = key === undefined ? undefined : this.indexes.get(key);
      if (at === undefined) {
        at = this.size++;
        if (key !== undefined) this.indexes.set(key, at);
        newSeries.push({ name: s.name, labels: s.labels });
      }
      index[i] = at;
    }
    return { newSeries, index, t, v };
  }
}

function internKey(name: unknown, labels: Labels | null | undefined): string | undefined {
  if (typeof name !== 'string' || labels === null || typeof labels !== 'object') return undefined;
  let key = `${name.length}:${name}`;
  for (const label in labels) {
    const value = labels[label];
    if (typeof value !== 'string') return undefined;
    key += `${label.length}:${label}${value.length}:${value}`;
  }
  return key;
}
