// The history store on better-sqlite3. Layout, newest data first:
//
// - head (memory): per series, the open chunk of its current chunk window
//   (tiers.ts), Gorilla-coded as samples arrive (chunkCodec.ts), plus the
//   window's minute aggregates. Queries read it, so a sample is charted the
//   moment append returns.
// - head_log (disk): each append writes its accepted samples as one BLOB row
//   in one transaction (headLog.ts). On open the rows are replayed into the
//   head, so a crash or kill -9 loses nothing that append returned for; what
//   the caller had not yet handed to append (the core buffers up to 1 s) is
//   all that can be lost. Rows are deleted once every sample in them is sealed;
//   a chunk kept open for long (a late series) is copied into a row of its
//   own so it never holds back the rows of everyone else (Head.prune).
// - raw_chunk / rollup_1m_chunk (disk): when a window ends (a sample of a
//   later window arrives, or the clock passes its end plus the grace period)
//   its chunk is sealed: the samples as one BLOB row (in the smaller of the
//   codec's two codings), its minute rows as another, and the series'
//   sealed-up-to mark (rolled_1m), in one transaction.
// - rollup_1h_chunk (disk, one chunk per series and day): hour rows built by
//   housekeeping from the minute chunks once an hour is sealed, appended to
//   the day's chunk; never by rescanning raw.
// - rollup_1m_block (disk, one row per series and six hours): housekeeping
//   merges the ten-minute minute chunks of a block into one once the hour
//   tier has them (tiers.ts, MINUTE_BLOCK_MS): a ten-minute chunk's header
//   and SQLite row cost more than its ten rows.
//
// This file is the engine's face: it opens the database, wires the parts
// below and holds each call's order of work: append's two transactions and
// what follows a failed one (the caches, which may have moved ahead of the
// rolled-back rows, are reloaded from the database). The parts work inside
// the transaction they are called in, except the housekeeping slice, which
// is one of its own:
// - batchAdmission.ts which samples of a batch are kept, at what time and value;
// - seriesIndex.ts    the series table, label lookups, selector matching, marks;
// - head.ts           open chunks and the head log (write, replay, prune);
// - seal.ts           finished windows into raw and minute chunks;
// - rangeQuery.ts     range queries over the tiers and the head;
// - housekeeping.ts   quiet windows, hour rollups, minute blocks, retention, incremental vacuum;
// - outbox.ts         the head log read as the remote-write outbox: cursors, reads, outbox-only samples.
// seriesState.ts holds the per-series state they share.
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Sample, SeriesSelector } from '../../common/series.js';
import type { Retention } from '../../common/contract.js';
import { migrate, prepareNewFile } from './schema.js';
import { DEFAULT_RETENTION, MINUTE_MS, toPointList } from './tiers.js';
import { SeriesIndex } from './seriesIndex.js';
import { BatchAdmission } from './batchAdmission.js';
import { Head } from './head.js';
import { Outbox, type OutboxAdmission } from './outbox.js';
import { ChunkSealer } from './seal.js';
import { DEFAULT_QUERY_BUDGET_MS, RangeReader } from './rangeQuery.js';
import { preparePrivateDatabaseFile } from '../dataFile.js';
import { Housekeeping, checkedRetention, type HousekeepingLimits, type HousekeepingReport, type HousekeepingSlice } from './housekeeping.js';
import type { SeriesState } from './seriesState.js';
import type {
  AppendOptions,
  FlatRange,
  MetricNameInfo,
  MetricStore,
  OutboxBatch,
  OutboxReadRequest,
  OutboxStatus,
  OutboxTarget,
  RangeRequest,
  SampleColumns,
  SeriesInfo,
  SeriesRef,
  StoreStats,
  StoredRange,
} from './types.js';

export { DEFAULT_QUERY_BUDGET_MS, QUERY_TOO_LARGE } from './rangeQuery.js';

export type { HousekeepingLimits, HousekeepingReport } from './housekeeping.js';

