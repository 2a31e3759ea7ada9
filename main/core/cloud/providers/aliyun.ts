// Alibaba CloudMonitor for the collector. Instances come from the metric
// data itself: DescribeMetricLast without Dimensions answers the newest
// point of every instance reporting the product's discovery metric (paged by
// NextToken), and DescribeMetricMetaList says which mapped metrics the
// namespace offers. Data: DescribeMetricList, 50 instances per call (the
// `Dimensions` limit), every page of up to 1440 rows; a call asks for the
// instance only, and per-device metrics come back one row per device.
import { chunk, type CallRunner } from '../clients/cloudErrors.js';
import { ALIYUN_DIMENSIONS_PER_CALL, AliyunCmsClient } from '../clients/aliyun.js';
import { AliyunEcsClient } from '../clients/aliyunEcs.js';
import { STATISTICS } from '../mappings/mappingFile.js';
import type { TimeWindow } from '../collector/cursor.js';
import type { CloudAccountConfig, CloudInstance } from '../collector/types.js';
import { groupBy, itemsPerInstanceAndMetric, perRegion, type CloudProviderAdapter, type Discovery, type FetchedPoint, type PlannedCall, type SeriesItem } from './provider.js';

const NOT_DIMENSIONS = new Set(['timestamp', 'userId', ...STATISTICS.aliyun, 'SampleCount']);

export function createAliyunAdapter(account: CloudAccountConfig, run: CallRunner): CloudProviderAdapter {
  const client = perRegion((region) => new AliyunCmsClient({ accessKeyId: account.accessKeyId, accessKeySecret: account.accessKeySecret, region, ...(account.endpoint ? { endpoint: account.endpoint } : {}) }, { run }));
  const period = account.periodSeconds ?? 60;
  // The metric catalogue is the same in every region; read it once per namespace per discovery round.
  const catalogues = new Map<string, { at: number; names: Promise<Set<string>> }>();
  const offered = (region: string, namespace: string): Promise<Set<string>> => {
    const cached = catalogues.get(namespace);
    if (cached && Date.now() - cached.at < 60_000) return cached.names;
    const names = client(region)
      .describeMetricMetaList(namespace)
      .then((list) => new Set(list.map((m) => m.metricName)));
    catalogues.set(namespace, { at: Date.now(), names });
    names.catch(() => catalogues.delete(namespace));
    return names;
  };

  const ecs = perRegion((region) => new AliyunEcsClient({ accessKeyId: account.accessKeyId, accessKeySecret: account.accessKeySecret, region, ...(account.endpoint ? { endpoint: account.endpoint } : {}) }, { run }));

  return {
    provider: 'aliyun',

    // CMS names ECS instances by id only; ECS DescribeInstances has the names.
    instanceListing(product) {
      if (product.namespace !== 'acs_ecs_dashboard') return undefined;
      return {
        api: 'DescribeInstances',
        permission: 'ecs:DescribeInstances',
        async list(region, known) {
          const listed = await ecs(region).listAll();
          // "A RAM user or RAM role that does not have the permissions … an empty
          // list is returned": with instances in CMS, ask the dry run which it is.
          if (listed.length === 0 && known.length > 0) await ecs(region).mayDescribeInstances();
          return listed;
        },
      };
    },

    async discover(region, product): Promise<Discovery> {
      const namespaces = [...new Set(product.metrics.map((m) => m.namespace))];
      const unavailable: string[] = [];
      for (const namespace of namespaces) {
        const names = await offered(region, namespace);
        for (const m of product.metrics) if (m.namespace === namespace && !names.has(m.metric)) unavailable.push(`${namespace}/${m.metric}`);
      }
      const discoveryMetric = product.discoveryMetric ?? product.metrics[0]!.metric;
      const ids = new Set<string>();
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const page = await client(region).describeMetricLast({ namespace: product.namespace, metricName: discoveryMetric, periodSeconds: period, ...(nextToken ? { nextToken } : {}) });
        for (const row of page.rows) {
          const id = row[product.instanceDimension];
          if (typeof id === 'string' && id) ids.add(id);
        }
        nextToken = page.nextToken;
        pages++;
      } while (nextToken && pages < 1000);
      const instances: CloudInstance[] = [...ids].sort().map((instanceId) => ({ provider: 'aliyun', account: account.name, region, product: product.product, instanceId }));
      return { instances, unavailable };
    },

    items(region, product, discovery) {
      return itemsPerInstanceAndMetric(region, product, discovery);
    },

    plan(items, window): PlannedCall[] {
      const calls: PlannedCall[] = [];
      for (const group of groupBy(items, (i) => `${i.region}|${i.namespace}|${i.metric}`)) {
        for (const batch of chunk(group, ALIYUN_DIMENSIONS_PER_CALL)) {
          const first = batch[0]!;
          calls.push({ api: 'DescribeMetricList', region: first.region, product: first.instance.product, metricKey: `${first.namespace}/${first.metric}`, window, items: batch });
        }
      }
      return calls;
    },

    minimumCalls(items) {
      return groupBy(items, (i) => `${i.region}|${i.namespace}|${i.metric}`).reduce((n, g) => n + Math.ceil(g.length / ALIYUN_DIMENSIONS_PER_CALL), 0);
    },

    async execute(call): Promise<FetchedPoint[]> {
      const dimension = call.items[0]!.mappings[0]!.instanceDimension;
      const byInstance = new Map(call.items.map((i) => [i.instance.instanceId, i]));
      const out: FetchedPoint[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const page = await client(call.region).describeMetricList({
          namespace: call.items[0]!.namespace,
          metricName: call.items[0]!.metric,
          dimensions: call.items.map((i) => ({ [dimension]: i.instance.instanceId })),
          periodSeconds: period,
          startMs: call.window.from,
          endMs: call.window.to,
          ...(nextToken ? { nextToken } : {}),
        });
        for (const row of page.rows) out.push(...pointOfRow(row, dimension, byInstance, call.window));
        nextToken = page.nextToken;
        pages++;
      } while (nextToken && pages < 10_000);
      return out;
    },
  };
}

function pointOfRow(row: Record<string, unknown>, dimension: string, byInstance: ReadonlyMap<string, SeriesItem>, window: TimeWindow): FetchedPoint[] {
  const item = byInstance.get(String(row[dimension] ?? ''));
  const t = Number(row.timestamp);
  if (!item || !Number.isFinite(t) || t < window.from || t >= window.to) return [];
  const dims: Record<string, string> = {};
  const values: Record<string, number> = {};
  for (const [k, v] of Object.entries(row)) {
    if (k === dimension) continue;
    if (NOT_DIMENSIONS.has(k)) {
      const n = Number(v);
      if (k !== 'timestamp' && k !== 'userId' && v !== null && v !== '' && Number.isFinite(n)) values[k] = n;
    } else if (typeof v === 'string' || typeof v === 'number') {
      dims[k] = String(v);
    }
  }
  return [{ item, dims, t, values }];
}

