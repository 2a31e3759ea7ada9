// Compressed chunks of one series, after Gorilla (Pelkonen et al., "Gorilla:
// A Fast, Scalable, In-Memory Time Series Database", VLDB 2015, §4.1):
// timestamps as delta-of-deltas in variable-width buckets, values as the XOR
// with the previous value, storing only the bits between the leading and
// trailing zeros. Regular 5 s samples with slowly moving values cost one or
// two bytes each instead of sixteen. Pure: no SQLite here.
//
// Differences from the paper, and why:
// - Timestamps are integer milliseconds (the paper uses seconds), so the
//   delta-of-delta buckets are narrower at the small end, where polling
//   jitter of a few ms lands: 0 → '0', ±16 → '10'+5 bits, ±256 → '110'+9,
//   ±4096 → '1110'+13, 32-bit → '11110'+32, anything else '11111' + the
//   64-bit double of the delta-of-delta (exact for safe integers).
// - A second value coding, for decimals: when every value of a chunk is an
//   integer k over a power of ten (k / 10^d, d ≤ 15, |k| < 2^50) — ratios the
//   store rounded to 1e-4, load averages with two decimals, temperatures,
//   byte counts — the chunk may store the k as zigzag deltas in adaptive-width
//   bit fields instead: a ratio moving by a few hundredths of a percent costs
//   about 12 bits where its XOR costs 40 or more. The encoder runs both while
//   a chunk is open and seals the smaller (sealedBytes); the open head is
//   always readable in the XOR coding (bytes).
// - Any sequence of integer timestamps with |t| <= 2^50 round-trips, including
//   out-of-order and duplicate ones (negative deltas are just deltas); the
//   store, not the codec, decides which samples it accepts.
// - Values round-trip bit for bit in both codings (NaN, ±Infinity, -0 and
//   subnormals only ever take the XOR coding, which works on the IEEE 754
//   bits; the decimal coding takes a value only if k / 10^d gives back its
//   exact bits).
//
// Layouts. Legacy (schema ≤ 3, read only): varint sample count, zigzag varint
// first timestamp, then one bit stream interleaving timestamps and XOR
// values. Columnar (schema 4 on): byte 0x00 — which a legacy chunk never
// starts with, its count being at least 1 — then the coding (1 XOR, 2
// decimal), for decimal the power d, varint count, zigzag varint first
// timestamp, varint byte length of the timestamp stream, the timestamp
// stream, the value stream.

/** Timestamps must be integers within ±2^50 ms (±35,000 years), so every delta-of-delta is a safe integer. */
export const MAX_ABS_TIMESTAMP = 2 ** 50;

const scratch = new DataView(new ArrayBuffer(8));

function highBits(v: number): number {
  scratch.setFloat64(0, v);
  return scratch.getUint32(0);
}

function lowBits(): number {
  return scratch.getUint32(4);
}

function fromBits(hi: number, lo: number): number {
  scratch.setUint32(0, hi);
  scratch.setUint32(4, lo);
  return scratch.getFloat64(0);
}

function ctz32(x: number): number {
  // x & -x isolates the lowest set bit; 31 - clz32 gives its index.
  return x === 0 ? 32 : 31 - Math.clz32(x & -x);
}

/** Append-only bit stream, most significant bit first. */
export class BitWriter {
  private buf = new Uint8Array(64);
  private byte = 0;
  private bit = 0;

  /** Writes the low `n` bits of `value` (0 <= n <= 32). */
  write(value: number, n: number): void {
    while (n > 0) {
      if (this.byte >= this.buf.length) this.grow();
      const free = 8 - this.bit;
      const take = free < n ? free : n;
      const shift = n - take;
      const bits = (value >>> shift) & ((1 << take) - 1);
      this.buf[this.byte]! |= bits << (free - take);
      this.bit += take;
      n -= take;
      if (this.bit === 8) {
        this.byte++;
        this.bit = 0;
      }
    }
  }

  private grow(): void {
    const next = new Uint8Array(this.buf.length * 2);
    next.set(this.buf);
    this.buf = next;
  }

  get bitLength(): number {
    return this.byte * 8 + this.bit;
  }

  /** The bytes written so far (the last one zero-padded), as a view valid until the next write. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.byte + (this.bit > 0 ? 1 : 0));
  }
}

export class BitReader {
  private byte: number;
  private bit = 0;

  constructor(
    private readonly buf: Uint8Array,
    offset = 0,
  ) {
    this.byte = offset;
  }

  /** Reads `n` bits (0 <= n <= 32) as an unsigned number. */
  read(n: number): number {
    let out = 0;
    while (n > 0) {
      if (this.byte >= this.buf.length) throw new RangeError('chunk is truncated');
      const free = 8 - this.bit;
      const take = free < n ? free : n;
      const bits = (this.buf[this.byte]! >>> (free - take)) & ((1 << take) - 1);
      out = out * (1 << take) + bits; // multiplication keeps 32-bit reads unsigned
      this.bit += take;
      n -= take;
      if (this.bit === 8) {
        this.byte++;
        this.bit = 0;
      }
    }
    return out;
  }

  readBit(): number {
    return this.read(1);
  }
}

// ---------------------------------------------------------------- varints

function zigzag(n: number): number {
  return n < 0 ? -2 * n - 1 : 2 * n;
}

function unzigzag(n: number): number {
  return n % 2 === 1 ? -(n + 1) / 2 : n / 2;
}

/** Unsigned LEB128 of a non-negative safe integer, with division so it works past 32 bits. */
export function writeVarint(out: number[], n: number): void {
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
}

export function readVarint(buf: Uint8Array, pos: { offset: number }): number {
  let result = 0;
  let scale = 1;
  for (;;) {
    if (pos.offset >= buf.length) throw new RangeError('chunk header is truncated');
    const b = buf[pos.offset++]!;
    result += (b & 0x7f) * scale;
    if (b < 0x80) return result;
    scale *= 0x80;
    if (scale > 2 ** 63) throw new RangeError('chunk header varint is too long');
  }
}

// ---------------------------------------------------------------- streams

function checkTimestamp(t: number): void {
  if (!Number.isInteger(t) || Math.abs(t) > MAX_ABS_TIMESTAMP) {
    throw new RangeError(`chunk timestamps must be integers within ±2^50, got ${t}`);
  }
}

