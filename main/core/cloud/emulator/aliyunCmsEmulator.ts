// Alibaba CloudMonitor (CMS 2019-01-01) emulator: DescribeMetricList only.
//
// Signature: the @alicloud/cms20190101 v4 SDK (via @alicloud/openapi-core
// `doRequest`) signs every call with ACS3-HMAC-SHA256 unless told otherwise
// ("V3 request structure and signature", help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature):
//   CanonicalRequest = METHOD \n URI \n sorted RFC3986 query \n lower(h):trim(v)\n… \n signed;headers \n hex(sha256(body))
//   StringToSign     = "ACS3-HMAC-SHA256\n" + hex(sha256(CanonicalRequest))
//   Signature        = hex(hmac_sha256(secret, StringToSign))
// The emulator recomputes it from what arrived on the wire, never from what the
// client claims (the body hash is recomputed too).
//
// Errors use the RPC error body { RequestId, HostId, Code, Message }:
// SignatureDoesNotMatch (400) and InvalidAccessKeyId.NotFound (404) are the
// common POP errors; `Throttling.User` / "Request was denied due to user flow
// control." is the throttling error the CMS API reference names for
// DescribeMetricList (50 calls/s per account, cited in the SDK's own JSDoc).
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

/** DescribeMetricList takes at most 50 instances in `Dimensions` (CMS API reference). */
export const ALIYUN_MAX_DIMENSIONS = 50;

export interface AliyunCmsEmulatorOptions {
  accessKeyId: string;
  accessKeySecret: string;
  instanceCount: number;
  /** Calls per second before `Throttling.User`; the published quota is 50. */
  qps?: number;
  /** Datapoints per page when the caller sends no `Length`; CMS defaults to 1000. */
  defaultPageLength?: number;
  userId?: string;
}

export function aliyunInstanceIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `i-emu${String(i).padStart(6, '0')}`);
}

/** RFC 3986 percent-encoding, as ACS3 canonicalisation requires. */
function acsEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export interface ParsedAcs3Authorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

export function parseAcs3Authorization(header: string): ParsedAcs3Authorization | null {
  const match = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]*),Signature=([0-9a-f]+)$/.exec(header.trim());
  if (!match) return null;
  return { accessKeyId: match[1]!, signedHeaders: match[2]!.split(';').filter(Boolean), signature: match[3]! };
}

