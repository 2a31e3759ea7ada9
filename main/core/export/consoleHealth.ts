// The console's own health, as the /metrics exporter shows it. Counters are
// cumulative since the console started (Prometheus' rate() handles the reset
// when it restarts). The cloud clients record their calls in a CloudApiStats.

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
  /** e.g. "alibaba", "tencent", "huawei". */
  readonly cloud: string;
  /** The API action, e.g. "DescribeMetricList". */
  readonly api: string;
  readonly calls: number;
  readonly throttles: number;
  /** Failed calls by error code (the cloud's code, or "network", "timeout"). */
  readonly errorsByCode: Readonly<Record<string, number>>;
  readonly latency: LatencyHistogram;
}

export interface ConsoleHealth {
  readonly samplesIngested: number;
  readonly sshReconnects: number;
  readonly agentErrors: number;
  readonly alertEvaluations: number;
  /** Size of the SQLite database files (main + WAL) in bytes. */
  readonly dbSizeBytes: number;
  readonly cloudApis: readonly CloudApiHealth[];
}

export const EMPTY_CONSOLE_HEALTH: ConsoleHealth = {
  samplesIngested: 0,
  sshReconnects: 0,
  agentErrors: 0,
  alertEvaluations: 0,
  dbSizeBytes: 0,
  cloudApis: [],
};

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

/** Counts cloud API calls for the exporter; one per console. */
export class CloudApiStats {
  private readonly apis = new Map<string, { cloud: string; api: string; counts: ApiCounts }>();

  constructor(private readonly upperBounds: readonly number[] = CLOUD_API_LATENCY_BOUNDS_SECONDS) {}

  /** One finished call (successful or not). `errorCode` marks a failure; `throttled` a throttling answer. */
  record(cloud: string, api: string, call: { seconds: number; errorCode?: string; throttled?: boolean }): void {
    const key = `${cloud}\u0000${api}`;
    let entry = this.apis.get(key);
    if (!entry) {
      entry = {
        cloud,
        api,
        counts: { calls: 0, throttles: 0, errorsByCode: {}, bucketCounts: this.upperBounds.map(() => 0), count: 0, sumSeconds: 0 },
      };
      this.apis.set(key, entry);
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

  snapshot(): CloudApiHealth[] {
    return [...this.apis.values()].map(({ cloud, api, counts }) => {
      let running = 0;
      return {
        cloud,
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
