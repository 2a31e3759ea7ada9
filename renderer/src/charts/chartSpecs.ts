// What each host-detail chart draws: the selectors it queries, how it names
// and colours each returned series, and what it draws as reference lines.
// Adding a chart is one entry here.
import type { RangeQuery, SeriesData } from '../../../main/common/contract';

/** A selector as the range query takes it. */
type SeriesSelector = RangeQuery['selectors'][number];
import type { Translate, MessageKey } from '../i18n/catalogue';

export const chartKeys = ['cpu-mode', 'cpu-core', 'load', 'memory', 'swap', 'filesystems', 'disk-io', 'network', 'sockets', 'tcp-retransmits', 'pressure', 'temperatures'] as const;
export type ChartKey = (typeof chartKeys)[number];

export interface DescribedSeries {
  label: string;
  /** A CSS colour; series without one take the next from the palette. */
  color?: string;
  /** Lower draws first (bottom of a stack, first in the legend); ties sort by label, naturally. */
  order: number;
  /** Series with the same colour key share a palette colour (a device's read and write). Default: the label. */
  colorKey?: string;
  /** Order within one colour key (read before write). */
  subOrder?: number;
  dashed?: boolean;
}

/** Charts of a cloud instance are built from its product's mappings: `cloud:<metric>`. */
export type CloudChartKey = `cloud:${string}`;

export interface ChartSpec {
  /** Host charts by ChartKey; a container's charts (containerChartSpecs.ts) as `container-…`; a cloud instance's as `cloud:…`. */
  key: ChartKey | `container-${string}` | CloudChartKey;
  titleKey: MessageKey;
  /** A title that is not in the catalogue (a user mapping's metric); wins over titleKey. */
  title?: string;
  kind: 'line' | 'stacked-area';
  /** The metric whose catalogue unit formats the axis and tooltips. */
  unitMetric: string;
  selectors(hostId: string): SeriesSelector[];
  /** Series returned under these names are drawn as horizontal reference lines at their latest value, not as series. */
  references?: { metric: string; labelKey: MessageKey }[];
  /** A fixed top for the y axis (100 % for shares), raised if data exceeds it. */
  yMax?: number;
  describe(series: SeriesData, t: Translate): DescribedSeries;
}

const onHost = (hostId: string, name: string, ...extra: NonNullable<SeriesSelector['matchers']>): SeriesSelector => ({
  name,
  matchers: [{ label: 'host', op: '=', value: hostId }, ...extra],
});

// Colours for CPU modes follow the convention of top/htop and Grafana's
// node-exporter dashboards, so operators read them without the legend.
const modeOrder = ['user', 'nice', 'system', 'irq', 'softirq', 'iowait', 'steal', 'guest', 'guest_nice'];
const modeColor: Record<string, string> = {
  user: 'var(--mode-user)',
  nice: 'var(--mode-nice)',
  system: 'var(--mode-system)',
  irq: 'var(--mode-irq)',
  softirq: 'var(--mode-softirq)',
  iowait: 'var(--mode-iowait)',
  steal: 'var(--mode-steal)',
};

const modeLabelKey = (mode: string): MessageKey | undefined => {
  const key = `mode.${mode}`;
  return (['mode.user', 'mode.nice', 'mode.system', 'mode.iowait', 'mode.irq', 'mode.softirq', 'mode.steal', 'mode.guest', 'mode.idle'] as string[]).includes(key)
    ? (key as MessageKey)
    : undefined;
};

