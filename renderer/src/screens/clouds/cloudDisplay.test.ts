import { describe, expect, it } from 'vitest';
import { en, translate } from '../../i18n/catalogue';
import { cloudChartSpecs, fallbackTitle, instanceStateText, productLabel } from './cloudDisplay';

describe('cloud charts', () => {
  const t = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate('en', key, params);
  const metrics = ['cloud_cpu_utilization_ratio', 'cloud_network_receive_bytes_per_second', 'cloud_network_transmit_bytes_per_second', 'cloud_redis_hits_ratio'];
  const specs = cloudChartSpecs(metrics, { account: 'prod', region: 'cn-hangzhou', product: 'ecs', instanceId: 'i-1' });

  it('draw received and sent together, and every other metric alone, selecting the instance by all its labels', () => {
    expect(specs.map((s) => s.key)).toEqual(['cloud:cloud_cpu_utilization_ratio', 'cloud:cloud_network_receive_bytes_per_second', 'cloud:cloud_redis_hits_ratio']);
    expect(specs[1]!.selectors('ignored').map((s) => s.name)).toEqual(['cloud_network_receive_bytes_per_second', 'cloud_network_transmit_bytes_per_second']);
    expect(specs[0]!.selectors('ignored')[0]!.matchers).toEqual([
      { label: 'account', op: '=', value: 'prod' },
      { label: 'region', op: '=', value: 'cn-hangzhou' },
      { label: 'product', op: '=', value: 'ecs' },
      { label: 'instance', op: '=', value: 'i-1' },
    ]);
    expect(specs[0]!.yMax).toBe(1);
  });
  it('title known metrics from the catalogue and unknown ones from their name', () => {
    expect(t(specs[0]!.titleKey)).toBe('CPU');
    expect(t(specs[1]!.titleKey)).toBe('Network (private)');
    expect(specs[2]!.title).toBe('Redis hits');
    expect(fallbackTitle('cloud_lb_new_connections_per_second')).toBe('Lb new connections');
  });
  it('label series by direction and sub-dimension', () => {
    const d = specs[1]!.describe({ name: 'cloud_network_transmit_bytes_per_second', labels: { account: 'prod', instance: 'i-1' }, tier: 'raw', stepMs: 60_000, points: [] }, t);
    expect(d.label).toBe('Sent');
    const disk = cloudChartSpecs(['cloud_filesystem_used_ratio'], { account: 'a', region: 'r', product: 'ecs', instanceId: 'i' })[0]!;
    expect(disk.describe({ name: 'cloud_filesystem_used_ratio', labels: { account: 'a', device: '/dev/vdb1' }, tier: 'raw', stepMs: 60_000, points: [] }, t).label).toBe('/dev/vdb1');
  });
  it('name the shipped products in both languages', () => {
    expect(productLabel('rds', t)).toBe('Databases');
    expect(productLabel('rds', (k) => translate('zh-CN', k))).toBe('云数据库');
    expect(productLabel('redis', t)).toBe('redis');
    expect(en['cloud.product.ecs']).toBe('Virtual machines');
  });
});

describe('instanceStateText', () => {
  it('says a cloud state in the UI language, and keeps a word no cloud documents', () => {
    expect(instanceStateText('ACTIVE', (k) => translate('zh-CN', k))).toBe('运行中');
    expect(instanceStateText('Stopped', (k) => translate('en', k))).toBe('Stopped');
    expect(instanceStateText('SHUTOFF', (k) => translate('en', k))).toBe('Stopped');
    expect(instanceStateText('Hibernating', (k) => translate('zh-CN', k))).toBe('Hibernating');
  });
});
