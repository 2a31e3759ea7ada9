// What the UI is shown of the cloud accounts: each account's settings,
// collector status, APIs against their quotas and projected calls; the
// instances with their latest summary values; the metric mappings in effect.
// Pure functions of the feature's runtimes and the shared stats.
import type { CloudAccountView, CloudApiView, CloudInstanceRow, CloudMappingsView, CloudProvider, CloudStatusView } from '../../common/clouds.js';
import type { AccountDef } from './accountDefinitions.js';
import type { CloudApiStats } from './apiStats.js';
import { API_QUOTAS, DEFAULT_DELAY_SECONDS, DEFAULT_PERIOD_SECONDS, defaultLimit, FREE_MONTHLY_CALLS } from './collector/defaults.js';
import type { CloudCollectorStatus, CloudInstance, CloudProductMapping } from './collector/types.js';
import { cloudInstanceKey, type CloudLatestValues } from './latestValues.js';
import type { LoadedMappings } from './mappings/loadMappings.js';

/** One account as the feature runs it. */
export interface AccountRuntime {
  readonly def: AccountDef;
  status: CloudCollectorStatus | null;
  instances: readonly CloudInstance[];
  /** Why it is not collecting (keys missing or unreadable). */
  problem: string | null;
  keyIdHint: string | null;
  secretSet: boolean;
}

const MONTH_SECONDS = 30 * 86_400;

function emptyStatus(account: string, state: CloudStatusView['state'], detail?: string): CloudStatusView & { account: string } {
  return {
    account,
    state,
    ...(detail ? { stateDetail: detail } : {}),
    instances: 0,
    instancesByProduct: {},
    lastCycleStartedAt: null,
    lastCycleDurationMs: null,
    lastCycleCalls: null,
    lastCycleMinimumCalls: null,
    lastCycleDiscoveryCalls: null,
    lastCycleSamples: null,
    lastDiscoveryAt: null,
    lastDiscoveryCalls: null,
    collectedUntil: null,
    recentErrors: [],
    laggingSeries: 0,
    unavailableMetrics: [],
    namesProblems: [],
  };
}

/** A rough 95th percentile from a cumulative histogram: the first bucket bound reaching 95 %. */
function p95Ms(upperBounds: readonly number[], cumulative: readonly number[], count: number): number | null {
  if (count === 0) return null;
  const i = cumulative.findIndex((c) => c >= 0.95 * count);
  return Math.round((upperBounds[i >= 0 ? i : upperBounds.length - 1] ?? 0) * 1000);
}

function apisOf(rt: AccountRuntime, stats: CloudApiStats): CloudApiView[] {
  const seen = stats.snapshot().filter((a) => a.cloud === rt.def.provider && a.account === rt.def.name);
  const apis = new Set([...Object.keys(API_QUOTAS[rt.def.provider]), ...seen.map((a) => a.api)]);
  return [...apis].map((api) => {
    const s = seen.find((a) => a.api === api);
    const limit = rt.def.limits?.[api] ?? defaultLimit(rt.def.provider, api);
    return {
      api,
      calls: s?.calls ?? 0,
      throttles: s?.throttles ?? 0,
      errorsByCode: { ...(s?.errorsByCode ?? {}) },
      latencyMeanMs: s && s.latency.count ? Math.round((s.latency.sumSeconds / s.latency.count) * 1000) : null,
      latencyP95Ms: s ? p95Ms(s.latency.upperBounds, s.latency.cumulativeCounts, s.latency.count) : null,
      ratePerSecond: limit.ratePerSecond,
      burst: limit.burst,
      publishedPerSecond: API_QUOTAS[rt.def.provider][api]?.publishedPerSecond ?? null,
    };
  });
}

