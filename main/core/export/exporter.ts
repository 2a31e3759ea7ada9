// The Prometheus /metrics endpoint: the whole fleet's latest raw values under
// node_exporter's names with a `host` label, `overlook_host_up`, and the
// console's own health. Families are built at scrape time from the in-memory
// latest values the core keeps (never from SQL) and formatted by prom-client
// Registries, so a removed host simply vanishes from the next scrape.
//
// Beside it, each host as its own target: `/sd/hosts` answers Prometheus's
// HTTP service discovery with one target per host, and `/metrics/host/<id>`
// is that host's series alone, without the `host` label (the target's
// `instance` is the host), answering 503 while the host is down so that
// Prometheus records `up == 0` for it (hostTargets.ts).
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeListener, listenOn } from '../httpListener.js';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import { metricInfo } from '../../common/metrics.js';
import type { Labels } from '../../common/series.js';
import type { Logger } from '../log.js';
import type { ExposedFamily, ExposedType, ExposedValue, ExpositionRequest } from '../exposition.js';
import type { ConsoleHealth } from './consoleHealth.js';
import { DEFAULT_STALE_GRACE_MS, groupHostFamilies, hostIsFresh, type ExportedHost } from './hostFamilies.js';
import { HOST_METRICS_PREFIX, SD_PATH, hostIdOfPath, targetAddress, targetGroups, type ExportTarget } from './hostTargets.js';

export type { ExportedHost } from './hostFamilies.js';
export type { ConsoleHealth } from './consoleHealth.js';

export interface ExportSource {
  /** The in-memory latest values of every watched host; called once per scrape. */
  hosts(): Iterable<ExportedHost>;
  /** The console's own counters; called once per scrape. */
  health(): ConsoleHealth | Promise<ConsoleHealth>;
  /** Families the features add (cloud series and API health, …); called once per scrape, after `health`'s names are reserved. */
  families?(request: ExpositionRequest): readonly ExposedFamily[] | Promise<readonly ExposedFamily[]>;
  /** Every watched host as a discovery target; called once per discovery request. */
  targets?(): Iterable<ExportTarget>;
  /**
   * One host's latest values by id, for its own exposition, with its status
   * word (online, offline, stale, …) for the reason a down host gives;
   * undefined when the console has no such host. Reads that host only.
   */
  host?(id: string): { readonly exported: ExportedHost; readonly status: string } | undefined;
}

/** One host's own exposition: its text, or why there is none (no such host; the host is down, with the reason). */
export type HostExposition = { readonly state: 'ok'; readonly text: string } | { readonly state: 'unknown' } | { readonly state: 'down'; readonly reason: string };

export interface MetricsExpositionOptions {
  readonly source: ExportSource;
  /** A host's series stop being exported this long after its latest sample (default 2 min); `overlook_host_up` stays, 0. */
  readonly staleGraceMs?: number;
  /** prom-client's process_* and nodejs_* metrics for this console (default true). */
  readonly processMetrics?: boolean;
  readonly log: Logger;
  readonly now?: () => number;
}

export interface MetricsExposition {
  readonly contentType: string;
  /** The exposition text for one scrape. Concurrent calls share one rendering. */
  render(): Promise<string>;
  /** One host's series without the `host` label. Concurrent calls for one host share one rendering. */
  renderHost(id: string): Promise<HostExposition>;
}

export interface MetricsExporterOptions extends MetricsExpositionOptions {
  /** Address to bind; the caller defaults it to 127.0.0.1. 0.0.0.0 / :: are allowed, with a warning. */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly bearerToken?: string;
  readonly basicAuth?: { readonly username: string; readonly password: string };
}

export interface MetricsExporter {
  /** e.g. http://127.0.0.1:9309/metrics */
  readonly url: string;
  /** The HTTP service discovery URL, e.g. http://127.0.0.1:9309/sd/hosts */
  readonly sdUrl: string;
  readonly port: number;
  close(): Promise<void>;
}