/**
 * Delta-of-delta buckets: bucket i is announced by i + 1 one-bits and a
 * zero, then `widths[i]` bits of the delta-of-delta (offset to be
 * non-negative; a width of 32 is any signed 32-bit value); '0' alone is a
 * delta-of-delta of 0, and widths.length + 1 one-bits escape to the 64-bit
 * double of it.
 */
type TimestampBuckets = readonly number[];
/** The legacy layout's buckets: '10'+5, '110'+9, '1110'+13, '11110'+32, '11111'+64. */
const LEGACY_TIMESTAMP_BUCKETS: TimestampBuckets = [5, 9, 13, 32];

function bucketFits(dod: number, width: number): boolean {
  if (width === 32) return dod >= -(2 ** 31) && dod < 2 ** 31;
  return dod >= -(2 ** (width - 1) - 1) && dod <= 2 ** (width - 1);
}

/** Delta-of-delta stream of timestamps; the first is kept outside, in the header. */
class TimestampWriter {
  private prevT = 0;
  private prevDelta = 0;
  private started = false;

  constructor(
    private readonly bits: BitWriter,
    private readonly buckets: TimestampBuckets,
  ) {}

  write(t: number): void {
    if (!this.started) {
      this.started = true;
      this.prevT = t;
      return;
    }
    const delta = t - this.prevT;
    const dod = delta - this.prevDelta;
    this.prevT = t;
    this.prevDelta = delta;
    const w = this.bits;
    if (dod === 0) {
      w.write(0, 1);
      return;
    }
    for (let i = 0; i < this.buckets.length; i++) {
      const width = this.buckets[i]!;
      if (!bucketFits(dod, width)) continue;
      w.write(2 ** (i + 2) - 2, i + 2); // i + 1 ones, then a zero
      w.write(width === 32 ? dod >>> 0 : dod + 2 ** (width - 1) - 1, width);
      return;
    }
    w.write(2 ** (this.buckets.length + 1) - 1, this.buckets.length + 1);
    w.write(highBits(dod), 32);
    w.write(lowBits(), 32);
  }
}

class TimestampReader {
  private prevT: number;
  private prevDelta = 0;
  private first = true;

  constructor(
    private readonly bits: BitReader,
    firstT: number,
    private readonly buckets: TimestampBuckets,
  ) {
    this.prevT = firstT;
  }

  read(): number {
    if (this.first) {
      this.first = false;
      return this.prevT;
    }
    const r = this.bits;
    let dod: number | undefined;
    if (r.readBit() === 0) dod = 0;
    else {
      for (const width of this.buckets) {
        if (r.readBit() === 1) continue;
        dod = width === 32 ? r.read(32) | 0 : r.read(width) - (2 ** (width - 1) - 1);
        break;
      }
      if (dod === undefined) {
        const hi = r.read(32);
        dod = fromBits(hi, r.read(32));
      }
    }
    this.prevDelta += dod;
    this.prevT += this.prevDelta;
    return this.prevT;
  }
}

/** XOR stream of float64 values (Gorilla §4.1.2). */
class ValueWriter {
  private prevHi = 0;
  private prevLo = 0;
  private leading = -1; // no window yet
  private trailing = 0;
  private started = false;

  constructor(private readonly bits: BitWriter) {}

  write(v: number): void {
    const hi = highBits(v);
    const lo = lowBits();
    const w = this.bits;
    if (!this.started) {
      this.started = true;
      w.write(hi, 32);
      w.write(lo, 32);
      this.prevHi = hi;
      this.prevLo = lo;
      return;
    }
    const xHi = (hi ^ this.prevHi) >>> 0;
    const xLo = (lo ^ this.prevLo) >>> 0;
    this.prevHi = hi;
    this.prevLo = lo;
    if (xHi === 0 && xLo === 0) {
      w.write(0, 1);
      return;
    }
    let leading = xHi !== 0 ? Math.clz32(xHi) : 32 + Math.clz32(xLo);
    const trailing = xLo !== 0 ? ctz32(xLo) : 32 + ctz32(xHi);
    if (leading > 31) leading = 31; // 5 bits of leading-zero count, as in the paper
    if (this.leading >= 0 && leading >= this.leading && trailing >= this.trailing) {
      w.write(0b10, 2);
      writeMeaningful(w, xHi, xLo, this.leading, this.trailing);
      return;
    }
    const meaningful = 64 - leading - trailing;
    w.write(0b11, 2);
    w.write(leading, 5);
    w.write(meaningful === 64 ? 0 : meaningful, 6);
    writeMeaningful(w, xHi, xLo, leading, trailing);
    this.leading = leading;
    this.trailing = trailing;
  }
}

/** Writes bits [63 - leading .. trailing] of the 64-bit (hi, lo) pair. */
function writeMeaningful(w: BitWriter, hi: number, lo: number, leading: number, trailing: number): void {
  const n = 64 - leading - trailing;
  // Shift the pair right by `trailing`, then write its low n bits.
  let sHi: number;
  let sLo: number;
  if (trailing >= 32) {
    sHi = 0;
    sLo = hi >>> (trailing - 32);
  } else if (trailing === 0) {
    sHi = hi;
    sLo = lo;
  } else {
    sHi = hi >>> trailing;
    sLo = ((lo >>> trailing) | (hi << (32 - trailing))) >>> 0;
  }
  if (n > 32) {
    w.write(sHi, n - 32);
    w.write(sLo, 32);
  } else {
    w.write(sLo, n);
  }
}

class ValueReader {
  private prevHi = 0;
  private prevLo = 0;
  private leading = 0;
  private trailing = 0;
  private started = false;

  constructor(private readonly bits: BitReader) {}

  read(): number {
    const r = this.bits;
    if (!this.started) {
      this.started = true;
      this.prevHi = r.read(32);
      this.prevLo = r.read(32);
      return fromBits(this.prevHi, this.prevLo);
    }
    if (r.readBit() === 0) return fromBits(this.prevHi, this.prevLo);
    if (r.readBit() === 1) {
      this.leading = r.read(5);
      const meaningful = r.read(6) || 64;
      this.trailing = 64 - this.leading - meaningful;
      if (this.trailing < 0) throw new RangeError('chunk is corrupt: XOR window wider than 64 bits');
    }
    const n = 64 - this.leading - this.trailing;
    let sHi = 0;
    let sLo: number;
    if (n > 32) {
      sHi = r.read(n - 32);
      sLo = r.read(32);
    } else {
      sLo = r.read(n);
    }
    // Shift the pair left by `trailing` back into place.
    const t = this.trailing;
    let xHi: number;
    let xLo: number;
    if (t >= 32) {
      xHi = sLo << (t - 32);
      xLo = 0;
    } else if (t === 0) {
      xHi = sHi;
      xLo = sLo;
    } else {
      xHi = (sHi << t) | (sLo >>> (32 - t));
      xLo = sLo << t;
    }
    this.prevHi = (this.prevHi ^ xHi) >>> 0;
    this.prevLo = (this.prevLo ^ xLo) >>> 0;
    return fromBits(this.prevHi, this.prevLo);
  }
}

