import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MAX_ABS_TIMESTAMP,
  SampleChunkEncoder,
  aggregateChunkParts,
  aggregateColumnCodings,
  chunkCoding,
  decodeAggregates,
  decodeSamples,
  encodeAggregates,
  encodeSamples,
} from './chunkCodec.js';

const T0 = Date.UTC(2025, 2, 10);

/** Bit-exact equality, so -0 vs 0 and NaN payloads count. */
function bitsOf(values: ArrayLike<number>): string[] {
  const view = new DataView(new ArrayBuffer(8));
  return Array.from(values, (v) => {
    view.setFloat64(0, v);
    return view.getBigUint64(0).toString(16);
  });
}

function roundTrip(t: number[], v: number[]): { t: number[]; v: number[]; bytes: number } {
  const bytes = encodeSamples(t, v);
  const decoded = decodeSamples(bytes);
  return { t: Array.from(decoded.t), v: Array.from(decoded.v), bytes: bytes.length };
}

const adversarialValue = fc.oneof(
  fc.double(), // includes NaN, ±Infinity, -0, subnormals, huge and tiny exponents
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, Number.MIN_VALUE, -Number.MAX_VALUE, 2 ** 53),
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
);

const timestamp = fc.integer({ min: -MAX_ABS_TIMESTAMP, max: MAX_ABS_TIMESTAMP });

describe('sample chunks', () => {
  it('round-trip arbitrary timestamps and values bit for bit (out of order, duplicates, any gap)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(timestamp, adversarialValue), { maxLength: 300 }), (pairs) => {
        const t = pairs.map((p) => p[0]);
        const v = pairs.map((p) => p[1]);
        const out = roundTrip(t, v);
        expect(out.t).toEqual(t);
        expect(bitsOf(out.v)).toEqual(bitsOf(v));
      }),
      { numRuns: 500 },
    );
  });

  it('round-trip agent-like series: jittered 5 s steps, random walks, counters with resets, constants, big gaps', () => {
    const step = fc.oneof(
      { weight: 20, arbitrary: fc.integer({ min: 4_990, max: 5_010 }) },
      { weight: 2, arbitrary: fc.integer({ min: 0, max: 3 }) },
      { weight: 1, arbitrary: fc.integer({ min: 3_600_000, max: 40 * 86_400_000 }) },
    );
    const move = fc.oneof(
      { weight: 10, arbitrary: fc.constant(0) },
      { weight: 10, arbitrary: fc.double({ min: -1, max: 1, noNaN: true }) },
      { weight: 3, arbitrary: fc.integer({ min: 0, max: 1_000_000 }) },
      { weight: 1, arbitrary: fc.constant(Number.NaN) }, // a counter reset, in the walk below
    );
    fc.assert(
      fc.property(fc.double({ min: -1e12, max: 1e12, noNaN: true }), fc.array(fc.tuple(step, move), { minLength: 1, maxLength: 500 }), (start, steps) => {
        const t: number[] = [];
        const v: number[] = [];
        let now = T0;
        let value = start;
        for (const [dt, dv] of steps) {
          now += dt;
          value = Number.isNaN(dv) ? 0 : value + dv;
          t.push(now);
          v.push(value);
        }
        const out = roundTrip(t, v);
        expect(out.t).toEqual(t);
        expect(bitsOf(out.v)).toEqual(bitsOf(v));
      }),
      { numRuns: 300 },
    );
  });

  it('stores a regular constant series in well under a byte per sample, a slow integer gauge in about two', () => {
    const n = 720;
    const t = Array.from({ length: n }, (_, i) => T0 + i * 5_000);
    const constant = roundTrip(t, t.map(() => 42));
    expect(constant.bytes / n).toBeLessThan(0.3);
    // Memory bytes in 4 KiB pages, moving by a few pages a sample.
    let mem = 3_000_000_000;
    const gauge = t.map((_, i) => (mem += ((i * 7919) % 9 - 4) * 4096));
    const slow = roundTrip(t, gauge);
    expect(slow.v).toEqual(gauge);
    expect(slow.bytes / n).toBeLessThan(3);
    // Jitter of a few ms keeps timestamps at about a byte.
    const jittered = t.map((x, i) => x + ((i * 31) % 7) - 3);
    const j = roundTrip(jittered, t.map(() => 1));
    expect(j.t).toEqual(jittered);
    expect(j.bytes / n).toBeLessThan(1.2);
  });

  it('reads back the open head at any point while it grows', () => {
    const enc = new SampleChunkEncoder();
    const t: number[] = [];
    const v: number[] = [];
    for (let i = 0; i < 50; i++) {
      t.push(T0 + i * 1000 + (i % 3));
      v.push(Math.sin(i));
      enc.append(t[i]!, v[i]!);
      const snap = decodeSamples(enc.bytes());
      expect(Array.from(snap.t)).toEqual(t);
      expect(Array.from(snap.v)).toEqual(v);
    }
    expect(enc.count).toBe(50);
    expect(Array.from(decodeSamples(new SampleChunkEncoder().bytes()).t)).toEqual([]);
  });

  it('refuses timestamps it cannot represent exactly, and truncated chunks', () => {
    const enc = new SampleChunkEncoder();
    expect(() => enc.append(1.5, 1)).toThrow(/integers within/);
    expect(() => enc.append(2 ** 51, 1)).toThrow(/integers within/);
    expect(() => enc.append(Number.NaN, 1)).toThrow(/integers within/);
    const bytes = encodeSamples([T0, T0 + 5000, T0 + 10_000], [1.5, 2.25, 3.125]);
    expect(() => decodeSamples(bytes.subarray(0, bytes.length - 3))).toThrow(/truncated/);
    expect(() => encodeSamples([1, 2], [1])).toThrow(/as many values/);
  });
});

