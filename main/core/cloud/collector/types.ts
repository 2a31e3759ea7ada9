// The seam between the cloud collection engine (discovery, mappings,
// scheduling under each API's quota) and the cloud feature (accounts, secrets,
// provisioning, the store, the UI). The engine knows nothing of the store or
// the UI; the feature knows nothing of batching or signatures.
import type { CloudErrorKind } from '../clients/cloudErrors.js';
import type { CloudApiStats } from '../../export/consoleHealth.js';

export type CloudProvider = 'aliyun' | 'tencent' | 'huawei';

/** Products shipped mappings cover; user mapping files may add more. */
export type CloudProduct = string; // e.g. 'ecs' | 'slb' | 'rds' (canonical product names across clouds)

/** Per-API request budget (token bucket): `ratePerSecond` refill, `burst` capacity. */
export interface ApiLimit {
  readonly ratePerSecond: number;
  readonly burst: number;
}

/** An account as the engine needs it: credentials already read from the secret store. */
export interface CloudAccountConfig {
  /** Unique account name, e.g. `prod-aliyun`; also the `account` label. */
  readonly name: string;
  readonly provider: CloudProvider;
  readonly regions: readonly string[];
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** Huawei: project id per region (region → project id). */
  readonly projectIds?: Readonly<Record<string, string>>;
  /** `host[:port]` override (private endpoints, proxies, the emulators); used for every API of the account. */
  readonly endpoint?: string;
  /** Collection period in seconds (default 60). */
  readonly periodSeconds?: number;
  /** Overrides of the default per-API limits, keyed by API action name (e.g. `DescribeMetricList`). */
  readonly limits?: Readonly<Record<string, ApiLimit>>;
  /** Products to collect (default: all with a mapping for the provider). */
  readonly products?: readonly CloudProduct[];
}

/** One discovered cloud resource. */
export interface CloudInstance {
  readonly provider: CloudProvider;
  readonly account: string;
  readonly region: string;
  readonly product: CloudProduct;
  /** The cloud's id (i-…, ins-…, a UUID for Huawei). */
  readonly instanceId: string;
  /** Display name when discovery knows it (CVM InstanceName…), else undefined. */
  readonly name?: string;
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
}

export interface CloudCollectorStatus {
  readonly account: string;
  readonly state: 'starting' | 'collecting' | 'idle' | 'error' | 'stopped';
  readonly instances: number;
  readonly lastCycleStartedAt: number | null;
  readonly lastCycleDurationMs: number | null;
  /** API calls the last cycle made. */
  readonly lastCycleCalls: number | null;
  readonly lastDiscoveryAt: number | null;
  /** Most recent errors (bounded, newest first). */
  readonly recentErrors: readonly CloudCycleError[];
  /** Series whose cursor lags behind the settled window (a backfill is pending). */
  readonly laggingSeries: number;
}

export interface CloudCollectorOptions {
  readonly account: CloudAccountConfig;
  /** Canonical mappings (from resources/cloud-mappings plus user files). */
  readonly mappings: readonly CloudMetricMapping[];
  /** Every API call is recorded here (calls, throttles, errors by code, latency). */
  readonly stats: CloudApiStats;
  /** Datapoints of a cycle, in batches; may carry timestamps in the past (backfill). */
  readonly onSamples: (samples: readonly CloudSample[]) => void;
  /** Discovery results, after each refresh. */
  readonly onInstances?: (instances: readonly CloudInstance[]) => void;
  readonly onStatus?: (status: CloudCollectorStatus) => void;
  readonly now?: () => number;
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
  /** Unit of the canonical value (ratio, bytes, bytes_per_second, count, per_second, seconds). */
  readonly unit: string;
  /** The cloud's namespace (acs_ecs_dashboard, QCE/CVM, SYS.ECS). */
  readonly namespace: string;
  /** The cloud's metric name (CPUUtilization, CpuUsage, cpu_util). */
  readonly metric: string;
  /** Dimension names identifying the instance in this cloud's API (instanceId, InstanceId, instance_id). */
  readonly dimensions: readonly string[];
  /** Which statistic to take (Average, Maximum, …; cloud-specific spelling). */
  readonly statistic: string;
  /** Multiply the cloud's value by this to get the canonical unit (e.g. 0.01 for percent → ratio, 1/8 for bits → bytes). */
  readonly scale: number;
  /** The file and the entry it came from, for error messages. */
  readonly source: { readonly file: string; readonly index: number };
}

export interface CloudTestResult {
  readonly ok: boolean;
  /** On failure: the classified kind and the cloud's own code and message ("credentials rejected: SignatureDoesNotMatch …"). */
  readonly kind?: CloudErrorKind;
  readonly code?: string;
  readonly message: string;
  /** On success: instances found per region (discovery of the first product), to show "12 instances in cn-hangzhou". */
  readonly instancesByRegion?: Readonly<Record<string, number>>;
}
