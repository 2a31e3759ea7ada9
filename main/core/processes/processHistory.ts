// A compact, bounded history of each host's top processes, so "which process
// was behind the 3 a.m. spike" has an answer days later. Not every process
// every sample: per host and per minute we keep one snapshot, taken from the
// busiest sample of that minute (so a 10-second spike is not averaged away),
// holding the top N by CPU and the top M by RSS. Its own SQLite file, apart
// from the metric store, so that store can change without touching this.
import Database from 'better-sqlite3';
import type { ProcessRow, ProcessSnapshot } from '../../common/contract.js';
import { ProcessRow as ProcessRowSchema } from '../../common/contract.js';
import { z } from 'zod';
import { preparePrivateDatabaseFile } from '../dataFile.js';

export interface ProcessHistoryOptions {
  readonly file: string;
  /** Rows kept per snapshot: the busiest by CPU… */
  readonly topByCpu?: number;
  /** …plus the largest by RSS not already among them. */
  readonly topByRss?: number;
  readonly bucketMs?: number;
  readonly retentionMs?: number;
  readonly nativeBinding?: string;
}

export const DEFAULT_PROCESS_RETENTION_MS = 7 * 24 * 3_600_000;
const DEFAULT_BUCKET_MS = 60_000;

/** The rows a snapshot keeps: the top `byCpu` by CPU, then the top `byRss` by RSS not yet chosen. Pure. */
export function pickSnapshotRows(processes: readonly ProcessRow[], byCpu: number, byRss: number): ProcessRow[] {
  const cpuFirst = [...processes].sort((a, b) => b.cpu - a.cpu || b.rssBytes - a.rssBytes || a.pid - b.pid).slice(0, byCpu);
  const chosen = new Set(cpuFirst);
  const rssFirst = [...processes].sort((a, b) => b.rssBytes - a.rssBytes || b.cpu - a.cpu || a.pid - b.pid);
  let added = 0;
  for (const p of rssFirst) {
    if (added >= byRss) break;
    if (chosen.has(p)) continue;
    chosen.add(p);
    added++;
  }
  return [...chosen];
}

/** How busy a sample was: total CPU of its processes. The busiest sample of a minute is the one kept. */
function busyness(rows: readonly ProcessRow[]): number {
  let sum = 0;
  for (const r of rows) sum += r.cpu;
  return sum;
}

// Stored rows are JSON arrays of tuples (about 60 bytes per process): one
// table row per host and minute keeps the file small and the lookup one seek.
const StoredRow = z.tuple([z.number(), z.string(), z.string().nullable(), z.string().nullable(), z.number(), z.number(), z.number().nullable()]);
const StoredRows = z.array(StoredRow);

function encodeRows(rows: readonly ProcessRow[]): string {
  return JSON.stringify(rows.map((r) => [r.pid, r.comm, r.user ?? null, r.state ?? null, round(r.cpu), r.rssBytes, r.memoryRatio === null ? null : round(r.memoryRatio)]));
}

function round(v: number): number {
  return Math.round(v * 10_000) / 10_000;
}

function decodeRows(json: string): ProcessRow[] {
  const parsed = StoredRows.safeParse(JSON.parse(json));
  if (!parsed.success) return [];
  return parsed.data.map(([pid, comm, user, state, cpu, rssBytes, memoryRatio]) =>
    ProcessRowSchema.parse({ pid, comm, ...(user !== null ? { user } : {}), ...(state !== null ? { state } : {}), cpu, rssBytes, memoryRatio }),
  );
}

interface Pending {
  bucket: number;
  t: number;
  score: number;
  rows: ProcessRow[];
}

export interface ProcessHistory {
  /** One sample's processes; kept if it is the busiest of its host's current minute. */
  record(hostId: string, t: number, processes: readonly ProcessRow[]): void;
  /** Write the snapshots of minutes that have ended (or all, with `all`). */
  flush(all?: boolean, now?: number): void;
  /** The kept snapshot nearest `t`, within `toleranceMs`. */
  at(hostId: string, t: number, toleranceMs: number): ProcessSnapshot | null;
  /** Drop snapshots older than the retention. */
  prune(now: number): number;
  forget(hostId: string): void;
  stats(): { snapshots: number };
  close(): void;
}

