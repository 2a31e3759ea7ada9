// The history store on better-sqlite3 (issue 9). Layout, newest data first:
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
//   own so it never holds back the rows of everyone else (pruneLog).
// - raw_chunk / rollup_1m_chunk (disk): when a window ends (a sample of a
//   later window arrives, or the clock passes its end plus the grace period)
//   its chunk is sealed: the samples as one BLOB row (in the smaller of the
//   codec's two codings), its minute rows as another, and the series'
//   sealed-up-to mark (rolled_1m), in one transaction.
// - rollup_1h_chunk (disk, one chunk per series and day): hour rows built by
//   housekeeping from the minute chunks once an hour is sealed, appended to
//   the day's chunk; never by rescanning raw.
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
//   name or label value that is not a string.
// Times are stored as whole milliseconds (floored), on the series' step when
// within min(100 ms, 2 % of it) of where the step puts them (cadence.ts); the
// out-of-order check compares the observed time with the last stored one.
// Values are kept at the
// precision of their metric (precision.ts): ratios and CPU in cores to 1e-4,
// rates to 12 significant bits, everything else bit for bit (-0 included); a query
// returns exactly the kept value, and rollups are computed from it.
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { matchesLabels, seriesKey, type Labels, type Sample, type SeriesSelector } from '../../common/series.js';
import { Retention as RetentionSchema, type Retention, type Tier } from '../../common/contract.js';
import { migrate } from './schema.js';
import { SampleChunkEncoder, decimalPlaces, decodeAggregates, decodeSamples, encodeAggregates, readAggregates, type AggregateRow } from './chunkCodec.js';
import { decodeBatch, encodeBatch } from './headLog.js';
import { nextStep, onCadence } from './cadence.js';
import { precisionOf, roundToPrecision, type Precision } from './precision.js';
import {
  CHUNK_WINDOW_MS,
  DAY_MS,
  DEFAULT_RETENTION,
  HOUR_MS,
  MINUTE_MS,
  addRows,
  chunkWindowStart,
  floorTo,
  hourRollupTarget,
  planBuckets,
  planSegments,
  retentionCutoffs,
  tierCoverage,
  PointAccumulator,
  toPointList,
  type Aggregate,
} from './tiers.js';
import type { AppendOptions, FlatRange, MetricNameInfo, MetricStore, RangeRequest, SampleColumns, SeriesInfo, SeriesRef, StoreStats, StoredRange } from './types.js';

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
  /** A chunk window of a series that has gone quiet is sealed this long after it ends (default 2 min). */
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
  /** Samples in open (unsealed) chunks, in memory and in the head log. */
  readonly headSamples: number;
  /** The last error of a background step (sealing after append), cleared by the next success. */
  readonly lastError?: string;
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
  names(): MetricNameInfo[];
  query(request: RangeRequest): StoredRange[];
  /** query, with each range's points flat (what the store worker sends across). */
  queryFlat(request: RangeRequest): FlatRange[];
  housekeeping(now: number): HousekeepingReport;
  setRetention(retention: Retention): void;
  stats(): SqliteStoreStats;
  close(): void;
}

/** The open chunk of one window of one series. */
interface OpenChunk {
  readonly start: number;
  readonly encoder: SampleChunkEncoder;
  /** Minute buckets of the window so far, ascending. */
  readonly minutes: AggregateRow[];
  /** Per minute: decimal places of its values so far, -1 once one is not a short decimal (see addToMinutes). */
  readonly minutePlaces: number[];
  /** Oldest head log row holding samples of this window (moves forward when the chunk is copied, see pruneLog). */
  firstSeq: number;
  lastT: number;
}

/** In-memory state of one series; the database (plus the head log) is the truth, this is its cache. */
interface SeriesState {
  readonly id: number;
  readonly name: string;
  readonly labels: Labels;
  /** Newest sample time (head or chunks); undefined when raw holds none. */
  lastT: number | undefined;
  /** The step its times are kept on (cadence.ts), learned from the samples since open; undefined until two are seen. */
  stepMs: number | undefined;
  /** Every window ending at or before this is sealed into chunks; samples before it are late. */
  rolled1m: number;
  rolled1h: number;
  /** Newest minute chunk / hour bucket start, for lastT once raw retention has removed everything. */
  last1m: number | undefined;
  last1h: number | undefined;
  rawFrom: number;
  m1From: number;
  h1From: number;
  /** How long after its end the newest window stays open (the store's grace, or the series' own maxDelayMs when larger). */
  graceMs: number;
  /** What values are rounded to on append (precision.ts). */
  readonly precision: Precision;
  /** Open chunks, oldest first: usually one; more while a finished window waits to be sealed. */
  head: OpenChunk[];
}

