import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessRow } from '../../common/contract.js';
import { openProcessHistory, pickSnapshotRows, type ProcessHistory } from './processHistory.js';

const T0 = Date.UTC(2025, 2, 10, 3, 0, 0);
const MIN = 60_000;
let dir: string;
let history: ProcessHistory;

const proc = (pid: number, cpu: number, rssBytes: number, comm = `p${pid}`): ProcessRow => ({ pid, comm, cpu, rssBytes, memoryRatio: null });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'overlook-proc-'));
  history = openProcessHistory({ file: join(dir, 'processes.sqlite'), retentionMs: 7 * 24 * 60 * MIN });
});
afterEach(() => {
  history.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('pickSnapshotRows', () => {
  it('keeps the top by CPU plus the largest by RSS not already kept', () => {
    const all = [proc(1, 0.9, 10), proc(2, 0.5, 20), proc(3, 0.1, 5000), proc(4, 0, 4000), proc(5, 0, 1)];
    expect(pickSnapshotRows(all, 2, 2).map((p) => p.pid)).toEqual([1, 2, 3, 4]);
    expect(pickSnapshotRows(all, 1, 1).map((p) => p.pid)).toEqual([1, 3]);
  });
});

describe('process history', () => {
  it('answers "which process was behind the 3 a.m. spike" from the busiest sample of that minute', () => {
    // Every 10 s for 10 minutes; at 03:05:20 a backup job spikes for one sample.
    for (let t = T0; t < T0 + 10 * MIN; t += 10_000) {
      const rows = [proc(100, 0.05, 1e8, 'nginx'), proc(200, 0.02, 5e8, 'postgres')];
      if (t === T0 + 5 * MIN + 20_000) rows.push(proc(300, 3.5, 2e7, 'backup.sh'));
      history.record('web-1', t, rows);
    }
    history.flush(false, T0 + 11 * MIN);
    const at = history.at('web-1', T0 + 5 * MIN + 30_000, 5 * MIN)!;
    expect(at.t).toBe(T0 + 5 * MIN + 20_000);
    expect(at.processes[0]).toMatchObject({ comm: 'backup.sh', pid: 300, cpu: 3.5 });
    // A quiet minute has no backup in it.
    expect(history.at('web-1', T0 + 2 * MIN, 30_000)!.processes.map((p) => p.comm)).toEqual(['nginx', 'postgres']);
    // One snapshot per minute, not one per sample.
    expect(history.stats().snapshots).toBe(10);
  });

  it('answers null outside the tolerance and for unknown hosts, and serves the unwritten minute', () => {
    history.record('a', T0, [proc(1, 1, 1)]);
    expect(history.at('a', T0 + 10_000, MIN)).toMatchObject({ t: T0 });
    expect(history.at('a', T0 + 60 * MIN, MIN)).toBeNull();
    expect(history.at('b', T0, MIN)).toBeNull();
  });

  it('survives a restart and drops snapshots past the retention', () => {
    history.record('a', T0, [proc(1, 1, 1)]);
    history.record('a', T0 + 8 * 24 * 60 * MIN, [proc(2, 1, 1)]);
    history.close();
    history = openProcessHistory({ file: join(dir, 'processes.sqlite'), retentionMs: 7 * 24 * 60 * MIN });
    expect(history.stats().snapshots).toBe(2);
    expect(history.prune(T0 + 8 * 24 * 60 * MIN)).toBe(1);
    expect(history.at('a', T0, MIN)).toBeNull();
    expect(history.at('a', T0 + 8 * 24 * 60 * MIN, MIN)!.processes[0]!.pid).toBe(2);
  });

  it('stays small: a day of one host is well under a megabyte', () => {
    const rows = Array.from({ length: 200 }, (_, i) => proc(i + 1, (i % 17) / 10, (i % 13) * 1e7, `process-${i}`));
    for (let m = 0; m < 24 * 60; m++) history.record('a', T0 + m * MIN, rows);
    history.flush(true);
    history.close();
    history = openProcessHistory({ file: join(dir, 'processes.sqlite') });
    expect(history.stats().snapshots).toBe(24 * 60);
    expect(statSync(join(dir, 'processes.sqlite')).size).toBeLessThan(2_000_000);
  });
});
