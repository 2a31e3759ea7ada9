// A tiny inline chart for table rows: SVG polyline, gaps (missing buckets)
// break the line, scaled to the row's own range or to a shared maximum.
import { memo } from 'react';

export interface SparklineProps {
  points: readonly (readonly [number, number])[];
  from: number;
  to: number;
  /** Shared top of the scale (so rows compare); default: this row's max. */
  max?: number;
  stepMs: number;
  width?: number;
  height?: number;
}

/** SVG path data; a gap longer than 1.5 steps starts a new segment. Pure. */
export function sparklinePath(points: SparklineProps['points'], from: number, to: number, max: number, stepMs: number, width: number, height: number): string {
  if (points.length === 0 || to <= from) return '';
  const top = max > 0 ? max : 1;
  const x = (t: number) => ((t - from) / (to - from)) * width;
  const y = (v: number) => height - 1 - (Math.max(0, v) / top) * (height - 2);
  let d = '';
  let prevT: number | undefined;
  for (const [t, v] of points) {
    const cmd = prevT === undefined || t - prevT > stepMs * 1.5 ? 'M' : 'L';
    d += `${cmd}${x(t).toFixed(1)},${y(v).toFixed(1)}`;
    prevT = t;
  }
  return d;
}

export const Sparkline = memo(function Sparkline({ points, from, to, max, stepMs, width = 160, height = 28 }: SparklineProps) {
  const top = max ?? Math.max(0, ...points.map((p) => p[1]));
  const d = sparklinePath(points, from, to, top, stepMs, width, height);
  return (
    <svg className="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} aria-hidden="true">
      <path d={d} fill="none" stroke="var(--accent)" strokeWidth="1.5" strokeLinejoin="round" />
    </svg>
  );
});
