// Prometheus remote write 1.0, both ways: the console sends it to an engine
// (VictoriaMetrics, Prometheus, Mimir, Thanos) and accepts it from hosts that
// push (Prometheus in agent mode, vmagent, Alloy). One codec, pure.
//
// The wire format (https://prometheus.io/docs/specs/remote_write_spec/): an
// HTTP POST whose body is a protobuf `WriteRequest` (prometheus/prompb
// remote.proto and types.proto) compressed with snappy's *block* format (not
// the framed one), with the headers in REMOTE_WRITE_HEADERS. Within a request
// each series' labels are sorted by name and unique, `__name__` among them,
// and its samples are in time order. The messages used here:
//
//   message WriteRequest { repeated TimeSeries timeseries = 1; reserved 2; repeated MetricMetadata metadata = 3; }
//   message TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2;
//                          repeated Exemplar exemplars = 3; repeated Histogram histograms = 4; }
//   message Label        { string name = 1; string value = 2; }
//   message Sample       { double value = 1; int64 timestamp = 2; }   // timestamp: ms since the epoch
//
// The decoder skips what it does not use (metadata, exemplars, native
// histograms) by wire type, as protobuf readers must, and bounds everything
// a sender controls: the uncompressed size, the number of series, labels
// per series and samples, and the length of each string. It never trusts a
// length it has not checked against what is left.
import SnappyJS from 'snappyjs';

export const REMOTE_WRITE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Encoding': 'snappy',
  'Content-Type': 'application/x-protobuf',
  'X-Prometheus-Remote-Write-Version': '0.1.0',
};

export interface WireSample {
  /** ms since the epoch */
  readonly t: number;
  readonly v: number;
}

export interface WireSeries {
  /** Sorted by name, unique, `__name__` included. */
  readonly labels: readonly (readonly [name: string, value: string])[];
  /** In time order. */
  readonly samples: readonly WireSample[];
}

