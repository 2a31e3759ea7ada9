// Thin Huawei Cloud Eye client. Huawei publishes no CES package on npm, so the
// request is built here and signed with the SDK core's own AK/SK signer
// (@huaweicloud/huaweicloud-sdk-core AKSKSigner, SDK-HMAC-SHA256).
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import { CloudApiError, chunk, networkCodeOf, protocolFor, type CloudCredentials, type CloudDatapoint } from './cloudErrors.js';

/** BatchListMetricData: ≤ 500 metrics per call (support.huaweicloud.com/api-ces/ces_03_0034.html). */
export const HUAWEI_METRICS_PER_CALL = 500;
/** …and metrics × (to − from) / period ≤ 3000, or the service trims `from` and points go missing. */
export const HUAWEI_POINTS_PER_CALL = 3000;
const PERIOD_MS: Record<string, number> = { '1': 60_000, '300': 300_000, '1200': 1_200_000, '3600': 3_600_000, '14400': 14_400_000, '86400': 86_400_000 };

export interface HuaweiCredentials extends CloudCredentials {
  projectId: string;
}

export interface HuaweiMetricQuery {
  namespace: string; // e.g. SYS.ECS
  metricName: string; // e.g. cpu_util
  instanceIds: string[];
  dimensionName?: string; // instance_id for ECS
  /** CES enum: "1" (raw, ~1 min), "300", "1200", "3600", "14400", "86400". */
  period: '1' | '300' | '1200' | '3600' | '14400' | '86400';
  filter?: 'average' | 'max' | 'min' | 'sum' | 'variance';
  startMs: number;
  endMs: number;
  metricsPerCall?: number;
}

/** Largest batch that keeps a call within both the 500-metric and the 3000-point rule. */
export function huaweiMetricsPerCall(period: string, startMs: number, endMs: number): number {
  const pointsPerSeries = Math.max(1, Math.ceil((endMs - startMs) / (PERIOD_MS[period] ?? 60_000)));
  return Math.max(1, Math.min(HUAWEI_METRICS_PER_CALL, Math.floor(HUAWEI_POINTS_PER_CALL / pointsPerSeries)));
}

export class HuaweiCesClient {
  private readonly baseUrl: string;
  private readonly credential: BasicCredentials;

  constructor(private readonly credentials: HuaweiCredentials) {
    const endpoint = credentials.endpoint ?? `ces.${credentials.region}.myhuaweicloud.com`;
    this.baseUrl = `${protocolFor(endpoint)}://${endpoint}`;
    this.credential = new BasicCredentials().withAk(credentials.accessKeyId).withSk(credentials.accessKeySecret).withProjectId(credentials.projectId);
  }

  async fetchMetricData(query: HuaweiMetricQuery): Promise<CloudDatapoint[]> {
    const dimensionName = query.dimensionName ?? 'instance_id';
    const filter = query.filter ?? 'average';
    const perCall = query.metricsPerCall ?? huaweiMetricsPerCall(query.period, query.startMs, query.endMs);
    const out: CloudDatapoint[] = [];
    for (const batch of chunk(query.instanceIds, perCall)) {
      const body = {
        metrics: batch.map((id) => ({ namespace: query.namespace, metric_name: query.metricName, dimensions: [{ name: dimensionName, value: id }] })),
        from: query.startMs,
        to: query.endMs,
        period: query.period,
        filter,
      };
      const response = await this.post(`/V1.0/${encodeURIComponent(this.credentials.projectId)}/batch-query-metric-data`, body);
      const metrics = (response as { metrics?: unknown }).metrics;
      if (!Array.isArray(metrics)) throw new CloudApiError('invalid_request', 'MalformedResponse', 'BatchListMetricData answered without a metrics array');
      for (const series of metrics as { dimensions?: { name?: string; value?: string }[]; datapoints?: Record<string, unknown>[] }[]) {
        const instanceId = series.dimensions?.find((d) => d.name === dimensionName)?.value;
        if (!instanceId) continue;
        for (const point of series.datapoints ?? []) {
          const value = Number(point[filter]);
          const t = Number(point.timestamp);
          if (Number.isFinite(value) && Number.isFinite(t)) out.push({ instanceId, metric: query.metricName, t, value });
        }
      }
    }
    return out;
  }

  private async post(path: string, body: unknown): Promise<unknown> {
    const url = `${this.baseUrl}${path}`;
    const signed = AKSKSigner.sign(
      { method: 'POST', endpoint: url, headers: { 'Content-Type': 'application/json;charset=UTF-8', 'X-Project-Id': this.credentials.projectId }, queryParams: {}, data: body },
      this.credential,
    ) as Record<string, string>;
    // fetch sets Host itself (same host[:port] the signer used).
    const headers = Object.fromEntries(Object.entries(signed).filter(([name]) => name.toLowerCase() !== 'host'));
    let response: Response;
    try {
      // The signer hashes JSON.stringify(data); send exactly those bytes.
      response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      throw new CloudApiError('network', networkCodeOf(error) ?? 'network', (error as Error).message);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new CloudApiError(response.status === 429 ? 'throttled' : 'invalid_request', `HTTP${response.status}`, text.slice(0, 200), response.status);
    }
    if (!response.ok) throw classifyHuaweiError(response.status, parsed);
    return parsed;
  }
}

/** Gateway errors are { error_code, error_msg }; CES v1 errors are { http_code, message: { code, details } }. */
export function classifyHuaweiError(status: number, body: unknown): CloudApiError {
  const b = (body ?? {}) as { error_code?: string; error_msg?: string; request_id?: string; message?: { code?: string; details?: string } };
  const code = b.error_code ?? b.message?.code ?? `HTTP${status}`;
  const message = b.error_msg ?? b.message?.details ?? '';
  if (status === 429 || code === 'APIGW.0308' || code === 'ces.0429') return new CloudApiError('throttled', code, message, status, b.request_id);
  if (status === 401 || /^APIGW\.030[1-5]$/.test(code) || code === 'ces.0015') return new CloudApiError('credentials_rejected', code, message, status, b.request_id);
  return new CloudApiError('invalid_request', code, message, status, b.request_id);
}
