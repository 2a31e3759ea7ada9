// History read back through the PromQL API of real engines (VictoriaMetrics
// and Prometheus, started here on loopback): the same buckets as the local
// store would give, checked against the samples themselves; a week's range;
// the local host under its engine name; and an engine that is slow, failing
// or gone gives a clear error within the timeout, never a hang.
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Point } from '../../common/contract.js';
import { createEngineClient } from '../engine/engineHttp.js';
import { encodeRemoteWriteBody, wireLabels, type WireSeries } from '../prometheus/remoteWrite.js';
import { openSqliteStore } from '../store/sqliteStore.js';
import { planBuckets } from '../store/tiers.js';
import { startPrometheusReceiver, startVictoriaMetrics, type RunningEngine } from '../../testing/engines.js';
import { MAX_POINTS_PER_SERIES, createPromqlHistory, planPromqlRange, promqlSelector } from './promqlHistory.js';
import type { HistoryReader } from './historyReader.js';

const ENGINE_HOST = 'alice-laptop';
const NAME = 'host:cpu_usage:ratio';
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
// Aligned so buckets of every width tested start on whole steps of the samples.
const NOW = Math.floor(Date.now() / HOUR) * HOUR;

let vm: RunningEngine;
let prom: RunningEngine;

/** A ratio kept to 1e-4, as the store keeps ratios. */
const ratio = (host: string, t: number) => Math.round(((Math.sin(t / 600_000 + host.length) + 1) / 2) * 1e4) / 1e4;

/** host → [t, v][] for 50 minutes at 10 s (recent: Prometheus takes only the last hour or so). */
const recent = new Map<string, [number, number][]>();
/** A week of web-1 at 5 min, for VictoriaMetrics. */
const week: [number, number][] = [];

async function write(engine: RunningEngine, series: WireSeries[]): Promise<void> {
  for (let i = 0; i < series.length; i++) {
    const res = await fetch(`${engine.url}/api/v1/write`, {
      method: 'POST',
      headers: { 'content-encoding': 'snappy', 'content-type': 'application/x-protobuf', 'x-prometheus-remote-write-version': '0.1.0' },
      body: encodeRemoteWriteBody([series[i]!]),
    });
    if (!res.ok) throw new Error(`seeding ${engine.url}: HTTP ${res.status} ${await res.text()}`);
  }
}

