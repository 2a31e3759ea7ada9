// The remote-write codec against protobufjs reading and writing the same
// messages from prompb's schema (a maintained protobuf implementation as the
// peer), round trips of random series, and hostile bodies: whatever the bytes,
// the decoder answers with series or a RemoteWriteDecodeError, in bounded
// time, never another exception.
import fc from 'fast-check';
import protobuf from 'protobufjs';
import SnappyJS from 'snappyjs';
import { describe, expect, it } from 'vitest';
import {
  decodeRemoteWriteBody,
  decodeWriteRequest,
  DEFAULT_DECODE_LIMITS,
  encodeRemoteWriteBody,
  encodeWriteRequest,
  RemoteWriteDecodeError,
  seriesProblem,
  wireLabels,
  type WireSeries,
} from './remoteWrite.js';

// prometheus/prompb types.proto and remote.proto, the parts a v1 sender uses plus one
// field a decoder must skip (exemplars) and metadata.
const PROMPB = `
syntax = "proto3";
package prometheus;
message WriteRequest { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3; }
message MetricMetadata { int32 type = 1; string metric_family_name = 2; string help = 4; string unit = 5; }
message Sample { double value = 1; int64 timestamp = 2; }
message Exemplar { repeated Label labels = 1; double value = 2; int64 timestamp = 3; }
message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; repeated Exemplar exemplars = 3; }
message Label { string name = 1; string value = 2; }
`;
const root = protobuf.parse(PROMPB).root;
const WriteRequest = root.lookupType('prometheus.WriteRequest');

const toPeer = (series: readonly WireSeries[]) => ({
  timeseries: series.map((s) => ({ labels: s.labels.map(([name, value]) => ({ name, value })), samples: s.samples.map((x) => ({ value: x.v, timestamp: x.t })) })),
});

function fromPeer(bytes: Uint8Array): WireSeries[] {
  const message = WriteRequest.toObject(WriteRequest.decode(bytes), { longs: Number, defaults: true }) as {
    timeseries: { labels: { name: string; value: string }[]; samples: { value: number; timestamp: number }[] }[];
  };
  return message.timeseries.map((s) => ({ labels: s.labels.map((l) => [l.name, l.value] as const), samples: s.samples.map((x) => ({ t: x.timestamp, v: x.value })) }));
}

const labelName = fc.stringMatching(/^[a-z_][a-z0-9_]{0,12}$/);
const labelValue = fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' });
const series: fc.Arbitrary<WireSeries> = fc
  .record({
    name: fc.stringMatching(/^[a-z_:][a-z0-9_:]{0,20}$/),
    labels: fc.dictionary(labelName, labelValue, { maxKeys: 6 }),
    start: fc.integer({ min: -1e12, max: 4e12 }),
    steps: fc.array(fc.integer({ min: 1, max: 100_000 }), { maxLength: 8 }),
    values: fc.array(fc.double({ noNaN: false }), { minLength: 9, maxLength: 9 }),
  })
  .map(({ name, labels, start, steps, values }) => {
    let t = start;
    const samples = [start, ...steps.map((s) => (t += s))].map((time, i) => ({ t: time, v: values[i]! }));
    return { labels: wireLabels(name, labels), samples };
  });

const same = (a: readonly WireSeries[], b: readonly WireSeries[]) => {
  expect(b.map((s) => s.labels)).toEqual(a.map((s) => s.labels));
  // Object.is: NaN equals NaN, -0 is not 0 — the bits must survive.
  b.forEach((s, i) => s.samples.forEach((x, j) => expect(Object.is(x.v, a[i]!.samples[j]!.v) && x.t === a[i]!.samples[j]!.t).toBe(true)));
};

describe('remote write: the same messages as a protobuf library', () => {
  it('what we encode, protobufjs reads; what it encodes, we read; timestamps before 1970 included', () => {
    fc.assert(
      fc.property(fc.array(series, { maxLength: 5 }), (all) => {
        same(all, fromPeer(encodeWriteRequest(all)));
        same(all, decodeWriteRequest(WriteRequest.encode(WriteRequest.fromObject(toPeer(all))).finish()));
      }),
      { numRuns: 300 },
    );
  });

  it('skips what it does not use: metadata, exemplars, unknown fields', () => {
    const bytes = WriteRequest.encode(
      WriteRequest.fromObject({
        metadata: [{ type: 1, metric_family_name: 'up', help: 'x', unit: '' }],
        timeseries: [{ labels: [{ name: '__name__', value: 'up' }], samples: [{ value: 1, timestamp: 1700000000000 }], exemplars: [{ labels: [{ name: 'trace_id', value: 'abc' }], value: 1, timestamp: 1 }] }],
      }),
    ).finish();
    const withUnknown = new Uint8Array([...bytes, 0x28, 0x05]); // field 5, varint 5
    expect(decodeWriteRequest(withUnknown)).toEqual([{ labels: [['__name__', 'up']], samples: [{ t: 1700000000000, v: 1 }] }]);
  });

  it('a body is snappy block format: another snappy implementation reads ours', () => {
    const all: WireSeries[] = [{ labels: wireLabels('node_load1', { instance: 'web-1:9100', job: 'node' }), samples: [{ t: 1700000000000, v: 0.42 }] }];
    const body = encodeRemoteWriteBody(all);
    same(all, fromPeer(SnappyJS.uncompress(body)));
    same(all, decodeRemoteWriteBody(SnappyJS.compress(WriteRequest.encode(WriteRequest.fromObject(toPeer(all))).finish())));
  });
});

