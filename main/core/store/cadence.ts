// Sample times kept on their series' cadence. A host's samples are stamped
// when their frame arrives, so a 5-s series carries tens of milliseconds of
// network and scheduling jitter that no chart, window or rate here can show
// (rates are derived from the exact times before the store sees them), yet it
// costs the delta-of-delta timestamp coding about a byte a sample: a
// delta-of-delta of 0 is one bit. So a sample within a small tolerance of
// where the series' step says it should be is stored there. Prometheus does
// the same with its scrape timestamps (`--scrape.timestamp-tolerance`,
// 2 ms by default; it computes rates from stored times, so it can afford less).
//
// The guarantee: a stored time is never further than the tolerance from the
// observed one (min(100 ms, 2 % of the step)); a series whose samples are
// regular to the millisecond is stored exactly as given. Pure.

/** At most this far from the observed time, whatever the step. */
export const CADENCE_TOLERANCE_MAX_MS = 100;
/** And at most this share of the step, so fast series move less. */
const CADENCE_TOLERANCE_SHARE = 0.02;
/**
 * A learned step is rounded to this grain when the raw delta is within the
 * tolerance of it: poll intervals are set in tenths of a second at the
 * finest, cloud periods in minutes. The first delta of a 5-s series may be
 * 4,987 ms; its step is 5,000, so the next samples land on the grid.
 */
const CADENCE_GRAIN_MS = 100;

export function cadenceToleranceMs(stepMs: number): number {
  return Math.min(CADENCE_TOLERANCE_MAX_MS, Math.floor(stepMs * CADENCE_TOLERANCE_SHARE));
}

/**
 * The time to store for a sample observed at `t` (after `lastT`, the series'
 * last stored time) given its step: the nearest whole number of steps after
 * `lastT` (one, or more after a missed sample) when `t` is within the
 * tolerance of it, else `t` itself.
 */
export function onCadence(t: number, lastT: number | undefined, stepMs: number | undefined): number {
  if (lastT === undefined || stepMs === undefined || !(stepMs > 0)) return t;
  const steps = Math.round((t - lastT) / stepMs);
  if (steps < 1) return t;
  const expected = lastT + steps * stepMs;
  return Math.abs(t - expected) <= cadenceToleranceMs(stepMs) ? expected : t;
}

/**
 * The series' step once `stored` follows `lastT`: unchanged while samples
 * land on it (whole steps apart), else learned from this delta, rounded to
 * the grain when that is within the tolerance.
 */
export function nextStep(stored: number, lastT: number | undefined, stepMs: number | undefined): number | undefined {
  if (lastT === undefined) return stepMs;
  const delta = stored - lastT;
  if (!(delta > 0)) return stepMs;
  if (stepMs !== undefined && stepMs > 0 && delta % stepMs === 0) return stepMs;
  const rounded = Math.round(delta / CADENCE_GRAIN_MS) * CADENCE_GRAIN_MS;
  return rounded > 0 && Math.abs(delta - rounded) <= cadenceToleranceMs(rounded) ? rounded : delta;
}
