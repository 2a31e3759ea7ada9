import { describe, expect, it } from 'vitest';
import { sparklinePath } from './Sparkline';

describe('sparklinePath', () => {
  it('draws a line and breaks it at gaps', () => {
    const d = sparklinePath([[0, 0], [10, 1], [40, 1], [50, 0]], 0, 50, 1, 10, 50, 12);
    expect(d).toBe('M0.0,11.0L10.0,1.0M40.0,1.0L50.0,11.0');
    expect(sparklinePath([], 0, 50, 1, 10, 50, 12)).toBe('');
  });
});
