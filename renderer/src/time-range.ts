// The time ranges the picker offers. Every preset is "the last N, following
// now": charts re-query as samples arrive. Issue 7 adds custom (fixed)
// ranges; they will be a second kind here with `live: false`.
import type { MessageKey } from './i18n/catalogue';

export const rangeKeys = ['15m', '1h', '6h', '24h', '7d', '30d'] as const;
export type RangeKey = (typeof rangeKeys)[number];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const rangeDurationMs: Record<RangeKey, number> = {
  '15m': 15 * MINUTE,
  '1h': HOUR,
  '6h': 6 * HOUR,
  '24h': DAY,
  '7d': 7 * DAY,
  '30d': 30 * DAY,
};

export function isRangeKey(value: unknown): value is RangeKey {
  return typeof value === 'string' && (rangeKeys as readonly string[]).includes(value);
}

export function rangeLabelKey(key: RangeKey): MessageKey {
  return `range.${key}` as MessageKey;
}

export function rangeLongLabelKey(key: RangeKey): MessageKey {
  return `range.${key}.long` as MessageKey;
}

/**
 * How often a live chart may re-query: never more than every 2 s, and no more
 * often than one bucket of the chart's resolution, since a 30-day chart
 * (about one hour per point) gains nothing from a query per sample.
 */
export function liveRefreshIntervalMs(rangeMs: number, maxPoints: number): number {
  return Math.max(2000, Math.min(5 * MINUTE, Math.round(rangeMs / Math.max(2, maxPoints))));
}
