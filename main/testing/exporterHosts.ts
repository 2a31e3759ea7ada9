// Hosts shaped like real node_exporter output, for the exporter's tests (not
// shipped behaviour: only *.test.ts files import this). Label values are the
// ones node_exporter prints on a small Debian VM; `t` moves the counters.
import type { RawSeries } from '../common/series.js';
import type { ExportedHost } from '../core/export/hostFamilies.js';

const CPU_MODES = ['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user'] as const;

export interface TestHostShape {
  readonly cpus?: number;
  readonly withMemory?: boolean;
  /** Extra filesystem mounts, e.g. one with a hostile mountpoint. */
  readonly extraMounts?: readonly { device: string; fstype: string; mountpoint: string }[];
}

export function nodeLikeSeries(t: number, shape: TestHostShape = {}): RawSeries[] {
  const series: RawSeries[] = [];
  const counter = (name: string, labels: Record<string, string>, value: number) => series.push({ name, labels, value, kind: 'counter' });
  const gauge = (name: string, labels: Record<string, string>, value: number) => series.push({ name, labels, value, kind: 'gauge' });
  const cpus = shape.cpus ?? 2;
  for (let cpu = 0; cpu < cpus; cpu++) {
    CPU_MODES.forEach((mode, i) => counter('node_cpu_seconds_total', { cpu: String(cpu), mode }, 1000 + t * (mode === 'idle' ? 0.8 : 0.02) + i + cpu));
  }
  gauge('node_load1', {}, 0.42);
  gauge('node_load5', {}, 0.3);
  gauge('node_load15', {}, 0.25);
  if (shape.withMemory !== false) {
    gauge('node_memory_MemTotal_bytes', {}, 4_102_000_640);
    gauge('node_memory_MemFree_bytes', {}, 1_204_000_768);
    gauge('node_memory_MemAvailable_bytes', {}, 3_001_000_192);
    gauge('node_memory_Buffers_bytes', {}, 120_000_512);
    gauge('node_memory_Cached_bytes', {}, 1_600_000_000);
    gauge('node_memory_SwapTotal_bytes', {}, 1_023_406_080);
    gauge('node_memory_SwapFree_bytes', {}, 1_023_406_080);
  }
  const mounts = [
    { device: '/dev/vda1', fstype: 'ext4', mountpoint: '/' },
    { device: '/dev/vda15', fstype: 'vfat', mountpoint: '/boot/efi' },
    ...(shape.extraMounts ?? []),
  ];
  for (const m of mounts) {
    gauge('node_filesystem_size_bytes', m, 41_555_521_536);
    gauge('node_filesystem_free_bytes', m, 30_000_000_000);
    gauge('node_filesystem_avail_bytes', m, 28_000_000_000);
    gauge('node_filesystem_files', m, 2_621_440);
    gauge('node_filesystem_files_free', m, 2_500_000);
  }
  for (const device of ['vda', 'vdb']) {
    counter('node_disk_read_bytes_total', { device }, 5e8 + t * 4096);
    counter('node_disk_written_bytes_total', { device }, 9e8 + t * 8192);
    counter('node_disk_reads_completed_total', { device }, 20_000 + t);
    counter('node_disk_writes_completed_total', { device }, 40_000 + t * 2);
    counter('node_disk_io_time_seconds_total', { device }, 120.5 + t * 0.01);
  }
  for (const device of ['eth0', 'lo']) {
    counter('node_network_receive_bytes_total', { device }, 1e9 + t * 1500);
    counter('node_network_transmit_bytes_total', { device }, 2e8 + t * 700);
    counter('node_network_receive_packets_total', { device }, 1e6 + t);
    counter('node_network_transmit_packets_total', { device }, 8e5 + t);
    counter('node_network_receive_errs_total', { device }, 0);
    counter('node_network_transmit_errs_total', { device }, 0);
    counter('node_network_receive_drop_total', { device }, 3);
    counter('node_network_transmit_drop_total', { device }, 0);
  }
  gauge('node_boot_time_seconds', {}, 1_717_000_000);
  gauge('node_hwmon_temp_celsius', { chip: 'platform_coretemp_0', sensor: 'temp1' }, 48);
  gauge('node_thermal_zone_temp', { type: 'x86_pkg_temp', zone: '0' }, 47.5);
  return series;
}

export function testHost(host: string, t: number, shape: TestHostShape = {}): ExportedHost {
  return { host, up: true, lastSampleAt: Date.now(), series: nodeLikeSeries(t, shape) };
}

export interface ParsedExposition {
  readonly help: Map<string, string>;
  readonly type: Map<string, string>;
  readonly samples: { name: string; labels: Record<string, string>; value: number }[];
}

/** A strict reader of the text format (0.0.4), enough to check what the exporter wrote. Throws on anything malformed. */
export function parseExposition(text: string): ParsedExposition {
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  const samples: ParsedExposition['samples'] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (line === '') return;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      (meta[1] === 'HELP' ? help : type).set(meta[2]!, meta[3]!.replace(/\\n/g, '\n').replace(/\\\\/g, '\\'));
      return;
    }
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
    if (!name) throw new Error(`line ${index + 1}: no metric name: ${line}`);
    let i = name.length;
    const labels: Record<string, string> = {};
    if (line[i] === '{') {
      i++;
      while (line[i] !== '}') {
        const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i))?.[0];
        if (!labelName || line[i + labelName.length] !== '=' || line[i + labelName.length + 1] !== '"') throw new Error(`line ${index + 1}: bad label at ${i}`);
        i += labelName.length + 2;
        let value = '';
        while (line[i] !== '"') {
          if (i >= line.length) throw new Error(`line ${index + 1}: unterminated label value`);
          if (line[i] === '\\') {
            const next = line[i + 1];
            if (next === 'n') value += '\n';
            else if (next === '\\' || next === '"') value += next;
            else throw new Error(`line ${index + 1}: bad escape \\${next}`);
            i += 2;
          } else value += line[i++];
        }
        i++;
        if (labelName in labels) throw new Error(`line ${index + 1}: label ${labelName} twice`);
        labels[labelName] = value;
        if (line[i] === ',') i++;
      }
      i++;
    }
    if (line[i] !== ' ') throw new Error(`line ${index + 1}: no value`);
    const valueText = line.slice(i + 1);
    const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : Number(valueText);
    if (valueText === '' || (Number.isNaN(value) && valueText !== 'NaN')) throw new Error(`line ${index + 1}: bad value ${valueText}`);
    samples.push({ name, labels, value });
  });
  return { help, type, samples };
}