const FROM_FIELD = { raw: 'rawFrom', '1m': 'm1From', '1h': 'h1From' } as const;

// Hour rollups read at most a day of minute chunks per series per step.
const HOUR_ROLLUP_SPAN_MS = DAY_MS;
const DELETE_SPAN_MS: Readonly<Record<Tier, number>> = { raw: 6 * HOUR_MS, '1m': DAY_MS, '1h': 30 * DAY_MS };
// Retention deletes wait until this much has expired, so a series is not
// visited on every call just because the cutoff moved a few seconds.
const DELETE_SLACK_MS: Readonly<Record<Tier, number>> = { raw: 10 * MINUTE_MS, '1m': HOUR_MS, '1h': DAY_MS };
// A chunk whose first head log row is older than a window plus the grace
// period plus this is copied into a new row rather than pinning the log
// (pruneLog); the slack leaves ordinary chunks, sealed by housekeeping a few
// seconds after their grace period, alone.
const RELOG_SLACK_MS = 3 * MINUTE_MS;
// Free pages handed back to the file system per housekeeping call (1 MiB at 4 KiB pages).
const VACUUM_PAGES_PER_CALL = 256;

function canonicalLabelsJson(labels: Labels): string {
  const sorted: Record<string, string> = {};
  for (const name of Object.keys(labels).sort()) sorted[name] = labels[name]!;
  return JSON.stringify(sorted);
}

function isValidPoint(t: number, v: number): boolean {
  return Number.isFinite(v) && Number.isFinite(t) && t >= 0 && t <= 2 ** 50;
}

/** seriesKey of a valid reference, null for a name or labels the store refuses; cached per reference object. */
const refKeys = new WeakMap<object, string | null>();
function keyOf(ref: SeriesRef): string | null {
  if (ref === null || typeof ref !== 'object') return null;
  const cached = refKeys.get(ref);
  if (cached !== undefined) return cached;
  let key: string | null = null;
  if (typeof ref.name === 'string' && ref.name !== '' && ref.labels !== null && typeof ref.labels === 'object') {
    key = Object.values(ref.labels).every((value) => typeof value === 'string') ? seriesKey(ref.name, ref.labels) : null;
  }
  refKeys.set(ref, key);
  return key;
}

function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_FULL') return `${message} (the disk is full: free space and ingest resumes by itself)`;
  return message;
}

