import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sample } from '../../common/series.js';
import { openMetricStore } from '../store/metricStore.js';
import type { MetricStore } from '../store/types.js';
import { queryTopK } from './feature.js';
import { aggregatePoints, rankSeries } from './rankSeries.js';
import type { TopKQuery, TopKResult } from '../../common/contract.js';

const T0 = Date.UTC(2025, 2, 10, 12, 0, 0);
const MIN = 60_000;
const CPU = 'host:cpu_usage:ratio';

let dir: string;
let store: MetricStore;
let now = T0 + 60 * MIN;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'overlook-topk-'));
  store = openMetricStore({ file: join(dir, 'history.sqlite'), now: () => now });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One sample every 10 s from `fromMin` to `toMin` (exclusive), value from `v(t)`. */
async function seed(host: string, fromMin: number, toMin: number, v: (t: number) => number, labels: Record<string, string> = {}, name = CPU): Promise<void> {
  const samples: Sample[] = [];
  for (let t = T0 + fromMin * MIN; t < T0 + toMin * MIN; t += 10_000) samples.push({ name, labels: { host, ...labels }, t, v: v(t) });
  await store.append(samples);
}

const hourQuery = (extra: Partial<TopKQuery> = {}): TopKQuery => ({
  kind: 'host',
  metric: CPU,
  aggregate: 'avg',
  from: T0,
  to: T0 + 60 * MIN,
  k: 10,
  order: 'desc',
  points: 60,
  ...extra,
});

describe('queryTopK on a seeded store', () => {
  it('ranks by avg, max and last, each differently', async () => {
    await seed('steady', 0, 60, () => 0.5); // avg 0.5, max 0.5, last 0.5
    await seed('spiky', 0, 60, (t) => (t === T0 + 30 * MIN ? 1 : 0.1)); // avg ~0.1, max 1
    await seed('rising', 0, 60, (t) => ((t - T0) / (60 * MIN)) * 0.9); // avg ~0.45, last ~0.89
    const ids = (r: TopKResult) => r.rows.map((row) => row.entity);
    expect(ids(await queryTopK(store, hourQuery({ aggregate: 'avg' })))).toEqual(['steady', 'rising', 'spiky']);
    expect(ids(await queryTopK(store, hourQuery({ aggregate: 'max' })))).toEqual(['spiky', 'rising', 'steady']);
    expect(ids(await queryTopK(store, hourQuery({ aggregate: 'last' })))).toEqual(['rising', 'steady', 'spiky']);
    const spiky = (await queryTopK(store, hourQuery({ aggregate: 'max' }))).rows[0]!;
    expect(spiky.value).toBe(1);
    expect(spiky.points.length).toBeGreaterThan(50);
    expect(Math.max(...spiky.points.map((p) => p[1]))).toBe(1);
  });

  it('breaks ties by host name, naturally, and honours k and ascending order', async () => {
    for (const h of ['web-10', 'web-2', 'web-1', 'db-1']) seed(h, 0, 60, () => 0.25);
    await seed('idle', 0, 60, () => 0.01);
    const top = await queryTopK(store, hourQuery({ k: 3 }));
    expect(top.total).toBe(5);
    expect(top.rows.map((r) => r.entity)).toEqual(['db-1', 'web-1', 'web-2']);
    const bottom = await queryTopK(store, hourQuery({ order: 'asc', k: 2 }));
    expect(bottom.rows.map((r) => r.entity)).toEqual(['idle', 'db-1']);
  });

  it('leaves out hosts with no data in the window instead of ranking them as zero', async () => {
    await seed('present', 0, 60, () => 0.01);
    await seed('old', -300, -120, () => 0.99); // only before the window
    const r = await queryTopK(store, hourQuery({ order: 'asc' }));
    expect(r.rows.map((row) => row.entity)).toEqual(['present']);
    expect(r.total).toBe(1);
  });

  it('ranks a host that vanished mid-window on what it reported, and says when it was last seen', async () => {
    await seed('gone', 0, 20, () => 0.9);
    await seed('here', 0, 60, () => 0.3);
    const last = await queryTopK(store, hourQuery({ aggregate: 'last' }));
    const gone = last.rows.find((r) => r.entity === 'gone')!;
    expect(gone.value).toBeCloseTo(0.9);
    expect(gone.lastT).toBeLessThan(T0 + 21 * MIN);
    expect(last.rows.find((r) => r.entity === 'here')!.lastT).toBeGreaterThanOrEqual(T0 + 58 * MIN);
    // avg over the buckets it has, not diluted by the 40 minutes it was gone
    expect((await queryTopK(store, hourQuery())).rows[0]).toMatchObject({ entity: 'gone' });
    expect((await queryTopK(store, hourQuery())).rows[0]!.value).toBeCloseTo(0.9);
  });

  it('takes the worst series of a host for a per-mount metric', async () => {
    const FS = 'host:filesystem_used:ratio';
    await seed('a', 0, 60, () => 0.2, { mountpoint: '/' }, FS);
    await seed('a', 0, 60, () => 0.95, { mountpoint: '/data' }, FS);
    await seed('b', 0, 60, () => 0.5, { mountpoint: '/' }, FS);
    const r = await queryTopK(store, hourQuery({ metric: FS }));
    expect(r.rows.map((row) => [row.entity, row.labels.mountpoint])).toEqual([
      ['a', '/data'],
      ['b', '/'],
    ]);
  });

  it('answers an unknown metric with no rows', async () => {
    await seed('a', 0, 60, () => 0.2);
    expect(await queryTopK(store, hourQuery({ metric: 'host:nothing:ratio' }))).toMatchObject({ total: 0, rows: [] });
  });
});

describe('rankSeries', () => {
  it('skips series without the entity label and non-finite buckets', async () => {
    const r = rankSeries(
      [
        { labels: { instance: 'x' }, points: [[0, 5, 5, 5]] },
        { labels: { host: 'h' }, points: [[0, NaN, NaN, NaN], [1, 2, 1, 3]] },
      ],
      { aggregate: 'avg', k: 5, order: 'desc', entityLabel: 'host' },
    );
    expect(r.rows).toEqual([{ entity: 'h', labels: { host: 'h' }, value: 2, lastT: 1, points: [[1, 2]] }]);
  });
  it('aggregates points', async () => {
    const pts: [number, number, number, number][] = [
      [0, 1, 0, 4],
      [1, 3, 2, 3],
    ];
    expect(aggregatePoints(pts, 'avg')).toBe(2);
    expect(aggregatePoints(pts, 'max')).toBe(4);
    expect(aggregatePoints(pts, 'last')).toBe(3);
    expect(aggregatePoints([], 'avg')).toBeUndefined();
  });
});
