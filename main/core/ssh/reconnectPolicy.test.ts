import { describe, expect, it } from 'vitest';
import { DEFAULT_RECONNECT_POLICY, reconnectDelayMs } from './reconnectPolicy.js';
import { HandshakeLimiter } from './handshakeLimiter.js';

describe('reconnectDelayMs', () => {
  it('doubles per failure between half and all of each step, up to the cap', () => {
    const low = [1, 2, 3, 4, 8, 20].map((n) => reconnectDelayMs('refused', n, 0));
    const high = [1, 2, 3, 4, 8, 20].map((n) => reconnectDelayMs('refused', n, 0.999999));
    expect(low).toEqual([500, 1000, 2000, 4000, 30_000, 30_000]);
    expect(high).toEqual([1000, 2000, 4000, 8000, 60_000, 60_000]);
  });

  it('spreads hosts that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, (_, i) => reconnectDelayMs('unreachable', 5, i / 50)));
    expect(delays.size).toBe(50);
  });

  it('waits for the user (slow retry) on auth, host key, config and unsupported OS, whatever the count', () => {
    for (const kind of ['auth_failed', 'host_key_unknown', 'host_key_changed', 'config', 'unsupported_os'] as const) {
      expect(reconnectDelayMs(kind, 1, 0)).toBe(DEFAULT_RECONNECT_POLICY.userActionMs);
      expect(reconnectDelayMs(kind, 50, 0.5)).toBe(DEFAULT_RECONNECT_POLICY.userActionMs);
    }
  });

  it('starts agent errors slow', () => {
    expect(reconnectDelayMs('agent_error', 1, 0)).toBe(DEFAULT_RECONNECT_POLICY.agentErrorMs / 2);
    expect(reconnectDelayMs('agent_error', 10, 0.999999)).toBe(DEFAULT_RECONNECT_POLICY.agentErrorMs * 8);
  });
});

describe('HandshakeLimiter', () => {
  it('never runs more than max at once, runs everything, and frees a slot when a task fails', async () => {
    const limiter = new HandshakeLimiter(3);
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    const task = (i: number) => async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5 + (i % 4)));
      running--;
      if (i % 5 === 0) throw new Error(`task ${i} failed`);
      done.push(i);
      return i;
    };
    const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => limiter.run(task(i))));
    expect(peak).toBe(3);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(6);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i).filter((i) => i % 5 !== 0));
    expect(limiter.running).toBe(0);
    expect(limiter.waiting).toBe(0);
  });

  it('drops a waiter whose signal aborts', async () => {
    const limiter = new HandshakeLimiter(1);
    let release!: () => void;
    const first = limiter.run(() => new Promise<void>((r) => (release = r)));
    const controller = new AbortController();
    const second = limiter.run(async () => 'ran', controller.signal);
    expect(limiter.waiting).toBe(1);
    controller.abort();
    await expect(second).rejects.toThrow('aborted');
    expect(limiter.waiting).toBe(0);
    release();
    await first;
    expect(() => new HandshakeLimiter(0)).toThrow();
  });
});
