// The official ECS SDKs (@alicloud/ecs20140526, @huaweicloud/huaweicloud-sdk-ecs)
// against the emulators, which recompute every signature: instance names and
// facts listed page by page, a wrong secret, throttling, and a key whose
// policy allows monitoring but not the instance list.
import { afterEach, describe, expect, it } from 'vitest';
import { startAliyunCmsEmulator } from '../../../testing/cloudEmulators/aliyunCmsEmulator.js';
import type { RunningEmulator } from '../../../testing/cloudEmulators/emulatorServer.js';
import { startHuaweiCesEmulator } from '../../../testing/cloudEmulators/huaweiCesEmulator.js';
import { ALIYUN_ECS_PAGE, AliyunEcsClient } from './aliyunEcs.js';
import { expectCloudError } from '../../../testing/expectCloudError.js';
import { HUAWEI_ECS_PAGE, HuaweiEcsClient, huaweiPrivateIp } from './huaweiEcs.js';
import { cleanInstanceName, INSTANCE_NAME_MAX, listedInstance } from './listedInstance.js';

const ALI = { accessKeyId: 'LTAI5tEmulatorKey', accessKeySecret: 'emulator-secret-aliyun' };
const HW = { accessKey: 'HPUAEMULATORKEY0000', secretKey: 'emulator-secret-huawei', projectId: '0f1e2d3c4b5a69788796a5b4c3d2e1f0' };

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

describe('instance names as the clouds give them', () => {
  it('keeps CJK, emoji and long names, drops control and direction-override characters, and turns blank into none', () => {
    expect(cleanInstanceName('生产-数据库-主')).toBe('生产-数据库-主');
    expect(cleanInstanceName('web 🚀 01')).toBe('web 🚀 01');
    expect(cleanInstanceName('  a\tb\n c  ')).toBe('a b c');
    expect(cleanInstanceName('evil\u202Egnp.exe')).toBe('evilgnp.exe');
    expect(cleanInstanceName('\u0007\u0000')).toBeUndefined();
    expect(cleanInstanceName('')).toBeUndefined();
    expect(cleanInstanceName(42)).toBeUndefined();
    const long = cleanInstanceName('长'.repeat(1000))!;
    expect([...long]).toHaveLength(INSTANCE_NAME_MAX);
    expect(long.endsWith('…')).toBe(true);
    expect(listedInstance({ id: 'i-1', name: '  ', privateIp: '10.0.0.1', instanceType: 'ecs.g7.large', status: 'Running' })).toEqual({ id: 'i-1', privateIp: '10.0.0.1', instanceType: 'ecs.g7.large', status: 'Running' });
    expect(listedInstance({ id: '', name: 'x' })).toBeUndefined();
    expect(listedInstance({ id: 'i-2', privateIp: '10.0.0.1; rm -rf /' })).toEqual({ id: 'i-2' });
  });

  it('takes a Huawei server’s first fixed IPv4 address as its private address', () => {
    expect(huaweiPrivateIp({ net: [{ version: '6', addr: 'fe80::1', 'OS-EXT-IPS:type': 'fixed' }, { version: '4', addr: '1.2.3.4', 'OS-EXT-IPS:type': 'floating' }, { version: '4', addr: '192.168.0.8', 'OS-EXT-IPS:type': 'fixed' }] })).toBe('192.168.0.8');
    expect(huaweiPrivateIp(undefined)).toBeUndefined();
  });
});

