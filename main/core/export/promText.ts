// Prometheus text exposition (format 0.0.4) of raw series, for
// `overlook snapshot --format prom`. The /metrics exporter must print
// the same names and labels for the same host.
import { metricInfo } from '../../common/metrics.js';
import { escapeLabelValue, type Labels, type SeriesKind } from '../../common/series.js';

export interface ExposedSeries {
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
  readonly kind: SeriesKind;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Families sorted by name, series by label text; HELP and TYPE once per family. */
export function formatPrometheusText(series: readonly ExposedSeries[]): string {
  const families = new Map<string, ExposedSeries[]>();
  for (const s of series) {
    let list = families.get(s.name);
    if (!list) families.set(s.name, (list = []));
    list.push(s);
  }
  const out: string[] = [];
  for (const name of [...families.keys()].sort()) {
    const list = families.get(name)!;
    const help = metricInfo(name)?.help ?? name.replace(/_/g, ' ');
    out.push(`# HELP ${name} ${escapeHelp(help)}`);
    out.push(`# TYPE ${name} ${list[0]!.kind}`);
    const lines = list.map((s) => {
      const names = Object.keys(s.labels).sort();
      const labelText = names.length ? `{${names.map((l) => `${l}="${escapeLabelValue(s.labels[l]!)}"`).join(',')}}` : '';
      return `${name}${labelText} ${formatValue(s.value)}`;
    });
    lines.sort();
    out.push(...lines);
  }
  return out.join('\n') + '\n';
}
