// A scored series named as the charts name it: the chart it is drawn on
// (its title) and the chart's own label for it ("CPU by mode · user"), so a
// row in "what is unusual now" or "what happened here?" reads like the legend
// the operator then opens. Series no host chart draws keep their name and
// labels.
import type { SeriesData } from '../../../../main/common/contract';
import { chartSpecs, type ChartKey } from '../../charts/chartSpecs';
import type { Translate } from '../../i18n/catalogue';

const HIDDEN_LABELS = new Set(['host', '__name__']);

export function seriesInWords(series: { name: string; labels: Record<string, string> }, t: Translate): { title: string; label: string | null; chart: ChartKey | null; raw: string } {
  const labels = Object.entries(series.labels).filter(([k]) => !HIDDEN_LABELS.has(k));
  const raw = labels.length ? `${series.name}{${labels.map(([k, v]) => `${k}="${v}"`).join(',')}}` : series.name;
  const spec = chartSpecs.find((s) => s.selectors(series.labels.host ?? '').some((sel) => sel.name === series.name) && !s.references?.some((r) => r.metric === series.name));
  if (!spec) return { title: series.name, label: labels.length ? labels.map(([, v]) => v).join(' ') : null, chart: null, raw };
  const data: SeriesData = { name: series.name, labels: series.labels, tier: 'raw', stepMs: 0, points: [] };
  const title = t(spec.titleKey);
  const label = spec.describe(data, t).label;
  return { title, label: label && label !== title ? label : null, chart: spec.key as ChartKey, raw };
}
