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

/** A fixed window (custom range, drag-to-zoom, a Top-K click-through): not live. */
export interface AbsoluteWindow {
  from: number;
  to: number;
}

/** The window a screen shows now: the fixed one when set, else the live preset ending now. */
export function resolveWindow(range: RangeKey, fixed: AbsoluteWindow | null | undefined, now: number): AbsoluteWindow & { live: boolean } {
  if (fixed && fixed.to > fixed.from) return { ...fixed, live: false };
  return { from: now - rangeDurationMs[range], to: now, live: true };
}

/** A zoom selection of at least this many pixels' worth of time is a zoom; less is a click. */
export const MIN_ZOOM_MS = 10_000;

/** The zoom window from two cursor times (either order); null when too narrow to be a zoom. */
export function zoomWindow(a: number, b: number): AbsoluteWindow | null {
  const from = Math.min(a, b);
  const to = Math.max(a, b);
  return to - from >= MIN_ZOOM_MS ? { from, to } : null;
}

/** `<input type="datetime-local">` value in local time, and back. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromLocalInput(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : null;
}