export interface MetricStoreOptions {
  /** Database file, or ':memory:'. */
  readonly file: string;
  readonly retention?: Retention;
  /** Clock for queries and the future-timestamp check; housekeeping takes its own `now`. */
  readonly now?: () => number;
  /** A chunk window of a series that has gone quiet is sealed this long after it ends (default 2 min). */
  readonly lateGraceMs?: number;
  /** Samples stamped further ahead of the clock are rejected (default 10 min). */
  readonly maxFutureMs?: number;
  readonly housekeeping?: HousekeepingLimits;
  /** Path of a better-sqlite3 binary built for another ABI (the Electron host). */
  readonly nativeBinding?: string;
  /** How long one query may run on the store's thread before it is stopped with QUERY_TOO_LARGE (default 10 s). */
  readonly queryBudgetMs?: number;
}

export interface DroppedSamples {
  readonly outOfOrder: number;
  readonly late: number;
  readonly invalid: number;
}

export interface SqliteStoreStats extends StoreStats {
  readonly droppedSamples: number;
  readonly dropped: DroppedSamples;
  /** Samples in open (unsealed) chunks, in memory and in the head log. */
  readonly headSamples: number;
  /** The last error of a background step (sealing after append), cleared by the next success. */
  readonly lastError?: string;
}

/**
 * The store engine itself: synchronous, for the thread that owns the
 * database (the store worker, tests, benches, the e2e seeding). The rest of
 * the core sees it only through the asynchronous MetricStore (metricStore.ts).
 */
export interface SqliteMetricStore {
  append(samples: readonly Sample[], options?: AppendOptions): void;
  /** append, for a batch given as columns (what the store worker receives). */
  appendColumns(columns: SampleColumns, options?: AppendOptions): void;
  series(selector: SeriesSelector): SeriesInfo[];
  /** Every metric name in the series index (seriesIndex.ts names). */
  names(): MetricNameInfo[];
  query(request: RangeRequest): StoredRange[];
  /** query, with each range's points flat (what the store worker sends across). */
  queryFlat(request: RangeRequest): FlatRange[];
  housekeeping(now: number): HousekeepingReport;
  setRetention(retention: Retention): void;
  stats(): SqliteStoreStats;
  /** The remote-write outbox (outbox.ts; see MetricStore for each call). */
  outboxTargets(targets: readonly OutboxTarget[]): Record<string, number>;
  outboxForget(names: readonly string[]): void;
  outboxRead(request: OutboxReadRequest): OutboxBatch;
  outboxAck(target: string, pos: number): void;
  outboxStatus(): OutboxStatus;
  close(): void;
}

function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_FULL') return `${message} (the disk is full: free space and ingest resumes by itself)`;
  return message;
}

/** The synchronous engine, on the calling thread. */
export function openSqliteStore(options: MetricStoreOptions): SqliteMetricStore {
  return new SqliteStore(options);
}

/**
 * The engine on the calling thread behind the asynchronous MetricStore: the
 * peer the benches measure the worker (metricStore.ts, what the core uses)
 * against. Every call holds the calling thread for its whole duration.
 */
export function openInProcessMetricStore(options: MetricStoreOptions): MetricStore {
  const engine = new SqliteStore(options);
  return {
    append: async (samples, appendOptions) => engine.append(samples, appendOptions),
    series: async (selector) => engine.series(selector),
    names: async () => engine.names(),
    query: async (request) => engine.query(request),
    housekeeping: async (now) => engine.housekeeping(now),
    setRetention: async (retention) => engine.setRetention(retention),
    stats: async () => engine.stats(),
    outboxTargets: async (targets) => engine.outboxTargets(targets),
    outboxForget: async (names) => engine.outboxForget(names),
    outboxRead: async (request) => engine.outboxRead(request),
    outboxAck: async (target, pos) => engine.outboxAck(target, pos),
    outboxStatus: async () => engine.outboxStatus(),
    close: async () => engine.close(),
  };
}

class SqliteStore implements SqliteMetricStore {
  private readonly db: Database.Database;
  private readonly file: string;
  private readonly clock: () => number;
  private readonly graceMs: number;
  private readonly maxFutureMs: number;

  private readonly index: SeriesIndex;
  private readonly head: Head;
  private readonly sealer: ChunkSealer;
  private readonly ranges: RangeReader;
  private readonly housekeeper: Housekeeping;
  private readonly outbox: Outbox;

  private droppedOutOfOrder = 0;
  private droppedLate = 0;
  private droppedInvalid = 0;
  private lastError: string | undefined;
  private closed = false;

