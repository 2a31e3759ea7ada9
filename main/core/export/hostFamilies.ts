// Groups the latest raw values of every watched host into metric families for
// one scrape: each family holds one name's series from all hosts, with the
// `host` label added. Pure: the caller passes the hosts and the clock.
import type { Labels, RawSeries, SeriesKind } from '../../common/series.js';

export interface ExportedHost {
  /** The `host` label value. */
  readonly host: string;
  /** False when the host is offline, stale, its auth failed, …: exported as `overlook_host_up` 0. */
  readonly up: boolean;
  /** Time of the latest sample, ms since the epoch; absent when the host never delivered one. */
  readonly lastSampleAt?: number;
  /** Latest raw values, node_exporter names, WITHOUT the `host` label (it is added here). */
  readonly series: readonly RawSeries[];
}

/** One exposed value: `labels` are the series' own, `sharedLabels` the `{host}` object shared by a host's series. */
export interface FamilyValue {
  readonly labels: Labels;
  readonly sharedLabels: Labels;
  readonly value: number;
}

export interface HostFamily {
  readonly name: string;
  readonly kind: SeriesKind;
  readonly values: FamilyValue[];
}

export interface HostFamilies {
  /** Families in first-seen order. */
  readonly families: Map<string, HostFamily>;
  /** `overlook_host_up` values, one per host. */
  readonly up: FamilyValue[];
  /** Series left out, with why: invalid names, a kind that disagrees with the family's, a reserved name. */
  readonly rejected: readonly { readonly host: string; readonly name: string; readonly reason: string }[];
  readonly rejectedCount: number;
}

// Prometheus data model (https://prometheus.io/docs/concepts/data_model/#metric-names-and-labels);
// label names starting with "__" are reserved for Prometheus itself.
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export const DEFAULT_STALE_GRACE_MS = 120_000;
const MAX_REJECTED_DETAILS = 50;

/**
 * Whether a host's series are still worth exporting at `now`. A sample older
 * than the grace period would otherwise be re-exported with a fresh scrape
 * timestamp forever, and Prometheus would draw a flat line where there is no
 * data; dropping the series lets Prometheus mark them stale and show a gap.
 * Without a sample time, the source's own `up` decides.
 */
export function hostIsFresh(host: ExportedHost, now: number, staleGraceMs: number): boolean {
  if (host.lastSampleAt === undefined) return host.up;
  return now - host.lastSampleAt <= staleGraceMs;
}

export function groupHostFamilies(
  hosts: Iterable<ExportedHost>,
  options: { now: number; staleGraceMs: number; reservedNames?: ReadonlySet<string> },
): HostFamilies {
  const families = new Map<string, HostFamily>();
  const up: FamilyValue[] = [];
  const rejected: { host: string; name: string; reason: string }[] = [];
  let rejectedCount = 0;
  // A broken source could reject every series of every host: keep the count, and details for the first few.
  const reject = (host: string, name: string, reason: string) => {
    rejectedCount++;
    if (rejected.length < MAX_REJECTED_DETAILS) rejected.push({ host, name, reason });
  };
  // Names are validated once per scrape, not once per series: 500 hosts repeat the same few dozen.
  const invalidNames = new Set<string>();
  const validLabelNames = new Set<string>();
  const seenHosts = new Set<string>();

  for (const host of hosts) {
    if (seenHosts.has(host.host)) {
      // Two hosts with one label value would produce duplicate series, which Prometheus drops sample by sample.
      reject(host.host, '*', 'duplicate host label value; only the first host with it is exported');
      continue;
    }
    seenHosts.add(host.host);
    const hostLabel: Labels = { host: host.host };
    const fresh = hostIsFresh(host, options.now, options.staleGraceMs);
    up.push({ labels: {}, sharedLabels: hostLabel, value: host.up && fresh ? 1 : 0 });
    if (!fresh) continue;

    for (const s of host.series) {
      let labelProblem: string | undefined;
      for (const label in s.labels) {
        if (validLabelNames.has(label)) continue;
        if (LABEL_NAME.test(label) && !label.startsWith('__') && label !== 'host') validLabelNames.add(label);
        else {
          labelProblem = label === 'host' ? 'carries its own host label' : `invalid label name "${label}"`;
          break;
        }
      }
      if (labelProblem) {
        reject(host.host, s.name, labelProblem);
        continue;
      }
      let family = families.get(s.name);
      if (!family) {
        if (invalidNames.has(s.name)) continue;
        const reason = !METRIC_NAME.test(s.name)
          ? 'invalid metric name'
          : options.reservedNames?.has(s.name)
            ? 'name is reserved for the console’s own metrics'
            : undefined;
        if (reason) {
          invalidNames.add(s.name);
          reject(host.host, s.name, reason);
          continue;
        }
        family = { name: s.name, kind: s.kind, values: [] };
        families.set(s.name, family);
      } else if (family.kind !== s.kind) {
        reject(host.host, s.name, `is a ${s.kind} here but a ${family.kind} on another host`);
        continue;
      }
      family.values.push({ labels: s.labels, sharedLabels: hostLabel, value: s.value });
    }
  }
  return { families, up, rejected, rejectedCount };
}
