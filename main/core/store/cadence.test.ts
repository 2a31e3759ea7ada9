import { describe, expect, it } from 'vitest';
import { cadenceToleranceMs, nextStep, onCadence, CADENCE_TOLERANCE_MAX_MS } from './cadence.js';

/** Stores `times` one after another as the store does, returning what it keeps. */
function store(times: readonly number[]): number[] {
  const out: number[] = [];
  let last: number | undefined;
  let step: number | undefined;
  for (const t of times) {
    if (last !== undefined && t <= last) continue; // out of order: refused before
    const kept = onCadence(t, last, step);
    step = nextStep(kept, last, step);
    last = kept;
    out.push(kept);
  }
  return out;
}

/** A deterministic generator, so a failure repeats. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe('cadence', () => {
  it('keeps regular times exactly, and puts jittered ones on the grid of their step', () => {
    const regular = Array.from({ length: 100 }, (_, i) => 1_700_000_000_000 + i * 5000);
    expect(store(regular)).toEqual(regular);
    const rnd = random(7);
    const jittered = regular.map((t) => t + Math.round((rnd() - 0.5) * 80));
    const kept = store(jittered);
    // The first two as observed (their delta, 4.92–5.08 s, teaches the step: 5 s), then whole steps from the second.
    expect(kept.slice(0, 2)).toEqual(jittered.slice(0, 2));
    expect(new Set(kept.slice(2).map((t, i) => t - kept[i + 1]!))).toEqual(new Set([5000]));
    kept.forEach((t, i) => expect(Math.abs(t - jittered[i]!)).toBeLessThanOrEqual(100));
  });

  it('never stores a time further from the observed one than the tolerance: random steps, jitter, misses, stalls, an extra sample', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rnd = random(seed);
      const step = [1000, 2500, 5000, 15_000, 60_000][Math.floor(rnd() * 5)]!;
      const jitter = [0, 10, 40, 150, 400][Math.floor(rnd() * 5)]!;
      const times: number[] = [];
      let tick = 1_700_000_000_000 + Math.floor(rnd() * 1000);
      for (let i = 0; i < 300; i++) {
        const r = rnd();
        tick += r < 0.03 ? step * 2 : r < 0.05 ? step * 7 + 1234 : step; // a missed poll, a stall
        times.push(tick + Math.round((rnd() - 0.5) * 2 * jitter));
        if (rnd() < 0.02) times.push(tick + Math.floor(step / 3)); // an extra sample asked for out of turn
      }
      const observed = [...times].sort((a, b) => a - b).filter((t, i, a) => i === 0 || t > a[i - 1]!);
      let last: number | undefined;
      let s: number | undefined;
      for (const t of observed) {
        const kept = onCadence(t, last, s);
        expect(Math.abs(kept - t), `seed ${seed}`).toBeLessThanOrEqual(CADENCE_TOLERANCE_MAX_MS);
        if (s !== undefined) expect(Math.abs(kept - t)).toBeLessThanOrEqual(cadenceToleranceMs(s));
        if (last !== undefined) expect(kept).toBeGreaterThan(last);
        s = nextStep(kept, last, s);
        last = kept;
      }
    }
  });

  it('learns a step from a delta near a round value, keeps it over missed samples, relearns after a change of interval', () => {
    expect(nextStep(4987, 0, undefined)).toBe(5000);
    expect(nextStep(4800, 0, undefined)).toBe(4800); // 200 ms off 5 s is beyond 2 % of it: taken as it is
    expect(nextStep(15_000, 5000, 5000)).toBe(5000); // two steps: a missed sample
    expect(onCadence(10_030, 0, 5000)).toBe(10_000);
    expect(store([0, 5000, 10_000, 15_000, 25_000, 35_020, 45_000])).toEqual([0, 5000, 10_000, 15_000, 25_000, 35_000, 45_000]);
    // Beyond the tolerance the observed time is kept.
    expect(onCadence(5150, 0, 5000)).toBe(5150);
    // A sample out of turn (a third of a step after the last) is kept as observed.
    expect(onCadence(1700, 0, 5000)).toBe(1700);
  });

  it('moves a 1-s series at most 20 ms, whatever the jitter', () => {
    expect(cadenceToleranceMs(1000)).toBe(20);
    expect(onCadence(1021, 0, 1000)).toBe(1021);
    expect(onCadence(1019, 0, 1000)).toBe(1000);
  });
});
