// Schema migrations of the history database. `PRAGMA user_version` holds the
// number of migrations applied; each migration runs in its own transaction
// together with the version bump, so a crash leaves the file at a whole
// version. Append new migrations at the end; never edit a shipped one.
import type Database from 'better-sqlite3';
import { encodeAggregates, encodeSamples, type AggregateRow } from './chunkCodec.js';
import { encodeBatch } from './headLog.js';
import { DAY_MS, chunkWindowStart, floorTo } from './tiers.js';

interface Migration {
  readonly description: string;
  up(db: Database.Database): void;
}

const MIGRATIONS: readonly Migration[] = [
  {
    description: 'series, raw samples, 1-minute and 1-hour rollups',
    up(db) {
      // `key` is seriesKey(name, labels); `labels` is canonical JSON (keys sorted).
      // rolled_1m / rolled_1h: every bucket starting before them is in that
      // rollup tier; they advance in the same transaction as the rollup rows.
      // raw_from / m1_from / h1_from: retention has deleted that tier before
      // them (0 = never cut), so queries know where a coarser tier must fill in.
      db.exec(`
        CREATE TABLE series (
          id        INTEGER PRIMARY KEY,
          key       TEXT NOT NULL UNIQUE,
          name      TEXT NOT NULL,
          labels    TEXT NOT NULL,
          rolled_1m INTEGER NOT NULL,
          rolled_1h INTEGER NOT NULL,
          raw_from  INTEGER NOT NULL DEFAULT 0,
          m1_from   INTEGER NOT NULL DEFAULT 0,
          h1_from   INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX series_by_name ON series (name);

        -- WITHOUT ROWID keyed (series_id, t): one b-tree, no separate rowid
        -- index, rows clustered per series for range scans.
        CREATE TABLE raw (
          series_id INTEGER NOT NULL,
          t         INTEGER NOT NULL,
          v         REAL NOT NULL,
          PRIMARY KEY (series_id, t)
        ) WITHOUT ROWID;

        -- t is the bucket start; avg = sum / count.
        CREATE TABLE rollup_1m (
          series_id INTEGER NOT NULL,
          t         INTEGER NOT NULL,
          min       REAL NOT NULL,
          max       REAL NOT NULL,
          sum       REAL NOT NULL,
          count     INTEGER NOT NULL,
          PRIMARY KEY (series_id, t)
        ) WITHOUT ROWID;

        CREATE TABLE rollup_1h (
          series_id INTEGER NOT NULL,
          t         INTEGER NOT NULL,
          min       REAL NOT NULL,
          max       REAL NOT NULL,
          sum       REAL NOT NULL,
          count     INTEGER NOT NULL,
          PRIMARY KEY (series_id, t)
        ) WITHOUT ROWID;
      `);
    },
  },
  {
    description: 'raw samples and minute rollups in compressed per-series chunks, plus the head log',
    up(db) {
      // raw_chunk: the samples of one series in one chunk window (tiers.ts),
      // Gorilla-coded (chunkCodec.ts); t is the window start, last_t the
      // newest sample in it. rollup_1m_chunk: the minute rows of the same
      // window. head_log: one row per appended batch whose samples are not
      // all sealed into chunks yet (headLog.ts); replayed on open.
      // series.rolled_1m now means "sealed up to": every window of the series
      // ending at or before it is in the chunk tables, nothing after it is.
      db.exec(`
        CREATE TABLE raw_chunk (
          series_id INTEGER NOT NULL,
          t         INTEGER NOT NULL,
          last_t    INTEGER NOT NULL,
          n         INTEGER NOT NULL,
          data      BLOB NOT NULL,
          PRIMARY KEY (series_id, t)
        ) WITHOUT ROWID;

        CREATE TABLE rollup_1m_chunk (
          series_id INTEGER NOT NULL,
          t         INTEGER NOT NULL,
          data      BLOB NOT NULL,
          PRIMARY KEY (series_id, t)
        ) WITHOUT ROWID;

        CREATE TABLE head_log (
          seq  INTEGER PRIMARY KEY,
          data BLOB NOT NULL
        );
      `);
      convertRowsToChunks(db);
      db.exec('DROP TABLE raw; DROP TABLE rollup_1m;');
    },
  },
  {
    description: 'per-series lateness: how long after its time a sample of the series may still arrive',
    up(db) {
      // grace_ms: the series' newest chunk window stays open this long after
      // it ends, and its quiet time only becomes final after it (cloud series
      // arrive minutes to hours late; see AppendOptions.maxDelayMs). 0 = the
      // store's default grace period.
      db.exec('ALTER TABLE series ADD COLUMN grace_ms INTEGER NOT NULL DEFAULT 0');
    },
  },
  {
    description: 'head log rows that copy the open chunks of late series, so those never pin the log',
    up(db) {
      // copy = 1: the row holds every sample of some open chunks at the time it
      // was written (head.ts, Head.prune), so the rows before it can go
      // even though those chunks stay open for hours (a cloud series with a
      // long maxDelayMs). Replay reads copies first, then batches by seq.
      db.exec('ALTER TABLE head_log ADD COLUMN copy INTEGER NOT NULL DEFAULT 0');
    },
  },
  {
    description: 'hour rollups in one compressed chunk per series and day',
    up(db) {
      // rollup_1h_chunk: the hour rows of one series and one UTC day (t, the
      // day's start), coded as the minute chunks are (chunkCodec.ts); last_t
      // is the newest hour in it. A row of its own per hour cost ~50 bytes; a
      // day of them in a chunk costs ~10 a row. The existing rows move in.
      db.exec(`
        CREATE TABLE rollup_1h_chunk (
          series_id INTEGER NOT NULL,
          t         INTEGER NOT NULL,
          last_t    INTEGER NOT NULL,
          data      BLOB NOT NULL,
          PRIMARY KEY (series_id, t)
        ) WITHOUT ROWID;
      `);
      const ids = db.prepare('SELECT DISTINCT series_id FROM rollup_1h').pluck().all() as number[];
      const rows = db.prepare('SELECT t, min, max, sum, count FROM rollup_1h WHERE series_id = ? ORDER BY t').raw(true);
      const insert = db.prepare('INSERT INTO rollup_1h_chunk (series_id, t, last_t, data) VALUES (?, ?, ?, ?)');
      // One series at a time: rows are read fully before the inserts (one connection cannot do both at once).
      for (const id of ids) {
        const days = new Map<number, AggregateRow[]>();
        for (const row of rows.all(id) as AggregateRow[]) {
          const day = floorTo(row[0], DAY_MS);
          days.get(day)?.push(row) ?? days.set(day, [row]);
        }
        for (const [day, group] of days) insert.run(id, day, group[group.length - 1]![0], encodeAggregates(group));
      }
      db.exec('DROP TABLE rollup_1h');
    },
  },
  {
    description: 'the head log as the remote-write outbox: positions and write times of its rows, senders\' cursors, series only sent',
    up(db) {
      // The head log holds every accepted sample in the order it arrived; the
      // remote-write senders read it from their cursor (outbox.ts,
      // head.ts), so a row stays until every sender has passed it or it is
      // older than the sender's age limit. at: when the row was written (ms);
      // pos: the outbox position of its first sample (positions count the
      // samples of batch rows, copy = 0, from the first ever written); n: its
      // samples. Rows from before this version have n = 0: not in the outbox.
      // series.kept = 0: a series whose samples are only sent, never kept in
      // chunks (raw counters, whose history is kept as rates).
      // outbox_cursor: how far each remote-write target got, and how old a
      // sample it still wants. store_meta: next_pos (the position the next
      // sample gets, kept when the log empties) and replay_from (no row before
      // it holds an unsealed sample, so opening replays from there).
      db.exec(`
        ALTER TABLE head_log ADD COLUMN at INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE head_log ADD COLUMN pos INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE head_log ADD COLUMN n INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE series ADD COLUMN kept INTEGER NOT NULL DEFAULT 1;
        CREATE TABLE outbox_cursor (
          target     TEXT PRIMARY KEY,
          pos        INTEGER NOT NULL,
          max_age_ms INTEGER NOT NULL
        );
        CREATE TABLE store_meta (
          key   TEXT PRIMARY KEY,
          value INTEGER NOT NULL
        );
      `);
    },
  },
  {
    description: 'minute chunks merged into blocks of six hours, in aggregate layout 2',
    up(db) {
      // m1_merged: the series' minute chunks of windows starting before it are
      // merged, one chunk per block (tiers.ts, MINUTE_BLOCK_MS). The merge
      // itself is housekeeping's (housekeeping.ts), a few blocks per series
      // per slice, each slice one transaction: an old file is rewritten in the
      // background while it is in use, never in one long transaction at open
      // that would hold the console for minutes on a large file and need its
      // size again in journal. The reader reads every layout, so a file is
      // answered exactly at every point of the way.
      // rollup_1m_block: the merged chunks, t the block start. A table of
      // their own, with a rowid: blocks are written in time order across all
      // series (every series merges block B before any merges B + 6 h), so
      // rowid order appends at the b-tree's right edge and SQLite packs those
      // pages full, and retention empties whole pages at the left. Keyed
      // (series_id, t) like the other chunk tables, each block went into the
      // middle of the b-tree: pages split half full (measured: 49 % unused,
      // 2× the payload), and a block over ~1 KB, a quarter of a page, spills
      // into an overflow page of its own in a WITHOUT ROWID table. The index
      // finds a series' blocks; its entries are ~15 bytes a block of 360 rows.
      db.exec(`
        ALTER TABLE series ADD COLUMN m1_merged INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE rollup_1m_block (
          series_id INTEGER NOT NULL,
          t         INTEGER NOT NULL,
          data      BLOB NOT NULL
        );
        CREATE UNIQUE INDEX rollup_1m_block_by_series ON rollup_1m_block (series_id, t);
      `);
    },
  },
  {
    description: 'rollup chunks written in aggregate layout 3 from here on',
    up() {
      // Nothing to rewrite: layouts 1 and 2 stay readable (chunkCodec.ts reads
      // every layout), and housekeeping writes layout 3 as it seals, merges and
      // rolls up. The version is what changes: a build that knows layouts up to
      // 2 reads a layout-3 chunk (0x00 0x00 0x03) as an empty layout-1 chunk,
      // so it must refuse the file (migrate, "newer than this build
      // understands") rather than answer with nothing.
    },
  },
];

