// Tencent Cloud emulator for what the collector calls: Monitor
// (GetMonitorData, DescribeBaseMetrics), CVM DescribeInstances, CLB
// DescribeLoadBalancers and CDB DescribeDBInstances, all on one endpoint (an
// account's `endpoint` override points every service there).
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
// AuthFailure.SecretIdNotFound, RequestLimitExceeded. GetMonitorData takes at
// most 10 instances and 1,440 datapoints per call ("A single request can get
// the data of up to 10 instances and up to 1,440 data points"); the emulator
// reads the points limit the strict way (the whole answer), and a 20 calls/s
// quota per API.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { EmulatedFleet, type FleetOptions } from './emulatedFleet.js';
import {
  availableTimestamps,
  emptyStats,
  headerValue,
  startEmulatorServer,
  Throttle,
  type EmulatorReply,
  type EmulatorRequest,
  type RunningEmulator,
} from './emulatorServer.js';

export const TENCENT_MAX_INSTANCES = 10;
export const TENCENT_MAX_POINTS = 1440;

export interface TencentMonitorEmulatorOptions extends FleetOptions {
  secretId: string;
  secretKey: string;
  /** CVM instances per region when `products` is not given. */
  instanceCount?: number;
  /** Calls per second per API before RequestLimitExceeded; the published quota is 20. */
  qps?: number;
  dataDelayMs?: number;
  now?: () => number;
}

/** CVM ids of region 0, as the emulator names them. */
export function tencentInstanceIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `ins-emu0${String(i).padStart(5, '0')}`);
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

