// Humanised numbers, sizes, rates and durations for the screens and the CLI
// (`overlook snapshot`), so a value reads the same everywhere. Pure: every
// function takes the locale, so the same value reads correctly in English and
// Chinese and the functions can be tested without a DOM.
import { metricInfo, type MetricUnit } from './metrics.js';

/** Shown where a value is missing (no sample yet, or the host does not report it). */
export const MISSING = '—';

const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, options);
    numberFormats.set(key, f);
  }
  return f;
}

function isFiniteNumber(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Three significant figures for magnitudes people compare by eye: 1.23, 12.3, 123. */
function fractionDigitsFor(magnitude: number): number {
  const abs = Math.abs(magnitude);
  if (abs === 0 || abs >= 100) return 0;
  if (abs >= 10) return 1;
  return 2;
}

export function formatNumber(value: number | null | undefined, locale: string, maxFractionDigits = 2): string {
  if (!isFiniteNumber(value)) return MISSING;
  return numberFormat(locale, { maximumFractionDigits: maxFractionDigits }).format(value);
}

// Memory, disks and /proc report binary multiples, so sizes use IEC units
// (KiB = 1024 B), as free(1) -h and htop do.
const IEC_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

/** Split a byte count into a scaled value and its IEC unit. */
export function scaleBytes(bytes: number): { value: number; unit: (typeof IEC_UNITS)[number] } {
  let value = bytes;
  let i = 0;
  while (Math.abs(value) >= 1024 && i < IEC_UNITS.length - 1) {
    value /= 1024;
    i++;
  }
  // 1023.9 KiB would print as "1,024 KiB"; promote it so it reads "1.00 MiB".
  if (i < IEC_UNITS.length - 1 && Math.abs(value) >= 1023.95 && i > 0) {
    value /= 1024;
    i++;
  }
  return { value, unit: IEC_UNITS[i]! };
}

export function formatBytes(bytes: number | null | undefined, locale: string): string {
  if (!isFiniteNumber(bytes)) return MISSING;
  const { value, unit } = scaleBytes(bytes);
  const digits = unit === 'B' ? 0 : fractionDigitsFor(value);
  return `${numberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(value)} ${unit}`;
}

export function formatBytesPerSecond(bytesPerSecond: number | null | undefined, locale: string): string {
  if (!isFiniteNumber(bytesPerSecond)) return MISSING;
  return `${formatBytes(bytesPerSecond, locale)}/s`;
}

/** A 0..1 ratio as a percentage: one decimal below 10 %, whole numbers above. */
export function formatPercent(ratio: number | null | undefined, locale: string): string {
  if (!isFiniteNumber(ratio)) return MISSING;
  const pct = Math.abs(ratio * 100);
  const digits = pct !== 0 && pct < 10 ? 1 : 0;
  return numberFormat(locale, { style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: digits }).format(ratio);
}

/**
 * Process CPU as top(1) shows it: percent of one CPU, so a process using
 * two full cores reads 200 %. The contract reports it in cores.
 */
export function formatCores(cores: number | null | undefined, locale: string): string {
  if (!isFiniteNumber(cores)) return MISSING;
  return numberFormat(locale, { style: 'percent', maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(cores);
}

export function formatLoad(load: number | null | undefined, locale: string): string {
  if (!isFiniteNumber(load)) return MISSING;
  return numberFormat(locale, { maximumFractionDigits: 2, minimumFractionDigits: 2 }).format(load);
}

export function formatCelsius(celsius: number | null | undefined, locale: string): string {
  if (!isFiniteNumber(celsius)) return MISSING;
  return numberFormat(locale, { style: 'unit', unit: 'celsius', unitDisplay: 'short', maximumFractionDigits: 1 }).format(celsius);
}

/** Counts and per-second counts in compact notation (1.2K, 3.4万). */
export function formatCount(count: number | null | undefined, locale: string): string {
  if (!isFiniteNumber(count)) return MISSING;
  if (Math.abs(count) < 1000) return numberFormat(locale, { maximumFractionDigits: Math.abs(count) < 10 ? 2 : 1 }).format(count);
  return numberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(count);
}

export function formatPerSecond(perSecond: number | null | undefined, locale: string): string {
  if (!isFiniteNumber(perSecond)) return MISSING;
  return `${formatCount(perSecond, locale)}/s`;
}

const DURATION_UNITS = [
  { unit: 'day', seconds: 86_400 },
  { unit: 'hour', seconds: 3_600 },
  { unit: 'minute', seconds: 60 },
  { unit: 'second', seconds: 1 },
] as const;

const listFormats = new Map<string, Intl.ListFormat>();

/**
 * A duration for people: the largest non-zero unit and the one below it when
 * that is non-zero, in the locale's narrow unit style ("3d 4h", "3天4小时").
 * Under a second reads "0s".
 */
export function formatDuration(seconds: number | null | undefined, locale: string): string {
  if (!isFiniteNumber(seconds)) return MISSING;
  const whole = Math.floor(Math.abs(seconds));
  const amounts: number[] = [];
  let rest = whole;
  for (const { seconds: size } of DURATION_UNITS) {
    amounts.push(Math.floor(rest / size));
    rest %= size;
  }
  const unitText = (i: number) =>
    numberFormat(locale, { style: 'unit', unit: DURATION_UNITS[i]!.unit, unitDisplay: 'narrow' }).format(amounts[i]!);
  let first = amounts.findIndex((n) => n > 0);
  if (first < 0) first = DURATION_UNITS.length - 1;
  const shown = [unitText(first)];
  if (first + 1 < DURATION_UNITS.length && amounts[first + 1]! > 0) shown.push(unitText(first + 1));
  let list = listFormats.get(locale);
  if (!list) {
    list = new Intl.ListFormat(locale, { style: 'narrow', type: 'unit' });
    listFormats.set(locale, list);
  }
  return (seconds < 0 && whole > 0 ? '-' : '') + list.format(shown);
}

const itemListFormats = new Map<string, Intl.ListFormat>();

/**
 * Items of a list in the locale's way: "a, b, c" in English, "a、b、c" in
 * Chinese; `or` for alternatives ("a, b, or c", "a、b或c").
 */
export function formatList(items: readonly string[], locale: string, type: 'and' | 'or' = 'and'): string {
  const key = `${locale}|${type}`;
  let list = itemListFormats.get(key);
  if (!list) {
    list = type === 'or' ? new Intl.ListFormat(locale, { style: 'long', type: 'disjunction' }) : new Intl.ListFormat(locale, { style: 'narrow', type: 'conjunction' });
    itemListFormats.set(key, list);
  }
  return list.format(items);
}

/** Format a value by the unit the metric catalogue gives it. */
export function formatByUnit(unit: MetricUnit | undefined, value: number | null | undefined, locale: string): string {
  switch (unit) {
    case 'ratio':
      return formatPercent(value, locale);
    case 'cores':
      return formatCores(value, locale);
    case 'bytes':
      return formatBytes(value, locale);
    case 'bytes_per_second':
      return formatBytesPerSecond(value, locale);
    case 'per_second':
      return formatPerSecond(value, locale);
    case 'seconds':
      return formatDuration(value, locale);
    case 'celsius':
      return formatCelsius(value, locale);
    case 'load':
      return formatLoad(value, locale);
    case 'timestamp_seconds':
      return isFiniteNumber(value) ? formatDateTime(value * 1000, locale) : MISSING;
    case 'count':
    case undefined:
      return formatCount(value, locale);
  }
}

/**
 * A shorter form for axis ticks, where every label competes for a few pixels:
 * no decimals beyond what separates neighbouring ticks.
 */
export function formatAxisTick(unit: MetricUnit | undefined, value: number, locale: string): string {
  switch (unit) {
    case 'ratio':
    case 'cores':
      return numberFormat(locale, { style: 'percent', maximumFractionDigits: Math.abs(value) < 0.1 && value !== 0 ? 1 : 0 }).format(value);
    case 'bytes':
    case 'bytes_per_second': {
      const { value: v, unit: u } = scaleBytes(value);
      const text = `${numberFormat(locale, { maximumFractionDigits: Math.abs(v) < 10 ? 1 : 0 }).format(v)} ${u}`;
      return unit === 'bytes_per_second' ? `${text}/s` : text;
    }
    case 'celsius':
      return numberFormat(locale, { style: 'unit', unit: 'celsius', unitDisplay: 'short', maximumFractionDigits: 0 }).format(value);
    case 'load':
      return numberFormat(locale, { maximumFractionDigits: 1 }).format(value);
    default:
      return formatByUnit(unit, value, locale);
  }
}

// Byte axes should step in round binary sizes (256 MiB, 1 GiB), not 1.86 GiB.
const BINARY_STEPS = [1, 2, 4, 5, 8, 10, 16, 20, 25, 32, 40, 50, 64, 100, 128, 200, 256, 500, 512];

/**
 * Ticks for a y axis from 0 to at least `max`, about `count` of them, at round
 * values for the unit: binary sizes for bytes, whole percent for ratios.
 */
export function niceTicks(unit: MetricUnit | undefined, max: number, count = 4): number[] {
  if (!Number.isFinite(max) || max <= 0) return [0];
  const raw = max / count;
  let step: number;
  if (unit === 'bytes' || unit === 'bytes_per_second') {
    let base = 1;
    while (raw / base >= 1024) base *= 1024;
    const scaled = raw / base;
    step = (BINARY_STEPS.find((s) => s >= scaled) ?? 1024) * base;
  } else {
    const magnitude = 10 ** Math.floor(Math.log10(raw));
    const normalised = raw / magnitude;
    step = (normalised <= 1 ? 1 : normalised <= 2 ? 2 : normalised <= 2.5 ? 2.5 : normalised <= 5 ? 5 : 10) * magnitude;
  }
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 1e-9; v += step) ticks.push(v);
  if (ticks[ticks.length - 1]! < max) ticks.push(ticks[ticks.length - 1]! + step);
  return ticks;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = dateFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    dateFormats.set(key, f);
  }
  return f;
}

/** Full date and time, for tooltips and "last sample" notes. */
export function formatDateTime(ms: number, locale: string, timeZone?: string): string {
  return dateFormat(locale, { dateStyle: 'medium', timeStyle: 'medium', timeZone }).format(ms);
}

/**
 * A time-axis tick sized to the visible range: clock time for a day or less,
 * day and hour for a week, the date beyond that.
 */
export function formatTimeTick(ms: number, rangeMs: number, locale: string, timeZone?: string): string {
  const day = 86_400_000;
  if (rangeMs <= day) return dateFormat(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(ms);
  if (rangeMs <= 7 * day)
    return dateFormat(locale, { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(ms);
  return dateFormat(locale, { month: 'short', day: 'numeric', timeZone }).format(ms);
}

const TIME_STEPS_MS = [
  60_000, 2 * 60_000, 5 * 60_000, 10 * 60_000, 15 * 60_000, 30 * 60_000,
  3_600_000, 2 * 3_600_000, 3 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000,
  86_400_000, 2 * 86_400_000, 7 * 86_400_000,
];

/**
 * Time-axis ticks across [from, to] at round local times (every 10 min, every
 * 6 h, at midnight…), about `count` of them. Recharts would otherwise place
 * ticks at data points only, bunching them where data exists.
 * `offsetMinutes(t)` is the local offset east of UTC at t (DST-aware by default).
 */
export function timeTicks(from: number, to: number, count: number, offsetMinutes: (t: number) => number = (t) => -new Date(t).getTimezoneOffset()): number[] {
  if (!(to > from) || count < 1) return [];
  const span = to - from;
  const step = TIME_STEPS_MS.find((s) => span / s <= count) ?? Math.ceil(span / count / 86_400_000) * 86_400_000;
  const ticks: number[] = [];
  const offset = offsetMinutes(from) * 60_000;
  // Align in local wall-clock time so hour and day ticks fall on :00 and midnight.
  let t = Math.ceil((from + offset) / step) * step - offset;
  for (; t <= to && ticks.length < count * 2; t += step) ticks.push(t);
  return ticks;
}

/** "12 s ago", "3 小时前": how old a sample is. */
export function formatAgo(ms: number, now: number, locale: string): string {
  const seconds = Math.round((ms - now) / 1000);
  const abs = Math.abs(seconds);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' });
  if (abs < 60) return rtf.format(seconds, 'second');
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return rtf.format(Math.round(seconds / 3600), 'hour');
  return rtf.format(Math.round(seconds / 86_400), 'day');
}

/** A value of a named series, humanised by the unit the metric catalogue gives it. */
export function formatMetricValue(name: string, value: number | null | undefined, locale: string): string {
  return formatByUnit(metricInfo(name)?.unit, value, locale);
}

/**
 * A rule's threshold in its metric's unit, but never rounded to a different
 * number: "> 0.0%" for a threshold of 0.00001 would misstate the rule, so a
 * threshold the usual rounding would hide is shown with its significant digits.
 */
export function formatThreshold(metric: string, threshold: number, locale: string): string {
  const usual = formatMetricValue(metric, threshold, locale);
  const shownAsZero = threshold !== 0 && !/[1-9]/.test(usual);
  if (!shownAsZero) return usual;
  const unit = metricInfo(metric)?.unit;
  const significant = new Intl.NumberFormat(locale, { maximumSignificantDigits: 3 });
  return unit === 'ratio' ? `${significant.format(threshold * 100)}%` : significant.format(threshold);
}