export function openProcessHistory(options: ProcessHistoryOptions): ProcessHistory {
  const byCpu = options.topByCpu ?? 10;
  const byRss = options.topByRss ?? 5;
  const bucketMs = options.bucketMs ?? DEFAULT_BUCKET_MS;
  const retentionMs = options.retentionMs ?? DEFAULT_PROCESS_RETENTION_MS;
  preparePrivateDatabaseFile(options.file);
  const db = new Database(options.file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE IF NOT EXISTS process_snapshots (
    host TEXT NOT NULL,
    t INTEGER NOT NULL,
    rows TEXT NOT NULL,
    PRIMARY KEY (host, t)
  ) WITHOUT ROWID`);
  const insert = db.prepare('INSERT OR REPLACE INTO process_snapshots (host, t, rows) VALUES (?, ?, ?)');
  const before = db.prepare('SELECT t, rows FROM process_snapshots WHERE host = ? AND t <= ? ORDER BY t DESC LIMIT 1');
  const after = db.prepare('SELECT t, rows FROM process_snapshots WHERE host = ? AND t > ? ORDER BY t ASC LIMIT 1');
  const pruneStmt = db.prepare('DELETE FROM process_snapshots WHERE t < ?');
  const forgetStmt = db.prepare('DELETE FROM process_snapshots WHERE host = ?');
  const count = db.prepare('SELECT count(*) AS n FROM process_snapshots');

  const pending = new Map<string, Pending>();
  const ready: { host: string; p: Pending }[] = [];

  const writeReady = db.transaction((items: { host: string; p: Pending }[]) => {
    for (const { host, p } of items) insert.run(host, p.t, encodeRows(p.rows));
  });

  return {
    record(hostId, t, processes) {
      if (processes.length === 0 || !Number.isFinite(t)) return;
      const bucket = Math.floor(t / bucketMs) * bucketMs;
      const rows = pickSnapshotRows(processes, byCpu, byRss);
      const score = busyness(rows);
      const current = pending.get(hostId);
      if (current && current.bucket === bucket) {
        if (score > current.score) pending.set(hostId, { bucket, t, score, rows });
        return;
      }
      if (current) ready.push({ host: hostId, p: current });
      pending.set(hostId, { bucket, t, score, rows });
    },
    flush(all = false, now?: number) {
      if (all || now !== undefined) {
        for (const [host, p] of pending) {
          if (all || (now !== undefined && p.bucket + bucketMs <= now)) {
            ready.push({ host, p });
            pending.delete(host);
          }
        }
      }
      if (ready.length === 0) return;
      writeReady(ready.splice(0));
    },
    at(hostId, t, toleranceMs) {
      const candidates: { t: number; rows: string }[] = [];
      const b = before.get(hostId, t) as { t: number; rows: string } | undefined;
      const a = after.get(hostId, t) as { t: number; rows: string } | undefined;
      if (b) candidates.push(b);
      if (a) candidates.push(a);
      // Not yet written: the current minute's snapshot is an answer too.
      const p = pending.get(hostId);
      if (p) candidates.push({ t: p.t, rows: encodeRows(p.rows) });
      for (const r of ready) if (r.host === hostId) candidates.push({ t: r.p.t, rows: encodeRows(r.p.rows) });
      let best: { t: number; rows: string } | undefined;
      for (const c of candidates) {
        if (Math.abs(c.t - t) > toleranceMs) continue;
        if (!best || Math.abs(c.t - t) < Math.abs(best.t - t)) best = c;
      }
      if (!best) return null;
      return { hostId, t: best.t, processes: decodeRows(best.rows).sort((x, y) => y.cpu - x.cpu || y.rssBytes - x.rssBytes) };
    },
    prune(now) {
      return pruneStmt.run(now - retentionMs).changes;
    },
    forget(hostId) {
      pending.delete(hostId);
      forgetStmt.run(hostId);
    },
    stats() {
      return { snapshots: (count.get() as { n: number }).n };
    },
    close() {
      this.flush(true);
      db.close();
    },
  };
}
