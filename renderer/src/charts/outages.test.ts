import { describe, expect, it } from 'vitest';
import type { HostStatus, StatusTransition } from '../../../main/common/contract';
import { outageSpans } from './outages';

const tr = (t: number, status: HostStatus, previous: HostStatus | null): StatusTransition => ({ t, status, previous });

describe('outageSpans', () => {
  it('makes one span of a 90-second outage however many states it went through, named by the worst', () => {
    const changes = [
      tr(1_000, 'online', 'connecting'),
      tr(100_000, 'stale', 'online'),
      tr(110_000, 'offline', 'stale'),
      tr(115_000, 'connecting', 'offline'),
      tr(125_000, 'offline', 'connecting'),
      tr(140_000, 'connecting', 'offline'),
      tr(190_000, 'online', 'connecting'),
    ];
    expect(outageSpans(changes, 0, 600_000)).toEqual([{ from: 100_000, to: 190_000, status: 'offline', ongoing: false }]);
  });

  it('runs an outage from the window start when the host was out before it, and to the end when it still is', () => {
    expect(outageSpans([tr(50, 'online', 'connecting'), tr(500, 'stale', 'online'), tr(5_000, 'online', 'stale')], 1_000, 10_000)).toEqual([{ from: 1_000, to: 5_000, status: 'stale', ongoing: false }]);
    expect(outageSpans([tr(50, 'online', 'connecting'), tr(3_000, 'offline', 'online')], 1_000, 10_000)).toEqual([{ from: 3_000, to: 10_000, status: 'offline', ongoing: true }]);
    expect(outageSpans([tr(50, 'online', 'connecting'), tr(300, 'offline', 'online'), tr(20_000, 'online', 'offline')], 1_000, 10_000)).toEqual([{ from: 1_000, to: 10_000, status: 'offline', ongoing: true }]);
  });

  it('is not an outage before the host was watched, while it first connects, or while it is paused', () => {
    // The console started inside the window: the host connected and came online.
    expect(outageSpans([tr(4_000, 'online', 'connecting')], 0, 10_000)).toEqual([]);
    expect(outageSpans([tr(4_000, 'connecting', null), tr(4_500, 'online', 'connecting')], 0, 10_000)).toEqual([]);
    expect(outageSpans([tr(1_000, 'online', 'connecting'), tr(2_000, 'paused', 'online'), tr(5_000, 'connecting', 'paused'), tr(5_500, 'online', 'connecting')], 0, 10_000)).toEqual([]);
    // A host that was unreachable from the start is out from its first failure.
    expect(outageSpans([tr(4_000, 'offline', 'connecting')], 0, 10_000)).toEqual([{ from: 4_000, to: 10_000, status: 'offline', ongoing: true }]);
    // A reconnect after being up is a (short) outage.
    expect(outageSpans([tr(1_000, 'online', 'connecting'), tr(6_000, 'connecting', 'online'), tr(6_400, 'online', 'connecting')], 0, 10_000)).toEqual([{ from: 6_000, to: 6_400, status: 'connecting', ongoing: false }]);
  });

  it('merges outages closer than the gap given: a flapping link is one stretch', () => {
    const flapping = [tr(0, 'online', 'connecting'), tr(1_000, 'offline', 'online'), tr(2_000, 'online', 'offline'), tr(2_500, 'stale', 'online'), tr(4_000, 'online', 'stale'), tr(9_000, 'offline', 'online'), tr(9_500, 'online', 'offline')];
    expect(outageSpans(flapping, 0, 10_000, 1_000)).toEqual([
      { from: 1_000, to: 4_000, status: 'offline', ongoing: false },
      { from: 9_000, to: 9_500, status: 'offline', ongoing: false },
    ]);
    expect(outageSpans(flapping, 0, 10_000)).toHaveLength(3);
  });
});