export function acs3Signature(request: EmulatorRequest, signedHeaders: string[], secret: string): string {
  const query = [...request.url.searchParams.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${acsEncode(k)}=${acsEncode(v)}`)
    .join('&');
  const headers = signedHeaders.map((name) => `${name}:${headerValue(request.headers, name).trim()}\n`).join('');
  const payloadHash = createHash('sha256').update(request.body).digest('hex');
  const canonicalRequest = [request.method, request.url.pathname, query, headers, signedHeaders.join(';'), payloadHash].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
  return createHmac('sha256', secret).update(stringToSign).digest('hex');
}

function rpcError(status: number, code: string, message: string): EmulatorReply {
  return { status, body: { RequestId: randomUUID().toUpperCase(), HostId: 'metrics.emulator.aliyuncs.com', Code: code, Message: message } };
}

function parseTime(value: string | null, fallback: number): number {
  if (!value) return fallback;
  if (/^\d+$/.test(value)) return Number(value);
  // CMS also accepts "YYYY-MM-DD hh:mm:ss" in UTC+8.
  const parsed = Date.parse(`${value.replace(' ', 'T')}+08:00`);
  return Number.isNaN(parsed) ? fallback : parsed;
}

export async function startAliyunCmsEmulator(options: AliyunCmsEmulatorOptions): Promise<RunningEmulator> {
  const stats = emptyStats();
  const window = new PerSecondWindow(options.qps ?? 50);
  const instances = aliyunInstanceIds(options.instanceCount);
  const userId = options.userId ?? '1208863178610000';

  const handle = (request: EmulatorRequest): EmulatorReply => {
    const auth = parseAcs3Authorization(headerValue(request.headers, 'authorization'));
    if (!auth) return rpcError(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.');
    if (auth.accessKeyId !== options.accessKeyId) {
      stats.unknownKeys += 1;
      return rpcError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    }
    const expected = acs3Signature(request, auth.signedHeaders, options.accessKeySecret);
    const claimedBodyHash = headerValue(request.headers, 'x-acs-content-sha256');
    const actualBodyHash = createHash('sha256').update(request.body).digest('hex');
    if (expected !== auth.signature || (claimedBodyHash && claimedBodyHash !== actualBodyHash) || !auth.signedHeaders.includes('host')) {
      stats.signatureMismatches += 1;
      return rpcError(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
    }
    if (!window.admit()) {
      stats.throttled += 1;
      return rpcError(400, 'Throttling.User', 'Request was denied due to user flow control.');
    }
    const action = headerValue(request.headers, 'x-acs-action') || request.url.searchParams.get('Action');
    if (action !== 'DescribeMetricList') return rpcError(404, 'InvalidAction.NotFound', `Specified api is not found, please check your url and method.`);
    const reply = describeMetricList(request.url.searchParams);
    if (reply.status === 200) stats.accepted += 1;
    return reply;
  };

  const describeMetricList = (query: URLSearchParams): EmulatorReply => {
    const namespace = query.get('Namespace');
    const metricName = query.get('MetricName');
    if (!namespace || !metricName) return rpcError(400, 'MissingParameter', 'Namespace and MetricName are mandatory for this action.');
    let selected = instances;
    const rawDimensions = query.get('Dimensions');
    if (rawDimensions) {
      let dimensions: unknown;
      try {
        dimensions = JSON.parse(rawDimensions);
      } catch {
        return rpcError(400, 'InvalidParameter', 'The specified parameter "Dimensions" is not valid.');
      }
      const list = Array.isArray(dimensions) ? dimensions : [dimensions];
      if (list.length > ALIYUN_MAX_DIMENSIONS) {
        stats.batchRejected += 1;
        // The reference caps Dimensions at 50 instances; it does not name a
        // dedicated code, so this is the generic parameter error POP returns.
        return rpcError(400, 'InvalidParameter', `The specified parameter "Dimensions" exceeds the limit of ${ALIYUN_MAX_DIMENSIONS}.`);
      }
      const wanted = new Set(list.map((d) => String((d as { instanceId?: unknown }).instanceId ?? '')));
      selected = instances.filter((id) => wanted.has(id));
    }
    const period = Number(query.get('Period') ?? '60') || 60;
    const now = Date.now();
    const end = parseTime(query.get('EndTime'), now);
    const start = parseTime(query.get('StartTime'), end - 3600_000);
    const length = Math.min(Number(query.get('Length') ?? options.defaultPageLength ?? 1000) || 1000, 1440);
    const token = query.get('NextToken');
    const offset = token ? Number(Buffer.from(token, 'base64url').toString()) : 0;
    if (!Number.isInteger(offset) || offset < 0) return rpcError(400, 'InvalidParameter', 'The specified parameter "NextToken" is not valid.');

    const stamps = alignedTimestamps(start, end, period);
    const total = selected.length * stamps.length;
    const page: object[] = [];
    for (let i = offset; i < Math.min(offset + length, total); i += 1) {
      const instanceId = selected[Math.floor(i / stamps.length)]!;
      const timestamp = stamps[i % stamps.length]!;
      const average = syntheticValue(instanceId, metricName, timestamp);
      page.push({ timestamp, userId, instanceId, Average: average, Maximum: average + 1, Minimum: Math.max(0, average - 1) });
    }
    const nextOffset = offset + length;
    return {
      status: 200,
      body: {
        RequestId: randomUUID().toUpperCase(),
        Code: '200',
        Success: true,
        Period: String(period),
        // CMS returns the datapoints as a JSON *string*, not an array.
        Datapoints: JSON.stringify(page),
        ...(nextOffset < total ? { NextToken: Buffer.from(String(nextOffset)).toString('base64url') } : {}),
      },
    };
  };

  return startEmulatorServer(stats, handle);
}
