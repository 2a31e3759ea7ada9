// Time arithmetic of the history store, kept free of SQL so it can be tested
// on its own: which tier and bucket width a range query uses, which tier
// serves which part of the range, and how far rollups and retention deletes
// may go. All times are ms since the epoch; all ranges are half-open [from, to).
import type { Point, Retention, Tier } from '../../common/contract.js';

export const SECOND_MS = 1_000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

export const DEFAULT_RETENTION: Retention = { rawHours: 48, minuteDays: 30, hourDays: 365 };

/** Width of one stored row; raw rows are single samples, so any bucket width fits them. */
export const TIER_RESOLUTION_MS: Readonly<Record<Tier, number>> = { raw: 0, '1m': MINUTE_MS, '1h': HOUR_MS };

/** Coarsest first: the order in which tiers are preferred when several can serve a bucket. */
export const TIERS_COARSE_TO_FINE: readonly Tier[] = ['1h', '1m', 'raw'];

/**
 * Bucket widths a chart may use. Every width of a minute or more divides an
 * hour or is a whole number of hours, and every width of an hour or more is
 * a whole number of hours, so minute and hour rollups nest exactly in
 * buckets and a bucket never splits a stored row.
 */
const NICE_STEPS_MS: readonly number[] = [
  1, 2, 5, 10, 20, 50, 100, 200, 500,
  SECOND_MS, 2 * SECOND_MS, 5 * SECOND_MS, 10 * SECOND_MS, 15 * SECOND_MS, 30 * SECOND_MS,
  MINUTE_MS, 2 * MINUTE_MS, 5 * MINUTE_MS, 10 * MINUTE_MS, 15 * MINUTE_MS, 30 * MINUTE_MS,
  HOUR_MS, 2 * HOUR_MS, 3 * HOUR_MS, 6 * HOUR_MS, 12 * HOUR_MS,
  DAY_MS, 2 * DAY_MS, 7 * DAY_MS, 14 * DAY_MS, 30 * DAY_MS,
];
const LARGEST_NICE_STEP_MS = 30 * DAY_MS;

/** Smallest "nice" bucket width that is at least `neededMs`. */
export function niceStepMs(neededMs: number): number {
  if (!(neededMs > 0)) return NICE_STEPS_MS[0]!;
  for (const step of NICE_STEPS_MS) if (step >= neededMs) return step;
  return Math.ceil(neededMs / LARGEST_NICE_STEP_MS) * LARGEST_NICE_STEP_MS;
}

/** Coarsest tier whose rows fit inside one bucket of `stepMs`. */
export function tierForStep(stepMs: number): Tier {
  for (const tier of TIERS_COARSE_TO_FINE) if (TIER_RESOLUTION_MS[tier] <= stepMs) return tier;
  return 'raw';
}

export function floorTo(t: number, stepMs: number): number {
  return Math.floor(t / stepMs) * stepMs;
}

export function ceilTo(t: number, stepMs: number): number {
  return Math.ceil(t / stepMs) * stepMs;
}

export interface BucketPlan {
  readonly tier: Tier;
  readonly stepMs: number;
  /** Start of the first bucket (≤ from). */
  readonly start: number;
  /** End of the last bucket (> to): whole buckets are read, so every tier answers the same buckets. */
  readonly end: number;
}

/**
 * Bucket width and tier for a chart of [from, to] with about `maxPoints`
 * points. The width is the nice step at or above (to - from) / maxPoints, so
 * a chart gets between maxPoints / 2.5 and maxPoints buckets; the tier is the
 * coarsest whose resolution fits that width (a 30-day chart at 1000 points
 * reads 720 hour rows, a 1-hour chart reads raw samples).
 */
export function planBuckets(from: number, to: number, maxPoints: number): BucketPlan {
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new RangeError(`range query needs finite from/to, got ${from}..${to}`);
  if (!(to > from)) throw new RangeError(`range query needs to > from, got ${from}..${to}`);
  if (!Number.isFinite(maxPoints) || maxPoints < 1) throw new RangeError(`range query needs maxPoints >= 1, got ${maxPoints}`);
  const stepMs = niceStepMs((to - from) / Math.floor(maxPoints));
  return { tier: tierForStep(stepMs), stepMs, start: floorTo(from, stepMs), end: floorTo(to, stepMs) + stepMs };
}

/** Half-open time span for which a tier of one series holds complete data. */
export interface Coverage {
  readonly from: number;
  readonly to: number;
}

export type TierCoverage = Readonly<Record<Tier, Coverage>>;

export interface RetentionCutoffs {
  readonly raw: number;
  readonly '1m': number;
  readonly '1h': number;
}

/** Oldest time each tier keeps at `now`. */
export function retentionCutoffs(now: number, retention: Retention): RetentionCutoffs {
  return {
    raw: now - retention.rawHours * HOUR_MS,
    '1m': now - retention.minuteDays * DAY_MS,
    '1h': now - retention.hourDays * DAY_MS,
  };
}