beforeAll(async () => {
  [vm, prom] = await Promise.all([startVictoriaMetrics(), startPrometheusReceiver()]);
  for (const host of ['web-1', 'db-1', ENGINE_HOST]) {
    const samples: [number, number][] = [];
    for (let t = NOW - 50 * MIN; t < NOW - 10 * SEC; t += 10 * SEC) samples.push([t, ratio(host, t)]);
    recent.set(host, samples);
  }
  for (let t = NOW - 7 * DAY; t < NOW - 50 * MIN; t += 5 * MIN) week.push([t, ratio('web-1', t)]);
  const recentSeries = [...recent].map(([host, s]) => ({ labels: wireLabels(NAME, { host }), samples: s.map(([t, v]) => ({ t, v })) }));
  await write(prom, recentSeries);
  await write(vm, [{ labels: wireLabels(NAME, { host: 'web-1' }), samples: [...week, ...recent.get('web-1')!].map(([t, v]) => ({ t, v })) }, ...recentSeries.slice(1)]);
  // VictoriaMetrics makes what it took searchable within a few seconds.
  const expected = week.length + [...recent.values()].reduce((n, s) => n + s.length, 0);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const text = await (await fetch(`${vm.url}/api/v1/export?match[]=${encodeURIComponent(NAME)}&start=${(NOW - 8 * DAY) / 1000}`)).text();
    const count = text.split('\n').filter(Boolean).reduce((n, line) => n + (JSON.parse(line) as { values: unknown[] }).values.length, 0);
    if (count === expected) break;
    if (Date.now() > deadline) throw new Error(`VictoriaMetrics holds ${count} of ${expected} samples after 30 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}, 120_000);

afterAll(async () => {
  await Promise.all([vm?.remove(), prom?.remove()]);
});

/** The buckets the local store's plan makes, computed from the samples themselves. */
function expectedPoints(samples: readonly [number, number][], from: number, to: number, stepMs: number): Point[] {
  const byBucket = new Map<number, number[]>();
  for (const [t, v] of samples) {
    const bucket = Math.floor(t / stepMs) * stepMs;
    if (bucket < Math.floor(from / stepMs) * stepMs || bucket >= Math.floor(to / stepMs) * stepMs + stepMs) continue;
    byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), v]);
  }
  return [...byBucket]
    .sort((a, b) => a[0] - b[0])
    .map(([t, vs]) => [t, vs.reduce((a, b) => a + b, 0) / vs.length, Math.min(...vs), Math.max(...vs)]);
}

function reader(engine: RunningEngine, timeoutMs = 10_000): HistoryReader {
  return createPromqlHistory({ client: createEngineClient({ url: engine.url, timeoutMs }), localHostOnEngine: ENGINE_HOST, now: () => NOW });
}

function expectPointsClose(actual: readonly Point[], expected: readonly Point[]): void {
  expect(actual.map((p) => p[0])).toEqual(expected.map((p) => p[0]));
  actual.forEach((p, i) => {
    for (const k of [1, 2, 3] as const) expect(p[k]).toBeCloseTo(expected[i]![k], 9);
  });
}

describe('history through the PromQL API', () => {
  for (const which of ['VictoriaMetrics', 'Prometheus'] as const) {
    it(`${which}: a range's buckets are the local store's, avg, min and max of the samples in each`, async () => {
      const history = reader(which === 'VictoriaMetrics' ? vm : prom);
      for (const [span, maxPoints] of [
        [15 * MIN, 900],
        [45 * MIN, 45],
        [45 * MIN, 300],
      ] as const) {
        const to = NOW - 2 * MIN;
        const from = to - span;
        const ranges = await history.query({ selector: { name: NAME, matchers: [{ label: 'host', op: '=~', value: 'web-1|db-1' }] }, from, to, maxPoints });
        const step = planBuckets(from, to, maxPoints).stepMs;
        expect(ranges.map((r) => r.labels.host).sort()).toEqual(['db-1', 'web-1']);
        for (const r of ranges) {
          expect(r.stepMs).toBe(step);
          expect(r.name).toBe(NAME);
          expectPointsClose(r.points, expectedPoints(recent.get(r.labels.host!)!, from, to, step));
        }
      }
    });
  }

  it('VictoriaMetrics: a 7-day range, in hourly-or-wider buckets within the point limit', async () => {
    const to = NOW - HOUR;
    const from = to - 7 * DAY;
    const [r] = await reader(vm).query({ selector: { name: NAME, matchers: [{ label: 'host', op: '=', value: 'web-1' }] }, from, to, maxPoints: 600 });
    expect(r!.stepMs).toBe(planBuckets(from, to, 600).stepMs);
    expect(r!.tier).toBe('1m');
    // 600 points over a week: 30-minute buckets, every one of them holding samples.
    expect(r!.stepMs).toBe(30 * MIN);
    expect(r!.points.length).toBe(7 * 48 - 1);
    // The bucket holding `to` reaches into the recent samples, which the engine holds for web-1 too.
    expectPointsClose(r!.points, expectedPoints([...week, ...recent.get('web-1')!], from, to, r!.stepMs));
  });

  it('reads the local host back as `local` and asks the engine for it under this machine\'s name', async () => {
    const [r] = await reader(vm).query({ selector: { name: NAME, matchers: [{ label: 'host', op: '=', value: 'local' }] }, from: NOW - 20 * MIN, to: NOW - 5 * MIN, maxPoints: 90 });
    expect(r!.labels).toEqual({ host: 'local' });
    // 10-s buckets from the one holding `from` to the one holding `to`, each with the samples of alice-laptop.
    expect(r!.points.length).toBe(91);
    expectPointsClose(r!.points, expectedPoints(recent.get(ENGINE_HOST)!, NOW - 20 * MIN, NOW - 5 * MIN, 10 * SEC));
    expect(promqlSelector({ name: NAME, matchers: [{ label: 'host', op: '=', value: 'local' }, { label: 'mountpoint', op: '=', value: '/srv/"x"' }] }, ENGINE_HOST)).toBe(
      `${NAME}{host="${ENGINE_HOST}",mountpoint="/srv/\\"x\\""}`,
    );
  });

  for (const which of ['VictoriaMetrics', 'Prometheus'] as const) {
    it(`${which}: lists the series of a name with each one's newest sample time`, async () => {
      const series = await reader(which === 'VictoriaMetrics' ? vm : prom).series({ name: NAME });
      const byHost = Object.fromEntries(series.map((s) => [s.labels.host, s.lastT]));
      const newest = recent.get('web-1')!.at(-1)![0];
      expect(byHost).toEqual({ 'web-1': newest, 'db-1': newest, local: newest });
    });
  }

  it('a slow engine fails the query within its timeout with a clear message', async () => {
    const server = http.createServer(() => {
      // never answers
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const started = Date.now();
      const history = createPromqlHistory({ client: createEngineClient({ url, timeoutMs: 500 }), localHostOnEngine: ENGINE_HOST });
      await expect(history.query({ selector: { name: NAME }, from: NOW - HOUR, to: NOW, maxPoints: 60 })).rejects.toMatchObject({
        code: 'unavailable',
        message: `the history engine ${url} did not answer in time; the range may be too large for it, or it is overloaded`,
      });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('a failing engine gives its own reason; one that is gone says it is not reachable', async () => {
    const server = http.createServer((_req, res) => {
      // connection: close, so the later call finds the port closed rather than a kept-alive socket the server resets.
      res.writeHead(503, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify({ status: 'error', errorType: 'unavailable', error: 'too many queries in flight' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const url = `http://127.0.0.1:${port}`;
    const outcomes: (string | undefined)[] = [];
    const history = createPromqlHistory({ client: createEngineClient({ url, timeoutMs: 2000 }), localHostOnEngine: ENGINE_HOST, onOutcome: (e) => outcomes.push(e) });
    await expect(history.query({ selector: { name: NAME }, from: NOW - HOUR, to: NOW, maxPoints: 60 })).rejects.toMatchObject({
      code: 'unavailable',
      message: `the history engine ${url} answered HTTP 503: unavailable: too many queries in flight`,
    });
    expect(outcomes[0]).toMatch(/HTTP 503/);
    await new Promise((r) => server.close(r));
    await expect(history.series({ name: NAME })).rejects.toMatchObject({ code: 'unavailable', message: `the history engine ${url} is not reachable: connection refused (is the engine running on that port?)` });
  });

  it('keeps every range query within Prometheus\'s 11,000 points per series', () => {
    for (const [span, maxPoints] of [
      [400 * DAY, 1_000_000],
      [30 * DAY, 5000],
      [15 * MIN, 5000],
    ] as const) {
      const plan = planPromqlRange(NOW - span, NOW, maxPoints);
      expect((plan.end - plan.start) / plan.stepMs + 1).toBeLessThanOrEqual(MAX_POINTS_PER_SERIES);
      expect(plan.stepMs).toBeGreaterThanOrEqual(SEC);
    }
  });

  it('the local store answers the same ranges with the same buckets (the peer the engine is compared with)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ovl-promql-local-'));
    const store = openSqliteStore({ file: join(dir, 'history.sqlite'), now: () => NOW });
    try {
      store.append([...recent.get('web-1')!].map(([t, v]) => ({ name: NAME, labels: { host: 'web-1' }, t, v })));
      const to = NOW - 2 * MIN;
      const [r] = store.query({ selector: { name: NAME }, from: to - 15 * MIN, to, maxPoints: 900 });
      expectPointsClose(r!.points, expectedPoints(recent.get('web-1')!, to - 15 * MIN, to, r!.stepMs));
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
