// Label patterns in queries run in linear time whatever is typed, and a query
// on the store's thread is bounded: the pattern that backtracks for hours in
// JavaScript's RegExp (`(.|.)*Z`, exponential in the value's length) answers
// at once through the real store worker, the store keeps answering other
// calls, and RE2 syntax errors reach the caller as invalid_input — through
// series/query and the rule editor's preview, over the real RPC layer.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RpcError } from '../../common/contract.js';
import { createPortPair, createRpcClient, serveRpc } from '../../common/rpc.js';
import type { Sample } from '../../common/series.js';
import { startTestCore } from '../../testing/testCore.js';
import { createAlertsFeature } from '../alerts/feature.js';
import { openMetricStore, type WorkerMetricStore } from './metricStore.js';
import { QUERY_TOO_LARGE } from './sqliteStore.js';

const T0 = Date.UTC(2025, 2, 10);
const SERIES = 5_000;
let dir: string;
const stores: WorkerMetricStore[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'overlook-patterns-'));
});

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  for (const c of cleanups.splice(0).reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

/** Filesystem series whose mountpoints are long enough for `(.|.)*Z` to backtrack 2^40 times each in a backtracking engine. */
function filesystems(n: number, t: number): Sample[] {
  const out: Sample[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ name: 'node_filesystem_avail_bytes', labels: { host: `h${i % 50}`, mountpoint: `/srv/data/volume-aaaaaaaaaaaaaaaaaaaa-${i}` }, t, v: 1e9 + i });
  }
  return out;
}

async function filledStore(extra: Partial<Parameters<typeof openMetricStore>[0]> = {}): Promise<WorkerMetricStore> {
  const store = openMetricStore({ file: join(dir, 'history.sqlite'), now: () => T0 + 60_000, ...extra });
  stores.push(store);
  await store.append(filesystems(SERIES, T0));
  await store.append(filesystems(SERIES, T0 + 5_000));
  return store;
}

const range = { from: T0 - 60_000, to: T0 + 60_000, maxPoints: 100 };

describe('label patterns on the store worker', () => {
  it('answers `(.|.)*Z` over thousands of long values at once and keeps answering other calls', async () => {
    const store = await filledStore();
    const runaway = store.query({ selector: { name: 'node_filesystem_avail_bytes', matchers: [{ label: 'mountpoint', op: '=~', value: '(.|.)*Z' }] }, ...range });
    const stats = store.stats();
    expect(await runaway).toEqual([]);
    expect((await stats).series).toBe(SERIES);
    // The negation matches everything, and the anchored full match of Prometheus holds.
    const all = await store.series({ name: 'node_filesystem_avail_bytes', matchers: [{ label: 'mountpoint', op: '!~', value: '(.|.)*Z' }] });
    expect(all).toHaveLength(SERIES);
    const some = await store.series({ name: 'node_filesystem_avail_bytes', matchers: [{ label: 'mountpoint', op: '=~', value: '.*-1[0-9]' }] });
    expect(some.map((s) => s.labels.mountpoint).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `/srv/data/volume-aaaaaaaaaaaaaaaaaaaa-1${i}`).sort());
    const unanchored = await store.series({ name: 'node_filesystem_avail_bytes', matchers: [{ label: 'mountpoint', op: '=~', value: 'volume' }] });
    expect(unanchored).toEqual([]);
  });

  it('stops a query past its time budget with a clear error, and answers the next call', async () => {
    const store = await filledStore({ queryBudgetMs: 0 });
    const err = await store
      .query({ selector: { name: 'node_filesystem_avail_bytes', matchers: [{ label: 'host', op: '=~', value: 'h.*' }] }, ...range })
      .then(() => undefined, (e: unknown) => e as Error & { code?: string });
    expect(err?.code).toBe(QUERY_TOO_LARGE);
    expect(err?.message).toMatch(/node_filesystem_avail_bytes\{host=~"h\.\*"\} was stopped after .*series.*ran past 0 s.*narrow the selector/);
    expect((await store.stats()).series).toBe(SERIES);
  });
});

describe('label patterns through the RPC layer', () => {
  async function rpc() {
    const core = await startTestCore(
      { prefix: 'ovl-patterns-', features: [createAlertsFeature({ evaluateEveryMs: 60_000 })], answers: (name) => name.startsWith('alerts/') },
      cleanups,
    );
    const [serverPort, clientPort] = createPortPair();
    const stop = serveRpc(core.core.handlers, serverPort);
    const client = createRpcClient(clientPort);
    cleanups.push(() => {
      client.close();
      stop();
    });
    return client;
  }

  const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as RpcError);

  it('refuses backreferences, lookaround and plain bad patterns as invalid_input, saying RE2 syntax', async () => {
    const client = await rpc();
    const query = (value: string) =>
      client.call('series/query', { selectors: [{ name: 'node_load1', matchers: [{ label: 'host', op: '=~', value }] }], from: 1, to: 2, maxPoints: 10 });
    for (const bad of ['(a)\\1', '(?=x)', '(?<!x)y']) {
      const err = await failure(query(bad));
      expect(err?.code).toBe('invalid_input');
      expect(err?.message).toContain('no backreferences or lookaround');
    }
    const plain = await failure(query('('));
    expect(plain?.code).toBe('invalid_input');
    expect(plain?.message).toMatch(/invalid regular expression "\(": missing closing \)/);
    expect(await query('(.|.)*Z')).toEqual([]);
  });

  it('answers the rule editor preview of `(.|.)*Z` and refuses a lookahead there as invalid_input', async () => {
    const client = await rpc();
    const rule = (selector: string) => ({ type: 'threshold' as const, name: 'r', selector, window: 60_000, op: '>' as const, threshold: 1 });
    const preview = await client.call('alerts/preview', rule('node_filesystem_avail_bytes{mountpoint=~"(.|.)*Z"}'));
    expect(preview.total).toBe(0);
    const err = await failure(client.call('alerts/preview', rule('node_filesystem_avail_bytes{mountpoint=~"(?=/srv).*"}')));
    expect(err?.code).toBe('invalid_input');
    expect(err?.message).toContain('no backreferences or lookaround');
  });
});
