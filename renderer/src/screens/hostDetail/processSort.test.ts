import { describe, expect, it } from 'vitest';
import type { ProcessRow } from '../../../../main/common/contract';
import { sortProcesses } from './processSort';

const row = (pid: number, cpu: number, rssBytes: number): ProcessRow => ({ pid, comm: `p${pid}`, cpu, rssBytes, memoryRatio: null });

describe('sortProcesses', () => {
  const rows = [row(3, 0.5, 100), row(1, 2, 50), row(2, 0.5, 300)];
  it('sorts by CPU, highest first, ties by pid', () => {
    expect(sortProcesses(rows, 'cpu').map((r) => r.pid)).toEqual([1, 2, 3]);
  });
  it('sorts by memory (RSS), highest first', () => {
    expect(sortProcesses(rows, 'memory').map((r) => r.pid)).toEqual([2, 3, 1]);
  });
  it('does not reorder its input', () => {
    sortProcesses(rows, 'memory');
    expect(rows.map((r) => r.pid)).toEqual([3, 1, 2]);
  });
});
