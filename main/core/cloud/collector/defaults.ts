// Published quotas of the APIs the collectors call, and the console's default
// budget for each (kept below the quota so a second tool on the same key, or
// a retry, does not tip it over). Users override them per account
// (`limits:` in the provisioning file).
import type { CloudProvider } from '../../../common/clouds.js';
import type { ApiLimit } from './types.js';

export interface ApiQuota {
  /** The published limit in calls per second, or null when none is published. */
  readonly publishedPerSecond: number | null;
  readonly source: string;
  readonly budget: ApiLimit;
}

export const API_QUOTAS: Readonly<Record<CloudProvider, Readonly<Record<string, ApiQuota>>>> = {
  aliyun: {
    // "Each API operation can be called up to 50 times per second. An Alibaba
    // Cloud account and the RAM users within the account share the quota."
    // (CMS 2019-01-01 API reference for DescribeMetricList / DescribeMetricLast,
    // also in @alicloud/cms20190101's JSDoc).
    DescribeMetricList: { publishedPerSecond: 50, source: 'help.aliyun.com/document_detail/51936.html', budget: { ratePerSecond: 40, burst: 10 } },
    DescribeMetricLast: { publishedPerSecond: 50, source: 'help.aliyun.com/document_detail/51939.html', budget: { ratePerSecond: 40, burst: 10 } },
    // No published figure; it is called once per namespace per discovery.
    DescribeMetricMetaList: { publishedPerSecond: null, source: 'help.aliyun.com/document_detail/98846.html', budget: { ratePerSecond: 5, burst: 2 } },
    // ECS (for instance names, once per discovery, 100 a page): ECS throttles
    // every API per region with thresholds shown only in the Quota Center, a
    // throttled minute blocks the next one, and the advice is to probe at
    // 1 QPS after throttling (help.aliyun.com/zh/ecs/developer-reference/api-throttling).
    // A few calls a second keeps well below any threshold that page shows.
    DescribeInstances: { publishedPerSecond: null, source: 'help.aliyun.com/zh/ecs/developer-reference/api-throttling', budget: { ratePerSecond: 2, burst: 2 } },
  },
  tencent: {
    // "API call rate limit: 20 calls/second (1,200 calls/minute). A single
    // request can get the data of up to 10 instances and up to 1,440 data points."
    GetMonitorData: { publishedPerSecond: 20, source: 'GetMonitorData API reference, monitor 2018-07-24', budget: { ratePerSecond: 16, burst: 4 } },
    DescribeBaseMetrics: { publishedPerSecond: 20, source: 'tencentcloud.com/document/api/248/33882', budget: { ratePerSecond: 10, burst: 2 } },
    // CVM DescribeInstances: 40 calls/s by default (cloud.tencent.com/document/api/213/15728).
    DescribeInstances: { publishedPerSecond: 40, source: 'cloud.tencent.com/document/api/213/15728', budget: { ratePerSecond: 20, burst: 5 } },
    DescribeLoadBalancers: { publishedPerSecond: 20, source: 'cloud.tencent.com/document/api/214/30667', budget: { ratePerSecond: 10, burst: 2 } },
    DescribeDBInstances: { publishedPerSecond: null, source: 'cloud.tencent.com/document/api/236/15872', budget: { ratePerSecond: 10, burst: 2 } },
  },
  huawei: {
    // "单个API的调用次数限制为500次/分钟" — 500 calls per minute per API; ces.0429
    // or "Too Many Requests" when exceeded (support.huaweicloud.com/api-ces/ces_03_0034.html).
    BatchListMetricData: { publishedPerSecond: 500 / 60, source: 'support.huaweicloud.com/api-ces/ces_03_0034.html', budget: { ratePerSecond: 6, burst: 3 } },
    ListMetrics: { publishedPerSecond: null, source: 'support.huaweicloud.com/api-ces/ces_03_0002.html', budget: { ratePerSecond: 3, burst: 2 } },
    // ECS ListServersDetails (instance names, once per discovery, 1000 a page):
    // the reference publishes no rate (support.huaweicloud.com/api-ecs/zh-cn_topic_0094148850.html);
    // one or two calls per region per discovery need no more than this.
    ListServersDetails: { publishedPerSecond: null, source: 'support.huaweicloud.com/api-ecs/zh-cn_topic_0094148850.html', budget: { ratePerSecond: 1, burst: 2 } },
  },
};

/** The budget for an API without an entry above (a new API): cautious. */
export const FALLBACK_BUDGET: ApiLimit = { ratePerSecond: 2, burst: 1 };

export function defaultLimit(provider: CloudProvider, api: string): ApiLimit {
  return API_QUOTAS[provider][api]?.budget ?? FALLBACK_BUDGET;
}

/**
 * How long after a period ends its datapoint is taken as final. The clouds
 * aggregate minutes later than they end (CMS and Cloud Monitor charts show the
 * last minute one to two minutes late; Cloud Eye's aggregation lags more); a
 * point collected too early would be a partial value that is never corrected,
 * since the store keeps the first value of a timestamp. Per account `delay:`.
 */
export const DEFAULT_DELAY_SECONDS: Readonly<Record<CloudProvider, number>> = { aliyun: 120, tencent: 120, huawei: 180 };

/**
 * Free monthly calls before the cloud bills them: Alibaba's 1,000,000 are
 * shared by DescribeMetricLast/List/Data/Top (CMS API reference, "Limits");
 * Tencent's 1,000,000 are for GetMonitorData (billing since 2022-09-01,
 * cloud.tencent.com/document/product/248/77914). Huawei publishes none.
 */
export const FREE_MONTHLY_CALLS: Readonly<Record<CloudProvider, { readonly calls: number; readonly apis: readonly string[] } | null>> = {
  aliyun: { calls: 1_000_000, apis: ['DescribeMetricList', 'DescribeMetricLast'] },
  tencent: { calls: 1_000_000, apis: ['GetMonitorData'] },
  huawei: null,
};

export const DEFAULT_PERIOD_SECONDS = 60;
export const DEFAULT_DISCOVERY_INTERVAL_SECONDS = 600;
/** A series that fell behind catches up over at most this much history (an outage longer than this leaves a gap). */
export const DEFAULT_MAX_BACKFILL_SECONDS = 6 * 3600;
/** A cycle catches up at most this much history per series, so a long backfill is spread over a few cycles. */
export const MAX_CATCH_UP_PER_CYCLE_SECONDS = 3 * 3600;
/** What a new instance's first cycle fetches, so its charts are not empty at first. */
export const INITIAL_LOOKBACK_SECONDS = 15 * 60;

/** In-flight calls per account, per region, per product and per metric. */
export const DEFAULT_CONCURRENCY = { account: 12, region: 8, product: 6, metric: 4 } as const;

/** Retries of one call inside a cycle; what still fails is retried by the next cycle's window. */
export const RETRY = { throttledAttempts: 5, networkAttempts: 3, baseDelayMs: 1000, maxDelayMs: 20_000 } as const;
