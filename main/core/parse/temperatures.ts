// Temperatures from sysfs. Both hwmon tempN_input
// (Documentation/hwmon/sysfs-interface.rst) and thermal_zoneN/temp
// (Documentation/driver-api/thermal/sysfs-api.rst) are millidegrees Celsius.
import type { RawSeries } from '../../common/series.js';
import type { Parsed } from './procfs.js';

/** Files of one sysfs class, keyed by path relative to /sys ("class/hwmon/hwmon0/temp1_input"). */
export type SysFiles = ReadonlyMap<string, readonly string[]>;

function firstLine(lines: readonly string[] | undefined): string | undefined {
  const v = lines?.[0]?.trim();
  return v === '' ? undefined : v;
}

/**
 * node_hwmon_temp_celsius{chip,sensor[,label]}. node_exporter names the chip
 * after the device path, which needs a readlink per sample; the chip's own
 * `name` is what people recognise ("coretemp", "nvme"), so it is the chip
 * label, suffixed with the hwmon index only when two chips share a name.
 * The optional tempN_label text ("Package id 0") becomes a `label` label.
 */
export function parseHwmon(files: SysFiles): Parsed {
  const problems: string[] = [];
  const chips = new Map<string, { name: string; sensors: Map<string, { input?: string; label?: string }> }>();
  for (const [path, lines] of files) {
    const m = /^class\/hwmon\/(hwmon\d+)\/(?:device\/)?(name|temp\d+_input|temp\d+_label)$/.exec(path);
    if (!m) continue;
    const hwmon = m[1]!;
    const chip = chips.get(hwmon) ?? { name: hwmon, sensors: new Map() };
    chips.set(hwmon, chip);
    const file = m[2]!;
    if (file === 'name') {
      chip.name = firstLine(lines) ?? hwmon;
      continue;
    }
    const sensor = file.slice(0, file.indexOf('_'));
    const entry = chip.sensors.get(sensor) ?? {};
    if (file.endsWith('_input')) entry.input = firstLine(lines);
    else entry.label = firstLine(lines);
    chip.sensors.set(sensor, entry);
  }
  const nameCount = new Map<string, number>();
  for (const chip of chips.values()) nameCount.set(chip.name, (nameCount.get(chip.name) ?? 0) + 1);
  const series: RawSeries[] = [];
  const hwmons = [...chips.keys()].sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  for (const hwmon of hwmons) {
    const chip = chips.get(hwmon)!;
    const chipLabel = (nameCount.get(chip.name) ?? 0) > 1 ? `${chip.name}_${hwmon}` : chip.name;
    for (const [sensor, entry] of chip.sensors) {
      if (entry.input === undefined) continue; // a label without a reading (the read failed)
      const milli = Number(entry.input);
      if (!Number.isFinite(milli)) {
        problems.push(`hwmon: ${hwmon}/${sensor}_input is not a number: "${entry.input}"`);
        continue;
      }
      const labels: Record<string, string> = { chip: chipLabel, sensor };
      if (entry.label) labels.label = entry.label;
      series.push({ name: 'node_hwmon_temp_celsius', labels, value: milli / 1000, kind: 'gauge' });
    }
  }
  return { value: series, problems };
}

/** node_thermal_zone_temp{type,zone}, as node_exporter's thermal_zone collector. */
export function parseThermalZones(files: SysFiles): Parsed {
  const problems: string[] = [];
  const zones = new Map<string, { type?: string; temp?: string }>();
  for (const [path, lines] of files) {
    const m = /^class\/thermal\/thermal_zone(\d+)\/(type|temp)$/.exec(path);
    if (!m) continue;
    const zone = zones.get(m[1]!) ?? {};
    zone[m[2] as 'type' | 'temp'] = firstLine(lines);
    zones.set(m[1]!, zone);
  }
  const series: RawSeries[] = [];
  for (const [zone, { type, temp }] of [...zones].sort((a, b) => Number(a[0]) - Number(b[0]))) {
    if (temp === undefined) continue;
    const milli = Number(temp);
    if (!Number.isFinite(milli)) {
      problems.push(`thermal: thermal_zone${zone}/temp is not a number: "${temp}"`);
      continue;
    }
    series.push({ name: 'node_thermal_zone_temp', labels: { type: type ?? 'unknown', zone }, value: milli / 1000, kind: 'gauge' });
  }
  return { value: series, problems };
}
