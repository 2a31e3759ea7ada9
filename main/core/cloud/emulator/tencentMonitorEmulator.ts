// Tencent Cloud Monitor (monitor 2018-07-24) emulator: GetMonitorData only.
//
// Signature: TC3-HMAC-SHA256 ("Signature v3", cloud.tencent.com/document/api/213/30654):
//   CanonicalRequest = METHOD \n URI \n query \n lower(h):v\n… \n signed;headers \n hex(sha256(body))
//   StringToSign     = "TC3-HMAC-SHA256\n" + X-TC-Timestamp + "\n" + date/service/tc3_request + "\n" + hex(sha256(CanonicalRequest))
//   kDate = HMAC("TC3"+SecretKey, date); kService = HMAC(kDate, service); kSigning = HMAC(kService, "tc3_request")
// Two quirks of tencentcloud-sdk-nodejs seen on the wire: it signs `host`
// as the hostname without the port, and takes the service name from the
// endpoint's first label (`monitor.tencentcloudapi.com` → `monitor`; our
// `127.0.0.1:PORT` → `127`). The emulator applies the same derivation to the
// Host it was reached at, so a mis-scoped signature still fails.
//
// Errors come back with HTTP 200 and `Response.Error` (common error codes,
// cloud.tencent.com/document/api/248/30388): AuthFailure.SignatureFailure,
// AuthFailure.SecretIdNotFound, RequestLimitExceeded; GetMonitorData takes at
// most 10 instances per call and has a default quota of 20 calls/s
// (cloud.tencent.com/document/product/215/30353, /248/54788).
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

export const TENCENT_MAX_INSTANCES = 10;

export interface TencentMonitorEmulatorOptions {
  secretId: string;
  secretKey: string;
  instanceCount: number;
  /** Calls per second before RequestLimitExceeded; GetMonitorData defaults to 20. */
  qps?: number;
}

export function tencentInstanceIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `ins-emu${String(i).padStart(5, '0')}`);
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

