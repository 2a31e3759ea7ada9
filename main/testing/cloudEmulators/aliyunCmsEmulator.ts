// Alibaba CloudMonitor (CMS 2019-01-01) emulator: DescribeMetricList,
// DescribeMetricLast (instance discovery from the metric data) and
// DescribeMetricMetaList (what a namespace offers); plus ECS (2014-05-26)
// DescribeInstances on the same endpoint, for the names CMS does not return
// (an account's endpoint override serves every API of the account).
//
// DescribeInstances follows the ECS API reference
// (help.aliyun.com/en/ecs/api-describeinstances): MaxResults (10 by default,
// at most 100) with NextToken, or PageSize (at most 100) with PageNumber;
// the body is { RequestId, TotalCount, PageSize, PageNumber, NextToken,
// Instances: { Instance: [ { InstanceId, InstanceName, InstanceType, Status,
// VpcAttributes: { PrivateIpAddress: { IpAddress: [..] } }, … } ] } }. A RAM
// user without the action gets an empty list, as the reference says, and its
// DryRun gets 403 Forbidden.RAM; an allowed DryRun gets 400 DryRunOperation.
// Throttling answers `Throttling` (ECS's code; "the system reports the
// Throttling error code", ECS API throttling page).
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
// control." is the throttling error the CMS API reference names (50 calls/s
// per API per account). Windows follow the reference: StartTime is excluded,
// EndTime included; `Length` pages hold at most 1440 rows; datapoints are a
// JSON *string*.
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

/** DescribeMetricList takes at most 50 instances in `Dimensions` (CMS API reference). */
export const ALIYUN_MAX_DIMENSIONS = 50;

export interface AliyunCmsEmulatorOptions extends FleetOptions {
  accessKeyId: string;
  accessKeySecret: string;
  /** ECS instances per region when `products` is not given. */
  instanceCount?: number;
  /** Calls per second per API before `Throttling.User`; the published quota is 50. */
  qps?: number;
  /** ECS DescribeInstances calls per second before `Throttling` (ECS publishes its per-region thresholds only in the Quota Center; default 10, or `qps`). */
  ecsQps?: number;
  /** Rows per page when the caller sends no `Length`; CMS defaults to 1000. */
  defaultPageLength?: number;
  /** How long after a period ends its datapoint appears (default 60 s). */
  dataDelayMs?: number;
  now?: () => number;
  userId?: string;
}

/** ECS ids of region 0, as the emulator names them. */
export function aliyunInstanceIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `i-bp1emu0${String(i).padStart(5, '0')}`);
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

/** A successful RPC answer: CMS wraps every body with RequestId, Code "200" and Success. */
function rpcOk(body: Record<string, unknown>): EmulatorReply {
  return { status: 200, body: { RequestId: randomUUID().toUpperCase(), Code: '200', Success: true, ...body } };
}

function parseTime(value: string | null, fallback: number): number {
  if (!value) return fallback;
  if (/^\d+$/.test(value)) return Number(value);
  // CMS also accepts "YYYY-MM-DD hh:mm:ss" in UTC+8.
  const parsed = Date.parse(`${value.replace(' ', 'T')}+08:00`);
  return Number.isNaN(parsed) ? fallback : parsed;
}