describe('the decimal coding', () => {
  const decimalWalk = fc.record({
    places: fc.integer({ min: 0, max: 8 }),
    start: fc.integer({ min: -1e9, max: 1e9 }),
    moves: fc.array(fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, { weight: 10, arbitrary: fc.integer({ min: -500, max: 500 }) }, { weight: 1, arbitrary: fc.integer({ min: -1e12, max: 1e12 }) }), { minLength: 1, maxLength: 300 }),
    // Values no decimal holds, dropped in anywhere: the chunk must fall back to XOR and still round-trip.
    odd: fc.array(fc.tuple(fc.nat(), fc.constantFrom(Number.NaN, -0, 1 / 3, Number.POSITIVE_INFINITY, Math.PI, 2 ** 60, 5e-324)), { maxLength: 2 }),
  });

  it('round-trips every value bit for bit, and seals the smaller coding', () => {
    fc.assert(
      fc.property(decimalWalk, ({ places, start, moves, odd }) => {
        let k = start;
        const v = moves.map((m) => (k += m) / 10 ** places);
        for (const [at, value] of odd) v[at % v.length] = value;
        const t = v.map((_, i) => T0 + i * 5_000);
        const enc = new SampleChunkEncoder();
        v.forEach((x, i) => enc.append(t[i]!, x));
        const sealed = enc.sealedBytes();
        expect(sealed.length).toBeLessThanOrEqual(enc.bytes().length);
        const out = decodeSamples(sealed);
        expect(Array.from(out.t)).toEqual(t);
        expect(bitsOf(out.v)).toEqual(bitsOf(v));
        // The open head reads the same in its XOR coding.
        expect(bitsOf(decodeSamples(enc.bytes()).v)).toEqual(bitsOf(v));
        if (odd.length > 0) expect(chunkCoding(sealed)).toBe('xor');
      }),
      { numRuns: 500 },
    );
  });

  it('widens to more places as values need them, and packs a 1e-4 ratio in under two bytes where XOR needs five', () => {
    const t = Array.from({ length: 120 }, (_, i) => T0 + i * 5_000);
    const widening = [1, 0.5, 0.25, 0.125, 3];
    const w = encodeSamples(t.slice(0, 5), widening);
    expect(chunkCoding(w)).toBe('decimal');
    expect(Array.from(decodeSamples(w).v)).toEqual(widening);
    // A CPU share wandering by up to ±2 percentage points per 5 s sample, kept to 1e-4.
    let level = 5000;
    const ratio = t.map((_, i) => (level = Math.max(0, Math.min(10_000, level + (((i * 7919) % 401) - 200)))) / 10_000);
    const enc = new SampleChunkEncoder();
    ratio.forEach((x, i) => enc.append(t[i]!, x));
    const sealed = enc.sealedBytes();
    expect(chunkCoding(sealed)).toBe('decimal');
    expect(sealed.length / 120).toBeLessThan(2);
    expect(enc.bytes().length / 120).toBeGreaterThan(5);
    expect(Array.from(decodeSamples(sealed).v)).toEqual(ratio);
  });

  it('refuses a chunk with an unknown coding rather than misreading it', () => {
    const bytes = encodeSamples([T0], [1]);
    bytes[1] = 9;
    expect(() => decodeSamples(bytes)).toThrow(/unknown coding 9/);
  });
});

