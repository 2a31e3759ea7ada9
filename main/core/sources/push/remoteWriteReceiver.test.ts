// The receiver against hostile and broken senders, over real HTTP: wrong or
// missing tokens, a browser's Origin, a rebinding Host header, random bytes,
// a valid snappy frame around garbage protobuf, a huge request, a
// million-series request, more samples per second than allowed. Each gets
// its status code and its counter; a good request after all of them is
// still accepted, so the listener (and the console) keeps running and
// loses nothing else.
import http from 'node:http';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../log.js';
import { compressBlock, encodeRemoteWriteBody, REMOTE_WRITE_HEADERS, wireLabels, type WireSeries } from '../../prometheus/remoteWrite.js';
import { newReceiverCounters, startRemoteWriteReceiver, type ReceiverSink, type RemoteWriteReceiver } from './remoteWriteReceiver.js';

const TOKEN = 'a-token-of-twenty-chars';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Answer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

function post(receiver: RemoteWriteReceiver, body: Uint8Array | string, headers: Record<string, string> = {}, options: { method?: string; path?: string; chunked?: boolean } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: receiver.port, method: options.method ?? 'POST', path: options.path ?? '/api/v1/write', headers: { ...REMOTE_WRITE_HEADERS, Authorization: `Bearer ${TOKEN}`, ...headers } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
      },
    );
    req.on('error', reject);
    if (options.chunked) {
      // No Content-Length: the receiver must count as it reads.
      const data = Buffer.from(body);
      for (let i = 0; i < data.length; i += 1 << 20) req.write(data.subarray(i, i + (1 << 20)));
      req.end();
    } else req.end(body);
  });
}

const series = (n: number, t = 1_700_000_000_000): WireSeries[] =>
  Array.from({ length: n }, (_, i) => ({ labels: wireLabels('node_load1', { instance: `h${i}:9100` }), samples: [{ t, v: i }] }));

async function start(options: { sink?: ReceiverSink; maxSamplesPerSecond?: number; maxRequestBytes?: number } = {}) {
  const accepted: WireSeries[][] = [];
  const counters = newReceiverCounters();
  const receiver = await startRemoteWriteReceiver({
    host: '127.0.0.1',
    port: 0,
    tokens: [{ token: TOKEN }, { token: 'second-token-0123456789', hostPrefix: 'dc2-' }],
    limits: { ...(options.maxSamplesPerSecond ? { maxSamplesPerSecond: options.maxSamplesPerSecond } : {}), ...(options.maxRequestBytes ? { maxRequestBytes: options.maxRequestBytes } : {}) },
    sink: options.sink ?? { accept: (s) => (accepted.push([...s]), { ok: true }) },
    counters,
    log: createMemoryLogger(),
  });
  cleanups.push(() => receiver.close());
  return { receiver, counters, accepted };
}

