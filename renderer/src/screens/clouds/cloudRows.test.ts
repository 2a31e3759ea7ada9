import { describe, expect, it } from 'vitest';
import type { CloudInstanceRow } from '../../../../main/common/clouds';
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
