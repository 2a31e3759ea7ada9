import { describe, expect, it } from 'vitest';
import { settledEnd, windowFor, type WindowPolicy } from './cursor.js';

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
