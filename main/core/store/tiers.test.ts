import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CHUNK_WINDOW_MS,
  DAY_MS,
  chunkWindowOffset,
  chunkWindowStart,
  DEFAULT_RETENTION,
  HOUR_MS,
  MINUTE_MS,
  SECOND_MS,
  addRows,
  hourRollupTarget,
  minuteRollupTarget,
  niceStepMs,
  planBuckets,
  planSegments,
  retentionCutoffs,
  tierCoverage,
  tierForStep,
  toPointList,
  toPoints,
  PointAccumulator,
  type Aggregate,
  type TierMarks,
} from './tiers.js';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

describe('niceStepMs', () => {
  it('rounds up to the next nice width, within a factor of 3.5', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 400 * DAY_MS, noNaN: true }), (needed) => {
        const step = niceStepMs(needed);
        expect(step).toBeGreaterThanOrEqual(needed);
        expect(step / needed).toBeLessThanOrEqual(3.5);
      }),
    );
  });

  it('keeps widths of a minute or more whole in minutes and widths of an hour or more whole in hours', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 400 * DAY_MS, noNaN: true }), (needed) => {
        const step = niceStepMs(needed);
        if (step >= MINUTE_MS) expect(step % MINUTE_MS === 0 || HOUR_MS % step === 0).toBe(true);
        if (step >= MINUTE_MS && step < HOUR_MS) expect(HOUR_MS % step).toBe(0);
        if (step >= HOUR_MS) expect(step % HOUR_MS).toBe(0);
      }),
    );
  });

  it('picks exact ladder values', () => {
    expect(niceStepMs(900)).toBe(SECOND_MS);
    expect(niceStepMs(3600)).toBe(5 * SECOND_MS);
    expect(niceStepMs(86_400)).toBe(2 * MINUTE_MS);
    expect(niceStepMs(HOUR_MS)).toBe(HOUR_MS);
    expect(niceStepMs(HOUR_MS + 1)).toBe(2 * HOUR_MS);
    expect(niceStepMs(31 * DAY_MS)).toBe(60 * DAY_MS);
  });
});

describe('planBuckets: tier choice at 1000 points', () => {
  const cases: Array<[string, number, string, number]> = [
    ['15 min', 15 * MINUTE_MS, 'raw', SECOND_MS],
    ['1 h', HOUR_MS, 'raw', 5 * SECOND_MS],
    ['24 h', DAY_MS, '1m', 2 * MINUTE_MS],
    ['7 d', 7 * DAY_MS, '1m', 15 * MINUTE_MS],
    ['30 d', 30 * DAY_MS, '1h', HOUR_MS],
  ];
  for (const [label, span, tier, step] of cases) {
    it(`${label} → ${tier}, step ${step} ms`, () => {
      const plan = planBuckets(NOW - span, NOW, 1000);
      expect(plan.tier).toBe(tier);
      expect(plan.stepMs).toBe(step);
      expect(plan.start % step).toBe(0);
      expect(plan.start).toBeLessThanOrEqual(NOW - span);
      expect(plan.end).toBeGreaterThan(NOW);
      const buckets = (plan.end - plan.start) / step;
      expect(buckets).toBeLessThanOrEqual(1001);
      expect(buckets).toBeGreaterThanOrEqual(1000 / 3.5);
    });
  }

  it('uses the 1-hour tier once a bucket is an hour or more, even below 1000 points', () => {
    expect(planBuckets(NOW - 7 * DAY_MS, NOW, 100).tier).toBe('1h');
    expect(planBuckets(NOW - 7 * DAY_MS, NOW, 100).stepMs).toBe(2 * HOUR_MS);
  });

  it('rejects nonsense ranges with a clear error', () => {
    expect(() => planBuckets(NOW, NOW, 100)).toThrow(/to > from/);
    expect(() => planBuckets(NOW, NOW - 1, 100)).toThrow(/to > from/);
    expect(() => planBuckets(Number.NaN, NOW, 100)).toThrow(/finite/);
    expect(() => planBuckets(NOW - HOUR_MS, NOW, 0)).toThrow(/maxPoints/);
  });
});

function marks(partial: Partial<TierMarks>): TierMarks {
  return { rawFrom: 0, m1From: 0, rolled1m: 0, h1From: 0, rolled1h: 0, ...partial };
}

