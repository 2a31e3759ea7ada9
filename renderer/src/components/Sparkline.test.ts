import { describe, expect, it } from 'vitest';
import { sparklineArea, sparklinePath } from './Sparkline';

describe('sparklinePath', () => {
  it('draws a line and breaks it at gaps', () => {
    const d = sparklinePath([[0, 0], [10, 1], [40, 1], [50, 0]], 0, 50, 1, 10, 50, 12);
    expect(d).toBe('M0.0,11.0L10.0,1.0M40.0,1.0L50.0,11.0');
    expect(sparklinePath([], 0, 50, 1, 10, 50, 12)).toBe('');
  });
});

describe('sparklineArea', () => {
  it('closes every segment down to the baseline', () => {
    expect(sparklineArea('M0.0,11.0L10.0,1.0M40.0,1.0L50.0,11.0', 12)).toBe('M0.0,12L0.0,11.0L10.0,1.0L10.0,12ZM40.0,12L40.0,1.0L50.0,11.0L50.0,12Z');
    expect(sparklineArea('M5.0,3.0', 12)).toBe('M5.0,12L5.0,3.0L5.0,12Z');
  });
});