export interface DecodeLimits {
  /** Uncompressed bytes (Prometheus's receiver caps the decoded body at 32 MiB too). */
  readonly maxBytes: number;
  readonly maxSeries: number;
  readonly maxLabelsPerSeries: number;
  readonly maxSamplesPerSeries: number;
  /** Bytes of one label name or value. */
  readonly maxStringBytes: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = {
  maxBytes: 32 * 1024 * 1024,
  maxSeries: 100_000,
  maxLabelsPerSeries: 64,
  maxSamplesPerSeries: 10_000,
  maxStringBytes: 4096,
};

/** Why a body could not be read; `reason` is short, safe to log and to send back (it never quotes the body). */
export class RemoteWriteDecodeError extends Error {
  constructor(
    readonly reason: 'snappy' | 'too_large' | 'protobuf' | 'limit',
    message: string,
  ) {
    super(message);
    this.name = 'RemoteWriteDecodeError';
  }
}

// ---------------------------------------------------------------- snappy

export function compressBlock(data: Uint8Array): Uint8Array {
  return SnappyJS.compress(data);
}

/**
 * The most a snappy block can expand: its densest element, a copy with a
 * two-byte offset, writes up to 64 bytes from 3 bytes of input (snappy's
 * format_description.txt, "Copy with 2-byte offset"), so a block never holds
 * more than 64/3 of its size. A body whose header claims more is refused
 * before anything is allocated: a few bytes must not cost megabytes.
 */
const SNAPPY_MAX_RATIO = 22;

/** The uncompressed length a snappy block's header claims (a varint of at most 32 bits), or -1. */
function claimedLength(data: Uint8Array): number {
  let result = 0;
  for (let i = 0, shift = 0; i < data.length && shift < 35; i++, shift += 7) {
    const byte = data[i]!;
    result += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return result;
  }
  return -1;
}

export function decompressBlock(data: Uint8Array, maxBytes: number): Uint8Array {
  const claimed = claimedLength(data);
  if (claimed < 0) throw new RemoteWriteDecodeError('snappy', 'the body is not snappy block-compressed data');
  if (claimed > maxBytes) throw new RemoteWriteDecodeError('too_large', `the body uncompresses to more than ${maxBytes} bytes`);
  if (claimed > data.length * SNAPPY_MAX_RATIO + 64) throw new RemoteWriteDecodeError('snappy', 'the body claims more data than snappy can hold in its size');
  let out: Uint8Array;
  try {
    out = SnappyJS.uncompress(data, maxBytes);
  } catch (err) {
    const message = (err as Error).message;
    if (/too big/.test(message)) throw new RemoteWriteDecodeError('too_large', `the body uncompresses to more than ${maxBytes} bytes`);
    throw new RemoteWriteDecodeError('snappy', 'the body is not snappy block-compressed data');
  }
  return out;
}

// ---------------------------------------------------------------- protobuf encoding

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

const encoder = new TextEncoder();

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** int64 as protobuf writes it: negative values take ten bytes (two's complement). */
function int64Size(n: number): number {
  return n < 0 ? 10 : varintSize(n);
}

class Writer {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  pos = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  varint(n: number): void {
    while (n >= 0x80) {
      this.bytes[this.pos++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    this.bytes[this.pos++] = n;
  }

  int64(n: number): void {
    if (n >= 0) return this.varint(n);
    let v = BigInt.asUintN(64, BigInt(n));
    for (let i = 0; i < 9; i++) {
      this.bytes[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.bytes[this.pos++] = Number(v);
  }

  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  raw(data: Uint8Array): void {
    this.bytes.set(data, this.pos);
    this.pos += data.length;
  }

  double(v: number): void {
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }
}

/**
 * A WriteRequest's protobuf bytes (uncompressed). The caller hands series
 * with sorted, unique labels and samples in time order (validateSeries says
 * whether they are); timestamps are whole milliseconds.
 */
export function encodeWriteRequest(series: readonly WireSeries[]): Uint8Array {
  // Two passes: sizes first (every length prefix must be known before its
  // message), then one buffer written front to back.
  const labelBytes = series.map((s) => s.labels.map(([name, value]) => [encoder.encode(name), encoder.encode(value)] as const));
  const sizes = series.map((s, i) => {
    let size = 0;
    for (const [name, value] of labelBytes[i]!) {
      const label = 1 + varintSize(name.length) + name.length + 1 + varintSize(value.length) + value.length;
      size += 1 + varintSize(label) + label;
    }
    for (const sample of s.samples) {
      const body = 1 + 8 + 1 + int64Size(sample.t);
      size += 1 + varintSize(body) + body;
    }
    return size;
  });
  const total = sizes.reduce((sum, size) => sum + 1 + varintSize(size) + size, 0);
  const w = new Writer(total);
  series.forEach((s, i) => {
    w.tag(1, WIRE_LEN);
    w.varint(sizes[i]!);
    for (const [name, value] of labelBytes[i]!) {
      w.tag(1, WIRE_LEN);
      w.varint(1 + varintSize(name.length) + name.length + 1 + varintSize(value.length) + value.length);
      w.tag(1, WIRE_LEN);
      w.varint(name.length);
      w.raw(name);
      w.tag(2, WIRE_LEN);
      w.varint(value.length);
      w.raw(value);
    }
    for (const sample of s.samples) {
      w.tag(2, WIRE_LEN);
      w.varint(1 + 8 + 1 + int64Size(sample.t));
      w.tag(1, WIRE_FIXED64);
      w.double(sample.v);
      w.tag(2, WIRE_VARINT);
      w.int64(sample.t);
    }
  });
  return w.bytes;
}

/** The compressed body of one remote-write POST. */
export function encodeRemoteWriteBody(series: readonly WireSeries[]): Uint8Array {
  return compressBlock(encodeWriteRequest(series));
}

// ---------------------------------------------------------------- protobuf decoding

const decoder = new TextDecoder('utf-8', { fatal: true });

class Reader {
  pos: number;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint as a Number; values past 2^53 are refused (no field here needs them). */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw bad('a varint runs past the end of its message');
      const byte = this.bytes[this.pos++]!;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (result > Number.MAX_SAFE_INTEGER) throw bad('a varint is larger than 2^53');
        return result;
      }
      scale *= 128;
    }
    throw bad('a varint is longer than ten bytes');
  }

  /** int64: a ten-byte varint is a negative number in two's complement. */
  int64(): number {
    const start = this.pos;
    let v = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw bad('a varint runs past the end of its message');
      const byte = this.bytes[this.pos++]!;
      v |= BigInt(byte & 0x7f) << BigInt(7 * i);
      if (byte < 0x80) {
        const signed = BigInt.asIntN(64, v);
        if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < BigInt(Number.MIN_SAFE_INTEGER)) throw bad('a timestamp is out of range');
        return Number(signed);
      }
    }
    this.pos = start;
    throw bad('a varint is longer than ten bytes');
  }

  double(): number {
    if (this.pos + 8 > this.end) throw bad('a double runs past the end of its message');
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** The bounds of a length-delimited field's content. */
  length(): [start: number, end: number] {
    const len = this.varint();
    if (len > this.end - this.pos) throw bad('a length-delimited field runs past the end of its message');
    const start = this.pos;
    this.pos += len;
    return [start, this.pos];
  }

  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        if (this.pos + 8 > this.end) throw bad('a fixed64 runs past the end of its message');
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.length();
        return;
      case WIRE_FIXED32:
        if (this.pos + 4 > this.end) throw bad('a fixed32 runs past the end of its message');
        this.pos += 4;
        return;
      default:
        // Groups (3, 4) were never used by these messages; 6 and 7 do not exist.
        throw bad(`wire type ${wire} is not valid here`);
    }
  }
}

const bad = (what: string) => new RemoteWriteDecodeError('protobuf', `not a remote-write WriteRequest: ${what}`);
const over = (what: string) => new RemoteWriteDecodeError('limit', what);

