// Thin Tencent Cloud clients over the official SDK's per-product packages
// (tencentcloud-sdk-nodejs-monitor and -cvm: the same SDK and TC3 signer as
// tencentcloud-sdk-nodejs at a twelfth of its install size) and the SDK's
// CommonClient for CLB and CDB, whose product packages we do not need whole
// for one list call each. One method per API call; every call goes through
// the caller's runner.
import { CommonClient } from 'tencentcloud-sdk-nodejs-common';
import * as tencentCvm from 'tencentcloud-sdk-nodejs-cvm';
import * as tencentMonitor from 'tencentcloud-sdk-nodejs-monitor';
import { CALL_TIMEOUT_MS, CloudApiError, chunk, networkCodeOf, protocolFor, runDirectly, type CallRunner, type CloudCredentials, type CloudDatapoint } from './cloudErrors.js';

/** GetMonitorData: at most 10 instances and 1,440 datapoints per request (Monitor API reference). */
export const TENCENT_INSTANCES_PER_CALL = 10;
export const TENCENT_POINTS_PER_CALL = 1440;
/** DescribeInstances / DescribeLoadBalancers page at most 100; DescribeDBInstances up to 2000. */
export const TENCENT_LIST_PAGE: Readonly<Record<'cvm' | 'clb' | 'cdb', number>> = { cvm: 100, clb: 100, cdb: 2000 };

export interface TencentMetricQuery {
  namespace: string; // e.g. QCE/CVM
  metricName: string; // e.g. CPUUsage
  instanceIds: string[];
  /** Dimension name carrying the instance id; CVM uses `InstanceId`, some products `instanceid`. */
  dimensionName?: string;
  periodSeconds: number;
  startMs: number;
  endMs: number;
  instancesPerCall?: number;
}

export interface TencentSeries {
  readonly dimensions: Readonly<Record<string, string>>;
  /** ms since the epoch. */
  readonly timestamps: readonly number[];
  readonly values: readonly number[];
  readonly avg?: readonly number[];
  readonly max?: readonly number[];
  readonly min?: readonly number[];
}

export interface TencentListedInstance {
  readonly id: string;
  readonly name?: string;
  /** CLB: the VIP its public metrics are keyed by. */
  readonly vip?: string;
}

/** SpecifyStatistics bits: "avg，max，min，分别为二进制1，2，4" (GetMonitorData reference). */
export const TENCENT_STATISTIC_BITS: Readonly<Record<string, number>> = { avg: 1, max: 2, min: 4 };

const MonitorClient = tencentMonitor.monitor.v20180724.Client;
const CvmClient = tencentCvm.cvm.v20170312.Client;

/** Tencent takes ISO 8601 with an offset; seconds are its resolution. */
function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

export class TencentMonitorClient {
  private readonly monitor: InstanceType<typeof MonitorClient>;
  private readonly cvm: InstanceType<typeof CvmClient>;
  private readonly clb: CommonClient;
  private readonly cdb: CommonClient;
  private readonly run: CallRunner;

  constructor(credentials: CloudCredentials, options: { run?: CallRunner } = {}) {
    this.run = options.run ?? runDirectly;
    const config = (defaultHost: string) => {
      const endpoint = credentials.endpoint ?? defaultHost;
      return {
        credential: { secretId: credentials.accessKeyId, secretKey: credentials.accessKeySecret },
        region: credentials.region,
        profile: { httpProfile: { endpoint, protocol: `${protocolFor(endpoint)}://`, reqTimeout: CALL_TIMEOUT_MS / 1000 } },
      };
    };
    this.monitor = new MonitorClient(config('monitor.tencentcloudapi.com'));
    this.cvm = new CvmClient(config('cvm.tencentcloudapi.com'));
    this.clb = new CommonClient('clb.tencentcloudapi.com', '2018-03-17', config('clb.tencentcloudapi.com'));
    this.cdb = new CommonClient('cdb.tencentcloudapi.com', '2017-03-20', config('cdb.tencentcloudapi.com'));
  }

