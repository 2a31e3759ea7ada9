import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sample } from '../../common/series.js';
import { openMetricStore } from '../store/metricStore.js';
import type { MetricStore } from '../store/types.js';
import { findHistoryOnlyHosts } from './historyOnlyHosts.js';
import { createStatusJournal } from './statusJournal.js';

const T0 = Date.UTC(2025, 2, 10, 12, 0, 0);
let dir: string;
let store: MetricStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'overlook-fleet-'));
  store = openMetricStore({ file: join(dir, 'history.sqlite'), now: () => T0 + 3_600_000 });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('history-only hosts', () => {
  it('lists hosts with history that nothing watches, with their last values', async () => {
    const samples: Sample[] = [];
    for (const host of ['local', 'old-1', 'old-2']) {
      for (let i = 0; i < 30; i++) {
        const t = T0 + i * 10_000;
        samples.push({ name: 'host:cpu_usage:ratio', labels: { host }, t, v: host === 'old-1' ? 0.7 : 0.1 });
        samples.push({ name: 'host:filesystem_used:ratio', labels: { host, mountpoint: '/' }, t, v: 0.3 });
        samples.push({ name: 'host:filesystem_used:ratio', labels: { host, mountpoint: '/var' }, t, v: 0.8 });
      }
    }
    await store.append(samples);
    const found = (await findHistoryOnlyHosts(store, new Set(['local']))).sort((a, b) => a.hostId.localeCompare(b.hostId));
    expect(found.map((h) => h.hostId)).toEqual(['old-1', 'old-2']);
    expect(found[0]!.lastSampleAt).toBe(T0 + 29 * 10_000);
    expect(found[0]!.summary.cpuUsage).toBeCloseTo(0.7);
    expect(found[0]!.summary.fullestMount).toBe('/var');
    expect(found[0]!.summary.memoryUsed).toBeNull();
  });
});

describe('status journal', () => {
  it('keeps transitions per host in a window, bounded', async () => {
    const j = createStatusJournal(3);
    j.record('a', 1, 'online', 'connecting');
    j.record('a', 2, 'offline', 'online', 'connection reset');
    j.record('b', 2, 'online', undefined);
    expect(j.between('a', 0, 10)).toEqual([
      { t: 1, status: 'online', previous: 'connecting' },
      { t: 2, status: 'offline', previous: 'online', detail: 'connection reset' },
    ]);
    expect(j.between('a', 2, 2)).toHaveLength(1);
    j.record('a', 3, 'online', 'offline');
    j.record('a', 4, 'stale', 'online');
    expect(j.between('a', 0, 10).map((x) => x.t)).toEqual([2, 3, 4]);
    j.forget('a');
    expect(j.between('a', 0, 10)).toEqual([]);
  });
});
