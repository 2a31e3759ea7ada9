// Which samples of one batch the store keeps, and as what: the rules of
// append, applied sample by sample in batch order inside the append's
// transaction (a series the batch names for the first time gets its row
// there, so a batch that fails leaves no series behind it).
//
// Samples are accepted per series in strictly increasing time order. Dropped,
// and counted in stats():
// - out of order or duplicate: t <= the newest stored t of the series;
// - late: t falls in a chunk window already sealed (more than the grace
//   period after it ended), since sealed chunks and their minute rollups are
//   never rewritten;
// - invalid: value NaN or ±Infinity (JSON cannot carry them to the renderer and
//   one Infinity would poison every sum above it: a NaN from a source means "no
//   value", which a missing sample — a gap — already says), a time that is not a
//   finite number ≥ 0 or lies more than `maxFutureMs` ahead of the clock (one
//   bogus future stamp would otherwise block the series until that time), or a
//   name or label value that is not a string, or a value outside what the
//   metric can be (parse/sanityBounds.ts).
// Times are stored as whole milliseconds (floored), on the series' step when
// within min(100 ms, 2 % of it) of where the step puts them (cadence.ts); the
// out-of-order check compares the observed time with the last stored one.
// Values are kept at the
// precision of their metric (precision.ts): ratios and CPU in cores to 1e-4,
// rates to 12 significant bits, everything else bit for bit (-0 included); a query
// returns exactly the kept value, and rollups are computed from it.
import { nextStep, onCadence } from './cadence.js';
import { roundToPrecision } from './precision.js';
import { keyOf, type SeriesIndex } from './seriesIndex.js';
import type { SeriesState } from './seriesState.js';
import type { SampleColumns } from './types.js';
import { valueBoundsOf, type ValueBounds } from '../parse/sanityBounds.js';

function isValidPoint(t: number, v: number): boolean {
  return Number.isFinite(v) && Number.isFinite(t) && t >= 0 && t <= 2 ** 50;
}

/**
 * One batch on its way in. The caches move only once the append's
 * transaction has committed: what admit decides is kept here until then
 * (the series it created, the samples it kept), except a raised grace, which
 * takes effect at once so the batch itself may reach back that far, and is
 * put back by undoGraceRaises when the transaction fails.
 */
export class BatchAdmission {
  /** The samples kept, [series, stored time, kept value], in batch order. */
  readonly accepted: Array<[SeriesState, number, number]> = [];
  /** Series the batch created, not in the index yet (the caller adds them once the transaction commits). */
  readonly created: SeriesState[] = [];
  outOfOrder = 0;
  late = 0;
  invalid = 0;

  private readonly createdByKey = new Map<string, SeriesState>();
  /** Per series, its newest accepted time and step so far in this batch. */
  private readonly newestT = new Map<SeriesState, { t: number; step: number | undefined }>();
  /** Series whose grace this batch raised, with the value before (restored if the transaction fails). */
  private readonly graceRaised = new Map<SeriesState, number>();
  /** The state of each table entry used so far in this batch (null: invalid name or labels). */
  private readonly resolved = new Map<number, SeriesState | null>();
  /** The value bounds of each table entry's metric (null: none known). */
  private readonly boundsOfEntry = new Map<number, ValueBounds | null>();

  /**
   * `graceMs`: how late this batch's series may be (the store's grace, or
   * the batch's maxDelayMs when larger); `latestAllowed`: the newest time
   * accepted (the clock plus maxFutureMs).
   */
  constructor(
    private readonly index: SeriesIndex,
    private readonly graceMs: number,
    private readonly latestAllowed: number,
  ) {}

  /** Sorts every sample of the batch into kept or dropped; inside the append's transaction. */
  admit(columns: SampleColumns): void {
    const n = columns.index.length;
    for (let i = 0; i < n; i++) {
      const rawT = columns.t[i]!;
      const value = columns.v[i]!;
      if (!isValidPoint(rawT, value) || rawT > this.latestAllowed) {
        this.invalid++;
        continue;
      }
      const t = Math.floor(rawT);
      const entry = columns.index[i]!;
      // A value no source can really report (parse/sanityBounds.ts) is counted with the invalid ones, whichever source sent it.
      let bounds = this.boundsOfEntry.get(entry);
      if (bounds === undefined) {
        const name = columns.series[entry]?.name;
        bounds = (typeof name === 'string' ? valueBoundsOf(name) : undefined) ?? null;
        this.boundsOfEntry.set(entry, bounds);
      }
      if (bounds !== null && !(value >= bounds.min && value <= bounds.max)) {
        this.invalid++;
        continue;
      }
      let state = this.resolved.get(entry);
      if (state === undefined) {
        state = this.resolve(columns, entry, t);
        this.resolved.set(entry, state);
      }
      if (state === null) {
        this.invalid++;
        continue;
      }
      const inBatch = this.newestT.get(state);
      const last = inBatch ? inBatch.t : state.lastT;
      if (last !== undefined && t <= last) {
        this.outOfOrder++;
        continue;
      }
      // On the series' cadence when within its tolerance (cadence.ts); what Head.push does with the step, done ahead for this batch.
      const step = inBatch ? inBatch.step : state.stepMs;
      const stored = onCadence(t, last, step);
      if (stored < state.rolled1m) {
        this.late++;
        continue;
      }
      this.newestT.set(state, { t: stored, step: nextStep(stored, last, step) });
      this.accepted.push([state, stored, roundToPrecision(value, state.precision)]);
    }
  }

  /** Puts back the graces this batch raised, once its transaction has failed. */
  undoGraceRaises(): void {
    for (const [state, before] of this.graceRaised) state.graceMs = before;
  }

  /** The series of table entry `entry`, created (first sample at `t`) if new; null when its name or labels are refused. */
  private resolve(columns: SampleColumns, entry: number, t: number): SeriesState | null {
    const ref = columns.series[entry];
    const key = ref === undefined ? null : keyOf(ref);
    if (key === null) return null;
    let state = this.index.withKey(key) ?? this.createdByKey.get(key);
    if (!state) {
      state = this.index.insert(key, ref!, t, this.graceMs);
      this.createdByKey.set(key, state);
      this.created.push(state);
    } else if (this.graceMs > state.graceMs && !this.graceRaised.has(state)) {
      // Raised before the lateness check, so this very batch may reach back that far.
      const before = state.graceMs;
      this.index.raiseGrace(state, this.graceMs);
      this.graceRaised.set(state, before);
    }
    return state;
  }
}
