import { describe, expect, it } from 'vitest';
import { fromLocalInput, resolveWindow, toLocalInput, zoomWindow } from './timeRange';

describe('time windows', () => {
  it('resolve to the live preset unless a fixed window is set', () => {
    expect(resolveWindow('1h', null, 10_000_000)).toEqual({ from: 10_000_000 - 3_600_000, to: 10_000_000, live: true });
    expect(resolveWindow('1h', { from: 5, to: 50 }, 10_000_000)).toEqual({ from: 5, to: 50, live: false });
    expect(resolveWindow('15m', { from: 50, to: 5 }, 1_000_000).live).toBe(true);
  });
  it('zoom in either drag direction, and ignore a click', () => {
    expect(zoomWindow(100_000, 20_000)).toEqual({ from: 20_000, to: 100_000 });
    expect(zoomWindow(100_000, 99_000)).toBeNull();
  });
  it('zoom to whole milliseconds (the queries take integers), rounded outwards', () => {
    // What a pointer position maps to: a fraction of the plot width times the window.
    const w = zoomWindow(1_700_000_123_456.789, 1_700_000_023_456.25)!;
    expect(w).toEqual({ from: 1_700_000_023_456, to: 1_700_000_123_457 });
    expect(Number.isInteger(w.from) && Number.isInteger(w.to)).toBe(true);
    expect(zoomWindow(Number.NaN, 5)).toBeNull();
  });
  it('round-trip datetime-local values and reject junk', () => {
    const t = new Date(2025, 2, 10, 3, 4).getTime();
    expect(fromLocalInput(toLocalInput(t))).toBe(t);
    expect(fromLocalInput('yesterday')).toBeNull();
  });
});
