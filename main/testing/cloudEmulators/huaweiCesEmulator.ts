// Huawei Cloud Eye (CES v1) emulator: ListMetrics (GET /V1.0/{project}/metrics,
// paged by `start` marker, at most 1000 per page) and BatchListMetricData
// (POST /V1.0/{project}/batch-query-metric-data: at most 500 metrics per
// call, and "metrics × (to − from) / period ≤ 3000" or the service silently
// trims `from`; support.huaweicloud.com/api-ces/ces_03_0034.html). The
// project id in the path picks the region (one project per region). Requests
// are signed SDK-HMAC-SHA256 (the API Gateway's AK/SK signing; the canonical
// URI ends in "/"), recomputed here from the wire. Throttling answers 429
// with APIGW.0308, as the gateway does (500 calls/min per API published).
//
// The same endpoint also serves ECS ListServersDetails (GET
// /v1/{project_id}/cloudservers/detail, ECS API reference,
// support.huaweicloud.com/api-ecs/zh-cn_topic_0094148850.html) for the
// server names Cloud Eye does not return: `limit` 1..1000 (default 25),
// `marker` (the previous page's last id) or the deprecated `offset` (a page
// number, 0 and 1 both the first page); the body is { count, servers: [ { id,
// name, status, flavor: { id, name, … }, addresses: { <vpc id>: [ { addr,
// version, OS-EXT-IPS:type, … } ] }, … } ] }. An IAM user without
// ecs:cloudServers:list gets 403 { error: { code: "Ecs.0003", message } }
// (the ECS error-code table's "You do not have permission to perform this
// operation").
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

export const HUAWEI_MAX_METRICS = 500;
export const HUAWEI_MAX_POINTS_PER_REQUEST = 3000;
export const HUAWEI_MAX_LIST_LIMIT = 1000;
/** ListServersDetails: "最多返回1000台云服务器的信息". */
export const HUAWEI_MAX_SERVERS_PAGE = 1000;
/** `period` enum → milliseconds; "1" is raw data, treated as 60 s by the points rule. */
export const HUAWEI_PERIOD_MS: Record<string, number> = { '1': 60_000, '300': 300_000, '1200': 1_200_000, '3600': 3_600_000, '14400': 14_400_000, '86400': 86_400_000 };

export interface HuaweiCesEmulatorOptions extends FleetOptions {
  accessKey: string;
  secretKey: string;
  /** Project id of the first (or only) region. */
  projectId: string;
  /** Project id per region when there are several regions. */
  projectIds?: Record<string, string>;
  /** ECS instances per region when `products` is not given. */
  instanceCount?: number;
  /** Calls per second per API before APIGW.0308 (500/min ≈ 8/s). */
  qps?: number;
  /** ECS ListServersDetails calls per second before APIGW.0308 (default `qps`, else 8). */
  ecsQps?: number;
  dataDelayMs?: number;
  now?: () => number;
}

/** ECS ids of region 0, as the emulator names them. */
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

/** ECS v1 errors: { error: { code, message } } (the SDK core reads error.code / error.message). */
function ecsError(status: number, code: string, message: string): EmulatorReply {
  return { status, body: { error: { code, message } } };
}

function cesV1Error(status: number, code: string, details: string): EmulatorReply {
  return { status, body: { http_code: status, message: { details, code }, encoded_authorization_message: null } };
}

interface MetricItem {
  namespace?: string;
  metric_name?: string;
  dimensions?: { name?: string; value?: string }[];
}

interface BatchBody {
  metrics?: MetricItem[];
  from?: number;
  to?: number;
  period?: string;
  filter?: string;
}

interface ListedMetric {
  namespace: string;
  metric_name: string;
  dimensions: { name: string; value: string }[];
  unit: string;
  marker: string;
}