function withHeader(count: number, firstT: number, body: Uint8Array): Uint8Array {
  const header: number[] = [];
  writeVarint(header, count);
  if (count > 0) writeVarint(header, zigzag(firstT));
  const out = new Uint8Array(header.length + body.length);
  out.set(header);
  out.set(body, header.length);
  return out;
}

function readHeader(bytes: Uint8Array): { count: number; firstT: number; offset: number } {
  const pos = { offset: 0 };
  const count = readVarint(bytes, pos);
  const firstT = count > 0 ? unzigzag(readVarint(bytes, pos)) : 0;
  return { count, firstT, offset: pos.offset };
}

// ---------------------------------------------------------------- decimal values

const POW10 = Array.from({ length: 16 }, (_, d) => 10 ** d); // exact doubles
const MAX_DECIMAL_PLACES = 15;
/** |k| below this keeps every delta and its zigzag a safe integer. */
const MAX_ABS_SCALED = 2 ** 50;

/** Whether v is exactly k / 10^d for an integer k the decimal coding can hold. */
function fitsDecimal(v: number, d: number): boolean {
  if (!Number.isFinite(v) || Object.is(v, -0)) return false;
  const k = Math.round(v * POW10[d]!);
  return Math.abs(k) < MAX_ABS_SCALED && k / POW10[d]! === v;
}

/** Fewest decimal places at which v fits the decimal coding, or -1. */
export function decimalPlaces(v: number, atLeast = 0): number {
  for (let d = atLeast; d <= MAX_DECIMAL_PLACES; d++) if (fitsDecimal(v, d)) return d;
  return -1;
}

/** Bits needed for a non-negative safe integer. */
function bitWidth(z: number): number {
  if (z === 0) return 0;
  if (z < 2 ** 32) return 32 - Math.clz32(z);
  return 32 + (32 - Math.clz32(Math.floor(z / 2 ** 32)));
}

function writeWide(w: BitWriter, z: number, width: number): void {
  if (width > 32) {
    w.write(Math.floor(z / 2 ** 32), width - 32);
    w.write(z % 2 ** 32, 32);
  } else {
    w.write(z, width);
  }
}

function readWide(r: BitReader, width: number): number {
  if (width > 32) {
    const hi = r.read(width - 32);
    return hi * 2 ** 32 + r.read(32);
  }
  return r.read(width);
}

/**
 * Decimal values as k = v * 10^d, coded as zigzag deltas of k: '0' for no
 * change, '10' + the delta in the current field width, '11' + a 6-bit width
 * + the delta (a new width, taken when the delta does not fit or when the
 * narrower field repays its six bits at once).
 */
class DecimalValueWriter {
  readonly bits = new BitWriter();
  private prevK = 0;
  private width = 0;

  /** `factor`: every k is a multiple of it and is coded as k / factor (aggregate columns only; see encodeColumn). */
  constructor(
    readonly places: number,
    readonly factor = 1,
  ) {}

  /** False when v does not fit at this writer's places and factor (nothing is written then). */
  write(v: number): boolean {
    if (!fitsDecimal(v, this.places)) return false;
    const scaled = Math.round(v * POW10[this.places]!);
    if (scaled % this.factor !== 0) return false;
    const k = scaled / this.factor;
    const z = zigzag(k - this.prevK);
    this.prevK = k;
    const w = this.bits;
    if (z === 0) {
      w.write(0, 1);
      return true;
    }
    const needed = bitWidth(z);
    if (needed <= this.width && 6 + needed >= this.width) {
      w.write(0b10, 2);
      writeWide(w, z, this.width);
    } else {
      w.write(0b11, 2);
      w.write(needed, 6);
      writeWide(w, z, needed);
      this.width = needed;
    }
    return true;
  }
}

class DecimalValueReader {
  private prevK = 0;
  private width = 0;

  constructor(
    private readonly bits: BitReader,
    private readonly places: number,
    private readonly factor = 1,
  ) {}

  read(): number {
    const r = this.bits;
    if (r.readBit() === 1) {
      if (r.readBit() === 1) {
        this.width = r.read(6);
        if (this.width === 0 || this.width > 53) throw new RangeError('chunk is corrupt: decimal field width out of range');
      }
      this.prevK += unzigzag(readWide(r, this.width));
    }
    // prevK * factor is the exact k the writer saw (a safe integer), so the division is the writer's.
    return (this.prevK * this.factor) / POW10[this.places]!;
  }
}

// ---------------------------------------------------------------- samples

const COLUMNAR = 0x00;
/** The columnar layouts' buckets (see the header): the same as legacy for now. */
const TIMESTAMP_BUCKETS: TimestampBuckets = LEGACY_TIMESTAMP_BUCKETS;
const CODING_XOR = 1;
const CODING_DECIMAL = 2;

/**
 * Builds one sample chunk a sample at a time. `bytes()` may be taken at any
 * point (the open head of a series is read from it); `sealedBytes()` is what
 * the store writes when the chunk is done: the smaller coding.
 */
export class SampleChunkEncoder {
  private readonly timeBits = new BitWriter();
  private readonly times = new TimestampWriter(this.timeBits, TIMESTAMP_BUCKETS);
  private readonly xorBits = new BitWriter();
  private readonly values = new ValueWriter(this.xorBits);
  /** The decimal coding of the values so far, until a value does not fit it. */
  private decimal: DecimalValueWriter | undefined = new DecimalValueWriter(0);
  private n = 0;
  private firstT = 0;
  /** The samples decoded, kept until the next append (an open head is queried far more often than it grows). */
  private decoded: DecodedSamples | undefined;

  append(t: number, v: number): void {
    checkTimestamp(t);
    if (typeof v !== 'number') throw new TypeError(`chunk values must be numbers, got ${typeof v}`);
    this.decoded = undefined;
    if (this.n === 0) this.firstT = t;
    this.times.write(t);
    this.values.write(v);
    this.n++;
    if (this.decimal && !this.decimal.write(v)) this.decimal = this.widenDecimal(v);
  }