describe('Alibaba ECS DescribeInstances through the official SDK', () => {
  it('lists every instance with name, private IP, type and status, 100 a page by NextToken', async () => {
    emulator = await startAliyunCmsEmulator({ ...ALI, instanceCount: 250 });
    const client = new AliyunEcsClient({ ...ALI, region: 'cn-hangzhou', endpoint: emulator.endpoint });
    const all = await client.listAll();
    expect(all).toHaveLength(250);
    expect(new Set(all.map((i) => i.id)).size).toBe(250);
    const first = all[0]!;
    expect(first).toEqual({ id: 'i-bp1emu000000', name: 'app-cn-hangzhou-001', privateIp: '172.16.0.2', instanceType: 'ecs.g7.large', status: 'Running' });
    expect(all.filter((i) => i.status === 'Stopped').map((i) => i.id).slice(0, 2)).toEqual(['i-bp1emu000012', 'i-bp1emu000025']);
    expect(emulator.stats.byAction.DescribeInstances).toBe(Math.ceil(250 / ALIYUN_ECS_PAGE));
    expect(emulator.stats.signatureMismatches).toBe(0);
  });

  it('a renamed instance is listed under its new name', async () => {
    emulator = await startAliyunCmsEmulator({ ...ALI, instanceCount: 3 });
    emulator.fleet!.rename('cn-hangzhou', 'i-bp1emu000001', '订单服务 🧾');
    const all = await new AliyunEcsClient({ ...ALI, region: 'cn-hangzhou', endpoint: emulator.endpoint }).listAll();
    expect(all.map((i) => i.name)).toEqual(['app-cn-hangzhou-001', '订单服务 🧾', 'app-cn-hangzhou-003']);
  });

  it('a wrong secret is credentials_rejected (the signature recomputed and found different)', async () => {
    emulator = await startAliyunCmsEmulator({ ...ALI, instanceCount: 3 });
    const error = await expectCloudError(new AliyunEcsClient({ ...ALI, accessKeySecret: 'wrong', region: 'cn-hangzhou', endpoint: emulator.endpoint }).listAll());
    expect([error.kind, error.code]).toEqual(['credentials_rejected', 'SignatureDoesNotMatch']);
    expect(emulator.stats.signatureMismatches).toBe(1);
  });

  it('throttling is the ECS Throttling code, classified as throttled', async () => {
    emulator = await startAliyunCmsEmulator({ ...ALI, instanceCount: 3 });
    emulator.faults.throttleNext(1, 'DescribeInstances');
    const error = await expectCloudError(new AliyunEcsClient({ ...ALI, region: 'cn-hangzhou', endpoint: emulator.endpoint }).listAll());
    expect([error.kind, error.code]).toEqual(['throttled', 'Throttling']);
  });

  it('a RAM user without ecs:DescribeInstances gets an empty list, and the dry run says Forbidden.RAM; with the right it says allowed', async () => {
    emulator = await startAliyunCmsEmulator({ ...ALI, instanceCount: 3 });
    const client = new AliyunEcsClient({ ...ALI, region: 'cn-hangzhou', endpoint: emulator.endpoint });
    expect(await client.mayDescribeInstances()).toBe(true);
    emulator.faults.deny('DescribeInstances');
    expect(await client.listAll()).toEqual([]);
    const error = await expectCloudError(client.mayDescribeInstances());
    expect([error.kind, error.code, error.httpStatus]).toEqual(['permission_denied', 'Forbidden.RAM', 403]);
  });
});

describe('Huawei ECS ListServersDetails through the official SDK', () => {
  it('lists every server with name, private IP, flavor and status, by marker, 1000 a page', async () => {
    emulator = await startHuaweiCesEmulator({ ...HW, instanceCount: 1200 });
    const client = new HuaweiEcsClient({ accessKeyId: HW.accessKey, accessKeySecret: HW.secretKey, projectId: HW.projectId, region: 'cn-north-4', endpoint: emulator.endpoint });
    const all = await client.listAll();
    expect(all).toHaveLength(1200);
    expect(new Set(all.map((i) => i.id)).size).toBe(1200);
    expect(all[0]).toEqual({ id: '00000000-0000-4000-8000-000000000000', name: 'app-cn-north-4-001', privateIp: '172.16.0.2', instanceType: 's6.large.2', status: 'ACTIVE' });
    expect(emulator.stats.byAction.ListServersDetails).toBe(Math.ceil(1200 / HUAWEI_ECS_PAGE));
    expect(emulator.stats.signatureMismatches).toBe(0);
  });

  it('pages of a smaller limit end when count is reached, without an empty extra page', async () => {
    emulator = await startHuaweiCesEmulator({ ...HW, instanceCount: 50 });
    const client = new HuaweiEcsClient({ accessKeyId: HW.accessKey, accessKeySecret: HW.secretKey, projectId: HW.projectId, region: 'cn-north-4', endpoint: emulator.endpoint });
    expect(await client.listAll(25)).toHaveLength(50);
    expect(emulator.stats.byAction.ListServersDetails).toBe(2);
  });

  it('a wrong secret is APIGW.0301, a throttled call APIGW.0308, an IAM user without ecs:cloudServers:list Ecs.0003', async () => {
    emulator = await startHuaweiCesEmulator({ ...HW, instanceCount: 3 });
    const creds = { accessKeyId: HW.accessKey, accessKeySecret: HW.secretKey, projectId: HW.projectId, region: 'cn-north-4', endpoint: emulator.endpoint };
    const wrong = await expectCloudError(new HuaweiEcsClient({ ...creds, accessKeySecret: 'wrong' }).listAll());
    expect([wrong.kind, wrong.code]).toEqual(['credentials_rejected', 'APIGW.0301']);
    expect(emulator.stats.signatureMismatches).toBe(1);
    emulator.faults.throttleNext(1, 'ListServersDetails');
    const throttled = await expectCloudError(new HuaweiEcsClient(creds).listAll());
    expect([throttled.kind, throttled.code]).toEqual(['throttled', 'APIGW.0308']);
    emulator.faults.deny('ListServersDetails');
    const denied = await expectCloudError(new HuaweiEcsClient(creds).listAll());
    expect([denied.kind, denied.code, denied.httpStatus]).toEqual(['permission_denied', 'Ecs.0003', 403]);
  });
});
