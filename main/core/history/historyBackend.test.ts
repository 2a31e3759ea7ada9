// The history backend chosen at the composition root: with `history:
// { backend: promql, url }` in the provisioning file, a real core answers
// series/query and Top-K from the engine (a real VictoriaMetrics started
// here) and not from its own store; without it, from its store; a failing
// engine gives the chart and Top-K a clear `unavailable` error and the
// Settings screen the same words.
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RpcError } from '../../common/contract.js';
import { encodeRemoteWriteBody, wireLabels } from '../prometheus/remoteWrite.js';
import { topKFeature } from '../topk/feature.js';
import { startTestCore } from '../../testing/testCore.js';
import { startVictoriaMetrics, type RunningEngine } from '../../testing/engines.js';

const NAME = 'host:cpu_usage:ratio';
const MIN = 60_000;
const NOW = Math.floor(Date.now() / MIN) * MIN;

let vm: RunningEngine;
const cleanups: (() => Promise<void> | void)[] = [];

/** web-1 busy (0.8), db-1 idle (0.1), one sample every 10 s for 30 minutes. */
const level: Record<string, number> = { 'web-1': 0.8, 'db-1': 0.1 };

beforeAll(async () => {
  vm = await startVictoriaMetrics();
  const series = Object.entries(level).map(([host, v]) => {
    const samples = [];
    for (let t = NOW - 30 * MIN; t < NOW; t += 10_000) samples.push({ t, v });
    return { labels: wireLabels(NAME, { host }), samples };
  });
  const res = await fetch(`${vm.url}/api/v1/write`, {
    method: 'POST',
    headers: { 'content-encoding': 'snappy', 'content-type': 'application/x-protobuf', 'x-prometheus-remote-write-version': '0.1.0' },
    body: encodeRemoteWriteBody(series),
  });
  expect(res.status).toBe(204);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const text = await (await fetch(`${vm.url}/api/v1/export?match[]=${encodeURIComponent(NAME)}`)).text();
    if (text.split('\n').filter(Boolean).length === 2) break;
    if (Date.now() > deadline) throw new Error('VictoriaMetrics did not make the seeded series searchable in 30 s');
    await new Promise((r) => setTimeout(r, 250));
  }
}, 120_000);

afterAll(async () => {
  await vm?.remove();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function coreWith(config: string | undefined) {
  const started = await startTestCore(
    { prefix: 'ovl-histbackend-', features: [topKFeature], answers: (r) => r === 'topk/query', ...(config !== undefined ? { config } : {}) },
    cleanups,
  );
  // The provisioning file is applied as the core starts; the backend switches once it has read it.
  const deadline = Date.now() + 10_000;
  while (config !== undefined && (await started.call('history/get')).backend !== 'promql') {
    if (Date.now() > deadline) throw new Error('the core did not take the history section');
    await new Promise((r) => setTimeout(r, 50));
  }
  return started;
}

const topK = { kind: 'host', metric: NAME, aggregate: 'avg', from: NOW - 20 * MIN, to: NOW - MIN, k: 5, order: 'desc', points: 19 } as const;

describe('history backend at the composition root', () => {
  it('reads series/query and Top-K from the engine named under history: in the provisioning file', async () => {
    const { call } = await coreWith(`history:\n  backend: promql\n  url: ${vm.url}\n  timeout: 5s\n`);
    const state = await call('history/get');
    expect(state).toMatchObject({ backend: 'promql', url: vm.url, provisioned: true, lastError: null });

    const ranges = await call('series/query', { selectors: [{ name: NAME }], from: NOW - 20 * MIN, to: NOW - MIN, maxPoints: 19 });
    expect(ranges.map((r) => r.labels.host).sort()).toEqual(['db-1', 'web-1']);
    for (const r of ranges) {
      expect(r.points.length).toBeGreaterThanOrEqual(19);
      // avg_over_time sums in floating point: 0.1 averages to 0.09999999999999999.
      for (const point of r.points) for (const v of point.slice(1)) expect(v).toBeCloseTo(level[r.labels.host!]!, 12);
    }

    const ranked = await call('topk/query', topK);
    expect(ranked.rows.map((row) => row.entity)).toEqual(['web-1', 'db-1']);
    ranked.rows.forEach((row) => expect(row.value).toBeCloseTo(level[row.entity]!, 12));
    expect((await call('history/get')).lastQueryAt).not.toBeNull();
  });

  it('reads its own store when the file names no history backend (the default)', async () => {
    const { call } = await coreWith(undefined);
    expect(await call('history/get')).toMatchObject({ backend: 'local', url: null });
    expect(await call('series/query', { selectors: [{ name: NAME }], from: NOW - 20 * MIN, to: NOW - MIN, maxPoints: 19 })).toEqual([]);
    expect((await call('topk/query', topK)).rows).toEqual([]);
  });

  it('a failing engine gives series/query and Top-K a clear unavailable error, and the Settings screen its words', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify({ status: 'error', errorType: 'unavailable', error: 'too many queries in flight' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const { call } = await coreWith(`history:\n  backend: promql\n  url: ${url}\n`);
    const said = `the history engine ${url} answered HTTP 503: unavailable: too many queries in flight`;
    const chart = await call('series/query', { selectors: [{ name: NAME }], from: NOW - 20 * MIN, to: NOW - MIN, maxPoints: 19 }).catch((e: unknown) => e);
    expect(chart).toBeInstanceOf(RpcError);
    expect(chart).toMatchObject({ code: 'unavailable', message: said });
    await expect(call('topk/query', topK)).rejects.toMatchObject({ code: 'unavailable', message: said });
    expect(await call('history/get')).toMatchObject({ backend: 'promql', lastError: said });
  });
});
