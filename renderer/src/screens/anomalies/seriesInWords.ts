// A scored series named as the charts name it: the chart it is drawn on
// (its title) and the chart's own label for it ("CPU by mode · user"), so a
// row in "what is unusual now" or "what happened here?" reads like the legend
// the operator then opens. Series no host chart draws keep their name and
// labels.
import type { SeriesData } from '../../../../main/common/contract';
import { chartSpecs, type ChartKey } from '../../charts/chartSpecs';
import type { MessageKey, Translate } from '../../i18n/catalogue';

/**
 * Series the overview and the stat strip show but no chart draws as such
 * (the CPU chart draws modes, not their sum): their stat's name, and the
 * chart to open for them.
 */
const STAT_SERIES: Readonly<Record<string, { key: MessageKey; chart: ChartKey }>> = {
  'host:cpu_usage:ratio': { key: 'metric.cpu', chart: 'cpu-mode' },
  'host:cpu_count:count': { key: 'host.cpus', chart: 'cpu-core' },
  'host:memory_used:ratio': { key: 'metric.memory', chart: 'memory' },
  'host:filesystem_fullest_used:ratio': { key: 'metric.fullestMount', chart: 'filesystems' },
  'host:network_receive_bytes:rate': { key: 'metric.network', chart: 'network' },
  'host:network_transmit_bytes:rate': { key: 'metric.network', chart: 'network' },
};

const HIDDEN_LABELS = new Set(['host', '__name__']);

export function seriesInWords(series: { name: string; labels: Record<string, string> }, t: Translate): { title: string; label: string | null; chart: ChartKey | null; raw: string } {
  const labels = Object.entries(series.labels).filter(([k]) => !HIDDEN_LABELS.has(k));
  const raw = labels.length ? `${series.name}{${labels.map(([k, v]) => `${k}="${v}"`).join(',')}}` : series.name;
  const stat = STAT_SERIES[series.name];
  if (stat) {
    const direction = series.name.endsWith('receive_bytes:rate') ? t('metric.rx') : series.name.endsWith('transmit_bytes:rate') ? t('metric.tx') : null;
    return { title: t(stat.key), label: direction, chart: stat.chart, raw };
  }
  const spec = chartSpecs.find((s) => s.selectors(series.labels.host ?? '').some((sel) => sel.name === series.name) && !s.references?.some((r) => r.metric === series.name));
  if (!spec) return { title: series.name, label: labels.length ? labels.map(([, v]) => v).join(' ') : null, chart: null, raw };
  const data: SeriesData = { name: series.name, labels: series.labels, tier: 'raw', stepMs: 0, points: [] };
  const title = t(spec.titleKey);
  const label = spec.describe(data, t).label;
  return { title, label: label && label !== title ? label : null, chart: spec.key as ChartKey, raw };
}
