import { describe, expect, it } from 'vitest';
import { metricChoices } from './metrics.js';

describe('metricChoices', () => {
  it('offers what the store holds first, with units and counts, then catalogue names without series, never counters', () => {
    const choices = metricChoices([
      { name: 'node_load1', series: 3, lastT: 5 },
      { name: 'cloud_cpu_utilization_ratio', series: 12, lastT: 9 },
      { name: 'some_custom_gauge', series: 1 },
    ]);
    expect(choices.slice(0, 3)).toEqual([
      { name: 'cloud_cpu_utilization_ratio', unit: 'ratio', help: 'cpu utilization ratio', series: 12, lastT: 9 },
      { name: 'node_load1', unit: 'load', help: '1m load average.', series: 3, lastT: 5 },
      { name: 'some_custom_gauge', unit: 'count', help: '', series: 1, lastT: null },
    ]);
    const rest = choices.slice(3);
    expect(rest.every((c) => c.series === 0)).toBe(true);
    expect(rest.map((c) => c.name)).toContain('host:memory_used:ratio');
    expect(rest.some((c) => c.name.endsWith('_total'))).toBe(false);
    expect(rest.map((c) => c.name)).not.toContain('node_load1');
  });
});