function readString(r: Reader, limits: DecodeLimits): string {
  const [start, end] = r.length();
  if (end - start > limits.maxStringBytes) throw over(`a label is longer than ${limits.maxStringBytes} bytes`);
  try {
    return decoder.decode(r.bytes.subarray(start, end));
  } catch {
    throw bad('a label is not valid UTF-8');
  }
}

function readLabel(r: Reader, limits: DecodeLimits): [string, string] {
  let name = '';
  let value = '';
  while (!r.done) {
    const key = r.varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 1 && wire === WIRE_LEN) name = readString(r, limits);
    else if (field === 2 && wire === WIRE_LEN) value = readString(r, limits);
    else r.skip(wire);
  }
  return [name, value];
}

function readSample(r: Reader): WireSample {
  let v = 0;
  let t = 0;
  while (!r.done) {
    const key = r.varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 1 && wire === WIRE_FIXED64) v = r.double();
    else if (field === 2 && wire === WIRE_VARINT) t = r.int64();
    else r.skip(wire);
  }
  return { t, v };
}

function readSeries(r: Reader, limits: DecodeLimits): WireSeries {
  const labels: [string, string][] = [];
  const samples: WireSample[] = [];
  while (!r.done) {
    const key = r.varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 1 && wire === WIRE_LEN) {
      if (labels.length >= limits.maxLabelsPerSeries) throw over(`a series has more than ${limits.maxLabelsPerSeries} labels`);
      const [start, end] = r.length();
      labels.push(readLabel(new Reader(r.bytes, start, end), limits));
    } else if (field === 2 && wire === WIRE_LEN) {
      if (samples.length >= limits.maxSamplesPerSeries) throw over(`a series has more than ${limits.maxSamplesPerSeries} samples`);
      const [start, end] = r.length();
      samples.push(readSample(new Reader(r.bytes, start, end)));
    } else r.skip(wire);
  }
  return { labels, samples };
}

/** A WriteRequest's series from its uncompressed protobuf bytes; throws RemoteWriteDecodeError. */
export function decodeWriteRequest(bytes: Uint8Array, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): WireSeries[] {
  if (bytes.length > limits.maxBytes) throw new RemoteWriteDecodeError('too_large', `the request is larger than ${limits.maxBytes} bytes`);
  const r = new Reader(bytes, 0, bytes.length);
  const series: WireSeries[] = [];
  while (!r.done) {
    const key = r.varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 1 && wire === WIRE_LEN) {
      if (series.length >= limits.maxSeries) throw over(`the request has more than ${limits.maxSeries} series`);
      const [start, end] = r.length();
      series.push(readSeries(new Reader(bytes, start, end), limits));
    } else if (field === 0) {
      throw bad('field number 0');
    } else r.skip(wire);
  }
  return series;
}

/** The series of one remote-write POST body (snappy-compressed protobuf); throws RemoteWriteDecodeError. */
export function decodeRemoteWriteBody(body: Uint8Array, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): WireSeries[] {
  return decodeWriteRequest(decompressBlock(body, limits.maxBytes), limits);
}

// ---------------------------------------------------------------- the spec's rules for one series

/** Prometheus's metric and label name syntax (data model docs). */
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * What is wrong with a series under the remote-write spec, or undefined: a
 * `__name__` that is a metric name, label names valid, sorted and unique, no
 * empty label value (an empty value means "no such label" in Prometheus),
 * samples in strictly increasing time with finite timestamps. A Prometheus
 * receiver answers 500 to duplicate label names, so a spec-following sender
 * would retry such a request forever: check before sending.
 */
export function seriesProblem(series: WireSeries): string | undefined {
  const name = series.labels.find(([n]) => n === '__name__')?.[1];
  if (name === undefined || !METRIC_NAME.test(name)) return 'no valid __name__ label';
  for (let i = 0; i < series.labels.length; i++) {
    const [label, value] = series.labels[i]!;
    if (!LABEL_NAME.test(label)) return `label name "${label.slice(0, 64)}" is not valid`;
    if (value === '') return `label ${label} is empty`;
    if (i > 0 && series.labels[i - 1]![0] >= label) return 'labels are not sorted by name, or a name repeats';
  }
  for (let i = 0; i < series.samples.length; i++) {
    const t = series.samples[i]!.t;
    if (!Number.isSafeInteger(t)) return 'a timestamp is not a whole number of milliseconds';
    if (i > 0 && series.samples[i - 1]!.t >= t) return 'samples are not in increasing time order';
  }
  return undefined;
}

/** Labels as remote write wants them: sorted by name (label names are ASCII, so this is the byte order Go compares in), `__name__` among them. */
export function wireLabels(name: string, labels: Readonly<Record<string, string>>): [string, string][] {
  const out: [string, string][] = [['__name__', name]];
  for (const [k, v] of Object.entries(labels)) if (k !== '__name__' && v !== '') out.push([k, v]);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
