// Thin Alibaba CloudMonitor client over the official SDK (@alicloud/cms20190101):
// DescribeMetricList (data of named instances, paged by NextToken, 50
// instances per call), DescribeMetricLast (the latest point of every
// instance reporting a metric: how instances are discovered from the metric
// data) and DescribeMetricMetaList (what a namespace offers). One method per
// API call; every call goes through the caller's runner.
import Cms, { DescribeMetricLastRequest, DescribeMetricListRequest, DescribeMetricMetaListRequest } from '@alicloud/cms20190101';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { CALL_TIMEOUT_MS, CloudApiError, chunk, networkCodeOf, protocolFor, runDirectly, type CallRunner, type CloudCredentials, type CloudDatapoint } from './cloudErrors.js';

/** DescribeMetricList accepts at most 50 instances in `Dimensions` (CMS API reference). */
export const ALIYUN_DIMENSIONS_PER_CALL = 50;
/** "The maximum value of the Length parameter for each request is 1440." */
export const ALIYUN_MAX_PAGE_LENGTH = 1440;

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

export interface AliyunPage {
  /** Datapoint rows as CMS returns them: timestamp, the dimensions (instanceId, device…), and one key per statistic. */
  readonly rows: Record<string, unknown>[];
  readonly nextToken?: string;
}

export interface AliyunMetricMeta {
  readonly metricName: string;
  readonly namespace: string;
  readonly dimensions: readonly string[];
  readonly periods: readonly number[];
  readonly statistics: readonly string[];
  readonly unit: string;
}

// The SDK package is CJS with `exports.default`; under NodeNext the default
// import is `module.exports` (class on `.default`), while bundlers and vitest
// hand over the class itself; accept both.
const cmsExport: unknown = Cms;
const CmsClient: typeof Cms.default = typeof cmsExport === 'function' ? (cmsExport as typeof Cms.default) : Cms.default;

interface ResponseBody {
  code?: string;
  message?: string;
  datapoints?: string;
  nextToken?: string;
  success?: boolean;
  requestId?: string;
}

/** What every Alibaba client of an account holds: its keys and region, and the caller's runner for each call. */
export abstract class AliyunClient {
  protected readonly run: CallRunner;
  constructor(
    protected readonly credentials: CloudCredentials,
    options: { run?: CallRunner } = {},
  ) {
    this.run = options.run ?? runDirectly;
  }
}

export class AliyunCmsClient extends AliyunClient {
  private readonly sdk = new CmsClient(aliyunSdkConfig({ ...this.credentials, endpoint: this.credentials.endpoint ?? `metrics.${this.credentials.region}.aliyuncs.com` }));

  /**
   * One page of datapoints. CMS windows exclude StartTime and include EndTime;
   * callers pass [startMs, endMs) and the client shifts both by 1 ms, which is
   * the same set for aligned timestamps.
   */
  describeMetricList(q: {
    namespace: string;
    metricName: string;
    dimensions: readonly Record<string, string>[];
    periodSeconds: number;
    startMs: number;
    endMs: number;
    length?: number;
    nextToken?: string;
  }): Promise<AliyunPage> {
    const request = new DescribeMetricListRequest({
      regionId: this.credentials.region,
      namespace: q.namespace,
      metricName: q.metricName,
      period: String(q.periodSeconds),
      startTime: String(q.startMs - 1),
      endTime: String(q.endMs - 1),
      dimensions: JSON.stringify(q.dimensions),
      length: String(q.length ?? ALIYUN_MAX_PAGE_LENGTH),
      ...(q.nextToken ? { nextToken: q.nextToken } : {}),
    });
    return this.run('DescribeMetricList', async () => pageOf(await callAliyunSdk(() => this.sdk.describeMetricList(request))));
  }

  /** One page of the newest datapoint of every instance reporting the metric (no Dimensions: all of them). */
  describeMetricLast(q: { namespace: string; metricName: string; periodSeconds: number; length?: number; nextToken?: string }): Promise<AliyunPage> {
    const request = new DescribeMetricLastRequest({
      regionId: this.credentials.region,
      namespace: q.namespace,
      metricName: q.metricName,
      period: String(q.periodSeconds),
      length: String(q.length ?? ALIYUN_MAX_PAGE_LENGTH),
      ...(q.nextToken ? { nextToken: q.nextToken } : {}),
    });
    return this.run('DescribeMetricLast', async () => pageOf(await callAliyunSdk(() => this.sdk.describeMetricLast(request))));
  }

  /** Every metric the namespace offers (pages of up to 1000 until TotalCount). */
  async describeMetricMetaList(namespace: string): Promise<AliyunMetricMeta[]> {
    const out: AliyunMetricMeta[] = [];
    for (let pageNumber = 1; pageNumber < 100; pageNumber++) {
      const request = new DescribeMetricMetaListRequest({ namespace, pageNumber, pageSize: 1000 });
      const body = await this.run('DescribeMetricMetaList', async () => {
        const b = (await callAliyunSdk(() => this.sdk.describeMetricMetaList(request))) as ResponseBody & {
          totalCount?: string;
          resources?: { resource?: { metricName?: string; namespace?: string; dimensions?: string; periods?: string; statistics?: string; unit?: string }[] };
        };
        checkBody(b);
        return b;
      });
      const resources = body.resources?.resource ?? [];
      for (const r of resources) {
        if (!r.metricName) continue;
        out.push({
          metricName: r.metricName,
          namespace: r.namespace ?? namespace,
          dimensions: (r.dimensions ?? '').split(',').filter(Boolean),
          periods: (r.periods ?? '').split(',').map(Number).filter(Number.isFinite),
          statistics: (r.statistics ?? '').split(',').filter(Boolean),
          unit: r.unit ?? '',
        });
      }
      if (resources.length === 0 || out.length >= Number(body.totalCount ?? 0)) break;
    }
    return out;
  }

