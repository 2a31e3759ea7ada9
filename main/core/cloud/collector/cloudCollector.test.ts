// The collector end to end: the real SDKs of each cloud against its emulator
// (signatures recomputed, batch and rate limits enforced), with a clock the
// test moves so cycles, delays and outages are behaviour, not waiting.
import { afterEach, describe, expect, it } from 'vitest';
import type { CloudProvider } from '../../../common/clouds.js';
import { CloudApiStats } from '../apiStats.js';
import { emulatedValue } from '../../../testing/cloudEmulators/emulatedFleet.js';
import { findShippedMappingsDir, loadMappings } from '../mappings/loadMappings.js';
import { AccountCollector, type CollectorTuning } from './cloudCollector.js';
import { API_QUOTAS } from './defaults.js';
import { checkCloudAccount } from './accountCheck.js';
import { startEmulatedCloud, type EmulatedCloud, type EmulatedCloudOptions } from '../../../testing/emulatedAccounts.js';
import type { CloudAccountConfig, CloudSample } from './types.js';

const MAPPINGS = loadMappings({ shippedDir: findShippedMappingsDir() }).products;
const MINUTE = 60_000;
const PROVIDERS: CloudProvider[] = ['aliyun', 'tencent', 'huawei'];
const FAST_RETRY: CollectorTuning = { retry: { baseDelayMs: 1, maxDelayMs: 5, throttledAttempts: 2, networkAttempts: 1 } };

let clouds: EmulatedCloud[] = [];
let collectors: AccountCollector[] = [];
afterEach(async () => {
  await Promise.all(collectors.map((c) => c.stop()));
  await Promise.all(clouds.map((c) => c.emulator.close()));
  clouds = [];
  collectors = [];
});

interface Rig {
  cloud: EmulatedCloud;
  collector: AccountCollector;
  samples: CloudSample[];
  stats: CloudApiStats;
  clock: { now: number };
}

/**
 * These tests are about behaviour, not quotas: unless a test sets its own,
 * the emulator's quota and the account's budgets are raised so a cycle of a
 * few hundred calls takes a moment, not the minutes the real quotas imply.
 */
const ROOMY = 1000;
function roomyLimits(provider: CloudProvider): CloudAccountConfig['limits'] {
  return Object.fromEntries(Object.keys(API_QUOTAS[provider]).map((api) => [api, { ratePerSecond: ROOMY, burst: 50 }]));
}

async function rig(provider: CloudProvider, fleet: EmulatedCloudOptions, account: Partial<CloudAccountConfig> = {}, tuning: CollectorTuning = FAST_RETRY): Promise<Rig> {
  // A whole minute of the real clock, so Tencent's signature time check (real time) and the data clock agree.
  const clock = { now: Math.floor(Date.now() / MINUTE) * MINUTE + 5_000 };
  const cloud = await startEmulatedCloud(provider, `${provider}-test`, { qps: ROOMY, ...fleet, now: () => clock.now });
  clouds.push(cloud);
  const samples: CloudSample[] = [];
  const stats = new CloudApiStats();
  const collector = new AccountCollector({ account: { ...cloud.account, limits: roomyLimits(provider), ...account }, mappings: MAPPINGS, stats, onSamples: (s) => samples.push(...s), now: () => clock.now }, tuning);
  collectors.push(collector);
  return { cloud, collector, samples, stats, clock };
}

const seriesKey = (s: CloudSample) => `${s.metric}|${s.instance.product}|${s.instance.instanceId}|${JSON.stringify(s.labels ?? {})}`;

function bySeries(samples: readonly CloudSample[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const s of samples) {
    const k = seriesKey(s);
    if (!out.has(k)) out.set(k, []);
    out.get(k)!.push(s.t);
  }
  return out;
}

/** Every series' timestamps strictly increasing, one period apart, from `from` to `to` (exclusive). */
function expectContiguous(samples: readonly CloudSample[], from: number, to: number): void {
  const expected = [];
  for (let t = from; t < to; t += MINUTE) expected.push(t);
  const series = bySeries(samples);
  expect(series.size).toBeGreaterThan(0);
  for (const [key, times] of series) expect({ key, times }).toEqual({ key, times: expected });
}

