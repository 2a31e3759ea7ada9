// Cloud series for one /metrics scrape: the newest value of every cloud
// series under its canonical name (cloud_cpu_utilization_ratio…) with the
// cloud, account, region, product and instance labels, and an info metric
// carrying each instance's display name (kept out of the series' labels, so
// renaming an instance does not start new series). Pure.
//
// The store's `instance` label is exported as `instance_id`: Prometheus sets
// `instance` to the scrape target itself, and without `honor_labels` it would
// rename ours to `exported_instance` (Prometheus configuration docs,
// scrape_config.honor_labels).
import type { Labels } from '../../common/series.js';

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

export interface CloudFamily {
  readonly name: string;
  readonly help: string;
  readonly values: { readonly labels: Labels; readonly value: number }[];
}

export const CLOUD_INSTANCE_INFO = 'overlook_cloud_instance_info';

/**
 * Cloud datapoints are minutes old when they arrive, so "fresh" is looser
 * than for hosts: a series still exported 30 minutes after its newest
 * datapoint covers a cloud's normal lag and a few failed cycles; after that it
 * is dropped, and Prometheus shows a gap rather than a flat line.
 */
export const CLOUD_STALE_MS = 30 * 60_000;

export function groupCloudFamilies(source: CloudExportSource, now: number, reserved: ReadonlySet<string>): CloudFamily[] {
  const families = new Map<string, CloudFamily>();
  for (const s of source.series()) {
    if (now - s.t > CLOUD_STALE_MS || !Number.isFinite(s.value) || reserved.has(s.name) || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(s.name)) continue;
    let family = families.get(s.name);
    if (!family) families.set(s.name, (family = { name: s.name, help: source.help.get(s.name) ?? s.name.replace(/_/g, ' '), values: [] }));
    family.values.push({ labels: exportedLabels(s.labels), value: s.value });
  }
  const info: CloudFamily = { name: CLOUD_INSTANCE_INFO, help: 'A cloud instance the console collects, with its display name; always 1.', values: [] };
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
