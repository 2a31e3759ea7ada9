// One appended batch as one BLOB of the head log: the durable copy of the
// samples that are still only in the in-memory head (open chunks). A batch
// is written in one INSERT, so ingest costs one row per batch instead of one
// per sample, and a crash loses nothing committed: on open the rows are
// replayed into the head. Layout: varint count, then per sample varint
// series id, zigzag varint of the time minus the previous sample's time in
// the batch (0 for the first), and the value as a big-endian float64.
import { readVarint } from './chunkCodec.js';

export interface LoggedSample {
  readonly seriesId: number;
  readonly t: number;
  readonly v: number;
}

function writeVarintAt(view: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    view[pos++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  view[pos++] = n;
  return pos;
}

export function encodeBatch(seriesIds: ArrayLike<number>, times: ArrayLike<number>, values: ArrayLike<number>): Uint8Array {
  const n = seriesIds.length;
  if (times.length !== n || values.length !== n) throw new RangeError('head log batch needs as many times and values as series ids');
  // 10 bytes of varint id, 10 of time delta, 8 of value at most.
  const buf = new Uint8Array(10 + n * 28);
  const view = new DataView(buf.buffer);
  let pos = writeVarintAt(buf, 0, n);
  let prevT = 0;
  for (let i = 0; i < n; i++) {
    const id = seriesIds[i]!;
    const t = times[i]!;
    if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`head log series id must be a non-negative integer, got ${id}`);
    if (!Number.isSafeInteger(t)) throw new RangeError(`head log time must be an integer, got ${t}`);
    const delta = t - prevT;
    prevT = t;
    pos = writeVarintAt(buf, pos, id);
    pos = writeVarintAt(buf, pos, delta < 0 ? -2 * delta - 1 : 2 * delta);
    view.setFloat64(pos, values[i]!);
    pos += 8;
  }
  return buf.slice(0, pos);
}

export function decodeBatch(bytes: Uint8Array, onSample: (seriesId: number, t: number, v: number) => void): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pos = { offset: 0 };
  const n = readVarint(bytes, pos);
  let t = 0;
  for (let i = 0; i < n; i++) {
    const id = readVarint(bytes, pos);
    const z = readVarint(bytes, pos);
    t += z % 2 === 1 ? -(z + 1) / 2 : z / 2;
    if (pos.offset + 8 > bytes.length) throw new RangeError('head log batch is truncated');
    const v = view.getFloat64(pos.offset);
    pos.offset += 8;
    onSample(id, t, v);
  }
  return n;
}
