// Pure statistics of the anomaly detector: a seasonal baseline per series
// learned from the store's hour rollups, and a robust z-score of a window's
// mean against it. No I/O: the feature feeds it the rollups it reads.
//
// Buckets are in UTC. A local-time bucket would move by an hour twice a year
// (a DST change makes one local day 23 or 25 hours long), so the same instant
// would fall in different buckets before and after the change and a whole
// week of baselines would be compared against the wrong hour. UTC buckets
// never move; the cost is that a pattern people follow in local time (office
// hours) shifts by one hour against its bucket across a DST change, which the
// spread absorbs for the week or two until the new weeks dominate the median.
import type { AnomalySensitivity, BaselineKind, BaselineView } from '../../common/anomalies.js';
import { metricInfo } from '../../common/metrics.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
export const WEEK_MS = 7 * DAY_MS;

/**
 * Hour of week needs 3 weeks of history, so every hour-of-week bucket has at
 * least 3 observations (a median and a MAD need 3 to mean anything: with 2,
 * the MAD is half their distance and one odd week decides the band).
 */
export const WEEKLY_MIN_HISTORY_MS = 3 * WEEK_MS;
/** Below 3 days of hour rollups a series is `learning` (each hour-of-day bucket has 3 observations from then on). */
export const MIN_HISTORY_MS = 3 * DAY_MS;
/** History read per series: the last 4 weeks (hour-of-week buckets get 4 observations, one odd week cannot move the median far). */
export const LEARN_WINDOW_MS = 28 * DAY_MS;

/**
 * Sensitivity → z threshold (|value − centre| / spread). Measured with
 * bench/anomalies.mjs on 400 seeded series (daily + weekly sine + Gaussian
 * noise, sampled each minute, 4 weeks learned, one week scored on 5-minute
 * means): no false positive in 571,510 windows at any of the three, and every
 * sustained step of 6 spreads flagged, 5 minutes after it began (median; p90
 * 25 min at low, 5 min at medium and high). The band is wider than the noise
 * of a 5-minute mean (its within-hour part is close to the σ of single
 * samples), so these thresholds are stricter than a normal table says; the
 * tests hold the stated ceiling (none at low, ≤ 0.1 % at medium, ≤ 2 % at
 * high) on their own seeded series. Medium is the default: high flags
 * smaller shifts on series noisier than the synthetic set.
 */
export const Z_THRESHOLD: Readonly<Record<AnomalySensitivity, number>> = { low: 6, medium: 4.5, high: 3 };

/** MAD × 1.4826 estimates the standard deviation of normally distributed data (1 / Φ⁻¹(3/4)). */
export const MAD_SCALE = 1.4826;
/** No bucket's spread is below this share of the median spread over the series' buckets. */
export const POOLED_SPREAD_SHARE = 0.5;
/** The spread is at least 2 % of the centre's magnitude: a flat series at 500 MB does not flag a 1 MB wiggle. */
export const RELATIVE_FLOOR = 0.02;

/**
 * The unit of a series: the metric catalogue's (main/common/metrics.ts), else
 * the name's last word — Prometheus naming puts the unit last (`_bytes`,
 * `_seconds`), and the console's own names after the last colon (`:ratio`).
 */
export function unitOf(name: string): string {
  const known = metricInfo(name)?.unit;
  if (known) return known;
  if (/[_:]bytes_per_second$/.test(name)) return 'bytes_per_second';
  return /[_:]([a-z]+)(?:_total)?$/.exec(name)?.[1] ?? '';
}

/**
 * The spread's absolute floor by unit, so a series that is flat at zero (no
 * errors, an idle disk) never divides by zero and a single tiny blip does not
 * count as unusual: a page of memory or I/O, 1 % of a CPU or of a share, 5 ms.
 */