/**
 * Where the tiers of one series hold complete data. Retention deletes move
 * the `…From` marks forward; rollups move the `rolled…` marks. The store keeps
 * rawFrom <= rolled1m and m1From <= rolled1h (it never deletes what the next
 * tier has not absorbed).
 */
export interface TierMarks {
  /** Raw holds every sample from here on. */
  readonly rawFrom: number;
  /** The 1-minute tier holds every bucket in [m1From, rolled1m). */
  readonly m1From: number;
  /** Every minute bucket starting before this is in the 1-minute tier (a multiple of a minute). */
  readonly rolled1m: number;
  /** The 1-hour tier holds every bucket in [h1From, rolled1h). */
  readonly h1From: number;
  /** Every hour bucket starting before this is in the 1-hour tier (a multiple of an hour). */
  readonly rolled1h: number;
}

/**
 * What each tier of one series can answer. A rollup tier ends at its
 * watermark (the unfinished minute or hour lives only in the finer tier);
 * raw never ends. Where retention has cut a tier, its start is rounded up to
 * the next coarser tier's resolution, so the coarser row that fills in below
 * it does not overlap it (rawFrom <= rolled1m and m1From <= rolled1h keep the
 * rounded starts inside what the coarser tier holds).
 */
export function tierCoverage(marks: TierMarks): TierCoverage {
  return {
    raw: { from: ceilTo(marks.rawFrom, MINUTE_MS), to: Number.POSITIVE_INFINITY },
    '1m': { from: ceilTo(marks.m1From, HOUR_MS), to: marks.rolled1m },
    '1h': { from: marks.h1From, to: marks.rolled1h },
  };
}

export interface Segment {
  readonly tier: Tier;
  readonly from: number;
  readonly to: number;
}

function covers(c: Coverage, t: number): boolean {
  return c.from <= t && t < c.to;
}

/**
 * Which tier serves which part of [plan.start, plan.end). Each instant goes
 * to the coarsest tier that fits the bucket width and covers it, so the
 * recent part still unrolled comes from finer tiers (a 24-hour chart shows
 * the current minute from raw). Where no fitting tier holds the data any
 * more (finer retention ran out), the finest coarser tier that does fills
 * in, at its own resolution, rather than leaving a hole.
 */
export function planSegments(plan: BucketPlan, coverage: TierCoverage): Segment[] {
  const edges = new Set<number>([plan.start, plan.end]);
  for (const tier of TIERS_COARSE_TO_FINE) {
    for (const edge of [coverage[tier].from, coverage[tier].to]) {
      if (edge > plan.start && edge < plan.end) edges.add(edge);
    }
  }
  const sorted = [...edges].sort((a, b) => a - b);
  const fitting = TIERS_COARSE_TO_FINE.filter((tier) => TIER_RESOLUTION_MS[tier] <= plan.stepMs);
  const coarserFineFirst = TIERS_COARSE_TO_FINE.filter((tier) => TIER_RESOLUTION_MS[tier] > plan.stepMs).reverse();
  const segments: Segment[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const from = sorted[i]!;
    const to = sorted[i + 1]!;
    const tier =
      fitting.find((t) => covers(coverage[t], from)) ?? coarserFineFirst.find((t) => covers(coverage[t], from));
    if (!tier) continue;
    const last = segments[segments.length - 1];
    if (last && last.tier === tier && last.to === from) segments[segments.length - 1] = { tier, from: last.from, to };
    else segments.push({ tier, from, to });
  }
  return segments;
}

/** min, max, sum and count of the values in one bucket: the form every tier stores and every merge keeps. */
export interface Aggregate {
  min: number;
  max: number;
  sum: number;
  count: number;
}

/** Fold stored rows [bucketStart, min, max, sum, count] into buckets of `stepMs`; rows with no values are skipped. */
export function addRows(
  buckets: Map<number, Aggregate>,
  stepMs: number,
  rows: Iterable<readonly [number, number, number, number, number]>,
): void {
  for (const [t, min, max, sum, count] of rows) {
    if (!(count > 0)) continue;
    const b = floorTo(t, stepMs);
    const agg = buckets.get(b);
    if (!agg) {
      buckets.set(b, { min, max, sum, count });
    } else {
      if (min < agg.min) agg.min = min;
      if (max > agg.max) agg.max = max;
      agg.sum += sum;
      agg.count += count;
    }
  }
}

/**
 * Folds stored rows into buckets of `stepMs` as they are read, giving flat
 * chart points [t, avg, min, max, t, …]. The store reads every tier in time
 * order (chunks by window, rows by time, segments ascending), so buckets come
 * in ascending order and one running bucket suffices: no map, no sort. A row
 * of an earlier bucket than the running one is a bug in the reader, and throws.
 */
export class PointAccumulator {
  private out: Float64Array;
  private length = 0;
  private bucket = Number.NEGATIVE_INFINITY;
  private min = 0;
  private max = 0;
  private sum = 0;
  private count = 0;