describe.each(PROVIDERS)('%s collector against the emulator', (provider) => {
  it('collects every instance of ECS, load balancers and databases under canonical names, scaled, without duplicates', async () => {
    const r = await rig(provider, { products: { ecs: 30, slb: 3, rds: 2 } });
    const first = await r.collector.runCycle();
    const status = r.collector.status();
    expect(status.instancesByProduct).toEqual({ ecs: 30, slb: 3, rds: 2 });
    expect(status.unavailableMetrics).toEqual([]);
    expect(first.failedCalls).toBe(0);
    expect(r.cloud.emulator.stats.signatureMismatches).toBe(0);
    // The discovery's calls are counted apart, so the cycle's calls compare with the minimum its batches allow.
    const callsSeen = Object.values(r.cloud.emulator.stats.byAction).reduce((a, b) => a + (b ?? 0), 0);
    expect(first.discoveryCalls).toBeGreaterThan(0);
    expect(first.calls + first.discoveryCalls).toBe(callsSeen);
    expect(status).toMatchObject({ lastCycleCalls: first.calls, lastCycleDiscoveryCalls: first.discoveryCalls, lastDiscoveryCalls: first.discoveryCalls });

    // Every mapped series, 15 minutes of history on the first cycle, ending at the settled edge.
    const end = first.settledEnd;
    expectContiguous(r.samples, end - 15 * MINUTE, end);
    const names = new Set(r.samples.map((s) => `${s.instance.product}:${s.metric}`));
    for (const n of ['ecs:cloud_cpu_utilization_ratio', 'ecs:cloud_memory_utilization_ratio', 'ecs:cloud_network_receive_bytes_per_second', 'slb:cloud_lb_active_connections', 'rds:cloud_cpu_utilization_ratio']) expect(names).toContain(n);

    // The values are the cloud's, scaled to the canonical unit.
    const cpu = r.samples.find((s) => s.metric === 'cloud_cpu_utilization_ratio' && s.instance.product === 'ecs')!;
    const cloudMetric = { aliyun: 'CPUUtilization', tencent: 'CPUUsage', huawei: 'cpu_util' }[provider];
    expect(cpu.value).toBeCloseTo(emulatedValue(cpu.instance.instanceId, cloudMetric, {}, cpu.t) * 0.01, 10);
    expect(cpu.instance).toMatchObject({ provider, account: `${provider}-test`, product: 'ecs' });

    // Instances without the cloud's agent report no memory; per-disk series carry their label.
    const memory = new Set(r.samples.filter((s) => s.metric === 'cloud_memory_utilization_ratio' && s.instance.product === 'ecs').map((s) => s.instance.instanceId));
    expect(memory.size).toBe(27);
    const disk = r.samples.filter((s) => s.metric === 'cloud_filesystem_used_ratio');
    if (provider === 'aliyun') expect(new Set(disk.map((s) => s.labels?.device))).toEqual(new Set(['/dev/vda1', '/dev/vdb1']));
    if (provider === 'huawei') expect(new Set(disk.map((s) => s.labels?.mountpoint))).toEqual(new Set(['/', '/data']));

    // The next minute: exactly one new point per series, and calls at the minimum the batch limits allow.
    const before = r.samples.length;
    r.clock.now += MINUTE;
    const second = await r.collector.runCycle();
    expect(second.plannedCalls).toBe(second.minimumCalls);
    expect(second.calls).toBe(second.minimumCalls);
    expect(second.discoveryCalls).toBe(0);
    expect(r.samples.length - before).toBe(bySeries(r.samples).size);
    expectContiguous(r.samples, end - 15 * MINUTE, end + MINUTE);
    // A cycle without a discovery: no discovery calls in it, and the last discovery's calls stay on show.
    expect(r.collector.status()).toMatchObject({ state: 'idle', laggingSeries: 0, collectedUntil: end + MINUTE, lastCycleDiscoveryCalls: 0, lastDiscoveryCalls: first.discoveryCalls });
    // The console's own call counts agree with what the cloud saw, API by API.
    for (const api of r.stats.snapshot()) expect({ api: api.api, calls: api.calls }).toEqual({ api: api.api, calls: r.cloud.emulator.stats.byAction[api.api] });
  });

  it('loses nothing when the cloud throttles mid-cycle: the series left behind are backfilled next cycle', async () => {
    const r = await rig(provider, { products: { ecs: 120 } });
    await r.collector.runCycle();
    const start = r.samples[0]!.t;
    r.clock.now += MINUTE;
    const steady = await r.collector.runCycle();
    // One throttling answer more than there are calls: with two attempts per
    // call, at least one call of this cycle gives up, and all of them are spent.
    r.clock.now += MINUTE;
    r.cloud.emulator.faults.throttleNext(steady.plannedCalls + 1);
    const throttled = await r.collector.runCycle();
    expect(throttled.failedCalls).toBeGreaterThan(0);
    expect(throttled.laggingSeries).toBeGreaterThan(0);
    expect(r.collector.status().recentErrors[0]).toMatchObject({ kind: 'throttled', code: { aliyun: 'Throttling.User', tencent: 'RequestLimitExceeded', huawei: 'APIGW.0308' }[provider] });
    r.clock.now += MINUTE;
    const recovered = await r.collector.runCycle();
    expect(recovered).toMatchObject({ failedCalls: 0, laggingSeries: 0 });
    expectContiguous(r.samples, start, recovered.settledEnd);
    expect(r.stats.snapshot().reduce((n, a) => n + a.throttles, 0)).toBe(steady.plannedCalls + 1);
  });

  it('backfills an outage once the cloud answers again, in larger windows, and says it was unreachable meanwhile', async () => {
    const r = await rig(provider, { products: { ecs: 60 } });
    await r.collector.runCycle();
    const start = r.samples[0]!.t;
    r.cloud.emulator.faults.setOutage(true);
    for (let i = 0; i < 40; i++) {
      r.clock.now += MINUTE;
      const report = await r.collector.runCycle();
      expect(report.samples).toBe(0);
    }
    expect(r.collector.status().state).toBe('error');
    expect(r.collector.status().recentErrors[0]).toMatchObject({ kind: 'network' });
    r.cloud.emulator.faults.setOutage(false);
    r.clock.now += MINUTE;
    const back = await r.collector.runCycle();
    expect(back.failedCalls).toBe(0);
    // 41 minutes of every series, in order, no gap: the outage window was fetched after the fact.
    expectContiguous(r.samples, start, back.settledEnd);
    expect(back.calls).toBeGreaterThanOrEqual(back.minimumCalls);
  });

  it('a collector started again (console restarted) backfills from where the last one had every series, not from its first-start lookback', async () => {
    const first = await rig(provider, { products: { ecs: 20 } });
    const firstCycle = await first.collector.runCycle();
    const start = first.samples[0]!.t;
    const covered = first.collector.status().collectedUntil!;
    expect(covered).toBe(firstCycle.settledEnd);
    await first.collector.stop();
    // Closed for two hours; then a new collector of the same account, told where the last one got to.
    first.clock.now += 120 * MINUTE;
    const again = new AccountCollector(
      { account: { ...first.cloud.account, limits: roomyLimits(provider) }, mappings: MAPPINGS, stats: new CloudApiStats(), onSamples: (s) => first.samples.push(...s), now: () => first.clock.now, resumeFrom: covered },
      FAST_RETRY,
    );
    collectors.push(again);
    const back = await again.runCycle();
    expect(back.failedCalls).toBe(0);
    // Every minute of every series from the first start to now, once: the restart left no gap.
    // (The last covered minute is asked again — one period of overlap for late datapoints — and dropped as a duplicate downstream.)
    const deduped = [...new Map(first.samples.map((x) => [`${seriesKey(x)}@${x.t}`, x])).values()];
    expectContiguous(deduped, start, back.settledEnd);
    // Without it, the new collector would start 15 minutes back: a gap of 1 h 45 min.
    const fresh = await rig(provider, { products: { ecs: 20 } });
    fresh.clock.now = first.clock.now;
    await fresh.collector.runCycle();
    expect(Math.min(...fresh.samples.map((x) => x.t))).toBeGreaterThan(covered);
  });

  it('reports a wrong secret as credentials rejected with the cloud’s code, and asks for nothing else', async () => {
    const r = await rig(provider, { products: { ecs: 5 } }, { accessKeySecret: 'not-the-secret-at-all' });
    await r.collector.runCycle();
    const status = r.collector.status();
    expect(status.state).toBe('error');
    expect(status.stateDetail).toMatch(/^credentials rejected: /);
    expect(status.stateDetail).toContain({ aliyun: 'SignatureDoesNotMatch', tencent: 'AuthFailure.SignatureFailure', huawei: 'APIGW.0301' }[provider]);
    expect(JSON.stringify(status)).not.toContain('not-the-secret-at-all');
    expect(r.samples).toEqual([]);
    expect(r.cloud.emulator.stats.accepted).toBe(0);
    expect(r.cloud.emulator.stats.signatureMismatches).toBeGreaterThan(0);
  });

  it('picks up a datapoint the cloud published later than the configured delay on the next pass', async () => {
    // The cloud lags 150 s, the account is set to wait 120 s: each cycle's newest minute is not there yet.
    const r = await rig(provider, { products: { ecs: 4 }, dataDelayMs: 150_000 }, { delaySeconds: 120 });
    const first = await r.collector.runCycle();
    const newest = Math.max(...r.samples.map((s) => s.t));
    expect(newest).toBe(first.settledEnd - 2 * MINUTE);
    r.clock.now += MINUTE;
    await r.collector.runCycle();
    expectContiguous(r.samples, first.settledEnd - 15 * MINUTE, first.settledEnd);
  });
});