const encodeToken = (offset: number) => Buffer.from(`emu:${offset}`).toString('base64url');
function decodeToken(token: string | null): number | null {
  if (!token) return 0;
  const m = /^emu:(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
  return m ? Number(m[1]) : null;
}

export async function startAliyunCmsEmulator(options: AliyunCmsEmulatorOptions): Promise<RunningEmulator> {
  const stats = emptyStats();
  const now = options.now ?? Date.now;
  const delayMs = options.dataDelayMs ?? 60_000;
  const throttle = new Throttle((action) => (action === 'DescribeInstances' ? (options.ecsQps ?? options.qps ?? 10) : (options.qps ?? 50)));
  const denied = new Set<string>();
  const fleet = new EmulatedFleet('aliyun', { ...options, products: options.products ?? { ecs: options.instanceCount ?? 0 } });
  const defaultRegion = fleet.resources[0]?.region ?? 'cn-hangzhou';
  const userId = options.userId ?? '1208863178610000';
  let secret = options.accessKeySecret;

  const handle = (request: EmulatorRequest): EmulatorReply => {
    const auth = parseAcs3Authorization(headerValue(request.headers, 'authorization'));
    if (!auth) return rpcError(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.');
    if (auth.accessKeyId !== options.accessKeyId) {
      stats.unknownKeys += 1;
      return rpcError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    }
    const expected = acs3Signature(request, auth.signedHeaders, secret);
    const claimedBodyHash = headerValue(request.headers, 'x-acs-content-sha256');
    const actualBodyHash = createHash('sha256').update(request.body).digest('hex');
    if (expected !== auth.signature || (claimedBodyHash && claimedBodyHash !== actualBodyHash) || !auth.signedHeaders.includes('host')) {
      stats.signatureMismatches += 1;
      return rpcError(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
    }
    const action = headerValue(request.headers, 'x-acs-action') || request.url.searchParams.get('Action') || '';
    const version = headerValue(request.headers, 'x-acs-version') || request.url.searchParams.get('Version') || '';
    const isEcs = action === 'DescribeInstances';
    if (isEcs && version !== '2014-05-26') return rpcError(400, 'InvalidVersion', `Specified parameter Version ${version} is not valid for ${action}.`);
    if (throttle.refuse(action)) {
      stats.throttled += 1;
      return isEcs ? rpcError(400, 'Throttling', 'Request was denied due to request throttling.') : rpcError(400, 'Throttling.User', 'Request was denied due to user flow control.');
    }
    const query = request.url.searchParams;
    let reply: EmulatorReply;
    if (denied.has(action) && !(isEcs && query.get('DryRun') !== 'true')) {
      reply = rpcError(403, 'Forbidden.RAM', "User not authorized to operate on the specified resource, or this API doesn't support RAM.");
    } else if (isEcs) reply = describeInstances(query, denied.has(action));
    else if (action === 'DescribeMetricList') reply = metricData(query, false);
    else if (action === 'DescribeMetricLast') reply = metricData(query, true);
    else if (action === 'DescribeMetricMetaList') reply = metricMetaList(query);
    else reply = rpcError(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
    if (reply.status === 200) {
      stats.accepted += 1;
      stats.byAction[action] = (stats.byAction[action] ?? 0) + 1;
    }
    return reply;
  };

  const metricData = (query: URLSearchParams, last: boolean): EmulatorReply => {
    const namespace = query.get('Namespace');
    const metricName = query.get('MetricName');
    if (!namespace || !metricName) return rpcError(400, 'MissingParameter', 'Namespace and MetricName are mandatory for this action.');
    const offered = fleet.offeredMetric(namespace, metricName);
    if (!offered) return rpcError(400, 'InvalidParameter', `The metric ${metricName} is not supported by namespace ${namespace}.`);
    const region = query.get('RegionId') || defaultRegion;
    let selected = fleet.instances(region, offered.product).filter((r) => fleet.reports(r, offered));
    let wantedSubs: Map<string, Record<string, string>[]> | undefined;
    const rawDimensions = query.get('Dimensions');
    if (rawDimensions) {
      let dimensions: unknown;
      try {
        dimensions = JSON.parse(rawDimensions);
      } catch {
        return rpcError(400, 'InvalidParameter', 'The specified parameter "Dimensions" is not valid.');
      }
      const list = (Array.isArray(dimensions) ? dimensions : [dimensions]) as Record<string, unknown>[];
      if (list.length > ALIYUN_MAX_DIMENSIONS) {
        stats.batchRejected += 1;
        // The reference caps Dimensions at 50 instances; it does not name a
        // dedicated code, so this is the generic parameter error POP returns.
        return rpcError(400, 'InvalidParameter', `The specified parameter "Dimensions" exceeds the limit of ${ALIYUN_MAX_DIMENSIONS}.`);
      }
      wantedSubs = new Map();
      for (const d of list) {
        const id = String(d[offered.instanceDimension] ?? '');
        const sub = Object.fromEntries(Object.entries(d).filter(([k]) => k !== offered.instanceDimension).map(([k, v]) => [k, String(v)]));
        if (!wantedSubs.has(id)) wantedSubs.set(id, []);
        wantedSubs.get(id)!.push(sub);
      }
      selected = selected.filter((r) => wantedSubs!.has(r.id));
    }
    const period = Number(query.get('Period') ?? '60') || 60;
    const t = now();
    let stamps: number[];
    if (last) {
      const ready = availableTimestamps({ startMs: t - 3 * 3600_000, endMs: t, inclusiveStart: true, inclusiveEnd: true }, period, t, delayMs);
      stamps = ready.length ? [ready[ready.length - 1]!] : [];
    } else {
      const end = parseTime(query.get('EndTime'), t);
      const start = parseTime(query.get('StartTime'), end - 3600_000);
      stamps = availableTimestamps({ startMs: start, endMs: end, inclusiveStart: false, inclusiveEnd: true }, period, t, delayMs);
    }
    const length = Math.min(Number(query.get('Length') ?? options.defaultPageLength ?? 1000) || 1000, 1440);
    const offset = decodeToken(query.get('NextToken'));
    if (offset === null) return rpcError(400, 'InvalidParameter', 'The specified parameter "NextToken" is not valid.');

    // Rows in a stable order: instance, sub-dimension set, time.
    const series: { id: string; sub: Record<string, string> }[] = [];
    for (const r of selected) {
      const subs = fleet.subDimensionSets(r, offered);
      const wanted = wantedSubs?.get(r.id);
      for (const sub of subs) {
        if (wanted && !wanted.some((w) => Object.entries(w).every(([k, v]) => sub[k] === v))) continue;
        series.push({ id: r.id, sub });
      }
    }
    const total = series.length * stamps.length;
    const page: object[] = [];
    for (let i = offset; i < Math.min(offset + length, total); i += 1) {
      const s = series[Math.floor(i / stamps.length)]!;
      const timestamp = stamps[i % stamps.length]!;
      const average = fleet.value(fleet.find(region, s.id)!, metricName, s.sub, timestamp);
      page.push({ timestamp, userId, [offered.instanceDimension]: s.id, ...s.sub, Average: average, Maximum: Math.round(average * 1.2 * 100) / 100, Minimum: Math.round(average * 0.8 * 100) / 100 });
    }
    stats.pointsServed += page.length;
    const nextOffset = offset + length;
    return rpcOk({
      Period: String(period),
      // CMS returns the datapoints as a JSON *string*, not an array.
      Datapoints: JSON.stringify(page),
      ...(nextOffset < total ? { NextToken: encodeToken(nextOffset) } : {}),
    });
  };

  const describeInstances = (query: URLSearchParams, hiddenByRam: boolean): EmulatorReply => {
    if (query.get('DryRun') === 'true') return rpcError(400, 'DryRunOperation', 'Request validation has been passed with DryRun flag set.');
    const region = query.get('RegionId');
    if (!region) return rpcError(400, 'MissingParameter', 'The input parameter "RegionId" that is mandatory for processing this request is not supplied.');
    const all = hiddenByRam ? [] : fleet.instances(region, 'ecs');
    const byToken = query.has('MaxResults') || query.has('NextToken');
    const size = Math.min(100, Math.max(1, Number(query.get(byToken ? 'MaxResults' : 'PageSize') ?? '10') || 10));
    let offset: number;
    if (byToken) {
      const decoded = decodeToken(query.get('NextToken'));
      if (decoded === null) return rpcError(400, 'InvalidParameter.NextToken', 'The specified parameter NextToken is not valid.');
      offset = decoded;
    } else {
      offset = (Math.max(1, Number(query.get('PageNumber') ?? '1') || 1) - 1) * size;
    }
    const page = all.slice(offset, offset + size);
    const next = offset + size < all.length ? encodeToken(offset + size) : '';
    return rpcOk({
      TotalCount: all.length,
      PageSize: size,
      PageNumber: byToken ? 1 : Math.floor(offset / size) + 1,
      NextToken: byToken ? next : '',
      Instances: {
        Instance: page.map((r) => {
          const facts = fleet.factsOf(r);
          return {
            InstanceId: r.id,
            InstanceName: fleet.nameOf(r),
            HostName: `iZ${r.id.slice(2)}Z`,
            RegionId: region,
            ZoneId: `${region}-h`,
            Status: facts.status,
            InstanceType: facts.instanceType,
            InstanceNetworkType: 'vpc',
            Cpu: 2,
            Memory: 8192,
            OSType: 'linux',
            OSName: 'Alibaba Cloud Linux 3.2104 LTS 64位',
            CreationTime: '2024-03-01T08:00Z',
            VpcAttributes: { VpcId: 'vpc-bp1emulator', VSwitchId: 'vsw-bp1emulator', PrivateIpAddress: { IpAddress: [facts.privateIp] }, NatIpAddress: '' },
            InnerIpAddress: { IpAddress: [] },
            PublicIpAddress: { IpAddress: [] },
            EipAddress: { AllocationId: '', IpAddress: '', Bandwidth: 0, InternetChargeType: '' },
            Tags: { Tag: [] },
          };
        }),
      },
    });
  };

  const metricMetaList = (query: URLSearchParams): EmulatorReply => {
    const namespace = query.get('Namespace');
    const all = namespace ? fleet.metricsOf(namespace) : fleet.offered;
    const pageSize = Math.min(Number(query.get('PageSize') ?? '30') || 30, 10000);
    const pageNumber = Math.max(1, Number(query.get('PageNumber') ?? '1') || 1);
    const slice = all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
    return rpcOk({
      TotalCount: String(all.length),
      Resources: {
        Resource: slice.map((m) => ({
          Namespace: m.namespace,
          MetricName: m.metric,
          Description: m.metric,
          Dimensions: ['userId', m.instanceDimension, ...m.subDimensions].join(','),
          Periods: '60,300',
          Statistics: 'Average,Minimum,Maximum',
          Unit: m.unit,
          Labels: '[]',
        })),
      },
    });
  };

  return startEmulatorServer(stats, handle, {
    onThrottleNext: (count, action) => throttle.force(count, action),
    onSetSecret: (s) => {
      secret = s;
    },
    onDeny: (action, on) => {
      if (on) denied.add(action);
      else denied.delete(action);
    },
    fleet,
  });
}
