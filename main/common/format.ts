// Humanised values by unit, shared by the renderer and the CLI so a number
// reads the same everywhere. Binary prefixes for bytes (as `free -h` and
// node_exporter dashboards show memory); numbers through Intl in the caller's
// locale. Pure: no Node, no DOM.
import { metricInfo, type MetricUnit } from './metrics.js';

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

function number(v: number, locale: string | undefined, maximumFractionDigits: number): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits, minimumFractionDigits: 0 }).format(v);
}

/** Three significant digits at most: 1.23, 12.3, 123, 1234 → "1,234". */
function significant(v: number, locale?: string): string {
  const abs = Math.abs(v);
  const digits = abs >= 100 || abs === 0 ? 0 : abs >= 10 ? 1 : 2;
  return number(v, locale, digits);
}

export function formatBytes(v: number, locale?: string): string {
  if (!Number.isFinite(v)) return String(v);
  let i = 0;
  let x = Math.abs(v);
  while (x >= 1024 && i < BYTE_UNITS.length - 1) {
    x /= 1024;
    i++;
  }
  return `${significant(Math.sign(v) * x, locale)} ${BYTE_UNITS[i]}`;
}

export function formatPercent(ratio: number, locale?: string): string {
  if (!Number.isFinite(ratio)) return String(ratio);
  return `${significant(ratio * 100, locale)}%`;
}

/** 93784 → "1d 2h", 3725 → "1h 2m", 42.5 → "42.5s". */
export function formatDuration(seconds: number, locale?: string): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  const s = Math.abs(seconds);
  const sign = seconds < 0 ? '-' : '';
  if (s < 60) return `${sign}${significant(s, locale)}s`;
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${sign}${d}d ${h}h`;
  if (h > 0) return `${sign}${h}h ${m}m`;
  return `${sign}${m}m ${Math.floor(s % 60)}s`;
}

const SI_PREFIXES = ['', 'k', 'M', 'G', 'T'];
export function formatCount(v: number, locale?: string): string {
  if (!Number.isFinite(v)) return String(v);
  let i = 0;
  let x = Math.abs(v);
  while (x >= 1000 && i < SI_PREFIXES.length - 1) {
    x /= 1000;
    i++;
  }
  return `${significant(Math.sign(v) * x, locale)}${SI_PREFIXES[i]}`;
}

export function formatByUnit(unit: MetricUnit | undefined, v: number, locale?: string): string {
  switch (unit) {
    case 'ratio':
      return formatPercent(v, locale);
    case 'bytes':
      return formatBytes(v, locale);
    case 'bytes_per_second':
      return `${formatBytes(v, locale)}/s`;
    case 'per_second':
      return `${formatCount(v, locale)}/s`;
    case 'seconds':
      return formatDuration(v, locale);
    case 'celsius':
      return `${number(v, locale, 1)} °C`;
    case 'load':
      return number(v, locale, 2);
    case 'timestamp_seconds':
      return new Date(v * 1000).toISOString();
    case 'count':
      return formatCount(v, locale);
    default:
      return significant(v, locale);
  }
}

export function formatMetricValue(name: string, v: number, locale?: string): string {
  return formatByUnit(metricInfo(name)?.unit, v, locale);
}
