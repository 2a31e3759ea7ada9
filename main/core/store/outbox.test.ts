// The head log as the remote-write outbox (store/outbox.ts): every
// accepted sample in the order it came, read from a target's cursor, kept
// until every target has passed it or it is older than the target's age
// limit, durable across a close and reopen, and samples that are only sent
// (raw counters, staleness markers) never reaching the history.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sample } from '../../common/series.js';
import { openSqliteStore, type SqliteMetricStore } from './sqliteStore.js';
import { HOUR_MS, MINUTE_MS } from './tiers.js';
import type { OutboxBatch } from './types.js';

const T0 = Date.UTC(2025, 2, 10, 0, 0, 0);

let dir: string;
let file: string;
const opened: SqliteMetricStore[] = [];
const clock = { now: T0 };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'overlook-outbox-'));
  file = join(dir, 'history.sqlite');
  clock.now = T0;
});
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
  rmSync(dir, { recursive: true, force: true });
});

function openStore(): SqliteMetricStore {
  const store = openSqliteStore({ file, now: () => clock.now, housekeeping: { maxMillis: 10_000 } });
  opened.push(store);
  return store;
}

function reopen(store: SqliteMetricStore): SqliteMetricStore {
  store.close();
  opened.splice(opened.indexOf(store), 1);
  return openStore();
}

/** One 5-s poll of `hosts` hosts at time t: a CPU ratio per host (to 1e-4, as the store keeps ratios). */
function poll(t: number, hosts = 3, v = (h: number) => (h * 1000 + (t % 60_000) / 5000) / 1e4): Sample[] {
  return Array.from({ length: hosts }, (_, h) => ({ name: 'host:cpu_usage:ratio', labels: { host: `h${h}` }, t, v: v(h) }));
}

/** The samples of a batch as [name, host, t, v]. */
function rows(batch: OutboxBatch): Array<[string, string, number, number]> {
  const byId = new Map(batch.series.map((s) => [s.id, s]));
  return Array.from(batch.ids, (id, i) => [byId.get(id)!.name, byId.get(id)!.labels.host ?? '', batch.t[i]!, batch.v[i]!]);
}

function headLogRows(): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM head_log').pluck().get() as number;
  } finally {
    db.close();
  }
}

const READ_ALL = { maxSamples: 1_000_000, minAt: 0 };

