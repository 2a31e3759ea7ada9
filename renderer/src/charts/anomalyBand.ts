// The anomaly layer of a chart and the screens that explain it, pure: the
// baseline band lined up with the chart's rows, the flagged stretches clipped
// to the window, the window a drag picked as an "explain" query, and the
// words and numbers the cards show (rate as a percentage, how far out a value
// is, the baseline's bucket).
import type { BaselineView, ExplainQuery, SeriesBand } from '../../../main/common/anomalies';
import { formatNumber, formatPercent } from '../../../main/common/format';
import type { ChartRow } from './chartRows';

/** Row keys the band adds: `[low, high]` for a range area, and the centre for a dashed line. */
export const BAND_RANGE_KEY = 'bandRange';
export const BAND_CENTRE_KEY = 'bandCentre';

/** A chart row with the band of one series beside its values. */
export type BandedRow = { t: number } & Record<string, number | [number, number] | null>;

/**
 * The band's bucket under each row: the entry with `t ≤ row.t < t + stepMs`
 * (band entries are bucket starts, like the line's points), null where the
 * band has none (learning, or no baseline for that bucket), so the shading
 * breaks there as the line does in a gap.
 */
export function withBand(rows: readonly ChartRow[], band: Pick<SeriesBand, 'band' | 'stepMs'> | undefined): BandedRow[] {
  if (!band || band.band.length === 0) return rows.map((r) => ({ ...r, [BAND_RANGE_KEY]: null, [BAND_CENTRE_KEY]: null }));
  const entries = band.band;
  const step = band.stepMs > 0 ? band.stepMs : Number.POSITIVE_INFINITY;
  let j = 0;
  return rows.map((row) => {
    while (j + 1 < entries.length && entries[j + 1]![0] <= row.t) j++;
    const e = entries[j]!;
    const inside = e[0] <= row.t && row.t < e[0] + step && Number.isFinite(e[2]) && Number.isFinite(e[3]);
    return { ...row, [BAND_RANGE_KEY]: inside ? [Math.min(e[2], e[3]), Math.max(e[2], e[3])] : null, [BAND_CENTRE_KEY]: inside ? e[1] : null };
  });
}

/**
 * Flagged stretches as areas to shade inside [from, to]: clipped to the
 * window, empty or reversed ones dropped, overlapping or touching ones merged
 * (the core promises ascending, non-overlapping stretches, but two series of
 * one chart flag overlapping ones).
 */
export function flaggedAreas(flagged: readonly (readonly [number, number])[], from: number, to: number): { from: number; to: number }[] {
  const clipped = flagged
    .map(([a, b]) => ({ from: Math.max(from, a), to: Math.min(to, b) }))
    .filter((s) => s.to > s.from)
    .sort((x, y) => x.from - y.from);
  const out: { from: number; to: number }[] = [];
  for (const s of clipped) {
    const last = out[out.length - 1];
    if (last && s.from <= last.to) last.to = Math.max(last.to, s.to);
    else out.push({ ...s });
  }
  return out;
}

/** The widest window "what happened here?" compares (the contract refuses more): the picked window's last 31 days. */
export const MAX_EXPLAIN_MS = 31 * 86_400_000;

/**
 * The query a picked window asks: whole milliseconds, ends in order, at most
 * MAX_EXPLAIN_MS (keeping the end, where the trouble usually is); null for a
 * window of no width.
 */
export function explainQueryFor(a: number, b: number, scope: { kind: 'fleet' } | { kind: 'host'; hostId: string }, limit = 20): ExplainQuery | null {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
  const to = Math.round(Math.max(a, b));
  const from = Math.max(0, Math.round(Math.min(a, b)), to - MAX_EXPLAIN_MS);
  if (to <= from) return null;
  return { scope, from, to, limit };
}

/** An anomaly rate (a share 0–1) as a percentage; "—" while the entity has no scored series. */
export function formatAnomalyRate(rate: number | null | undefined, scored: number | undefined, locale: string): string {
  if (scored === 0) return formatPercent(null, locale);
  return formatPercent(rate == null ? null : Math.min(1, Math.max(0, rate)), locale);
}

/**
 * How far a value is from its centre in spreads ("4.2× spread above"): the
 * multiple (|z|, one decimal's worth) and the side. A flat series' spread is
 * floored by the core; a zero spread left here gives no multiple rather than
 * Infinity.
 */
export function spreadsOut(value: number, baseline: Pick<BaselineView, 'centre' | 'spread'>): { multiple: number | null; side: 'above' | 'below' | 'at' } {
  const d = value - baseline.centre;
  const side = d > 0 ? 'above' : d < 0 ? 'below' : 'at';
  if (!(baseline.spread > 0)) return { multiple: null, side };
  return { multiple: Math.abs(d) / baseline.spread, side };
}

/**
 * The z of a hovered value against the band's bucket. The band carries the
 * normal range (centre ± k × spread) but not the spread, so the caller passes
 * k, the sensitivity's multiple, read from a scored baseline of the same
 * entity ((high − centre) / spread): the same k holds for every bucket.
 */
export function zInBand(value: number, centre: number, low: number, high: number, k: number | null): number | null {
  if (k === null || !(k > 0)) return null;
  const half = (high - low) / 2;
  if (!(half > 0)) return null;
  return (value - centre) / (half / k);
}

/** k = (high − centre) / spread from a scored baseline; null when it cannot be read (learning, zero spread). */
export function thresholdOf(baseline: Pick<BaselineView, 'kind' | 'centre' | 'spread' | 'high'> | undefined): number | null {
  if (!baseline || baseline.kind === 'learning' || !(baseline.spread > 0)) return null;
  const k = (baseline.high - baseline.centre) / baseline.spread;
  return Number.isFinite(k) && k > 0 ? k : null;
}

/** The baseline's bucket as the catalogue words it: which message and its parameters (hours in UTC, as the core buckets them). */
export function bucketWords(baseline: Pick<BaselineView, 'kind' | 'hour' | 'weekday'>): { key: 'anomaly.bucket.week' | 'anomaly.bucket.day' | 'anomaly.bucket.learning'; params: Record<string, string | number> } {
  const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;
  if (baseline.kind === 'learning' || baseline.hour === undefined) return { key: 'anomaly.bucket.learning', params: {} };
  const from = hh(baseline.hour);
  const to = hh((baseline.hour + 1) % 24);
  if (baseline.kind === 'hour_of_week' && baseline.weekday !== undefined) return { key: 'anomaly.bucket.week', params: { weekday: baseline.weekday, from, to } };
  return { key: 'anomaly.bucket.day', params: { from, to } };
}

/** A weekday 0–6 (0 = Sunday, as the baseline numbers them) in the UI's language. 1 January 2023 was a Sunday. */
export function weekdayName(weekday: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' }).format(Date.UTC(2023, 0, 1 + weekday));
}

/** A cost in milliseconds as the catalogue words it: below a second in ms (one decimal under 10 ms), above it as a duration. */
export function msWords(ms: number, locale: string): { key: 'anomaly.ms'; ms: string } | { seconds: number } {
  if (ms >= 1000) return { seconds: ms / 1000 };
  return { key: 'anomaly.ms', ms: formatNumber(ms, locale, ms < 10 ? 1 : 0) };
}
