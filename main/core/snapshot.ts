// `overlook snapshot`: run the agent on this machine for two samples one
// interval apart (rates need two), then print the result as a table, JSON or
// Prometheus text. The prom output uses exactly the exporter's names.
import { runAgentOnce } from './sources/agent/localAgent.js';
import { formatPrometheusText } from './export/promText.js';
import { deriveSamples } from './derive/observation.js';
import { hostSummaryFrom } from './derive/summary.js';
import type { HostSummary, ProcessRow } from '../common/contract.js';
import type { RawSeries, Sample } from '../common/series.js';
import type { HostFacts } from './model/observation.js';
import { formatMetricValue } from '../common/format.js';
import { ContainerTracker } from './containers/containerTracker.js';
import { hostContainerExportSeries } from './containers/exportContainers.js';
import { localEngineConnector } from './containers/localEngine.js';

export const SNAPSHOT_FORMATS = ['table', 'json', 'prom'] as const;
export type SnapshotFormat = (typeof SNAPSHOT_FORMATS)[number];

export interface Snapshot {
  readonly host: string;
  readonly t: number;
  readonly facts: HostFacts;
  readonly raw: readonly RawSeries[];
  readonly derived: readonly Sample[];
  readonly summary: HostSummary;
  readonly processes: readonly ProcessRow[];
  readonly problems: readonly string[];
}

export async function takeSnapshot(options: { intervalMs: number; host: string; engineSocket?: string }): Promise<Snapshot> {
  const [rawFirst, rawSecond] = await runAgentOnce({ intervalMs: options.intervalMs });
  // Container names from the engine: asked once, between the two samples' parsing.
  const tracker = new ContainerTracker({ connector: localEngineConnector(options.engineSocket ? { socketPath: options.engineSocket } : {}) });
  const first = tracker.enrich(rawFirst);
  await tracker.idle();
  const second = tracker.enrich(rawSecond);
  const derived = deriveSamples(first, second, options.host);
  return {
    host: options.host,
    t: second.t,
    facts: second.facts,
    raw: [...second.series, ...hostContainerExportSeries(second)],
    derived: derived.samples,
    summary: hostSummaryFrom(derived.samples, options.host, second.t),
    processes: derived.processes,
    problems: [...first.problems, ...second.problems],
  };
}

export function formatSnapshot(snap: Snapshot, format: SnapshotFormat, options: { columns?: number; locale?: string } = {}): string {
  switch (format) {
    case 'json':
      return (
        JSON.stringify(
          {
            host: snap.host,
            time: new Date(snap.t).toISOString(),
            facts: snap.facts,
            summary: snap.summary,
            series: snap.raw.map((s) => ({ name: s.name, labels: { host: snap.host, ...s.labels }, kind: s.kind, value: s.value })),
            derived: snap.derived.map((s) => ({ name: s.name, labels: s.labels, value: s.v })),
            processes: snap.processes,
            problems: snap.problems,
          },
          null,
          2,
        ) + '\n'
      );
    case 'prom':
      return formatPrometheusText(snap.raw.map((s) => ({ ...s, labels: { host: snap.host, ...s.labels } })));
    case 'table':
      return formatTable(snap, options.locale);
  }
}

