import { describe, expect, it } from 'vitest';
import { visibleRange } from './VirtualList';

describe('visibleRange', () => {
  it('renders the rows in view plus overscan, clamped to the list', () => {
    expect(visibleRange(0, 300, 30, 500, 5)).toEqual([0, 15]);
    expect(visibleRange(3000, 300, 30, 500, 5)).toEqual([95, 115]);
    expect(visibleRange(14_900, 300, 30, 500, 5)).toEqual([491, 500]);
    expect(visibleRange(-50, 300, 30, 3, 5)).toEqual([0, 3]);
  });
});
