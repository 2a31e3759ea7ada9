// Tencent Cloud Monitor for the collector. Instances come from each
// product's own list API (CVM DescribeInstances, CLB DescribeLoadBalancers —
// whose VIP keys the public CLB metrics — and CDB DescribeDBInstances),
// paged by Offset/Limit; DescribeBaseMetrics says which mapped metrics the
// namespace offers. Data: GetMonitorData, at most 10 instances and 1,440
// datapoints per call, so a long (backfill) window shrinks the batch rather
// than losing points; max/min statistics come in the same call
// (SpecifyStatistics).
import { chunk, type CallRunner } from '../clients/cloudErrors.js';
import { TENCENT_INSTANCES_PER_CALL, TENCENT_LIST_PAGE, TENCENT_POINTS_PER_CALL, TencentMonitorClient } from '../clients/tencent.js';
import type { CloudAccountConfig, CloudInstance } from '../collector/types.js';
import { groupBy, itemsPerInstanceAndMetric, pointsIn, perRegion, type CloudProviderAdapter, type Discovery, type FetchedPoint, type PlannedCall } from './provider.js';

export function createTencentAdapter(account: CloudAccountConfig, run: CallRunner): CloudProviderAdapter {
  const client = perRegion((region) => new TencentMonitorClient({ accessKeyId: account.accessKeyId, accessKeySecret: account.accessKeySecret, region, ...(account.endpoint ? { endpoint: account.endpoint } : {}) }, { run }));
  const periodMs = (account.periodSeconds ?? 60) * 1000;
  const instancesPerCall = (points: number) => Math.max(1, Math.min(TENCENT_INSTANCES_PER_CALL, Math.floor(TENCENT_POINTS_PER_CALL / points)));

  return {
    provider: 'tencent',

    async discover(region, product): Promise<Discovery> {
      const unavailable: string[] = [];
      for (const namespace of new Set(product.metrics.map((m) => m.namespace))) {
        const offered = new Map((await client(region).describeBaseMetrics(namespace)).map((m) => [m.metricName.toLowerCase(), m.periods]));
        for (const m of product.metrics) {
          if (m.namespace !== namespace) continue;
          const periods = offered.get(m.metric.toLowerCase());
          // Metric names are case-insensitive in Cloud Monitor (CPUUsage and CpuUsage are one metric).
          if (!periods || (periods.length > 0 && !periods.includes(periodMs / 1000))) unavailable.push(`${namespace}/${m.metric}`);
        }
      }
      const kind = product.discovery as 'cvm' | 'clb' | 'cdb';
      const instances: CloudInstance[] = [];
      for (let offset = 0, total = Infinity; offset < total && offset < 100_000; ) {
        const page = await client(region).listInstances(kind, offset);
        total = page.total;
        for (const i of page.instances) {
          // A CLB without a VIP (an internal one in the public namespace) has no public metrics to ask for.
          if (product.instanceDimension === 'vip' && !i.vip) continue;
          instances.push({ provider: 'tencent', account: account.name, region, product: product.product, instanceId: i.id, ...(i.name ? { name: i.name } : {}), ...(i.vip ? { queryValue: i.vip } : {}) });
        }
        if (page.instances.length === 0) break;
        offset += TENCENT_LIST_PAGE[kind];
      }
      return { instances, unavailable };
    },

    items(region, product, discovery) {
      return itemsPerInstanceAndMetric(region, product, discovery);
    },

    plan(items, window): PlannedCall[] {
      const perCall = instancesPerCall(pointsIn(window, periodMs));
      const calls: PlannedCall[] = [];
      for (const group of groupBy(items, (i) => `${i.region}|${i.namespace}|${i.metric}`)) {
        for (const batch of chunk(group, perCall)) {
          const first = batch[0]!;
          calls.push({ api: 'GetMonitorData', region: first.region, product: first.instance.product, metricKey: `${first.namespace}/${first.metric}`, window, items: batch });
        }
      }
      return calls;
    },

    minimumCalls(items) {
      return groupBy(items, (i) => `${i.region}|${i.namespace}|${i.metric}`).reduce((n, g) => n + Math.ceil(g.length / TENCENT_INSTANCES_PER_CALL), 0);
    },

    async execute(call): Promise<FetchedPoint[]> {
      const first = call.items[0]!;
      const dimension = first.mappings[0]!.instanceDimension;
      const statistics = [...new Set(first.mappings.map((m) => m.statistic))];
      const byQueryValue = new Map(call.items.map((i) => [i.instance.queryValue ?? i.instance.instanceId, i]));
      const series = await client(call.region).getMonitorData({
        namespace: first.namespace,
        metricName: first.metric,
        periodSeconds: periodMs / 1000,
        startMs: call.window.from,
        endMs: call.window.to,
        instances: call.items.map((i) => ({ [dimension]: i.instance.queryValue ?? i.instance.instanceId })),
        ...(statistics.some((s) => s !== 'avg') ? { statistics } : {}),
      });
      const out: FetchedPoint[] = [];
      for (const s of series) {
        const item = byQueryValue.get(s.dimensions[dimension] ?? '');
        if (!item) continue;
        s.timestamps.forEach((t, i) => {
          if (t < call.window.from || t >= call.window.to) return;
          const values: Record<string, number> = {};
          const avg = s.avg?.[i] ?? s.values[i];
          if (typeof avg === 'number') values.avg = avg;
          if (typeof s.max?.[i] === 'number') values.max = s.max[i]!;
          if (typeof s.min?.[i] === 'number') values.min = s.min[i]!;
          out.push({ item, dims: {}, t, values });
        });
      }
      return out;
    },
  };
}
