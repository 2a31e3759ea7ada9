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

/** Closes each segment of a line path down to the baseline, for a light fill under it. Pure. */
export function sparklineArea(d: string, height: number): string {
  return d.replace(/M([\d.-]+),([\d.-]+)((?:L[\d.-]+,[\d.-]+)*)/g, (_whole, x0: string, y0: string, rest: string) => {
    const last = /L([\d.-]+),[\d.-]+$/.exec(rest)?.[1] ?? x0;
    return `M${x0},${height}L${x0},${y0}${rest}L${last},${height}Z`;
  });
}

// 240 x 40: big enough to read a trend (a spike, a climb, a gap) at a glance in a table row.
export const Sparkline = memo(function Sparkline({ points, from, to, max, stepMs, width = 240, height = 40 }: SparklineProps) {
  const top = max ?? Math.max(0, ...points.map((p) => p[1]));
  const d = sparklinePath(points, from, to, top, stepMs, width, height);
  return (
    <svg className="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} aria-hidden="true">
      <line x1="0" x2={width} y1={height - 0.5} y2={height - 0.5} stroke="var(--grid)" strokeWidth="1" />
      <path d={sparklineArea(d, height)} fill="var(--accent)" fillOpacity="0.15" stroke="none" />
      <path className="sparkline-line" d={d} fill="none" stroke="var(--accent)" strokeWidth="1.5" strokeLinejoin="round" />
    </svg>
  );
});