/**
 * A family whose values are computed before the scrape. prom-client's own
 * Counter only ever increments, so a raw monotonic value read from a host
 * would need reset()+inc() per series (measured 3× slower for 500 hosts ×
 * 300 series, and it wants every label name declared up front). The
 * Registry formats any object with name/type/get(): its typings only name
 * prom-client's classes, hence the cast.
 */
function snapshotFamily(name: string, help: string, type: ExposedType, values: readonly ExposedValue[]): Metric {
  const family = {
    name,
    help,
    type,
    aggregator: 'sum',
    get: async () => ({ name, help, type, aggregator: 'sum', values }),
    reset: () => {},
  };
  return family as unknown as Metric;
}

type FamilySpec = ExposedFamily;

function spec(name: string, help: string, type: ExposedType, values: readonly ExposedValue[]): FamilySpec {
  return { name, help, type, values };
}

// Formatting 500 hosts' worth takes ~200 ms of CPU, and ingest (SSH data,
// agent parsing) shares this event loop. Families are formatted in slices of
// this many series, yielding in between, so no single step blocks for long:
// node_cpu_seconds_total alone is 64 000 series for 500 16-CPU hosts.
const FORMAT_SLICE = 8192;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The family's text, HELP and TYPE once, formatted by a prom-client Registry slice by slice. */
async function formatFamily(family: FamilySpec): Promise<string> {
  const slices: string[] = [];
  for (let start = 0; start === 0 || start < family.values.length; start += FORMAT_SLICE) {
    const registry = new Registry();
    registry.registerMetric(snapshotFamily(family.name, family.help, family.type, family.values.slice(start, start + FORMAT_SLICE)));
    const text = await registry.getSingleMetricAsString(family.name);
    // Later slices continue the same family: drop their "# HELP" and "# TYPE" lines (HELP text has its newlines escaped).
    slices.push(start === 0 ? text : text.slice(text.indexOf('\n', text.indexOf('\n') + 1) + 1));
    await yieldToEventLoop();
  }
  return slices.join('\n');
}

/** Same HELP text as `overlook snapshot --format prom` (promText.ts). */
function helpFor(name: string): string {
  return metricInfo(name)?.help ?? name.replace(/_/g, ' ');
}

const HOST_UP = 'overlook_host_up';

const HEALTH_FAMILIES = {
  samplesIngested: ['overlook_samples_ingested_total', 'Samples the console has ingested from all sources.'],
  ingestFailures: ['overlook_ingest_failures_total', 'Batches of samples the history database could not store (a full disk, a locked file).'],
  samplesLost: ['overlook_samples_lost_total', 'Samples in batches the history database could not store.'],
  samplesDropped: ['overlook_samples_dropped_total', 'Samples the history store refused: out of order, duplicates, too late or not finite.'],
  sshReconnects: ['overlook_ssh_reconnects_total', 'SSH reconnections to watched hosts.'],
  agentErrors: ['overlook_agent_errors_total', 'Agent runs or samples that failed.'],
  alertEvaluations: ['overlook_alert_evaluations_total', 'Alert rule evaluations.'],
} as const;
const DB_SIZE = 'overlook_db_size_bytes';

function healthFamilies(health: ConsoleHealth): FamilySpec[] {
  const families: FamilySpec[] = [];
  for (const key of Object.keys(HEALTH_FAMILIES) as (keyof typeof HEALTH_FAMILIES)[]) {
    const [name, help] = HEALTH_FAMILIES[key];
    families.push(spec(name, help, 'counter', [{ labels: {}, value: health[key] }]));
  }
  families.push(spec(DB_SIZE, 'Size of the history database files (main and WAL).', 'gauge', [{ labels: {}, value: health.dbSizeBytes }]));
  return families;
}

// promtool's lint rejects these three (gauges named *_total); prom-client
// also exports the same figures by type without the suffix.
const LINT_FAILING_DEFAULT_METRICS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

