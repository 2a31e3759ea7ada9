// How cloud things read on screen: product names, cycle durations, times
// that never run ahead of the screen's clock, and the charts of one cloud
// instance, built from its product's mappings (so a metric a user mapping
// adds gets a chart too): one per canonical metric, with received/sent pairs
// drawn together. Pure.
import { cloudInstanceState, type CloudMappingsView } from '../../../../main/common/clouds';
import type { SeriesData } from '../../../../main/common/contract';
import { formatAgo, formatDuration, formatNumber } from '../../../../main/common/format';
import { cloudMetricUnit } from '../../../../main/common/metrics';
import type { ChartSpec } from '../../charts/chartSpecs';
import { isMessageKey, type MessageKey, type Translate } from '../../i18n/catalogue';

export interface CloudInstanceRef {
  account: string;
  region: string;
  product: string;
  instanceId: string;
}

const BASE_LABELS = new Set(['cloud', 'account', 'region', 'instance', 'product']);

/** The catalogue's title of a canonical metric, when it has one. */
export function cloudMetricTitleKey(metric: string): MessageKey | undefined {
  const key = `cloudMetric.${metric}`;
  return isMessageKey(key) ? key : undefined;
}

/** The product's name in the UI language: ecs → "Virtual machines"; a user mapping's product as it is named. */
/** A cloud's state word (Running, ACTIVE, SHUTOFF…) in the UI's language; a word no cloud documents stays as written. */
export function instanceStateText(word: string, t: Translate): string {
  const state = cloudInstanceState(word);
  return state ? t(`cloud.state.${state}`) : word;
}

export function productLabel(product: string, t: Translate): string {
  const key = `cloud.product.${product}`;
  return isMessageKey(key) ? t(key) : product;
}

/** A cycle's duration: milliseconds when under a second (a healthy small account), else as durations read. */
export function formatCycleDuration(ms: number, locale: string): string {
  if (ms < 1000) return `${formatNumber(Math.round(ms), locale, 0)} ms`;
  if (ms < 10_000) return `${formatNumber(ms / 1000, locale, 1)} s`;
  return formatDuration(ms / 1000, locale);
}

/**
 * "2 sec. ago" for something that happened before the screen's clock ticked
 * (it ticks every few seconds), never "in 2 sec.".
 */
export function formatSince(t: number, now: number, locale: string): string {
  return formatAgo(t, Math.max(now, t), locale);
}

/** A readable title for a metric no catalogue knows: the name without prefix and unit. */
export function fallbackTitle(metric: string): string {
  const bare = metric.replace(/^cloud_/, '').replace(/_(bytes_per_second|per_second|ratio|bytes|seconds|celsius)$/, '');
  return bare.charAt(0).toUpperCase() + bare.slice(1).replace(/_/g, ' ');
}

/** Metric names of a product, in mapping order, for a provider. */
export function productMetrics(mappings: CloudMappingsView | null, provider: string, product: string): string[] {
  return mappings?.products.find((p) => p.provider === provider && p.product === product)?.metrics.map((m) => m.canonical) ?? [];
}

function describe(series: SeriesData, t: Translate) {
  const extra = Object.entries(series.labels).filter(([k]) => !BASE_LABELS.has(k)).map(([, v]) => v);
  const direction = /_(receive|in)_/.test(series.name) ? t('cloud.chart.rx') : /_(transmit|out)_/.test(series.name) ? t('cloud.chart.tx') : undefined;
  const label = [direction, ...extra].filter(Boolean).join(' ') || t('cloud.chart.value');
  return { label, order: direction === t('cloud.chart.tx') ? 1 : 0, ...(direction ? { colorKey: direction } : {}) };
}

/** Charts for an instance: pairs `…_receive_…` with `…_transmit_…`, every other metric alone. */
export function cloudChartSpecs(metrics: readonly string[], instance: CloudInstanceRef): ChartSpec[] {
  const matchers = [
    { label: 'account', op: '=' as const, value: instance.account },
    { label: 'region', op: '=' as const, value: instance.region },
    { label: 'product', op: '=' as const, value: instance.product },
    { label: 'instance', op: '=' as const, value: instance.instanceId },
  ];
  const used = new Set<string>();
  const specs: ChartSpec[] = [];
  for (const metric of metrics) {
    if (used.has(metric)) continue;
    used.add(metric);
    const partner = metric.includes('_receive_') ? metric.replace('_receive_', '_transmit_') : undefined;
    const names = partner && metrics.includes(partner) ? [metric, partner] : [metric];
    for (const n of names) used.add(n);
    const titleMetric = names.length === 2 ? metric.replace('_receive_', '_') : metric;
    const titleKey = cloudMetricTitleKey(titleMetric);
    const unit = cloudMetricUnit(metric);
    specs.push({
      key: `cloud:${metric}`,
      titleKey: titleKey ?? 'cloud.chart.value',
      ...(titleKey ? {} : { title: fallbackTitle(titleMetric) }),
      kind: 'line',
      unitMetric: metric,
      ...(unit === 'ratio' ? { yMax: 1 } : {}),
      selectors: () => names.map((name) => ({ name, matchers })),
      describe,
    });
  }
  return specs;
}