describe('planSegments', () => {
  it('serves a 24-hour chart from minute rollups and the unrolled recent minutes from raw', () => {
    const plan = planBuckets(NOW - DAY_MS, NOW, 1000);
    const rolled1m = NOW - 3 * MINUTE_MS;
    const segments = planSegments(plan, tierCoverage(marks({ rolled1m, rolled1h: NOW - HOUR_MS })));
    expect(segments).toEqual([
      { tier: '1m', from: plan.start, to: rolled1m },
      { tier: 'raw', from: rolled1m, to: plan.end },
    ]);
  });

  it('serves a 30-day chart from hours, then minutes, then raw', () => {
    const plan = planBuckets(NOW - 30 * DAY_MS, NOW, 1000);
    const rolled1h = NOW - HOUR_MS;
    const rolled1m = NOW - MINUTE_MS;
    const segments = planSegments(plan, tierCoverage(marks({ rolled1m, rolled1h })));
    expect(segments.map((s) => s.tier)).toEqual(['1h', '1m', 'raw']);
    expect(segments[0]).toEqual({ tier: '1h', from: plan.start, to: rolled1h });
    expect(segments[1]).toEqual({ tier: '1m', from: rolled1h, to: rolled1m });
    expect(segments[2]).toEqual({ tier: 'raw', from: rolled1m, to: plan.end });
  });

  it('never uses a tier coarser than the bucket where a fitting one holds the data', () => {
    const plan = planBuckets(NOW - 15 * MINUTE_MS, NOW, 1000);
    const segments = planSegments(plan, tierCoverage(marks({ rolled1m: NOW - MINUTE_MS, rolled1h: NOW - HOUR_MS })));
    expect(segments).toEqual([{ tier: 'raw', from: plan.start, to: plan.end }]);
  });

  it('fills in from a coarser tier where the fitting tier has been cut by retention', () => {
    const from = NOW - 3 * DAY_MS;
    const plan = planBuckets(from, from + 15 * MINUTE_MS, 1000);
    const rawFrom = NOW - 2 * DAY_MS + 17; // raw retention cut it
    const segments = planSegments(
      plan,
      tierCoverage(marks({ rawFrom, m1From: NOW - 20 * DAY_MS, rolled1m: NOW - MINUTE_MS, rolled1h: NOW - HOUR_MS })),
    );
    expect(segments).toEqual([{ tier: '1m', from: plan.start, to: plan.end }]);
  });

  it('rounds a cut tier start up so a coarser row does not overlap it', () => {
    const coverage = tierCoverage(marks({ rawFrom: NOW + 17, m1From: NOW + 17, rolled1m: NOW + HOUR_MS, rolled1h: NOW + HOUR_MS }));
    expect(coverage.raw.from).toBe(NOW + MINUTE_MS);
    expect(coverage['1m'].from).toBe(NOW + HOUR_MS);
  });

  it('returns nothing where no tier holds data', () => {
    const plan = planBuckets(NOW - HOUR_MS, NOW, 100);
    const segments = planSegments(
      plan,
      tierCoverage(marks({ rawFrom: NOW + HOUR_MS, m1From: NOW + HOUR_MS, rolled1m: NOW + HOUR_MS, h1From: NOW + HOUR_MS, rolled1h: NOW + HOUR_MS })),
    );
    expect(segments).toEqual([]);
  });
});

describe('addRows and toPoints', () => {
  it('merge rows into buckets with the envelope from min/max, not from averages', () => {
    const buckets = new Map<number, Aggregate>();
    addRows(buckets, 2 * MINUTE_MS, [
      [0, 1, 9, 10, 2], // avg 5
      [MINUTE_MS, 4, 6, 15, 3], // avg 5
      [2 * MINUTE_MS, 7, 7, 7, 1],
      [3 * MINUTE_MS, 0, 0, 0, 0], // no values: skipped
    ]);
    expect(toPoints(buckets)).toEqual([
      [0, 25 / 5, 1, 9],
      [2 * MINUTE_MS, 7, 7, 7],
    ]);
  });

  it('equal a brute-force fold of random samples', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 10 * HOUR_MS }), fc.double({ min: -1e6, max: 1e6, noNaN: true })), {
          minLength: 1,
          maxLength: 200,
        }),
        fc.constantFrom(MINUTE_MS, 5 * MINUTE_MS, HOUR_MS),
        (samples, step) => {
          const buckets = new Map<number, Aggregate>();
          addRows(
            buckets,
            step,
            samples.map(([t, v]) => [t, v, v, v, 1] as const),
          );
          const points = toPoints(buckets);
          const starts = [...new Set(samples.map(([t]) => Math.floor(t / step) * step))].sort((a, b) => a - b);
          expect(points.map((p) => p[0])).toEqual(starts);
          for (const [t, avg, min, max] of points) {
            const values = samples.filter(([st]) => st >= t && st < t + step).map(([, v]) => v);
            expect(min).toBe(Math.min(...values));
            expect(max).toBe(Math.max(...values));
            expect(avg).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 6);
          }
        },
      ),
    );
  });
});