  /** Datapoints of many instances: batches of 50, every page (kept for the client tests and one-off queries). */
  async fetchMetricData(query: AliyunMetricQuery): Promise<CloudDatapoint[]> {
    const statistic = query.statistic ?? 'Average';
    const out: CloudDatapoint[] = [];
    for (const batch of chunk(query.instanceIds, query.dimensionsPerCall ?? ALIYUN_DIMENSIONS_PER_CALL)) {
      let nextToken: string | undefined;
      do {
        const page = await this.describeMetricList({
          namespace: query.namespace,
          metricName: query.metricName,
          dimensions: batch.map((instanceId) => ({ instanceId })),
          periodSeconds: query.periodSeconds,
          startMs: query.startMs,
          endMs: query.endMs,
          length: 1000,
          ...(nextToken ? { nextToken } : {}),
        });
        out.push(...datapointsOfRows(page.rows, query.metricName, statistic));
        nextToken = page.nextToken;
      } while (nextToken);
    }
    return out;
  }
}

/**
 * The openapi-core config every Alibaba SDK client of an account takes
 * (CMS, ECS): keys, region, timeouts, and the endpoint when one is given —
 * without it the product's SDK picks the region's endpoint from its own map.
 */
export function aliyunSdkConfig(credentials: CloudCredentials): $OpenApiUtil.Config {
  return new $OpenApiUtil.Config({
    accessKeyId: credentials.accessKeyId,
    accessKeySecret: credentials.accessKeySecret,
    regionId: credentials.region,
    ...(credentials.endpoint ? { endpoint: credentials.endpoint, protocol: protocolFor(credentials.endpoint) } : {}),
    readTimeout: CALL_TIMEOUT_MS,
    connectTimeout: 5000,
  });
}

/** One SDK call of any Alibaba product: its body, or the cloud's error as a CloudApiError (shared with the ECS client). */
export async function callAliyunSdk<B>(fn: () => Promise<{ body?: B }>): Promise<B> {
  let body: B | undefined;
  try {
    body = (await fn()).body;
  } catch (error) {
    throw mapAliyunError(error);
  }
  if (!body) throw new CloudApiError('invalid_request', 'EmptyResponse', 'the cloud returned no body');
  return body;
}

/** CMS sometimes reports failures in a 200 body with Success=false (throttling among them). */
function checkBody(body: ResponseBody): void {
  if (body.success === false || (body.code && body.code !== '200')) throw classifyAliyunCode(body.code ?? 'Unknown', body.message ?? '', 200, body.requestId);
}

function pageOf(body: ResponseBody): AliyunPage {
  checkBody(body);
  return { rows: parseAliyunRows(body.datapoints ?? '[]'), ...(body.nextToken ? { nextToken: body.nextToken } : {}) };
}

/** CMS returns `Datapoints` as a JSON string of objects keyed by dimension and statistic name. */
export function parseAliyunRows(raw: string): Record<string, unknown>[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new CloudApiError('invalid_request', 'MalformedDatapoints', `Datapoints is not valid JSON: ${raw.slice(0, 80)}`);
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.filter((row): row is Record<string, unknown> => typeof row === 'object' && row !== null && !Array.isArray(row));
}

/** Rows of one metric as datapoints: `statistic` becomes the value; rows without a finite one are skipped. */
export function parseAliyunDatapoints(raw: string, metric: string, statistic: string): CloudDatapoint[] {
  return datapointsOfRows(parseAliyunRows(raw), metric, statistic);
}

function datapointsOfRows(rows: readonly Record<string, unknown>[], metric: string, statistic: string): CloudDatapoint[] {
  const out: CloudDatapoint[] = [];
  for (const row of rows) {
    const value = Number(row[statistic]);
    const t = Number(row.timestamp);
    if (typeof row.instanceId === 'string' && Number.isFinite(value) && Number.isFinite(t)) out.push({ instanceId: row.instanceId, metric, t, value });
  }
  return out;
}

export function classifyAliyunCode(code: string, message: string, status?: number, requestId?: string): CloudApiError {
  if (code.includes('Throttling')) return new CloudApiError('throttled', code, message, status, requestId);
  if (/^(SignatureDoesNotMatch|InvalidAccessKeyId|IncompleteSignature|InvalidAccessKeySecret|Forbidden\.AccessKeyDisabled)/.test(code)) {
    return new CloudApiError('credentials_rejected', code, message, status, requestId);
  }
  // "Forbidden.RAM: User not authorized to operate on the specified resource, or
  // this API doesn't support RAM" — a RAM user without the API in its policy.
  if (/^(Forbidden(\.RAM|\.NoPermission|\.Unauthorized)?|NoPermission)$/.test(code)) return new CloudApiError('permission_denied', code, message, status, requestId);
  return new CloudApiError('invalid_request', code, message, status, requestId);
}

export function mapAliyunError(error: unknown): CloudApiError {
  if (error instanceof CloudApiError) return error;
  const e = error as { code?: unknown; message?: string; statusCode?: number; requestId?: string; data?: { Message?: string } };
  if (typeof e.statusCode === 'number' && typeof e.code === 'string') {
    return classifyAliyunCode(e.code, e.data?.Message ?? e.message ?? '', e.statusCode, e.requestId);
  }
  const network = networkCodeOf(error);
  if (network) return new CloudApiError('network', network, e.message ?? String(error));
  return new CloudApiError('invalid_request', typeof e.code === 'string' ? e.code : 'Unknown', e.message ?? String(error));
}
