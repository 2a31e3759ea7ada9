// The account form's draft is checked with the core's own schema.
import { describe, expect, it } from 'vitest';
import { checkCloudForm, emptyCloudForm } from './cloudForm';

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