/**
 * Moves a version-1 database's rows into chunks: per series, the sealed-up-to
 * mark becomes the start of the chunk window holding the old minute mark;
 * raw rows and minute rows before it become chunks, raw rows from it on go
 * to the head log (replayed into the open head on open), and minute rows
 * from it on are dropped, since sealing those windows computes them again
 * from the same raw rows.
 */
function convertRowsToChunks(db: Database.Database): void {
  const series = db.prepare('SELECT id, rolled_1m FROM series').all() as Array<{ id: number; rolled_1m: number }>;
  const rawRows = db.prepare('SELECT t, v FROM raw WHERE series_id = ? ORDER BY t').raw(true);
  const minuteRows = db.prepare('SELECT t, min, max, sum, count FROM rollup_1m WHERE series_id = ? ORDER BY t').raw(true);
  const insertRaw = db.prepare('INSERT INTO raw_chunk (series_id, t, last_t, n, data) VALUES (?, ?, ?, ?, ?)');
  const insertMinutes = db.prepare('INSERT INTO rollup_1m_chunk (series_id, t, data) VALUES (?, ?, ?)');
  const insertLog = db.prepare('INSERT INTO head_log (data) VALUES (?)');
  const saveMarks = db.prepare('UPDATE series SET rolled_1m = ? WHERE id = ?');
  for (const s of series) {
    const sealed = chunkWindowStart(s.rolled_1m, s.id);
    const windowOf = (t: number) => chunkWindowStart(t, s.id);
    const groups = new Map<number, Array<[number, number]>>();
    const head: Array<[number, number]> = [];
    for (const [t, v] of rawRows.all(s.id) as Array<[number, number]>) {
      if (t >= sealed) head.push([t, v]);
      else groups.get(windowOf(t))?.push([t, v]) ?? groups.set(windowOf(t), [[t, v]]);
    }
    for (const [start, rows] of groups) {
      const bytes = encodeSamples(rows.map((r) => r[0]), rows.map((r) => r[1]));
      insertRaw.run(s.id, start, rows[rows.length - 1]![0], rows.length, bytes);
    }
    if (head.length > 0) insertLog.run(encodeBatch(head.map(() => s.id), head.map((r) => r[0]), head.map((r) => r[1])));
    const minuteGroups = new Map<number, AggregateRow[]>();
    for (const row of minuteRows.all(s.id) as AggregateRow[]) {
      if (row[0] >= sealed) continue;
      minuteGroups.get(windowOf(row[0]))?.push(row) ?? minuteGroups.set(windowOf(row[0]), [row]);
    }
    for (const [start, rows] of minuteGroups) insertMinutes.run(s.id, start, encodeAggregates(rows));
    saveMarks.run(sealed, s.id);
  }
}

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Page size of a new file: a six-hour minute block of a noisy series is 1–3 KB, one or two to a 4-KiB page with the rest of it unused; in 16-KiB pages the minute tier costs 20 % less on disk (measured on a day of the replayed host: 573 → 459 KB). */
export const NEW_FILE_PAGE_SIZE = 16_384;

