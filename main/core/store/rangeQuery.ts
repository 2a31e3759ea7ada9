// Range queries: for each series a selector matches, the bucket plan and the
// tier serving each part of the range (tiers.ts planBuckets, planSegments),
// then the rows of that tier read in time order — raw samples from sealed
// chunks and then the open head, minute rows from the minute chunks, hour
// rows from the day chunks — folded into chart points as they are read
// (PointAccumulator). Reads only, in memory and on disk; reading the open
// head too is what charts a sample the moment its append returns.
import { performance } from 'node:perf_hooks';
import type Database from 'better-sqlite3';
import { formatSelector, type SeriesSelector } from '../../common/series.js';
import { decodeSamples, readAggregates } from './chunkCodec.js';
import { CHUNK_WINDOW_MS, DAY_MS, MINUTE_BLOCK_MS, PointAccumulator, planBuckets, planSegments, tierCoverage } from './tiers.js';
import type { SeriesIndex } from './seriesIndex.js';
import type { SeriesState } from './seriesState.js';
import type { FlatRange, RangeRequest } from './types.js';

/** A query's time on the store's thread is bounded: every other call waits behind it. */
export const DEFAULT_QUERY_BUDGET_MS = 10_000;

/** The error code of a query stopped by its budget; the handlers answer it as invalid_input with its message. */
export const QUERY_TOO_LARGE = 'QUERY_TOO_LARGE';

/** Stops a query that has run past its budget, with a message that says how to narrow it. */
class QueryBudget {
  private readonly deadline: number;
  matched: number | undefined;
  constructor(
    private readonly selector: SeriesSelector,
    private readonly budgetMs: number,
  ) {
    this.deadline = performance.now() + budgetMs;
  }
  check(done: number): void {
    if (performance.now() <= this.deadline) return;
    const what = this.matched === undefined ? `after matching ${done} series` : `after ${done} of the ${this.matched} series it matched`;
    const err = new Error(
      `the query for ${formatSelector(this.selector)} was stopped ${what}: it ran past ${this.budgetMs / 1000} s on the history store; narrow the selector or the time range`,
    );
    (err as Error & { code?: string }).code = QUERY_TOO_LARGE;
    throw err;
  }
}

function prepareStatements(db: Database.Database) {
  return {
    // Chunks are keyed by window start: the ones overlapping [from, to) start after from - window.
    rawChunks: db.prepare('SELECT data FROM raw_chunk WHERE series_id = ? AND t > ? AND t < ? ORDER BY t').pluck(),
    minuteChunks: db.prepare('SELECT data FROM rollup_1m_chunk WHERE series_id = ? AND t > ? AND t < ? ORDER BY t').pluck(),
    // Merged blocks, all older than the ten-minute chunks (housekeeping.ts): read first, they keep the rows in time order.
    minuteBlocks: db.prepare('SELECT data FROM rollup_1m_block WHERE series_id = ? AND t > ? AND t < ? ORDER BY t').pluck(),
    // Day chunks overlapping [from, to) start after from - a day.
    hourChunks: db.prepare('SELECT data FROM rollup_1h_chunk WHERE series_id = ? AND t > ? AND t < ? ORDER BY t').pluck(),
  };
}

export class RangeReader {
  private readonly sql: ReturnType<typeof prepareStatements>;

  constructor(
    db: Database.Database,
    private readonly budgetMs: number = DEFAULT_QUERY_BUDGET_MS,
  ) {
    this.sql = prepareStatements(db);
  }

  /** Every series matching the selector, with empty points when the range holds no data. */
  read(request: RangeRequest, index: SeriesIndex): FlatRange[] {
    const plan = planBuckets(request.from, request.to, request.maxPoints);
    const expected = Math.min(32, Math.ceil((plan.end - plan.start) / plan.stepMs));
    const budget = new QueryBudget(request.selector, this.budgetMs);
    const matched = index.matching(request.selector, (done) => budget.check(done));
    budget.matched = matched.length;
    return matched.map((state, i) => {
      budget.check(i);
      const acc = new PointAccumulator(plan.stepMs, expected);
      for (const segment of planSegments(plan, tierCoverage(state))) {
        if (segment.tier === 'raw') this.addRaw(acc, state, segment.from, segment.to);
        else if (segment.tier === '1m') this.addMinutes(acc, state, segment.from, segment.to);
        else this.addHours(acc, state, segment.from, segment.to);
      }
      return { name: state.name, labels: state.labels, tier: plan.tier, stepMs: plan.stepMs, points: acc.points() };
    });
  }

  /** Raw samples of [from, to), in time order: sealed chunks, then the open head. */
  private addRaw(acc: PointAccumulator, state: SeriesState, from: number, to: number): void {
    const add = (t: Float64Array, v: Float64Array) => {
      for (let i = 0; i < t.length; i++) {
        const ti = t[i]!;
        if (ti < from) continue;
        if (ti >= to) break;
        acc.addValue(ti, v[i]!);
      }
    };
    if (from < state.rolled1m) {
      for (const data of this.sql.rawChunks.all(state.id, from - CHUNK_WINDOW_MS, Math.min(to, state.rolled1m)) as Uint8Array[]) {
        const { t, v } = decodeSamples(data);
        add(t, v);
      }
    }
    for (const open of state.head) {
      if (open.start >= to || open.lastT < from) continue;
      const { t, v } = open.encoder.samples();
      add(t, v);
    }
  }

  private addMinutes(acc: PointAccumulator, state: SeriesState, from: number, to: number): void {
    // all(), not iterate(): a few rows per series, and one step through SQLite is cheaper than an iterator.
    const add = (t: number, min: number, max: number, sum: number, count: number) => {
      if (t >= from && t < to) acc.add(t, min, max, sum, count);
    };
    if (from < state.m1Merged) for (const data of this.sql.minuteBlocks.all(state.id, from - MINUTE_BLOCK_MS, Math.min(to, state.m1Merged)) as Uint8Array[]) readAggregates(data, add);
    for (const data of this.sql.minuteChunks.all(state.id, from - CHUNK_WINDOW_MS, to) as Uint8Array[]) readAggregates(data, add);
  }

  private addHours(acc: PointAccumulator, state: SeriesState, from: number, to: number): void {
    for (const data of this.sql.hourChunks.all(state.id, from - DAY_MS, to) as Uint8Array[]) {
      readAggregates(data, (t, min, max, sum, count) => {
        if (t >= from && t < to) acc.add(t, min, max, sum, count);
      });
    }
  }
}
