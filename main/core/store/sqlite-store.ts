// The history store on better-sqlite3: raw samples plus 1-minute and 1-hour
// rollups (min, max, sum, count) with a retention per tier. All SQL lives in
// this file so the raw table can later be replaced by compressed per-series
// chunks (issue 9) without touching callers.
//
// Samples are accepted per series in strictly increasing time order. Dropped,
// and counted in stats():
// - out of order or duplicate: t <= the newest stored t of the series;
// - late: t falls in a minute that is already rolled up (arrived more than the
//   grace period after its minute ended), since rollups are never redone;
// - invalid: value NaN or ±Infinity (JSON cannot carry them to the renderer and
//   one Infinity would poison every sum above it: a NaN from a source means "no
//   value", which a missing sample — a gap — already says), a time that is not a
//   finite number ≥ 0 or lies more than `maxFutureMs` ahead of the clock (one
//   bogus future stamp would otherwise block the series until that time), or a
//   name or label value that is not a string.
// A value of -0 reads back as 0 (SQLite keeps whole REAL values as integers).
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { matchesLabels, seriesKey, type Labels, type Sample, type SeriesSelector } from '../../common/series.js';
import { Retention as RetentionSchema, type Retention, type Tier } from '../../common/contract.js';
import { migrate } from './schema.js';
import {
  DAY_MS,
  DEFAULT_RETENTION,
  HOUR_MS,
  MINUTE_MS,
  addRows,
  floorTo,
  hourRollupTarget,
  minuteRollupTarget,
  planBuckets,
  planSegments,
  retentionCutoffs,
  tierCoverage,
  toPoints,
  type Aggregate,
} from './tiers.js';
import type { MetricStore, RangeRequest, SeriesInfo, StoreStats, StoredRange } from './types.js';

export interface HousekeepingLimits {
  /** Series given work per call (default 2000). */
  readonly maxSeries?: number;
  /** Stop starting new series after this many ms (default 25). */
  readonly maxMillis?: number;
}

export interface MetricStoreOptions {
  /** Database file, or ':memory:'. */
  readonly file: string;
  readonly retention?: Retention;
  /** Clock for queries and the future-timestamp check; housekeeping takes its own `now`. */
  readonly now?: () => number;
  /** A minute of a series that has gone quiet is rolled up this long after it ends (default 2 min). */
  readonly lateGraceMs?: number;
  /** Samples stamped further ahead of the clock are rejected (default 10 min). */
  readonly maxFutureMs?: number;
  readonly housekeeping?: HousekeepingLimits;
  /** Path of a better-sqlite3 binary built for another ABI (the Electron host). */
  readonly nativeBinding?: string;
}

export interface DroppedSamples {
  readonly outOfOrder: number;
  readonly late: number;
  readonly invalid: number;
}

export interface SqliteStoreStats extends StoreStats {
  readonly droppedSamples: number;
  readonly dropped: DroppedSamples;
}

export interface HousekeepingReport {
  readonly seriesWorked: number;
  readonly minuteBuckets: number;
  readonly hourBuckets: number;
  readonly deletedRows: number;
  readonly freedPages: number;
  /** True when the call stopped at its limit with work left; call again soon. */
  readonly pending: boolean;
}

export interface SqliteMetricStore extends MetricStore {
  housekeeping(now: number): HousekeepingReport;
  stats(): SqliteStoreStats;
}

/** In-memory state of one series; the database is the truth, this is its cache. */
interface SeriesState {
  readonly id: number;
  readonly name: string;
  readonly labels: Labels;
  /** Newest raw sample time; undefined when raw holds none. */
  lastT: number | undefined;
  rolled1m: number;
  rolled1h: number;
  /** Newest bucket start in the 1-minute / 1-hour tier. */
  last1m: number | undefined;
  last1h: number | undefined;
  /** Each tier is complete from here on (see TierMarks); retention deletes move them. */
  rawFrom: number;
  m1From: number;
  h1From: number;
}