  /** A decimal writer at more places holding every value so far, or undefined when v fits none. */
  private widenDecimal(v: number): DecimalValueWriter | undefined {
    const places = decimalPlaces(v, this.decimal!.places + 1);
    if (places < 0) return undefined;
    const wider = new DecimalValueWriter(places);
    for (const value of decodeValuesXor(this.xorBits.view(), this.n)) if (!wider.write(value)) return undefined;
    return wider;
  }

  get count(): number {
    return this.n;
  }

  /** The samples so far, decoded (do not modify the arrays). */
  samples(): DecodedSamples {
    this.decoded ??= decodeSamples(this.bytes());
    return this.decoded;
  }

  /** The chunk in the XOR coding: always available, also while open. */
  bytes(): Uint8Array {
    return this.layout(CODING_XOR, this.xorBits.view());
  }

  /** The chunk in whichever coding is smaller. */
  sealedBytes(): Uint8Array {
    const xor = this.xorBits.bitLength;
    if (this.decimal && this.decimal.bits.bitLength < xor) return this.layout(CODING_DECIMAL, this.decimal.bits.view(), this.decimal.places);
    return this.bytes();
  }

  private layout(coding: number, valueStream: Uint8Array, places?: number): Uint8Array {
    const header: number[] = [COLUMNAR, coding];
    if (places !== undefined) header.push(places);
    writeVarint(header, this.n);
    writeVarint(header, zigzag(this.firstT));
    const timeStream = this.timeBits.view();
    writeVarint(header, timeStream.length);
    const out = new Uint8Array(header.length + timeStream.length + valueStream.length);
    out.set(header);
    out.set(timeStream, header.length);
    out.set(valueStream, header.length + timeStream.length);
    return out;
  }
}

function decodeValuesXor(stream: Uint8Array, n: number): Float64Array {
  const reader = new ValueReader(new BitReader(stream));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = reader.read();
  return out;
}

export interface DecodedSamples {
  readonly t: Float64Array;
  readonly v: Float64Array;
}

/** A chunk of the given samples, in the smaller coding. */
export function encodeSamples(t: ArrayLike<number>, v: ArrayLike<number>): Uint8Array {
  if (t.length !== v.length) throw new RangeError(`chunk needs as many values as timestamps (${t.length} vs ${v.length})`);
  const enc = new SampleChunkEncoder();
  for (let i = 0; i < t.length; i++) enc.append(t[i]!, v[i]!);
  return enc.sealedBytes();
}

/** Which coding a chunk uses: 'legacy' (schema ≤ 3), 'xor' or 'decimal'. */
export function chunkCoding(bytes: Uint8Array): 'legacy' | 'xor' | 'decimal' {
  if (bytes.length < 2 || bytes[0] !== COLUMNAR) return 'legacy';
  if (bytes[1] === CODING_XOR) return 'xor';
  if (bytes[1] === CODING_DECIMAL) return 'decimal';
  throw new RangeError(`chunk has an unknown coding ${bytes[1]}`);
}

export function decodeSamples(bytes: Uint8Array): DecodedSamples {
  const coding = chunkCoding(bytes);
  if (coding === 'legacy') return decodeLegacySamples(bytes);
  const pos = { offset: 2 };
  const places = coding === 'decimal' ? bytes[pos.offset++]! : 0;
  if (places > MAX_DECIMAL_PLACES) throw new RangeError('chunk is corrupt: decimal places out of range');
  const count = readVarint(bytes, pos);
  const firstT = unzigzag(readVarint(bytes, pos));
  const timeLength = readVarint(bytes, pos);
  if (pos.offset + timeLength > bytes.length) throw new RangeError('chunk is truncated');
  const times = new TimestampReader(new BitReader(bytes.subarray(pos.offset, pos.offset + timeLength)), firstT, TIMESTAMP_BUCKETS);
  const valueBits = new BitReader(bytes.subarray(pos.offset + timeLength));
  return readSamples(count, times, coding === 'decimal' ? new DecimalValueReader(valueBits, places) : new ValueReader(valueBits));
}

function decodeLegacySamples(bytes: Uint8Array): DecodedSamples {
  const { count, firstT, offset } = readHeader(bytes);
  const bits = new BitReader(bytes, offset);
  // One stream: the readers take turns.
  return readSamples(count, new TimestampReader(bits, firstT, LEGACY_TIMESTAMP_BUCKETS), new ValueReader(bits));
}

function readSamples(count: number, times: TimestampReader, values: { read(): number }): DecodedSamples {
  const t = new Float64Array(count);
  const v = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    t[i] = times.read();
    v[i] = values.read();
  }
  return { t, v };
}

// ---------------------------------------------------------------- aggregates

/** One rollup row: bucket start, min, max, sum, count. */
export type AggregateRow = [t: number, min: number, max: number, sum: number, count: number];

// Aggregate chunk layouts (rollup rows of one series: bucket starts, and
// min, max, sum and count as four columns, each in its own coding, since
// each column moves slowly against itself, not against the others):
// - legacy (schema ≤ 3, read only): varint row count, zigzag varint first
//   start, one bit stream interleaving the starts and four XOR columns.
// - 1 (schema 4–6, read only): 0x00, varint row count, zigzag varint first
//   start, varint length + delta-of-delta stream of the starts, and per
//   column its coding (1 XOR, 2 decimal + the power d), varint length, stream.
// - 2 (written from schema 7 on): 0x00 0x00 0x02 — layout 1 has its row
//   count there, and an empty layout-1 chunk continues 0x00 — then varint row
//   count, zigzag varint first start; the starts as 0 + zigzag varint step
//   when every row is one step after the one before (a run of whole minutes
//   costs nothing a row; a chunk of 360 minutes cost 45 bytes of '0' bits),
//   else 1 + varint length + delta-of-delta stream; then per column one of
//   1 XOR + varint length + stream; 3 constant + the value's 8 IEEE 754
//   bytes (a count that is 12 in every minute of a 5-s series costs nothing
//   a row); 4 decimal with a factor: d, varint factor f, varint length and
//   the stream of zigzag deltas of k / f for k = v·10^d (byte gauges move in
//   whole pages, so dividing by the column's common factor 4096 saves the
//   twelve zero bits of every delta of min, max and sum).
// - 3 (written from schema 8 on): as 2 with 0x03, and one more column coding,
//   5 integer: d, a flags byte, varint factor, varint length, stream (see
//   encodeIntegerColumn): max as its spread over the row's min, sum as its
//   excess over count × min (with the ulps a float sum is off the decimal),
//   as is or as deltas, in fixed-width or adaptive Rice fields. A reader
//   reads min and count of a row before max and sum. Layouts 1 and 2 stay
//   readable: housekeeping rewrites nothing old, it writes layout 3 as it
//   seals, merges and rolls up.

