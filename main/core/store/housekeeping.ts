// Housekeeping: the work no append does, in bounded slices. Per series, in
// turn from where the last call stopped: seal the windows of series that
// went quiet (seal.ts), roll sealed minutes up into hours — appended to one
// chunk per series and day, read from the minute chunks, never by rescanning
// raw — and delete what each tier's retention has expired, never what the
// next tier has not absorbed; then prune the head log (head.ts). A slice is
// one transaction, in which the marks move with the rows, so a crash never
// leaves an hour rolled up twice or skipped; the caller reloads the caches
// when it fails. After it, a vacuum step hands a few freed pages back to the
// file system (incremental, never a blocking VACUUM).
import { performance } from 'node:perf_hooks';
import type Database from 'better-sqlite3';
import { Retention as RetentionSchema, type Retention, type Tier } from '../../common/contract.js';
import { decodeAggregates, encodeAggregates, type AggregateRow } from './chunkCodec.js';
import {
  CHUNK_WINDOW_MS,
  DAY_MS,
  HOUR_MS,
  MINUTE_BLOCK_MS,
  MINUTE_MS,
  addRows,
  chunkWindowStart,
  floorTo,
  hourRollupTarget,
  minuteBlockStart,
  retentionCutoffs,
  type Aggregate,
} from './tiers.js';
import type { ChunkSealer } from './seal.js';
import type { Head } from './head.js';
import type { SeriesIndex } from './seriesIndex.js';
import type { SeriesState } from './seriesState.js';

export interface HousekeepingLimits {
  /** Series given work per call (default 2000). */
  readonly maxSeries?: number;
  /** Stop starting new series after this many ms (default 25). */
  readonly maxMillis?: number;
}

export interface HousekeepingReport {
  readonly seriesWorked: number;
  /** Chunk windows sealed (each one raw chunk and one minute chunk). */
  readonly sealedChunks: number;
  /** Minute buckets written inside the sealed minute chunks. */
  readonly minuteBuckets: number;
  readonly hourBuckets: number;
  /** Chunks and hour rows deleted by retention. */
  readonly deletedRows: number;
  readonly freedPages: number;
  /** True when the call stopped at its limit with work left; call again soon. */
  readonly pending: boolean;
}

/** What one slice did (runSlice); freedPages is filled in by the vacuum step after it. */
export interface HousekeepingSlice {
  readonly counts: { -readonly [K in Exclude<keyof HousekeepingReport, 'pending'>]: number };
  readonly pending: boolean;
}

const FROM_FIELD = { raw: 'rawFrom', '1m': 'm1From', '1h': 'h1From' } as const;

// Hour rollups read at most a day of minute chunks per series per step.
const HOUR_ROLLUP_SPAN_MS = DAY_MS;
const DELETE_SPAN_MS: Readonly<Record<Tier, number>> = { raw: 6 * HOUR_MS, '1m': DAY_MS, '1h': 30 * DAY_MS };
// Retention deletes wait until this much has expired, so a series is not
// visited on every call just because the cutoff moved a few seconds.
const DELETE_SLACK_MS: Readonly<Record<Tier, number>> = { raw: 10 * MINUTE_MS, '1m': HOUR_MS, '1h': DAY_MS };
// Minute blocks merged per series step (a day's worth: an old file's month goes in 30 steps).
const MERGE_BLOCKS_PER_STEP = 4;
// Free pages handed back to the file system per housekeeping call (1 MiB at 4 KiB pages).
const VACUUM_PAGES_PER_CALL = 256;