const FROM_FIELD = { raw: 'rawFrom', '1m': 'm1From', '1h': 'h1From' } as const;

type AggregateRow = [number, number, number, number, number];

// Rows touched per series per housekeeping step stay bounded by these spans:
// at a 5 s interval, 6 h of raw is 4,320 samples, a day of minutes 1,440 rows.
const RAW_ROLLUP_SPAN_MS = 6 * HOUR_MS;
const MINUTE_ROLLUP_SPAN_MS = DAY_MS;
const DELETE_SPAN_MS: Readonly<Record<Tier, number>> = { raw: 6 * HOUR_MS, '1m': DAY_MS, '1h': 30 * DAY_MS };
// Retention deletes wait until this much has expired, so a series is not
// visited on every call just because the cutoff moved a few seconds.
const DELETE_SLACK_MS: Readonly<Record<Tier, number>> = { raw: 10 * MINUTE_MS, '1m': HOUR_MS, '1h': DAY_MS };
// Free pages handed back to the file system per housekeeping call (1 MiB at 4 KiB pages).
const VACUUM_PAGES_PER_CALL = 256;

function canonicalLabelsJson(labels: Labels): string {
  const sorted: Record<string, string> = {};
  for (const name of Object.keys(labels).sort()) sorted[name] = labels[name]!;
  return JSON.stringify(sorted);
}