describe('aggregate chunks', () => {
  it('round-trip rollup rows bit for bit', () => {
    const row = fc.tuple(timestamp, adversarialValue, adversarialValue, adversarialValue, fc.integer({ min: 0, max: 100_000 }));
    fc.assert(
      fc.property(fc.array(row, { maxLength: 100 }), (rows) => {
        const out = decodeAggregates(encodeAggregates(rows));
        expect(out.map((r) => r[0])).toEqual(rows.map((r) => r[0]));
        for (let c = 1; c < 5; c++) expect(bitsOf(out.map((r) => r[c]!))).toEqual(bitsOf(rows.map((r) => r[c]!)));
      }),
      { numRuns: 300 },
    );
  });

  it('packs decimal columns as decimals and the rest as XOR, each column on its own', () => {
    const rows = Array.from({ length: 10 }, (_, i) => [T0 + i * 60_000, (1000 + i) / 1e4, (2000 + i) / 1e4, (18_000 + 12 * i) / 1e4, 12] as [number, number, number, number, number]);
    const decimal = encodeAggregates(rows);
    // max and sum as decimals or as integers (layout 3: the spread over min, the excess over count × min).
    expect(aggregateColumnCodings(decimal).map((c) => (c === 'integer' ? 'decimal' : c))).toEqual(['decimal', 'decimal', 'decimal', 'decimal']);
    expect(decodeAggregates(decimal)).toEqual(rows);
    // Ten minutes of a ratio's rollups in about six bytes a row; the mixed chunk below,
    // with one XOR column of such decimals, needs twice that.
    expect(decimal.length).toBeLessThan(64);
    rows[3]![3] = Math.PI; // one sum that is no short decimal: that column alone falls back
    const mixed = encodeAggregates(rows);
    expect(aggregateColumnCodings(mixed).map((c) => (c === 'integer' ? 'decimal' : c))).toEqual(['decimal', 'decimal', 'xor', 'decimal']);
    expect(decodeAggregates(mixed)).toEqual(rows);
    expect(mixed.length).toBeGreaterThan(2 * decimal.length - 20);
  });

  it('costs well under a byte per extra row of a steady gauge (the first row carries four raw doubles)', () => {
    const rows = (n: number) =>
      Array.from({ length: n }, (_, i) => [T0 + i * 60_000, 0.25, 0.5, 4.5, 12] as [number, number, number, number, number]);
    const one = encodeAggregates(rows(1)).length;
    const sixty = encodeAggregates(rows(60)).length;
    expect(one).toBeLessThanOrEqual(45);
    expect((sixty - one) / 59).toBeLessThan(1);
  });
});