/** The retention as given, or a RangeError saying what is wrong with it. */
export function checkedRetention(retention: Retention): Retention {
  const parsed = RetentionSchema.safeParse(retention);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'retention'}: ${i.message}`).join('; ');
    throw new RangeError(`invalid retention: ${detail}`);
  }
  return parsed.data;
}

function prepareStatements(db: Database.Database) {
  return {
    // Chunks are keyed by window start: the ones overlapping [from, to) start after from - window.
    minuteChunks: db.prepare('SELECT data FROM rollup_1m_chunk WHERE series_id = ? AND t > ? AND t < ? ORDER BY t').pluck(),
    oldestMinuteChunk: db.prepare('SELECT min(t) FROM rollup_1m_chunk WHERE series_id = ? AND t >= ?').pluck(),
    blockChunks: db.prepare('SELECT t, data FROM rollup_1m_chunk WHERE series_id = ? AND t >= ? AND t < ? ORDER BY t').raw(true),
    deleteBlockChunks: db.prepare('DELETE FROM rollup_1m_chunk WHERE series_id = ? AND t >= ? AND t < ?'),
    insertMinuteBlock: db.prepare('INSERT INTO rollup_1m_block (series_id, t, data) VALUES (?, ?, ?)'),
    hourChunk: db.prepare('SELECT data FROM rollup_1h_chunk WHERE series_id = ? AND t = ?').pluck(),
    saveHourChunk: db.prepare(
      `INSERT INTO rollup_1h_chunk (series_id, t, last_t, data) VALUES (?, ?, ?, ?)
       ON CONFLICT (series_id, t) DO UPDATE SET last_t = excluded.last_t, data = excluded.data`,
    ),
    oldestFrom: {
      raw: db.prepare('SELECT min(t) FROM raw_chunk WHERE series_id = @id AND t >= @from').pluck(),
      '1m': db.prepare(
        'SELECT min(t) FROM (SELECT min(t) AS t FROM rollup_1m_block WHERE series_id = @id AND t >= @from UNION ALL SELECT min(t) FROM rollup_1m_chunk WHERE series_id = @id AND t >= @from)',
      ).pluck(),
      '1h': db.prepare('SELECT min(t) FROM rollup_1h_chunk WHERE series_id = @id AND t >= @from').pluck(),
    },
    deleteMinuteBlocksBefore: db.prepare('DELETE FROM rollup_1m_block WHERE series_id = ? AND t < ?'),
    deleteBefore: {
      raw: db.prepare('DELETE FROM raw_chunk WHERE series_id = ? AND t < ?'),
      '1m': db.prepare('DELETE FROM rollup_1m_chunk WHERE series_id = ? AND t < ?'),
      '1h': db.prepare('DELETE FROM rollup_1h_chunk WHERE series_id = ? AND t < ?'),
    },
  };
}

export class Housekeeping {
  private readonly sql: ReturnType<typeof prepareStatements>;
  private readonly maxSeriesPerCall: number;
  private readonly maxMillisPerCall: number;
  /** Where the next slice starts in the index's series list. */
  private cursor = 0;

  /** `retention` as checkedRetention returned it. */
  constructor(
    private readonly db: Database.Database,
    private readonly index: SeriesIndex,
    private readonly head: Head,
    private readonly sealer: ChunkSealer,
    limits: HousekeepingLimits | undefined,
    private retention: Retention,
  ) {
    this.maxSeriesPerCall = Math.max(1, limits?.maxSeries ?? 2000);
    this.maxMillisPerCall = limits?.maxMillis ?? 25;
    this.sql = prepareStatements(db);
  }

  /** `retention` as checkedRetention returned it. */
  setRetention(retention: Retention): void {
    this.retention = retention;
  }

  /**
   * Seals windows of quiet series, rolls sealed minutes up into hours and
   * deletes expired chunks and rows, a bounded slice per call: each series
   * step touches a bounded time span, and the call stops after `maxSeries`
   * series or `maxMillis`, resuming at the next series on the following
   * call. One transaction per call; the marks move in it, so a crash never
   * leaves a bucket rolled up twice or skipped. When it throws, the
   * transaction has rolled back but the caches may have moved ahead of it.
   */
  runSlice(now: number): HousekeepingSlice {
    const deadline = performance.now() + this.maxMillisPerCall;
    const cutoffs = retentionCutoffs(now, this.retention);
    const counts = { seriesWorked: 0, sealedChunks: 0, minuteBuckets: 0, hourBuckets: 0, deletedRows: 0, freedPages: 0 };
    let pending = false;
    const list = this.index.all;
    const n = list.length;
    const run = this.db.transaction(() => {
      let i = 0;
      for (; i < n; i++) {
        if (counts.seriesWorked >= this.maxSeriesPerCall || performance.now() > deadline) {
          pending = true;
          break;
        }
        const state = list[(this.cursor + i) % n]!;
        if (this.stepSeries(state, now, cutoffs, counts)) counts.seriesWorked++;
      }
      this.cursor = n === 0 ? 0 : (this.cursor + i) % n;
      this.head.prune(this.index.all);
    });
    run();
    return { counts, pending };
  }

  /** Does one bounded step of work for one series; false when it had nothing to do. */
  private stepSeries(
    state: SeriesState,
    now: number,
    cutoffs: ReturnType<typeof retentionCutoffs>,
    counts: { sealedChunks: number; minuteBuckets: number; hourBuckets: number; deletedRows: number },
  ): boolean {
    const sql = this.sql;
    let worked = this.sealer.sealFinished(state, now, counts);
    const marksBefore = [state.rolled1m, state.rolled1h, state.rawFrom, state.m1From, state.h1From, state.m1Merged];

    // A quiet series: nothing open, so every window that ended before the
    // grace period is final; moving the mark lets the hour rollup proceed.
    if (state.head.length === 0) {
      const quietUntil = chunkWindowStart(now - state.graceMs, state.id);
      if (quietUntil > state.rolled1m) state.rolled1m = quietUntil;
    }

    const target1h = hourRollupTarget(state.rolled1m);
    if (target1h > state.rolled1h) {
      worked = true;
      let start = state.rolled1h;
      if (target1h - start > HOUR_ROLLUP_SPAN_MS) {
        // Skip a long silence in one seek instead of walking it span by span.
        const first = sql.oldestMinuteChunk.get(state.id, start - CHUNK_WINDOW_MS) as number | null;
        start = first === null ? target1h : Math.max(start, Math.min(target1h, floorTo(first, HOUR_MS)));
      }
      const end = Math.min(target1h, start + HOUR_ROLLUP_SPAN_MS);
      if (end > start) {
        const hours = new Map<number, Aggregate>();
        for (const data of sql.minuteChunks.iterate(state.id, start - CHUNK_WINDOW_MS, end) as IterableIterator<Uint8Array>) {
          addRows(hours, HOUR_MS, decodeAggregates(data).filter((r) => r[0] >= start && r[0] < end));
        }
        // Appended to their days' chunks: hours only ever come after the ones already rolled up.
        const byDay = new Map<number, AggregateRow[]>();
        for (const [t, agg] of [...hours].sort((a, b) => a[0] - b[0])) {
          const day = floorTo(t, DAY_MS);
          const row: AggregateRow = [t, agg.min, agg.max, agg.sum, agg.count];
          byDay.get(day)?.push(row) ?? byDay.set(day, [row]);
          counts.hourBuckets++;
          state.last1h = t;
        }
        for (const [day, rows] of byDay) {
          const existing = sql.hourChunk.get(state.id, day) as Uint8Array | undefined;
          const all = existing ? [...decodeAggregates(existing), ...rows] : rows;
          sql.saveHourChunk.run(state.id, day, all[all.length - 1]![0], encodeAggregates(all));
        }
      }
      state.rolled1h = Math.max(state.rolled1h, end);
    }

    if (this.mergeMinuteBlocks(state)) worked = true;

    // Never delete what the next tier has not absorbed yet. Chunks go whole,
    // so the raw cut falls on the series' window starts, the minute cut on
    // its block starts, the hour cut on a day.
    const expired: Record<Tier, number> = {
      raw: chunkWindowStart(Math.min(cutoffs.raw, state.rolled1m), state.id),
      '1m': minuteBlockStart(Math.min(cutoffs['1m'], state.rolled1h), state.id),
      '1h': floorTo(cutoffs['1h'], DAY_MS),
    };
    for (const tier of ['raw', '1m', '1h'] as const) {
      const done = state[FROM_FIELD[tier]];
      const cutoff = expired[tier];
      if (cutoff - done < DELETE_SLACK_MS[tier]) continue;
      worked = true;
      let start = done;
      if (cutoff - start > DELETE_SPAN_MS[tier]) {
        const oldest = sql.oldestFrom[tier].get({ id: state.id, from: start }) as number | null;
        start = oldest === null ? cutoff : Math.min(cutoff, oldest);
      }
      const end =
        tier === '1h'
          ? floorTo(Math.min(cutoff, start + DELETE_SPAN_MS[tier]), DAY_MS)
          : Math.min(cutoff, (tier === 'raw' ? chunkWindowStart : minuteBlockStart)(start + DELETE_SPAN_MS[tier], state.id));
      counts.deletedRows += sql.deleteBefore[tier].run(state.id, end).changes;
      if (tier === '1m') counts.deletedRows += sql.deleteMinuteBlocksBefore.run(state.id, end).changes;
      state[FROM_FIELD[tier]] = end;
      if (tier === 'raw' && state.head.length === 0 && state.lastT !== undefined && state.lastT < end) state.lastT = undefined;
      if (tier === '1m' && state.last1m !== undefined && state.last1m < end) state.last1m = undefined;
      if (tier === '1h' && state.last1h !== undefined && state.last1h < end) state.last1h = undefined;
    }

    const marks = [state.rolled1m, state.rolled1h, state.rawFrom, state.m1From, state.h1From, state.m1Merged];
    if (marks.some((mark, i) => mark !== marksBefore[i])) this.index.saveMarks(state);
    return worked;
  }

  /**
   * Merges the ten-minute minute chunks of whole blocks (tiers.ts,
   * MINUTE_BLOCK_MS) that the hour tier has absorbed into one row of
   * rollup_1m_block each, up to MERGE_BLOCKS_PER_STEP blocks; the same rows,
   * in aggregate layout 2 (chunkCodec.ts). Only blocks wholly before
   * rolled1h: the hour rollup reads the ten-minute chunks from there on, so
   * it never needs a block. Old files (schema ≤ 6) are merged the same way,
   * from their oldest chunk on.
   */
  private mergeMinuteBlocks(state: SeriesState): boolean {
    const sql = this.sql;
    const until = minuteBlockStart(state.rolled1h, state.id);
    let from = state.m1Merged;
    if (until - from < MINUTE_BLOCK_MS) return false;
    // A mark far behind (a new series, an old file, a long silence): seek the oldest chunk.
    const oldest = sql.oldestMinuteChunk.get(state.id, from) as number | null;
    from = oldest === null ? until : Math.min(until, Math.max(from, minuteBlockStart(oldest, state.id)));
    for (let n = 0; n < MERGE_BLOCKS_PER_STEP && from < until; n++, from += MINUTE_BLOCK_MS) {
      const chunks = sql.blockChunks.all(state.id, from, from + MINUTE_BLOCK_MS) as Array<[number, Uint8Array]>;
      if (chunks.length === 0) continue;
      const rows = chunks.flatMap(([, data]) => decodeAggregates(data));
      sql.deleteBlockChunks.run(state.id, from, from + MINUTE_BLOCK_MS);
      sql.insertMinuteBlock.run(state.id, from, encodeAggregates(rows));
    }
    const moved = from !== state.m1Merged;
    state.m1Merged = from;
    return moved;
  }

  /** Hands up to VACUUM_PAGES_PER_CALL free pages back to the file system (auto_vacuum = INCREMENTAL, schema.ts); returns how many went. */
  vacuumStep(): number {
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    if (free === 0) return 0;
    const pages = Math.min(free, VACUUM_PAGES_PER_CALL);
    this.db.pragma(`incremental_vacuum(${pages})`);
    return free - (this.db.pragma('freelist_count', { simple: true }) as number);
  }
}