  constructor(options: MetricStoreOptions) {
    this.file = options.file;
    this.clock = options.now ?? Date.now;
    this.graceMs = options.lateGraceMs ?? 2 * MINUTE_MS;
    this.maxFutureMs = options.maxFutureMs ?? 10 * MINUTE_MS;
    const retention = checkedRetention(options.retention ?? DEFAULT_RETENTION);
    try {
      preparePrivateDatabaseFile(options.file);
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
      prepareNewFile(this.db);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      // A checkpoint resets the WAL but does not shrink it; cap what stays on disk.
      this.db.pragma('journal_size_limit = 67108864');
      migrate(this.db);
      this.index = new SeriesIndex(this.db, this.graceMs);
      this.head = new Head(this.db, this.clock, this.graceMs);
      this.sealer = new ChunkSealer(this.db, this.index);
      this.ranges = new RangeReader(this.db, options.queryBudgetMs ?? DEFAULT_QUERY_BUDGET_MS);
      this.housekeeper = new Housekeeping(this.db, this.index, this.head, this.sealer, options.housekeeping, retention);
      this.outbox = new Outbox(this.db, this.clock, this.index, this.head);
      this.load();
    } catch (err) {
      this.db.close();
      throw new Error(`cannot open history database ${options.file}: ${describe(err)}`, { cause: err });
    }
  }

  /** Rebuilds every cache from the database: series and marks, then the head from the head log, then the outbox's series and cursors. */
  private load(): void {
    this.index.load();
    this.head.replay(this.index);
    this.outbox.load();
  }

  private reloadAfterFailure(): void {
    try {
      this.load();
    } catch {
      // Reading failed too; the next call reports the problem.
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`history database ${this.file} is closed`);
  }