describe('aggregate chunks of six hours (layouts 2 and 3)', () => {
  // Six hours of minute rows of one 5-s series: what housekeeping merges the ten-minute chunks into.
  const minutes = (value: (i: number) => [number, number, number, number]) =>
    Array.from({ length: 360 }, (_, i) => [T0 + i * 60_000, ...value(i)] as [number, number, number, number, number]);

  it('costs nothing a row for whole-minute starts and a count that never changes', () => {
    const rows = minutes(() => [0.25, 0.5, 4.5, 12]);
    const bytes = encodeAggregates(rows);
    expect(decodeAggregates(bytes)).toEqual(rows);
    const parts = aggregateChunkParts(bytes);
    expect(parts.layout).toBe(3);
    expect(aggregateChunkParts(encodeAggregates(rows, 2)).layout).toBe(2);
    expect(parts.timeBytes).toBe(0);
    expect(parts.columns.map((c) => c.coding)).toEqual(['constant', 'constant', 'constant', 'constant']);
    expect(bytes.length).toBeLessThan(60);
    // One minute missing: the starts fall back to delta-of-deltas, still read exactly.
    const gap = rows.filter((_, i) => i !== 100);
    expect(decodeAggregates(encodeAggregates(gap))).toEqual(gap);
    expect(aggregateChunkParts(encodeAggregates(gap)).timeBytes).toBeGreaterThan(0);
  });

  it('codes a byte gauge that moves in pages of 4096 as page counts', () => {
    const page = (i: number) => 3_000_000_000 + ((i * 7919) % 97) * 4096;
    const rows = minutes((i) => [page(i), page(i) + 8 * 4096, 12 * page(i) + 40 * 4096, 12]);
    const bytes = encodeAggregates(rows);
    expect(decodeAggregates(bytes)).toEqual(rows);
    // The sum (a multiple of 4096 too) as a page count; min and max take whichever of that and XOR is smaller.
    expect(aggregateColumnCodings(encodeAggregates(rows, 2)).slice(2)).toEqual(['decimal', 'constant']);
    // Layout 3: the max is min + 8 pages in every row and the sum 12 × min + 40 pages, so both are constant over the min.
    expect(aggregateColumnCodings(bytes).slice(1)).toEqual(['integer', 'integer', 'constant']);
    // Deltas of up to 97 pages: about ten bits a column, where the bytes themselves need twelve more.
    expect(bytes.length / rows.length).toBeLessThan(2);
  });

  // A 5-s series at the store's precision (ratios to 1e-4), noisy about a slow trend, rolled up per
  // minute as tiers.ts does: min, max, the floating-point sum in sample order, the count.
  const noisyMinutes = (seed: number, places: number, noise: number, n = 360, dropEvery = 0) => {
    let state = seed >>> 0 || 1;
    const random = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const rows: Array<[number, number, number, number, number]> = [];
    for (let m = 0; m < n; m++) {
      const values: number[] = [];
      for (let k = 0; k < 12; k++) {
        if (dropEvery > 0 && (m * 12 + k) % dropEvery === 0) continue;
        const x = 0.3 + 0.2 * Math.sin((m * 12 + k) / 900) + noise * (random() - 0.5);
        values.push(Math.round(Math.max(0, x) * 10 ** places) / 10 ** places);
      }
      rows.push([T0 + m * 60_000, Math.min(...values), Math.max(...values), values.reduce((a, b) => a + b, 0), values.length]);
    }
    return rows;
  };

  it('codes a noisy ratio\'s max as its spread and its float sum as the excess over count × min, exact to the bit', () => {
    const rows = noisyMinutes(7, 4, 0.05);
    // The precondition that makes the ulps path matter: some sums are not the decimal they round to.
    expect(rows.some((r) => Math.round(r[3] * 1e4) / 1e4 !== r[3])).toBe(true);
    const three = encodeAggregates(rows);
    const two = encodeAggregates(rows, 2);
    expect(bitsOf(decodeAggregates(three).flat())).toEqual(bitsOf(rows.flat()));
    expect(bitsOf(decodeAggregates(two).flat())).toEqual(bitsOf(rows.flat()));
    expect(aggregateColumnCodings(three)).toEqual(['integer', 'integer', 'integer', 'constant']);
    expect(aggregateColumnCodings(two)[2]).toBe('xor');
    // Measured: 1,133 bytes against 1,548 in layout 2 (six hours, 360 rows).
    expect(three.length).toBeLessThan(0.8 * two.length);
  });

  it('round-trips rollups of decimal series in both layouts bit for bit: float sums, varying counts, any places and noise', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 8 }), fc.constantFrom(0, 1e-4, 0.01, 0.5, 1000), fc.integer({ min: 1, max: 400 }), fc.constantFrom(0, 5, 7), (seed, places, noise, n, dropEvery) => {
        const rows = noisyMinutes(seed, places, noise, n, dropEvery);
        for (const layout of [2, 3] as const) expect(bitsOf(decodeAggregates(encodeAggregates(rows, layout)).flat())).toEqual(bitsOf(rows.flat()));
      }),
      { numRuns: 150 },
    );
  });

  it('round-trips structured rows bit for bit: regular starts, constant columns, multiples of a factor, mixed with adversarial values', () => {
    const column = fc.oneof(
      fc.constant('constant' as const),
      fc.record({ factor: fc.constantFrom(1, 3, 4096, 2 ** 20), places: fc.integer({ min: 0, max: 6 }) }),
      fc.constant('adversarial' as const),
    );
    fc.assert(
      fc.property(fc.tuple(column, column, column, column), fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 3_600_000 }), fc.option(fc.nat(400)), fc.array(fc.integer({ min: -5000, max: 5000 }), { minLength: 400, maxLength: 400 }), fc.array(adversarialValue, { minLength: 400, maxLength: 400 }), (kinds, n, step, gapAt, ks, wild) => {
        const value = (c: number, i: number): number => {
          const kind = kinds[c]!;
          if (kind === 'constant') return c === 3 ? 12 : 0.5;
          if (kind === 'adversarial') return wild[i]!;
          return (ks[i]! * kind.factor) / 10 ** kind.places;
        };
        const rows = Array.from({ length: n }, (_, i) => [T0 + i * step + (gapAt !== null && i >= gapAt ? step : 0), value(0, i), value(1, i), value(2, i), value(3, i)] as [number, number, number, number, number]);
        const out = decodeAggregates(encodeAggregates(rows));
        expect(out.map((r) => r[0])).toEqual(rows.map((r) => r[0]));
        for (let c = 1; c < 5; c++) expect(bitsOf(out.map((r) => r[c]!))).toEqual(bitsOf(rows.map((r) => r[c]!)));
      }),
      { numRuns: 200 },
    );
  });
});

