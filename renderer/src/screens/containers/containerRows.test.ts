import { describe, expect, it } from 'vitest';
import type { ContainerRow } from '../../../../main/common/contract';
import { containerKey, counts, cpuShare, filterContainers, memoryShare, sortContainers } from './containerRows';

function row(name: string, extra: Partial<ContainerRow> = {}): ContainerRow {
  return {
    id: name.padEnd(64, '0'),
    name,
    image: 'img',
    runtime: 'docker',
    state: 'running',
    restarts: 0,
    pod: null,
    namespace: null,
    podUid: null,
    qos: null,
    sandbox: false,
    seriesLabels: { container: name },
    labels: {},
    cgroupPath: `/docker/${name}`,
    cpuCores: null,
    cpuLimitCores: null,
    cpuThrottledRatio: null,
    cpuThrottledSecondsRate: null,
    memoryUsageBytes: null,
    memoryWorkingSetBytes: null,
    memoryRssBytes: null,
    memoryCacheBytes: null,
    memoryPeakBytes: null,
    memoryLimitBytes: null,
    oomKills: null,
    pids: null,
    pidsLimit: null,
    blockReadBytesRate: null,
    blockWriteBytesRate: null,
    blockReadOpsRate: null,
    blockWriteOpsRate: null,
    networkRxBytesRate: null,
    networkTxBytesRate: null,
    startedAt: null,
    ...extra,
  };
}

describe('containers table model', () => {
  const rows = [
    row('web-10', { cpuCores: 0.5, memoryWorkingSetBytes: 100 }),
    row('web-2', { cpuCores: 0.5, memoryWorkingSetBytes: 300 }),
    row('db', { cpuCores: 1.2, state: 'paused' }),
    row('old', { state: 'exited' }),
    row('pause', { sandbox: true, pod: 'api-1', namespace: 'prod' }),
  ];

  it('sorts by CPU with unknowns last and natural name order for ties', () => {
    expect(sortContainers(rows, 'cpu', 'desc').map((r) => r.name)).toEqual(['db', 'web-2', 'web-10', 'old', 'pause']);
    expect(sortContainers(rows, 'cpu', 'asc').map((r) => r.name)).toEqual(['web-2', 'web-10', 'db', 'old', 'pause']);
    expect(sortContainers(rows, 'name', 'asc').map((r) => r.name)).toEqual(['db', 'old', 'pause', 'web-2', 'web-10']);
    expect(sortContainers(rows, 'state', 'asc').map((r) => r.state)).toEqual(['running', 'running', 'running', 'paused', 'exited']);
  });

  it('hides stopped and sandbox containers unless asked; words match name, image, pod and labels', () => {
    expect(filterContainers(rows, { text: '', showStopped: false, showSandboxes: false }).map((r) => r.name)).toEqual(['web-10', 'web-2', 'db']);
    expect(filterContainers(rows, { text: '', showStopped: true, showSandboxes: true })).toHaveLength(5);
    expect(filterContainers(rows, { text: 'PROD api', showStopped: false, showSandboxes: true }).map((r) => r.name)).toEqual(['pause']);
  });

  it('shares: memory against its limit only; CPU against its limit, else the host', () => {
    expect(memoryShare(row('a', { memoryWorkingSetBytes: 50, memoryLimitBytes: 200 }))).toBe(0.25);
    expect(memoryShare(row('a', { memoryWorkingSetBytes: 50 }))).toBeNull();
    expect(cpuShare(row('a', { cpuCores: 0.5, cpuLimitCores: 0.5 }), 8)).toBe(1);
    expect(cpuShare(row('a', { cpuCores: 2 }), 8)).toBe(0.25);
    expect(cpuShare(row('a', { cpuCores: 2 }), null)).toBeNull();
  });

  it('keys and counts', () => {
    expect(containerKey({ container: 'api', pod: 'api-1', namespace: 'prod', image: 'x' })).toEqual({ container: 'api', pod: 'api-1', namespace: 'prod' });
    expect(counts(rows)).toEqual({ running: 3, paused: 1, stopped: 1, total: 5 });
  });
});
