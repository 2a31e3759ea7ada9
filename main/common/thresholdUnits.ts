// Thresholds as people write them: in the unit a metric is shown in, not in
// the unit it is stored in. A ratio is shown in percent, so "90" and "90%"
// both mean 0.9 and "0.01" means 0.01 % (0.0001); bytes take IEC (KiB = 1024)
// and SI (kB = 1000) prefixes; rates take "/s"; durations take 5m or 1h30m.
// Rules store base units (what the series hold), so a stored rule never
// changes meaning when a display changes; the rule editor and the
// provisioning file's `threshold: 90%` both read text through here. Pure: no
// Node, no DOM; the renderer shares it.
//
// Every text formatByUnit prints reads back through parseThreshold to the
// same value (within the display's rounding): what a screen shows can be
// typed as a threshold.
import { parseDuration, formatDuration as formatDurationText } from './duration.js';
import type { MetricUnit } from './metrics.js';

export type ThresholdProblem =
  /** Nothing written. */
  | 'empty'
  /** No number at the start. */
  | 'number'
  /** A number, then a unit this metric does not take (`accepted` lists what it does). */
  | 'unit'
  /** K, M, G, T alone on bytes: 1000 or 1024? Write kB/KiB, MB/MiB… */
  | 'ambiguous_prefix';

export type ThresholdParse = { ok: true; value: number } | { ok: false; problem: ThresholdProblem; accepted: string };

const IEC = [
  ['KiB', 2 ** 10],
  ['MiB', 2 ** 20],
  ['GiB', 2 ** 30],
  ['TiB', 2 ** 40],
  ['PiB', 2 ** 50],
] as const;
const SI = [
  ['kB', 1e3],
  ['MB', 1e6],
  ['GB', 1e9],
  ['TB', 1e12],
  ['PB', 1e15],
] as const;
/** What the compact counts on screen use: 1.2K in English, 1.2万 (10⁴) in Chinese. */
const COMPACT: Readonly<Record<string, number>> = { k: 1e3, K: 1e3, M: 1e6, G: 1e9, B: 1e9, T: 1e12, 万: 1e4, 亿: 1e8 };

/** The suffixes a unit takes, for the message that lists them. */
export function acceptedSuffixes(unit: MetricUnit | undefined): string {
  switch (unit) {
    case 'ratio':
      return '%';
    case 'cores':
      return '% (of one CPU), cores';
    case 'bytes':
      return 'B, KiB, MiB, GiB, TiB, kB, MB, GB, TB';
    case 'bytes_per_second':
      return 'B/s, KiB/s, MiB/s, GiB/s, kB/s, MB/s, GB/s, Mbit/s, Gbit/s';
    case 'per_second':
      return '/s, k, M';
    case 'count':
      return 'k, M, G';
    case 'seconds':
      return 'ms, s, m, h, d';
    case 'celsius':
      return '°C';
    default:
      return '';
  }
}

// Digits may be grouped by thousands as the screens print them ("1,000 B"); a
// decimal comma ("1,5") is not read as a number, so it is refused, not misread.
const NUMBER = /^([+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*)$/s;
const numberOf = (text: string) => Number(text.replace(/,/g, ''));

/**
 * Text in the metric's display unit → the value in base units. A bare number
 * is in the display unit: percent for ratios and CPU, bytes, per second,
 * seconds, degrees.
 */
export function parseThreshold(text: string, unit: MetricUnit | undefined): ThresholdParse {
  const accepted = acceptedSuffixes(unit);
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, problem: 'empty', accepted };
  if (unit === 'seconds') return parseSeconds(trimmed, accepted);
  const m = NUMBER.exec(trimmed);
  if (!m) return { ok: false, problem: 'number', accepted };
  const n = numberOf(m[1]!);
  const suffix = m[2]!.trim();
  const scale = scaleOf(suffix, unit);
  if (scale === 'ambiguous') return { ok: false, problem: 'ambiguous_prefix', accepted };
  if (scale === undefined) return { ok: false, problem: 'unit', accepted };
  // 95 % is 95 / 100, not 95 × 0.01 (0.9500000000000001): divide by a whole divisor when there is one.
  const divisor = 1 / scale;
  const value = scale < 1 && Math.abs(divisor - Math.round(divisor)) < 1e-9 ? n / Math.round(divisor) : n * scale;
  return Number.isFinite(value) ? { ok: true, value } : { ok: false, problem: 'number', accepted };
}

