// What the cloud feature adds to /metrics at each scrape: the newest value of
// every cloud series under its canonical name (cloud_cpu_utilization_ratio…)
// with the cloud, account, region, product and instance labels, an info
// metric carrying each instance's display name (kept out of the series'
// labels, so renaming an instance does not start new series), and the
// collectors' own API calls, errors, throttles, latency and cycles. Pure.
//
// The store's `instance` label is exported as `instance_id`: Prometheus sets
// `instance` to the scrape target itself, and without `honor_labels` it would
// rename ours to `exported_instance` (Prometheus configuration docs,
// scrape_config.honor_labels).
import type { Labels } from '../../common/series.js';
import type { ExposedFamily, ExposedValue, ExpositionRequest } from '../exposition.js';
import type { CloudApiHealth, CloudCycleHealth } from './apiStats.js';

export interface ExportedCloudValue {
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
  readonly t: number;
}

export interface ExportedCloudInstance {
  readonly cloud: string;
  readonly account: string;
  readonly region: string;
  readonly product: string;
  readonly instance: string;
  readonly name?: string;
}

export interface CloudExportSource {
  series(): Iterable<ExportedCloudValue>;
  instances(): Iterable<ExportedCloudInstance>;
  readonly help: ReadonlyMap<string, string>;
}

type CloudFamily = ExposedFamily & { values: ExposedValue[] };

export const CLOUD_INSTANCE_INFO = 'overlook_cloud_instance_info';

/**
 * Cloud datapoints are minutes old when they arrive, so "fresh" is looser
 * than for hosts: a series still exported 30 minutes after its newest
 * datapoint covers a cloud's normal lag and a few failed cycles; after that it
 * is dropped, and Prometheus shows a gap rather than a flat line.
 */
export const CLOUD_STALE_MS = 30 * 60_000;

export function groupCloudFamilies(source: CloudExportSource, now: number, reserved: ReadonlySet<string>): ExposedFamily[] {
  const families = new Map<string, CloudFamily>();
  for (const s of source.series()) {
    if (now - s.t > CLOUD_STALE_MS || !Number.isFinite(s.value) || reserved.has(s.name) || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(s.name)) continue;
    let family = families.get(s.name);
    if (!family) families.set(s.name, (family = { name: s.name, help: source.help.get(s.name) ?? s.name.replace(/_/g, ' '), type: 'gauge', values: [] }));
    family.values.push({ labels: exportedLabels(s.labels), value: s.value });
  }
  const info: CloudFamily = { name: CLOUD_INSTANCE_INFO, help: 'A cloud instance the console collects, with its display name; always 1.', type: 'gauge', values: [] };
  for (const i of source.instances()) {
    info.values.push({ labels: { cloud: i.cloud, account: i.account, region: i.region, product: i.product, instance_id: i.instance, ...(i.name ? { name: i.name } : {}) }, value: 1 });
  }
  return [info, ...families.values()];
}

function exportedLabels(labels: Labels): Labels {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) out[k === 'instance' ? 'instance_id' : k] = v;
  return out;
}

const CLOUD_CALLS = 'overlook_cloud_api_calls_total';
const CLOUD_ERRORS = 'overlook_cloud_api_errors_total';
const CLOUD_THROTTLES = 'overlook_cloud_api_throttles_total';
const CLOUD_LATENCY = 'overlook_cloud_api_latency_seconds';
const CLOUD_CYCLE_DURATION = 'overlook_cloud_cycle_duration_seconds';
const CLOUD_CYCLE_CALLS = 'overlook_cloud_cycle_api_calls';
const CLOUD_CYCLE_MIN_CALLS = 'overlook_cloud_cycle_api_calls_minimum';
const CLOUD_CYCLES = 'overlook_cloud_cycles_total';
const CLOUD_INSTANCES = 'overlook_cloud_instances';
const CLOUD_LAGGING = 'overlook_cloud_lagging_series';

const family = (name: string, help: string, type: ExposedFamily['type'], values: readonly ExposedValue[]): ExposedFamily => ({ name, help, type, values });

/** The collectors' own work: API calls, errors by code, throttles and latency per cloud, account and API; each account's last cycle. */
export function cloudApiFamilies(apis: readonly CloudApiHealth[], cycles: readonly CloudCycleHealth[]): ExposedFamily[] {
  const families: ExposedFamily[] = [];
  const calls: ExposedValue[] = [];
  const errors: ExposedValue[] = [];
  const throttles: ExposedValue[] = [];
  const latency: ExposedValue[] = [];
  for (const api of apis) {
    const labels = { cloud: api.cloud, account: api.account, api: api.api };
    calls.push({ labels, value: api.calls });
    throttles.push({ labels, value: api.throttles });
    for (const [code, count] of Object.entries(api.errorsByCode)) errors.push({ labels: { ...labels, code }, value: count });
    const h = api.latency;
    h.upperBounds.forEach((bound, i) => {
      latency.push({ metricName: `${CLOUD_LATENCY}_bucket`, labels: { ...labels, le: String(bound) }, value: h.cumulativeCounts[i] ?? 0 });
    });
    latency.push({ metricName: `${CLOUD_LATENCY}_bucket`, labels: { ...labels, le: '+Inf' }, value: h.count });
    latency.push({ metricName: `${CLOUD_LATENCY}_sum`, labels, value: h.sumSeconds });
    latency.push({ metricName: `${CLOUD_LATENCY}_count`, labels, value: h.count });
  }
  families.push(family(CLOUD_CALLS, 'Calls to cloud monitoring APIs.', 'counter', calls));
  families.push(family(CLOUD_ERRORS, 'Failed calls to cloud monitoring APIs, by error code.', 'counter', errors));
  families.push(family(CLOUD_THROTTLES, 'Cloud monitoring API calls answered with throttling.', 'counter', throttles));
  families.push(family(CLOUD_LATENCY, 'Latency of cloud monitoring API calls.', 'histogram', latency));
  
  const per = (pick: (c: (typeof cycles)[number]) => number) => cycles.map((c) => ({ labels: { cloud: c.cloud, account: c.account }, value: pick(c) }));
  families.push(family(CLOUD_CYCLE_DURATION, "Duration of the account's last collection cycle.", 'gauge', per((c) => c.lastDurationSeconds)));
  families.push(family(CLOUD_CYCLE_CALLS, "API calls of the account's last collection cycle, pages and retries included.", 'gauge', per((c) => c.lastCalls)));
  families.push(family(CLOUD_CYCLE_MIN_CALLS, "The fewest calls the APIs' batch limits allow for the account's series.", 'gauge', per((c) => c.lastMinimumCalls)));
  families.push(family(CLOUD_CYCLES, 'Collection cycles the account has run.', 'counter', per((c) => c.cycles)));
  families.push(family(CLOUD_INSTANCES, 'Cloud instances the account collects.', 'gauge', per((c) => c.instances)));
  families.push(family(CLOUD_LAGGING, 'Series behind the settled window after the last cycle (a backfill is pending).', 'gauge', per((c) => c.laggingSeries)));
  return families;
}

/** Everything the cloud feature exports at one scrape: the API health first, then the instances' info and series. */
export function cloudExposition(source: CloudExportSource, apis: readonly CloudApiHealth[], cycles: readonly CloudCycleHealth[], request: ExpositionRequest): ExposedFamily[] {
  const health = cloudApiFamilies(apis, cycles);
  const reserved = new Set([...request.reserved, ...health.map((f) => f.name)]);
  return [...health, ...groupCloudFamilies(source, request.now, reserved)];
}
