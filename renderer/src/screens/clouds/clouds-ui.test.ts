// The cloud screens' pure parts: instance rows (filter, sort), the account
// form (the core's own schema decides), and the charts built from mappings.
import { describe, expect, it } from 'vitest';
import type { CloudInstanceRow } from '../../../../main/common/clouds';
import { translate } from '../../i18n/catalogue';
import { en } from '../../i18n/en';
import { cloudChartSpecs, fallbackTitle, productLabel } from './cloudDisplay';
import { checkCloudForm, emptyCloudForm } from './cloudForm';
import { filterCloudRows, isStaleRow, sortCloudRows } from './cloudRows';

const row = (over: Partial<CloudInstanceRow>): CloudInstanceRow => ({
  account: 'prod',
  provider: 'aliyun',
  region: 'cn-hangzhou',
  product: 'ecs',
  instanceId: 'i-1',
  name: null,
  cpu: null,
  memory: null,
  disk: null,
  diskLabel: null,
  networkRx: null,
  networkTx: null,
  lastT: null,
  ...over,
});

describe('cloud instance rows', () => {
  const rows = [
    row({ instanceId: 'i-10', name: 'web-10', cpu: 0.5, lastT: 1000 }),
    row({ instanceId: 'i-2', name: 'web-2', cpu: 0.9, lastT: 3000 }),
    row({ instanceId: 'lb-1', product: 'slb', networkRx: 10 }),
    row({ instanceId: 'ins-9', provider: 'tencent', account: 'gz', region: 'ap-guangzhou', name: '订单服务', cpu: 0.1 }),
  ];
  it('filter by every word over name, id, account, region and product', () => {
    expect(filterCloudRows(rows, { text: 'web', product: null }).map((r) => r.instanceId)).toEqual(['i-10', 'i-2']);
    expect(filterCloudRows(rows, { text: 'guangzhou 订单', product: null }).map((r) => r.instanceId)).toEqual(['ins-9']);
    expect(filterCloudRows(rows, { text: '', product: 'slb' }).map((r) => r.instanceId)).toEqual(['lb-1']);
  });
  it('sort naturally by name, missing values last both ways, newest data first for age', () => {
    expect(sortCloudRows(rows, 'name', 'asc').map((r) => r.instanceId)).toEqual(['lb-1', 'i-2', 'i-10', 'ins-9']);
    expect(sortCloudRows(rows, 'cpu', 'desc').map((r) => r.instanceId)).toEqual(['i-2', 'i-10', 'ins-9', 'lb-1']);
    expect(sortCloudRows(rows, 'cpu', 'asc').map((r) => r.instanceId)).toEqual(['ins-9', 'i-10', 'i-2', 'lb-1']);
    expect(sortCloudRows(rows, 'age', 'asc').map((r) => r.instanceId).slice(0, 2)).toEqual(['i-2', 'i-10']);
  });
  it('call an instance behind once its newest datapoint is older than a cloud’s normal lag allows', () => {
    expect(isStaleRow(row({ lastT: 0 }), 14 * 60_000)).toBe(false);
    expect(isStaleRow(row({ lastT: 0 }), 16 * 60_000)).toBe(true);
    expect(isStaleRow(row({ lastT: null }), 0)).toBe(true);
  });
});

describe('the account form', () => {
  it('builds the draft the contract takes, with Huawei’s project id per region', () => {
    const form = { ...emptyCloudForm('huawei'), name: 'hw', regions: 'cn-north-4，cn-east-3', accessKeyId: ' HPUAKEY123 ', accessKeySecret: 'sk-secret', projectIds: { 'cn-north-4': 'p4', 'cn-east-3': 'p3', 'cn-south-1': 'stale' }, intervalSeconds: '300' };
    const check = checkCloudForm(form, false);
    expect(check).toEqual({ ok: true, draft: expect.objectContaining({ name: 'hw', provider: 'huawei', regions: ['cn-north-4', 'cn-east-3'], accessKeyId: 'HPUAKEY123', projectIds: { 'cn-north-4': 'p4', 'cn-east-3': 'p3' }, intervalSeconds: 300, enabled: true }) });
  });
  it('marks each wrong field, and the keys only when adding', () => {
    const bad = checkCloudForm({ ...emptyCloudForm('huawei'), name: 'bad name', regions: 'cn-north-4', intervalSeconds: '90' }, false);
    expect(bad.ok).toBe(false);
    expect(Object.keys(bad.ok ? {} : bad.problems).sort()).toEqual(['accessKeyId', 'accessKeySecret', 'intervalSeconds', 'name', 'projectIds']);
    const edit = checkCloudForm({ ...emptyCloudForm('aliyun'), name: 'ali', regions: 'cn-hangzhou' }, true);
    expect(edit.ok).toBe(true);
  });
});

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
