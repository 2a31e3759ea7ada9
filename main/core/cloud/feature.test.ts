// The clouds feature wired into a real core (real store, secret store and
// provisioning watcher) against the emulators through the real SDKs:
// accounts from the UI and from the provisioning file, Test, datapoints into
// the store and onto /metrics, Top-K over cloud instances, a broken mapping
// file, removal while collecting, and keys that never leave the secret store.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CloudAccountView } from '../../common/clouds.js';
import { RpcError } from '../../common/contract.js';
import { CloudApiStats } from './apiStats.js';
import { createExportFeature } from '../export/feature.js';
import { freePort } from '../../testing/freePort.js';
import { startTestCore } from '../../testing/testCore.js';
import { topKFeature } from '../topk/feature.js';
import { startEmulatedCloud, TEST_KEYS, testProjectId, type EmulatedCloud, type EmulatedCloudOptions } from '../../testing/emulatedAccounts.js';
import type { CloudProvider } from './collector/types.js';
import { createCloudsFeature } from './feature.js';
import { CloudLatestValues } from './latestValues.js';

const MINE = new Set(['export/get', 'export/update', 'topk/query']);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function emulated(provider: CloudProvider, options: EmulatedCloudOptions): Promise<EmulatedCloud> {
  const cloud = await startEmulatedCloud(provider, 'x', { qps: 1000, ...options });
  cleanups.push(() => cloud.emulator.close());
  return cloud;
}

async function startCore(options: { config?: string; env?: NodeJS.ProcessEnv; prepare?: (dataDir: string) => void } = {}) {
  const stats = new CloudApiStats();
  const latest = new CloudLatestValues();
  const c = await startTestCore(
    {
      prefix: 'ovl-cloudfeat-',
      ...options,
      features: [
        createExportFeature({ processMetrics: false }),
        topKFeature,
        createCloudsFeature({ stats, latest, env: options.env ?? {}, mappingsPollMs: 200, tuning: { retry: { baseDelayMs: 1, maxDelayMs: 5 } } }),
      ],
      answers: (name) => MINE.has(name) || name.startsWith('clouds/'),
    },
    cleanups,
  );
  const account = async (name: string) => ((await c.call('clouds/list')) as CloudAccountView[]).find((a) => a.name === name);
  return { ...c, account, stats };
}

const draftFor = (cloud: EmulatedCloud, name: string, overrides: Record<string, unknown> = {}) => ({
  name,
  provider: cloud.account.provider,
  regions: [...cloud.account.regions],
  accessKeyId: cloud.account.accessKeyId,
  accessKeySecret: cloud.account.accessKeySecret,
  endpoint: cloud.account.endpoint,
  ...(cloud.account.projectIds ? { projectIds: { ...cloud.account.projectIds } } : {}),
  limits: { DescribeMetricList: { ratePerSecond: 200, burst: 20 } },
  ...overrides,
});

