import { describe, expect, it } from 'vitest';
import { BAND_CENTRE_KEY, BAND_RANGE_KEY, bucketWords, explainQueryFor, flaggedAreas, formatAnomalyRate, MAX_EXPLAIN_MS, msWords, spreadsOut, thresholdOf, weekdayName, withBand, zInBand } from './anomalyBand';
import type { ChartRow } from './chartRows';

const row = (t: number, v: number | null): ChartRow => ({ t, s0: v }) as ChartRow;

describe('withBand', () => {
  it('puts each bucket\'s range and centre on the rows inside it, and null outside the band', () => {
    const rows = [row(0, 1), row(30, 2), row(60, 3), row(90, 4), row(200, 5)];
    const out = withBand(rows, { stepMs: 60, band: [[0, 10, 8, 12], [60, 20, 18, 22]] });
    expect(out.map((r) => r[BAND_RANGE_KEY])).toEqual([[8, 12], [8, 12], [18, 22], [18, 22], null]);
    expect(out.map((r) => r[BAND_CENTRE_KEY])).toEqual([10, 10, 20, 20, null]);
    expect(out[1]!.s0).toBe(2);
  });
  it('leaves a hole where the band skips a bucket (learning there) rather than stretching the one before', () => {
    const out = withBand([row(0, 1), row(60, 1), row(120, 1)], { stepMs: 60, band: [[0, 1, 0, 2], [120, 1, 0, 2]] });
    expect(out.map((r) => r[BAND_RANGE_KEY])).toEqual([[0, 2], null, [0, 2]]);
  });
  it('rows before the first bucket have no band; no band at all gives nulls', () => {
    expect(withBand([row(-10, 1)], { stepMs: 60, band: [[0, 1, 0, 2]] })[0]![BAND_RANGE_KEY]).toBeNull();
    expect(withBand([row(0, 1)], undefined)[0]![BAND_CENTRE_KEY]).toBeNull();
  });
  it('orders a range given high-first', () => {
    expect(withBand([row(0, 1)], { stepMs: 60, band: [[0, 1, 3, -1]] })[0]![BAND_RANGE_KEY]).toEqual([-1, 3]);
  });
});

describe('flaggedAreas', () => {
  it('clips to the window, drops what lies outside, merges overlaps and touching stretches', () => {
    expect(flaggedAreas([[50, 150], [-100, -50], [140, 160], [160, 170], [300, 400], [900, 2000]], 100, 1000)).toEqual([
      { from: 100, to: 170 },
      { from: 300, to: 400 },
      { from: 900, to: 1000 },
    ]);
  });
  it('drops empty and reversed stretches and sorts', () => {
    expect(flaggedAreas([[500, 600], [200, 200], [400, 300], [100, 150]], 0, 1000)).toEqual([{ from: 100, to: 150 }, { from: 500, to: 600 }]);
  });
});

describe('explainQueryFor', () => {
  it('orders the ends of a right-to-left drag and rounds to whole milliseconds', () => {
    expect(explainQueryFor(2000.7, 1000.2, { kind: 'host', hostId: 'web-1' })).toEqual({ scope: { kind: 'host', hostId: 'web-1' }, from: 1000, to: 2001, limit: 20 });
  });
  it('keeps the last 31 days of a longer window, and refuses a window of no width', () => {
    const q = explainQueryFor(0, 40 * 86_400_000, { kind: 'fleet' })!;
    expect(q.to - q.from).toBe(MAX_EXPLAIN_MS);
    expect(q.to).toBe(40 * 86_400_000);
    expect(explainQueryFor(5, 5, { kind: 'fleet' })).toBeNull();
    expect(explainQueryFor(Number.NaN, 5, { kind: 'fleet' })).toBeNull();
  });
});

describe('numbers in words', () => {
  it('formats a rate as a percentage, clamped, and says nothing for an entity with no scored series', () => {
    expect(formatAnomalyRate(0.25, 8, 'en')).toBe('25%');
    expect(formatAnomalyRate(0.004, 250, 'en')).toBe('0.4%');
    expect(formatAnomalyRate(1.2, 3, 'en')).toBe('100%');
    expect(formatAnomalyRate(0, 0, 'en')).toBe('—');
  });
  it('says how many spreads out, on which side, and gives no multiple for a zero spread', () => {
    expect(spreadsOut(14.2, { centre: 10, spread: 1 })).toEqual({ multiple: expect.closeTo(4.2, 9), side: 'above' });
    expect(spreadsOut(7, { centre: 10, spread: 2 })).toEqual({ multiple: 1.5, side: 'below' });
    expect(spreadsOut(7, { centre: 7, spread: 0 })).toEqual({ multiple: null, side: 'at' });
  });
  it('reads k from a scored baseline and turns a hovered value into z with it', () => {
    const k = thresholdOf({ kind: 'hour_of_day', centre: 10, spread: 2, high: 16 });
    expect(k).toBe(3);
    // normal range 4–16 around 10 at k = 3 → spread 2; 20 is 5 spreads above
    expect(zInBand(20, 10, 4, 16, k)).toBe(5);
    expect(zInBand(20, 10, 10, 10, k)).toBeNull();
    expect(thresholdOf({ kind: 'learning', centre: 0, spread: 1, high: 3 })).toBeNull();
    expect(thresholdOf({ kind: 'hour_of_day', centre: 0, spread: 0, high: 3 })).toBeNull();
  });
  it('words the bucket: hour of week, hour of day, learning', () => {
    expect(bucketWords({ kind: 'hour_of_week', hour: 23, weekday: 2 })).toEqual({ key: 'anomaly.bucket.week', params: { weekday: 2, from: '23:00', to: '00:00' } });
    expect(bucketWords({ kind: 'hour_of_day', hour: 9 })).toEqual({ key: 'anomaly.bucket.day', params: { from: '09:00', to: '10:00' } });
    expect(bucketWords({ kind: 'learning' }).key).toBe('anomaly.bucket.learning');
    expect(weekdayName(0, 'en')).toBe('Sunday');
    expect(weekdayName(2, 'zh-CN')).toBe('星期二');
  });
});

describe('msWords', () => {
  it('keeps work under a second in ms, a decimal under 10 ms, and hands longer work to the duration formatter', () => {
    expect(msWords(4.26, 'en')).toEqual({ key: 'anomaly.ms', ms: '4.3' });
    expect(msWords(240.4, 'en')).toEqual({ key: 'anomaly.ms', ms: '240' });
    expect(msWords(2500, 'en')).toEqual({ seconds: 2.5 });
  });
});
