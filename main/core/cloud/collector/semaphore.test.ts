import { describe, expect, it } from 'vitest';
import { Semaphore } from './semaphore.js';

describe('Semaphore', () => {
  it('never admits more than its limit, even to an acquire made while a released slot is handed to a waiter', async () => {
    const s = new Semaphore(1);
    const release1 = await s.acquire();
    const second = s.acquire();
    release1();
    // The slot belongs to the waiter now: a third caller waits too.
    let thirdIn = false;
    const third = s.acquire().then((r) => ((thirdIn = true), r));
    expect(s.inUse).toBe(1);
    const release2 = await second;
    await Promise.resolve();
    expect(thirdIn).toBe(false);
    release2();
    const release3 = await third;
    expect(s.inUse).toBe(1);
    release3();
    release3(); // twice is once
    expect(s.inUse).toBe(0);
  });

  it('admits waiters first come, first served, up to the limit', async () => {
    const s = new Semaphore(2);
    const order: number[] = [];
    const holders = await Promise.all([s.acquire(), s.acquire()]);
    const waiting = [1, 2, 3].map((n) => s.acquire().then((r) => (order.push(n), r)));
    holders.forEach((r) => r());
    const [r1, r2] = await Promise.all(waiting.slice(0, 2));
    expect(order).toEqual([1, 2]);
    expect(s.inUse).toBe(2);
    r1!();
    (await waiting[2]!)();
    r2!();
    expect(s.inUse).toBe(0);
  });
});