const AGGREGATE_LAYOUT_2 = 2;
const AGGREGATE_LAYOUT_3 = 3;
const TIMES_STEP = 0;
const TIMES_DOD = 1;
const CODING_CONSTANT = 3;
const CODING_DECIMAL_FACTOR = 4;

export type AggregateColumnCoding = 'legacy' | 'xor' | 'decimal' | 'constant' | 'integer';

/** Rollup rows as an aggregate chunk, in layout 3 (`layout` 2 is for tests and benches that need a file as earlier builds wrote it). */
export function encodeAggregates(rows: readonly (readonly [number, number, number, number, number])[], layout: 2 | 3 = 3): Uint8Array {
  for (const row of rows) checkTimestamp(row[0]);
  const head: number[] = [COLUMNAR, 0, layout === 3 ? AGGREGATE_LAYOUT_3 : AGGREGATE_LAYOUT_2];
  writeVarint(head, rows.length);
  writeVarint(head, zigzag(rows.length > 0 ? rows[0]![0] : 0));
  const parts: Uint8Array[] = [];
  const step = rows.length > 1 ? rows[1]![0] - rows[0]![0] : 0;
  let regular = true;
  for (let i = 1; i < rows.length && regular; i++) regular = rows[i]![0] - rows[i - 1]![0] === step;
  if (regular) {
    head.push(TIMES_STEP);
    writeVarint(head, zigzag(step));
    parts.push(Uint8Array.from(head));
  } else {
    const timeBits = new BitWriter();
    const times = new TimestampWriter(timeBits, TIMESTAMP_BUCKETS);
    for (const row of rows) times.write(row[0]);
    const timeStream = timeBits.view();
    head.push(TIMES_DOD);
    writeVarint(head, timeStream.length);
    parts.push(Uint8Array.from(head), timeStream);
  }
  if (layout === 3) parts.push(...encodeColumnsLayout3(rows));
  else for (let c = 1; c <= 4; c++) parts.push(...encodeColumn(rows.map((r) => r[c]!)));
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return bytes;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** A column of values in its smallest coding: coding head, stream. */
function encodeColumn(values: readonly number[]): Uint8Array[] {
  const xorBits = new BitWriter();
  const xor = new ValueWriter(xorBits);
  // The fewest places every value fits at (a value that fits at d fits at any more), or -1.
  let places = 0;
  for (const v of values) {
    xor.write(v);
    if (places >= 0) places = decimalPlaces(v, places);
  }
  const xorHead: number[] = [CODING_XOR];
  writeVarint(xorHead, xorBits.view().length);
  const candidates: Uint8Array[][] = [[Uint8Array.from(xorHead), xorBits.view()]];
  if (places >= 0) {
    let factor = 0;
    for (const v of values) factor = gcd(factor, Math.abs(Math.round(v * POW10[places]!)));
    const decimal = new DecimalValueWriter(places, Math.max(1, factor));
    if (values.every((v) => decimal.write(v))) {
      const head: number[] = [CODING_DECIMAL_FACTOR, places];
      writeVarint(head, decimal.factor);
      writeVarint(head, decimal.bits.view().length);
      candidates.push([Uint8Array.from(head), decimal.bits.view()]);
    }
  }
  if (values.length > 0) {
    const hi = highBits(values[0]!);
    const lo = lowBits();
    if (values.every((v) => highBits(v) === hi && lowBits() === lo)) {
      const constant = new Uint8Array(9);
      constant[0] = CODING_CONSTANT;
      new DataView(constant.buffer).setFloat64(1, values[0]!);
      candidates.push([constant]);
    }
  }
  const size = (parts: Uint8Array[]) => parts.reduce((n, p) => n + p.length, 0);
  return candidates.reduce((best, c) => (size(c) < size(best) ? c : best));
}

// ---------------------------------------------------------------- layout 3 columns

const CODING_INTEGER = 5;
/** What an integer column's k is taken relative to: nothing, the row's min (for max: the spread), or count × min (for sum: the excess over the min). */
const RELATIVE_NONE = 0;
const RELATIVE_MIN = 1;
const RELATIVE_COUNT_MIN = 2;
const FLAG_DELTA = 4;
const FLAG_ULPS = 8;
const FLAG_RICE = 16;
/** A value at most this many units in the last place from k / 10^d is stored as k and that distance. */
const MAX_ULPS = 2 ** 20;

/** v's distance from base in units in the last place (the difference of their IEEE 754 bits), when both are finite, of one sign and near; else undefined. */
function ulpsFrom(base: number, v: number): number | undefined {
  if (!Number.isFinite(v) || !Number.isFinite(base)) return undefined;
  const bh = highBits(base);
  const bl = lowBits();
  const vh = highBits(v);
  const vl = lowBits();
  if ((bh ^ vh) >>> 31 !== 0) return undefined;
  const d = (vh - bh) * 2 ** 32 + (vl - bl);
  return Math.abs(d) <= MAX_ULPS ? d : undefined;
}

/** The double whose bits are base's plus d: the inverse of ulpsFrom. */
function addUlps(base: number, d: number): number {
  const bh = highBits(base);
  const lo = lowBits() + d;
  const carry = Math.floor(lo / 2 ** 32);
  return fromBits((bh + carry) >>> 0, lo - carry * 2 ** 32);
}

/** Adaptive-width fields of non-negative integers: '0' for 0, '10' + the current width, '11' + 6-bit width + the value (as DecimalValueWriter). */
class FieldWriter {
  readonly bits = new BitWriter();
  private width = 0;

  write(z: number): void {
    const w = this.bits;
    if (z === 0) {
      w.write(0, 1);
      return;
    }
    const needed = bitWidth(z);
    if (needed <= this.width && 6 + needed >= this.width) {
      w.write(0b10, 2);
      writeWide(w, z, this.width);
    } else {
      w.write(0b11, 2);
      w.write(needed, 6);
      writeWide(w, z, needed);
      this.width = needed;
    }
  }
}

class FieldReader {
  private width = 0;

  constructor(readonly bits: BitReader) {}

  read(): number {
    const r = this.bits;
    if (r.readBit() === 0) return 0;
    if (r.readBit() === 1) {
      this.width = r.read(6);
      if (this.width === 0 || this.width > 53) throw new RangeError('chunk is corrupt: field width out of range');
    }
    return readWide(r, this.width);
  }
}

/**
 * Adaptive Golomb–Rice fields of non-negative integers (the parameter
 * adapted from the running mean as in JPEG-LS, ITU-T T.87 §A.4.1): z as
 * q = ⌊z / 2^k⌋ one-bits, a zero, and z's k low bits; a q of 24 or more is
 * 24 one-bits, a 6-bit width and z. Noise around a small mean — the spread
 * and the excess of a minute — costs about a bit and a half less a value
 * than a field of the widest recent width.
 */
const RICE_ESCAPE = 24;

class RiceState {
  private a = 4;
  private n = 1;

  /** The smallest k with n · 2^k ≥ a (about: the quotient is a double; writer and reader compute it alike), at most 52. */
  get k(): number {
    if (this.a <= this.n) return 0;
    return Math.min(52, bitWidth(Math.ceil(this.a / this.n) - 1));
  }

  update(z: number): void {
    this.a += z;
    this.n++;
    if (this.n >= 32) {
      this.a = Math.floor(this.a / 2);
      this.n = 16;
    }
  }
}

class RiceWriter {
  readonly bits = new BitWriter();
  private readonly state = new RiceState();

  write(z: number): void {
    const w = this.bits;
    const k = this.state.k;
    const q = Math.floor(z / 2 ** k);
    if (q >= RICE_ESCAPE) {
      for (let i = 0; i < RICE_ESCAPE; i += 8) w.write(0xff, 8);
      const width = bitWidth(z);
      w.write(width, 6);
      writeWide(w, z, width);
    } else {
      for (let i = 0; i < q; i++) w.write(1, 1);
      w.write(0, 1);
      writeWide(w, z - q * 2 ** k, k);
    }
    this.state.update(z);
  }
}

class RiceReader {
  private readonly state = new RiceState();

  constructor(readonly bits: BitReader) {}

  read(): number {
    const r = this.bits;
    const k = this.state.k;
    let q = 0;
    while (q < RICE_ESCAPE && r.readBit() === 1) q++;
    let z: number;
    if (q === RICE_ESCAPE) {
      const width = r.read(6);
      if (width > 53) throw new RangeError('chunk is corrupt: field width out of range');
      z = readWide(r, width);
    } else z = q * 2 ** k + readWide(r, k);
    this.state.update(z);
    return z;
  }
}

/** k of a decimal at d places (the same expression on both sides, so the reader recomputes the writer's k from the decoded value). */
function scaled(v: number, d: number): number {
  return Math.round(v * POW10[d]!);
}

/** The base k an integer column's value is taken relative to in a row, or undefined when the row's min or count cannot give one exactly. */
function relativeK(relative: number, min: number, count: number, d: number): number | undefined {
  if (relative === RELATIVE_NONE) return 0;
  if (!fitsDecimal(min, d)) return undefined;
  const k = scaled(min, d);
  if (relative === RELATIVE_MIN) return k;
  if (!Number.isInteger(count) || count < 0) return undefined;
  const r = k * count;
  return Math.abs(r) < MAX_ABS_SCALED ? r : undefined;
}

/** The bits writeIntegerColumn would write for the values alone (the ulps cost the same in every candidate): the same states as FieldWriter and RiceWriter, without writing. */
function integerColumnBits(xs: Float64Array, delta: boolean, rice: boolean): number {
  let bits = 0;
  let prev = 0;
  let width = 0;
  const state = new RiceState();
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const z = zigzag(delta ? x - prev : x);
    prev = x;
    if (rice) {
      const k = state.k;
      const q = Math.floor(z / 2 ** k);
      bits += q >= RICE_ESCAPE ? RICE_ESCAPE + 6 + bitWidth(z) : q + 1 + k;
      state.update(z);
    } else if (z === 0) bits += 1;
    else {
      const needed = bitWidth(z);
      if (needed <= width && 6 + needed >= width) bits += 2 + width;
      else {
        bits += 8 + needed;
        width = needed;
      }
    }
  }
  return bits;
}

