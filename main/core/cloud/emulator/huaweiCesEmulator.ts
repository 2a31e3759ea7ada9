// Huawei Cloud Eye (CES v1.0) emulator: BatchListMetricData only.
//
// Signature: SDK-HMAC-SHA256, the AK/SK scheme of Huawei's API signing guide
// (support.huaweicloud.com/devg-apisign/api-sign-algorithm.html):
//   CanonicalRequest = METHOD \n URI-ending-in-/ \n sorted encoded query \n lower(h):trim(v)\n… \n signed;headers \n hex(sha256(body))
//   StringToSign     = "SDK-HMAC-SHA256\n" + X-Sdk-Date + "\n" + hex(sha256(CanonicalRequest))
//   Signature        = hex(hmac_sha256(SK, StringToSign))
// Failures use the API gateway's shape { error_code, error_msg, request_id }:
// APIGW.0301 (401, "Incorrect IAM authentication information") for a bad
// signature or unknown AK, APIGW.0308 (429, throttling threshold reached).
// CES itself answers a bad body with ces.0014 (400) in its v1 shape
// { http_code, message: { details, code } } (support.huaweicloud.com/api-ces/ErrorCode.html).
// BatchListMetricData: ≤ 500 metrics per call; the service trims `from` so
// that metrics × (to − from) / period ≤ 3000 datapoints
// (support.huaweicloud.com/api-ces/ces_03_0034.html); 500 calls/min per API.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import {
  alignedTimestamps,
  emptyStats,
  headerValue,
  PerSecondWindow,
  startEmulatorServer,
  syntheticValue,
  type EmulatorReply,
  type EmulatorRequest,
  type RunningEmulator,
} from './emulatorServer.js';

export const HUAWEI_MAX_METRICS = 500;
export const HUAWEI_MAX_POINTS_PER_REQUEST = 3000;
/** `period` enum → milliseconds; "1" is raw data, treated as 60 s by the points rule. */
export const HUAWEI_PERIOD_MS: Record<string, number> = { '1': 60_000, '300': 300_000, '1200': 1_200_000, '3600': 3_600_000, '14400': 14_400_000, '86400': 86_400_000 };

export interface HuaweiCesEmulatorOptions {
  accessKey: string;
  secretKey: string;
  projectId: string;
  instanceCount: number;
  /** Calls per second before APIGW.0308. */
  qps?: number;
}

export function huaweiInstanceIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
}