export const chartSpecs: readonly ChartSpec[] = [
  {
    key: 'cpu-mode',
    titleKey: 'chart.cpu-mode',
    kind: 'stacked-area',
    unitMetric: 'host:cpu_mode:ratio',
    // Idle is what is left; leaving it out keeps busy modes readable.
    selectors: (h) => [onHost(h, 'host:cpu_mode:ratio', { label: 'mode', op: '!=', value: 'idle' })],
    yMax: 1,
    describe: (s, t) => {
      const mode = s.labels.mode ?? '';
      const key = modeLabelKey(mode);
      const i = modeOrder.indexOf(mode);
      return { label: key ? t(key) : mode, color: modeColor[mode], order: i < 0 ? 100 : i };
    },
  },
  {
    key: 'cpu-core',
    titleKey: 'chart.cpu-core',
    kind: 'line',
    unitMetric: 'host:cpu_core_usage:ratio',
    selectors: (h) => [onHost(h, 'host:cpu_core_usage:ratio')],
    yMax: 1,
    describe: (s, t) => ({ label: t('series.core', { cpu: s.labels.cpu ?? '?' }), order: 0 }),
  },
  {
    key: 'load',
    titleKey: 'chart.load',
    kind: 'line',
    unitMetric: 'node_load1',
    selectors: (h) => [onHost(h, 'node_load1'), onHost(h, 'node_load5'), onHost(h, 'node_load15')],
    describe: (s, t) => {
      if (s.name === 'node_load1') return { label: t('series.load1'), order: 0, color: 'var(--series-1)' };
      if (s.name === 'node_load5') return { label: t('series.load5'), order: 1, color: 'var(--series-2)' };
      return { label: t('series.load15'), order: 2, color: 'var(--series-3)' };
    },
  },
  {
    key: 'memory',
    titleKey: 'chart.memory',
    kind: 'line',
    unitMetric: 'host:memory_used:bytes',
    selectors: (h) => [
      onHost(h, 'host:memory_used:bytes'),
      onHost(h, 'node_memory_Cached_bytes'),
      onHost(h, 'node_memory_Buffers_bytes'),
      onHost(h, 'node_memory_MemTotal_bytes'),
    ],
    references: [{ metric: 'node_memory_MemTotal_bytes', labelKey: 'chart.ref.memTotal' }],
    describe: (s, t) => {
      if (s.name === 'host:memory_used:bytes') return { label: t('series.memoryUsed'), order: 0, color: 'var(--series-1)' };
      if (s.name === 'node_memory_Cached_bytes') return { label: t('series.cached'), order: 1, color: 'var(--series-2)' };
      return { label: t('series.buffers'), order: 2, color: 'var(--series-4)' };
    },
  },
  {
    key: 'swap',
    titleKey: 'chart.swap',
    kind: 'line',
    unitMetric: 'host:swap_used:bytes',
    selectors: (h) => [onHost(h, 'host:swap_used:bytes'), onHost(h, 'node_memory_SwapTotal_bytes')],
    references: [{ metric: 'node_memory_SwapTotal_bytes', labelKey: 'chart.ref.swapTotal' }],
    describe: (_s, t) => ({ label: t('series.swapUsed'), order: 0, color: 'var(--series-5)' }),
  },
  {
    key: 'filesystems',
    titleKey: 'chart.filesystems',
    kind: 'line',
    unitMetric: 'host:filesystem_used:ratio',
    selectors: (h) => [onHost(h, 'host:filesystem_used:ratio')],
    yMax: 1,
    describe: (s) => {
      const mount = s.labels.mountpoint ?? s.labels.device ?? '?';
      return { label: mount, order: mount === '/' ? -1 : 0 };
    },
  },
  {
    key: 'disk-io',
    titleKey: 'chart.disk-io',
    kind: 'line',
    unitMetric: 'node_disk_read_bytes:rate',
    selectors: (h) => [onHost(h, 'node_disk_read_bytes:rate'), onHost(h, 'node_disk_written_bytes:rate')],
    describe: (s, t) => {
      const device = s.labels.device ?? '?';
      const write = s.name === 'node_disk_written_bytes:rate';
      return { label: t(write ? 'series.write' : 'series.read', { device }), order: 0, colorKey: device, subOrder: write ? 1 : 0, dashed: write };
    },
  },
  {
    key: 'network',
    titleKey: 'chart.network',
    kind: 'line',
    unitMetric: 'node_network_receive_bytes:rate',
    // Loopback traffic dwarfs real interfaces on busy hosts and is not network I/O.
    selectors: (h) => [
      onHost(h, 'node_network_receive_bytes:rate', { label: 'device', op: '!=', value: 'lo' }),
      onHost(h, 'node_network_transmit_bytes:rate', { label: 'device', op: '!=', value: 'lo' }),
    ],
    describe: (s, t) => {
      const device = s.labels.device ?? '?';
      const tx = s.name === 'node_network_transmit_bytes:rate';
      return { label: t(tx ? 'series.tx' : 'series.rx', { device }), order: 0, colorKey: device, subOrder: tx ? 1 : 0, dashed: tx };
    },
  },
  {
    key: 'sockets',
    titleKey: 'chart.sockets',
    kind: 'line',
    unitMetric: 'node_sockstat_sockets_used',
    selectors: (h) => [
      onHost(h, 'node_netstat_Tcp_CurrEstab'),
      onHost(h, 'node_sockstat_TCP_tw'),
      onHost(h, 'node_sockstat_sockets_used'),
      onHost(h, 'node_filefd_allocated'),
    ],
    describe: (s, t) => {
      const order = ['node_netstat_Tcp_CurrEstab', 'node_sockstat_TCP_tw', 'node_sockstat_sockets_used', 'node_filefd_allocated'].indexOf(s.name);
      const key = (['series.tcpEstablished', 'series.tcpTimeWait', 'series.socketsUsed', 'series.fileHandles'] as const)[order] ?? 'series.socketsUsed';
      return { label: t(key), order };
    },
  },
  {
    key: 'tcp-retransmits',
    titleKey: 'chart.tcp-retransmits',
    kind: 'line',
    unitMetric: 'host:tcp_retransmits:rate',
    selectors: (h) => [onHost(h, 'host:tcp_retransmits:rate')],
    describe: (_s, t) => ({ label: t('series.retransmits'), order: 0 }),
  },
  {
    key: 'pressure',
    titleKey: 'chart.pressure',
    kind: 'line',
    unitMetric: 'host:pressure_waiting:ratio',
    selectors: (h) => [onHost(h, 'host:pressure_waiting:ratio')],
    describe: (s, t) => {
      const resource = s.labels.resource ?? '?';
      const order = ['cpu', 'memory', 'io'].indexOf(resource);
      const key = ({ cpu: 'series.pressureCpu', memory: 'series.pressureMemory', io: 'series.pressureIo' } as const)[resource as 'cpu' | 'memory' | 'io'];
      return { label: key ? t(key) : resource, order: order < 0 ? 9 : order };
    },
  },
  {
    key: 'temperatures',
    titleKey: 'chart.temperatures',
    kind: 'line',
    unitMetric: 'node_hwmon_temp_celsius',
    selectors: (h) => [onHost(h, 'node_hwmon_temp_celsius'), onHost(h, 'node_thermal_zone_temp')],
    describe: (s) => {
      const l = s.labels;
      const label =
        s.name === 'node_thermal_zone_temp'
          ? [l.type, l.zone].filter(Boolean).join(' ')
          : [l.chip, l.label ?? l.sensor].filter(Boolean).join(' ');
      return { label: label || s.name, order: 0 };
    },
  },
];

export function chartSpec(key: ChartKey): ChartSpec {
  return chartSpecs.find((s) => s.key === key)!;
}