let processRegistry: Registry | undefined;
/**
 * One per process: collectDefaultMetrics installs a GC observer and an
 * event-loop monitor that cannot be removed, so restarting the exporter
 * (settings changed) must not install them again.
 */
function processMetricsRegistry(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
    for (const name of LINT_FAILING_DEFAULT_METRICS) processRegistry.removeSingleMetric(name);
  }
  return processRegistry;
}

export function createMetricsExposition(options: MetricsExpositionOptions): MetricsExposition {
  const staleGraceMs = options.staleGraceMs ?? DEFAULT_STALE_GRACE_MS;
  const now = options.now ?? Date.now;
  const processRegistryOrNone = options.processMetrics === false ? undefined : processMetricsRegistry();
  const reservedNames = new Set<string>([
    HOST_UP,
    DB_SIZE,
    ...Object.values(HEALTH_FAMILIES).map(([name]) => name),
    ...(processRegistryOrNone?.getMetricsAsArray().map((m) => m.name) ?? []),
  ]);
  const warned = new Set<string>();
  let inFlight: Promise<string> | undefined;

  async function renderOnce(): Promise<string> {
    // Features' families first: their names are theirs, and a host series of the same name is left out.
    let contributed: readonly ExposedFamily[] = [];
    try {
      contributed = (await options.source.families?.({ now: now(), reserved: reservedNames })) ?? [];
    } catch (err) {
      options.log.error('metrics exporter could not read the features\' families', { error: (err as Error).message });
    }
    const taken = new Set([...reservedNames, ...contributed.map((f) => f.name)]);
    const grouped = groupHostFamilies(options.source.hosts(), { now: now(), staleGraceMs, reservedNames: taken });
    for (const r of grouped.rejected) {
      const key = `${r.name}\u0000${r.reason}`;
      if (warned.has(key) || warned.size > 1000) continue;
      warned.add(key);
      options.log.warn('metrics exporter left series out', { host: r.host, name: r.name, reason: r.reason, rejectedThisScrape: grouped.rejectedCount });
    }

    const families: FamilySpec[] = [{ name: HOST_UP, help: 'Whether the console has fresh data from the host (1) or not (0).', type: 'gauge', values: grouped.up }];
    let health: ConsoleHealth | undefined;
    try {
      health = await options.source.health();
    } catch (err) {
      // The fleet's values are still worth a scrape without the console's own counters.
      options.log.error('metrics exporter could not read the console health', { error: (err as Error).message });
    }
    if (health) families.push(...healthFamilies(health));
    for (const family of grouped.families.values()) {
      families.push({ name: family.name, help: helpFor(family.name), type: family.kind, values: family.values });
    }
    families.push(...contributed);

    const parts: string[] = [];
    for (const family of families) parts.push(await formatFamily(family));
    if (processRegistryOrNone) parts.push((await processRegistryOrNone.metrics()).trimEnd());
    return parts.join('\n\n') + '\n';
  }

  const hostsInFlight = new Map<string, Promise<HostExposition>>();

  async function renderHostOnce(id: string): Promise<HostExposition> {
    const found = options.source.host?.(id);
    if (!found) return { state: 'unknown' };
    const { exported, status } = found;
    const at = now();
    if (!exported.up || !hostIsFresh(exported, at, staleGraceMs)) {
      // Prometheus records up == 0 for any answer but a 2xx, and shows this text as the scrape error.
      const age = exported.lastSampleAt !== undefined ? `; latest sample ${Math.round((at - exported.lastSampleAt) / 1000)} s ago` : '; no sample yet';
      return { state: 'down', reason: `host ${exported.host} is ${exported.up ? 'stale' : status}${age}` };
    }
    // The same grouping and checks as the whole-fleet scrape, for this one host; then without the `host` label.
    const grouped = groupHostFamilies([exported], { now: at, staleGraceMs, reservedNames });
    const parts: string[] = [];
    for (const family of grouped.families.values()) {
      const values = family.values.map((v) => ({ labels: v.labels, value: v.value }));
      parts.push(await formatFamily({ name: family.name, help: helpFor(family.name), type: family.kind, values }));
    }
    return { state: 'ok', text: parts.length ? parts.join('\n\n') + '\n' : '' };
  }

  return {
    contentType: Registry.PROMETHEUS_CONTENT_TYPE,
    renderHost(id) {
      let pending = hostsInFlight.get(id);
      if (!pending) {
        pending = renderHostOnce(id).finally(() => hostsInFlight.delete(id));
        hostsInFlight.set(id, pending);
      }
      return pending;
    },
    render() {
      // Two Prometheus servers scraping at once share one rendering rather than doubling the work.
      inFlight ??= renderOnce().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Constant-time equality that does not leak the secret's length either (both sides hashed first). */
function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function authorized(header: string | undefined, options: MetricsExporterOptions): boolean {
  if (!options.bearerToken && !options.basicAuth) return true;
  if (!header) return false;
  const space = header.indexOf(' ');
  if (space < 0) return false;
  const scheme = header.slice(0, space).toLowerCase();
  // Node hands header values over as latin1 (one char per byte); a client that
  // sent a UTF-8 token (Prometheus does) is compared byte for byte this way.
  const credentials = Buffer.from(header.slice(space + 1).trim(), 'latin1').toString('utf8');
  if (scheme === 'bearer' && options.bearerToken) return sameSecret(credentials, options.bearerToken);
  if (scheme === 'basic' && options.basicAuth) {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const userOk = sameSecret(decoded.slice(0, colon), options.basicAuth.username);
    const passwordOk = sameSecret(decoded.slice(colon + 1), options.basicAuth.password);
    return userOk && passwordOk;
  }
  return false;
}

const gzipAsync = promisify(gzip);

const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);
function isLoopbackAddress(host: string): boolean {
  return LOOPBACK_HOSTNAMES.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}
function isWildcardAddress(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]' || host === '';
}

function hostnameOf(hostHeader: string | undefined): string {
  if (!hostHeader) return '';
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  const colon = hostHeader.lastIndexOf(':');
  return colon < 0 ? hostHeader : hostHeader.slice(0, colon);
}

const LANDING_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Overlook exporter</title></head>
<body><h1>Overlook exporter</h1><p>The fleet's metrics for Prometheus: <a href="metrics">/metrics</a></p>
<p>Each host as its own target (Prometheus HTTP service discovery): <a href="sd/hosts">/sd/hosts</a></p></body></html>
`;

function validateOptions(options: MetricsExporterOptions): void {
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new Error(`metrics exporter: port must be an integer from 0 to 65535, got ${String(options.port)}`);
  }
  if (options.bearerToken !== undefined && options.bearerToken.length === 0) {
    throw new Error('metrics exporter: the bearer token is empty; leave it out to disable token checks');
  }
  if (options.basicAuth && (!options.basicAuth.username || options.basicAuth.username.includes(':'))) {
    throw new Error('metrics exporter: basic auth needs a user name without ":" (RFC 7617)');
  }
  if (options.staleGraceMs !== undefined && !(options.staleGraceMs >= 0)) {
    throw new Error(`metrics exporter: staleGraceMs must be ≥ 0, got ${String(options.staleGraceMs)}`);
  }
}

/** Serves GET /metrics, /sd/hosts, /metrics/host/<id> and a landing page at GET /; everything else is 404. */
export async function startMetricsExporter(options: MetricsExporterOptions): Promise<MetricsExporter> {
  validateOptions(options);
  const exposition = createMetricsExposition(options);
  const { log } = options;
  const checkHostHeader = isLoopbackAddress(options.host);
  const challenges = [
    ...(options.bearerToken ? ['Bearer realm="overlook"'] : []),
    ...(options.basicAuth ? ['Basic realm="overlook", charset="UTF-8"'] : []),
  ];

  const send = (res: ServerResponse, status: number, contentType: string, body: string | Buffer, head: boolean, extra: Record<string, string | string[]> = {}) => {
    res.writeHead(status, {
      'Content-Type': contentType,
      'Content-Length': Buffer.byteLength(body),
      'X-Content-Type-Options': 'nosniff',
      ...extra,
    });
    res.end(head ? undefined : body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const head = req.method === 'HEAD';
    // Bound to loopback, only loopback names may reach it: a web page that
    // rebinds its own DNS name to 127.0.0.1 would otherwise read the fleet.
    if (checkHostHeader && !LOOPBACK_HOSTNAMES.has(hostnameOf(req.headers.host)) && !isLoopbackAddress(hostnameOf(req.headers.host))) {
      return send(res, 403, 'text/plain; charset=utf-8', 'forbidden host header\n', head);
    }
    if (!authorized(req.headers.authorization, options)) {
      return send(res, 401, 'text/plain; charset=utf-8', 'unauthorized\n', head, { 'WWW-Authenticate': challenges });
    }
    const path = (req.url ?? '/').split('?')[0]!;
    const hostId = hostIdOfPath(path);
    if (path !== '/metrics' && path !== '/' && path !== SD_PATH && hostId === undefined) {
      return send(res, 404, 'text/plain; charset=utf-8', path.startsWith(HOST_METRICS_PREFIX) ? 'not a host path\n' : 'not found\n', head);
    }
    if (req.method !== 'GET' && !head) return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', head, { Allow: 'GET, HEAD' });
    if (path === '/') {
      return send(res, 200, 'text/html; charset=utf-8', LANDING_PAGE, head, { 'Content-Security-Policy': "default-src 'none'" });
    }
    if (path === SD_PATH) {
      const groups = targetGroups(options.source.targets?.() ?? [], targetAddress(req.headers.host, options.host, port));
      return send(res, 200, 'application/json; charset=utf-8', JSON.stringify(groups), head);
    }
    let text: string;
    try {
      if (hostId !== undefined) {
        const one = await exposition.renderHost(hostId);
        // The id is the caller's own text: echoed only as JSON-escaped, never as markup (text/plain, nosniff).
        if (one.state === 'unknown') return send(res, 404, 'text/plain; charset=utf-8', `no host with id ${JSON.stringify(hostId)}\n`, head);
        if (one.state === 'down') return send(res, 503, 'text/plain; charset=utf-8', `${one.reason}\n`, head, { 'Retry-After': '10' });
        text = one.text;
      } else {
        text = await exposition.render();
      }
    } catch (err) {
      log.error('metrics exporter scrape failed', { error: (err as Error).message });
      return send(res, 500, 'text/plain; charset=utf-8', `scrape failed: ${(err as Error).message}\n`, head);
    }
    // Prometheus asks for gzip. 500 hosts' worth is ~13 MB of text and ~0.6 MB
    // gzipped at level 1, which costs ~20 ms, off the event loop (libuv pool).
    if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
      const body = await gzipAsync(text, { level: 1 });
      return send(res, 200, exposition.contentType, body, head, { 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' });
    }
    send(res, 200, exposition.contentType, text, head, { Vary: 'Accept-Encoding' });
  };

  let port = 0;
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error('metrics exporter request failed', { error: (err as Error).message });
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });

  const listening = await listenOn(server, options.host, options.port, 'metrics exporter');
  server.on('error', (err) => log.error('metrics exporter server error', { error: err.message }));
  port = listening.port;
  const url = `${listening.origin}/metrics`;
  const sdUrl = `${listening.origin}${SD_PATH}`;
  if (isWildcardAddress(options.host)) {
    log.warn('metrics exporter listens on every network interface: anyone who can reach this machine can read the fleet’s metrics', {
      url,
      auth: challenges.length ? 'required' : 'none',
    });
  }
  log.info('metrics exporter listening', { url, auth: options.bearerToken ? 'bearer' : options.basicAuth ? 'basic' : 'none' });

  return {
    url,
    sdUrl,
    port,
    close: () => closeListener(server),
  };
}