export function tc3Signature(args: { request: EmulatorRequest; signedHeaders: string[]; secretKey: string; timestamp: string; date: string; service: string }): string {
  const { request, signedHeaders } = args;
  const hostname = headerValue(request.headers, 'host').replace(/:\d+$/, '');
  const headers = signedHeaders
    .map((name) => `${name}:${name === 'host' ? hostname : headerValue(request.headers, name)}\n`)
    .join('');
  const canonicalRequest = [
    request.method,
    request.url.pathname,
    request.url.search.slice(1),
    headers,
    signedHeaders.join(';'),
    createHash('sha256').update(request.body).digest('hex'),
  ].join('\n');
  const scope = `${args.date}/${args.service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', args.timestamp, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const kSigning = hmac(hmac(hmac(`TC3${args.secretKey}`, args.date), args.service), 'tc3_request');
  return createHmac('sha256', kSigning).update(stringToSign).digest('hex');
}

function tcError(code: string, message: string): EmulatorReply {
  // Tencent reports API errors with HTTP 200.
  return { status: 200, body: { Response: { Error: { Code: code, Message: message }, RequestId: randomUUID() } } };
}

interface GetMonitorDataBody {
  Namespace?: string;
  MetricName?: string;
  Period?: number;
  StartTime?: string;
  EndTime?: string;
  Instances?: { Dimensions?: { Name?: string; Value?: string }[] }[];
}

export async function startTencentMonitorEmulator(options: TencentMonitorEmulatorOptions): Promise<RunningEmulator> {
  const stats = emptyStats();
  const window = new PerSecondWindow(options.qps ?? 20);
  const known = new Set(tencentInstanceIds(options.instanceCount));

  const handle = (request: EmulatorRequest): EmulatorReply => {
    const auth = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      headerValue(request.headers, 'authorization'),
    );
    if (!auth) return tcError('AuthFailure.InvalidAuthorization', 'Authorization in the request header is invalid.');
    const [, secretId, date, service, signedHeaderList, signature] = auth as unknown as [string, string, string, string, string, string];
    if (secretId !== options.secretId) {
      stats.unknownKeys += 1;
      return tcError('AuthFailure.SecretIdNotFound', 'The SecretId is not found, please ensure that your SecretId is correct.');
    }
    const timestamp = headerValue(request.headers, 'x-tc-timestamp');
    const signedHeaders = signedHeaderList.split(';');
    const hostname = headerValue(request.headers, 'host').replace(/:\d+$/, '');
    const expectedService = hostname.split('.')[0];
    const expectedDate = new Date(Number(timestamp) * 1000).toISOString().slice(0, 10);
    const expected = tc3Signature({ request, signedHeaders, secretKey: options.secretKey, timestamp, date, service });
    if (expected !== signature || service !== expectedService || date !== expectedDate || !signedHeaders.includes('host')) {
      stats.signatureMismatches += 1;
      return tcError('AuthFailure.SignatureFailure', 'The provided credentials could not be validated. Please check your signature is correct.');
    }
    if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) {
      return tcError('AuthFailure.SignatureExpire', 'Signature expired. Timestamp and server time cannot differ by more than five minutes.');
    }
    if (!window.admit()) {
      stats.throttled += 1;
      return tcError('RequestLimitExceeded', 'Your current request times equals to `21` in a second, which exceeds the frequency limit `20` for a second. Please reduce the frequency of calls.');
    }
    const action = headerValue(request.headers, 'x-tc-action');
    if (action !== 'GetMonitorData') return tcError('InvalidAction', `The action \`${action}\` is not supported by the emulator.`);
    let body: GetMonitorDataBody;
    try {
      body = JSON.parse(request.body.toString('utf8')) as GetMonitorDataBody;
    } catch {
      return tcError('InvalidParameter', 'The request body is not valid JSON.');
    }
    const reply = getMonitorData(body);
    if (reply.status === 200 && !(reply.body as { Response: { Error?: unknown } }).Response.Error) stats.accepted += 1;
    return reply;
  };

  const getMonitorData = (body: GetMonitorDataBody): EmulatorReply => {
    if (!body.Namespace || !body.MetricName || !Array.isArray(body.Instances) || body.Instances.length === 0) {
      return tcError('MissingParameter', 'Namespace, MetricName and Instances are required.');
    }
    if (body.Instances.length > TENCENT_MAX_INSTANCES) {
      stats.batchRejected += 1;
      return tcError('InvalidParameterValue', `The number of Instances exceeds the limit: a single request supports at most ${TENCENT_MAX_INSTANCES} instances.`);
    }
    const period = body.Period ?? 300;
    const end = body.EndTime ? Date.parse(body.EndTime) : Date.now();
    const start = body.StartTime ? Date.parse(body.StartTime) : end - 3600_000;
    if (Number.isNaN(start) || Number.isNaN(end)) return tcError('InvalidParameterValue', 'StartTime/EndTime must be ISO 8601.');
    const stamps = alignedTimestamps(start, end, period);
    // Single request is capped at 1440 datapoints per instance series.
    if (stamps.length > 1440) return tcError('InvalidParameterValue', 'A single request supports at most 1440 data points.');
    const dataPoints = body.Instances.map((instance) => {
      const dimensions = instance.Dimensions ?? [];
      const id = dimensions.find((d) => d.Name === 'InstanceId')?.Value ?? '';
      const present = known.has(id);
      return {
        Dimensions: dimensions,
        // Tencent timestamps are epoch seconds.
        Timestamps: present ? stamps.map((t) => t / 1000) : [],
        Values: present ? stamps.map((t) => syntheticValue(id, body.MetricName!, t)) : [],
      };
    });
    return {
      status: 200,
      body: { Response: { Period: period, MetricName: body.MetricName, DataPoints: dataPoints, StartTime: body.StartTime, EndTime: body.EndTime, Msg: '', RequestId: randomUUID() } },
    };
  };

  return startEmulatorServer(stats, handle);
}