/**
 * One column as integers: k = round(v · 10^d) less the row's relative base,
 * divided by the column's common factor, written as is or as the delta from
 * the row before (zigzag, adaptive width); with FLAG_ULPS, after each value
 * the distance of v from k / 10^d in units in the last place ('0', or '1' +
 * 5-bit width + zigzag): a sum of decimals added in floating point lands a
 * few ulps off the decimal, and is kept to the bit. Undefined when a value
 * does not fit.
 */
interface IntegerColumn {
  readonly d: number;
  readonly relative: number;
  /** The values as k less the relative base, divided by factor. */
  readonly xs: Float64Array;
  readonly ulps: Float64Array | undefined;
  readonly factor: number;
}

/** A column as integers at d places relative to `relative`, or undefined when a value does not fit (see writeIntegerColumn). */
function integerColumn(rows: readonly (readonly number[])[], c: number, d: number, relative: number, minK: Float64Array | undefined): IntegerColumn | undefined {
  const n = rows.length;
  const xs = new Float64Array(n);
  let ulps: Float64Array | undefined;
  let factor = 0;
  const scale = POW10[d]!;
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    const v = row[c]!;
    if (!Number.isFinite(v) || Object.is(v, -0)) return undefined;
    // + 0: a k of -0 is 0, as the reader's x · factor + base gives it (the ulps below are from that +0).
    const k = Math.round(v * scale) + 0;
    if (Math.abs(k) >= MAX_ABS_SCALED) return undefined;
    const base = k / scale;
    if (base !== v || Object.is(base, -0)) {
      const u = ulpsFrom(base, v);
      if (u === undefined) return undefined;
      ulps ??= new Float64Array(n);
      ulps[i] = u;
    }
    let r = 0;
    if (relative !== RELATIVE_NONE) {
      r = minK![i]!;
      if (relative === RELATIVE_COUNT_MIN) {
        const count = row[4]!;
        if (!Number.isInteger(count) || count < 0) return undefined;
        r *= count;
        if (Math.abs(r) >= MAX_ABS_SCALED) return undefined;
      }
    }
    const x = k - r;
    xs[i] = x;
    if (factor !== 1) factor = gcd(factor, Math.abs(x));
  }
  factor = Math.max(1, factor);
  if (factor >= MAX_ABS_SCALED) return undefined;
  if (factor > 1) for (let i = 0; i < n; i++) xs[i] = xs[i]! / factor;
  return { d, relative, xs, ulps, factor };
}