describe('collector details', () => {
  it('skips metrics a namespace does not offer and says which', async () => {
    const r = await rig('aliyun', { products: { ecs: 3 }, withoutMetrics: ['acs_ecs_dashboard/InternetInRate'] });
    await r.collector.runCycle();
    expect(r.collector.status().unavailableMetrics).toEqual(['acs_ecs_dashboard/InternetInRate']);
    expect(r.samples.some((s) => s.metric === 'cloud_public_network_receive_bytes_per_second')).toBe(false);
  });

  it('pages discovery lists: 230 CVM instances over three DescribeInstances pages, 1200 Huawei series over two ListMetrics pages', async () => {
    const t = await rig('tencent', { products: { ecs: 230 } }, { products: ['ecs'] });
    await t.collector.discover();
    expect(t.collector.instances()).toHaveLength(230);
    expect(t.cloud.emulator.stats.byAction.DescribeInstances).toBe(3);
    expect(t.collector.instances()[0]!.name).toBe('app-ap-guangzhou-001');
    const h = await rig('huawei', { products: { ecs: 1200 } }, { products: ['ecs'] });
    await h.collector.discover();
    expect(h.collector.instances()).toHaveLength(1200);
  });

  it('collects several regions of one account, each with its own instances (Huawei: one project per region)', async () => {
    const r = await rig('huawei', { products: { ecs: 3 }, regions: ['cn-north-4', 'cn-east-3'] });
    await r.collector.runCycle();
    expect(new Set(r.collector.instances().map((i) => i.region))).toEqual(new Set(['cn-north-4', 'cn-east-3']));
    expect(new Set(r.samples.map((s) => s.instance.region))).toEqual(new Set(['cn-north-4', 'cn-east-3']));
  });

  it('stops at once when the account is removed mid-cycle: no samples and no calls afterwards', async () => {
    // A slow cloud (2 calls/s) and a large fleet, so the first cycle is still running when the account goes.
    const r = await rig('tencent', { products: { ecs: 200 }, qps: 2 }, { limits: { GetMonitorData: { ratePerSecond: 2, burst: 1 } } });
    r.collector.start();
    await expect.poll(() => r.samples.length, { timeout: 30_000 }).toBeGreaterThan(0);
    await r.collector.stop();
    const [samples, requests] = [r.samples.length, r.cloud.emulator.stats.requests];
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(r.samples.length).toBe(samples);
    expect(r.cloud.emulator.stats.requests).toBe(requests);
    expect(r.collector.status().state).toBe('stopped');
  });
});

