import { describe, expect, it } from 'vitest';
import { translate } from '../../i18n/catalogue';
import { seriesInWords } from './seriesInWords';

const t = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate('en', key, params);

describe('seriesInWords', () => {
  it('names a series a chart draws by the chart and its legend label, and says which chart to open', () => {
    expect(seriesInWords({ name: 'host:cpu_mode:ratio', labels: { host: 'a', mode: 'user' } }, t)).toMatchObject({ title: 'CPU by mode', label: 'user', chart: 'cpu-mode', raw: 'host:cpu_mode:ratio{mode="user"}' });
    expect(seriesInWords({ name: 'node_load1', labels: { host: 'a' } }, t)).toMatchObject({ title: 'Load average', label: '1 min', chart: 'load' });
  });
  it('names the stat strip\'s series by their stat and opens the chart that shows them', () => {
    expect(seriesInWords({ name: 'host:cpu_usage:ratio', labels: { host: 'a' } }, t)).toMatchObject({ title: 'CPU', label: null, chart: 'cpu-mode' });
    expect(seriesInWords({ name: 'host:cpu_usage:ratio', labels: { host: 'a' } }, (k, p) => translate('zh-CN', k, p)).title).not.toBe('CPU usage');
  });
  it('keeps the name and label values of a series no chart draws, and never shows the host label', () => {
    expect(seriesInWords({ name: 'cloud_cpu_utilization_ratio', labels: { host: 'a', instance: 'i-1' } }, t)).toEqual({ title: 'cloud_cpu_utilization_ratio', label: 'i-1', chart: null, raw: 'cloud_cpu_utilization_ratio{instance="i-1"}' });
  });
});
