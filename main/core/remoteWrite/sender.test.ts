// The sender against a test receiver that misbehaves on purpose: 500s, 429
// with Retry-After, 400, an answer slower than the timeout, a connection cut
// mid-request. The real store's outbox underneath: the cursor moves only when
// a batch is accepted (or refused for good, or too old), every sample ends up
// counted as sent, rejected or dropped, and what the receiver accepted is the
// outbox's content exactly, each series in order.
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SnappyJS from 'snappyjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../common/series.js';
import { createEngineClient } from '../engine/engineHttp.js';
import { createMemoryLogger } from '../log.js';
import { decodeRemoteWriteBody, type WireSeries } from '../prometheus/remoteWrite.js';
import { openMetricStore } from '../store/metricStore.js';
import type { MetricStore } from '../store/types.js';
import { RemoteWriteSender } from './sender.js';

type Behaviour = 'ok' | { status: number; retryAfter?: string } | 'slow' | 'drop';

interface Receiver {
  url: string;
  /** Accepted requests (2xx), decoded. */
  accepted: WireSeries[][];
  /** Every request's arrival time and how it was answered. */
  arrivals: { at: number; answer: string }[];
  /** Raw (decompressed) bodies of accepted requests. */
  raw: Uint8Array[];
  headers: http.IncomingHttpHeaders[];
  close(): Promise<void>;
}

async function startReceiver(script: Behaviour[]): Promise<Receiver> {
  const accepted: WireSeries[][] = [];
  const arrivals: { at: number; answer: string }[] = [];
  const raw: Uint8Array[] = [];
  const headers: http.IncomingHttpHeaders[] = [];
  let n = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const behaviour = script[n++] ?? 'ok';
      const answer = typeof behaviour === 'string' ? behaviour : String(behaviour.status);
      arrivals.push({ at: Date.now(), answer });
      headers.push(req.headers);
      if (behaviour === 'drop') return req.socket.destroy();
      if (behaviour === 'slow') return void setTimeout(() => res.writeHead(204).end(), 1500);
      if (behaviour === 'ok') {
        const body = new Uint8Array(Buffer.concat(chunks));
        accepted.push(decodeRemoteWriteBody(body));
        raw.push(SnappyJS.uncompress(body));
        return res.writeHead(204).end();
      }
      res.writeHead(behaviour.status, behaviour.retryAfter ? { 'retry-after': behaviour.retryAfter } : {}).end(`refused: status ${behaviour.status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/api/v1/write`,
    accepted,
    arrivals,
    raw,
    headers,
    close: () => new Promise<void>((resolve) => server.closeAllConnections?.() ?? server.close(() => resolve())).then(() => new Promise<void>((r) => server.close(() => r()))),
  };
}