describe('the remote-write receiver', () => {
  it('accepts a good request with 204 and hands its series over', async () => {
    const { receiver, counters, accepted } = await start();
    const r = await post(receiver, encodeRemoteWriteBody(series(3)));
    expect(r.status).toBe(204);
    expect(accepted[0]).toHaveLength(3);
    expect(counters.requestsAccepted).toBe(1);
    expect(counters.samplesAccepted).toBe(3);
  });

  it('refuses a wrong or missing token (401), a browser Origin and a rebinding Host (403), other methods, paths and encodings', async () => {
    const { receiver, counters, accepted } = await start();
    const body = encodeRemoteWriteBody(series(1));
    expect((await post(receiver, body, { Authorization: 'Bearer nope-nope-nope-nope' })).status).toBe(401);
    const missing = await post(receiver, body, { Authorization: '' });
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    expect((await post(receiver, body, { Authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` })).status).toBe(401);
    expect((await post(receiver, body, { Origin: 'https://evil.example' })).status).toBe(403);
    expect((await post(receiver, body, { Host: 'evil.example:80' })).status).toBe(403);
    expect((await post(receiver, body, {}, { method: 'GET' })).status).toBe(405);
    expect((await post(receiver, body, {}, { path: '/metrics' })).status).toBe(404);
    expect((await post(receiver, body, { 'Content-Type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request' })).status).toBe(415);
    expect((await post(receiver, body, { 'Content-Encoding': 'gzip' })).status).toBe(415);
    expect(counters.refused).toMatchObject({ unauthorized: 3, forbidden: 2, unsupported: 2 });
    expect(accepted).toHaveLength(0);
    // The second token works too.
    expect((await post(receiver, body, { Authorization: 'Bearer second-token-0123456789' })).status).toBe(204);
  });

  it('garbage is a 400 with the reason: random bytes, valid snappy around garbage protobuf; then a good request still goes through', async () => {
    const { receiver, counters, accepted } = await start();
    const random = await post(receiver, Uint8Array.from({ length: 1000 }, (_, i) => (i * 7919) % 251));
    expect(random.status).toBe(400);
    expect(random.body).toMatch(/snappy|WriteRequest/);
    const garbage = await post(receiver, compressBlock(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3])));
    expect(garbage.status).toBe(400);
    expect(garbage.body).toMatch(/not a remote-write WriteRequest/);
    expect(counters.refused.badRequest).toBe(2);
    expect((await post(receiver, encodeRemoteWriteBody(series(2)))).status).toBe(204);
    expect(accepted).toHaveLength(1);
  });

  it('a series the spec forbids is left out and named (400, not retried); the valid ones are applied', async () => {
    const { receiver, counters, accepted } = await start();
    const bad: WireSeries = { labels: [['__name__', 'node_load1'], ['b', 'x'], ['a', 'y']], samples: [{ t: 1, v: 1 }] };
    const r = await post(receiver, encodeRemoteWriteBody([...series(2), bad]));
    expect(r.status).toBe(400);
    expect(r.body).toMatch(/1 series left out: labels are not sorted/);
    expect(accepted[0]).toHaveLength(2);
    expect(counters.seriesInvalid).toBe(1);
  });

  it('a huge request is a 413 before it is read, also without Content-Length; a million-series request is a 413', async () => {
    const { receiver, counters } = await start({ maxRequestBytes: 1024 * 1024 });
    const huge = new Uint8Array(3 * 1024 * 1024).fill(7);
    expect((await post(receiver, huge)).status).toBe(413);
    expect((await post(receiver, huge, {}, { chunked: true })).status).toBe(413);
    // A declared size over the limit is answered from the headers alone: the sender need not send a byte of the body.
    const unsent = await new Promise<number | 'no answer'>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port: receiver.port, method: 'POST', path: '/api/v1/write', headers: { ...REMOTE_WRITE_HEADERS, Authorization: `Bearer ${TOKEN}`, 'Content-Length': String(huge.length) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => undefined);
      req.flushHeaders();
      setTimeout(() => resolve('no answer'), 5000);
      cleanups.push(async () => {
        req.destroy();
      });
    });
    expect(unsent).toBe(413);
    expect(counters.refused.tooLarge).toBe(3);
    expect((await post(receiver, encodeRemoteWriteBody(series(1)))).status).toBe(204);
    // Within the default compressed size (snappy packs a million alike series small), beyond what the decoder takes.
    const defaults = await start();
    const one = { labels: [['__name__', 'node_load1'] as const], samples: [{ t: 1, v: 1 }] };
    const body = encodeRemoteWriteBody(Array.from({ length: 1_000_000 }, () => one));
    const million = await post(defaults.receiver, body);
    expect(million.status).toBe(413);
    expect(million.body).toMatch(/uncompresses to more than \d+ bytes|more than 100000 series/);
    expect(defaults.counters.refused.tooLarge).toBe(1);
    expect((await post(defaults.receiver, encodeRemoteWriteBody(series(1)))).status).toBe(204);
  }, 60_000);

  it('more samples per second than allowed is a 429 with Retry-After, and nothing of it is applied', async () => {
    const { receiver, counters, accepted } = await start({ maxSamplesPerSecond: 100 });
    expect((await post(receiver, encodeRemoteWriteBody(series(150)))).status).toBe(204);
    const limited = await post(receiver, encodeRemoteWriteBody(series(150, 1_700_000_001_000)));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(accepted).toHaveLength(1);
    expect(counters.refused.rateLimited).toBe(1);
    // More than two seconds' worth at once can never pass: 413, not a retry loop.
    expect((await post(receiver, encodeRemoteWriteBody(series(201)))).status).toBe(413);
  });

  it('the sink may refuse a request whole (a host at its series limit): 429 with its Retry-After', async () => {
    const { receiver } = await start({ sink: { accept: () => ({ ok: false, status: 429, retryAfterSeconds: 30, reason: 'host h would have more than 10 series' }) } });
    const r = await post(receiver, encodeRemoteWriteBody(series(1)));
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('30');
    expect(r.body).toMatch(/more than 10 series/);
  });

  it('any body at all: 204, 400 or 413, never a 500, and the receiver keeps answering', async () => {
    const { receiver } = await start();
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 2000 }), fc.uint8Array({ maxLength: 500 }).map((b) => compressBlock(b))), async (body) => {
        const r = await post(receiver, body);
        expect([204, 400, 413]).toContain(r.status);
      }),
      { numRuns: 300 },
    );
    expect((await post(receiver, encodeRemoteWriteBody(series(1)))).status).toBe(204);
  }, 60_000);
});
