import { describe, expect, it } from 'vitest';
import type { Point } from '../../../main/common/contract';
import { buildChartRows, maxDrawnValue } from './chartRows';

const p = (t: number, v: number): Point => [t, v, v, v];

describe('buildChartRows', () => {
  it('lays one series out as rows', () => {
    const rows = buildChartRows([{ stepMs: 10, points: [p(0, 1), p(10, 2), p(20, 3)] }]);
    expect(rows).toEqual([
      { t: 0, s0: 1 },
      { t: 10, s0: 2 },
      { t: 20, s0: 3 },
    ]);
  });

  it('breaks the line where buckets are missing for more than two steps', () => {
    const rows = buildChartRows([{ stepMs: 10, points: [p(0, 1), p(10, 2), p(100, 5), p(110, 6)] }]);
    expect(rows.map((r) => r.t)).toEqual([0, 10, 20, 100, 110]);
    expect(rows[2]).toEqual({ t: 20, s0: null });
  });

  it('does not break on a single missing bucket (jitter)', () => {
    const rows = buildChartRows([{ stepMs: 10, points: [p(0, 1), p(20, 3)] }]);
    expect(rows.every((r) => r.s0 !== null)).toBe(true);
    expect(rows).toHaveLength(2);
  });

  it('aligns series of different lengths: null outside a series, interpolated inside a short hole', () => {
    const rows = buildChartRows([
      { stepMs: 10, points: [p(0, 0), p(10, 10), p(20, 20), p(30, 30)] },
      { stepMs: 10, points: [p(10, 100), p(30, 300)] },
    ]);
    expect(rows).toEqual([
      { t: 0, s0: 0, s1: null },
      { t: 10, s0: 10, s1: 100 },
      { t: 20, s0: 20, s1: 200 },
      { t: 30, s0: 30, s1: 300 },
    ]);
  });

  it('keeps a gap in one series when another series has points inside it', () => {
    const rows = buildChartRows([
      { stepMs: 10, points: [p(0, 1), p(10, 1), p(20, 1), p(30, 1), p(40, 1)] },
      { stepMs: 10, points: [p(0, 5), p(40, 5)] },
    ]);
    expect(rows.map((r) => r.s1)).toEqual([5, null, null, null, 5]);
  });

  it('handles no series and empty series', () => {
    expect(buildChartRows([])).toEqual([]);
    expect(buildChartRows([{ stepMs: 10, points: [] }])).toEqual([]);
  });
});

describe('maxDrawnValue', () => {
  const rows = buildChartRows([
    { stepMs: 1, points: [p(0, 0.2), p(1, 0.5)] },
    { stepMs: 1, points: [p(0, 0.4), p(1, 0.1)] },
  ]);
  it('takes the largest single value for lines and the largest sum for stacks', () => {
    expect(maxDrawnValue(rows, 2, false)).toBe(0.5);
    expect(maxDrawnValue(rows, 2, true)).toBeCloseTo(0.6);
  });
  it('ignores hidden series', () => {
    expect(maxDrawnValue(rows, 2, false, new Set([0]))).toBe(0.4);
  });
});

describe('gaps for sparse series', () => {
  it('a series sampled every 60 s at 10-s buckets is a line, and its outage still a gap', async () => {
    const { buildChartRows: build, gapThresholdMs } = await import('./chartRows');
    const pts: [number, number, number, number][] = [];
    for (let t = 0; t <= 600_000; t += 60_000) pts.push([t, 1, 1, 1]);
    for (let t = 1_800_000; t <= 2_400_000; t += 60_000) pts.push([t, 2, 2, 2]);
    expect(gapThresholdMs(pts, 10_000)).toBe(150_000);
    const rows = build([{ points: pts, stepMs: 10_000 }]);
    // No null between two neighbouring minutes…
    expect(rows.filter((r) => r.t > 0 && r.t < 600_000 && r.s0 === null)).toEqual([]);
    // …and one inside the 20-minute outage.
    expect(rows.some((r) => r.t > 600_000 && r.t < 1_800_000 && r.s0 === null)).toBe(true);
  });
  it('says a point stands for the source’s minute, not the 10-s bucket, and for the bucket when that is longer', async () => {
    const { pointSpacingMs } = await import('./chartRows');
    const minutes: [number, number, number, number][] = [];
    for (let t = 0; t <= 600_000; t += 60_000) minutes.push([t, 1, 1, 1]);
    expect(pointSpacingMs(minutes, 10_000)).toBe(60_000);
    expect(pointSpacingMs(minutes, 3_600_000)).toBe(3_600_000);
    // An outage does not stretch it: the usual spacing is the median.
    const withOutage = [...minutes, [2_400_000, 1, 1, 1] as [number, number, number, number]];
    expect(pointSpacingMs(withOutage, 10_000)).toBe(60_000);
    // Too few points to tell: the bucket.
    expect(pointSpacingMs(minutes.slice(0, 3), 10_000)).toBe(10_000);
  });
});

describe('isolated points', () => {
  it('are the rows with a value between two without one, at the ends too', async () => {
    const { buildChartRows: build, isolatedRows } = await import('./chartRows');
    const lone: [number, number, number, number][] = [[0, 1, 1, 1]];
    expect([...isolatedRows(build([{ points: lone, stepMs: 10_000 }]), 's0')]).toEqual([0]);
    // A line, a 20-minute gap, one point, another gap, a line: only the middle one.
    const pts: [number, number, number, number][] = [];
    for (let t = 0; t <= 300_000; t += 60_000) pts.push([t, 1, 1, 1]);
    pts.push([1_500_000, 2, 2, 2]);
    for (let t = 2_700_000; t <= 3_000_000; t += 60_000) pts.push([t, 3, 3, 3]);
    const rows = build([{ points: pts, stepMs: 10_000 }]);
    expect([...isolatedRows(rows, 's0')].map((i) => rows[i]!.t)).toEqual([1_500_000]);
    // Another series' rows in between do not make a point less alone.
    const two = build([{ points: [[0, 1, 1, 1]], stepMs: 10_000 }, { points: pts, stepMs: 10_000 }]);
    expect([...isolatedRows(two, 's0')].map((i) => two[i]!.t)).toEqual([0]);
  });
});
