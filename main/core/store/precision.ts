// How precisely the store keeps each series' values. Derived ratios and
// rates come out of a division (ticks over ticks, bytes over a jittered
// interval) with all 53 bits of a double, most of them noise no chart or
// alert can use, and noise does not compress: stored as they are they cost
// most of the disk. So they are rounded on append to what their unit needs;
// everything else is kept exactly. Pure.
//
// By unit (main/common/metrics.ts; for a name the catalogue does not know,
// the recording-rule suffix `…:ratio` or `…:rate`):
// - ratio (0..1, shown as percent) and cores (CPU time per second, shown as
//   percent of a core, as top does): to 1e-4, i.e. 0.01 percentage points.
//   Stored as a decimal, which the chunk codec's decimal coding packs
//   into a dozen bits.
// - bytes_per_second, per_second: to 12 significant bits, a relative error
//   of at most 1/4096 (0.024 %, about 3.6 significant digits; a chart shows
//   three): 1,234,567 B/s is kept as 1,234,432; 7 packets/s stays 7. The
//   mantissa's low 41 bits become zero, which the XOR coding skips.
// - everything else (bytes, counts, seconds, load, temperatures, and
//   series the catalogue does not know): exact, bit for bit.
// A rounded value never becomes -0 (a ratio of -0.00001 is kept as 0).
import { metricInfo, type MetricUnit } from '../../common/metrics.js';

export type Precision =
  | { readonly kind: 'exact' }
  /** Rounded to `places` decimal places. */
  | { readonly kind: 'decimal'; readonly places: number }
  /** Rounded to `bits` significant bits. */
  | { readonly kind: 'relative'; readonly bits: number };

export const EXACT: Precision = { kind: 'exact' };
export const RATIO_PRECISION: Precision = { kind: 'decimal', places: 4 };
export const RATE_PRECISION: Precision = { kind: 'relative', bits: 12 };

const BY_UNIT: Partial<Record<MetricUnit, Precision>> = {
  ratio: RATIO_PRECISION,
  cores: RATIO_PRECISION,
  bytes_per_second: RATE_PRECISION,
  per_second: RATE_PRECISION,
};

/** The precision the store keeps a series of this metric at. */
export function precisionOf(name: string): Precision {
  const unit = metricInfo(name)?.unit;
  if (unit !== undefined) return BY_UNIT[unit] ?? EXACT;
  if (name.endsWith(':ratio')) return RATIO_PRECISION;
  if (name.endsWith(':rate')) return RATE_PRECISION;
  return EXACT;
}

const scratch = new DataView(new ArrayBuffer(8));

/** The exponent e of a normal double, |v| in [2^e, 2^(e+1)); undefined for 0, subnormals and non-finite values. */
function binaryExponent(v: number): number | undefined {
  scratch.setFloat64(0, v);
  const biased = (scratch.getUint16(0) >>> 4) & 0x7ff;
  return biased === 0 || biased === 0x7ff ? undefined : biased - 1023;
}

/** v rounded to `precision` (finite values only; NaN and ±Infinity are returned as they are). */
export function roundToPrecision(v: number, precision: Precision): number {
  if (precision.kind === 'exact' || !Number.isFinite(v)) return v;
  let rounded: number;
  if (precision.kind === 'decimal') {
    const scale = 10 ** precision.places;
    // k / 10^d, not k * 10^-d: the division is correctly rounded, so the
    // result is the double nearest the decimal, the one the codec expects.
    rounded = Math.round(v * scale) / scale;
  } else {
    const e = binaryExponent(v);
    if (e === undefined) return v === 0 ? 0 : v; // subnormals are far below any rate's noise: left as they are
    // Multiplying and dividing by a power of two is exact, so only the rounding moves the value.
    const unit = 2 ** (e - (precision.bits - 1));
    rounded = Math.round(v / unit) * unit;
  }
  return rounded === 0 ? 0 : rounded;
}