describe('damaged and old chunks', () => {
  it('refuses every truncation of a chunk of two bytes or more with a RangeError, never a shorter series', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 100_000 }), fc.oneof(fc.double(), fc.integer({ min: -1000, max: 1000 }).map((x) => x / 100))), { minLength: 1, maxLength: 40 }), (pairs) => {
        let t = T0;
        const ts = pairs.map(([dt]) => (t += dt));
        const vs = pairs.map(([, v]) => v);
        const samples = encodeSamples(ts, vs);
        const rows = encodeAggregates(ts.map((tt, i) => [tt, vs[i]!, vs[i]!, vs[i]!, 1] as const));
        for (let cut = 2; cut < samples.length; cut++) expect(() => decodeSamples(samples.subarray(0, cut))).toThrow(RangeError);
        for (let cut = 2; cut < rows.length; cut++) expect(() => decodeAggregates(rows.subarray(0, cut))).toThrow(RangeError);
      }),
      { numRuns: 40 },
    );
  });

  it('reads chunks in the layout written before compact chunks (schema 3) exactly', () => {
    // fixtures/schema3-history.sqlite (see sqliteStore.test.ts): three host series every 5 s
    // from T0, sample i at T0 + 5 s·i + (i mod 3) ms, values by the formulas below.
    const formula: Record<string, (i: number) => number> = {
      'host:cpu_usage:ratio': (i) => ((i * 37) % 101) / 101,
      'host:memory_used:bytes': (i) => 3_000_000_000 + ((i * 13) % 7) * 4096,
      'node_network_receive_bytes:rate': (i) => (i * 1234.5) / 5.003,
    };
    // A copy: SQLite opens a WAL database with its -shm and -wal files beside it, even read-only.
    const dir = mkdtempSync(join(tmpdir(), 'overlook-schema3-'));
    const file = join(dir, 'history.sqlite');
    copyFileSync(new URL('./fixtures/schema3-history.sqlite', import.meta.url), file);
    const db = new Database(file, { readonly: true });
    try {
      const chunks = db.prepare('SELECT s.name, r.n, r.t, r.last_t, r.data FROM raw_chunk r JOIN series s ON s.id = r.series_id').all() as Array<{ name: string; n: number; t: number; last_t: number; data: Uint8Array }>;
      expect(chunks.length).toBeGreaterThan(50);
      for (const chunk of chunks) {
        expect(chunkCoding(chunk.data)).toBe('legacy');
        const { t, v } = decodeSamples(chunk.data);
        expect(t.length).toBe(chunk.n);
        // A chunk row is keyed by its window's start; its last sample is last_t.
        expect(t[0]).toBeGreaterThanOrEqual(chunk.t);
        expect(t[t.length - 1]).toBe(chunk.last_t);
        t.forEach((time, k) => {
          const i = Math.floor((time - T0) / 5000);
          expect(time).toBe(T0 + i * 5000 + (i % 3));
          expect(v[k]).toBe(formula[chunk.name]!(i));
        });
      }
      const minutes = db.prepare('SELECT s.name, r.data FROM rollup_1m_chunk r JOIN series s ON s.id = r.series_id').all() as Array<{ name: string; data: Uint8Array }>;
      expect(minutes.length).toBeGreaterThan(50);
      for (const chunk of minutes) {
        expect(aggregateColumnCodings(chunk.data)).toEqual(['legacy', 'legacy', 'legacy', 'legacy']);
        for (const [start, min, max, sum, count] of decodeAggregates(chunk.data)) {
          const values = Array.from({ length: 12 }, (_, k) => (start - T0) / 5000 + k).map(formula[chunk.name]!);
          expect([min, max, sum, count]).toEqual([Math.min(...values), Math.max(...values), values.reduce((a, b) => a + b, 0), 12]);
        }
      }
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
