// A container's detail charts: the same ChartCard as the host's,
// with selectors that pick the container's series by its labels (container,
// and pod and namespace in Kubernetes), so a container's history opens even
// after it is gone. Limits are drawn as reference lines.
import type { RangeQuery } from '../../../main/common/contract';
import type { MessageKey } from '../i18n/catalogue';
import type { ChartSpec } from './chartSpecs';

type SeriesSelector = RangeQuery['selectors'][number];

export interface ContainerIdentityLabels {
  readonly container: string;
  readonly namespace?: string;
  readonly pod?: string;
}

function selector(hostId: string, name: string, who: ContainerIdentityLabels): SeriesSelector {
  return {
    name,
    matchers: [
      { label: 'host', op: '=', value: hostId },
      { label: 'container', op: '=', value: who.container },
      // Outside Kubernetes the labels are absent: match them empty, so "web" on a host is not also "web" in some pod.
      { label: 'namespace', op: '=', value: who.namespace ?? '' },
      { label: 'pod', op: '=', value: who.pod ?? '' },
    ],
  };
}

export const containerChartKeys = ['container-cpu', 'container-throttling', 'container-memory', 'container-network', 'container-block', 'container-pids'] as const;

export function containerChartSpecs(who: ContainerIdentityLabels): ChartSpec[] {
  const sel = (hostId: string, ...names: string[]) => names.map((n) => selector(hostId, n, who));
  /** A chart of one rate each way (received/sent, read/written), the second dashed. */
  const inAndOut = (key: ChartSpec['key'], titleKey: MessageKey, one: [string, MessageKey, string], other: [string, MessageKey, string]): ChartSpec => ({
    key,
    titleKey,
    kind: 'line',
    unitMetric: one[0],
    selectors: (h) => sel(h, one[0], other[0]),
    describe: (s, t) =>
      s.name === other[0] ? { label: t(other[1]), order: 1, color: other[2], dashed: true } : { label: t(one[1]), order: 0, color: one[2] },
  });
  return [
    {
      key: 'container-cpu',
      titleKey: 'containers.chart.cpu',
      kind: 'line',
      unitMetric: 'container:cpu_usage:cores',
      selectors: (h) => sel(h, 'container:cpu_usage:cores', 'container:cpu_limit:cores'),
      references: [{ metric: 'container:cpu_limit:cores', labelKey: 'containers.ref.limit' }],
      describe: (_s, t) => ({ label: t('containers.series.cpu'), order: 0, color: 'var(--series-1)' }),
    },
    {
      key: 'container-throttling',
      titleKey: 'containers.chart.throttling',
      kind: 'line',
      unitMetric: 'container:cpu_throttled:ratio',
      selectors: (h) => sel(h, 'container:cpu_throttled:ratio'),
      yMax: 1,
      describe: (_s, t) => ({ label: t('containers.series.throttled'), order: 0, color: 'var(--series-5)' }),
    },
    {
      key: 'container-memory',
      titleKey: 'containers.chart.memory',
      kind: 'line',
      unitMetric: 'container_memory_working_set_bytes',
      selectors: (h) =>
        sel(h, 'container_memory_working_set_bytes', 'container_memory_usage_bytes', 'container_memory_rss', 'container_memory_cache', 'container_spec_memory_limit_bytes'),
      references: [{ metric: 'container_spec_memory_limit_bytes', labelKey: 'containers.ref.limit' }],
      describe: (s, t) => {
        if (s.name === 'container_memory_working_set_bytes') return { label: t('containers.series.workingSet'), order: 0, color: 'var(--series-1)' };
        if (s.name === 'container_memory_usage_bytes') return { label: t('containers.series.usage'), order: 1, color: 'var(--series-4)', dashed: true };
        if (s.name === 'container_memory_rss') return { label: t('containers.series.rss'), order: 2, color: 'var(--series-2)' };
        return { label: t('containers.series.cache'), order: 3, color: 'var(--series-3)' };
      },
    },
    inAndOut('container-network', 'containers.chart.network', ['container:network_receive_bytes:rate', 'containers.series.rx', 'var(--series-1)'], ['container:network_transmit_bytes:rate', 'containers.series.tx', 'var(--series-2)']),
    inAndOut('container-block', 'containers.chart.block', ['container:fs_read_bytes:rate', 'containers.series.read', 'var(--series-6)'], ['container:fs_write_bytes:rate', 'containers.series.write', 'var(--series-3)']),
    {
      key: 'container-pids',
      titleKey: 'containers.chart.pids',
      kind: 'line',
      unitMetric: 'container_threads',
      selectors: (h) => sel(h, 'container_threads', 'container_oom_events_total'),
      describe: (s, t) =>
        s.name === 'container_oom_events_total'
          ? { label: t('containers.series.oomKills'), order: 1, color: 'var(--series-5)', dashed: true }
          : { label: t('containers.series.pids'), order: 0, color: 'var(--series-4)' },
    },
  ];
}
