// Thin Huawei Cloud Eye (CES v1) client. Huawei publishes no CES package on
// npm, so requests are built here and signed by the official SDK core's
// AKSKSigner (SDK-HMAC-SHA256). Two calls: ListMetrics (discovery: every
// metric series of a namespace, paged by marker) and BatchListMetricData (up
// to 500 metric series per call within the 3000-points rule).
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import { CALL_TIMEOUT_MS, CloudApiError, chunk, networkCodeOf, protocolFor, runDirectly, type CallRunner, type CloudCredentials, type CloudDatapoint } from './cloudErrors.js';

/** BatchListMetricData: ≤ 500 metrics per call (support.huaweicloud.com/api-ces/ces_03_0034.html). */
export const HUAWEI_METRICS_PER_CALL = 500;
/** …and metrics × (to − from) / period ≤ 3000, or the service trims `from` and points go missing. */
export const HUAWEI_POINTS_PER_CALL = 3000;
/** ListMetrics pages hold at most 1000 series. */
export const HUAWEI_LIST_LIMIT = 1000;
export const HUAWEI_PERIOD_MS: Readonly<Record<string, number>> = { '1': 60_000, '300': 300_000, '1200': 1_200_000, '3600': 3_600_000, '14400': 14_400_000, '86400': 86_400_000 };
export type HuaweiPeriod = '1' | '300' | '1200' | '3600' | '14400' | '86400';

export interface HuaweiCredentials extends CloudCredentials {
  projectId: string;
}

export interface HuaweiDimension {
  readonly name: string;
  readonly value: string;
}

export interface HuaweiMetricSeries {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: readonly HuaweiDimension[];
}

export interface HuaweiSeriesData extends HuaweiMetricSeries {
  readonly points: readonly { readonly t: number; readonly value: number }[];
}

export interface HuaweiMetricQuery {
  namespace: string; // e.g. SYS.ECS
  metricName: string; // e.g. cpu_util
  instanceIds: string[];
  dimensionName?: string; // instance_id for ECS
  /** CES enum: "1" (raw, ~1 min), "300", "1200", "3600", "14400", "86400". */
  period: HuaweiPeriod;
  filter?: 'average' | 'max' | 'min' | 'sum' | 'variance';
  startMs: number;
  endMs: number;
  metricsPerCall?: number;
}

/** Largest batch that keeps a call within both the 500-metric and the 3000-point rule. */
export function huaweiMetricsPerCall(period: string, startMs: number, endMs: number): number {
  const pointsPerSeries = Math.max(1, Math.ceil((endMs - startMs) / (HUAWEI_PERIOD_MS[period] ?? 60_000)));
  return Math.max(1, Math.min(HUAWEI_METRICS_PER_CALL, Math.floor(HUAWEI_POINTS_PER_CALL / pointsPerSeries)));
}

/** CES period for a granularity in seconds: 60 → "1" (raw data), else the aggregation of that length. */
export function huaweiPeriodOf(seconds: number): HuaweiPeriod {
  if (seconds <= 60) return '1';
  const found = (['300', '1200', '3600', '14400', '86400'] as const).find((p) => Number(p) >= seconds);
  return found ?? '86400';
}

export class HuaweiCesClient {
  private readonly baseUrl: string;
  private readonly credential: BasicCredentials;
  private readonly run: CallRunner;

  constructor(
    private readonly credentials: HuaweiCredentials,
    options: { run?: CallRunner } = {},
  ) {
    this.run = options.run ?? runDirectly;
    const endpoint = credentials.endpoint ?? `ces.${credentials.region}.myhuaweicloud.com`;
    this.baseUrl = `${protocolFor(endpoint)}://${endpoint}`;
    this.credential = new BasicCredentials().withAk(credentials.accessKeyId).withSk(credentials.accessKeySecret).withProjectId(credentials.projectId);
  }

  /** One page of ListMetrics (namespace, optionally one metric), starting after `marker`. */
  listMetrics(q: { namespace: string; metricName?: string; marker?: string; limit?: number }): Promise<{ series: HuaweiMetricSeries[]; marker?: string }> {
    const query: Record<string, string> = { namespace: q.namespace, limit: String(q.limit ?? HUAWEI_LIST_LIMIT) };
    if (q.metricName) query.metric_name = q.metricName;
    if (q.marker) query.start = q.marker;
    return this.run('ListMetrics', async () => {
      const response = (await this.request('GET', `/V1.0/${encodeURIComponent(this.credentials.projectId)}/metrics`, query)) as {
        metrics?: { namespace?: string; metric_name?: string; dimensions?: { name?: string; value?: string }[] }[];
        meta_data?: { marker?: string; count?: number };
      };
      if (!Array.isArray(response.metrics)) throw new CloudApiError('invalid_request', 'MalformedResponse', 'ListMetrics answered without a metrics array');
      const series = response.metrics.flatMap((m) =>
        m.namespace && m.metric_name ? [{ namespace: m.namespace, metricName: m.metric_name, dimensions: (m.dimensions ?? []).map((d) => ({ name: String(d.name ?? ''), value: String(d.value ?? '') })) }] : [],
      );
      const marker = response.meta_data?.marker;
      return { series, ...(marker && series.length > 0 ? { marker } : {}) };
    });
  }