  constructor(
    readonly stepMs: number,
    expectedPoints = 64,
  ) {
    this.out = new Float64Array(4 * Math.max(1, expectedPoints));
  }

  /** One raw sample. */
  addValue(t: number, v: number): void {
    this.add(t, v, v, v, 1);
  }

  /** One stored row [bucket start, min, max, sum, count]; rows with no values are skipped. */
  add(t: number, min: number, max: number, sum: number, count: number): void {
    if (!(count > 0)) return;
    const b = Math.floor(t / this.stepMs) * this.stepMs;
    if (b === this.bucket) {
      if (min < this.min) this.min = min;
      if (max > this.max) this.max = max;
      this.sum += sum;
      this.count += count;
      return;
    }
    if (b < this.bucket) throw new Error(`range query read a row of ${b} after one of ${this.bucket}`);
    this.flush();
    this.bucket = b;
    this.min = min;
    this.max = max;
    this.sum = sum;
    this.count = count;
  }

  private flush(): void {
    if (this.count === 0) return;
    if (this.length + 4 > this.out.length) {
      const grown = new Float64Array(this.out.length * 2);
      grown.set(this.out);
      this.out = grown;
    }
    this.out[this.length++] = this.bucket;
    this.out[this.length++] = this.sum / this.count;
    this.out[this.length++] = this.min;
    this.out[this.length++] = this.max;
    this.count = 0;
  }

  /** The points so far, [t, avg, min, max] per bucket; ends the accumulation. */
  points(): Float64Array {
    this.flush();
    return this.out.slice(0, this.length);
  }
}

/** Flat points [t, avg, min, max, …] as Point tuples. */
export function toPointList(flat: Float64Array): Point[] {
  const n = flat.length / 4;
  const points: Point[] = new Array(n);
  for (let i = 0; i < n; i++) points[i] = [flat[i * 4]!, flat[i * 4 + 1]!, flat[i * 4 + 2]!, flat[i * 4 + 3]!];
  return points;
}

/** Chart points [t, avg, min, max], ascending; buckets with no data are absent, so gaps stay gaps. */
export function toPoints(buckets: ReadonlyMap<number, Aggregate>): Point[] {
  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([t, agg]) => [t, agg.sum / agg.count, agg.min, agg.max]);
}

/**
 * Minute buckets starting before the returned time are final for a series:
 * either a later sample has arrived (samples of a series arrive in order) or
 * the minute ended more than `graceMs` ago (the series went quiet).
 */
export function minuteRollupTarget(lastT: number | undefined, now: number, graceMs: number): number {
  const byClock = floorTo(now - graceMs, MINUTE_MS);
  return lastT === undefined ? byClock : Math.max(floorTo(lastT, MINUTE_MS), byClock);
}

/** Hour buckets starting before the returned time are final: all their minutes are rolled up. */
export function hourRollupTarget(rolled1m: number): number {
  return floorTo(rolled1m, HOUR_MS);
}

/**
 * Raw samples and minute rollups of a series are stored in chunks of one
 * window each. A window is ten minutes, so an open chunk holds ~120 samples
 * at a 5 s interval (the Gorilla paper's two-hour blocks would keep far more
 * in memory across 60,000 series). Windows start on whole minutes, so minute
 * buckets never straddle two chunks; each series is shifted by
 * (id mod 10) minutes so that series do not all seal their chunks in the
 * same poll — at fleet scale that spreads 60,000 chunk writes evenly over
 * the ten minutes instead of one burst.
 */
export const CHUNK_WINDOW_MS = 10 * MINUTE_MS;

export function chunkWindowOffset(seriesId: number): number {
  return (seriesId % (CHUNK_WINDOW_MS / MINUTE_MS)) * MINUTE_MS;
}

/** Start of the chunk window of `seriesId` holding `t`. */
export function chunkWindowStart(t: number, seriesId: number): number {
  const offset = chunkWindowOffset(seriesId);
  return floorTo(t - offset, CHUNK_WINDOW_MS) + offset;
}

/**
 * Minute rows are sealed a window at a time, ten rows a chunk, and there
 * the chunk's header and SQLite's cost per row (key, cell, page slack) were
 * two thirds of the tier's bytes. So housekeeping merges the minute chunks
 * of a series into one per block of six hours once the block is rolled up
 * into hours (housekeeping.ts); a longer block saves little more (the header
 * is then ~0.1 byte a row) and keeps more ten-minute chunks waiting. Blocks
 * lie on the series' window grid (six hours is 36 windows), so a block holds
 * whole windows and a retention cut at a block start cuts none.
 */
export const MINUTE_BLOCK_MS = 6 * HOUR_MS;

/** Start of the minute block of `seriesId` holding `t`. */
export function minuteBlockStart(t: number, seriesId: number): number {
  const offset = chunkWindowOffset(seriesId);
  return floorTo(t - offset, MINUTE_BLOCK_MS) + offset;
}