const ABSOLUTE_FLOORS: Readonly<Record<string, number>> = {
  ratio: 0.01,
  percent: 1,
  cores: 0.01,
  bytes: 4096,
  bytes_per_second: 4096,
  seconds: 0.005,
  celsius: 0.5,
  load: 0.05,
};

export function absoluteFloor(name: string): number {
  return ABSOLUTE_FLOORS[unitOf(name)] ?? 0.01;
}

/** Units whose values cannot be negative: the normal range stops at 0 rather than show "−0.5 % – 8.5 %". */
const NON_NEGATIVE_UNITS: ReadonlySet<string> = new Set(['ratio', 'percent', 'cores', 'bytes', 'bytes_per_second', 'per_second', 'seconds', 'count', 'load']);

/** The normal range at a z threshold: centre ± threshold × spread, cut at 0 for a unit that cannot go below it. */
export function normalRange(name: string, centre: number, spread: number, threshold: number): [number, number] {
  const low = centre - threshold * spread;
  return [NON_NEGATIVE_UNITS.has(unitOf(name)) ? Math.max(0, low) : low, centre + threshold * spread];
}

/** The UTC bucket of an instant: hour of day 0–23, or hour of week 0–167 counted from Sunday 00:00 UTC. */
export function bucketOf(t: number, kind: Exclude<BaselineKind, 'learning'>): number {
  const d = new Date(t);
  const hour = d.getUTCHours();
  return kind === 'hour_of_day' ? hour : d.getUTCDay() * 24 + hour;
}

export function bucketCount(kind: Exclude<BaselineKind, 'learning'>): number {
  return kind === 'hour_of_day' ? 24 : 168;
}

/** One hour rollup of a series: [hour start, avg, min, max] (the store's Point). */
export type HourRow = readonly [number, number, number, number];

/**
 * A learned baseline, compact: centre, spread and observations per bucket in
 * one Float32Array of 3 × buckets (24 or 168); 2 KB for an hour-of-week series.
 */
export interface Baseline {
  readonly kind: BaselineKind;
  /** First and last hour learned from (ms). */
  readonly firstT: number;
  readonly lastT: number;
  /** [centre, spread, observations] per bucket; empty while learning. */
  readonly stats: Float32Array;
}

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  values.sort((a, b) => a - b);
  const mid = values.length >> 1;
  return values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

/**
 * Learns a baseline from a series' hour rollups (ascending or not). Per
 * bucket: the centre is the median of the hour means; the spread combines
 * how much the hour means differ from week to week (MAD × 1.4826) with how
 * much the value moves inside a typical hour of that bucket (the median of
 * max − min over 4: the range of ~60 normal samples is about 4.6 σ, so this
 * is close to σ of single samples), since the window scored is a few
 * minutes, not a whole hour: sqrt(between² + within²), floored (see above).
 */