export async function startHuaweiCesEmulator(options: HuaweiCesEmulatorOptions): Promise<RunningEmulator> {
  const stats = emptyStats();
  const now = options.now ?? Date.now;
  const delayMs = options.dataDelayMs ?? 60_000;
  const throttle = new Throttle((action) => (action === 'ListServersDetails' ? (options.ecsQps ?? options.qps ?? 8) : (options.qps ?? 8)));
  const denied = new Set<string>();
  const fleet = new EmulatedFleet('huawei', { ...options, products: options.products ?? { ecs: options.instanceCount ?? 0 } });
  const regions = options.regions ?? [fleet.resources[0]?.region ?? 'cn-north-4'];
  const regionOfProject = new Map<string, string>();
  regionOfProject.set(options.projectId, regions[0]!);
  for (const [region, project] of Object.entries(options.projectIds ?? {})) regionOfProject.set(project, region);
  let secretKey = options.secretKey;

  // Every metric series of a region, as ListMetrics lists them, sorted by marker.
  const listed = new Map<string, ListedMetric[]>();
  const listOf = (region: string): ListedMetric[] => {
    let list = listed.get(region);
    if (list) return list;
    list = [];
    for (const offered of fleet.offered) {
      for (const r of fleet.instances(region, offered.product)) {
        if (!fleet.reports(r, offered)) continue;
        for (const sub of fleet.subDimensionSets(r, offered)) {
          const dimensions = [{ name: offered.instanceDimension, value: r.id }, ...Object.entries(sub).map(([name, value]) => ({ name, value }))];
          const marker = `${offered.namespace}.${offered.metric}.${dimensions.map((d) => `${d.name}:${d.value}`).join('.')}`;
          list.push({ namespace: offered.namespace, metric_name: offered.metric, dimensions, unit: offered.unit, marker });
        }
      }
    }
    list.sort((a, b) => (a.marker < b.marker ? -1 : a.marker > b.marker ? 1 : 0));
    listed.set(region, list);
    return list;
  };
  const seriesIndex = new Map<string, Set<string>>();
  const hasSeries = (region: string, item: MetricItem): boolean => {
    let index = seriesIndex.get(region);
    if (!index) {
      index = new Set(listOf(region).map((m) => m.marker));
      seriesIndex.set(region, index);
    }
    const dims = (item.dimensions ?? []).map((d) => `${d.name}:${d.value}`).join('.');
    return index.has(`${item.namespace}.${item.metric_name}.${dims}`);
  };

  const handle = (request: EmulatorRequest): EmulatorReply => {
    const auth = /^SDK-HMAC-SHA256 Access=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(headerValue(request.headers, 'authorization'));
    if (!auth) return gatewayError(401, 'APIGW.0301', 'Incorrect IAM authentication information: Authorization format incorrect');
    const [, accessKey, signedHeaderList, signature] = auth as unknown as [string, string, string, string];
    if (accessKey !== options.accessKey) {
      stats.unknownKeys += 1;
      return gatewayError(401, 'APIGW.0301', 'Incorrect IAM authentication information: get secret key fail');
    }
    const signedHeaders = signedHeaderList.split(';');
    if (sdkHmacSha256Signature(request, signedHeaders, secretKey) !== signature || !signedHeaders.includes('host') || !signedHeaders.includes('x-sdk-date')) {
      stats.signatureMismatches += 1;
      return gatewayError(401, 'APIGW.0301', 'Incorrect IAM authentication information: verify aksk signature fail');
    }
    const batch = /^\/V1\.0\/([^/]+)\/batch-query-metric-data\/?$/.exec(request.url.pathname);
    const list = /^\/V1\.0\/([^/]+)\/metrics\/?$/.exec(request.url.pathname);
    const servers = /^\/v1\/([^/]+)\/cloudservers\/detail\/?$/.exec(request.url.pathname);
    const action = batch && request.method === 'POST' ? 'BatchListMetricData' : list && request.method === 'GET' ? 'ListMetrics' : servers && request.method === 'GET' ? 'ListServersDetails' : '';
    if (!action) return gatewayError(404, 'APIGW.0101', 'The API does not exist or has not been published in the environment');
    if (throttle.refuse(action)) {
      stats.throttled += 1;
      return gatewayError(429, 'APIGW.0308', 'The throttling threshold has been reached: policy user over ratelimit');
    }
    const project = (batch ?? list ?? servers)![1]!;
    const region = regionOfProject.get(project);
    if (action === 'ListServersDetails') {
      if (!region) return ecsError(400, 'Ecs.0005', 'Invalid parameter values: project_id.');
      if (denied.has(action)) return ecsError(403, 'Ecs.0003', 'You do not have permission to perform this operation. Contact customer service to obtain permission.');
      const reply = listServersDetails(request.url.searchParams, region);
      if (reply.status === 200) {
        stats.accepted += 1;
        stats.byAction[action] = (stats.byAction[action] ?? 0) + 1;
      }
      return reply;
    }
    if (!region) return cesV1Error(400, 'ces.0003', 'The tenant ID is left blank or incorrect.');
    if (denied.has(action)) return cesV1Error(403, 'ces.0015', 'Authentication failed: the user has no permission for this operation.');
    let reply: EmulatorReply;
    if (action === 'ListMetrics') {
      reply = listMetrics(request.url.searchParams, region);
    } else {
      let body: BatchBody;
      try {
        body = JSON.parse(request.body.toString('utf8')) as BatchBody;
      } catch {
        return cesV1Error(400, 'ces.0014', 'Some content in message body is not correct, error message: [body]');
      }
      reply = batchListMetricData(body, region);
    }
    if (reply.status === 200) {
      stats.accepted += 1;
      stats.byAction[action] = (stats.byAction[action] ?? 0) + 1;
    }
    return reply;
  };

  const listMetrics = (query: URLSearchParams, region: string): EmulatorReply => {
    const limit = Number(query.get('limit') ?? HUAWEI_MAX_LIST_LIMIT);
    if (!Number.isInteger(limit) || limit < 1 || limit > HUAWEI_MAX_LIST_LIMIT) return cesV1Error(400, 'ces.0014', `Some content in message body is not correct, error message: [limit must be between 1 and ${HUAWEI_MAX_LIST_LIMIT}]`);
    const namespace = query.get('namespace');
    const metricName = query.get('metric_name');
    const start = query.get('start');
    let all = listOf(region);
    if (namespace) all = all.filter((m) => m.namespace === namespace);
    if (metricName) all = all.filter((m) => m.metric_name === metricName);
    const from = start ? all.findIndex((m) => m.marker > start) : 0;
    const page = from < 0 ? [] : all.slice(from, from + limit);
    return {
      status: 200,
      body: {
        metrics: page.map(({ marker: _marker, ...m }) => m),
        meta_data: { count: page.length, marker: page.length ? page[page.length - 1]!.marker : '', total: all.length },
      },
    };
  };

  const listServersDetails = (query: URLSearchParams, region: string): EmulatorReply => {
    const limit = Number(query.get('limit') ?? '25');
    if (!Number.isInteger(limit) || limit < 1 || limit > HUAWEI_MAX_SERVERS_PAGE) return ecsError(400, 'Ecs.0005', `Invalid parameter values: limit must be between 1 and ${HUAWEI_MAX_SERVERS_PAGE}.`);
    const all = fleet.instances(region, 'ecs');
    const marker = query.get('marker');
    let from: number;
    if (marker) {
      const at = all.findIndex((r) => r.id === marker);
      if (at < 0) return ecsError(400, 'Ecs.0005', 'Invalid parameter values: marker.');
      from = at + 1;
    } else {
      const page = Math.max(1, Number(query.get('offset') ?? '1') || 1);
      from = (page - 1) * limit;
    }
    const page = all.slice(from, from + limit);
    return {
      status: 200,
      body: {
        count: all.length,
        servers: page.map((r) => {
          const facts = fleet.factsOf(r);
          return {
            id: r.id,
            name: fleet.nameOf(r),
            status: facts.status,
            flavor: { id: facts.instanceType, name: facts.instanceType, vcpus: '2', ram: '4096', disk: '0' },
            addresses: {
              'c2f8d4e0-0000-4000-9000-emulatorvpc0': [
                { version: '4', addr: facts.privateIp, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:00:00:01', 'OS-EXT-IPS:port_id': `${r.id.slice(0, 24)}000000000001` },
              ],
            },
            'OS-EXT-AZ:availability_zone': `${region}a`,
            'OS-EXT-STS:vm_state': facts.status === 'ACTIVE' ? 'active' : 'stopped',
            tenant_id: project(region),
            metadata: { charging_mode: '0', vpc_id: 'c2f8d4e0-0000-4000-9000-emulatorvpc0' },
            created: '2024-03-01T08:00:00Z',
            updated: '2024-03-01T08:05:00Z',
            tags: [],
          };
        }),
      },
    };
  };
  const project = (region: string) => [...regionOfProject.entries()].find(([, r]) => r === region)?.[0] ?? '';

  const batchListMetricData = (body: BatchBody, region: string): EmulatorReply => {
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
    const stamps = availableTimestamps({ startMs: from, endMs: to, inclusiveStart: true, inclusiveEnd: true }, periodMs / 1000, now(), delayMs);
    const filter = body.filter!;
    const factor = filter === 'max' ? 1.2 : filter === 'min' ? 0.8 : 1;
    const metrics = body.metrics.map((m) => {
      const dims = (m.dimensions ?? []).map((d) => ({ name: String(d.name ?? ''), value: String(d.value ?? '') }));
      const present = hasSeries(region, m);
      const resource = present ? fleet.find(region, dims[0]!.value) : undefined;
      const sub = Object.fromEntries(dims.slice(1).map((d) => [d.name, d.value]));
      const datapoints = resource ? stamps.map((timestamp) => ({ [filter]: Math.round(fleet.value(resource, m.metric_name ?? '', sub, timestamp) * factor * 100) / 100, timestamp })) : [];
      stats.pointsServed += datapoints.length;
      return { namespace: m.namespace, metric_name: m.metric_name, dimensions: dims, datapoints, unit: present ? '%' : 'unknown' };
    });
    return { status: 200, body: { metrics } };
  };

  return startEmulatorServer(stats, handle, {
    onThrottleNext: (count, action) => throttle.force(count, action),
    onSetSecret: (s) => {
      secretKey = s;
    },
    onDeny: (action, on) => {
      if (on) denied.add(action);
      else denied.delete(action);
    },
    fleet,
  });
}
