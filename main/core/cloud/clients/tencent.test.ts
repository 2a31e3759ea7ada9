// The real tencentcloud-sdk-nodejs-monitor SDK against the local Monitor
// emulator, which recomputes every TC3-HMAC-SHA256 signature.
import { expectCloudError } from '../../../testing/expectCloudError.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startTencentMonitorEmulator, tencentInstanceIds } from '../../../testing/cloudEmulators/tencentMonitorEmulator.js';
import { syntheticValue } from '../../../testing/cloudEmulators/emulatedFleet.js';
import type { RunningEmulator } from '../../../testing/cloudEmulators/emulatorServer.js';
import { TencentMonitorClient } from './tencent.js';

const KEY = { accessKeyId: 'AKIDemulator0000000000', accessKeySecret: 'emulator-secret-tencent' };
const END = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
const START = END - 10 * 60_000;
const QUERY = { namespace: 'QCE/CVM', metricName: 'CPUUsage', periodSeconds: 60, startMs: START, endMs: END };

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});


describe('Tencent Monitor client against the emulator', () => {
  it('returns every instance × timestamp, 10 instances per call', async () => {
    emulator = await startTencentMonitorEmulator({ secretId: KEY.accessKeyId, secretKey: KEY.accessKeySecret, instanceCount: 35 });
    const client = new TencentMonitorClient({ ...KEY, region: 'ap-guangzhou', endpoint: emulator.endpoint });
    const points = await client.fetchMetricData({ ...QUERY, instanceIds: tencentInstanceIds(35) });
    expect(points).toHaveLength(35 * 10);
    const sample = points[123]!;
    expect(sample.value).toBe(syntheticValue(sample.instanceId, 'CPUUsage', sample.t));
    expect(emulator.stats.requests).toBe(4);
    expect(emulator.stats.accepted).toBe(4);
    expect(emulator.stats.signatureMismatches).toBe(0);
  });

  it('maps a wrong SecretKey (HTTP 200 + Error) to credentials_rejected after a recomputed mismatch', async () => {
    emulator = await startTencentMonitorEmulator({ secretId: KEY.accessKeyId, secretKey: KEY.accessKeySecret, instanceCount: 3 });
    const client = new TencentMonitorClient({ ...KEY, accessKeySecret: 'wrong', region: 'ap-guangzhou', endpoint: emulator.endpoint });
    const error = await expectCloudError(client.fetchMetricData({ ...QUERY, instanceIds: tencentInstanceIds(3) }));
    expect(error).toMatchObject({ kind: 'credentials_rejected', code: 'AuthFailure.SignatureFailure' });
    expect(emulator.stats.signatureMismatches).toBe(1);
    expect(emulator.stats.unknownKeys).toBe(0);
  });

  it('maps an unknown SecretId to AuthFailure.SecretIdNotFound', async () => {
    emulator = await startTencentMonitorEmulator({ secretId: KEY.accessKeyId, secretKey: KEY.accessKeySecret, instanceCount: 3 });
    const client = new TencentMonitorClient({ ...KEY, accessKeyId: 'AKIDother', region: 'ap-guangzhou', endpoint: emulator.endpoint });
    const error = await expectCloudError(client.fetchMetricData({ ...QUERY, instanceIds: tencentInstanceIds(3) }));
    expect(error).toMatchObject({ kind: 'credentials_rejected', code: 'AuthFailure.SecretIdNotFound' });
    expect(emulator.stats.unknownKeys).toBe(1);
  });

  it('gets the real parameter error for 11 instances in one call', async () => {
    emulator = await startTencentMonitorEmulator({ secretId: KEY.accessKeyId, secretKey: KEY.accessKeySecret, instanceCount: 11 });
    const client = new TencentMonitorClient({ ...KEY, region: 'ap-guangzhou', endpoint: emulator.endpoint });
    const error = await expectCloudError(client.fetchMetricData({ ...QUERY, instanceIds: tencentInstanceIds(11), instancesPerCall: 11 }));
    expect(error).toMatchObject({ kind: 'invalid_request', code: 'InvalidParameterValue' });
    expect(emulator.stats.batchRejected).toBe(1);
  });

  it('maps RequestLimitExceeded to throttled', async () => {
    emulator = await startTencentMonitorEmulator({ secretId: KEY.accessKeyId, secretKey: KEY.accessKeySecret, instanceCount: 40, qps: 2 });
    const client = new TencentMonitorClient({ ...KEY, region: 'ap-guangzhou', endpoint: emulator.endpoint });
    const error = await expectCloudError(client.fetchMetricData({ ...QUERY, instanceIds: tencentInstanceIds(40) }));
    expect(error).toMatchObject({ kind: 'throttled', code: 'RequestLimitExceeded' });
    expect(emulator.stats.throttled).toBeGreaterThanOrEqual(1);
  });

  it('maps a closed port to network', async () => {
    emulator = await startTencentMonitorEmulator({ secretId: KEY.accessKeyId, secretKey: KEY.accessKeySecret, instanceCount: 1 });
    const endpoint = emulator.endpoint;
    await emulator.close();
    emulator = undefined;
    const client = new TencentMonitorClient({ ...KEY, region: 'ap-guangzhou', endpoint });
    const error = await expectCloudError(client.fetchMetricData({ ...QUERY, instanceIds: tencentInstanceIds(1) }));
    expect(error.kind).toBe('network');
  });

  it('lists CVM, CLB (with VIPs) and CDB instances through the SDK, page by page', async () => {
    emulator = await startTencentMonitorEmulator({ secretId: KEY.accessKeyId, secretKey: KEY.accessKeySecret, products: { ecs: 230, slb: 3, rds: 2 } });
    const client = new TencentMonitorClient({ ...KEY, region: 'ap-guangzhou', endpoint: emulator.endpoint });
    const first = await client.listInstances('cvm', 0);
    const last = await client.listInstances('cvm', 200);
    expect(first).toMatchObject({ total: 230 });
    expect(first.instances).toHaveLength(100);
    expect(last.instances).toHaveLength(30);
    expect(first.instances[0]).toEqual({ id: 'ins-emu000000', name: 'app-ap-guangzhou-001' });
    const clb = await client.listInstances('clb', 0);
    expect(clb.instances[2]).toEqual({ id: 'lb-emu000002', name: 'lb-ap-guangzhou-003', vip: '10.100.0.3' });
    const cdb = await client.listInstances('cdb', 0);
    expect(cdb.instances.map((i) => i.id)).toEqual(['cdb-emu000000', 'cdb-emu000001']);
    expect(emulator.stats.byAction).toEqual({ DescribeInstances: 2, DescribeLoadBalancers: 1, DescribeDBInstances: 1 });
    expect(emulator.stats.signatureMismatches).toBe(0);
  });

  it('reads a namespace’s metrics from DescribeBaseMetrics and asks for max/min through SpecifyStatistics', async () => {
    emulator = await startTencentMonitorEmulator({ secretId: KEY.accessKeyId, secretKey: KEY.accessKeySecret, instanceCount: 2 });
    const client = new TencentMonitorClient({ ...KEY, region: 'ap-guangzhou', endpoint: emulator.endpoint });
    const metrics = await client.describeBaseMetrics('QCE/CVM');
    expect(metrics.map((m) => m.metricName)).toEqual(expect.arrayContaining(['CPUUsage', 'MemUsage', 'LanIntraffic']));
    const [series] = await client.getMonitorData({ namespace: 'QCE/CVM', metricName: 'CPUUsage', periodSeconds: 60, startMs: START, endMs: END, instances: [{ InstanceId: tencentInstanceIds(1)[0]! }], statistics: ['avg', 'max'] });
    expect(series!.timestamps).toHaveLength(10);
    expect(series!.max![0]).toBeGreaterThan(series!.avg![0]!);
    expect(series!.min).toBeUndefined();
  });

  it('refuses more than 1,440 datapoints in one call', async () => {
    emulator = await startTencentMonitorEmulator({ secretId: KEY.accessKeyId, secretKey: KEY.accessKeySecret, instanceCount: 10 });
    const client = new TencentMonitorClient({ ...KEY, region: 'ap-guangzhou', endpoint: emulator.endpoint });
    const error = await expectCloudError(client.fetchMetricData({ ...QUERY, startMs: END - 3 * 3600_000, instanceIds: tencentInstanceIds(10) }));
    expect(error).toMatchObject({ kind: 'invalid_request', code: 'InvalidParameterValue' });
    expect(emulator.stats.batchRejected).toBe(1);
  });
});