/**
 * Chooses the page size and auto_vacuum of a file with no tables yet. Both
 * can only be chosen before the file's first page is written — and switching
 * to WAL writes it — so this runs before `journal_mode = WAL`. (Chosen after
 * it, as up to schema 8, neither took: files kept 4-KiB pages and no
 * auto_vacuum, so housekeeping's incremental_vacuum returned nothing.)
 * INCREMENTAL lets housekeeping hand freed pages back to the file system a
 * few at a time (PRAGMA incremental_vacuum) instead of a blocking VACUUM.
 * An existing file keeps what it has: changing either means rewriting it.
 */
export function prepareNewFile(db: Database.Database): void {
  const tables = db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").pluck().get() as number;
  if (tables > 0) return;
  db.pragma(`page_size = ${NEW_FILE_PAGE_SIZE}`);
  db.pragma('auto_vacuum = INCREMENTAL');
}

/** Bring the database to SCHEMA_VERSION; returns the version found before. */
export function migrate(db: Database.Database): number {
  const found = schemaVersion(db);
  if (found > SCHEMA_VERSION) {
    throw new Error(
      `history database ${db.name} has schema version ${found}, newer than this build understands (${SCHEMA_VERSION}); ` +
        'it was written by a newer Overlook — upgrade, or point --data at another directory',
    );
  }
  for (let version = found + 1; version <= SCHEMA_VERSION; version++) {
    const migration = MIGRATIONS[version - 1]!;
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${version}`);
    })();
  }
  return found;
}