function isValidSample(s: Sample): boolean {
  if (s === null || typeof s !== 'object' || typeof s.name !== 'string' || s.name === '') return false;
  if (typeof s.v !== 'number' || !Number.isFinite(s.v)) return false;
  if (typeof s.t !== 'number' || !Number.isFinite(s.t) || s.t < 0) return false;
  if (s.labels === null || typeof s.labels !== 'object') return false;
  for (const value of Object.values(s.labels)) if (typeof value !== 'string') return false;
  return true;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function prepareStatements(db: Database.Database) {
  const rollupFromRaw = (table: string, width: number) =>
    db.prepare(
      `INSERT INTO ${table} (series_id, t, min, max, sum, count)
       SELECT series_id, t - t % ${width} AS b, min(v), max(v), sum(v), count(*)
       FROM raw WHERE series_id = ? AND t >= ? AND t < ? GROUP BY b`,
    );
  const rollupFromRollup = (target: string, source: string, width: number) =>
    db.prepare(
      `INSERT INTO ${target} (series_id, t, min, max, sum, count)
       SELECT series_id, t - t % ${width} AS b, min(min), max(max), sum(sum), sum(count)
       FROM ${source} WHERE series_id = ? AND t >= ? AND t < ? GROUP BY b`,
    );
  const tables: Record<Tier, string> = { raw: 'raw', '1m': 'rollup_1m', '1h': 'rollup_1h' };
  const perTier = <T>(make: (table: string, tier: Tier) => T): Record<Tier, T> => ({
    raw: make(tables.raw, 'raw'),
    '1m': make(tables['1m'], '1m'),
    '1h': make(tables['1h'], '1h'),
  });
  return {
    insertSeries: db.prepare('INSERT INTO series (key, name, labels, rolled_1m, rolled_1h) VALUES (?, ?, ?, ?, ?)'),
    insertRaw: db.prepare('INSERT OR IGNORE INTO raw (series_id, t, v) VALUES (?, ?, ?)'),
    saveMarks: db.prepare(
      'UPDATE series SET rolled_1m = ?, rolled_1h = ?, raw_from = ?, m1_from = ?, h1_from = ? WHERE id = ?',
    ),
    allSeries: db.prepare(
      `SELECT id, name, labels, rolled_1m, rolled_1h, raw_from, m1_from, h1_from,
         (SELECT max(t) FROM raw WHERE series_id = s.id) AS last_raw,
         (SELECT max(t) FROM rollup_1m WHERE series_id = s.id) AS last_1m,
         (SELECT max(t) FROM rollup_1h WHERE series_id = s.id) AS last_1h
       FROM series s ORDER BY id`,
    ),
    rollup1m: rollupFromRaw('rollup_1m', MINUTE_MS),
    rollup1h: rollupFromRollup('rollup_1h', 'rollup_1m', HOUR_MS),
    oldestFrom: perTier((table) =>
      db.prepare(`SELECT min(t) FROM ${table} WHERE series_id = ? AND t >= ?`).pluck(),
    ),
    newest: perTier((table) => db.prepare(`SELECT max(t) FROM ${table} WHERE series_id = ?`).pluck()),
    deleteBefore: perTier((table) => db.prepare(`DELETE FROM ${table} WHERE series_id = ? AND t < ?`)),
    // Bucketing in SQL: `t - t % step` is integer arithmetic whatever type
    // the step is bound as (better-sqlite3 binds JS numbers as REAL).
    buckets: perTier((table, tier) =>
      db
        .prepare(
          tier === 'raw'
            ? `SELECT t - t % @step AS b, min(v), max(v), sum(v), count(*) FROM raw
               WHERE series_id = @id AND t >= @from AND t < @to GROUP BY b ORDER BY b`
            : `SELECT t - t % @step AS b, min(min), max(max), sum(sum), sum(count) FROM ${table}
               WHERE series_id = @id AND t >= @from AND t < @to GROUP BY b ORDER BY b`,
        )
        .raw(true),
    ),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

export function openMetricStore(options: MetricStoreOptions): SqliteMetricStore {
  return new SqliteStore(options);
}

class SqliteStore implements SqliteMetricStore {
  private readonly db: Database.Database;
  private readonly file: string;
  private readonly clock: () => number;
  private readonly graceMs: number;
  private readonly maxFutureMs: number;
  private readonly maxSeriesPerCall: number;
  private readonly maxMillisPerCall: number;
  private retention: Retention;

  private readonly byKey = new Map<string, SeriesState>();
  private readonly byName = new Map<string, SeriesState[]>();
  private list: SeriesState[] = [];
  private cursor = 0;
  private droppedOutOfOrder = 0;
  private droppedLate = 0;
  private droppedInvalid = 0;
  private closed = false;

  private readonly sql: Statements;

  constructor(options: MetricStoreOptions) {
    this.file = options.file;
    this.clock = options.now ?? Date.now;
    this.graceMs = options.lateGraceMs ?? 2 * MINUTE_MS;
    this.maxFutureMs = options.maxFutureMs ?? 10 * MINUTE_MS;
    this.maxSeriesPerCall = Math.max(1, options.housekeeping?.maxSeries ?? 2000);
    this.maxMillisPerCall = options.housekeeping?.maxMillis ?? 25;
    this.retention = this.checkedRetention(options.retention ?? DEFAULT_RETENTION);
    try {
      this.db = new Database(options.file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
    } catch (err) {
      throw new Error(`cannot open history database ${options.file}: ${describe(err)}`, { cause: err });
    }
    try {
      // WAL: readers never block the writer and a commit is one append.
      // synchronous=NORMAL: a commit does not fsync; the WAL is synced at each
      // checkpoint. If the process dies (kill -9, crash) nothing committed is
      // lost, since the WAL sits in the OS page cache. If the machine loses
      // power or the OS crashes, the transactions since the last checkpoint
      // (at most ~1000 pages of WAL, a few seconds of ingest) can be lost, but
      // the database stays consistent — never corrupt.
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      // A checkpoint resets the WAL but does not shrink it; cap what stays on disk.
      this.db.pragma('journal_size_limit = 67108864');
      migrate(this.db);
      this.sql = prepareStatements(this.db);
      this.loadSeries();
    } catch (err) {
      this.db.close();
      throw new Error(`cannot open history database ${options.file}: ${describe(err)}`, { cause: err });
    }
  }

  private loadSeries(): void {
    this.byKey.clear();
    this.byName.clear();
    this.list = [];
    const rows = this.sql.allSeries.all() as Array<{
      id: number;
      name: string;
      labels: string;
      rolled_1m: number;
      rolled_1h: number;
      last_raw: number | null;
      last_1m: number | null;
      last_1h: number | null;
      raw_from: number;
      m1_from: number;
      h1_from: number;
    }>;
    for (const row of rows) {
      const labels = JSON.parse(row.labels) as Labels;
      this.addSeries({
        id: row.id,
        name: row.name,
        labels,
        lastT: row.last_raw ?? undefined,
        rolled1m: row.rolled_1m,
        rolled1h: row.rolled_1h,
        last1m: row.last_1m ?? undefined,
        last1h: row.last_1h ?? undefined,
        rawFrom: row.raw_from,
        m1From: row.m1_from,
        h1From: row.h1_from,
      });
    }
  }

  private addSeries(state: SeriesState): void {
    this.byKey.set(seriesKey(state.name, state.labels), state);
    const named = this.byName.get(state.name);
    if (named) named.push(state);
    else this.byName.set(state.name, [state]);
    this.list.push(state);
  }

  private checkedRetention(retention: Retention): Retention {
    const parsed = RetentionSchema.safeParse(retention);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'retention'}: ${i.message}`).join('; ');
      throw new RangeError(`invalid retention: ${detail}`);
    }
    return parsed.data;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`history database ${this.file} is closed`);
  }

  append(samples: readonly Sample[]): void {
    this.assertOpen();
    if (samples.length === 0) return;
    const latestAllowed = this.clock() + this.maxFutureMs;
    const created: SeriesState[] = [];
    const newestT = new Map<SeriesState, number>();
    let outOfOrder = 0;
    let late = 0;
    let invalid = 0;
    const sql = this.sql;
    const run = this.db.transaction(() => {
      const createdByKey = new Map<string, SeriesState>();
      for (const sample of samples) {
        if (!isValidSample(sample) || sample.t > latestAllowed) {
          invalid++;
          continue;
        }
        const t = Math.floor(sample.t);
        const key = seriesKey(sample.name, sample.labels);
        let state = this.byKey.get(key) ?? createdByKey.get(key);
        if (!state) {
          // A new series starts its rollups at its first minute, so the
          // housekeeping never walks the empty time before it.
          const rolled1m = floorTo(t, MINUTE_MS);
          const rolled1h = floorTo(t, HOUR_MS);
          const labels = Object.freeze({ ...sample.labels });
          const id = Number(
            sql.insertSeries.run(key, sample.name, canonicalLabelsJson(labels), rolled1m, rolled1h).lastInsertRowid,
          );
          state = {
            id, name: sample.name, labels, lastT: undefined, rolled1m, rolled1h,
            last1m: undefined, last1h: undefined, rawFrom: 0, m1From: 0, h1From: 0,
          };
          createdByKey.set(key, state);
          created.push(state);
        }
        const last = newestT.get(state) ?? state.lastT;
        if (last !== undefined && t <= last) {
          outOfOrder++;
          continue;
        }
        if (t < state.rolled1m) {
          late++;
          continue;
        }
        if (sql.insertRaw.run(state.id, t, sample.v).changes === 0) {
          outOfOrder++;
          continue;
        }
        newestT.set(state, t);
      }
    });
    try {
      run();
    } catch (err) {
      // Nothing of the batch is stored and the caches are untouched, so the
      // caller can retry the same batch (e.g. once disk space returns).
      throw new Error(`history database ${this.file}: could not store ${samples.length} samples: ${describe(err)}`, {
        cause: err,
      });
    }
    for (const state of created) this.addSeries(state);
    for (const [state, t] of newestT) state.lastT = t;
    this.droppedOutOfOrder += outOfOrder;
    this.droppedLate += late;
    this.droppedInvalid += invalid;
  }

  private matching(selector: SeriesSelector): SeriesState[] {
    const named = this.byName.get(selector.name) ?? [];
    return named.filter((s) => matchesLabels(s.labels, selector.matchers));
  }

  series(selector: SeriesSelector): SeriesInfo[] {
    this.assertOpen();
    return this.matching(selector).map((s) => {
      // Once raw retention has removed all raw samples, the newest rollup bucket start stands in.
      const lastT = s.lastT ?? s.last1m ?? s.last1h;
      return lastT === undefined ? { id: s.id, name: s.name, labels: s.labels } : { id: s.id, name: s.name, labels: s.labels, lastT };
    });
  }

  /** Every series matching the selector is returned, with empty points when the range holds no data. */
  query(request: RangeRequest): StoredRange[] {
    this.assertOpen();
    const plan = planBuckets(request.from, request.to, request.maxPoints);
    return this.matching(request.selector).map((state) => {
      const coverage = tierCoverage(state);
      const buckets = new Map<number, Aggregate>();
      for (const segment of planSegments(plan, coverage)) {
        const rows = this.sql.buckets[segment.tier].all({
          step: plan.stepMs,
          id: state.id,
          from: segment.from,
          to: segment.to,
        }) as AggregateRow[];
        addRows(buckets, plan.stepMs, rows);
      }
      return { name: state.name, labels: state.labels, tier: plan.tier, stepMs: plan.stepMs, points: toPoints(buckets) };
    });
  }

  setRetention(retention: Retention): void {
    this.retention = this.checkedRetention(retention);
  }

  /**
   * Rolls up finished minutes and hours and deletes expired rows, a bounded
   * slice per call: each series step touches a bounded time span, and the
   * call stops after `maxSeries` series or `maxMillis`, resuming at the next
   * series on the following call. One transaction per call; the watermarks
   * move in it, so a crash never leaves a bucket rolled up twice or skipped.
   */
  housekeeping(now: number): HousekeepingReport {
    this.assertOpen();
    const deadline = performance.now() + this.maxMillisPerCall;
    const cutoffs = retentionCutoffs(now, this.retention);
    const counts = { seriesWorked: 0, minuteBuckets: 0, hourBuckets: 0, deletedRows: 0, freedPages: 0 };
    let pending = false;
    const n = this.list.length;
    const run = this.db.transaction(() => {
      let i = 0;
      for (; i < n; i++) {
        if (counts.seriesWorked >= this.maxSeriesPerCall || performance.now() > deadline) {
          pending = true;
          break;
        }
        const state = this.list[(this.cursor + i) % n]!;
        if (this.stepSeries(state, now, cutoffs, counts)) counts.seriesWorked++;
      }
      this.cursor = n === 0 ? 0 : (this.cursor + i) % n;
    });
    try {
      run();
    } catch (err) {
      // The transaction rolled back; the caches may have moved ahead of it.
      this.loadSeries();
      throw new Error(`history database ${this.file}: housekeeping failed: ${describe(err)}`, { cause: err });
    }
    counts.freedPages = this.vacuumStep();
    return { ...counts, pending };
  }

  /** Does one bounded step of work for one series; false when it had nothing to do. */
  private stepSeries(
    state: SeriesState,
    now: number,
    cutoffs: ReturnType<typeof retentionCutoffs>,
    counts: { minuteBuckets: number; hourBuckets: number; deletedRows: number },
  ): boolean {
    const sql = this.sql;
    let worked = false;
    const marksBefore = [state.rolled1m, state.rolled1h, state.rawFrom, state.m1From, state.h1From];

    const target1m = minuteRollupTarget(state.lastT, now, this.graceMs);
    if (state.lastT !== undefined && state.lastT >= state.rolled1m && target1m > state.rolled1m) {
      worked = true;
      let start = state.rolled1m;
      if (target1m - start > RAW_ROLLUP_SPAN_MS) {
        // Skip a long silence in one seek instead of walking it span by span.
        const first = sql.oldestFrom.raw.get(state.id, start) as number | null;
        start = first === null ? target1m : Math.min(target1m, floorTo(first, MINUTE_MS));
      }
      const end = Math.min(target1m, start + RAW_ROLLUP_SPAN_MS);
      if (end > start) {
        const written = sql.rollup1m.run(state.id, start, end).changes;
        if (written > 0) {
          counts.minuteBuckets += written;
          state.last1m = sql.newest['1m'].get(state.id) as number;
        }
      }
      state.rolled1m = Math.max(state.rolled1m, end);
    }

    const target1h = hourRollupTarget(state.rolled1m);
    if (state.last1m !== undefined && state.last1m >= state.rolled1h && target1h > state.rolled1h) {
      worked = true;
      let start = state.rolled1h;
      if (target1h - start > MINUTE_ROLLUP_SPAN_MS) {
        const first = sql.oldestFrom['1m'].get(state.id, start) as number | null;
        start = first === null ? target1h : Math.min(target1h, floorTo(first, HOUR_MS));
      }
      const end = Math.min(target1h, start + MINUTE_ROLLUP_SPAN_MS);
      if (end > start) {
        const written = sql.rollup1h.run(state.id, start, end).changes;
        if (written > 0) {
          counts.hourBuckets += written;
          state.last1h = sql.newest['1h'].get(state.id) as number;
        }
      }
      state.rolled1h = Math.max(state.rolled1h, end);
    }

    // Never delete what the next tier has not absorbed yet.
    const expired: Record<Tier, number> = {
      raw: Math.min(cutoffs.raw, state.rolled1m),
      '1m': Math.min(floorTo(cutoffs['1m'], MINUTE_MS), state.rolled1h),
      '1h': floorTo(cutoffs['1h'], HOUR_MS),
    };
    for (const tier of ['raw', '1m', '1h'] as const) {
      const done = state[FROM_FIELD[tier]];
      const cutoff = expired[tier];
      if (cutoff - done < DELETE_SLACK_MS[tier]) continue;
      worked = true;
      let start = done;
      if (cutoff - start > DELETE_SPAN_MS[tier]) {
        const oldest = sql.oldestFrom[tier].get(state.id, start) as number | null;
        start = oldest === null ? cutoff : Math.min(cutoff, oldest);
      }
      const end = Math.min(cutoff, start + DELETE_SPAN_MS[tier]);
      counts.deletedRows += sql.deleteBefore[tier].run(state.id, end).changes;
      state[FROM_FIELD[tier]] = end;
      if (tier === 'raw' && state.lastT !== undefined && state.lastT < end) state.lastT = undefined;
      if (tier === '1m' && state.last1m !== undefined && state.last1m < end) state.last1m = undefined;
      if (tier === '1h' && state.last1h !== undefined && state.last1h < end) state.last1h = undefined;
    }

    const marks = [state.rolled1m, state.rolled1h, state.rawFrom, state.m1From, state.h1From];
    if (marks.some((mark, i) => mark !== marksBefore[i])) sql.saveMarks.run(...marks, state.id);
    return worked;
  }

  private vacuumStep(): number {
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    if (free === 0) return 0;
    const pages = Math.min(free, VACUUM_PAGES_PER_CALL);
    this.db.pragma(`incremental_vacuum(${pages})`);
    return free - (this.db.pragma('freelist_count', { simple: true }) as number);
  }

  stats(): SqliteStoreStats {
    this.assertOpen();
    const pageCount = this.db.pragma('page_count', { simple: true }) as number;
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    let walBytes = 0;
    if (!this.db.memory) {
      try {
        walBytes = statSync(`${this.file}-wal`).size;
      } catch {
        // No WAL file (just checkpointed and removed, or never written).
      }
    }
    const dropped = { outOfOrder: this.droppedOutOfOrder, late: this.droppedLate, invalid: this.droppedInvalid };
    return {
      sizeBytes: pageCount * pageSize + walBytes,
      series: this.list.length,
      droppedSamples: dropped.outOfOrder + dropped.late + dropped.invalid,
      dropped,
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
