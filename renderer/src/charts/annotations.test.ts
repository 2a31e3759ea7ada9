import { describe, expect, it } from 'vitest';
import { placeAnnotations } from './annotations';

describe('placeAnnotations', () => {
  const a = (t: number, label: string) => ({ t, label, tone: 'neutral' as const });

  it('labels only the newest mark of a cluster, counting the others', () => {
    // 1000 px for 1000 s: 90 px = 90 s.
    const placed = placeAnnotations([a(500_000, 'Online'), a(499_000, 'Host key unknown'), a(498_000, 'Connecting'), a(900_000, 'Offline')], 0, 1_000_000, 1000);
    expect(placed.map((p) => [p.t, p.shownLabel])).toEqual([
      [498_000, undefined],
      [499_000, undefined],
      [500_000, 'Online (+2)'],
      [900_000, 'Offline'],
    ]);
  });

  it('labels every mark that has room, and drops marks outside the range', () => {
    const placed = placeAnnotations([a(100_000, 'A'), a(300_000, 'B'), a(2_000_000, 'C')], 0, 1_000_000, 1000);
    expect(placed.map((p) => p.shownLabel)).toEqual(['A', 'B']);
  });
});