function scaleOf(suffix: string, unit: MetricUnit | undefined): number | 'ambiguous' | undefined {
  switch (unit) {
    case 'ratio':
      return suffix === '' || suffix === '%' ? 0.01 : undefined;
    case 'cores': {
      if (suffix === '' || suffix === '%') return 0.01;
      return /^(cores?|c|CPUs?|核)$/i.test(suffix) ? 1 : undefined;
    }
    case 'bytes':
      return byteScale(suffix);
    case 'bytes_per_second': {
      const base = suffix.replace(/\s*(?:\/\s*s|ps)$/, '').trim();
      // Bits as links are sold, with a lower-case b: 100 Mbit/s, 100 Mbps, 100 Mb/s (against 100 MB/s, bytes).
      const bits = /^([kMGT]?)(?:bits?|b)$/.exec(base);
      if (bits) return { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12 }[bits[1]!]! / 8;
      return byteScale(base);
    }
    case 'per_second': {
      const base = suffix.replace(/\s*\/\s*s$/, '').trim();
      return base === '' ? 1 : COMPACT[base];
    }
    case 'count':
      return suffix === '' ? 1 : COMPACT[suffix];
    case 'celsius':
      return suffix === '' || /^(°\s*C|C|℃)$/i.test(suffix) ? 1 : undefined;
    default:
      return suffix === '' ? 1 : undefined;
  }
}

function byteScale(suffix: string): number | 'ambiguous' | undefined {
  if (suffix === '' || suffix === 'B' || /^bytes?$/i.test(suffix)) return 1;
  for (const [name, size] of IEC) if (suffix === name || suffix === name.slice(0, 2)) return size; // GiB or Gi
  for (const [name, size] of SI) if (suffix === name || suffix.toUpperCase() === name.toUpperCase()) return size; // MB, mb, KB
  if (/^[kKMGTP]$/.test(suffix)) return 'ambiguous';
  return undefined;
}

// Chinese duration words as formatDuration prints them in zh-CN ("3天4小时").
const ZH_DURATION: readonly (readonly [RegExp, string])[] = [
  [/天/g, 'd'],
  [/小时/g, 'h'],
  [/分钟/g, 'm'],
  [/毫秒/g, 'ms'],
  [/秒/g, 's'],
];

function parseSeconds(text: string, accepted: string): ThresholdParse {
  const plain = NUMBER.exec(text);
  if (plain && plain[2]!.trim() === '') return { ok: true, value: numberOf(plain[1]!) };
  let written = text.replace(/\s+/g, '');
  for (const [word, unit] of ZH_DURATION) written = written.replace(word, unit);
  const d = parseDuration(written);
  if (d.ok) return { ok: true, value: d.ms / 1000 };
  return { ok: false, problem: /^\d|^\./.test(written) ? 'unit' : 'number', accepted };
}

/** `x` without the float noise of a unit conversion (0.9 × 100 = 90.00000000000001). */
function clean(x: number): number {
  return Number(x.toPrecision(12));
}

const exact = (value: number, size: number) => {
  const scaled = clean(value / size);
  return Math.abs(scaled * size - value) <= Math.abs(value) * 1e-12 ? scaled : undefined;
};

/**
 * A stored threshold as the editor's field shows it: in the display unit, in
 * a form parseThreshold reads back to the same value. Locale-free (a dot for
 * decimals), as people type.
 */
export function thresholdText(value: number, unit: MetricUnit | undefined): string {
  if (!Number.isFinite(value)) return String(value);
  switch (unit) {
    case 'ratio':
    case 'cores':
      return `${clean(value * 100)}%`;
    case 'bytes':
    case 'bytes_per_second': {
      const rate = unit === 'bytes_per_second' ? '/s' : '';
      let best = `${clean(value)} B`;
      // The largest unit in which the value is a short exact number; IEC first, so 1 GiB stays 1 GiB.
      for (const [name, size] of [...IEC, ...SI]) {
        const scaled = Math.abs(value) >= size ? exact(value, size) : undefined;
        if (scaled === undefined) continue;
        const text = `${scaled} ${name}`;
        const digits = (s: string) => s.replace(/[^0-9]/g, '').length;
        if (digits(text) < digits(best)) best = text;
      }
      return best + rate;
    }
    case 'per_second':
      return `${clean(value)}/s`;
    case 'seconds':
      return value >= 0 && Number.isInteger(clean(value * 1000)) ? formatDurationText(clean(value * 1000)) : String(clean(value));
    case 'celsius':
      return `${clean(value)}°C`;
    default:
      return String(clean(value));
  }
}

/** A threshold problem in words, for the provisioning file's report and the log (the rule editor words its own, translated). */
export function describeThresholdProblem(problem: ThresholdProblem, text: string, accepted: string): string {
  switch (problem) {
    case 'empty':
      return 'the threshold is empty';
    case 'number':
      return `cannot read \`${text}\` as a number`;
    case 'unit':
      return accepted ? `\`${text}\`: write a number, optionally with one of ${accepted}` : `\`${text}\`: this metric takes a plain number`;
    case 'ambiguous_prefix':
      return `\`${text}\`: K, M, G or T alone could mean 1000 or 1024; write kB or KiB, MB or MiB, GB or GiB, TB or TiB`;
  }
}
