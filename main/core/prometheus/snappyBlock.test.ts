import fc from 'fast-check';
import SnappyJS from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { SnappyBlockError, uncompressSnappyBlock } from './snappyBlock.js';

const MAX = 1 << 20;

/** Bytes with repeats in them, so compression produces copies as well as literals. */
const compressible = fc
  .array(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 200 })), { maxLength: 30 })
  .map((parts) => Uint8Array.from(parts.flatMap(([bytes, times]) => Array.from({ length: times }, () => [...bytes]).flat())));

describe('snappy block decompression', () => {
  it('gives back exactly what snappy compressed: literals, short and long copies, overlapping copies', () => {
    fc.assert(
      fc.property(compressible, (plain) => {
        expect(Buffer.from(uncompressSnappyBlock(SnappyJS.compress(plain), MAX)).equals(Buffer.from(plain))).toBe(true);
      }),
      { numRuns: 300 },
    );
    // Elements written by hand: a literal of 100 (its length in one extra byte, tag 60), two 2-byte-offset copies of it (64 + 36),
    const literal = Uint8Array.from({ length: 100 }, (_, i) => i);
    const block = Uint8Array.from([0xc8, 0x01, 60 << 2, 99, ...literal, (63 << 2) | 2, 100, 0, (35 << 2) | 2, 100, 0]);
    expect([...uncompressSnappyBlock(block, MAX)]).toEqual([...literal, ...literal]);
    // and a copy that overlaps what it writes: 3 bytes, then 7 more from 3 back (1-byte-offset copy: length 4 + 3).
    expect([...uncompressSnappyBlock(Uint8Array.from([10, 2 << 2, 1, 2, 3, (3 << 2) | 1, 3]), MAX)]).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3, 1]);
  });

  // The literal whose length reads as negative in 32 bits (snappyjs loops forever on it) is in remoteWrite.test.ts, run in a child process.
  it('refuses a literal length above what is left of the input, however large', () => {
    expect(() => uncompressSnappyBlock(Uint8Array.from([0x0a, 0xfc, 0xfa, 0xff, 0xff, 0xff]), MAX)).toThrow(/past the end of the input/);
  });

  it('refuses copies from before the start, elements past either end, and a total other than the claimed one', () => {
    const refuse = (bytes: number[], why: RegExp) => expect(() => uncompressSnappyBlock(Uint8Array.from(bytes), MAX)).toThrow(why);
    refuse([4, (3 << 2) | 2, 1, 0], /before the start/); // copy with nothing written
    refuse([8, 0 << 2, 7, (3 << 2) | 2, 0, 0], /before the start/); // offset 0
    refuse([8, 0 << 2, 7, (3 << 2) | 2, 2, 0], /before the start/); // offset past what was written
    refuse([4, 9 << 2, 1, 2], /past the end of the input/); // a literal of 10 with 2 bytes left
    refuse([2, 3 << 2, 1, 2, 3, 4], /past the claimed length/);
    refuse([8, 3 << 2, 1, 2, 3, 4], /not the 8 it claims/);
    refuse([4, (3 << 2) | 3, 1, 0], /past the end of the input/); // a 4-byte offset cut short
    refuse([0x80, 0x80, 0x80, 0x80, 0x80, 0x01], /preamble/);
    expect(() => uncompressSnappyBlock(Uint8Array.from([0x80, 0x80, 0x80, 0x01]), MAX)).toThrow(/more than/);
  });

  it('fuzz: damaged blocks and random bytes are refused with its own error or decode within the limit', () => {
    const bodies = fc.sample(
      fc.tuple(compressible, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat()).map(([plain, flips, cut]) => {
        const block = SnappyJS.compress(plain);
        for (const [at, value] of flips) block[at % block.length] = value;
        return block.subarray(0, block.length - (cut % 3));
      }),
      400,
    );
    for (const body of [...bodies, ...fc.sample(fc.uint8Array({ maxLength: 64 }), 400)]) {
      try {
        const out = uncompressSnappyBlock(body, MAX);
        expect(out.length).toBeLessThanOrEqual(MAX);
      } catch (err) {
        expect(err).toBeInstanceOf(SnappyBlockError);
      }
    }
  });
});