describe('rollup targets', () => {
  it('finishes a minute once a later sample arrived', () => {
    const t = Date.UTC(2025, 0, 1, 10, 5, 3);
    expect(minuteRollupTarget(t, t, 2 * MINUTE_MS)).toBe(Date.UTC(2025, 0, 1, 10, 5, 0));
  });

  it('finishes the minutes of a quiet series after the grace period', () => {
    const last = Date.UTC(2025, 0, 1, 10, 5, 3);
    expect(minuteRollupTarget(last, last + MINUTE_MS, 2 * MINUTE_MS)).toBe(Date.UTC(2025, 0, 1, 10, 5, 0));
    expect(minuteRollupTarget(last, Date.UTC(2025, 0, 1, 10, 8, 0), 2 * MINUTE_MS)).toBe(Date.UTC(2025, 0, 1, 10, 6, 0));
  });

  it('finishes an hour once all its minutes are rolled up', () => {
    expect(hourRollupTarget(Date.UTC(2025, 0, 1, 10, 59, 0))).toBe(Date.UTC(2025, 0, 1, 10, 0, 0));
    expect(hourRollupTarget(Date.UTC(2025, 0, 1, 11, 0, 0))).toBe(Date.UTC(2025, 0, 1, 11, 0, 0));
  });
});

describe('chunk windows', () => {
  it('are ten whole minutes, shifted per series, and contain their times', () => {
    const t = Date.UTC(2025, 2, 10, 13, 37, 12, 345);
    for (let id = 1; id <= 25; id++) {
      const start = chunkWindowStart(t, id);
      expect(start % MINUTE_MS).toBe(0);
      expect(start).toBeLessThanOrEqual(t);
      expect(t).toBeLessThan(start + CHUNK_WINDOW_MS);
      expect(chunkWindowStart(start, id)).toBe(start);
      expect(chunkWindowStart(start - 1, id)).toBe(start - CHUNK_WINDOW_MS);
    }
    const starts = new Set(Array.from({ length: 10 }, (_, id) => chunkWindowStart(t, id) % CHUNK_WINDOW_MS));
    expect(starts.size).toBe(10);
  });
});

describe('PointAccumulator', () => {
  it('gives the same points as folding the rows into a map and sorting, for rows in time order', () => {
    const row = fc.tuple(fc.integer({ min: 0, max: 30 }), fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 1e3, noNaN: true }), fc.integer({ min: 0, max: 20 }));
    fc.assert(
      fc.property(fc.constantFrom(1, 1000, MINUTE_MS, HOUR_MS), fc.array(row, { maxLength: 200 }), (step, parts) => {
        let t = NOW;
        const rows: Array<[number, number, number, number, number]> = parts.map(([gap, min, spread, count]) => {
          t += gap * 997;
          return [t, min, min + spread, (min + spread / 2) * count, count];
        });
        const acc = new PointAccumulator(step, 4);
        for (const r of rows) acc.add(...r);
        const buckets = new Map<number, Aggregate>();
        addRows(buckets, step, rows);
        expect(toPointList(acc.points())).toEqual(toPoints(buckets));
      }),
    );
  });

  it('refuses a row of an earlier bucket than the one it is filling', () => {
    const acc = new PointAccumulator(MINUTE_MS);
    acc.addValue(NOW + MINUTE_MS, 1);
    expect(() => acc.addValue(NOW, 1)).toThrow(/after one of/);
  });
});

describe('the ladder of chart widths', () => {
  const ladder = [
    1, 2, 5, 10, 20, 50, 100, 200, 500,
    SECOND_MS, 2 * SECOND_MS, 5 * SECOND_MS, 10 * SECOND_MS, 15 * SECOND_MS, 30 * SECOND_MS,
    MINUTE_MS, 2 * MINUTE_MS, 5 * MINUTE_MS, 10 * MINUTE_MS, 15 * MINUTE_MS, 30 * MINUTE_MS,
    HOUR_MS, 2 * HOUR_MS, 3 * HOUR_MS, 6 * HOUR_MS, 12 * HOUR_MS,
    DAY_MS, 2 * DAY_MS, 7 * DAY_MS, 14 * DAY_MS, 30 * DAY_MS,
  ];

  it('has exactly these widths: each is its own nice width, and a millisecond more is the next', () => {
    ladder.forEach((step, i) => {
      expect(niceStepMs(step)).toBe(step);
      expect(niceStepMs(step + 0.5)).toBe(ladder[i + 1] ?? 60 * DAY_MS);
    });
    // Nothing needed, or nonsense: the finest width.
    expect(niceStepMs(0)).toBe(1);
    expect(niceStepMs(Number.NaN)).toBe(1);
    expect(niceStepMs(0.3)).toBe(1);
  });

  it('reads each width from the coarsest tier whose rows fit in it', () => {
    expect([1, 59_999, MINUTE_MS, HOUR_MS - 1, HOUR_MS, DAY_MS].map(tierForStep)).toEqual(['raw', 'raw', '1m', '1m', '1h', '1h']);
  });

  it('allows a one-point chart', () => {
    expect(planBuckets(NOW - HOUR_MS, NOW, 1)).toMatchObject({ tier: '1h', stepMs: HOUR_MS });
    expect(() => planBuckets(NOW - HOUR_MS, NOW, 0.5)).toThrow(/maxPoints >= 1/);
  });
});

