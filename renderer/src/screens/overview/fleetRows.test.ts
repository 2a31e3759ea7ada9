import { describe, expect, it } from 'vitest';
import type { Host, HostSummary } from '../../../../main/common/contract';
import { buildFleetRows, filterRows, groupRows, sortRows } from './fleetRows';

const host = (id: string, status: Host['status'], tags: string[] = []): Host => ({ id, name: id, kind: 'ssh', status, pollIntervalMs: 5000, tags, provisioned: true });
const summary = (hostId: string, cpu: number | null, mem: number | null): HostSummary => ({
  hostId, t: 1, cpuUsage: cpu, cpus: 4, load1: cpu === null ? null : cpu * 4, load5: null, load15: null,
  memoryUsed: mem, memoryTotal: mem === null ? null : 100, swapUsed: null, swapTotal: null, fullestMount: '/', fullestMountUsage: 0.5,
  networkRxRate: 10, networkTxRate: 5, diskReadRate: null, diskWriteRate: null, uptimeSeconds: null,
});

const hosts = [host('web-10', 'online', ['web']), host('web-2', 'offline', ['web', 'eu']), host('db-1', 'online', ['db']), host('cache', 'stale')];
const rows = buildFleetRows(
  hosts,
  { 'web-10': summary('web-10', 0.9, 20), 'web-2': summary('web-2', 0.1, 80), 'db-1': summary('db-1', 0.5, null) },
  [{ hostId: 'old', lastSampleAt: 5, summary: summary('old', 0.3, 30) }, { hostId: 'db-1', lastSampleAt: 5, summary: summary('db-1', 0, 0) }],
  { 'web-2': 2 },
);
const names = (rs: { name: string }[]) => rs.map((r) => r.name);

describe('fleet rows', () => {
  it('merge watched and history-only hosts, never twice', () => {
    expect(names(rows)).toEqual(['web-10', 'web-2', 'db-1', 'cache', 'old']);
    expect(rows.find((r) => r.id === 'old')).toMatchObject({ status: 'not_configured', configured: false, cpu: 0.3 });
    expect(rows.find((r) => r.id === 'web-2')!.alerts).toBe(2);
  });
  it('filter by text (all words), tag and status', () => {
    expect(names(filterRows(rows, { text: 'web', tag: null, status: 'all' }))).toEqual(['web-10', 'web-2']);
    expect(names(filterRows(rows, { text: 'web eu', tag: null, status: 'all' }))).toEqual(['web-2']);
    expect(names(filterRows(rows, { text: '', tag: 'db', status: 'all' }))).toEqual(['db-1']);
    expect(names(filterRows(rows, { text: '', tag: null, status: 'problems' }))).toEqual(['web-2', 'cache']);
    expect(names(filterRows(rows, { text: '', tag: null, status: 'not_configured' }))).toEqual(['old']);
  });
  it('sort by any column, natural names, missing values last both ways', () => {
    expect(names(sortRows(rows, 'name', 'asc'))).toEqual(['cache', 'db-1', 'old', 'web-2', 'web-10']);
    expect(names(sortRows(rows, 'cpu', 'desc'))).toEqual(['web-10', 'db-1', 'old', 'web-2', 'cache']);
    expect(names(sortRows(rows, 'cpu', 'asc'))).toEqual(['web-2', 'old', 'db-1', 'web-10', 'cache']);
    expect(names(sortRows(rows, 'memory', 'desc')).slice(-2)).toEqual(['cache', 'db-1']);
    expect(names(sortRows(rows, 'alerts', 'desc'))[0]).toBe('web-2');
    expect(names(sortRows(rows, 'status', 'desc'))[0]).toBe('web-2');
  });
  it('sort by anomaly rate: most unusual first, hosts with nothing scored last both ways', () => {
    const withRates = buildFleetRows(hosts, {}, [], {}, {
      'web-10': { rate: 0.05, flagged: 1, scored: 20 },
      'db-1': { rate: 0.4, flagged: 8, scored: 20 },
      cache: { rate: 0, flagged: 0, scored: 0 },
      'web-2': { rate: 0, flagged: 0, scored: 12 },
    });
    expect(withRates.find((r) => r.id === 'cache')!.anomalyRate).toBeNull();
    expect(names(sortRows(withRates, 'unusual', 'desc'))).toEqual(['db-1', 'web-10', 'web-2', 'cache']);
    expect(names(sortRows(withRates, 'unusual', 'asc'))).toEqual(['web-2', 'web-10', 'db-1', 'cache']);
  });
  it('group by tag, untagged last, collapsible', () => {
    const items = groupRows(sortRows(rows, 'name', 'asc'), true, new Set(['web']));
    expect(items.map((i) => (i.kind === 'group' ? `[${i.tag ?? '-'} ${i.count}]` : i.row.name))).toEqual([
      '[db 1]', 'db-1', '[eu 1]', 'web-2', '[web 2]', '[- 2]', 'cache', 'old',
    ]);
  });
});
