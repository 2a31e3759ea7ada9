// Schema migrations of the history database. `PRAGMA user_version` holds the
// number of migrations applied; each migration runs in its own transaction
// together with the version bump, so a crash leaves the file at a whole
// version. Append new migrations at the end; never edit a shipped one.
import type Database from 'better-sqlite3';

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
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
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
  if (found === 0) {
    const tables = db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").pluck().get() as number;
    // auto_vacuum can only be chosen before the first table exists. INCREMENTAL
    // lets housekeeping hand freed pages back to the file system a few at a
    // time (PRAGMA incremental_vacuum) instead of a blocking VACUUM.
    if (tables === 0) db.pragma('auto_vacuum = INCREMENTAL');
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
