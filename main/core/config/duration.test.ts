import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['5s', 5_000],
    ['2m', 120_000],
    ['48h', 172_800_000],
    ['30d', 2_592_000_000],
    ['1w', 604_800_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1_500],
    [' 10s ', 10_000],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, ms });
  });

  it.each([
    ['', /empty duration/],
    ['5', /`5` has no unit; write it like 5s/],
    ['5x', /unknown unit `x` in `5x`; use ms, s, m, h, d or w/],
    ['5 s', /cannot read `5 s`/],
    ['-5s', /negative duration/],
    ['1h1h', /unit `h` appears twice/],
    ['h', /cannot read `h`/],
    ['5sec', /unknown unit `sec`/],
  ])('rejects %j with a clear error', (text, error) => {
    const parsed = parseDuration(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(error);
  });

  it('reads back what formatDuration writes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * 86_400_000 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toEqual({ ok: true, ms });
      }),
    );
  });

  it('formats bounds the way people write them', () => {
    expect(formatDuration(3_600_000)).toBe('1h');
    expect(formatDuration(30 * 86_400_000)).toBe('30d');
    expect(formatDuration(90_000)).toBe('1m30s');
  });
});