export function accountView(rt: AccountRuntime, stats: CloudApiStats): CloudAccountView {
  const d = rt.def;
  const period = d.periodSeconds ?? DEFAULT_PERIOD_SECONDS;
  const interval = d.intervalSeconds ?? period;
  const status: CloudStatusView = !d.enabled
    ? emptyStatus(d.name, 'paused')
    : rt.problem
      ? emptyStatus(d.name, 'error', rt.problem)
      : rt.status
        ? {
            ...rt.status,
            recentErrors: rt.status.recentErrors.map((e) => ({ ...e })),
            unavailableMetrics: [...rt.status.unavailableMetrics],
            instancesByProduct: { ...rt.status.instancesByProduct },
            namesProblems: rt.status.namesProblems.map((p) => ({ ...p })),
          }
        : emptyStatus(d.name, 'starting');
  const minimum = rt.status?.lastCycleMinimumCalls;
  const free = FREE_MONTHLY_CALLS[d.provider];
  return {
    name: d.name,
    provider: d.provider,
    regions: [...d.regions],
    projectIds: { ...(d.projectIds ?? {}) },
    endpoint: d.endpoint ?? null,
    accessKeyIdHint: rt.keyIdHint,
    secretSet: rt.secretSet,
    periodSeconds: period,
    intervalSeconds: interval,
    delaySeconds: d.delaySeconds ?? DEFAULT_DELAY_SECONDS[d.provider],
    products: d.products ? [...d.products] : null,
    enabled: d.enabled,
    provisioned: d.provisioned,
    problem: rt.problem,
    status,
    apis: apisOf(rt, stats),
    projectedMonthlyCalls: minimum === null || minimum === undefined ? null : Math.round((minimum * MONTH_SECONDS) / interval),
    freeMonthlyCalls: free?.calls ?? null,
  };
}


function summaryNames(mappings: LoadedMappings, provider: CloudProvider, product: string): Map<string, string> {
  const out = new Map<string, string>();
  const p = mappings.products.find((m) => m.provider === provider && m.product === product);
  for (const m of p?.metrics ?? []) if (m.summary) out.set(m.summary, m.canonical);
  return out;
}

export function instanceRows(runtimes: Iterable<AccountRuntime>, mappings: LoadedMappings, latest: CloudLatestValues, account?: string): CloudInstanceRow[] {
  const rows: CloudInstanceRow[] = [];
  const summaries = new Map<string, Map<string, string>>();
  for (const rt of runtimes) {
    if (account !== undefined && rt.def.name !== account) continue;
    for (const i of rt.instances) {
      const sk = `${i.provider}/${i.product}`;
      if (!summaries.has(sk)) summaries.set(sk, summaryNames(mappings, i.provider, i.product));
      const names = summaries.get(sk)!;
      const values = latest.ofInstance(cloudInstanceKey(i.account, i.region, i.product, i.instanceId));
      const pick = (key: string) => values.filter((v) => v.name === names.get(key));
      const single = (key: string) => pick(key).sort((a, b) => b.t - a.t)[0]?.value ?? null;
      const disks = pick('disk').sort((a, b) => b.value - a.value);
      const fullest = disks[0];
      const diskLabel = fullest ? (Object.entries(fullest.labels).find(([k]) => !['cloud', 'account', 'region', 'instance', 'product'].includes(k))?.[1] ?? null) : null;
      rows.push({
        account: i.account,
        provider: i.provider,
        region: i.region,
        product: i.product,
        instanceId: i.instanceId,
        name: i.name ?? null,
        ...(i.privateIp ? { privateIp: i.privateIp } : {}),
        ...(i.instanceType ? { instanceType: i.instanceType } : {}),
        ...(i.status ? { status: i.status } : {}),
        cpu: single('cpu'),
        memory: single('memory'),
        disk: fullest?.value ?? null,
        diskLabel,
        networkRx: single('network_receive'),
        networkTx: single('network_transmit'),
        lastT: values.length ? Math.max(...values.map((v) => v.t)) : null,
      });
    }
  }
  return rows;
}

export function mappingsView(mappings: LoadedMappings, userDir: string): CloudMappingsView {
  return {
    files: mappings.files.map((f) => ({ ...f })),
    problems: mappings.problems.map((p) => ({ ...p })),
    userDir,
    products: mappings.products.map((p: CloudProductMapping) => ({
      provider: p.provider,
      product: p.product,
      title: p.title,
      metrics: p.metrics.map((m) => ({ canonical: m.canonical, namespace: m.namespace, metric: m.metric, statistic: m.statistic, scale: m.scale, summary: m.summary ?? null })),
    })),
  };
}
