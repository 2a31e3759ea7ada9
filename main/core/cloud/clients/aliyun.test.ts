// The real @alicloud/cms20190101 SDK against the local CMS emulator, which
// recomputes every ACS3-HMAC-SHA256 signature.
import { expectCloudError } from '../../../testing/expectCloudError.js';
import { afterEach, describe, expect, it } from 'vitest';
import { aliyunInstanceIds, startAliyunCmsEmulator } from '../../../testing/cloudEmulators/aliyunCmsEmulator.js';
import type { RunningEmulator } from '../../../testing/cloudEmulators/emulatorServer.js';
import { syntheticValue } from '../../../testing/cloudEmulators/emulatedFleet.js';
import { AliyunCmsClient, parseAliyunDatapoints } from './aliyun.js';

const KEY = { accessKeyId: 'LTAI5tEmulatorKey', accessKeySecret: 'emulator-secret-aliyun' };
const PERIOD = 60;
const END = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
const START = END - 10 * 60_000;

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});


describe('Alibaba CMS client against the emulator', () => {
  it('returns every instance × timestamp with the emulator values (happy path, batched by 50)', async () => {
    emulator = await startAliyunCmsEmulator({ ...KEY, instanceCount: 120 });
    const client = new AliyunCmsClient({ ...KEY, region: 'cn-hangzhou', endpoint: emulator.endpoint });
    const ids = aliyunInstanceIds(120);
    const points = await client.fetchMetricData({ namespace: 'acs_ecs_dashboard', metricName: 'CPUUtilization', instanceIds: ids, periodSeconds: PERIOD, startMs: START, endMs: END });
    expect(points).toHaveLength(120 * 10);
    expect(new Set(points.map((p) => p.instanceId)).size).toBe(120);
    const sample = points[37]!;
    expect(sample.metric).toBe('CPUUtilization');
    expect(sample.value).toBe(syntheticValue(sample.instanceId, 'CPUUtilization', sample.t));
    expect(emulator.stats.requests).toBe(3); // ceil(120 / 50)
    expect(emulator.stats.signatureMismatches).toBe(0);
  });

  it('maps a wrong secret to credentials_rejected after the emulator recomputed a different signature', async () => {
    emulator = await startAliyunCmsEmulator({ ...KEY, instanceCount: 5 });
    const client = new AliyunCmsClient({ ...KEY, accessKeySecret: 'wrong-secret', region: 'cn-hangzhou', endpoint: emulator.endpoint });
    const error = await expectCloudError(client.fetchMetricData({ namespace: 'acs_ecs_dashboard', metricName: 'CPUUtilization', instanceIds: aliyunInstanceIds(5), periodSeconds: PERIOD, startMs: START, endMs: END }));
    expect(error.kind).toBe('credentials_rejected');
    expect(error.code).toBe('SignatureDoesNotMatch');
    expect(emulator.stats.signatureMismatches).toBe(1);
    expect(emulator.stats.unknownKeys).toBe(0);
  });

  it('maps an unknown AccessKey ID to credentials_rejected with InvalidAccessKeyId.NotFound', async () => {
    emulator = await startAliyunCmsEmulator({ ...KEY, instanceCount: 5 });
    const client = new AliyunCmsClient({ ...KEY, accessKeyId: 'LTAI5tSomeoneElse', region: 'cn-hangzhou', endpoint: emulator.endpoint });
    const error = await expectCloudError(client.fetchMetricData({ namespace: 'acs_ecs_dashboard', metricName: 'CPUUtilization', instanceIds: aliyunInstanceIds(5), periodSeconds: PERIOD, startMs: START, endMs: END }));
    expect(error).toMatchObject({ kind: 'credentials_rejected', code: 'InvalidAccessKeyId.NotFound', httpStatus: 404 });
    expect(emulator.stats.unknownKeys).toBe(1);
  });

  it('gets the real parameter error when a call carries more than 50 instances', async () => {
    emulator = await startAliyunCmsEmulator({ ...KEY, instanceCount: 60 });
    const client = new AliyunCmsClient({ ...KEY, region: 'cn-hangzhou', endpoint: emulator.endpoint });
    const error = await expectCloudError(client.fetchMetricData({ namespace: 'acs_ecs_dashboard', metricName: 'CPUUtilization', instanceIds: aliyunInstanceIds(51), periodSeconds: PERIOD, startMs: START, endMs: END, dimensionsPerCall: 51 }));
    expect(error).toMatchObject({ kind: 'invalid_request', code: 'InvalidParameter', httpStatus: 400 });
    expect(emulator.stats.batchRejected).toBe(1);
  });

  it('maps Throttling.User to throttled once the per-second quota is spent', async () => {
    emulator = await startAliyunCmsEmulator({ ...KEY, instanceCount: 200, qps: 2 });
    const client = new AliyunCmsClient({ ...KEY, region: 'cn-hangzhou', endpoint: emulator.endpoint });
    // 200 instances = 4 calls in a burst against a quota of 2/s.
    const error = await expectCloudError(client.fetchMetricData({ namespace: 'acs_ecs_dashboard', metricName: 'CPUUtilization', instanceIds: aliyunInstanceIds(200), periodSeconds: PERIOD, startMs: START, endMs: END }));
    expect(error).toMatchObject({ kind: 'throttled', code: 'Throttling.User' });
    expect(emulator.stats.throttled).toBeGreaterThanOrEqual(1);
  });

  it('follows NextToken until every page is read', async () => {
    emulator = await startAliyunCmsEmulator({ ...KEY, instanceCount: 50, defaultPageLength: 1000 });
    const client = new AliyunCmsClient({ ...KEY, region: 'cn-hangzhou', endpoint: emulator.endpoint });
    // 50 instances × 60 one-minute points = 3000 datapoints = 3 pages of 1000 in one batch.
    const points = await client.fetchMetricData({ namespace: 'acs_ecs_dashboard', metricName: 'CPUUtilization', instanceIds: aliyunInstanceIds(50), periodSeconds: PERIOD, startMs: END - 60 * 60_000, endMs: END });
    expect(points).toHaveLength(3000);
    expect(new Set(points.map((p) => `${p.instanceId}@${p.t}`)).size).toBe(3000);
    expect(emulator.stats.requests).toBe(3);
  });

  it('parses the Datapoints JSON string and rejects a malformed one with a clear error', () => {
    const raw = JSON.stringify([{ timestamp: 1_700_000_000_000, instanceId: 'i-1', Average: 12.5, Maximum: 20 }]);
    expect(parseAliyunDatapoints(raw, 'CPUUtilization', 'Maximum')).toEqual([{ instanceId: 'i-1', metric: 'CPUUtilization', t: 1_700_000_000_000, value: 20 }]);
    expect(() => parseAliyunDatapoints('[{"timestamp":', 'm', 'Average')).toThrow(/not valid JSON/);
  });

  it('maps a closed port to network', async () => {
    emulator = await startAliyunCmsEmulator({ ...KEY, instanceCount: 1 });
    const endpoint = emulator.endpoint;
    await emulator.close();
    emulator = undefined;
    const client = new AliyunCmsClient({ ...KEY, region: 'cn-hangzhou', endpoint });
    const error = await expectCloudError(client.fetchMetricData({ namespace: 'acs_ecs_dashboard', metricName: 'CPUUtilization', instanceIds: ['i-1'], periodSeconds: PERIOD, startMs: START, endMs: END }));
    expect(error.kind).toBe('network');
  });

  it('lists every reporting instance from DescribeMetricLast, page by page, with per-device rows for disk metrics', async () => {
    emulator = await startAliyunCmsEmulator({ ...KEY, instanceCount: 2500 });
    const client = new AliyunCmsClient({ ...KEY, region: 'cn-hangzhou', endpoint: emulator.endpoint });
    const ids = new Set<string>();
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.describeMetricLast({ namespace: 'acs_ecs_dashboard', metricName: 'CPUUtilization', periodSeconds: 60, length: 1000, ...(nextToken ? { nextToken } : {}) });
      for (const row of page.rows) ids.add(String(row.instanceId));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    expect(ids.size).toBe(2500);
    expect(pages).toBe(3);
    // Every 10th instance runs without the CloudMonitor agent, so it reports no disk usage; odd ones have two disks.
    const disks = await client.describeMetricList({ namespace: 'acs_ecs_dashboard', metricName: 'diskusage_utilization', dimensions: [{ instanceId: aliyunInstanceIds(2)[1]! }, { instanceId: aliyunInstanceIds(10)[9]! }], periodSeconds: PERIOD, startMs: END - 60_000, endMs: END });
    expect(disks.rows.map((r) => [r.instanceId, r.device])).toEqual([[aliyunInstanceIds(2)[1], '/dev/vda1'], [aliyunInstanceIds(2)[1], '/dev/vdb1']]);
  });

  it('reads what a namespace offers from DescribeMetricMetaList', async () => {
    emulator = await startAliyunCmsEmulator({ ...KEY, instanceCount: 1, withoutMetrics: ['acs_ecs_dashboard/memory_usedutilization'] });
    const client = new AliyunCmsClient({ ...KEY, region: 'cn-hangzhou', endpoint: emulator.endpoint });
    const metrics = await client.describeMetricMetaList('acs_ecs_dashboard');
    const names = metrics.map((m) => m.metricName);
    expect(names).toContain('CPUUtilization');
    expect(names).not.toContain('memory_usedutilization');
    expect(metrics.find((m) => m.metricName === 'diskusage_utilization')?.dimensions).toEqual(['userId', 'instanceId', 'device']);
  });
});