describe('the outbox', () => {
  it('starts a new target at the end, then gives every accepted sample in the order it came, cursor by cursor', () => {
    const store = openStore();
    store.append(poll(T0 - 5000));
    expect(store.outboxTargets([{ name: 'vm', maxAgeMs: HOUR_MS }])).toEqual({ vm: 3 });
    const sent: Sample[] = [];
    for (let i = 0; i < 10; i++) {
      clock.now = T0 + i * 5000;
      const batch = poll(clock.now);
      sent.push(...batch);
      store.append(batch);
    }
    // An out-of-order sample is refused by the store and never reaches the outbox.
    store.append([{ name: 'host:cpu_usage:ratio', labels: { host: 'h0' }, t: T0, v: 9 }]);
    const first = store.outboxRead({ from: 3, maxSamples: 7, minAt: 0 });
    expect(first).toMatchObject({ from: 3, to: 10, dropped: 0, end: 33, oldestAt: T0 });
    const second = store.outboxRead({ from: first.to, ...READ_ALL });
    expect(second).toMatchObject({ from: 10, to: 33, dropped: 0 });
    expect([...rows(first), ...rows(second)]).toEqual(sent.map((s) => [s.name, s.labels.host, s.t, s.v]));
    expect(store.outboxStatus()).toEqual({ end: 33, cursors: { vm: { pos: 3, oldestAt: T0 } } });
    store.outboxAck('vm', second.to);
    expect(store.outboxStatus().cursors.vm).toEqual({ pos: 33 });
    expect(store.outboxRead({ from: 33, ...READ_ALL })).toMatchObject({ from: 33, to: 33, dropped: 0, ids: new Float64Array() });
  });

  it('keeps the rows a target has not sent after their chunks are sealed, and lets them go once every target passed them', () => {
    const store = openStore();
    store.outboxTargets([{ name: 'a', maxAgeMs: 6 * HOUR_MS }, { name: 'b', maxAgeMs: 6 * HOUR_MS }]);
    for (let t = T0; t < T0 + 30 * MINUTE_MS; t += 5000) {
      clock.now = t;
      store.append(poll(t));
    }
    clock.now = T0 + 40 * MINUTE_MS;
    store.housekeeping(clock.now);
    const all = store.outboxRead({ from: 0, ...READ_ALL });
    expect(all.ids.length).toBe(360 * 3);
    expect(headLogRows()).toBe(360);
    store.outboxAck('a', all.to);
    store.housekeeping(clock.now);
    expect(headLogRows()).toBe(360); // b has sent nothing
    store.outboxAck('b', 600);
    store.housekeeping(clock.now);
    expect(headLogRows()).toBe(160);
    expect(store.outboxRead({ from: 600, ...READ_ALL }).from).toBe(600);
    // A target that goes away no longer keeps anything.
    store.outboxForget(['b']);
    store.housekeeping(clock.now);
    expect(headLogRows()).toBe(0);
  });

  it('survives a close and reopen: cursors, positions and unsent rows, with the history intact', () => {
    let store = openStore();
    store.outboxTargets([{ name: 'vm', maxAgeMs: 6 * HOUR_MS }]);
    for (let t = T0; t < T0 + 25 * MINUTE_MS; t += 5000) {
      clock.now = t;
      store.append(poll(t));
    }
    store.housekeeping(clock.now);
    store.outboxAck('vm', 300);
    const before = store.outboxRead({ from: 300, ...READ_ALL });
    const history = store.query({ selector: { name: 'host:cpu_usage:ratio' }, from: T0, to: clock.now + 1, maxPoints: 10_000 });
    store = reopen(store);
    expect(store.outboxStatus()).toMatchObject({ end: 900, cursors: { vm: { pos: 300 } } });
    const after = store.outboxRead({ from: 300, ...READ_ALL });
    expect(rows(after)).toEqual(rows(before));
    expect(store.query({ selector: { name: 'host:cpu_usage:ratio' }, from: T0, to: clock.now + 1, maxPoints: 10_000 })).toEqual(history);
    // Positions go on where they were, also after the log emptied.
    store.outboxAck('vm', after.to);
    clock.now = T0 + 60 * MINUTE_MS;
    store.housekeeping(clock.now);
    expect(headLogRows()).toBe(0);
    store = reopen(store);
    store.append(poll(clock.now));
    expect(store.outboxRead({ from: 900, ...READ_ALL })).toMatchObject({ from: 900, to: 903, dropped: 0 });
    expect(store.query({ selector: { name: 'host:cpu_usage:ratio', matchers: [{ label: 'host', op: '=', value: 'h1' }] }, from: clock.now, to: clock.now + 1, maxPoints: 10 })[0]!.points).toHaveLength(1);
  });

  it('counts what is older than the target wants as dropped, never silently, and prunes it', () => {
    const store = openStore();
    store.outboxTargets([{ name: 'vm', maxAgeMs: HOUR_MS }]);
    for (let t = T0; t < T0 + 2 * HOUR_MS; t += 60_000) {
      clock.now = t;
      store.append(poll(t));
    }
    // Read as the sender does: everything logged more than an hour ago is gone.
    const batch = store.outboxRead({ from: 0, maxSamples: 10, minAt: clock.now - HOUR_MS });
    expect(batch.dropped).toBe(59 * 3);
    expect(batch.from).toBe(batch.dropped);
    expect(batch.oldestAt).toBe(clock.now - HOUR_MS);
    // Housekeeping prunes rows older than every target's limit even though the cursor is behind them.
    store.housekeeping(clock.now);
    expect(headLogRows()).toBe(61);
    const again = store.outboxRead({ from: 0, maxSamples: 3, minAt: 0 });
    expect(again.dropped).toBe(59 * 3);
  });

  it('logs samples only for the outbox without keeping them, staleness markers included, and nothing while no target reads', () => {
    const store = openStore();
    const counter = (t: number, v: number): Sample => ({ name: 'node_cpu_seconds_total', labels: { host: 'h0', cpu: '0', mode: 'user' }, t, v });
    store.append([counter(T0, 1)], { outboxOnly: true });
    store.append(poll(T0));
    expect(store.outboxStatus()).toEqual({ end: 3, cursors: {} });
    store.outboxTargets([{ name: 'vm', maxAgeMs: HOUR_MS }]);
    clock.now = T0 + 5000;
    store.append(poll(clock.now));
    store.append([counter(clock.now, 12.5), counter(clock.now - 1000, 11)], { outboxOnly: true });
    const marker: Sample = { name: 'host:cpu_usage:ratio', labels: { host: 'h2' }, t: clock.now + 2000, v: Number.NaN };
    store.append([marker], { outboxOnly: true });
    const batch = store.outboxRead({ from: 3, ...READ_ALL });
    expect(rows(batch)).toEqual([
      ['host:cpu_usage:ratio', 'h0', T0 + 5000, expect.any(Number)],
      ['host:cpu_usage:ratio', 'h1', T0 + 5000, expect.any(Number)],
      ['host:cpu_usage:ratio', 'h2', T0 + 5000, expect.any(Number)],
      ['node_cpu_seconds_total', 'h0', T0 + 5000, 12.5],
      ['host:cpu_usage:ratio', 'h2', T0 + 7000, Number.NaN],
    ]);
    expect(store.stats().dropped.outOfOrder).toBe(1);
    // Never in the history: not listed, not queried, the marker not a point.
    expect(store.series({ name: 'node_cpu_seconds_total' })).toEqual([]);
    const h2 = store.query({ selector: { name: 'host:cpu_usage:ratio', matchers: [{ label: 'host', op: '=', value: 'h2' }] }, from: T0, to: T0 + 10_000, maxPoints: 100 });
    expect(h2[0]!.points.map((p) => p[0])).toEqual([T0, T0 + 5000]);
    expect(store.stats().series).toBe(3);
    // And after a reopen the replay leaves the marker out of the head too.
    const again = reopen(store);
    expect(again.query({ selector: { name: 'host:cpu_usage:ratio', matchers: [{ label: 'host', op: '=', value: 'h2' }] }, from: T0, to: T0 + 10_000, maxPoints: 100 })[0]!.points).toHaveLength(2);
    expect(rows(again.outboxRead({ from: 3, ...READ_ALL }))).toHaveLength(5);
  });

  it('opens quickly after a long outage: rows kept only for the outbox are not replayed', () => {
    let store = openStore();
    store.outboxTargets([{ name: 'vm', maxAgeMs: 6 * HOUR_MS }]);
    for (let t = T0; t < T0 + 3 * HOUR_MS; t += 5000) {
      clock.now = t;
      store.append(poll(t, 20));
    }
    store.housekeeping(clock.now);
    expect(headLogRows()).toBe(3 * 720);
    const db = new Database(file, { readonly: true });
    const replayFrom = db.prepare("SELECT value FROM store_meta WHERE key = 'replay_from'").pluck().get() as number;
    db.close();
    // Only the rows of the open chunks (at most a window and a grace period) are replayed on open.
    expect(3 * 720 - replayFrom).toBeLessThan(12 * 14);
    store = reopen(store);
    expect(store.stats().headSamples).toBeGreaterThan(0);
    expect(store.outboxRead({ from: 0, maxSamples: 5, minAt: 0 })).toMatchObject({ from: 0, to: 5 });
  });
});
