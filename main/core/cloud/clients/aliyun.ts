// Thin Alibaba CloudMonitor client over the official SDK (@alicloud/cms20190101):
// one call, DescribeMetricList, paged by NextToken, batched by 50 instances.
import Cms, { DescribeMetricListRequest } from '@alicloud/cms20190101';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { CloudApiError, chunk, networkCodeOf, protocolFor, type CloudCredentials, type CloudDatapoint } from './cloudErrors.js';

/** DescribeMetricList accepts at most 50 instances in `Dimensions` (CMS API reference). */
export const ALIYUN_DIMENSIONS_PER_CALL = 50;

export interface AliyunMetricQuery {
  namespace: string; // e.g. acs_ecs_dashboard
  metricName: string; // e.g. CPUUtilization
  instanceIds: string[];
  periodSeconds: number;
  startMs: number;
  endMs: number;
  /** Which statistic becomes `value`; CMS returns Average/Maximum/Minimum. */
  statistic?: 'Average' | 'Maximum' | 'Minimum';
  /** Refuse to split batches (tests use it to reach the API's own limit). */
  dimensionsPerCall?: number;
}

// The SDK package is CJS with `exports.default`; under NodeNext the default
// import is `module.exports` (class on `.default`), while bundlers and vitest
// hand over the class itself; accept both.
const cmsExport: unknown = Cms;
const CmsClient: typeof Cms.default =
  typeof cmsExport === 'function' ? (cmsExport as typeof Cms.default) : Cms.default;

export class AliyunCmsClient {
  private readonly sdk: InstanceType<typeof CmsClient>;

  constructor(credentials: CloudCredentials) {
    const endpoint = credentials.endpoint ?? `metrics.${credentials.region}.aliyuncs.com`;
    this.sdk = new CmsClient(
      new $OpenApiUtil.Config({
        accessKeyId: credentials.accessKeyId,
        accessKeySecret: credentials.accessKeySecret,
        regionId: credentials.region,
        endpoint,
        protocol: protocolFor(endpoint),
      }),
    );
  }

  async fetchMetricData(query: AliyunMetricQuery): Promise<CloudDatapoint[]> {
    const statistic = query.statistic ?? 'Average';
    const out: CloudDatapoint[] = [];
    for (const batch of chunk(query.instanceIds, query.dimensionsPerCall ?? ALIYUN_DIMENSIONS_PER_CALL)) {
      let nextToken: string | undefined;
      do {
        const request = new DescribeMetricListRequest({
          namespace: query.namespace,
          metricName: query.metricName,
          period: String(query.periodSeconds),
          startTime: String(query.startMs),
          endTime: String(query.endMs),
          dimensions: JSON.stringify(batch.map((instanceId) => ({ instanceId }))),
          length: '1000',
          ...(nextToken ? { nextToken } : {}),
        });
        let body: { code?: string; message?: string; datapoints?: string; nextToken?: string; success?: boolean; requestId?: string } | undefined;
        try {
          body = (await this.sdk.describeMetricList(request)).body;
        } catch (error) {
          throw mapAliyunError(error);
        }
        if (!body) throw new CloudApiError('invalid_request', 'EmptyResponse', 'DescribeMetricList returned no body');
        // CMS sometimes reports failures in a 200 body with Success=false.
        if (body.success === false || (body.code && body.code !== '200')) {
          throw classifyAliyunCode(body.code ?? 'Unknown', body.message ?? '', 200, body.requestId);
        }
        out.push(...parseAliyunDatapoints(body.datapoints ?? '[]', query.metricName, statistic));
        nextToken = body.nextToken || undefined;
      } while (nextToken);
    }
    return out;
  }
}

/** CMS returns `Datapoints` as a JSON string of objects keyed by statistic name. */
export function parseAliyunDatapoints(raw: string, metric: string, statistic: string): CloudDatapoint[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new CloudApiError('invalid_request', 'MalformedDatapoints', `Datapoints is not valid JSON: ${raw.slice(0, 80)}`);
  }
  if (!Array.isArray(parsed)) return [];
  const out: CloudDatapoint[] = [];
  for (const row of parsed as Record<string, unknown>[]) {
    const value = Number(row[statistic]);
    const t = Number(row.timestamp);
    if (typeof row.instanceId === 'string' && Number.isFinite(value) && Number.isFinite(t)) {
      out.push({ instanceId: row.instanceId, metric, t, value });
    }
  }
  return out;
}

export function classifyAliyunCode(code: string, message: string, status?: number, requestId?: string): CloudApiError {
  if (code.includes('Throttling')) return new CloudApiError('throttled', code, message, status, requestId);
  if (/^(SignatureDoesNotMatch|InvalidAccessKeyId|IncompleteSignature|InvalidAccessKeySecret|Forbidden\.AccessKeyDisabled)/.test(code)) {
    return new CloudApiError('credentials_rejected', code, message, status, requestId);
  }
  return new CloudApiError('invalid_request', code, message, status, requestId);
}

function mapAliyunError(error: unknown): CloudApiError {
  const e = error as { code?: unknown; message?: string; statusCode?: number; requestId?: string };
  if (typeof e.statusCode === 'number' && typeof e.code === 'string') {
    return classifyAliyunCode(e.code, e.message ?? '', e.statusCode, e.requestId);
  }
  const network = networkCodeOf(error);
  if (network) return new CloudApiError('network', network, e.message ?? String(error));
  return new CloudApiError('invalid_request', typeof e.code === 'string' ? e.code : 'Unknown', e.message ?? String(error));
}
