// Requests signed by the Huawei SDK core's AKSKSigner against the local CES
// emulator, which recomputes every SDK-HMAC-SHA256 signature.
import { expectCloudError } from '../../../testing/expectCloudError.js';
import { afterEach, describe, expect, it } from 'vitest';
import { huaweiInstanceIds, startHuaweiCesEmulator } from '../../../testing/cloudEmulators/huaweiCesEmulator.js';
import { syntheticValue } from '../../../testing/cloudEmulators/emulatedFleet.js';
import type { RunningEmulator } from '../../../testing/cloudEmulators/emulatorServer.js';
import { HuaweiCesClient, huaweiMetricsPerCall } from './huawei.js';

const KEY = { accessKeyId: 'HPUAEMULATORKEY0000', accessKeySecret: 'emulator-secret-huawei', projectId: '0f1e2d3c4b5a69788796a5b4c3d2e1f0' };
const END = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
const START = END - 5 * 60_000;
const QUERY = { namespace: 'SYS.ECS', metricName: 'cpu_util', period: '1' as const, startMs: START, endMs: END };

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});


function start(overrides: { instanceCount: number; qps?: number }) {
  return startHuaweiCesEmulator({ accessKey: KEY.accessKeyId, secretKey: KEY.accessKeySecret, projectId: KEY.projectId, ...overrides });
}

describe('Huawei CES client against the emulator', () => {
  it('returns every instance × timestamp within the 3000-point rule', async () => {
    emulator = await start({ instanceCount: 700 });
    const client = new HuaweiCesClient({ ...KEY, region: 'cn-north-4', endpoint: emulator.endpoint });
    const points = await client.fetchMetricData({ ...QUERY, instanceIds: huaweiInstanceIds(700) });
    // 5 one-minute points per series → 600 metrics/call by points, capped at 500 by count → 2 calls.
    expect(huaweiMetricsPerCall('1', START, END)).toBe(500);
    expect(points).toHaveLength(700 * 5);
    const sample = points[2222]!;
    expect(sample.value).toBe(syntheticValue(sample.instanceId, 'cpu_util', sample.t));
    expect(emulator.stats.requests).toBe(2);
    expect(emulator.stats.accepted).toBe(2);
    expect(emulator.stats.signatureMismatches).toBe(0);
  });

  it('shrinks batches so a long window loses no points to the server-side trim', async () => {
    emulator = await start({ instanceCount: 100 });
    const client = new HuaweiCesClient({ ...KEY, region: 'cn-north-4', endpoint: emulator.endpoint });
    const points = await client.fetchMetricData({ ...QUERY, startMs: END - 60 * 60_000, instanceIds: huaweiInstanceIds(100) });
    expect(huaweiMetricsPerCall('1', END - 60 * 60_000, END)).toBe(50);
    expect(points).toHaveLength(100 * 60);
    expect(emulator.stats.requests).toBe(2);
  });

  it('maps a wrong SK to credentials_rejected (APIGW.0301) after a recomputed mismatch', async () => {
    emulator = await start({ instanceCount: 3 });
    const client = new HuaweiCesClient({ ...KEY, accessKeySecret: 'wrong', region: 'cn-north-4', endpoint: emulator.endpoint });
    const error = await expectCloudError(client.fetchMetricData({ ...QUERY, instanceIds: huaweiInstanceIds(3) }));
    expect(error).toMatchObject({ kind: 'credentials_rejected', code: 'APIGW.0301', httpStatus: 401 });
    expect(emulator.stats.signatureMismatches).toBe(1);
    expect(emulator.stats.unknownKeys).toBe(0);
  });

  it('gets ces.0014 for more than 500 metrics in one call', async () => {
    emulator = await start({ instanceCount: 501 });
    const client = new HuaweiCesClient({ ...KEY, region: 'cn-north-4', endpoint: emulator.endpoint });
    const error = await expectCloudError(client.fetchMetricData({ ...QUERY, startMs: END - 60_000, instanceIds: huaweiInstanceIds(501), metricsPerCall: 501 }));
    expect(error).toMatchObject({ kind: 'invalid_request', code: 'ces.0014', httpStatus: 400 });
    expect(emulator.stats.batchRejected).toBe(1);
  });

  it('maps HTTP 429 APIGW.0308 to throttled', async () => {
    emulator = await start({ instanceCount: 40, qps: 2 });
    const client = new HuaweiCesClient({ ...KEY, region: 'cn-north-4', endpoint: emulator.endpoint });
    const error = await expectCloudError(client.fetchMetricData({ ...QUERY, instanceIds: huaweiInstanceIds(40), metricsPerCall: 10 }));
    expect(error).toMatchObject({ kind: 'throttled', code: 'APIGW.0308', httpStatus: 429 });
    expect(emulator.stats.throttled).toBeGreaterThanOrEqual(1);
  });

  it('maps a closed port to network', async () => {
    emulator = await start({ instanceCount: 1 });
    const endpoint = emulator.endpoint;
    await emulator.close();
    emulator = undefined;
    const client = new HuaweiCesClient({ ...KEY, region: 'cn-north-4', endpoint });
    const error = await expectCloudError(client.fetchMetricData({ ...QUERY, instanceIds: huaweiInstanceIds(1) }));
    expect(error.kind).toBe('network');
  });

  it('lists every metric series of a namespace with ListMetrics, paged by marker', async () => {
    emulator = await start({ instanceCount: 1200 });
    const client = new HuaweiCesClient({ ...KEY, region: 'cn-north-4', endpoint: emulator.endpoint });
    const seen = new Set<string>();
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await client.listMetrics({ namespace: 'SYS.ECS', metricName: 'cpu_util', ...(marker ? { marker } : {}) });
      for (const s of page.series) seen.add(s.dimensions[0]!.value);
      marker = page.marker;
      pages++;
    } while (marker);
    expect(seen.size).toBe(1200);
    expect(pages).toBe(3); // 1000 + 200 + an empty last page
    // The agent's namespace lists mount points, and only for instances running the agent (9 in 10).
    const agent = await client.listMetrics({ namespace: 'AGT.ECS', metricName: 'disk_usedPercent', limit: 10 });
    expect(agent.series[0]!.dimensions.map((d) => d.name)).toEqual(['instance_id', 'mount_point']);
  });

  it('mixes metrics and namespaces in one batch and answers each series', async () => {
    emulator = await start({ instanceCount: 3 });
    const client = new HuaweiCesClient({ ...KEY, region: 'cn-north-4', endpoint: emulator.endpoint });
    const [a, b] = huaweiInstanceIds(2);
    const data = await client.batchListMetricData({
      series: [
        { namespace: 'SYS.ECS', metricName: 'cpu_util', dimensions: [{ name: 'instance_id', value: a! }] },
        { namespace: 'AGT.ECS', metricName: 'disk_usedPercent', dimensions: [{ name: 'instance_id', value: b! }, { name: 'mount_point', value: '/data' }] },
      ],
      period: '1',
      filter: 'max',
      startMs: START,
      endMs: END,
    });
    expect(data.map((d) => [d.metricName, d.points.length])).toEqual([['cpu_util', 5], ['disk_usedPercent', 5]]);
  });
});