describe.each(['aliyun', 'huawei'] as const)('%s instance names from the ECS instance list', (provider) => {
  const listApi = { aliyun: 'DescribeInstances', huawei: 'ListServersDetails' }[provider];
  const region = { aliyun: 'cn-hangzhou', huawei: 'cn-north-4' }[provider];

  it('names every instance at discovery, paged at the API’s maximum, not every cycle, and picks up a rename at the next discovery', async () => {
    const r = await rig(provider, { products: { ecs: 250, slb: 2 } });
    await r.collector.runCycle();
    const ecs = r.collector.instances().filter((i) => i.product === 'ecs');
    expect(ecs).toHaveLength(250);
    expect(ecs.every((i) => i.name === `app-${region}-${String(Number(i.instanceId.slice(-5)) + 1).padStart(3, '0')}`)).toBe(true);
    expect(ecs[0]).toMatchObject({ privateIp: '172.16.0.2', instanceType: provider === 'aliyun' ? 'ecs.g7.large' : 's6.large.2', status: provider === 'aliyun' ? 'Running' : 'ACTIVE' });
    // Load balancers have no instance list here: ids, and no names call for them.
    expect(r.collector.instances().filter((i) => i.product === 'slb').every((i) => i.name === undefined)).toBe(true);
    const perDiscovery = provider === 'aliyun' ? Math.ceil(250 / 100) : 1;
    expect(r.cloud.emulator.stats.byAction[listApi]).toBe(perDiscovery);
    // Names never change which series a sample belongs to.
    expect(r.samples.find((s) => s.instance.instanceId === ecs[0]!.instanceId)?.instance.name).toBe(ecs[0]!.name);

    r.clock.now += MINUTE;
    await r.collector.runCycle();
    expect(r.cloud.emulator.stats.byAction[listApi]).toBe(perDiscovery);

    const renamed = ecs[7]!.instanceId;
    r.cloud.emulator.fleet!.rename(region, renamed, '支付网关 🧾 primary');
    r.clock.now += 10 * MINUTE;
    const report = await r.collector.runCycle();
    expect(report.failedCalls).toBe(0);
    expect(r.collector.instances().find((i) => i.instanceId === renamed)?.name).toBe('支付网关 🧾 primary');
    expect(r.cloud.emulator.stats.byAction[listApi]).toBe(2 * perDiscovery);
    expect(r.collector.status().namesProblems).toEqual([]);
  });

  it('"Test" on the account form says so too when the key may not list the instances: the keys work, names will be ids', async () => {
    const r = await rig(provider, { products: { ecs: 5 } });
    const account = { ...r.cloud.account, limits: roomyLimits(provider) };
    const allowed = await checkCloudAccount(account, MAPPINGS, new CloudApiStats());
    expect(allowed).toMatchObject({ ok: true, instances: [{ product: 'ecs', count: 5 }] });
    expect(allowed.namesDenied).toBeUndefined();
    expect(r.cloud.emulator.stats.byAction[listApi]).toBeGreaterThan(0);
    r.cloud.emulator.faults.deny(listApi);
    const denied = await checkCloudAccount(account, MAPPINGS, new CloudApiStats());
    expect(denied).toMatchObject({ ok: true, namesDenied: { product: 'ecs', api: listApi, code: provider === 'aliyun' ? 'Forbidden.RAM' : 'Ecs.0003', permission: expect.stringMatching(/^ecs:/) } });
    expect(denied.message).toMatch(new RegExp(`no permission to list them by name \\(${listApi}`));
  });

  it('keeps collecting with ids when the key may read the metrics but not the instance list, and says what to grant', async () => {
    const r = await rig(provider, { products: { ecs: 20 } });
    r.cloud.emulator.faults.deny(listApi);
    const report = await r.collector.runCycle();
    expect(report.failedCalls).toBe(0);
    expect(report.samples).toBeGreaterThan(0);
    expect(r.collector.instances()).toHaveLength(20);
    expect(r.collector.instances().every((i) => i.name === undefined)).toBe(true);
    const status = r.collector.status();
    expect(status.state).toBe('idle');
    expect(status.namesProblems).toEqual([
      expect.objectContaining({ region, product: 'ecs', api: listApi, kind: 'permission_denied', code: provider === 'aliyun' ? 'Forbidden.RAM' : 'Ecs.0003', permission: provider === 'aliyun' ? 'ecs:DescribeInstances' : 'ecs:cloudServers:list' }),
    ]);
    // Granted later: the next discovery names them and the note goes.
    r.cloud.emulator.faults.deny(listApi, false);
    r.clock.now += 10 * MINUTE;
    await r.collector.runCycle();
    expect(r.collector.instances().every((i) => i.name !== undefined)).toBe(true);
    expect(r.collector.status().namesProblems).toEqual([]);
  });

  it('keeps the last names when the list is throttled past its retries, notes it, and collects the metrics all the same', async () => {
    const r = await rig(provider, { products: { ecs: 10 } });
    await r.collector.runCycle();
    const before = r.collector.instances().map((i) => i.name);
    r.cloud.emulator.faults.throttleNext(100, listApi);
    r.clock.now += 10 * MINUTE;
    const report = await r.collector.runCycle();
    expect(report.samples).toBeGreaterThan(0);
    expect(r.collector.instances().map((i) => i.name)).toEqual(before);
    expect(r.collector.status().namesProblems).toEqual([expect.objectContaining({ kind: 'failed', code: provider === 'aliyun' ? 'Throttling' : 'APIGW.0308', api: listApi })]);
    expect(r.collector.status().recentErrors.some((e) => e.api === listApi && e.kind === 'throttled')).toBe(true);
  });

  it('stops at once when the account is removed while the names are being listed: no instances, no calls afterwards', async () => {
    const r = await rig(provider, { products: { ecs: 10 } }, {}, { retry: { baseDelayMs: 20, maxDelayMs: 40, throttledAttempts: 1000, networkAttempts: 1 } });
    r.cloud.emulator.faults.throttleNext(100_000, listApi);
    r.collector.start();
    await expect.poll(() => r.cloud.emulator.stats.throttled, { timeout: 10_000 }).toBeGreaterThan(2);
    await r.collector.stop();
    const requests = r.cloud.emulator.stats.requests;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.cloud.emulator.stats.requests).toBe(requests);
    expect(r.collector.instances()).toEqual([]);
    expect(r.collector.status()).toMatchObject({ state: 'stopped', lastDiscoveryAt: null });
    expect(r.samples).toEqual([]);
  });
});
