// The seam between the cloud collection engine (discovery, mappings,
// scheduling under each API's quota) and the cloud feature (accounts, secrets,
// provisioning, the store, the UI). The engine knows nothing of the store or
// the UI; the feature knows nothing of batching or signatures.
import type { CloudProvider, CloudSummaryKey } from '../../../common/clouds.js';
import type { MetricUnit } from '../../../common/metrics.js';
import type { CloudErrorKind } from '../clients/cloudErrors.js';
import type { CloudApiStats } from '../apiStats.js';

export type { CloudProvider } from '../../../common/clouds.js';

/** Canonical product names across clouds ('ecs', 'slb', 'rds', or a user mapping's). */
export type CloudProduct = string;

/** Per-API request budget (token bucket): `ratePerSecond` refill, `burst` capacity. */
export interface ApiLimit {
  readonly ratePerSecond: number;
  readonly burst: number;
}

/** What an account says about itself, whoever defined it (UI, provisioning file), without its keys. */
export interface CloudAccountSettings {
  /** Unique account name, e.g. `prod-aliyun`; also the `account` label. */
  readonly name: string;
  readonly provider: CloudProvider;
  readonly regions: readonly string[];
  /** Huawei: project id per region (region → project id). */
  readonly projectIds?: Readonly<Record<string, string>>;
  /** `host[:port]` override (private endpoints, proxies, the emulators); used for every API of the account. */
  readonly endpoint?: string;
  /** Granularity of the datapoints asked for, in seconds (default 60). */
  readonly periodSeconds?: number;
  /** How often a collection cycle runs, in seconds (default: the period). Longer intervals fetch several points per call and cost fewer calls. */
  readonly intervalSeconds?: number;
  /** How long after a period ends its datapoint is taken as final (default per cloud, see defaults.ts). */
  readonly delaySeconds?: number;
  /** How far back a cycle reaches for a series that fell behind (failed or late cycles, an outage). */
  readonly maxBackfillSeconds?: number;
  /** Discovery refresh interval in seconds (default 600). */
  readonly discoveryIntervalSeconds?: number;
  /** Overrides of the default per-API limits, keyed by API action name (e.g. `DescribeMetricList`). */
  readonly limits?: Readonly<Record<string, ApiLimit>>;
  /** Products to collect (default: all with a mapping for the provider). */
  readonly products?: readonly CloudProduct[];
}

/** An account as the engine needs it: credentials already read from the secret store. */
export interface CloudAccountConfig extends CloudAccountSettings {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
}

/** One discovered cloud resource. */
export interface CloudInstance {
  readonly provider: CloudProvider;
  readonly account: string;
  readonly region: string;
  readonly product: CloudProduct;
  /** The cloud's id (i-…, ins-…, lb-…, a UUID for Huawei); the `instance` label. */
  readonly instanceId: string;
  /** Display name when discovery knows it (CVM InstanceName, ECS DescribeInstances / ListServersDetails), else undefined. */
  readonly name?: string;
  /** From the cloud's instance list, where one is read: primary private IPv4, type or flavor, lifecycle state in the cloud's word. */
  readonly privateIp?: string;
  readonly instanceType?: string;
  readonly status?: string;
  /**
   * The value identifying the instance in monitoring queries, when it is not
   * the id: Tencent's public CLB metrics are keyed by the load balancer's VIP.
   */
  readonly queryValue?: string;
}

/** One collected datapoint under its canonical name (e.g. cloud_cpu_utilization_ratio), unit already scaled. */
export interface CloudSample {
  readonly instance: CloudInstance;
  /** Canonical metric name from the mapping. */
  readonly metric: string;
  /** Extra labels from the mapping's dimensions (e.g. `device` for a disk), beyond the instance. */
  readonly labels?: Readonly<Record<string, string>>;
  /** ms since the epoch: the datapoint's own timestamp (the cloud's period start). */
  readonly t: number;
  readonly value: number;
}

export interface CloudCycleError {
  readonly at: number;
  readonly region?: string;
  readonly api: string;
  readonly kind: CloudErrorKind;
  /** The cloud's own code, e.g. SignatureDoesNotMatch, Throttling.User, RequestLimitExceeded. */
  readonly code: string;
  /** Human-readable, never containing the secret. */
  readonly message: string;
  /** How many times this same error happened in a row (repeats are folded into one entry). */
  readonly count: number;
}

/**
 * Why the instances of a product in a region show ids instead of names: the
 * instance list was refused (`permission_denied`: the key may read the
 * monitoring data but not the list) or failed (throttled past its retries,
 * unreachable, refused: the names of the last listing stay).
 */
export interface CloudNamesProblem {
  readonly region: string;
  readonly product: string;
  readonly api: string;
  readonly kind: 'permission_denied' | 'failed';
  readonly code: string;
  /** The cloud's words, never the secret. */
  readonly message: string;
  /** What to grant (ecs:DescribeInstances, ecs:cloudServers:list). */
  readonly permission: string;
  readonly at: number;
}

export type CloudCollectorState = 'starting' | 'collecting' | 'idle' | 'error' | 'stopped';

