import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decimalPlaces } from './chunkCodec.js';
import { EXACT, RATE_PRECISION, RATIO_PRECISION, precisionOf, roundToPrecision } from './precision.js';

/** Significant bits of a finite non-zero double's mantissa (1..53). */
function significantBits(v: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  let mantissa = view.getBigUint64(0) & ((1n << 52n) - 1n);
  if (mantissa === 0n) return 1;
  let trailing = 0;
  while ((mantissa & 1n) === 0n) {
    mantissa >>= 1n;
    trailing++;
  }
  return 53 - trailing;
}

describe('precisionOf', () => {
  it('rounds ratios and rates by their unit in the catalogue, keeps the rest exact', () => {
    expect(precisionOf('host:cpu_usage:ratio')).toEqual(RATIO_PRECISION);
    expect(precisionOf('node_disk_io_time_seconds:rate')).toEqual(RATIO_PRECISION); // a utilisation: unit ratio
    expect(precisionOf('node_network_receive_bytes:rate')).toEqual(RATE_PRECISION);
    expect(precisionOf('node_network_receive_packets:rate')).toEqual(RATE_PRECISION);
    expect(precisionOf('container:cpu_usage:cores')).toEqual(RATIO_PRECISION);
    expect(precisionOf('container:fs_read_bytes:rate')).toEqual(RATE_PRECISION);
    expect(precisionOf('container_memory_working_set_bytes')).toEqual(EXACT);
    // Cloud metrics declare their unit by their name's suffix.
    expect(precisionOf('cloud_cpu_utilization_ratio')).toEqual(RATIO_PRECISION);
    expect(precisionOf('cloud_network_receive_bytes_per_second')).toEqual(RATE_PRECISION);
    expect(precisionOf('cloud_disk_used_bytes')).toEqual(EXACT);
    expect(precisionOf('host:memory_used:bytes')).toEqual(EXACT);
    expect(precisionOf('node_load1')).toEqual(EXACT);
    expect(precisionOf('host:uptime:seconds')).toEqual(EXACT);
    expect(precisionOf('node_hwmon_temp_celsius')).toEqual(EXACT);
  });

  it('follows the recording-rule suffix for names the catalogue does not know, else keeps them exact', () => {
    expect(precisionOf('cloud:cpu_usage:ratio')).toEqual(RATIO_PRECISION);
    expect(precisionOf('cloud:network_receive_bytes:rate')).toEqual(RATE_PRECISION);
    expect(precisionOf('cloud_cpu_utilization')).toEqual(EXACT);
    expect(precisionOf('m')).toEqual(EXACT);
  });
});

describe('roundToPrecision', () => {
  it('keeps ratios to 1e-4: within half of it, at most four decimals, idempotent, never -0', () => {
    fc.assert(
      fc.property(fc.double({ min: -2, max: 2, noNaN: true }), (v) => {
        const r = roundToPrecision(v, RATIO_PRECISION);
        expect(Math.abs(r - v)).toBeLessThanOrEqual(0.5e-4 + 1e-15);
        expect(decimalPlaces(r)).toBeGreaterThanOrEqual(0);
        expect(decimalPlaces(r)).toBeLessThanOrEqual(4);
        expect(roundToPrecision(r, RATIO_PRECISION)).toBe(r);
        expect(Object.is(r, -0)).toBe(false);
      }),
      { numRuns: 2000 },
    );
    expect(roundToPrecision(0.123456, RATIO_PRECISION)).toBe(0.1235);
    expect(roundToPrecision(1, RATIO_PRECISION)).toBe(1);
    expect(roundToPrecision(-0.00001, RATIO_PRECISION)).toBe(0);
    expect(Object.is(roundToPrecision(-0.00001, RATIO_PRECISION), 0)).toBe(true);
  });

  it('keeps rates to 12 significant bits: relative error at most 1/4096, idempotent, small integers exact', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e15, max: 1e15, noNaN: true }), (v) => {
        const r = roundToPrecision(v, RATE_PRECISION);
        expect(Math.abs(r - v)).toBeLessThanOrEqual(Math.abs(v) / 4096);
        if (r !== 0 && Math.abs(r) >= 2 ** -1022) expect(significantBits(r)).toBeLessThanOrEqual(12);
        expect(roundToPrecision(r, RATE_PRECISION)).toBe(r);
        expect(Object.is(r, -0)).toBe(false);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4096 }), (n) => {
        expect(roundToPrecision(n, RATE_PRECISION)).toBe(n);
      }),
    );
    expect(roundToPrecision(1_234_567, RATE_PRECISION)).toBe(1_234_432);
    expect(roundToPrecision(0.6, RATE_PRECISION)).toBeCloseTo(0.6, 3);
  });

  it('returns exact series, NaN and ±Infinity as they are', () => {
    fc.assert(
      fc.property(fc.double(), (v) => {
        expect(Object.is(roundToPrecision(v, EXACT), v)).toBe(true);
      }),
    );
    for (const p of [RATIO_PRECISION, RATE_PRECISION]) {
      expect(roundToPrecision(Number.NaN, p)).toBeNaN();
      expect(roundToPrecision(Number.POSITIVE_INFINITY, p)).toBe(Number.POSITIVE_INFINITY);
      expect(roundToPrecision(Number.NEGATIVE_INFINITY, p)).toBe(Number.NEGATIVE_INFINITY);
    }
  });
});
