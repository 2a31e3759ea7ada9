// Which of the console's series a target gets, and the labels they go out
// with. Pure. The outbox holds what the history keeps (node_exporter gauges
// and the recording-rule series the console derives: host:cpu_usage:ratio,
// node_network_receive_bytes:rate, container:cpu_usage:cores, cloud_*) plus
// what the history keeps only as rates (node_exporter's and cAdvisor's raw
// counters, as on /metrics); both are sent, so a second console reads the
// same names it charts, and node_exporter / cAdvisor dashboards work on the
// engine.
//
// Labels follow Prometheus's remote-write sender: external labels are added
// to every series that does not carry that label already
// (prometheus/storage/remote/codec.go, labelProtosToLabels with external
// labels; "external labels do not override"), then sorted by name. The local
// host goes out under this machine's name (engineHost.ts).
import type { RemoteWriteSeriesKind } from '../../common/remoteWrite.js';
import type { Labels } from '../../common/series.js';
import { seriesProblem, wireLabels } from '../prometheus/remoteWrite.js';
import { LOCAL_HOST } from '../engine/engineHost.js';

/** The kind of series a name is, for a target's `series:` choice. */
export function seriesKind(name: string): RemoteWriteSeriesKind {
  if (name.startsWith('cloud_')) return 'cloud';
  if (name.startsWith('container_') || name.startsWith('container:')) return 'container';
  if (name.startsWith('overlook_')) return 'health';
  return 'host';
}

export interface TargetSeriesOptions {
  readonly series: readonly RemoteWriteSeriesKind[];
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly localHostOnEngine: string;
}

/** A series as one target sends it: its wire labels, or why it is not sent. */
export type TargetSeries = { readonly labels: [string, string][] } | { readonly skip: 'not_selected' } | { readonly skip: 'invalid_series'; readonly problem: string };

export function targetSeries(name: string, labels: Labels, options: TargetSeriesOptions): TargetSeries {
  if (!options.series.includes(seriesKind(name))) return { skip: 'not_selected' };
  const out: Record<string, string> = { ...labels };
  if (out.host === LOCAL_HOST) out.host = options.localHostOnEngine;
  for (const [k, v] of Object.entries(options.externalLabels)) if (out[k] === undefined || out[k] === '') out[k] = v;
  const wire = wireLabels(name, out);
  // A receiver answers 500 to duplicate label names, so a spec-following sender would retry forever (remoteWrite.ts): checked here.
  const problem = seriesProblem({ labels: wire, samples: [] });
  return problem ? { skip: 'invalid_series', problem } : { labels: wire };
}
