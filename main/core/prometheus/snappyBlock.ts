// Snappy's block format, decompressed with every length and offset checked
// against what is really there. Remote-write bodies come from whoever can
// reach the receiver, so this is the first thing untrusted bytes meet.
//
// snappyjs (used to compress what the console sends) is not safe for this:
// its literal length is read as a signed 32-bit number, so a 6-byte body
// (claimed length, tag 0xfc, then fa ff ff ff) moves its read position
// backwards and it loops forever. The format is small enough to read here.
//
// The format (google/snappy format_description.txt):
// - a preamble: the uncompressed length as a little-endian varint (< 2^32);
// - elements, each starting with a tag byte whose low two bits say which:
//   00 literal: length-1 in the upper six bits, or, for 60..63, in the next
//      1..4 bytes (little-endian); then that many bytes to copy out;
//   01 copy, 1-byte offset: length 4 + bits 2..4, offset bits 5..7 << 8 | next byte;
//   10 copy, 2-byte offset: length 1 + upper six bits, offset a little-endian uint16;
//   11 copy, 4-byte offset: length 1 + upper six bits, offset a little-endian uint32.
// A copy reads from `offset` bytes back in what was written so far; offset 0
// is invalid, and a copy may overlap what it writes (offset < length), which
// repeats the last `offset` bytes.

export class SnappyBlockError extends Error {}

/** The uncompressed length a block's preamble claims, and where its elements start; null when the preamble is not a varint below 2^32. */
export function snappyPreamble(data: Uint8Array): { length: number; start: number } | null {
  let length = 0;
  for (let i = 0; i < data.length && i < 5; i++) {
    const byte = data[i]!;
    length += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) return length < 2 ** 32 ? { length, start: i + 1 } : null;
  }
  return null;
}

/**
 * The bytes of one snappy block. Refuses (SnappyBlockError) a preamble over
 * `maxBytes` before allocating, and any element that reads past the input,
 * copies from before the start or writes past the claimed length, and a
 * block whose elements do not add up to exactly the claimed length. Time is
 * linear in input plus output.
 */
export function uncompressSnappyBlock(data: Uint8Array, maxBytes: number): Uint8Array {
  const preamble = snappyPreamble(data);
  if (!preamble) throw new SnappyBlockError('no snappy preamble');
  if (preamble.length > maxBytes) throw new SnappyBlockError(`claims ${preamble.length} bytes, more than ${maxBytes}`);
  const out = new Uint8Array(preamble.length);
  let pos = preamble.start;
  let written = 0;
  const readLittleEndian = (bytes: number): number => {
    if (pos + bytes > data.length) throw new SnappyBlockError('an element runs past the end of the input');
    let value = 0;
    for (let i = 0; i < bytes; i++) value += data[pos + i]! * 2 ** (8 * i);
    pos += bytes;
    return value;
  };
  while (pos < data.length) {
    const tag = data[pos++]!;
    const kind = tag & 0x3;
    if (kind === 0) {
      const short = tag >>> 2;
      const length = (short < 60 ? short : readLittleEndian(short - 59)) + 1;
      if (length > data.length - pos) throw new SnappyBlockError('a literal runs past the end of the input');
      if (length > out.length - written) throw new SnappyBlockError('a literal writes past the claimed length');
      out.set(data.subarray(pos, pos + length), written);
      pos += length;
      written += length;
      continue;
    }
    let length: number;
    let offset: number;
    if (kind === 1) {
      length = 4 + ((tag >>> 2) & 0x7);
      offset = ((tag >>> 5) << 8) | readLittleEndian(1);
    } else {
      length = 1 + (tag >>> 2);
      offset = readLittleEndian(kind === 2 ? 2 : 4);
    }
    if (offset === 0 || offset > written) throw new SnappyBlockError('a copy reaches before the start of the output');
    if (length > out.length - written) throw new SnappyBlockError('a copy writes past the claimed length');
    // Byte by byte: an overlapping copy must see the bytes it has just written.
    for (let from = written - offset, end = written + length; written < end; ) out[written++] = out[from++]!;
  }
  if (written !== out.length) throw new SnappyBlockError(`holds ${written} bytes, not the ${out.length} it claims`);
  return out;
}
