// What the cloud collectors count of their own work, per cloud, account and
// API: calls, throttles, errors by code, latency, and each account's last
// collection cycle. One per console (the cloud feature's); the account screen
// and /metrics (cloud/exposition.ts) read it.

/** Latency of one cloud API as a cumulative histogram (Prometheus `le` buckets). */
export interface LatencyHistogram {
  /** Upper bounds in seconds, ascending, without +Inf (the total count is the +Inf bucket). */
  readonly upperBounds: readonly number[];
  /** Observations ≤ each upper bound (cumulative), same length as upperBounds. */
  readonly cumulativeCounts: readonly number[];
  readonly count: number;
  readonly sumSeconds: number;
}

export interface CloudApiHealth {
  /** The provider: "aliyun", "tencent", "huawei" (the `cloud` label of cloud series). */
  readonly cloud: string;
  /** The account name (quotas are counted per account, so its calls are too). */
  readonly account: string;
  /** The API action, e.g. "DescribeMetricList". */
  readonly api: string;
  readonly calls: number;
  readonly throttles: number;
  /** Failed calls by error code (the cloud's code, or "network", "timeout"). */
  readonly errorsByCode: Readonly<Record<string, number>>;
  readonly latency: LatencyHistogram;
}

/** One account's last collection cycle. */
export interface CloudCycleHealth {
  readonly cloud: string;
  readonly account: string;
  readonly cycles: number;
  readonly lastDurationSeconds: number;
  /** API calls of the last cycle (pages included) and the fewest its batch limits allow. */
  readonly lastCalls: number;
  readonly lastMinimumCalls: number;
  readonly lastSamples: number;
  readonly instances: number;
  readonly laggingSeries: number;
}

/**
 * Cloud monitoring APIs answer in tens of milliseconds to a few seconds;
 * beyond 10 s the clients' own timeouts fire.
 */
export const CLOUD_API_LATENCY_BOUNDS_SECONDS: readonly number[] = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface ApiCounts {
  calls: number;
  throttles: number;
  errorsByCode: Record<string, number>;
  bucketCounts: number[];
  count: number;
  sumSeconds: number;
}

export interface CloudApiKey {
  readonly cloud: string;
  readonly account: string;
  readonly api: string;
}

/** Counts cloud API calls and collection cycles for the exporter and the UI; one per console. */
export class CloudApiStats {
  private readonly apis = new Map<string, { cloud: string; account: string; api: string; counts: ApiCounts }>();
  private readonly cycles = new Map<string, CloudCycleHealth>();

  constructor(private readonly upperBounds: readonly number[] = CLOUD_API_LATENCY_BOUNDS_SECONDS) {}

  /** One finished call (successful or not). `errorCode` marks a failure; `throttled` a throttling answer. */
  record(key: CloudApiKey, call: { seconds: number; errorCode?: string; throttled?: boolean }): void {
    const { cloud, account, api } = key;
    const mapKey = `${cloud}\u0000${account}\u0000${api}`;
    let entry = this.apis.get(mapKey);
    if (!entry) {
      entry = {
        cloud,
        account,
        api,
        counts: { calls: 0, throttles: 0, errorsByCode: {}, bucketCounts: this.upperBounds.map(() => 0), count: 0, sumSeconds: 0 },
      };
      this.apis.set(mapKey, entry);
    }
    const c = entry.counts;
    c.calls++;
    if (call.throttled) c.throttles++;
    if (call.errorCode !== undefined) c.errorsByCode[call.errorCode] = (c.errorsByCode[call.errorCode] ?? 0) + 1;
    const seconds = Number.isFinite(call.seconds) && call.seconds >= 0 ? call.seconds : 0;
    c.count++;
    c.sumSeconds += seconds;
    const bucket = this.upperBounds.findIndex((bound) => seconds <= bound);
    if (bucket >= 0) c.bucketCounts[bucket]!++;
  }

  /** A finished collection cycle of an account. */
  recordCycle(cycle: Omit<CloudCycleHealth, 'cycles'>): void {
    const key = `${cycle.cloud}\u0000${cycle.account}`;
    this.cycles.set(key, { ...cycle, cycles: (this.cycles.get(key)?.cycles ?? 0) + 1 });
  }

  /** An account was removed: its figures leave the exporter (its counters restart if it comes back, as after a restart). */
  forget(cloud: string, account: string): void {
    for (const [key, entry] of this.apis) if (entry.cloud === cloud && entry.account === account) this.apis.delete(key);
    this.cycles.delete(`${cloud}\u0000${account}`);
  }

  cycleSnapshot(): CloudCycleHealth[] {
    return [...this.cycles.values()];
  }

  snapshot(): CloudApiHealth[] {
    return [...this.apis.values()].map(({ cloud, account, api, counts }) => {
      let running = 0;
      return {
        cloud,
        account,
        api,
        calls: counts.calls,
        throttles: counts.throttles,
        errorsByCode: { ...counts.errorsByCode },
        latency: {
          upperBounds: this.upperBounds,
          cumulativeCounts: counts.bucketCounts.map((n) => (running += n)),
          count: counts.count,
          sumSeconds: counts.sumSeconds,
        },
      };
    });
  }
}