const T0 = Date.now() - 60_000;
let dir: string;
let store: MetricStore;
let receiver: Receiver | undefined;
let sender: RemoteWriteSender | undefined;
const clock = { now: T0 };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ovl-sender-'));
  clock.now = T0 + 60_000;
  store = openMetricStore({ file: join(dir, 'history.sqlite'), now: () => clock.now });
});
afterEach(async () => {
  await sender?.stop();
  sender = undefined;
  await receiver?.close().catch(() => {});
  receiver = undefined;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** 20 samples of two hosts' memory, 1 s apart. */
function samples(count = 10): Sample[] {
  const out: Sample[] = [];
  for (let i = 0; i < count; i++) {
    for (const host of ['a', 'b']) out.push({ name: 'node_memory_MemAvailable_bytes', labels: { host }, t: T0 + i * 1000, v: 1_000_000 * (host === 'a' ? 1 : 2) + i });
  }
  return out;
}

async function senderFor(r: Receiver, extra: { maxAgeMs?: number; timeoutMs?: number } = {}) {
  const log = createMemoryLogger();
  const positions = await store.outboxTargets([{ name: 't', maxAgeMs: extra.maxAgeMs ?? 3_600_000 }]);
  const s = new RemoteWriteSender({
    name: 't',
    store,
    client: createEngineClient({ url: r.url, timeoutMs: extra.timeoutMs ?? 400 }),
    series: { series: ['host', 'container', 'cloud', 'health'], externalLabels: { console: 'test' }, localHostOnEngine: 'laptop' },
    maxAgeMs: extra.maxAgeMs ?? 3_600_000,
    maxSamplesPerSend: 6,
    now: () => clock.now,
    log,
    idlePollMs: 20,
    backoff: { baseMs: 20, maxMs: 100 },
    random: () => 0.5,
  });
  return { sender: s, start: () => s.start(positions.t!), log };
}

/** Every accepted sample as [host, t, v]: series by series (by host), each in the order the receiver got its samples. */
function acceptedSamples(r: Receiver): [string, number, number][] {
  const all = r.accepted.flatMap((req) => req.flatMap((s) => s.samples.map((x) => [Object.fromEntries(s.labels).host!, x.t, x.v] as [string, number, number])));
  return byHost(all);
}

/** Stable: within a host the order stays. */
function byHost<T extends readonly [string, ...unknown[]]>(list: T[]): T[] {
  return [...list].sort((a, b) => a[0].localeCompare(b[0]));
}

const expected = (list: readonly Sample[]) => byHost(list.map((x) => [x.labels.host!, x.t, x.v] as [string, number, number]));

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const caughtUp = async () => {
  const status = await store.outboxStatus();
  return status.cursors.t!.pos === status.end && status.end > 0;
};

describe('the remote-write sender', () => {
  it('retries 500s with backoff, moves its cursor only once accepted, and delivers every sample once and in order', async () => {
    receiver = await startReceiver([{ status: 500 }, { status: 503 }, { status: 500 }]);
    const s = await senderFor(receiver);
    sender = s.sender;
    const sent = samples();
    await store.append(sent);
    s.start();
    await until('three failures', () => receiver!.arrivals.length >= 3);
    // Nothing was accepted yet: the cursor has not moved.
    expect((await store.outboxStatus()).cursors.t!.pos).toBe(0);
    await until('everything sent', caughtUp);
    expect(acceptedSamples(receiver)).toEqual(expected(sent));
    expect(sender.status()).toMatchObject({ sentSamples: 20, retries: 3, droppedSamples: 0, rejectedSamples: {} });
    expect(sender.status().lastError).toMatch(/HTTP 500/);
    // The protocol's headers, and the labels as the target sends them: sorted, external label added.
    expect(receiver.headers[3]).toMatchObject({ 'content-encoding': 'snappy', 'content-type': 'application/x-protobuf', 'x-prometheus-remote-write-version': '0.1.0' });
    expect(receiver.accepted[0]![0]!.labels).toEqual([['__name__', 'node_memory_MemAvailable_bytes'], ['console', 'test'], ['host', 'a']]);
  });

  it('waits as long as a 429 Retry-After asks before trying again', async () => {
    receiver = await startReceiver([{ status: 429, retryAfter: '1' }]);
    const s = await senderFor(receiver);
    sender = s.sender;
    await store.append(samples(2));
    s.start();
    await until('everything sent', caughtUp);
    const [refused, retried] = receiver.arrivals;
    expect(refused!.answer).toBe('429');
    expect(retried!.at - refused!.at).toBeGreaterThanOrEqual(950);
    expect(sender.status()).toMatchObject({ sentSamples: 4, retries: 1 });
  });

  it('does not retry a 400: the batch is counted by reason and skipped, the rest goes on', async () => {
    receiver = await startReceiver([{ status: 400 }]);
    const s = await senderFor(receiver);
    sender = s.sender;
    const sent = samples();
    await store.append(sent);
    s.start();
    await until('everything handled', caughtUp);
    expect(receiver.arrivals.map((a) => a.answer)).toEqual(['400', 'ok', 'ok', 'ok']);
    expect(sender.status()).toMatchObject({ sentSamples: 14, retries: 0, rejectedSamples: { http_400: 6 } });
    expect(acceptedSamples(receiver)).toEqual(expected(sent.slice(6)));
    expect(sender.status().lastError).toMatch(/HTTP 400 refused: status 400/);
  });

  it('retries an answer slower than its timeout and a connection cut mid-request', async () => {
    receiver = await startReceiver(['slow', 'drop']);
    const s = await senderFor(receiver, { timeoutMs: 300 });
    sender = s.sender;
    const sent = samples(3);
    await store.append(sent);
    s.start();
    await until('everything sent', caughtUp);
    expect(receiver.arrivals.map((a) => a.answer).slice(0, 3)).toEqual(['slow', 'drop', 'ok']);
    expect(sender.status().retries).toBe(2);
    expect(acceptedSamples(receiver)).toEqual(expected(sent));
  });

  it('counts samples older than its age limit as dropped and never sends them', async () => {
    receiver = await startReceiver([]);
    const s = await senderFor(receiver, { maxAgeMs: 10 * 60_000 });
    sender = s.sender;
    await store.append(samples(5));
    clock.now += 11 * 60_000;
    await store.append([{ name: 'node_load1', labels: { host: 'a' }, t: clock.now, v: 0.5 }]);
    s.start();
    await until('everything handled', caughtUp);
    expect(sender.status()).toMatchObject({ sentSamples: 1, droppedSamples: 10 });
    expect(acceptedSamples(receiver)).toEqual([['a', clock.now, 0.5]]);
    expect(s.log.lines.join('\n')).toMatch(/10 samples were older than 10 min and were dropped unsent/);
  });

  it('sends a staleness marker as Prometheus\'s StaleNaN, bit for bit, after the series\' last sample', async () => {
    receiver = await startReceiver([]);
    const s = await senderFor(receiver);
    sender = s.sender;
    await store.append(samples(2));
    await store.append([{ name: 'node_memory_MemAvailable_bytes', labels: { host: 'a' }, t: T0 + 5000, v: Number.NaN }], { outboxOnly: true });
    s.start();
    await until('everything sent', caughtUp);
    const last = acceptedSamples(receiver).filter((x) => x[0] === 'a');
    expect(last.map((x) => x[1])).toEqual([T0, T0 + 1000, T0 + 5000]);
    expect(Number.isNaN(last[2]![2])).toBe(true);
    const stale = Buffer.from([0x02, 0, 0, 0, 0, 0, 0xf0, 0x7f]);
    expect(receiver.raw.some((body) => Buffer.from(body).includes(stale))).toBe(true);
  });

  it('leaves out a series the engine could not take (an invalid label name) and says why, sending the others', async () => {
    receiver = await startReceiver([]);
    const s = await senderFor(receiver);
    sender = s.sender;
    await store.append([
      { name: 'node_load1', labels: { host: 'a', 'bad-label': 'x' }, t: T0, v: 1 },
      { name: 'node_load1', labels: { host: 'b' }, t: T0, v: 2 },
    ]);
    s.start();
    await until('everything handled', caughtUp);
    expect(acceptedSamples(receiver)).toEqual([['b', T0, 2]]);
    expect(sender.status().rejectedSamples).toEqual({ invalid_series: 1 });
    expect(s.log.lines.join('\n')).toMatch(/node_load1 is not sent: label name "bad-label" is not valid/);
  });

  it('stopped mid-outage, a new sender from the saved cursor sends everything the first could not', async () => {
    receiver = await startReceiver(Array.from({ length: 1000 }, () => ({ status: 503 })));
    const first = await senderFor(receiver);
    sender = first.sender;
    const sent = samples();
    await store.append(sent);
    first.start();
    await until('a few failures', () => receiver!.arrivals.length >= 3);
    await first.sender.stop();
    await receiver.close();
    receiver = await startReceiver([]);
    const second = await senderFor(receiver);
    sender = second.sender;
    second.start();
    await until('everything sent', caughtUp);
    expect(acceptedSamples(receiver)).toEqual(expected(sent));
  });
});
