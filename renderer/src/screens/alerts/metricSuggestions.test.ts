import { describe, expect, it } from 'vitest';
import type { MetricChoiceView } from '../../../../main/common/contract';
import { metricSuggestions } from './metricSuggestions';

const choice = (name: string, unit: MetricChoiceView['unit'], series: number): MetricChoiceView => ({ name, unit, help: '', series, lastT: null });
const choices = [choice('host:cpu_usage:ratio', 'ratio', 3), choice('cloud_cpu_utilization_ratio', 'ratio', 4), choice('host:memory_used:bytes', 'bytes', 3), choice('node_load1', 'load', 0)];

describe('metricSuggestions', () => {
  it('offers metric names matching what is typed, with their units', () => {
    const s = metricSuggestions('cpu', choices, undefined);
    expect(s.map((x) => x.text)).toEqual(['host:cpu_usage:ratio', 'cloud_cpu_utilization_ratio']);
    expect(s[0]!.metric.unit).toBe('ratio');
    expect(metricSuggestions('', choices, undefined).map((x) => x.text)).toHaveLength(4);
  });

  it('once the name is known, offers its series by label value, the entity labels first', () => {
    const values = { mode: ['user'], host: ['db', 'web'] };
    expect(metricSuggestions('host:cpu_usage:ratio', choices, values).map((x) => x.text)).toEqual([
      'host:cpu_usage:ratio',
      'host:cpu_usage:ratio{host="db"}',
      'host:cpu_usage:ratio{host="web"}',
      'host:cpu_usage:ratio{mode="user"}',
    ]);
    expect(metricSuggestions('host:cpu_usage:ratio{host="w', choices, values).map((x) => x.text)).toEqual(['host:cpu_usage:ratio{host="web"}']);
  });

  it('offers every label before many values of one: an account is not hidden behind a hundred instances', () => {
    const values = { instance: Array.from({ length: 100 }, (_, i) => `i-${String(i).padStart(3, '0')}`), account: ['dev', 'prod'], region: ['cn-hangzhou'] };
    const s = metricSuggestions('cloud_cpu_utilization_ratio', choices, values, new Map(), 8).map((x) => x.label?.name ?? '(metric)');
    expect(s).toEqual(['(metric)', 'instance', 'instance', 'instance', 'instance', 'account', 'account', 'region']);
  });

  it('adds to the matchers already written and does not offer a label twice', () => {
    const values = { account: ['prod'], instance: ['i-1', 'i-2'] };
    const names = new Map([['prod/i-2', 'web-2']]);
    const s = metricSuggestions('cloud_cpu_utilization_ratio{account="prod", web-2', choices, values, names);
    expect(s.map((x) => [x.text, x.label?.display])).toEqual([['cloud_cpu_utilization_ratio{account="prod",instance="i-2"}', 'web-2']]);
  });

  it('offers nothing for a name it does not know once a brace is typed', () => {
    expect(metricSuggestions('nope{', choices, {})).toEqual([]);
  });
});
