// Huawei Cloud Eye for the collector. ListMetrics (paged by marker) lists
// every series a namespace holds: it is both the instance discovery and the
// exact set of series to ask for, so agent metrics are only requested from
// instances that report them, with their mount points. Data:
// BatchListMetricData packs up to 500 series of any metric per call, one
// statistic (`filter`) per call, within "metrics × (to − from) / period ≤
// 3000" (a longer window makes smaller batches rather than letting the
// service trim `from`).
import { chunk, type CallRunner } from '../clients/cloudErrors.js';
import { HUAWEI_METRICS_PER_CALL, HUAWEI_POINTS_PER_CALL, HuaweiCesClient, huaweiPeriodOf } from '../clients/huawei.js';
import { HuaweiEcsClient } from '../clients/huaweiEcs.js';
import type { CloudAccountConfig, CloudInstance, CloudMetricMapping } from '../collector/types.js';
import { groupBy, itemKey, pointsIn, perRegion, type CloudProviderAdapter, type Discovery, type FetchedPoint, type PlannedCall, type SeriesItem } from './provider.js';

export function createHuaweiAdapter(account: CloudAccountConfig, run: CallRunner): CloudProviderAdapter {
  const client = perRegion((region) => {
    const projectId = account.projectIds?.[region];
    if (!projectId) throw new Error(`no project id for region ${region}; Huawei needs one per region`);
    return new HuaweiCesClient({ accessKeyId: account.accessKeyId, accessKeySecret: account.accessKeySecret, region, projectId, ...(account.endpoint ? { endpoint: account.endpoint } : {}) }, { run });
  });
  const ecs = perRegion((region) => new HuaweiEcsClient({ accessKeyId: account.accessKeyId, accessKeySecret: account.accessKeySecret, region, projectId: account.projectIds?.[region] ?? '', ...(account.endpoint ? { endpoint: account.endpoint } : {}) }, { run }));
  const periodMs = (account.periodSeconds ?? 60) * 1000;
  const period = huaweiPeriodOf(periodMs / 1000);
  const perCall = (points: number) => Math.max(1, Math.min(HUAWEI_METRICS_PER_CALL, Math.floor(HUAWEI_POINTS_PER_CALL / points)));

  return {
    provider: 'huawei',

    // Cloud Eye names servers by id only; ECS ListServersDetails has the names.
    instanceListing(product) {
      if (product.namespace !== 'SYS.ECS') return undefined;
      return { api: 'ListServersDetails', permission: 'ecs:cloudServers:list', list: (region) => ecs(region).listAll() };
    },

    async discover(region, product): Promise<Discovery> {
      const series = new Map<string, { namespace: string; metric: string; sub: Record<string, string> }[]>();
      const ids = new Set<string>();
      const unavailable: string[] = [];
      for (const m of uniqueMetrics(product.metrics)) {
        let marker: string | undefined;
        let found = 0;
        for (let pages = 0; pages < 1000; pages++) {
          const page = await client(region).listMetrics({ namespace: m.namespace, metricName: m.metric, ...(marker ? { marker } : {}) });
          for (const s of page.series) {
            const id = s.dimensions.find((d) => d.name === m.instanceDimension)?.value;
            if (!id) continue;
            found++;
            if (m.namespace === product.namespace) ids.add(id);
            const sub = Object.fromEntries(s.dimensions.filter((d) => d.name !== m.instanceDimension).map((d) => [d.name, d.value]));
            if (!series.has(id)) series.set(id, []);
            series.get(id)!.push({ namespace: m.namespace, metric: m.metric, sub });
          }
          marker = page.marker;
          if (!marker) break;
        }
        if (found === 0) unavailable.push(`${m.namespace}/${m.metric}`);
      }
      const instances: CloudInstance[] = [...ids].sort().map((instanceId) => ({ provider: 'huawei', account: account.name, region, product: product.product, instanceId }));
      // Series of instances outside the product's main namespace listing (an agent-only listing) are left out.
      for (const id of [...series.keys()]) if (!ids.has(id)) series.delete(id);
      return { instances, series, unavailable };
    },

    items(region, product, discovery): SeriesItem[] {
      const out: SeriesItem[] = [];
      for (const instance of discovery.instances) {
        for (const s of discovery.series?.get(instance.instanceId) ?? []) {
          const mappings = product.metrics.filter((m) => m.namespace === s.namespace && m.metric === s.metric);
          for (const statistic of new Set(mappings.map((m) => m.statistic))) {
            const sub = Object.keys(s.sub).length ? s.sub : undefined;
            out.push({
              key: itemKey(region, s.namespace, s.metric, instance.instanceId, sub, statistic),
              region,
              instance,
              namespace: s.namespace,
              metric: s.metric,
              ...(sub ? { subDimensions: sub } : {}),
              statistic,
              mappings: mappings.filter((m) => m.statistic === statistic),
            });
          }
        }
      }
      return out;
    },

    plan(items, window): PlannedCall[] {
      const size = perCall(pointsIn(window, periodMs));
      const calls: PlannedCall[] = [];
      for (const group of groupBy(items, (i) => `${i.region}|${i.statistic}`)) {
        for (const batch of chunk(group, size)) {
          const first = batch[0]!;
          calls.push({ api: 'BatchListMetricData', region: first.region, product: first.instance.product, metricKey: `batch/${first.statistic}`, window, items: batch });
        }
      }
      return calls;
    },

    minimumCalls(items) {
      return groupBy(items, (i) => `${i.region}|${i.statistic}`).reduce((n, g) => n + Math.ceil(g.length / HUAWEI_METRICS_PER_CALL), 0);
    },

    async execute(call): Promise<FetchedPoint[]> {
      const dimsOf = (i: SeriesItem) => [{ name: i.mappings[0]!.instanceDimension, value: i.instance.instanceId }, ...Object.entries(i.subDimensions ?? {}).map(([name, value]) => ({ name, value }))];
      const keyOf = (namespace: string, metric: string, dims: readonly { name: string; value: string }[]) => `${namespace}|${metric}|${dims.map((d) => `${d.name}=${d.value}`).join(',')}`;
      const byKey = new Map(call.items.map((i) => [keyOf(i.namespace, i.metric, dimsOf(i)), i]));
      const filter = call.items[0]!.statistic!;
      const data = await client(call.region).batchListMetricData({
        series: call.items.map((i) => ({ namespace: i.namespace, metricName: i.metric, dimensions: dimsOf(i) })),
        period,
        filter,
        startMs: call.window.from,
        endMs: call.window.to,
      });
      const out: FetchedPoint[] = [];
      for (const s of data) {
        const item = byKey.get(keyOf(s.namespace, s.metricName, s.dimensions));
        if (!item) continue;
        for (const p of s.points) {
          if (p.t < call.window.from || p.t >= call.window.to) continue;
          out.push({ item, dims: item.subDimensions ?? {}, t: p.t, values: { [filter]: p.value } });
        }
      }
      return out;
    },
  };
}

function uniqueMetrics(metrics: readonly CloudMetricMapping[]): CloudMetricMapping[] {
  const seen = new Set<string>();
  return metrics.filter((m) => {
    const key = `${m.namespace}/${m.metric}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