  /** One BatchListMetricData call over up to 500 series (any mix of namespaces and metrics), one statistic. */
  batchListMetricData(q: { series: readonly HuaweiMetricSeries[]; period: HuaweiPeriod; filter: string; startMs: number; endMs: number }): Promise<HuaweiSeriesData[]> {
    const body = {
      metrics: q.series.map((s) => ({ namespace: s.namespace, metric_name: s.metricName, dimensions: s.dimensions.map((d) => ({ name: d.name, value: d.value })) })),
      from: q.startMs,
      // The service's window includes `to`; callers pass [start, end).
      to: q.endMs - 1,
      period: q.period,
      filter: q.filter,
    };
    return this.run('BatchListMetricData', async () => {
      const response = (await this.request('POST', `/V1.0/${encodeURIComponent(this.credentials.projectId)}/batch-query-metric-data`, {}, body)) as { metrics?: unknown };
      if (!Array.isArray(response.metrics)) throw new CloudApiError('invalid_request', 'MalformedResponse', 'BatchListMetricData answered without a metrics array');
      return (response.metrics as { namespace?: string; metric_name?: string; dimensions?: { name?: string; value?: string }[]; datapoints?: Record<string, unknown>[] }[]).map((s) => ({
        namespace: String(s.namespace ?? ''),
        metricName: String(s.metric_name ?? ''),
        dimensions: (s.dimensions ?? []).map((d) => ({ name: String(d.name ?? ''), value: String(d.value ?? '') })),
        points: (s.datapoints ?? []).flatMap((p) => {
          const value = Number(p[q.filter]);
          const t = Number(p.timestamp);
          return Number.isFinite(value) && Number.isFinite(t) ? [{ t, value }] : [];
        }),
      }));
    });
  }

  /** Datapoints of many instances of one metric within both batch rules (kept for the client tests and one-off queries). */
  async fetchMetricData(query: HuaweiMetricQuery): Promise<CloudDatapoint[]> {
    const dimensionName = query.dimensionName ?? 'instance_id';
    const filter = query.filter ?? 'average';
    const perCall = query.metricsPerCall ?? huaweiMetricsPerCall(query.period, query.startMs, query.endMs);
    const out: CloudDatapoint[] = [];
    for (const batch of chunk(query.instanceIds, perCall)) {
      const data = await this.batchListMetricData({
        series: batch.map((id) => ({ namespace: query.namespace, metricName: query.metricName, dimensions: [{ name: dimensionName, value: id }] })),
        period: query.period,
        filter,
        startMs: query.startMs,
        endMs: query.endMs,
      });
      for (const s of data) {
        const instanceId = s.dimensions.find((d) => d.name === dimensionName)?.value;
        if (instanceId) for (const p of s.points) out.push({ instanceId, metric: query.metricName, t: p.t, value: p.value });
      }
    }
    return out;
  }

  private async request(method: 'GET' | 'POST', path: string, query: Record<string, string>, body?: unknown): Promise<unknown> {
    const search = new URLSearchParams(query).toString();
    const url = `${this.baseUrl}${path}${search ? `?${search}` : ''}`;
    const signed = AKSKSigner.sign(
      {
        method,
        endpoint: `${this.baseUrl}${path}`,
        headers: { 'Content-Type': 'application/json;charset=UTF-8', 'X-Project-Id': this.credentials.projectId },
        queryParams: query,
        ...(body !== undefined ? { data: body } : {}),
      },
      this.credential,
    ) as Record<string, string>;
    // fetch sets Host itself (same host[:port] the signer used).
    const headers = Object.fromEntries(Object.entries(signed).filter(([name]) => name.toLowerCase() !== 'host'));
    let response: Response;
    try {
      // The signer hashes JSON.stringify(data); send exactly those bytes.
      response = await fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
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
  // A signed request the IAM policy does not allow (ECS: 403 Ecs.0003 "You do
  // not have permission to perform this operation", ECS API reference, error codes).
  if (status === 403) return new CloudApiError('permission_denied', code, message, status, b.request_id);
  return new CloudApiError('invalid_request', code, message, status, b.request_id);
}