export interface CloudCollectorStatus {
  readonly account: string;
  readonly state: CloudCollectorState;
  /** Why the state is `error` (credentials rejected…), in the cloud's own words. */
  readonly stateDetail?: string;
  readonly instances: number;
  readonly instancesByProduct: Readonly<Record<string, number>>;
  readonly lastCycleStartedAt: number | null;
  readonly lastCycleDurationMs: number | null;
  /** Data calls the last cycle made (pages included), and the fewest its batches allow. */
  readonly lastCycleCalls: number | null;
  readonly lastCycleMinimumCalls: number | null;
  /** Calls of the discovery the last cycle began with (metric and instance lists; 0 when it ran none). */
  readonly lastCycleDiscoveryCalls: number | null;
  readonly lastCycleSamples: number | null;
  readonly lastDiscoveryAt: number | null;
  /** Calls the last discovery made (metric and instance lists, pages included); it runs every few cycles, so this outlives the cycle it ran in. */
  readonly lastDiscoveryCalls: number | null;
  /** End of the newest settled window collected (every series is complete up to here unless lagging). */
  readonly collectedUntil: number | null;
  /** Most recent errors (bounded, newest first). */
  readonly recentErrors: readonly CloudCycleError[];
  /** Series whose cursor lags behind the settled window (a backfill is pending). */
  readonly laggingSeries: number;
  /** Mapped metrics the cloud does not offer here (from DescribeMetricMetaList / DescribeBaseMetrics), as namespace/metric. */
  readonly unavailableMetrics: readonly string[];
  /** Products whose instance names could not be listed at the last discovery. */
  readonly namesProblems: readonly CloudNamesProblem[];
}

export interface CloudCollectorOptions {
  readonly account: CloudAccountConfig;
  /** Canonical mappings (from resources/cloud-mappings plus user files), every provider's; the collector picks its own. */
  readonly mappings: readonly CloudProductMapping[];
  /** Every API call is recorded here (calls, throttles, errors by code, latency). */
  readonly stats: CloudApiStats;
  /** Datapoints of a cycle, in batches, each series in increasing time order; may carry timestamps in the past (backfill). */
  readonly onSamples: (samples: readonly CloudSample[]) => void;
  /** Discovery results, after each refresh. */
  readonly onInstances?: (instances: readonly CloudInstance[]) => void;
  readonly onStatus?: (status: CloudCollectorStatus) => void;
  readonly now?: () => number;
  /**
   * The time an earlier collector of this account had every series complete
   * up to (its collectedUntil): series with no cursor yet start there when
   * that is further back than the first-start lookback, so a restart
   * backfills the gap (within the maximum backfill). See windowFor.
   */
  readonly resumeFrom?: number;
}

export interface CloudCollector {
  start(): void;
  /** Stops scheduling, aborts waiting calls, resolves when in-flight calls have settled; no onSamples after it resolves. */
  stop(): Promise<void>;
  status(): CloudCollectorStatus;
  instances(): readonly CloudInstance[];
}

/** One canonical metric of one product on one cloud (a row of a mapping file). */
export interface CloudMetricMapping {
  readonly provider: CloudProvider;
  readonly product: CloudProduct;
  /** Canonical name, e.g. cloud_cpu_utilization_ratio, cloud_network_receive_bytes_per_second. */
  readonly canonical: string;
  readonly help: string;
  /** Unit of the canonical value; the name ends in it. */
  readonly unit: MetricUnit;
  /** The overview column it feeds, if any. */
  readonly summary?: CloudSummaryKey;
  /** The cloud's namespace (acs_ecs_dashboard, QCE/CVM, SYS.ECS). */
  readonly namespace: string;
  /** The cloud's metric name (CPUUtilization, CPUUsage, cpu_util). */
  readonly metric: string;
  /** Dimension name identifying the instance in this cloud's API (instanceId, InstanceId, instance_id). */
  readonly instanceDimension: string;
  /** Our label → the cloud's dimension filling it (per-disk, per-mount series). */
  readonly labels: Readonly<Record<string, string>>;
  /** Which statistic to take (Average, avg, average…; cloud-specific spelling). */
  readonly statistic: string;
  /** Multiply the cloud's value by this to get the canonical unit (e.g. 0.01 for percent → ratio, 0.125 for bits → bytes). */
  readonly scale: number;
  /** The file and the entry it came from, for error messages. */
  readonly source: { readonly file: string; readonly index: number };
}

/** One product on one cloud: how its instances are found and what is collected. */
export interface CloudProductMapping {
  readonly provider: CloudProvider;
  readonly product: CloudProduct;
  readonly title: string;
  readonly namespace: string;
  readonly instanceDimension: string;
  /** metric_data (Alibaba), cvm / clb / cdb (Tencent), list_metrics (Huawei). */
  readonly discovery: string;
  readonly discoveryMetric?: string;
  readonly metrics: readonly CloudMetricMapping[];
}

export interface CloudTestResult {
  readonly ok: boolean;
  /** On failure: the classified kind and the cloud's own code and message ("credentials rejected: SignatureDoesNotMatch …"). */
  readonly kind?: CloudErrorKind | 'config';
  readonly code?: string;
  readonly message: string;
  /** Instances found per region and product, to show "12 ecs in cn-hangzhou". */
  readonly instances?: readonly { readonly region: string; readonly product: string; readonly count: number }[];
  /** The keys read the metrics but may not list the instances that name them: collection works, with ids for names. */
  readonly namesDenied?: { readonly region: string; readonly product: string; readonly api: string; readonly code: string; readonly permission: string };
}
