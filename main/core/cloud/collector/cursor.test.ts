import { describe, expect, it } from 'vitest';
import { CursorBook, DeliveryOrder, settledEnd, windowFor, type WindowPolicy } from './cursor.js';

const M = 60_000;
const policy: WindowPolicy = { periodMs: M, delayMs: 2 * M, maxBackfillMs: 360 * M, maxCatchUpMs: 180 * M, initialLookbackMs: 15 * M };
const end = settledEnd(1_000 * 60 * M + 30_000, policy);

describe('windowFor', () => {
  it('asks a known series from one period before its cursor, a new one from the lookback', () => {
    expect(windowFor(end - 5 * M, end, policy)).toEqual({ from: end - 6 * M, to: end });
    expect(windowFor(undefined, end, policy)).toEqual({ from: end - 15 * M, to: end });
    expect(windowFor(end, end, policy)).toBeNull();
  });

  it('starts a series without a cursor where the last collector got to when that is further back, capped by the backfill and a cycle’s catch-up', () => {
    // Closed for two hours: back to there.
    expect(windowFor(undefined, end, policy, end - 120 * M)).toEqual({ from: end - 121 * M, to: end });
    // Restarted a minute ago (an edited account, a new mapping): still the lookback's 15 minutes, for metrics new to it.
    expect(windowFor(undefined, end, policy, end - M)).toEqual({ from: end - 15 * M, to: end });
    // Closed for a day: six hours back at most, three of them this cycle.
    expect(windowFor(undefined, end, policy, end - 24 * 60 * M)).toEqual({ from: end - 360 * M, to: end - 180 * M });
    // A series with a cursor ignores it.
    expect(windowFor(end - 2 * M, end, policy, end - 120 * M)).toEqual({ from: end - 3 * M, to: end });
  });
});

describe('settledEnd', () => {
  it('ends at the last period that closed at least `delay` ago', () => {
    const h = Date.UTC(2025, 0, 1, 12, 0, 0);
    // 12:03:30 with a 2-minute delay: the minute 12:00–12:01 settled at 12:03, 12:01–12:02 not until 12:04.
    expect(settledEnd(h + 3 * M + 30_000, policy)).toBe(h + M);
    expect(settledEnd(h + 4 * M, policy)).toBe(h + 2 * M);
    expect(settledEnd(h + 4 * M - 1, policy)).toBe(h + M);
    expect(settledEnd(h + 10 * M, { periodMs: 5 * M, delayMs: 0 })).toBe(h + 10 * M);
  });
});

describe('windowFor at its bounds', () => {
  it('aligns a window to the period, and asks nothing when the cursor is at or past the settled end', () => {
    expect(windowFor(end - 5 * M + 17_000, end, policy)).toEqual({ from: end - 6 * M, to: end });
    expect(windowFor(end + M, end, policy)).toBeNull();
    expect(windowFor(end - 1, end, policy)).toEqual({ from: end - 2 * M, to: end });
  });

  it('restarts a series left behind longer than the backfill at the backfill, and catches up a cycle at a time', () => {
    expect(windowFor(end - 1000 * M, end, policy)).toEqual({ from: end - 360 * M, to: end - 180 * M });
    expect(windowFor(end - 360 * M, end, policy)).toEqual({ from: end - 360 * M, to: end - 180 * M });
    expect(windowFor(end - 200 * M, end, policy)).toEqual({ from: end - 201 * M, to: end - 21 * M });
  });

  it('asks nothing for a new series when the policy looks back no time at all (an empty window is no call)', () => {
    expect(windowFor(undefined, end, { ...policy, initialLookbackMs: 0 })).toBeNull();
    expect(windowFor(undefined, end, { ...policy, initialLookbackMs: M })).toEqual({ from: end - M, to: end });
  });
});

describe('CursorBook', () => {
  it('moves a series\' cursor only forward, counts the series behind the settled end, and forgets dropped ones', () => {
    const book = new CursorBook();
    expect(book.get('a')).toBeUndefined();
    book.advance('a', end);
    book.advance('a', end - 5 * M); // a late answer for an older window
    expect(book.get('a')).toBe(end);
    book.advance('a', end + M); // the next cycle's window
    expect(book.get('a')).toBe(end + M);
    book.advance('a', end);
    book.advance('b', end - M);
    expect(book.lagging(end, ['a', 'b', 'new'])).toBe(2);
    expect(book.lagging(end - M, ['a', 'b'])).toBe(0);
    expect(book.size).toBe(2);
    book.retain(new Set(['b']));
    expect(book.get('a')).toBeUndefined();
    expect(book.get('b')).toBe(end - M);
    expect(book.size).toBe(1);
  });
});

describe('DeliveryOrder', () => {
  it('lets each series\' points through in strictly increasing time, whatever the windows overlap, and forgets dropped series', () => {
    const order = new DeliveryOrder();
    expect([order.accept('s', 10), order.accept('s', 20), order.accept('s', 20), order.accept('s', 15), order.accept('t', 5)]).toEqual([true, true, false, false, true]);
    order.retain((key) => key !== 's');
    expect(order.accept('s', 1)).toBe(true);
    expect(order.accept('t', 5)).toBe(false);
  });
});
