// What the collector asks of each cloud: find the instances of a product,
// turn instances × mapped metrics into fetch items, pack items into as few
// calls as the API's batch limits allow, and run one call (all its pages).
// One implementation per cloud (aliyun.ts, tencent.ts, huawei.ts); the
// collector owns time windows, cursors, concurrency and retries.
import type { CloudProvider } from '../../../common/clouds.js';
import type { CallRunner } from '../clients/cloudErrors.js';
import type { ListedInstance } from '../clients/listedInstance.js';
import type { TimeWindow } from '../collector/cursor.js';
import type { CloudAccountConfig, CloudInstance, CloudMetricMapping, CloudProductMapping } from '../collector/types.js';

/** One fetched series: a cloud metric of one instance (and, where the cloud needs it named, one sub-dimension set and statistic). */
export interface SeriesItem {
  /** Cursor key: unique per fetched series. */
  readonly key: string;
  readonly region: string;
  readonly instance: CloudInstance;
  readonly namespace: string;
  readonly metric: string;
  /** Sub-dimensions naming the series beyond the instance (Huawei's mount_point, from ListMetrics). */
  readonly subDimensions?: Readonly<Record<string, string>>;
  /** Huawei: the one statistic (`filter`) the item's call asks for. */
  readonly statistic?: string;
  /** The canonical metrics this cloud metric feeds (a CPU average and a CPU maximum share one fetch). */
  readonly mappings: readonly CloudMetricMapping[];
}

export interface FetchedPoint {
  readonly item: SeriesItem;
  /** The row's dimensions beyond the instance (Alibaba's per-device rows). */
  readonly dims: Readonly<Record<string, string>>;
  readonly t: number;
  /** Values by statistic, in the cloud's spelling (Average, avg, average…). */
  readonly values: Readonly<Record<string, number>>;
}

export interface PlannedCall {
  /** The API it calls (the rate-limit bucket). */
  readonly api: string;
  readonly region: string;
  readonly product: string;
  /** Concurrency key below the product: namespace/metric, or `batch` where one call mixes metrics. */
  readonly metricKey: string;
  readonly window: TimeWindow;
  readonly items: readonly SeriesItem[];
}

export interface Discovery {
  readonly instances: readonly CloudInstance[];
  /** Huawei: the series each instance reports (from ListMetrics), keyed by instance id. */
  readonly series?: ReadonlyMap<string, readonly { readonly namespace: string; readonly metric: string; readonly sub: Readonly<Record<string, string>> }[]>;
  /** Mapped metrics the cloud does not offer, as namespace/metric (from its metric catalogue). */
  readonly unavailable: readonly string[];
}

/**
 * The cloud's own list of a product's instances, where its monitoring API
 * names instances by id only (Alibaba and Huawei ECS): names and facts,
 * fetched at each discovery. Its failure never fails the discovery.
 */
export interface InstanceListing {
  /** The API called (its budget, and the note when it fails). */
  readonly api: string;
  /** What the key needs to be granted for it, in the cloud's policy language. */
  readonly permission: string;
  /** Every listed instance of the region; `known` are the ids the monitoring data holds (to tell "none" from "not allowed to see"). */
  list(region: string, known: readonly string[]): Promise<readonly ListedInstance[]>;
}

export interface CloudProviderAdapter {
  readonly provider: CloudProvider;
  discover(region: string, product: CloudProductMapping): Promise<Discovery>;
  /** The instance list that names this product's instances, when discovery itself does not. */
  instanceListing?(product: CloudProductMapping): InstanceListing | undefined;
  items(region: string, product: CloudProductMapping, discovery: Discovery): SeriesItem[];
  /** Calls covering `items` (which share `window`), each within every batch limit of the API. */
  plan(items: readonly SeriesItem[], window: TimeWindow): PlannedCall[];
  /** The fewest calls the batch limits allow for `items` when each asks for one datapoint (the bench's yardstick). */
  minimumCalls(items: readonly SeriesItem[]): number;
  execute(call: PlannedCall): Promise<FetchedPoint[]>;
}

export type ProviderFactory = (account: CloudAccountConfig, run: CallRunner) => CloudProviderAdapter;

export function itemKey(region: string, namespace: string, metric: string, instanceId: string, sub?: Readonly<Record<string, string>>, statistic?: string): string {
  const subKey = sub ? Object.entries(sub).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join(',') : '';
  return `${region}|${namespace}|${metric}|${instanceId}|${subKey}|${statistic ?? ''}`;
}

/** Items for clouds that take instance ids in their queries: one per instance and cloud metric. */
export function itemsPerInstanceAndMetric(region: string, product: CloudProductMapping, discovery: Discovery): SeriesItem[] {
  const unavailable = new Set(discovery.unavailable);
  const byMetric = new Map<string, CloudMetricMapping[]>();
  for (const m of product.metrics) {
    const key = `${m.namespace}/${m.metric}`;
    if (unavailable.has(key)) continue;
    if (!byMetric.has(key)) byMetric.set(key, []);
    byMetric.get(key)!.push(m);
  }
  const out: SeriesItem[] = [];
  for (const mappings of byMetric.values()) {
    const { namespace, metric } = mappings[0]!;
    for (const instance of discovery.instances) {
      out.push({ key: itemKey(region, namespace, metric, instance.instanceId), region, instance, namespace, metric, mappings });
    }
  }
  return out;
}

/** Groups by a key, keeping first-seen order. */
export function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(item);
  }
  return [...groups.values()];
}

/** Periods in a window (the datapoints one series contributes to a call). */
export function pointsIn(window: TimeWindow, periodMs: number): number {
  return Math.max(1, Math.ceil((window.to - window.from) / periodMs));
}

/** One client per region, made on first use (each region has its own endpoint and signing scope). */
export function perRegion<T>(make: (region: string) => T): (region: string) => T {
  const made = new Map<string, T>();
  return (region) => {
    let c = made.get(region);
    if (c === undefined) made.set(region, (c = make(region)));
    return c;
  };
}
