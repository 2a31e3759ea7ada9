// The time ranges the header offers, and the one time selection every screen
// that shows time follows: a preset ("the last N, following now": charts
// re-query as samples arrive) or a fixed window (custom range, drag-to-zoom,
// a shared link). The selection lives in the URL's hash query
// (`?range=1h&from=…&to=…`) so a view can be shared and reloaded.
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

/**
 * The zoom window from two cursor times (either order), in whole
 * milliseconds: a pointer position maps to a fractional time, and every
 * query takes integers (the contract's `from`/`to`). Rounded outwards, so the
 * window still covers what was selected. Null when too narrow to be a zoom.
 */
export function zoomWindow(a: number, b: number): AbsoluteWindow | null {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
  const from = Math.floor(Math.min(a, b));
  const to = Math.ceil(Math.max(a, b));
  return to - from >= MIN_ZOOM_MS ? { from, to } : null;
}

/** What every screen that shows time follows: the header's preset, or a fixed window over it. */
export interface TimeSelection {
  range: RangeKey;
  fixed: AbsoluteWindow | null;
}

/** A fixed window as a URL gives it: whole, non-negative milliseconds, `to` after `from`; anything else is no window. */
function windowFromParams(params: URLSearchParams): AbsoluteWindow | null {
  const raw = [params.get('from'), params.get('to')];
  if (!raw.every((v) => v !== null && /^\d{1,15}$/.test(v))) return null;
  const [from, to] = raw.map(Number) as [number, number];
  return to > from ? { from, to } : null;
}

/**
 * The time selection a URL's query carries, or null when it carries none
 * (a link from inside the app, an old bookmark): then the screen keeps the
 * current selection. A bad `range` or window is ignored, not an error: the
 * rest of the link still opens.
 */
export function timeSelectionFromQuery(params: URLSearchParams): Partial<TimeSelection> | null {
  const range = params.get('range');
  const fixed = windowFromParams(params);
  const hasRange = isRangeKey(range);
  if (!hasRange && !fixed) return null;
  return { ...(hasRange ? { range } : {}), fixed };
}

/** Writes a selection into a URL query: `range` always, `from`/`to` for a fixed window (whole ms). */
export function writeTimeSelection(params: URLSearchParams, selection: TimeSelection): void {
  params.set('range', selection.range);
  if (selection.fixed) {
    params.set('from', String(Math.floor(selection.fixed.from)));
    params.set('to', String(Math.ceil(selection.fixed.to)));
  } else {
    params.delete('from');
    params.delete('to');
  }
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
