// Turns range-query series into the row form recharts draws, keeping gaps as
// gaps. The store leaves empty buckets out, so two points far apart would be
// joined by a straight line across an outage; an explicit null between them
// breaks the line (with connectNulls={false}).
import type { Point } from '../../../main/common/contract';

export interface RowSeries {
  readonly points: readonly Point[];
  readonly stepMs: number;
}

/** `t` plus one value per series under `s0`, `s1`, …; null where that series has no data. */
export type ChartRow = { t: number } & Record<string, number | null>;

/** Missing buckets wider than this many steps are drawn as gaps. */
export const GAP_STEPS = 2;

export function seriesKeyAt(index: number): string {
  return `s${index}`;
}

function isGap(prevT: number, nextT: number, gapMs: number): boolean {
  return nextT - prevT > gapMs;
}

const MIN_DELTAS_FOR_SPACING = 4;

/** The series' usual spacing between points (the median), or 0 when too few points say nothing about it. */
function usualSpacingMs(points: readonly Point[]): number {
  if (points.length <= MIN_DELTAS_FOR_SPACING) return 0;
  const deltas: number[] = [];
  for (let i = 1; i < points.length; i++) deltas.push(points[i]![0] - points[i - 1]![0]);
  deltas.sort((a, b) => a - b);
  return deltas[Math.floor(deltas.length / 2)]!;
}

/**
 * The spacing beyond which a series has a gap: two buckets, or 2.5 times the
 * series' own usual spacing, whichever is longer. A host polled every 60 s has
 * a point every sixth 10-s bucket of a 1-hour chart; without this its line
 * would be all gaps, while a real outage still breaks it.
 */
export function gapThresholdMs(points: readonly Point[], stepMs: number): number {
  return Math.max(GAP_STEPS * stepMs, 2.5 * usualSpacingMs(points));
}

/**
 * What one point of the chart stands for: the store's bucket, or the source's
 * own period when that is longer (a cloud metric published once a minute, a
 * host polled every 60 s) — the bucket alone would claim a finer resolution
 * than the data has.
 */
export function pointSpacingMs(points: readonly Point[], stepMs: number): number {
  return Math.max(stepMs, usualSpacingMs(points));
}

/**
 * Merge series on their bucket times. A series with no point at a row's time
 * gets its neighbours' linear interpolation when they are close (the line
 * passes there anyway), and null inside a gap or outside its own data.
 */
export function buildChartRows(series: readonly RowSeries[]): ChartRow[] {
  const times = new Set<number>();
  const gaps = series.map((s) => gapThresholdMs(s.points, s.stepMs));
  series.forEach((s, si) => {
    for (let i = 0; i < s.points.length; i++) {
      const t = s.points[i]![0];
      times.add(t);
      const next = s.points[i + 1];
      // One null row inside each gap is enough to break the line.
      if (next && isGap(t, next[0], gaps[si]!)) times.add(t + s.stepMs);
    }
  });
  const sorted = [...times].sort((a, b) => a - b);
  const rows: ChartRow[] = sorted.map((t) => ({ t }) as ChartRow);

  series.forEach((s, si) => {
    const key = seriesKeyAt(si);
    const pts = s.points;
    let j = 0; // index of the first point with time >= row time
    for (const row of rows) {
      while (j < pts.length && pts[j]![0] < row.t) j++;
      const at = pts[j];
      if (at && at[0] === row.t) {
        row[key] = at[1];
        continue;
      }
      const prev = pts[j - 1];
      if (prev && at && !isGap(prev[0], at[0], gaps[si]!)) {
        const f = (row.t - prev[0]) / (at[0] - prev[0]);
        row[key] = prev[1] + f * (at[1] - prev[1]);
      } else {
        row[key] = null;
      }
    }
  });
  return rows;
}

/**
 * Rows where a series has a value but neither neighbouring row does: a line
 * needs two points, so without a dot such a point is not drawn at all (the
 * first sample of a rate, a lone datapoint between gaps) while the legend
 * already shows its value.
 */
export function isolatedRows(rows: readonly ChartRow[], key: string): Set<number> {
  const out = new Set<number>();
  const has = (i: number) => typeof rows[i]?.[key] === 'number';
  for (let i = 0; i < rows.length; i++) if (has(i) && !has(i - 1) && !has(i + 1)) out.add(i);
  return out;
}

/** The largest value drawn: per row for lines, the sum of a row for stacked areas. */
export function maxDrawnValue(rows: readonly ChartRow[], seriesCount: number, stacked: boolean, hidden: ReadonlySet<number> = new Set()): number {
  let max = 0;
  for (const row of rows) {
    let sum = 0;
    for (let i = 0; i < seriesCount; i++) {
      if (hidden.has(i)) continue;
      const v = row[seriesKeyAt(i)];
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      if (stacked) sum += v;
      else if (v > max) max = v;
    }
    if (stacked && sum > max) max = sum;
  }
  return max;
}