function prepareStatements(db: Database.Database) {
  return {
    insertSeries: db.prepare('INSERT INTO series (key, name, labels, rolled_1m, rolled_1h, grace_ms) VALUES (?, ?, ?, ?, ?, ?)'),
    setGrace: db.prepare('UPDATE series SET grace_ms = ? WHERE id = ?'),
    setSealedTo: db.prepare('UPDATE series SET rolled_1m = ? WHERE id = ?'),
    clearLog: db.prepare('DELETE FROM head_log'),
    insertLog: db.prepare('INSERT INTO head_log (data) VALUES (?)'),
    insertLogCopy: db.prepare('INSERT INTO head_log (data, copy) VALUES (?, 1)'),
    // Copies first: each holds a prefix of its chunks, older than what later batch rows add.
    readLog: db.prepare('SELECT seq, data FROM head_log ORDER BY copy DESC, seq').raw(true),
    pruneLog: db.prepare('DELETE FROM head_log WHERE seq < ?'),
    insertRawChunk: db.prepare('INSERT INTO raw_chunk (series_id, t, last_t, n, data) VALUES (?, ?, ?, ?, ?)'),
    insertMinuteChunk: db.prepare('INSERT INTO rollup_1m_chunk (series_id, t, data) VALUES (?, ?, ?)'),
    hourChunk: db.prepare('SELECT data FROM rollup_1h_chunk WHERE series_id = ? AND t = ?').pluck(),
    saveHourChunk: db.prepare(
      `INSERT INTO rollup_1h_chunk (series_id, t, last_t, data) VALUES (?, ?, ?, ?)
       ON CONFLICT (series_id, t) DO UPDATE SET last_t = excluded.last_t, data = excluded.data`,
    ),
    saveMarks: db.prepare(
      'UPDATE series SET rolled_1m = ?, rolled_1h = ?, raw_from = ?, m1_from = ?, h1_from = ? WHERE id = ?',
    ),
    allSeries: db.prepare(
      `SELECT id, name, labels, rolled_1m, rolled_1h, raw_from, m1_from, h1_from, grace_ms,
         (SELECT max(last_t) FROM raw_chunk WHERE series_id = s.id) AS last_raw,
         (SELECT max(t) FROM rollup_1m_chunk WHERE series_id = s.id) AS last_1m,
         (SELECT max(last_t) FROM rollup_1h_chunk WHERE series_id = s.id) AS last_1h
       FROM series s ORDER BY id`,
    ),
    // Chunks are keyed by window start: the ones overlapping [from, to) start after from - window.
    rawChunks: db.prepare('SELECT data FROM raw_chunk WHERE series_id = ? AND t > ? AND t < ? ORDER BY t').pluck(),
    minuteChunks: db.prepare('SELECT data FROM rollup_1m_chunk WHERE series_id = ? AND t > ? AND t < ? ORDER BY t').pluck(),
    oldestMinuteChunk: db.prepare('SELECT min(t) FROM rollup_1m_chunk WHERE series_id = ? AND t >= ?').pluck(),
    oldestFrom: {
      raw: db.prepare('SELECT min(t) FROM raw_chunk WHERE series_id = ? AND t >= ?').pluck(),
      '1m': db.prepare('SELECT min(t) FROM rollup_1m_chunk WHERE series_id = ? AND t >= ?').pluck(),
      '1h': db.prepare('SELECT min(t) FROM rollup_1h_chunk WHERE series_id = ? AND t >= ?').pluck(),
    },
    deleteBefore: {
      raw: db.prepare('DELETE FROM raw_chunk WHERE series_id = ? AND t < ?'),
      '1m': db.prepare('DELETE FROM rollup_1m_chunk WHERE series_id = ? AND t < ?'),
      '1h': db.prepare('DELETE FROM rollup_1h_chunk WHERE series_id = ? AND t < ?'),
    },
    // Day chunks overlapping [from, to) start after from - a day.
    hourChunks: db.prepare('SELECT data FROM rollup_1h_chunk WHERE series_id = ? AND t > ? AND t < ? ORDER BY t').pluck(),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

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
    close: async () => engine.close(),
  };
}

/**
 * Adds one sample to the minute buckets of an open chunk. While a minute's
 * values are all decimals of at most d places (ratios kept to 1e-4, loads,
 * byte counts), its sum is kept as the exact decimal sum: float addition
 * drifts off it in the last bits, and a drifted sum costs the chunk codec a
 * full XOR value where the exact one packs as a small decimal.
 */