describe('cloud accounts in a running console', () => {
  it('adds an account from the UI: keys only in the secret store, Test succeeds, datapoints reach the store, Top-K and /metrics', async () => {
    const cloud = await emulated('aliyun', { products: { ecs: 20, slb: 2, rds: 1 } });
    const c = await startCore();
    const draft = draftFor(cloud, 'prod-ali');

    const test = await c.call('clouds/test', draft);
    expect(test).toMatchObject({ ok: true, instances: [{ region: 'cn-hangzhou', product: 'ecs', count: 20 }] });

    const added = await c.call('clouds/add', draft);
    expect(added).toMatchObject({ name: 'prod-ali', provider: 'aliyun', secretSet: true, accessKeyIdHint: 'LTAI…rKey', provisioned: false });

    // The first cycle runs at once and fetches the last 15 settled minutes of every instance.
    await expect.poll(async () => (await c.call('clouds/instances', { account: 'prod-ali' })).filter((r) => r.lastT !== null).length, { timeout: 30_000 }).toBe(23);
    const rows = await c.call('clouds/instances', {});
    const ecs = rows.find((r) => r.product === 'ecs' && r.memory !== null && r.disk !== null)!;
    expect(ecs).toMatchObject({ account: 'prod-ali', provider: 'aliyun', region: 'cn-hangzhou' });
    expect(ecs.cpu).toBeGreaterThan(0);
    expect(ecs.cpu).toBeLessThan(1);
    expect(['/dev/vda1', '/dev/vdb1']).toContain(ecs.diskLabel);
    // Names and facts from ECS DescribeInstances (CMS has ids only); the series below keep the id as identity.
    expect(ecs.name).toMatch(/^app-cn-hangzhou-\d{3}$/);
    expect(ecs).toMatchObject({ privateIp: expect.stringMatching(/^172\.16\./), instanceType: expect.stringMatching(/^ecs\./), status: expect.stringMatching(/^(Running|Stopped)$/) });

    await expect.poll(async () => (await c.call('series/query', { selectors: [{ name: 'cloud_cpu_utilization_ratio' }], from: Date.now() - 30 * 60_000, to: Date.now(), maxPoints: 10 })).length, { timeout: 10_000 }).toBe(21);
    const series = await c.call('series/query', { selectors: [{ name: 'cloud_cpu_utilization_ratio', matchers: [{ label: 'instance', op: '=', value: ecs.instanceId }] }], from: Date.now() - 30 * 60_000, to: Date.now(), maxPoints: 100 });
    expect(series).toHaveLength(1);
    expect(series[0]!.labels).toEqual({ cloud: 'aliyun', account: 'prod-ali', region: 'cn-hangzhou', instance: ecs.instanceId, product: 'ecs' });
    expect(series[0]!.points.length).toBeGreaterThanOrEqual(14);

    // Ranked with hosts' machinery: every ECS and RDS instance has a CPU series (load balancers have none).
    const rank = () => c.call('topk/query', { kind: 'cloud', metric: 'cloud_cpu_utilization_ratio', aggregate: 'avg', from: Date.now() - 30 * 60_000, to: Date.now(), k: 5, order: 'desc', points: 30 });
    await expect.poll(async () => (await rank()).total, { timeout: 10_000 }).toBe(21);
    const topk = await rank();
    expect(topk.rows).toHaveLength(5);
    expect(topk.rows[0]!.labels.account).toBe('prod-ali');

    // The first cycle is over once the collector says so (rows fill in while it runs).
    await expect.poll(async () => (await c.account('prod-ali'))?.status.state, { timeout: 30_000 }).toBe('idle');
    const view = (await c.account('prod-ali'))!;
    expect(view.status).toMatchObject({ state: 'idle', instances: 23, instancesByProduct: { ecs: 20, slb: 2, rds: 1 } });
    expect(view.apis.find((a) => a.api === 'DescribeMetricList')).toMatchObject({ ratePerSecond: 200, publishedPerSecond: 50 });
    expect(view.apis.find((a) => a.api === 'DescribeMetricList')!.calls).toBeGreaterThan(0);
    expect(view.projectedMonthlyCalls).toBe(view.status.lastCycleMinimumCalls! * 30 * 1440);
    expect(view.freeMonthlyCalls).toBe(1_000_000);

    // /metrics: the cloud series under their canonical names, the API figures per account.
    const port = await freePort();
    await c.call('export/update', { enabled: true, listen: `127.0.0.1:${port}` });
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).toContain(`cloud_cpu_utilization_ratio{cloud="aliyun",account="prod-ali",region="cn-hangzhou",instance_id="${ecs.instanceId}",product="ecs"}`);
    expect(text).toMatch(/overlook_cloud_api_calls_total\{cloud="aliyun",account="prod-ali",api="DescribeMetricList"\} [1-9]/);
    expect(text).toMatch(/overlook_cloud_cycle_api_calls_minimum\{cloud="aliyun",account="prod-ali"\} \d+/);
    expect(text).toContain('overlook_cloud_instance_info{cloud="aliyun",account="prod-ali",region="cn-hangzhou",product="slb"');
    expect(text).toContain(`overlook_cloud_instance_info{cloud="aliyun",account="prod-ali",region="cn-hangzhou",product="ecs",instance_id="${ecs.instanceId}",name="${ecs.name}"} 1`);

    // The keys are nowhere but the (encrypted) secret store.
    const everything = [
      fs.readFileSync(path.join(c.dataDir, 'clouds.json'), 'utf8'),
      fs.readFileSync(path.join(c.dataDir, 'secrets.json'), 'utf8'),
      c.log.lines.join('\n'),
      JSON.stringify(c.events),
      JSON.stringify(await c.call('clouds/list')),
      text,
    ].join('\n');
    expect(everything).not.toContain(TEST_KEYS.aliyun.secret);
    expect(everything).not.toContain(TEST_KEYS.aliyun.id);
  });

  it('says "credentials rejected" with the cloud’s own code for a wrong secret, in Test and in the account’s status', async () => {
    const cloud = await emulated('tencent', { products: { ecs: 3 } });
    const c = await startCore();
    const wrong = draftFor(cloud, 'gz', { accessKeySecret: 'definitely-wrong-secret', limits: undefined });
    const test = await c.call('clouds/test', wrong);
    expect(test).toMatchObject({ ok: false, kind: 'credentials_rejected', code: 'AuthFailure.SignatureFailure' });
    expect(test.message).toMatch(/^credentials rejected: AuthFailure\.SignatureFailure — /);
    await c.call('clouds/add', wrong);
    await expect.poll(async () => (await c.account('gz'))?.status.state, { timeout: 20_000 }).toBe('error');
    const view = (await c.account('gz'))!;
    expect(view.status.stateDetail).toContain('credentials rejected: AuthFailure.SignatureFailure');
    expect(JSON.stringify([view, c.log.lines, c.events])).not.toContain('definitely-wrong-secret');

    // Fixing the secret (the id stays as stored) brings it back.
    await c.call('clouds/update', { account: 'gz', draft: { ...wrong, accessKeyId: undefined, accessKeySecret: TEST_KEYS.tencent.secret } });
    await expect.poll(async () => (await c.account('gz'))?.status.state, { timeout: 20_000 }).toBe('idle');
    expect((await c.account('gz'))!.status.instances).toBe(3);
  });

  it('runs accounts from the provisioning file with keys by reference, read-only, and says which reference is missing', async () => {
    const cloud = await emulated('huawei', { products: { ecs: 4, rds: 1 }, regions: ['cn-north-4', 'cn-east-3'] });
    const secretFile = path.join(os.tmpdir(), `ovl-cloudfeat-sk-${process.pid}`);
    fs.writeFileSync(secretFile, `${TEST_KEYS.huawei.secret}\n`, { mode: 0o600 });
    cleanups.push(() => fs.rmSync(secretFile, { force: true }));
    const config = [
      'clouds:',
      '  - name: hw-prod',
      '    provider: huawei',
      '    regions: [cn-north-4, cn-east-3]',
      '    access_key_id_env: HW_AK',
      `    access_key_secret_file: ${secretFile}`,
      `    project_ids: { cn-north-4: ${testProjectId(0)}, cn-east-3: ${testProjectId(1)} }`,
      `    endpoint: ${cloud.account.endpoint}`,
      '    interval: 5m',
      '    limits: { BatchListMetricData: { rate: 100, burst: 10 }, ListMetrics: { rate: 100, burst: 10 } }',
      '  - name: hw-missing',
      '    provider: huawei',
      '    regions: [cn-north-4]',
      '    access_key_id_env: HW_AK_UNSET',
      '    access_key_secret_env: HW_SK_UNSET',
      `    project_ids: { cn-north-4: ${testProjectId(0)} }`,
      '',
    ].join('\n');
    const c = await startCore({ config, env: { HW_AK: TEST_KEYS.huawei.id } });
    await expect.poll(async () => (await c.account('hw-prod'))?.status.instances, { timeout: 30_000 }).toBe(10);
    const prod = (await c.account('hw-prod'))!;
    expect(prod).toMatchObject({ provisioned: true, intervalSeconds: 300, regions: ['cn-north-4', 'cn-east-3'] });
    expect((await c.account('hw-missing'))!).toMatchObject({ problem: 'access key id of hw-missing: environment variable HW_AK_UNSET is not set', status: { state: 'error' } });
    await expect(c.call('clouds/remove', { account: 'hw-prod' })).rejects.toMatchObject({ code: 'provisioned' });
    await expect.poll(async () => (await c.call('clouds/instances', { account: 'hw-prod' })).filter((r) => r.cpu !== null).length, { timeout: 30_000 }).toBe(10);
  });

  it('leaves out a cloud account with a plaintext secret, naming the field and never the value', async () => {
    const c = await startCore({ config: 'clouds:\n  - name: a\n    provider: aliyun\n    regions: [cn-hangzhou]\n    access_key_id_env: A\n    access_key_secret: oops\n' });
    const info = await c.call('app/info');
    expect(info.config.problems[0]).toMatchObject({ field: 'clouds[0].access_key_secret', line: 6 });
    expect(JSON.stringify(info)).not.toContain('oops');
    expect(await c.call('clouds/list')).toEqual([]);
  });

  it('reports a broken mapping file with file and field, and keeps collecting with the rest', async () => {
    const cloud = await emulated('aliyun', { products: { ecs: 3 } });
    const c = await startCore({
      prepare: (dataDir) => {
        fs.mkdirSync(path.join(dataDir, 'cloud-mappings'));
        fs.writeFileSync(path.join(dataDir, 'cloud-mappings', 'extra.yaml'), 'product: ecs\nmetrics:\n  - name: cloud_load_ratio\n    help: load\n    aliyun: { metric: load_1m, statistic: Mean }\n');
      },
    });
    const mappings = await c.call('clouds/mappings');
    expect(mappings.problems).toEqual([expect.objectContaining({ file: path.join(c.dataDir, 'cloud-mappings', 'extra.yaml'), line: 5, field: 'metrics[0].aliyun.statistic' })]);
    expect(c.log.lines.some((l) => l.includes('extra.yaml:5') && l.includes('metrics[0].aliyun.statistic'))).toBe(true);
    await c.call('clouds/add', draftFor(cloud, 'a'));
    await expect.poll(async () => (await c.call('clouds/instances', { account: 'a' })).filter((r) => r.cpu !== null).length, { timeout: 30_000 }).toBe(3);

    // Fixed while running: the file is re-read and its metric collected.
    fs.writeFileSync(path.join(c.dataDir, 'cloud-mappings', 'extra.yaml'), 'product: ecs\nmetrics:\n  - name: cloud_cpu_peak_ratio\n    help: CPU, the minute’s peak\n    aliyun: { metric: CPUUtilization, statistic: Maximum, scale: 0.01 }\n');
    await expect.poll(async () => (await c.call('clouds/mappings')).problems, { timeout: 10_000 }).toEqual([]);
    await expect
      .poll(async () => (await c.call('series/query', { selectors: [{ name: 'cloud_cpu_peak_ratio' }], from: Date.now() - 30 * 60_000, to: Date.now(), maxPoints: 10 })).length, { timeout: 30_000 })
      .toBe(3);
  });

  it('resumes where the last run got to (cloud-progress.json): a console closed for two hours backfills them; a removed account is forgotten', async () => {
    const cloud = await emulated('aliyun', { products: { ecs: 3 } });
    const MINUTE = 60_000;
    const twoHoursAgo = Math.floor(Date.now() / MINUTE) * MINUTE - 120 * MINUTE;
    const c = await startCore({
      // What the last run wrote before the console was closed.
      prepare: (dataDir) => fs.writeFileSync(path.join(dataDir, 'cloud-progress.json'), JSON.stringify({ version: 1, accounts: { back: { provider: 'aliyun', collectedUntil: twoHoursAgo } } })),
    });
    await c.call('clouds/add', draftFor(cloud, 'back'));
    await c.call('clouds/add', draftFor(cloud, 'new'));
    const earliest = async (account: string) => {
      const series = await c.call('series/query', { selectors: [{ name: 'cloud_cpu_utilization_ratio', matchers: [{ label: 'account', op: '=', value: account }] }], from: Date.now() - 4 * 60 * MINUTE, to: Date.now(), maxPoints: 1000 });
      return series.length === 3 ? Math.min(...series.map((x) => x.points[0]![0])) : undefined;
    };
    // The account seen before starts one period before where it got to; a new one 15 minutes back.
    // (A cycle that fails on a loaded machine is retried a period later: hence the long waits.)
    await expect.poll(() => earliest('back'), { timeout: 100_000 }).toBe(twoHoursAgo - MINUTE);
    await expect.poll(() => earliest('new'), { timeout: 100_000 }).toBeGreaterThanOrEqual(Date.now() - 20 * MINUTE);
    const progress = () => JSON.parse(fs.readFileSync(path.join(c.dataDir, 'cloud-progress.json'), 'utf8')).accounts;
    await expect.poll(() => progress().back?.collectedUntil, { timeout: 100_000 }).toBeGreaterThan(Date.now() - 10 * MINUTE);
    await expect.poll(() => progress().new?.provider, { timeout: 100_000 }).toBe('aliyun');
    await c.call('clouds/remove', { account: 'back' });
    expect(progress().back).toBeUndefined();
  }, 240_000);

  it('stops an account removed while it collects: no more calls, its figures and rows forgotten, its history kept', async () => {
    const cloud = await emulated('tencent', { products: { ecs: 150 }, qps: 3 });
    const c = await startCore();
    await c.call('clouds/add', draftFor(cloud, 'slow', { limits: { GetMonitorData: { ratePerSecond: 3, burst: 1 } } }));
    await expect.poll(() => cloud.emulator.stats.byAction.GetMonitorData ?? 0, { timeout: 30_000 }).toBeGreaterThan(2);
    expect(await c.call('clouds/remove', { account: 'slow' })).toBe(true);
    const calls = cloud.emulator.stats.requests;
    await new Promise((r) => setTimeout(r, 1500));
    expect(cloud.emulator.stats.requests).toBe(calls);
    expect(await c.call('clouds/list')).toEqual([]);
    expect(await c.call('clouds/instances', {})).toEqual([]);
    expect(c.stats.snapshot().filter((a) => a.account === 'slow')).toEqual([]);
    await expect(c.call('clouds/remove', { account: 'slow' })).rejects.toBeInstanceOf(RpcError);
  });
});
