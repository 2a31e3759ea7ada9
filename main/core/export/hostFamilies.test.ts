// What one scrape exports per host: which hosts count as fresh, which series
// are left out and why (with a bounded list of details), and that a host
// label value exported twice is exported once. The exporter's own tests
// cover the text these families become.
import { describe, expect, it } from 'vitest';
import type { RawSeries } from '../../common/series.js';
import { groupHostFamilies, hostIsFresh, type ExportedHost } from './hostFamilies.js';

const NOW = 1_800_000_000_000;
const GRACE = 120_000;
const load = (value: number): RawSeries => ({ name: 'node_load1', labels: {}, value, kind: 'gauge' });
const host = (name: string, series: RawSeries[], extra: Partial<ExportedHost> = {}): ExportedHost => ({ host: name, up: true, lastSampleAt: NOW, series, ...extra });
const group = (hosts: ExportedHost[]) => groupHostFamilies(hosts, { now: NOW, staleGraceMs: GRACE });

describe('hostIsFresh', () => {
  it('takes a sample exactly at the grace period as fresh, one a millisecond older as stale', () => {
    expect(hostIsFresh(host('a', []), NOW, GRACE)).toBe(true);
    expect(hostIsFresh(host('a', [], { lastSampleAt: NOW - GRACE }), NOW, GRACE)).toBe(true);
    expect(hostIsFresh(host('a', [], { lastSampleAt: NOW - GRACE - 1 }), NOW, GRACE)).toBe(false);
  });
  it('lets the source’s own `up` decide for a host that never delivered a sample', () => {
    expect(hostIsFresh(host('a', [], { lastSampleAt: undefined, up: true }), NOW, GRACE)).toBe(true);
    expect(hostIsFresh(host('a', [], { lastSampleAt: undefined, up: false }), NOW, GRACE)).toBe(false);
  });
});

describe('groupHostFamilies', () => {
  it('exports a host label value once: a second host with it is left out whole and said so', () => {
    const result = group([host('web-1', [load(1)]), host('web-1', [load(2)])]);
    expect(result.families.get('node_load1')?.values.map((v) => v.value)).toEqual([1]);
    expect(result.up).toHaveLength(1);
    expect(result.rejected).toEqual([{ host: 'web-1', name: '*', reason: 'duplicate host label value; only the first host with it is exported' }]);
    expect(result.rejectedCount).toBe(1);
  });

  it('names why a series is left out: its own host label, or a kind another host disagrees with', () => {
    const result = group([
      host('a', [{ name: 'node_load1', labels: { host: 'spoof' }, value: 1, kind: 'gauge' }, load(1)]),
      host('b', [{ name: 'node_load1', labels: {}, value: 2, kind: 'counter' }]),
    ]);
    expect(result.families.get('node_load1')?.values.map((v) => v.value)).toEqual([1]);
    expect(result.rejected).toEqual([
      { host: 'a', name: 'node_load1', reason: 'carries its own host label' },
      { host: 'b', name: 'node_load1', reason: 'is a counter here but a gauge on another host' },
    ]);
  });

  it('reports an invalid metric name once per scrape, however many hosts carry it', () => {
    const bad: RawSeries = { name: 'bad name', labels: {}, value: 1, kind: 'gauge' };
    const result = group([host('a', [bad, load(1)]), host('b', [bad, load(2)])]);
    expect(result.rejected).toEqual([{ host: 'a', name: 'bad name', reason: 'invalid metric name' }]);
    expect(result.rejectedCount).toBe(1);
    expect(result.families.get('node_load1')?.values).toHaveLength(2);
  });

  it('counts every series left out but keeps details of the first 50 only', () => {
    const hosts = Array.from({ length: 60 }, (_, i) => host(`h${i}`, [{ name: 'node_load1', labels: { '0bad': 'x' }, value: i, kind: 'gauge' }]));
    const result = group(hosts);
    expect(result.rejectedCount).toBe(60);
    expect(result.rejected).toHaveLength(50);
    expect(result.rejected[49]).toEqual({ host: 'h49', name: 'node_load1', reason: 'invalid label name "0bad"' });
  });
});