describe('remote write: hostile bodies', () => {
  const decodeOrError = (bytes: Uint8Array, limits = DEFAULT_DECODE_LIMITS) => {
    try {
      return decodeRemoteWriteBody(bytes, limits);
    } catch (err) {
      expect(err).toBeInstanceOf(RemoteWriteDecodeError);
      return err as RemoteWriteDecodeError;
    }
  };

  it('random bytes, valid snappy around random protobuf, truncated and bit-flipped bodies: series or a decode error, nothing else', () => {
    const valid = encodeWriteRequest([{ labels: wireLabels('node_cpu_seconds_total', { cpu: '0', mode: 'idle' }), samples: [{ t: 1, v: 2 }, { t: 3, v: 4 }] }]);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.nat(), fc.nat(), (noise, cut, flip) => {
        decodeOrError(noise);
        decodeOrError(SnappyJS.compress(noise));
        decodeOrError(SnappyJS.compress(valid.subarray(0, cut % (valid.length + 1))));
        const flipped = valid.slice();
        const at = flip % flipped.length;
        flipped[at] = flipped[at]! ^ (1 << (flip % 8));
        decodeOrError(SnappyJS.compress(flipped));
      }),
      { numRuns: 2000 },
    );
  });

  it('a body that claims to uncompress beyond the limit is refused before it is inflated', () => {
    const big = SnappyJS.compress(new Uint8Array(4 * 1024 * 1024));
    const error = decodeOrError(big, { ...DEFAULT_DECODE_LIMITS, maxBytes: 1024 * 1024 });
    expect(error).toMatchObject({ reason: 'too_large' });
  });

  it('a few bytes that claim megabytes are refused without allocating them (snappy expands at most 64/3)', () => {
    // varint 30 MiB, then one literal byte: within the size limit, but no snappy block that small holds that much.
    const tiny = new Uint8Array([0x80, 0x80, 0x80, 0x0f, 0x00, 0x41]);
    expect(decodeOrError(tiny)).toMatchObject({ reason: 'snappy', message: expect.stringMatching(/claims more data than snappy can hold/) });
    // A real block of that size still reads.
    const real = SnappyJS.compress(encodeWriteRequest([{ labels: wireLabels('m', { a: 'x'.repeat(1000) }), samples: [] }]));
    expect(decodeOrError(real)).toHaveLength(1);
  });

  it('counts are bounded: series, labels, samples, label length', () => {
    const many = Array.from({ length: 11 }, (_, i) => ({ labels: wireLabels('m', { i: String(i) }), samples: [{ t: 1, v: 1 }] }));
    const limits = { ...DEFAULT_DECODE_LIMITS, maxSeries: 10, maxLabelsPerSeries: 3, maxSamplesPerSeries: 2, maxStringBytes: 8 };
    expect(decodeOrError(encodeRemoteWriteBody(many), limits)).toMatchObject({ reason: 'limit' });
    expect(decodeOrError(encodeRemoteWriteBody([{ labels: wireLabels('m', { a: '1', b: '2', c: '3' }), samples: [] }]), limits)).toMatchObject({ reason: 'limit' });
    expect(decodeOrError(encodeRemoteWriteBody([{ labels: wireLabels('m', {}), samples: [1, 2, 3].map((t) => ({ t, v: 0 })) }]), limits)).toMatchObject({ reason: 'limit' });
    expect(decodeOrError(encodeRemoteWriteBody([{ labels: wireLabels('m', { a: '123456789' }), samples: [] }]), limits)).toMatchObject({ reason: 'limit' });
  });

  it('a length prefix that points past the end is a protobuf error, not a read out of bounds', () => {
    // field 1 (timeseries), LEN, length 1000, then 3 bytes
    expect(decodeOrError(SnappyJS.compress(new Uint8Array([0x0a, 0xe8, 0x07, 1, 2, 3])))).toMatchObject({ reason: 'protobuf' });
  });
});

describe('the spec rules a sender checks before sending', () => {
  it('sorted unique valid labels with a metric name, increasing timestamps', () => {
    expect(seriesProblem({ labels: wireLabels('up', { job: 'a', instance: 'b' }), samples: [{ t: 1, v: 1 }, { t: 2, v: 1 }] })).toBeUndefined();
    expect(seriesProblem({ labels: [['job', 'a']], samples: [] })).toMatch(/__name__/);
    expect(seriesProblem({ labels: [['__name__', 'up'], ['b', '1'], ['a', '2']], samples: [] })).toMatch(/sorted/);
    expect(seriesProblem({ labels: [['__name__', 'up'], ['a', '1'], ['a', '2']], samples: [] })).toMatch(/sorted/);
    expect(seriesProblem({ labels: [['__name__', 'up'], ['a-b', '1']], samples: [] })).toMatch(/not valid/);
    expect(seriesProblem({ labels: [['__name__', 'up']], samples: [{ t: 2, v: 1 }, { t: 2, v: 1 }] })).toMatch(/time order/);
    expect(wireLabels('up', { z: '1', a: '', b: '2' })).toEqual([['__name__', 'up'], ['b', '2'], ['z', '1']]);
  });
});