export function learnBaseline(name: string, rows: readonly HourRow[], now: number): Baseline {
  let firstT = Infinity;
  let lastT = -Infinity;
  for (const r of rows) {
    if (!Number.isFinite(r[1])) continue;
    if (r[0] < firstT) firstT = r[0];
    if (r[0] > lastT) lastT = r[0];
  }
  if (!(lastT >= firstT)) return { kind: 'learning', firstT: now, lastT: now, stats: new Float32Array(0) };
  const span = lastT + HOUR_MS - firstT;
  const kind: BaselineKind = span >= WEEKLY_MIN_HISTORY_MS ? 'hour_of_week' : span >= MIN_HISTORY_MS ? 'hour_of_day' : 'learning';
  if (kind === 'learning') return { kind, firstT, lastT, stats: new Float32Array(0) };
  const n = bucketCount(kind);
  const means: number[][] = Array.from({ length: n }, () => []);
  const ranges: number[][] = Array.from({ length: n }, () => []);
  for (const r of rows) {
    if (!Number.isFinite(r[1])) continue;
    const b = bucketOf(r[0], kind);
    means[b]!.push(r[1]);
    ranges[b]!.push(Number.isFinite(r[3]) && Number.isFinite(r[2]) ? r[3] - r[2] : 0);
  }
  const stats = new Float32Array(3 * n);
  const abs = absoluteFloor(name);
  for (let b = 0; b < n; b++) {
    const m = means[b]!;
    if (m.length === 0) {
      stats[3 * b] = NaN;
      continue;
    }
    const centre = median(m.slice());
    const mad = median(m.map((v) => Math.abs(v - centre))) * MAD_SCALE;
    const within = median(ranges[b]!) / 4;
    const spread = Math.max(Math.sqrt(mad * mad + within * within), RELATIVE_FLOOR * Math.abs(centre), abs);
    stats[3 * b] = centre;
    stats[3 * b + 1] = spread;
    stats[3 * b + 2] = m.length;
  }
  // A bucket's spread comes from 3 or 4 observations: by chance they can sit
  // close together and make a band far narrower than the series' noise. No
  // bucket's spread is below half the median spread of the series' buckets
  // (pooling across buckets, the series' noise does not change hour to hour).
  const spreads: number[] = [];
  for (let b = 0; b < n; b++) if (Number.isFinite(stats[3 * b]!)) spreads.push(stats[3 * b + 1]!);
  const pooled = POOLED_SPREAD_SHARE * median(spreads);
  for (let b = 0; b < n; b++) if (Number.isFinite(stats[3 * b]!) && stats[3 * b + 1]! < pooled) stats[3 * b + 1] = pooled;
  return { kind, firstT, lastT, stats };
}

/** The baseline's bucket at an instant, undefined while learning or for a bucket never observed. */
export function bucketAt(baseline: Baseline, t: number): { centre: number; spread: number; observations: number; bucket: number } | undefined {
  if (baseline.kind === 'learning') return undefined;
  const bucket = bucketOf(t, baseline.kind);
  const centre = baseline.stats[3 * bucket]!;
  if (!Number.isFinite(centre)) return undefined;
  return { centre, spread: baseline.stats[3 * bucket + 1]!, observations: baseline.stats[3 * bucket + 2]!, bucket };
}

/** The baseline at an instant as the contract shows it, with the normal range at a z threshold. */
export function baselineView(name: string, baseline: Baseline, t: number, threshold: number): BaselineView {
  const b = bucketAt(baseline, t);
  const learnedFromMs = baseline.kind === 'learning' ? Math.max(0, baseline.lastT + HOUR_MS - baseline.firstT) : baseline.lastT + HOUR_MS - baseline.firstT;
  if (!b) return { kind: 'learning', centre: 0, spread: 0, low: 0, high: 0, learnedFromMs: Math.max(0, learnedFromMs), observations: 0 };
  const d = new Date(t);
  const [low, high] = normalRange(name, b.centre, b.spread, threshold);
  return {
    kind: baseline.kind,
    hour: d.getUTCHours(),
    ...(baseline.kind === 'hour_of_week' ? { weekday: d.getUTCDay() } : {}),
    centre: b.centre,
    spread: b.spread,
    low,
    high,
    learnedFromMs,
    observations: b.observations,
  };
}

/** Robust z of a value against the baseline at t: (value − centre) / spread; 0 without a verdict. */
export function zScore(baseline: Baseline, t: number, value: number): number {
  const b = bucketAt(baseline, t);
  if (!b || !Number.isFinite(value)) return 0;
  return (value - b.centre) / b.spread;
}

/** Whether a z counts as unusual in a direction at a threshold. */
export function isAnomalous(z: number, threshold: number, direction: 'up' | 'down' | 'both' = 'both'): boolean {
  if (direction === 'up') return z >= threshold;
  if (direction === 'down') return z <= -threshold;
  return Math.abs(z) >= threshold;
}

/** Bytes a baseline holds (its typed array and the object around it). */
export function baselineBytes(baseline: Baseline): number {
  return baseline.stats.byteLength + 64;
}