/**
 * One column as integers: k = round(v · 10^d) less the row's relative base,
 * divided by the column's common factor, written as is or as the delta from
 * the row before (zigzag; fixed-width or Rice fields); with FLAG_ULPS, after
 * each value the distance of v from k / 10^d in units in the last place
 * ('0', or '1' + 5-bit width + zigzag): a sum of decimals added in floating
 * point lands a few ulps off the decimal, and is kept to the bit.
 */
function writeIntegerColumn(col: IntegerColumn, delta: boolean, rice: boolean): Uint8Array[] {
  const fields = rice ? new RiceWriter() : new FieldWriter();
  let prev = 0;
  const { xs, ulps } = col;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    fields.write(zigzag(delta ? x - prev : x));
    prev = x;
    if (ulps) {
      const u = ulps[i]!;
      if (u === 0) fields.bits.write(0, 1);
      else {
        const z = zigzag(u);
        const width = bitWidth(z);
        fields.bits.write(1, 1);
        fields.bits.write(width, 5);
        fields.bits.write(z, width);
      }
    }
  }
  const head: number[] = [CODING_INTEGER, col.d, col.relative | (delta ? FLAG_DELTA : 0) | (ulps ? FLAG_ULPS : 0) | (rice ? FLAG_RICE : 0)];
  writeVarint(head, col.factor);
  writeVarint(head, fields.bits.view().length);
  return [Uint8Array.from(head), fields.bits.view()];
}

class IntegerColumnReader {
  private readonly fields: FieldReader | RiceReader;
  private prev = 0;

  constructor(
    bits: BitReader,
    private readonly d: number,
    private readonly flags: number,
    private readonly factor: number,
  ) {
    this.fields = flags & FLAG_RICE ? new RiceReader(bits) : new FieldReader(bits);
  }

  read(min: number, count: number): number {
    const z = unzigzag(this.fields.read());
    const x = this.flags & FLAG_DELTA ? this.prev + z : z;
    this.prev = x;
    // The writer checked that min fits at d (and count is a whole number), so its k is this product (relativeK without the checks: this runs per row of every query).
    const relative = this.flags & 3;
    const base = relative === RELATIVE_NONE ? 0 : Math.round(min * POW10[this.d]!) * (relative === RELATIVE_COUNT_MIN ? count : 1);
    const v = (x * this.factor + base) / POW10[this.d]!;
    if (!(this.flags & FLAG_ULPS)) return v;
    const r = this.fields.bits;
    if (r.readBit() === 0) return v;
    const width = r.read(5);
    return addUlps(v, unzigzag(r.read(width)));
  }
}

/**
 * Layout 3's columns (min, max, sum, count), each in the smallest of layout
 * 2's codings and the integer codings: min as is or as deltas; max also as
 * its spread over the row's min; sum also as its excess over count × min, at
 * min's places with ulps when the float sum is off the decimal. The spread
 * and the excess are noise around a small mean, where the delta of max or
 * sum from the row before carries the noise of both rows.
 */