  /**
   * One transaction writes the new series and one head log row with every
   * accepted sample; only after it commits does the in-memory head take
   * them. Then the windows the batch finished are sealed in a second
   * transaction; if that fails (a full disk) the samples are safe in the head
   * log and the next append or housekeeping seals them.
   */
  append(samples: readonly Sample[], options: AppendOptions = {}): void {
    this.assertOpen();
    if (samples.length === 0) return;
    // Each sample is its own series reference; index i → sample i.
    const n = samples.length;
    const index = new Uint32Array(n);
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const s = samples[i];
      index[i] = i;
      // A sample that is not an object gets NaN columns: counted as invalid (batchAdmission.ts).
      t[i] = s !== null && typeof s === 'object' && typeof s.t === 'number' ? s.t : Number.NaN;
      v[i] = s !== null && typeof s === 'object' && typeof s.v === 'number' ? s.v : Number.NaN;
    }
    this.appendColumns({ series: samples as readonly SeriesRef[], index, t, v }, options);
  }

  /** The same as append, for a batch given as columns over a table of series (see SampleColumns). */
  appendColumns(columns: SampleColumns, options: AppendOptions = {}): void {
    this.assertOpen();
    const n = columns.index.length;
    if (columns.t.length !== n || columns.v.length !== n) throw new RangeError('sample columns need as many times and values as series indexes');
    if (n === 0) return;
    if (options.outboxOnly) return this.appendOutboxOnly(columns);
    const maxDelayMs = options.maxDelayMs ?? 0;
    if (!(Number.isFinite(maxDelayMs) && maxDelayMs >= 0)) throw new RangeError(`maxDelayMs must be a finite number >= 0, got ${maxDelayMs}`);
    const graceMs = Math.max(this.graceMs, Math.floor(maxDelayMs));
    const latestAllowed = this.clock() + this.maxFutureMs;
    const batch = new BatchAdmission(this.index, graceMs, latestAllowed);
    const run = this.db.transaction(() => {
      batch.admit(columns);
      if (batch.accepted.length === 0) return 0;
      return this.head.logBatch(batch.accepted);
    });
    let seq: number;
    try {
      seq = run();
    } catch (err) {
      // Nothing of the batch is stored and the caches are untouched, so the
      // caller can retry the same batch (e.g. once disk space returns).
      batch.undoGraceRaises();
      throw new Error(`history database ${this.file}: could not store ${n} samples: ${describe(err)}`, {
        cause: err,
      });
    }
    for (const state of batch.created) this.index.add(state);
    if (seq > 0) this.head.committed(seq, batch.accepted.length);
    const touched = new Set<SeriesState>();
    for (const [state, t, v] of batch.accepted) {
      this.head.push(state, t, v, seq);
      if (state.head.length > 1) touched.add(state);
    }
    this.droppedOutOfOrder += batch.outOfOrder;
    this.droppedLate += batch.late;
    this.droppedInvalid += batch.invalid;
    if (touched.size > 0) {
      try {
        this.db.transaction(() => {
          for (const state of touched) this.sealer.sealFinished(state, Number.NEGATIVE_INFINITY, undefined);
          this.head.prune(this.index.all);
        })();
        this.lastError = undefined;
      } catch (err) {
        this.lastError = `sealing chunks failed: ${describe(err)}`;
        this.reloadAfterFailure();
      }
    }
  }

  /**
   * Samples for the outbox only (AppendOptions.outboxOnly): one head log
   * row, never the head or the chunks (outbox.ts admit). Nothing is written
   * while no target reads the outbox.
   */
  private appendOutboxOnly(columns: SampleColumns): void {
    if (!this.outbox.read) return;
    const latestAllowed = this.clock() + this.maxFutureMs;
    let admitted: OutboxAdmission | undefined;
    const run = this.db.transaction(() => {
      admitted = this.outbox.admit(columns, latestAllowed);
      if (admitted.ids.length === 0) return 0;
      return this.head.logSamples(admitted.ids, admitted.times, admitted.values);
    });
    let seq: number;
    try {
      seq = run();
    } catch (err) {
      throw new Error(`history database ${this.file}: could not log ${columns.index.length} samples for remote write: ${describe(err)}`, { cause: err });
    }
    const done = admitted!;
    this.outbox.committed(done);
    if (seq > 0) this.head.committed(seq, done.ids.length);
    this.droppedOutOfOrder += done.outOfOrder;
    this.droppedInvalid += done.invalid;
  }

  outboxTargets(targets: readonly OutboxTarget[]): Record<string, number> {
    this.assertOpen();
    const cursors = this.db.transaction(() => this.outbox.targets(targets))();
    this.outbox.targetsCommitted(targets, cursors);
    return cursors;
  }

  outboxForget(names: readonly string[]): void {
    this.assertOpen();
    this.db.transaction(() => this.outbox.forget(names))();
    this.outbox.forgotten(names);
  }

  outboxRead(request: OutboxReadRequest): OutboxBatch {
    this.assertOpen();
    return this.outbox.readFrom(request);
  }

  outboxAck(target: string, pos: number): void {
    this.assertOpen();
    this.outbox.ack(target, pos);
  }

  outboxStatus(): OutboxStatus {
    this.assertOpen();
    return this.outbox.status();
  }

  series(selector: SeriesSelector): SeriesInfo[] {
    this.assertOpen();
    return this.index.info(selector);
  }

  names(): MetricNameInfo[] {
    this.assertOpen();
    return this.index.names();
  }

  /** Every series matching the selector is returned, with empty points when the range holds no data. */
  query(request: RangeRequest): StoredRange[] {
    return this.queryFlat(request).map((r) => ({ name: r.name, labels: r.labels, tier: r.tier, stepMs: r.stepMs, points: toPointList(r.points) }));
  }

  queryFlat(request: RangeRequest): FlatRange[] {
    this.assertOpen();
    return this.ranges.read(request, this.index);
  }

  setRetention(retention: Retention): void {
    this.housekeeper.setRetention(checkedRetention(retention));
  }

  /** One bounded slice of housekeeping (housekeeping.ts), then a step of incremental vacuum. */
  housekeeping(now: number): HousekeepingReport {
    this.assertOpen();
    let slice: HousekeepingSlice;
    try {
      slice = this.housekeeper.runSlice(now);
      this.lastError = undefined;
    } catch (err) {
      // The transaction rolled back; the caches may have moved ahead of it.
      this.reloadAfterFailure();
      throw new Error(`history database ${this.file}: housekeeping failed: ${describe(err)}`, { cause: err });
    }
    const { counts, pending } = slice;
    counts.freedPages = this.housekeeper.vacuumStep();
    return { ...counts, pending };
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
    const headSamples = this.head.sampleCount(this.index.all);
    const dropped = { outOfOrder: this.droppedOutOfOrder, late: this.droppedLate, invalid: this.droppedInvalid };
    return {
      sizeBytes: pageCount * pageSize + walBytes,
      series: this.index.all.length,
      droppedSamples: dropped.outOfOrder + dropped.late + dropped.invalid,
      dropped,
      headSamples,
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
