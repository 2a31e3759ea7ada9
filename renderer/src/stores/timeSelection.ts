// The one time selection (the header's preset, or a fixed window from the
// custom range, a zoom or a link) that every screen showing time follows.
// The URL is its home: a time screen's hash always carries it
// (`?range=1h[&from=…&to=…]`), so reloading or sharing the address shows
// the same view. A link without it (from inside the app) opens at the
// current selection, which is then written into the address. The preset is
// also remembered in the prefs as the default for the next start.
import { create } from 'zustand';
import { parseRoute, screenShowsTime, splitHash } from '../router';
import { timeSelectionFromQuery, writeTimeSelection, type AbsoluteWindow, type RangeKey, type TimeSelection } from '../timeRange';
import { usePrefs } from './prefs';

export const useTimeSelection = create<TimeSelection>()(() => ({ range: usePrefs.getState().range, fixed: null }));

function same(a: TimeSelection, b: TimeSelection): boolean {
  return a.range === b.range && a.fixed?.from === b.fixed?.from && a.fixed?.to === b.fixed?.to;
}

/** The hash of the current screen with `selection` in its query. */
function hashWith(selection: TimeSelection): string {
  const { path, search } = splitHash(window.location.hash);
  const params = new URLSearchParams(search);
  writeTimeSelection(params, selection);
  return `#${path || '/'}?${params.toString()}`;
}

/**
 * On load and on every hash change: a time screen's URL with a selection
 * sets it; one without gets the current selection written in (replacing the
 * history entry, so Back does not stop at the bare address).
 */
export function syncTimeWithLocation(): void {
  const hash = window.location.hash;
  if (!screenShowsTime(parseRoute(hash))) return;
  const fromUrl = timeSelectionFromQuery(new URLSearchParams(splitHash(hash).search));
  const current = useTimeSelection.getState();
  const next: TimeSelection = fromUrl ? { range: fromUrl.range ?? current.range, fixed: fromUrl.fixed ?? null } : current;
  if (!same(next, current)) useTimeSelection.setState(next);
  if (next.range !== usePrefs.getState().range) usePrefs.getState().setRange(next.range);
  const normal = hashWith(next);
  if (normal !== hash) window.history.replaceState(window.history.state, '', normal);
}

/** Change the selection: on a time screen as a new history entry (Back undoes a zoom). */
export function setTimeSelection(selection: TimeSelection): void {
  // Whole milliseconds, as every query takes them, whatever the caller measured.
  const next: TimeSelection = selection.fixed ? { range: selection.range, fixed: { from: Math.floor(selection.fixed.from), to: Math.ceil(selection.fixed.to) } } : selection;
  useTimeSelection.setState(next);
  if (usePrefs.getState().range !== next.range) usePrefs.getState().setRange(next.range);
  if (screenShowsTime(parseRoute(window.location.hash))) {
    const target = hashWith(next);
    if (target !== window.location.hash) window.location.hash = target;
  }
}

/** A live preset (the header's buttons): drops any fixed window. */
export function selectRange(range: RangeKey): void {
  setTimeSelection({ range, fixed: null });
}

/** A fixed window (custom range, zoom); null goes back to the live preset. */
export function selectWindow(fixed: AbsoluteWindow | null): void {
  setTimeSelection({ range: useTimeSelection.getState().range, fixed });
}

/** Call once at start-up, before the first render, so the first screen already has the URL's selection. */
export function startTimeSync(): void {
  syncTimeWithLocation();
  window.addEventListener('hashchange', syncTimeWithLocation);
}