function encodeColumnsLayout3(rows: readonly (readonly number[])[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let minPlaces = 0;
  for (const row of rows) if (minPlaces >= 0) minPlaces = decimalPlaces(row[1]!, minPlaces);
  const size = (parts: Uint8Array[]) => parts.reduce((n, p) => n + p.length, 0);
  const minKs = new Map<number, Float64Array>();
  const minK = (d: number) => {
    let ks = minKs.get(d);
    if (!ks) minKs.set(d, (ks = Float64Array.from(rows, (r) => scaled(r[1]!, d))));
    return ks;
  };
  for (let c = 1; c <= 4; c++) {
    let best = encodeColumn(rows.map((r) => r[c]!));
    if (c === 4 || rows.length < 2) {
      out.push(...best);
      continue;
    }
    let places = 0;
    for (const row of rows) if (places >= 0) places = decimalPlaces(row[c]!, places);
    const relatives = c === 1 ? [RELATIVE_NONE] : c === 2 ? [RELATIVE_NONE, RELATIVE_MIN] : [RELATIVE_NONE, RELATIVE_COUNT_MIN];
    for (const d of new Set([places, minPlaces, Math.max(places, minPlaces)])) {
      if (d < 0) continue;
      for (const relative of relatives) {
        if (relative !== RELATIVE_NONE && (minPlaces < 0 || d < minPlaces)) continue;
        const col = integerColumn(rows, c, d, relative, relative === RELATIVE_NONE ? undefined : minK(d));
        if (!col) continue;
        // The four ways of writing it, sized without writing; the smallest is written and weighed against the rest.
        let pick = { bits: Infinity, delta: true, rice: true };
        for (const delta of [true, false]) {
          for (const rice of [true, false]) {
            const bits = integerColumnBits(col.xs, delta, rice);
            if (bits < pick.bits) pick = { bits, delta, rice };
          }
        }
        if (pick.bits / 8 >= size(best)) continue;
        const candidate = writeIntegerColumn(col, pick.delta, pick.rice);
        if (size(candidate) < size(best)) best = candidate;
      }
    }
    out.push(...best);
  }
  return out;
}

/** Where each part of an aggregate chunk is: its layout, the bytes of the header and the starts, and each value column's coding and bytes. */
export interface AggregateChunkParts {
  readonly layout: 'legacy' | 1 | 2 | 3;
  readonly rows: number;
  readonly headerBytes: number;
  readonly timeBytes: number;
  readonly columns: ReadonlyArray<{ readonly coding: AggregateColumnCoding; readonly bytes: number }>;
}

interface Column {
  /** min and count: the row's, read first (layout 3's relative columns need them). */
  read(min: number, count: number): number;
}

/** Parses an aggregate chunk's layout; `readers` also builds the readers of its starts and columns. */
function parseAggregates(bytes: Uint8Array): { parts: AggregateChunkParts; times: { read(): number }; columns: Column[] } {
  if (!(bytes.length > 1 && bytes[0] === COLUMNAR)) {
    const header = readHeader(bytes);
    const bits = new BitReader(bytes, header.offset);
    const times = new TimestampReader(bits, header.firstT, LEGACY_TIMESTAMP_BUCKETS);
    const columns = [0, 1, 2, 3].map(() => new ValueReader(bits));
    const legacy = { coding: 'legacy' as const, bytes: 0 };
    return {
      parts: { layout: 'legacy', rows: header.count, headerBytes: header.offset, timeBytes: bytes.length - header.offset, columns: [legacy, legacy, legacy, legacy] },
      times,
      columns,
    };
  }
  const layout3 = bytes.length > 2 && bytes[1] === 0 && bytes[2] === AGGREGATE_LAYOUT_3;
  const layout2 = layout3 || (bytes.length > 2 && bytes[1] === 0 && bytes[2] === AGGREGATE_LAYOUT_2);
  const pos = { offset: layout2 ? 3 : 1 };
  const count = readVarint(bytes, pos);
  const firstT = unzigzag(readVarint(bytes, pos));
  const stream = () => {
    const length = readVarint(bytes, pos);
    if (pos.offset + length > bytes.length) throw new RangeError('chunk is truncated');
    const view = bytes.subarray(pos.offset, pos.offset + length);
    pos.offset += length;
    return view;
  };
  let times: { read(): number };
  let timeBytes: number;
  let headerBytes: number;
  if (layout2 && bytes[pos.offset] === TIMES_STEP) {
    pos.offset++;
    const step = unzigzag(readVarint(bytes, pos));
    let t = firstT - step;
    times = { read: () => (t += step) };
    headerBytes = pos.offset;
    timeBytes = 0;
  } else {
    if (layout2 && bytes[pos.offset++] !== TIMES_DOD) throw new RangeError(`aggregate chunk has an unknown timestamp coding ${bytes[pos.offset - 1]}`);
    const timeStream = stream();
    times = new TimestampReader(new BitReader(timeStream), firstT, TIMESTAMP_BUCKETS);
    timeBytes = timeStream.length;
    headerBytes = pos.offset - timeBytes;
  }
  const columns: Column[] = [];
  const columnParts: Array<{ coding: AggregateColumnCoding; bytes: number }> = [];
  for (let c = 0; c < 4; c++) {
    if (pos.offset >= bytes.length) throw new RangeError('chunk is truncated');
    const start = pos.offset;
    const coding = bytes[pos.offset++];
    if (coding === CODING_XOR) {
      columns.push(new ValueReader(new BitReader(stream())));
      columnParts.push({ coding: 'xor', bytes: pos.offset - start });
    } else if (coding === CODING_DECIMAL || (layout2 && coding === CODING_DECIMAL_FACTOR)) {
      const places = bytes[pos.offset++]!;
      if (places > MAX_DECIMAL_PLACES) throw new RangeError('chunk is corrupt: decimal places out of range');
      const factor = coding === CODING_DECIMAL_FACTOR ? readVarint(bytes, pos) : 1;
      if (factor < 1 || factor >= MAX_ABS_SCALED) throw new RangeError('chunk is corrupt: decimal factor out of range');
      columns.push(new DecimalValueReader(new BitReader(stream()), places, factor));
      columnParts.push({ coding: 'decimal', bytes: pos.offset - start });
    } else if (layout2 && coding === CODING_CONSTANT) {
      if (pos.offset + 8 > bytes.length) throw new RangeError('chunk is truncated');
      const value = new DataView(bytes.buffer, bytes.byteOffset + pos.offset, 8).getFloat64(0);
      pos.offset += 8;
      columns.push({ read: () => value });
      columnParts.push({ coding: 'constant', bytes: 9 });
    } else if (layout3 && coding === CODING_INTEGER && c < 3) {
      if (pos.offset + 2 > bytes.length) throw new RangeError('chunk is truncated');
      const places = bytes[pos.offset++]!;
      const flags = bytes[pos.offset++]!;
      if (places > MAX_DECIMAL_PLACES) throw new RangeError('chunk is corrupt: decimal places out of range');
      if (flags > 31 || (flags & 3) === 3 || (c === 0 && (flags & 3) !== RELATIVE_NONE)) throw new RangeError('chunk is corrupt: integer column flags out of range');
      const factor = readVarint(bytes, pos);
      if (factor < 1 || factor >= MAX_ABS_SCALED) throw new RangeError('chunk is corrupt: decimal factor out of range');
      columns.push(new IntegerColumnReader(new BitReader(stream()), places, flags, factor));
      columnParts.push({ coding: 'integer', bytes: pos.offset - start });
    } else throw new RangeError(`aggregate chunk has an unknown coding ${coding}`);
  }
  return { parts: { layout: layout3 ? 3 : layout2 ? 2 : 1, rows: count, headerBytes, timeBytes, columns: columnParts }, times, columns };
}

/** The layout of an aggregate chunk and the bytes of each of its parts (for the benches). */
export function aggregateChunkParts(bytes: Uint8Array): AggregateChunkParts {
  return parseAggregates(bytes).parts;
}

/** The coding of each value column (min, max, sum, count) of an aggregate chunk. */
export function aggregateColumnCodings(bytes: Uint8Array): AggregateColumnCoding[] {
  return aggregateChunkParts(bytes).columns.map((c) => c.coding);
}

export function decodeAggregates(bytes: Uint8Array): AggregateRow[] {
  const out: AggregateRow[] = [];
  readAggregates(bytes, (t, min, max, sum, count) => out.push([t, min, max, sum, count]));
  return out;
}

/** The rows of an aggregate chunk, one call each in order, without building them. */
export function readAggregates(bytes: Uint8Array, onRow: (t: number, min: number, max: number, sum: number, count: number) => void): void {
  const { parts, times, columns } = parseAggregates(bytes);
  const [min, max, sum, n] = columns as [Column, Column, Column, Column];
  if (parts.layout !== 3) {
    // The legacy layout interleaves the columns in one stream: read them in their order.
    for (let i = 0; i < parts.rows; i++) onRow(times.read(), min.read(0, 0), max.read(0, 0), sum.read(0, 0), n.read(0, 0));
    return;
  }
  for (let i = 0; i < parts.rows; i++) {
    const t = times.read();
    const lo = min.read(0, 0);
    const count = n.read(0, 0);
    onRow(t, lo, max.read(lo, count), sum.read(lo, count), count);
  }
}