describe('retention cutoffs', () => {
  it('are now less each tier\'s retention; the defaults keep 48 hours raw, 30 days of minutes and a year of hours', () => {
    expect(DEFAULT_RETENTION).toEqual({ rawHours: 48, minuteDays: 30, hourDays: 365 });
    expect(retentionCutoffs(NOW, { rawHours: 2, minuteDays: 3, hourDays: 4 })).toEqual({ raw: NOW - 2 * HOUR_MS, '1m': NOW - 3 * DAY_MS, '1h': NOW - 4 * DAY_MS });
  });
});

describe('segments at their edges', () => {
  it('serves a bucket from where a tier starts, not a millisecond later, and merges neighbouring runs of one tier', () => {
    const marks: TierMarks = { rawFrom: NOW - 2 * HOUR_MS, m1From: NOW - 5 * DAY_MS, rolled1m: NOW - 10 * MINUTE_MS, h1From: NOW - 30 * DAY_MS, rolled1h: NOW - HOUR_MS };
    const coverage = tierCoverage(marks);
    // A 1-minute step over the last 3 hours: minutes up to rolled1m, then raw.
    const plan = planBuckets(NOW - 3 * HOUR_MS, NOW, 180);
    expect(plan.stepMs).toBe(MINUTE_MS);
    expect(planSegments(plan, coverage)).toEqual([
      { tier: '1m', from: plan.start, to: NOW - 10 * MINUTE_MS },
      { tier: 'raw', from: NOW - 10 * MINUTE_MS, to: plan.end },
    ]);
    // A range starting exactly where the minute tier starts is served by it from its first bucket.
    const fromStart = planBuckets(coverage['1m'].from, coverage['1m'].from + HOUR_MS, 60);
    expect(planSegments(fromStart, coverage)[0]).toEqual({ tier: '1m', from: coverage['1m'].from, to: fromStart.end });
    // A 30-second step cannot use minutes: raw where it has data, nothing older rather than a coarser tier.
    const fine = planBuckets(NOW - 3 * HOUR_MS, NOW, 360);
    expect(fine.stepMs).toBe(30 * SECOND_MS);
    expect(planSegments(fine, coverage)[0]).toEqual({ tier: '1m', from: fine.start, to: coverage.raw.from });
  });
});

describe('a quiet series\' minutes', () => {
  it('are final by the clock alone when it never had a sample', () => {
    expect(minuteRollupTarget(undefined, Date.UTC(2025, 0, 1, 10, 8, 30), 2 * MINUTE_MS)).toBe(Date.UTC(2025, 0, 1, 10, 6, 0));
    // A later sample than the clock's target moves it on.
    expect(minuteRollupTarget(Date.UTC(2025, 0, 1, 10, 9, 1), Date.UTC(2025, 0, 1, 10, 8, 30), 2 * MINUTE_MS)).toBe(Date.UTC(2025, 0, 1, 10, 9, 0));
  });

  it('spread their chunk windows by the series id modulo ten minutes', () => {
    expect([0, 1, 9, 10, 13, 1234].map((id) => chunkWindowOffset(id) / MINUTE_MS)).toEqual([0, 1, 9, 0, 3, 4]);
  });
});

describe('PointAccumulator at its edges', () => {
  it('keeps a bucket\'s envelope when rows tie on min or max, grows past its first guess, and takes rows of the same bucket in any order', () => {
    const acc = new PointAccumulator(MINUTE_MS, 1);
    for (let m = 0; m < 10; m++) {
      acc.add(NOW + m * MINUTE_MS, 1, 5, 6, 2);
      acc.add(NOW + m * MINUTE_MS + 1000, 1, 5, 6, 2);
    }
    const points = toPointList(acc.points());
    expect(points).toHaveLength(10);
    expect(points.every(([, avg, min, max]) => avg === 3 && min === 1 && max === 5)).toBe(true);
    const same = new PointAccumulator(MINUTE_MS);
    same.addValue(NOW + 30_000, 1);
    same.addValue(NOW + 10_000, 2); // earlier in the same bucket: fine
    expect(toPointList(same.points())).toEqual([[NOW, 1.5, 1, 2]]);
    expect(toPointList(new PointAccumulator(MINUTE_MS, 0).points())).toEqual([]);
  });
});
