// Thin Tencent Cloud Monitor client over tencentcloud-sdk-nodejs-monitor (the
// per-product package: same SDK and signer as tencentcloud-sdk-nodejs at a
// fraction of the install size). One call, GetMonitorData, 10 instances each.
import * as tencentMonitor from 'tencentcloud-sdk-nodejs-monitor';
import { CloudApiError, chunk, networkCodeOf, protocolFor, type CloudCredentials, type CloudDatapoint } from './cloudErrors.js';

/** GetMonitorData: at most 10 instances per request (cloud.tencent.com/document/product/215/30353). */
export const TENCENT_INSTANCES_PER_CALL = 10;

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

const MonitorClient = tencentMonitor.monitor.v20180724.Client;

export class TencentMonitorClient {
  private readonly sdk: InstanceType<typeof MonitorClient>;

  constructor(credentials: CloudCredentials) {
    const endpoint = credentials.endpoint ?? 'monitor.tencentcloudapi.com';
    this.sdk = new MonitorClient({
      credential: { secretId: credentials.accessKeyId, secretKey: credentials.accessKeySecret },
      region: credentials.region,
      profile: { httpProfile: { endpoint, protocol: `${protocolFor(endpoint)}://`, reqTimeout: 30 } },
    });
  }

  async fetchMetricData(query: TencentMetricQuery): Promise<CloudDatapoint[]> {
    const dimensionName = query.dimensionName ?? 'InstanceId';
    const out: CloudDatapoint[] = [];
    for (const batch of chunk(query.instanceIds, query.instancesPerCall ?? TENCENT_INSTANCES_PER_CALL)) {
      let response;
      try {
        response = await this.sdk.GetMonitorData({
          Namespace: query.namespace,
          MetricName: query.metricName,
          Period: query.periodSeconds,
          StartTime: new Date(query.startMs).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
          EndTime: new Date(query.endMs).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
          Instances: batch.map((id) => ({ Dimensions: [{ Name: dimensionName, Value: id }] })),
        });
      } catch (error) {
        throw mapTencentError(error);
      }
      for (const series of response.DataPoints ?? []) {
        const instanceId = series.Dimensions?.find((d) => d.Name === dimensionName)?.Value;
        if (!instanceId) continue;
        const timestamps = series.Timestamps ?? [];
        const values = series.Values ?? [];
        for (let i = 0; i < Math.min(timestamps.length, values.length); i += 1) {
          const value = values[i];
          if (typeof value === 'number' && Number.isFinite(value)) out.push({ instanceId, metric: query.metricName, t: timestamps[i]! * 1000, value });
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