  /**
   * One GetMonitorData call: up to 10 instances, each identified by its
   * dimension set. Tencent's window is inclusive at both ends; callers pass
   * [startMs, endMs) and the end moves back a second.
   */
  getMonitorData(q: {
    namespace: string;
    metricName: string;
    periodSeconds: number;
    startMs: number;
    endMs: number;
    instances: readonly Readonly<Record<string, string>>[];
    statistics?: readonly string[];
  }): Promise<TencentSeries[]> {
    const bits = (q.statistics ?? []).reduce((acc, s) => acc | (TENCENT_STATISTIC_BITS[s] ?? 0), 0);
    return this.run('GetMonitorData', async () => {
      let response;
      try {
        response = await this.monitor.GetMonitorData({
          Namespace: q.namespace,
          MetricName: q.metricName,
          Period: q.periodSeconds,
          StartTime: isoSeconds(q.startMs),
          EndTime: isoSeconds(q.endMs - 1000),
          Instances: q.instances.map((dims) => ({ Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })) })),
          ...(bits ? { SpecifyStatistics: bits } : {}),
        });
      } catch (error) {
        throw mapTencentError(error);
      }
      return (response.DataPoints ?? []).map((series) => ({
        dimensions: Object.fromEntries((series.Dimensions ?? []).map((d) => [d.Name, d.Value])),
        timestamps: (series.Timestamps ?? []).map((t) => Number(t) * 1000),
        values: series.Values ?? [],
        ...(series.AvgValues ? { avg: series.AvgValues } : {}),
        ...(series.MaxValues ? { max: series.MaxValues } : {}),
        ...(series.MinValues ? { min: series.MinValues } : {}),
      }));
    });
  }

  /** The metrics a namespace offers, with their periods. */
  describeBaseMetrics(namespace: string): Promise<{ metricName: string; periods: number[] }[]> {
    return this.run('DescribeBaseMetrics', async () => {
      let response;
      try {
        response = await this.monitor.DescribeBaseMetrics({ Namespace: namespace });
      } catch (error) {
        throw mapTencentError(error);
      }
      return (response.MetricSet ?? []).map((m) => ({ metricName: m.MetricName, periods: (m.Period ?? []).map(Number) }));
    });
  }

  /** One page of a product's instances: CVM DescribeInstances, CLB DescribeLoadBalancers, CDB DescribeDBInstances. */
  listInstances(kind: 'cvm' | 'clb' | 'cdb', offset: number, limit: number = TENCENT_LIST_PAGE[kind]): Promise<{ total: number; instances: TencentListedInstance[] }> {
    if (kind === 'cvm') {
      return this.run('DescribeInstances', async () => {
        let response;
        try {
          response = await this.cvm.DescribeInstances({ Offset: offset, Limit: limit });
        } catch (error) {
          throw mapTencentError(error);
        }
        return {
          total: Number(response.TotalCount ?? 0),
          instances: (response.InstanceSet ?? []).flatMap((i) => (i.InstanceId ? [{ id: i.InstanceId, ...(i.InstanceName ? { name: i.InstanceName } : {}) }] : [])),
        };
      });
    }
    const api = kind === 'clb' ? 'DescribeLoadBalancers' : 'DescribeDBInstances';
    const client = kind === 'clb' ? this.clb : this.cdb;
    return this.run(api, async () => {
      let response: Record<string, unknown>;
      try {
        response = (await client.request(api, { Offset: offset, Limit: limit })) as Record<string, unknown>;
      } catch (error) {
        throw mapTencentError(error);
      }
      const total = Number(response.TotalCount ?? 0);
      if (kind === 'clb') {
        const set = (response.LoadBalancerSet ?? []) as { LoadBalancerId?: string; LoadBalancerName?: string; LoadBalancerVips?: string[] }[];
        return {
          total,
          instances: set.flatMap((lb) => (lb.LoadBalancerId ? [{ id: lb.LoadBalancerId, ...(lb.LoadBalancerName ? { name: lb.LoadBalancerName } : {}), ...(lb.LoadBalancerVips?.[0] ? { vip: lb.LoadBalancerVips[0] } : {}) }] : [])),
        };
      }
      const items = (response.Items ?? []) as { InstanceId?: string; InstanceName?: string }[];
      return { total, instances: items.flatMap((db) => (db.InstanceId ? [{ id: db.InstanceId, ...(db.InstanceName ? { name: db.InstanceName } : {}) }] : [])) };
    });
  }

  /** Datapoints of many instances, 10 per call (kept for the client tests and one-off queries). */
  async fetchMetricData(query: TencentMetricQuery): Promise<CloudDatapoint[]> {
    const dimensionName = query.dimensionName ?? 'InstanceId';
    const out: CloudDatapoint[] = [];
    for (const batch of chunk(query.instanceIds, query.instancesPerCall ?? TENCENT_INSTANCES_PER_CALL)) {
      const series = await this.getMonitorData({
        namespace: query.namespace,
        metricName: query.metricName,
        periodSeconds: query.periodSeconds,
        startMs: query.startMs,
        endMs: query.endMs,
        instances: batch.map((id) => ({ [dimensionName]: id })),
      });
      for (const s of series) {
        const instanceId = s.dimensions[dimensionName];
        if (!instanceId) continue;
        for (let i = 0; i < Math.min(s.timestamps.length, s.values.length); i += 1) {
          const value = s.values[i];
          if (typeof value === 'number' && Number.isFinite(value)) out.push({ instanceId, metric: query.metricName, t: s.timestamps[i]!, value });
        }
      }
    }
    return out;
  }
}

export function classifyTencentCode(code: string, message: string, requestId?: string, httpStatus?: number): CloudApiError {
  if (code === 'RequestLimitExceeded' || code.startsWith('RequestLimitExceeded.')) return new CloudApiError('throttled', code, message, httpStatus, requestId);
  if (code.startsWith('AuthFailure')) return new CloudApiError('credentials_rejected', code, message, httpStatus, requestId);
  return new CloudApiError('invalid_request', code, message, httpStatus, requestId);
}

function mapTencentError(error: unknown): CloudApiError {
  const e = error as { code?: unknown; message?: string; requestId?: string; httpCode?: number };
  // The SDK wraps transport failures in the same exception class, without a code.
  if (typeof e.code === 'string' && e.code !== '') return classifyTencentCode(e.code, e.message ?? '', e.requestId || undefined, e.httpCode);
  if (typeof e.httpCode === 'number') {
    return e.httpCode === 429
      ? new CloudApiError('throttled', `HTTP${e.httpCode}`, e.message ?? '', e.httpCode)
      : new CloudApiError('invalid_request', `HTTP${e.httpCode}`, e.message ?? '', e.httpCode);
  }
  return new CloudApiError('network', networkCodeOf(error) ?? 'network', e.message ?? String(error));
}