export function tc3Signature(args: { request: EmulatorRequest; signedHeaders: string[]; secretKey: string; timestamp: string; date: string; service: string }): string {
  const { request, signedHeaders } = args;
  const hostname = headerValue(request.headers, 'host').replace(/:\d+$/, '');
  const headers = signedHeaders.map((name) => `${name}:${name === 'host' ? hostname : headerValue(request.headers, name)}\n`).join('');
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

function ok(response: Record<string, unknown>): EmulatorReply {
  return { status: 200, body: { Response: { ...response, RequestId: randomUUID() } } };
}

interface GetMonitorDataBody {
  Namespace?: string;
  MetricName?: string;
  Period?: number;
  StartTime?: string;
  EndTime?: string;
  SpecifyStatistics?: number;
  Instances?: { Dimensions?: { Name?: string; Value?: string }[] }[];
}

const ACTION_VERSIONS: Record<string, string> = {
  GetMonitorData: '2018-07-24',
  DescribeBaseMetrics: '2018-07-24',
  DescribeInstances: '2017-03-12',
  DescribeLoadBalancers: '2018-03-17',
  DescribeDBInstances: '2017-03-20',
};

export async function startTencentMonitorEmulator(options: TencentMonitorEmulatorOptions): Promise<RunningEmulator> {
  const stats = emptyStats();
  const now = options.now ?? Date.now;
  const delayMs = options.dataDelayMs ?? 60_000;
  const throttle = new Throttle(() => options.qps ?? 20);
  const fleet = new EmulatedFleet('tencent', { ...options, products: options.products ?? { ecs: options.instanceCount ?? 0 } });
  const defaultRegion = fleet.resources[0]?.region ?? 'ap-guangzhou';
  let secretKey = options.secretKey;

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
    const expected = tc3Signature({ request, signedHeaders, secretKey, timestamp, date, service });
    if (expected !== signature || service !== expectedService || date !== expectedDate || !signedHeaders.includes('host')) {
      stats.signatureMismatches += 1;
      return tcError('AuthFailure.SignatureFailure', 'The provided credentials could not be validated. Please check your signature is correct.');
    }
    if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) {
      return tcError('AuthFailure.SignatureExpire', 'Signature expired. Timestamp and server time cannot differ by more than five minutes.');
    }
    const action = headerValue(request.headers, 'x-tc-action');
    const version = headerValue(request.headers, 'x-tc-version');
    if (!ACTION_VERSIONS[action]) return tcError('InvalidAction', `The action \`${action}\` is not supported by the emulator.`);
    if (ACTION_VERSIONS[action] !== version) return tcError('InvalidAction', `The action \`${action}\` does not exist in version ${version}.`);
    if (throttle.refuse(action)) {
      stats.throttled += 1;
      return tcError('RequestLimitExceeded', 'Your current request times equals to `21` in a second, which exceeds the frequency limit `20` for a second. Please reduce the frequency of calls.');
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(request.body.toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      return tcError('InvalidParameter', 'The request body is not valid JSON.');
    }
    const region = headerValue(request.headers, 'x-tc-region') || defaultRegion;
    let reply: EmulatorReply;
    switch (action) {
      case 'GetMonitorData':
        reply = getMonitorData(body as GetMonitorDataBody, region);
        break;
      case 'DescribeBaseMetrics':
        reply = describeBaseMetrics(String(body.Namespace ?? ''));
        break;
      default:
        reply = listInstances(action, body, region);
    }
    if (!(reply.body as { Response: { Error?: unknown } }).Response.Error) {
      stats.accepted += 1;
      stats.byAction[action] = (stats.byAction[action] ?? 0) + 1;
    }
    return reply;
  };

  const getMonitorData = (body: GetMonitorDataBody, region: string): EmulatorReply => {
    if (!body.Namespace || !body.MetricName || !Array.isArray(body.Instances) || body.Instances.length === 0) {
      return tcError('MissingParameter', 'Namespace, MetricName and Instances are required.');
    }
    if (body.Instances.length > TENCENT_MAX_INSTANCES) {
      stats.batchRejected += 1;
      return tcError('InvalidParameterValue', `The number of Instances exceeds the limit: a single request supports at most ${TENCENT_MAX_INSTANCES} instances.`);
    }
    const offered = fleet.offeredMetric(body.Namespace, body.MetricName);
    if (!offered) return tcError('ResourceNotFound', `The metric ${body.MetricName} does not exist in namespace ${body.Namespace}.`);
    const period = body.Period ?? 300;
    const t = now();
    const end = body.EndTime ? Date.parse(body.EndTime) : t;
    const start = body.StartTime ? Date.parse(body.StartTime) : end - 3600_000;
    if (Number.isNaN(start) || Number.isNaN(end)) return tcError('InvalidParameterValue', 'StartTime/EndTime must be ISO 8601.');
    const stamps = availableTimestamps({ startMs: start, endMs: end, inclusiveStart: true, inclusiveEnd: true }, period, t, delayMs);
    const requested = Math.floor((end - start) / (period * 1000)) + 1;
    if (requested * body.Instances.length > TENCENT_MAX_POINTS) {
      stats.batchRejected += 1;
      return tcError('InvalidParameterValue', `A single request supports at most ${TENCENT_MAX_POINTS} data points.`);
    }
    const stats3 = body.SpecifyStatistics ?? 0;
    const dataPoints = body.Instances.map((instance) => {
      const dimensions = instance.Dimensions ?? [];
      const value = dimensions.find((d) => d.Name === offered.instanceDimension)?.Value ?? '';
      const resource = fleet.find(region, value);
      const present = resource !== undefined && fleet.reports(resource, offered);
      const values = present ? stamps.map((ts) => fleet.value(resource, body.MetricName!, {}, ts)) : [];
      stats.pointsServed += values.length;
      return {
        Dimensions: dimensions,
        // Tencent timestamps are epoch seconds.
        Timestamps: present ? stamps.map((ts) => ts / 1000) : [],
        Values: values,
        ...(stats3 & 1 ? { AvgValues: values } : {}),
        ...(stats3 & 2 ? { MaxValues: values.map((v) => Math.round(v * 1.2 * 100) / 100) } : {}),
        ...(stats3 & 4 ? { MinValues: values.map((v) => Math.round(v * 0.8 * 100) / 100) } : {}),
      };
    });
    return ok({ Period: period, MetricName: body.MetricName, DataPoints: dataPoints, StartTime: body.StartTime, EndTime: body.EndTime, Msg: '' });
  };

  const describeBaseMetrics = (namespace: string): EmulatorReply => {
    if (!namespace) return tcError('MissingParameter', 'Namespace is required.');
    const set = fleet.metricsOf(namespace).map((m) => ({
      Namespace: namespace,
      MetricName: m.metric,
      Unit: m.unit,
      UnitCname: m.unit,
      Period: [60, 300, 3600, 86400],
      Periods: [{ Period: '60', StatType: ['avg', 'max', 'min'] }],
      Meaning: { En: m.metric, Zh: m.metric },
      Dimensions: [{ Dimensions: [m.instanceDimension] }],
      MetricCName: m.metric,
      MetricEName: m.metric,
    }));
    return ok({ MetricSet: set });
  };

  const listInstances = (action: string, body: Record<string, unknown>, region: string): EmulatorReply => {
    const product = action === 'DescribeInstances' ? 'ecs' : action === 'DescribeLoadBalancers' ? 'slb' : 'rds';
    const maxLimit = action === 'DescribeDBInstances' ? 2000 : 100;
    const offset = Number(body.Offset ?? 0);
    const limit = Number(body.Limit ?? 20);
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 1 || limit > maxLimit) {
      return tcError('InvalidParameterValue', `Limit must be between 1 and ${maxLimit}, Offset ≥ 0.`);
    }
    const all = fleet.instances(region, product);
    const page = all.slice(offset, offset + limit);
    if (action === 'DescribeInstances') {
      return ok({ TotalCount: all.length, InstanceSet: page.map((r) => ({ InstanceId: r.id, InstanceName: fleet.nameOf(r), InstanceState: 'RUNNING', Placement: { Zone: `${region}-3` } })) });
    }
    if (action === 'DescribeLoadBalancers') {
      return ok({ TotalCount: all.length, LoadBalancerSet: page.map((r) => ({ LoadBalancerId: r.id, LoadBalancerName: fleet.nameOf(r), LoadBalancerType: 'OPEN', LoadBalancerVips: [r.vip], Status: 1 })) });
    }
    return ok({ TotalCount: all.length, Items: page.map((r) => ({ InstanceId: r.id, InstanceName: fleet.nameOf(r), Status: 1, Region: region })) });
  };

  return startEmulatorServer(stats, handle, {
    onThrottleNext: (count, action) => throttle.force(count, action),
    onSetSecret: (s) => {
      secretKey = s;
    },
    fleet,
  });
}