/** Columns of text: the ones named in `textColumns` left-aligned, numbers right-aligned. */
function pad(rows: string[][], textColumns: readonly number[] = [0]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (textColumns.includes(i) ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

function formatTable(snap: Snapshot, requestedLocale?: string): string {
  const locale = requestedLocale ?? 'en';
  const fmt = (name: string, v: number | null | undefined) => formatMetricValue(name, v, locale);
  const byName = (name: string) => snap.derived.filter((s) => s.name === name);
  const value = (name: string, labels: Record<string, string>) =>
    snap.derived.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.v;
  const s = snap.summary;
  const out: string[] = [];
  const f = snap.facts;
  out.push(`Host ${snap.host} — ${f.hostname ?? '?'} · ${f.os ?? '?'} · kernel ${f.kernel ?? '?'} · ${f.arch ?? '?'} · ${f.cpus ?? '?'} CPUs`);
  out.push(`Sampled ${new Date(snap.t).toISOString()}, up ${fmt('host:uptime:seconds', s.uptimeSeconds)}`);
  out.push('');
  const modes = byName('host:cpu_mode:ratio')
    .filter((m) => m.v >= 0.0005)
    .sort((a, b) => b.v - a.v)
    .map((m) => `${m.labels.mode} ${fmt('host:cpu_mode:ratio', m.v)}`);
  out.push(...pad([
    ['CPU', fmt('host:cpu_usage:ratio', s.cpuUsage), modes.join(', ')],
    ['Load', `${fmt('node_load1', s.load1)} ${fmt('node_load5', s.load5)} ${fmt('node_load15', s.load15)}`, '1 / 5 / 15 min'],
    ['Memory', `${fmt('host:memory_used:bytes', s.memoryUsed)} / ${fmt('node_memory_MemTotal_bytes', s.memoryTotal)}`, 'used / total'],
    ['Swap', `${fmt('host:swap_used:bytes', s.swapUsed)} / ${fmt('node_memory_SwapTotal_bytes', s.swapTotal)}`, 'used / total'],
  ], [0, 2]));

  const mounts = byName('host:filesystem_used:ratio');
  if (mounts.length) {
    out.push('', ...pad([
      ['Filesystem', 'Type', 'Size', 'Avail', 'Used'],
      ...mounts.map((m) => [
        m.labels.mountpoint ?? '',
        m.labels.fstype ?? '',
        fmt('node_filesystem_size_bytes', value('node_filesystem_size_bytes', { mountpoint: m.labels.mountpoint ?? '' })),
        fmt('node_filesystem_avail_bytes', value('node_filesystem_avail_bytes', { mountpoint: m.labels.mountpoint ?? '' })),
        fmt('host:filesystem_used:ratio', m.v),
      ]),
    ], [0, 1]));
  }
  const disks = byName('node_disk_read_bytes:rate');
  if (disks.length) {
    out.push('', ...pad([
      ['Disk', 'Read/s', 'Write/s', 'Util'],
      ...disks.map((d) => {
        const device = d.labels.device ?? '';
        return [device, fmt(d.name, d.v), fmt('node_disk_written_bytes:rate', value('node_disk_written_bytes:rate', { device })), fmt('node_disk_io_time_seconds:rate', value('node_disk_io_time_seconds:rate', { device }))];
      }),
    ]));
  }
  const nics = byName('node_network_receive_bytes:rate');
  if (nics.length) {
    out.push('', ...pad([
      ['Interface', 'Receive/s', 'Send/s'],
      ...nics.map((n) => [n.labels.device ?? '', fmt(n.name, n.v), fmt('node_network_transmit_bytes:rate', value('node_network_transmit_bytes:rate', { device: n.labels.device ?? '' }))]),
    ]));
  }
  const temps = snap.derived.filter((t) => t.name === 'node_hwmon_temp_celsius' || t.name === 'node_thermal_zone_temp');
  if (temps.length) {
    out.push('', ...pad([
      ['Sensor', 'Temperature'],
      ...temps.map((t) => [Object.entries(t.labels).filter(([k]) => k !== 'host').map(([, v]) => v).join(' '), fmt(t.name, t.v)]),
    ]));
  }
  if (snap.processes.length) {
    out.push('', ...pad([
      ['PID', 'Command', 'CPU', 'RSS', 'Mem'],
      ...snap.processes.slice(0, 10).map((p) => [
        String(p.pid),
        p.comm,
        fmt('host:cpu_usage:ratio', p.cpu),
        fmt('node_memory_MemTotal_bytes', p.rssBytes),
        fmt('host:memory_used:ratio', p.memoryRatio),
      ]),
    ], [1]));
  }
  if (snap.problems.length) out.push('', `${snap.problems.length} part(s) of the sample could not be parsed: ${snap.problems.slice(0, 3).join('; ')}`);
  return out.join('\n') + '\n';
}