/** Percent-encoding of the signing guide: everything but A-Z a-z 0-9 - _ . ~ . */
function sdkEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function sdkHmacSha256Signature(request: EmulatorRequest, signedHeaders: string[], secretKey: string): string {
  const path = request.url.pathname.endsWith('/') ? request.url.pathname : `${request.url.pathname}/`;
  const query = [...request.url.searchParams.entries()]
    .map(([k, v]) => `${sdkEncode(k)}=${sdkEncode(v)}`)
    .sort()
    .join('&');
  const headers = signedHeaders.map((name) => `${name}:${headerValue(request.headers, name).trim()}\n`).join('');
  const canonicalRequest = [request.method, path, query, headers, signedHeaders.join(';'), createHash('sha256').update(request.body).digest('hex')].join('\n');
  const stringToSign = ['SDK-HMAC-SHA256', headerValue(request.headers, 'x-sdk-date'), createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  return createHmac('sha256', secretKey).update(stringToSign).digest('hex');
}

function gatewayError(status: number, code: string, message: string): EmulatorReply {
  return { status, body: { error_code: code, error_msg: message, request_id: randomUUID().replace(/-/g, '') } };
}

function cesV1Error(status: number, code: string, details: string): EmulatorReply {
  return { status, body: { http_code: status, message: { details, code }, encoded_authorization_message: null } };
}

interface BatchBody {
  metrics?: { namespace?: string; metric_name?: string; dimensions?: { name?: string; value?: string }[] }[];
  from?: number;
  to?: number;
  period?: string;
  filter?: string;
}

export async function startHuaweiCesEmulator(options: HuaweiCesEmulatorOptions): Promise<RunningEmulator> {
  const stats = emptyStats();
  const window = new PerSecondWindow(options.qps ?? 8); // 500/min ≈ 8/s
  const known = new Set(huaweiInstanceIds(options.instanceCount));

  const handle = (request: EmulatorRequest): EmulatorReply => {
    const auth = /^SDK-HMAC-SHA256 Access=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(headerValue(request.headers, 'authorization'));
    if (!auth) return gatewayError(401, 'APIGW.0301', 'Incorrect IAM authentication information: Authorization format incorrect');
    const [, accessKey, signedHeaderList, signature] = auth as unknown as [string, string, string, string];
    if (accessKey !== options.accessKey) {
      stats.unknownKeys += 1;
      return gatewayError(401, 'APIGW.0301', 'Incorrect IAM authentication information: get secret key fail');
    }
    const signedHeaders = signedHeaderList.split(';');
    if (sdkHmacSha256Signature(request, signedHeaders, options.secretKey) !== signature || !signedHeaders.includes('host') || !signedHeaders.includes('x-sdk-date')) {
      stats.signatureMismatches += 1;
      return gatewayError(401, 'APIGW.0301', 'Incorrect IAM authentication information: verify aksk signature fail');
    }
    if (!window.admit()) {
      stats.throttled += 1;
      return gatewayError(429, 'APIGW.0308', 'The throttling threshold has been reached: policy user over ratelimit');
    }
    const route = /^\/V1\.0\/([^/]+)\/batch-query-metric-data$/.exec(request.url.pathname);
    if (request.method !== 'POST' || !route) return gatewayError(404, 'APIGW.0101', 'The API does not exist or has not been published in the environment');
    if (route[1] !== options.projectId) return cesV1Error(400, 'ces.0003', 'The tenant ID is left blank or incorrect.');
    let body: BatchBody;
    try {
      body = JSON.parse(request.body.toString('utf8')) as BatchBody;
    } catch {
      return cesV1Error(400, 'ces.0014', 'Some content in message body is not correct, error message: [body]');
    }
    const reply = batchListMetricData(body);
    if (reply.status === 200) stats.accepted += 1;
    return reply;
  };

  const batchListMetricData = (body: BatchBody): EmulatorReply => {
    const periodMs = HUAWEI_PERIOD_MS[body.period ?? ''];
    const missing = ['metrics', 'from', 'to', 'period', 'filter'].filter((f) => body[f as keyof BatchBody] === undefined);
    if (missing.length > 0) return cesV1Error(400, 'ces.0014', `Some content in message body is not correct, error message: [${missing.join(', ')}]`);
    if (!periodMs || !Array.isArray(body.metrics) || body.metrics.length === 0) return cesV1Error(400, 'ces.0014', 'Some content in message body is not correct, error message: [period, metrics]');
    if (body.metrics.length > HUAWEI_MAX_METRICS) {
      stats.batchRejected += 1;
      return cesV1Error(400, 'ces.0014', `Some content in message body is not correct, error message: [metrics size must be between 1 and ${HUAWEI_MAX_METRICS}]`);
    }
    const to = Number(body.to);
    // The service silently trims `from` so the whole answer stays ≤ 3000 points.
    const maxSpan = Math.floor((HUAWEI_MAX_POINTS_PER_REQUEST * periodMs) / body.metrics.length);
    const from = Math.max(Number(body.from), to - maxSpan);
    const stamps = alignedTimestamps(from, to, periodMs / 1000);
    const filter = body.filter!;
    const metrics = body.metrics.map((m) => {
      const id = m.dimensions?.find((d) => d.name === 'instance_id')?.value ?? '';
      const present = known.has(id);
      return {
        namespace: m.namespace,
        metric_name: m.metric_name,
        dimensions: m.dimensions ?? [],
        datapoints: present ? stamps.map((timestamp) => ({ [filter]: syntheticValue(id, m.metric_name ?? '', timestamp), timestamp })) : [],
        unit: present ? '%' : 'unknown',
      };
    });
    return { status: 200, body: { metrics } };
  };

  return startEmulatorServer(stats, handle);
}