function addToMinutes(minutes: AggregateRow[], places: number[], t: number, v: number): void {
  const minute = floorTo(t, MINUTE_MS);
  const i = minutes.length - 1;
  const last = minutes[i];
  if (last && last[0] === minute) {
    if (v < last[1]) last[1] = v;
    if (v > last[2]) last[2] = v;
    last[4] += 1;
    let d = places[i]!;
    if (d >= 0) d = decimalPlaces(v, d);
    const scale = d >= 0 ? 10 ** d : 0;
    const sum = last[3] + v;
    if (d >= 0 && Math.abs(sum * scale) < 2 ** 52) {
      last[3] = Math.round(sum * scale) / scale;
      places[i] = d;
    } else {
      last[3] = sum;
      places[i] = -1;
    }
  } else {
    minutes.push([minute, v, v, v, 1]);
    places.push(decimalPlaces(v));
  }
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
  private readonly byId = new Map<number, SeriesState>();
  private readonly byName = new Map<string, SeriesState[]>();
  private list: SeriesState[] = [];
  /** [seq, written at] of the head log rows, ascending: how long each has been there (pruneLog). */
  private logRows: Array<[number, number]> = [];
  private cursor = 0;
  private droppedOutOfOrder = 0;
  private droppedLate = 0;
  private droppedInvalid = 0;
  private lastError: string | undefined;
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

  /** Rebuilds every cache from the database: series and marks, then the head from the head log. */
  private loadSeries(): void {
    this.byKey.clear();
    this.byId.clear();
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
      grace_ms: number;
    }>;
    for (const row of rows) {
      this.addSeries({
        id: row.id,
        name: row.name,
        labels: JSON.parse(row.labels) as Labels,
        lastT: row.last_raw ?? undefined,
        stepMs: undefined,
        rolled1m: row.rolled_1m,
        rolled1h: row.rolled_1h,
        last1m: row.last_1m ?? undefined,
        last1h: row.last_1h ?? undefined,
        rawFrom: row.raw_from,
        m1From: row.m1_from,
        h1From: row.h1_from,
        graceMs: Math.max(this.graceMs, row.grace_ms),
        precision: precisionOf(row.name),
        head: [],
      });
    }
    const openedAt = this.clock();
    const logRows: Array<[number, number]> = [];
    for (const [seq, data] of this.sql.readLog.iterate() as IterableIterator<[number, Uint8Array]>) {
      logRows.push([seq, openedAt]);
      decodeBatch(data, (id, t, v) => {
        const state = this.byId.get(id);
        // Already sealed, or a replay of what an earlier row held: skip.
        if (!state || t < state.rolled1m || (state.lastT !== undefined && t <= state.lastT)) return;
        this.pushToHead(state, t, v, seq);
      });
    }
    this.logRows = logRows.sort((a, b) => a[0] - b[0]);
  }

  private addSeries(state: SeriesState): void {
    this.byKey.set(seriesKey(state.name, state.labels), state);
    this.byId.set(state.id, state);
    const named = this.byName.get(state.name);
    if (named) named.push(state);
    else this.byName.set(state.name, [state]);
    this.list.push(state);
  }

  private pushToHead(state: SeriesState, t: number, v: number, seq: number): void {
    const start = chunkWindowStart(t, state.id);
    let open = state.head[state.head.length - 1];
    if (!open || open.start !== start) {
      open = { start, encoder: new SampleChunkEncoder(), minutes: [], minutePlaces: [], firstSeq: seq, lastT: t };
      state.head.push(open);
    } else if (seq < open.firstSeq) {
      open.firstSeq = seq; // replay: a batch row older than the copy that opened the chunk
    }
    open.encoder.append(t, v);
    addToMinutes(open.minutes, open.minutePlaces, t, v);
    open.lastT = t;
    state.stepMs = nextStep(t, state.lastT, state.stepMs);
    state.lastT = t;
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
      // A sample that is not an object gets NaN columns: counted as invalid below.
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
    const maxDelayMs = options.maxDelayMs ?? 0;
    if (!(Number.isFinite(maxDelayMs) && maxDelayMs >= 0)) throw new RangeError(`maxDelayMs must be a finite number >= 0, got ${maxDelayMs}`);
    const graceMs = Math.max(this.graceMs, Math.floor(maxDelayMs));
    const latestAllowed = this.clock() + this.maxFutureMs;
    const created: SeriesState[] = [];
    const createdByKey = new Map<string, SeriesState>();
    // Per series, its newest accepted time and step so far in this batch (the caches move only once it is committed).
    const newestT = new Map<SeriesState, { t: number; step: number | undefined }>();
    const accepted: Array<[SeriesState, number, number]> = [];
    /** Series whose grace this batch raised, with the value before (restored if the transaction fails). */
    const graceRaised = new Map<SeriesState, number>();
    /** The state of each table entry used so far in this batch (null: invalid name or labels). */
    const resolved = new Map<number, SeriesState | null>();
    let outOfOrder = 0;
    let late = 0;
    let invalid = 0;
    const sql = this.sql;

    const resolve = (entry: number, t: number): SeriesState | null => {
      const ref = columns.series[entry];
      const key = ref === undefined ? null : keyOf(ref);
      if (key === null) return null;
      let state = this.byKey.get(key) ?? createdByKey.get(key);
      if (!state) {
        const labels = Object.freeze({ ...ref!.labels });
        // Marks start at the first sample, so housekeeping never walks the empty time before it.
        const id = Number(
          sql.insertSeries.run(key, ref!.name, canonicalLabelsJson(labels), 0, floorTo(t, HOUR_MS), graceMs > this.graceMs ? graceMs : 0).lastInsertRowid,
        );
        const rolled1m = chunkWindowStart(t, id);
        sql.setSealedTo.run(rolled1m, id);
        state = {
          id, name: ref!.name, labels, lastT: undefined, stepMs: undefined, rolled1m, rolled1h: floorTo(t, HOUR_MS),
          last1m: undefined, last1h: undefined, rawFrom: 0, m1From: 0, h1From: 0, graceMs, precision: precisionOf(ref!.name), head: [],
        };
        createdByKey.set(key, state);
        created.push(state);
      } else if (graceMs > state.graceMs && !graceRaised.has(state)) {
        // Raised before the lateness check, so this very batch may reach back that far.
        sql.setGrace.run(graceMs, state.id);
        graceRaised.set(state, state.graceMs);
        state.graceMs = graceMs;
      }
      return state;
    };

    const run = this.db.transaction(() => {
      for (let i = 0; i < n; i++) {
        const rawT = columns.t[i]!;
        const value = columns.v[i]!;
        if (!isValidPoint(rawT, value) || rawT > latestAllowed) {
          invalid++;
          continue;
        }
        const t = Math.floor(rawT);
        const entry = columns.index[i]!;
        let state = resolved.get(entry);
        if (state === undefined) {
          state = resolve(entry, t);
          resolved.set(entry, state);
        }
        if (state === null) {
          invalid++;
          continue;
        }
        const inBatch = newestT.get(state);
        const last = inBatch ? inBatch.t : state.lastT;
        if (last !== undefined && t <= last) {
          outOfOrder++;
          continue;
        }
        // On the series' cadence when within its tolerance (cadence.ts); what pushToHead does with the step, done ahead for this batch.
        const step = inBatch ? inBatch.step : state.stepMs;
        const stored = onCadence(t, last, step);
        if (stored < state.rolled1m) {
          late++;
          continue;
        }
        newestT.set(state, { t: stored, step: nextStep(stored, last, step) });
        accepted.push([state, stored, roundToPrecision(value, state.precision)]);
      }
      if (accepted.length === 0) return 0;
      const bytes = encodeBatch(
        accepted.map((a) => a[0].id),
        accepted.map((a) => a[1]),
        accepted.map((a) => a[2]),
      );
      return Number(sql.insertLog.run(bytes).lastInsertRowid);
    });
    let seq: number;
    try {
      seq = run();
    } catch (err) {
      // Nothing of the batch is stored and the caches are untouched, so the
      // caller can retry the same batch (e.g. once disk space returns).
      for (const [state, before] of graceRaised) state.graceMs = before;
      throw new Error(`history database ${this.file}: could not store ${n} samples: ${describe(err)}`, {
        cause: err,
      });
    }
    for (const state of created) this.addSeries(state);
    if (seq > 0) this.logRows.push([seq, this.clock()]);
    const touched = new Set<SeriesState>();
    for (const [state, t, v] of accepted) {
      this.pushToHead(state, t, v, seq);
      if (state.head.length > 1) touched.add(state);
    }
    this.droppedOutOfOrder += outOfOrder;
    this.droppedLate += late;
    this.droppedInvalid += invalid;
    if (touched.size > 0) {
      try {
        this.db.transaction(() => {
          for (const state of touched) this.sealFinished(state, Number.NEGATIVE_INFINITY, undefined);
          this.pruneLog();
        })();
        this.lastError = undefined;
      } catch (err) {
        this.lastError = `sealing chunks failed: ${describe(err)}`;
        this.reloadAfterFailure();
      }
    }
  }

  /**
   * Seals the finished windows of a series: every open chunk but the newest,
   * and the newest too once `now` is past its end plus the grace period.
   * Runs inside a transaction; the head is trimmed as it goes (a rollback
   * reloads it from the head log).
   */
  private sealFinished(state: SeriesState, now: number, counts: { sealedChunks: number; minuteBuckets: number } | undefined): boolean {
    let sealed = false;
    while (state.head.length > 0) {
      const open = state.head[0]!;
      const end = open.start + CHUNK_WINDOW_MS;
      if (state.head.length === 1 && now < end + state.graceMs) break;
      this.sql.insertRawChunk.run(state.id, open.start, open.lastT, open.encoder.count, open.encoder.sealedBytes());
      this.sql.insertMinuteChunk.run(state.id, open.start, encodeAggregates(open.minutes));
      state.head.shift();
      state.rolled1m = end;
      state.last1m = open.start;
      sealed = true;
      if (counts) {
        counts.sealedChunks++;
        counts.minuteBuckets += open.minutes.length;
      }
    }
    if (sealed) this.saveMarks(state);
    return sealed;
  }

  private saveMarks(state: SeriesState): void {
    this.sql.saveMarks.run(state.rolled1m, state.rolled1h, state.rawFrom, state.m1From, state.h1From, state.id);
  }

  /**
   * Deletes head log rows whose samples are all sealed: those before the
   * oldest open chunk's first row. A chunk that has been open longer than a
   * window plus the grace period (a late series: its window stays open as long
   * as its maxDelayMs) would pin every row since, every host's samples with
   * it; such a chunk is copied whole into a new row first (copy = 1), so it
   * pins only that row. Each long-open chunk is copied about once per
   * window plus grace. Runs inside the caller's transaction.
   */
  private pruneLog(): void {
    const pinLimit = this.clock() - (CHUNK_WINDOW_MS + this.graceMs + RELOG_SLACK_MS);
    // The first row written after the limit: chunks older than it are copied.
    const firstRecent = this.logRows.find((row) => row[1] > pinLimit)?.[0] ?? Number.POSITIVE_INFINITY;
    let oldest = Number.POSITIVE_INFINITY;
    const stale: Array<[SeriesState, OpenChunk]> = [];
    for (const state of this.list) {
      for (const open of state.head) {
        if (open.firstSeq < firstRecent) stale.push([state, open]);
        else if (open.firstSeq < oldest) oldest = open.firstSeq;
      }
    }
    if (stale.length > 0) {
      const ids: number[] = [];
      const times: number[] = [];
      const values: number[] = [];
      for (const [state, open] of stale) {
        const { t, v } = open.encoder.samples();
        for (let i = 0; i < t.length; i++) {
          ids.push(state.id);
          times.push(t[i]!);
          values.push(v[i]!);
        }
      }
      const seq = Number(this.sql.insertLogCopy.run(encodeBatch(ids, times, values)).lastInsertRowid);
      for (const [, open] of stale) open.firstSeq = seq;
      this.logRows.push([seq, this.clock()]);
      if (seq < oldest) oldest = seq;
    }
    if (oldest === Number.POSITIVE_INFINITY) this.sql.clearLog.run();
    else this.sql.pruneLog.run(oldest);
    let keep = 0;
    while (keep < this.logRows.length && this.logRows[keep]![0] < oldest) keep++;
    if (keep > 0) this.logRows.splice(0, keep);
  }

  private reloadAfterFailure(): void {
    try {
      this.loadSeries();
    } catch {
      // Reading failed too; the next call reports the problem.
    }
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

  names(): MetricNameInfo[] {
    this.assertOpen();
    const out: MetricNameInfo[] = [];
    for (const [name, states] of this.byName) {
      let lastT: number | undefined;
      for (const s of states) {
        const t = s.lastT ?? s.last1m ?? s.last1h;
        if (t !== undefined && (lastT === undefined || t > lastT)) lastT = t;
      }
      out.push(lastT === undefined ? { name, series: states.length } : { name, series: states.length, lastT });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Every series matching the selector is returned, with empty points when the range holds no data. */
  query(request: RangeRequest): StoredRange[] {
    return this.queryFlat(request).map((r) => ({ name: r.name, labels: r.labels, tier: r.tier, stepMs: r.stepMs, points: toPointList(r.points) }));
  }

  queryFlat(request: RangeRequest): FlatRange[] {
    this.assertOpen();
    const plan = planBuckets(request.from, request.to, request.maxPoints);
    const expected = Math.min(32, Math.ceil((plan.end - plan.start) / plan.stepMs));
    return this.matching(request.selector).map((state) => {
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
    for (const data of this.sql.minuteChunks.all(state.id, from - CHUNK_WINDOW_MS, to) as Uint8Array[]) {
      readAggregates(data, (t, min, max, sum, count) => {
        if (t >= from && t < to) acc.add(t, min, max, sum, count);
      });
    }
  }

  private addHours(acc: PointAccumulator, state: SeriesState, from: number, to: number): void {
    for (const data of this.sql.hourChunks.all(state.id, from - DAY_MS, to) as Uint8Array[]) {
      readAggregates(data, (t, min, max, sum, count) => {
        if (t >= from && t < to) acc.add(t, min, max, sum, count);
      });
    }
  }

  setRetention(retention: Retention): void {
    this.retention = this.checkedRetention(retention);
  }

  /**
   * Seals windows of quiet series, rolls sealed minutes up into hours and
   * deletes expired chunks and rows, a bounded slice per call: each series
   * step touches a bounded time span, and the call stops after `maxSeries`
   * series or `maxMillis`, resuming at the next series on the following
   * call. One transaction per call; the marks move in it, so a crash never
   * leaves a bucket rolled up twice or skipped.
   */
  housekeeping(now: number): HousekeepingReport {
    this.assertOpen();
    const deadline = performance.now() + this.maxMillisPerCall;
    const cutoffs = retentionCutoffs(now, this.retention);
    const counts = { seriesWorked: 0, sealedChunks: 0, minuteBuckets: 0, hourBuckets: 0, deletedRows: 0, freedPages: 0 };
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
      this.pruneLog();
    });
    try {
      run();
      this.lastError = undefined;
    } catch (err) {
      // The transaction rolled back; the caches may have moved ahead of it.
      this.reloadAfterFailure();
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
    counts: { sealedChunks: number; minuteBuckets: number; hourBuckets: number; deletedRows: number },
  ): boolean {
    const sql = this.sql;
    let worked = this.sealFinished(state, now, counts);
    const marksBefore = [state.rolled1m, state.rolled1h, state.rawFrom, state.m1From, state.h1From];

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

    // Never delete what the next tier has not absorbed yet. Chunks go whole,
    // so the raw and minute cuts fall on the series' window starts, the hour
    // cut on a day.
    const expired: Record<Tier, number> = {
      raw: chunkWindowStart(Math.min(cutoffs.raw, state.rolled1m), state.id),
      '1m': chunkWindowStart(Math.min(cutoffs['1m'], state.rolled1h), state.id),
      '1h': floorTo(cutoffs['1h'], DAY_MS),
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
      const end = tier === '1h' ? floorTo(Math.min(cutoff, start + DELETE_SPAN_MS[tier]), DAY_MS) : Math.min(cutoff, chunkWindowStart(start + DELETE_SPAN_MS[tier], state.id));
      counts.deletedRows += sql.deleteBefore[tier].run(state.id, end).changes;
      state[FROM_FIELD[tier]] = end;
      if (tier === 'raw' && state.head.length === 0 && state.lastT !== undefined && state.lastT < end) state.lastT = undefined;
      if (tier === '1m' && state.last1m !== undefined && state.last1m < end) state.last1m = undefined;
      if (tier === '1h' && state.last1h !== undefined && state.last1h < end) state.last1h = undefined;
    }

    const marks = [state.rolled1m, state.rolled1h, state.rawFrom, state.m1From, state.h1From];
    if (marks.some((mark, i) => mark !== marksBefore[i])) this.saveMarks(state);
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
    let headSamples = 0;
    for (const state of this.list) for (const open of state.head) headSamples += open.encoder.count;
    const dropped = { outOfOrder: this.droppedOutOfOrder, late: this.droppedLate, invalid: this.droppedInvalid };
    return {
      sizeBytes: pageCount * pageSize + walBytes,
      series: this.list.length,
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
