// Seeded synthetic series for the anomaly tests and bench: a daily and a
// weekly sine plus Gaussian noise, fed through the real store's append and
// housekeeping (rollups) with a fixed clock. Deterministic: a seed gives the
// same series on every machine.
import type { Sample } from '../common/series.js';
import type { MetricStore } from '../core/store/types.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;

/** mulberry32: a small seeded PRNG (public domain, Tommy Ettinger). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal from a uniform source (Box–Muller). */
export function gaussian(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

export interface SineShape {
  readonly base: number;
  readonly daily: number;
  readonly weekly: number;
  readonly noise: number;
}

/** The noiseless shape at t (UTC: a daily peak at 14:00, a weekly one on Wednesdays). */
export function sineAt(shape: SineShape, t: number): number {
  return shape.base + shape.daily * Math.sin((2 * Math.PI * (t - 8 * HOUR)) / DAY) + shape.weekly * Math.sin((2 * Math.PI * (t - 1.5 * DAY)) / WEEK);
}

export interface FeedSeries {
  readonly name: string;
  readonly labels: Record<string, string>;
  /** The value at t (noise included). */
  readonly valueAt: (t: number) => number;
}

/**
 * Appends every series from `from` to `to` (exclusive) one sample per
 * `stepMs`, an hour per batch, with the clock at the batch's end, and runs
 * housekeeping after each batch so minute and hour rollups seal as they would
 * in a running console.
 */
export async function feed(store: MetricStore, clock: { now: number }, series: readonly FeedSeries[], from: number, to: number, stepMs: number): Promise<void> {
  for (let hour = from; hour < to; hour += HOUR) {
    const batch: Sample[] = [];
    const end = Math.min(to, hour + HOUR);
    for (let t = hour; t < end; t += stepMs)
      for (const s of series) {
        // A value that is not a number is no sample (derive leaves out the interval of a counter reset).
        const v = s.valueAt(t);
        if (Number.isFinite(v)) batch.push({ name: s.name, labels: s.labels, t, v });
      }
    clock.now = end;
    await store.append(batch);
    for (let i = 0; i < 100 && (await store.housekeeping(end)).pending; i++);
  }
}
