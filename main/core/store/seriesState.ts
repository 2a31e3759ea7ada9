// What the engine keeps in memory per series, shared by its parts: the
// series index creates and looks these up, the head fills their open chunks,
// sealing, housekeeping and queries read and move their marks. Types only, so
// every part can name them without importing another part.
import type { Labels } from '../../common/series.js';
import type { AggregateRow, SampleChunkEncoder } from './chunkCodec.js';
import type { Precision } from './precision.js';

/** The open chunk of one window of one series. */
export interface OpenChunk {
  readonly start: number;
  readonly encoder: SampleChunkEncoder;
  /** Minute buckets of the window so far, ascending. */
  readonly minutes: AggregateRow[];
  /** Per minute: decimal places of its values so far, -1 once one is not a short decimal (see head.ts addToMinutes). */
  readonly minutePlaces: number[];
  /** Oldest head log row holding samples of this window (moves forward when the chunk is copied, see Head.prune). */
  firstSeq: number;
  lastT: number;
}

/** In-memory state of one series; the database (plus the head log) is the truth, this is its cache. */
export interface SeriesState {
  readonly id: number;
  readonly name: string;
  readonly labels: Labels;
  /** Newest sample time (head or chunks); undefined when raw holds none. */
  lastT: number | undefined;
  /** The step its times are kept on (cadence.ts), learned from the samples since open; undefined until two are seen. */
  stepMs: number | undefined;
  /** Every window ending at or before this is sealed into chunks; samples before it are late. */
  rolled1m: number;
  rolled1h: number;
  /** Newest minute chunk / hour bucket start, for lastT once raw retention has removed everything. */
  last1m: number | undefined;
  last1h: number | undefined;
  rawFrom: number;
  m1From: number;
  h1From: number;
  /** Minute chunks of windows starting before this are merged, one chunk per block (tiers.ts, minuteBlockStart); 0 until the first merge. */
  m1Merged: number;
  /** How long after its end the newest window stays open (the store's grace, or the series' own maxDelayMs when larger). */
  graceMs: number;
  /** What values are rounded to on append (precision.ts). */
  readonly precision: Precision;
  /** Open chunks, oldest first: usually one; more while a finished window waits to be sealed. */
  head: OpenChunk[];
}
