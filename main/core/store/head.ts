// The head: per series, the open chunk of its current chunk window (and of a
// finished one until it is sealed), in memory, Gorilla-coded as samples
// arrive (chunkCodec.ts) with the window's minute aggregates beside it —
// what queries read for the newest data and what sealing writes out whole —
// and the head_log table that makes it durable. Each append's accepted
// samples are one head log row (the row format is headLog.ts), written in
// the append's transaction; on open, and after a failed transaction, the
// rows are replayed into the head. Rows go once every sample in them is
// sealed; a chunk open long enough to pin the log is copied into a row of
// its own first (prune). Kept with the open chunks because which rows may go
// depends on which chunks are open.
//
// The head log is also the remote-write outbox (outbox.ts): each batch row
// keeps when it was written (at) and the outbox position of its first sample
// (pos; positions count the samples of batch rows from the first ever
// written, copies hold none), so a sender reads on from its cursor. A row
// stays while the outbox still needs it (holdRowsFor). What opening needs
// once rows are gone is in store_meta: next_pos (where positions go on) and
// replay_from (no row before it holds an unsealed sample, so replay starts
// there and rows kept only for the outbox are not decoded on open).
import type Database from 'better-sqlite3';
import { SampleChunkEncoder, decimalPlaces, type AggregateRow } from './chunkCodec.js';
import { decodeBatch, encodeBatch } from './headLog.js';
import { nextStep } from './cadence.js';
import { CHUNK_WINDOW_MS, MINUTE_MS, chunkWindowStart, floorTo } from './tiers.js';
import type { SeriesIndex } from './seriesIndex.js';
import type { OpenChunk, SeriesState } from './seriesState.js';

// A chunk whose first head log row is older than a window plus the grace
// period plus this is copied into a new row rather than pinning the log
// (prune); the slack leaves ordinary chunks, sealed by housekeeping a few
// seconds after their grace period, alone.
const RELOG_SLACK_MS = 3 * MINUTE_MS;

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

function prepareStatements(db: Database.Database) {
  return {
    clearLog: db.prepare('DELETE FROM head_log'),
    insertLog: db.prepare('INSERT INTO head_log (data, at, pos, n) VALUES (?, ?, ?, ?)'),
    insertLogCopy: db.prepare('INSERT INTO head_log (data, copy, at) VALUES (?, 1, ?)'),
    logRows: db.prepare('SELECT seq, at, pos, n, copy FROM head_log ORDER BY seq').raw(true),
    // Copies first: each holds a prefix of its chunks, older than what later batch rows add.
    readLog: db.prepare('SELECT seq, data FROM head_log WHERE seq >= ? ORDER BY copy DESC, seq').raw(true),
    pruneLog: db.prepare('DELETE FROM head_log WHERE seq < ?'),
    readMeta: db.prepare('SELECT value FROM store_meta WHERE key = ?').pluck(),
    saveMeta: db.prepare('INSERT INTO store_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
  };
}

/** A head log row as the store keeps track of it (the data stays on disk). */
export interface LogRow {
  readonly seq: number;
  /** When this process first knew the row (its write, or the open that read it): how long it has pinned the log (prune). */
  readonly seenAt: number;
  /** When it was written (ms; 0 for rows from before the outbox). */
  readonly at: number;
  /** Outbox position of its first sample, and its samples (0 for copies: they repeat samples already logged). */
  readonly pos: number;
  readonly n: number;
}

export class Head {
  private readonly sql: ReturnType<typeof prepareStatements>;
  /** The head log rows, ascending by seq. */
  private logRows: LogRow[] = [];
  /** The outbox position the next logged sample gets, and what store_meta holds of it and of replay_from. */
  private next = 0;
  private savedNextPos = 0;
  private savedReplayFrom = 0;
  /** Rows from this seq on are still needed by the outbox (holdRowsFor); +Infinity: none. */
  private outboxPin: () => number = () => Number.POSITIVE_INFINITY;

  /** `graceMs`: the store's grace period, which tells a long-open chunk from an ordinary one (prune). */
  constructor(
    db: Database.Database,
    private readonly clock: () => number,
    private readonly graceMs: number,
  ) {
    this.sql = prepareStatements(db);
  }

  /** The head log rows, ascending by seq (the outbox reads them). */
  get rows(): readonly LogRow[] {
    return this.logRows;
  }

  /** The outbox position the next logged sample gets. */
  get nextPos(): number {
    return this.next;
  }

  /** Rows from seq `pin()` on are kept by prune, whatever the open chunks need (the outbox's unsent rows). */
  holdRowsFor(pin: () => number): void {
    this.outboxPin = pin;
  }

  /** Refills the heads of a freshly loaded index from the head log. */
  replay(index: SeriesIndex): void {
    const openedAt = this.clock();
    const logRows: LogRow[] = [];
    let nextPos = (this.sql.readMeta.get('next_pos') as number | undefined) ?? 0;
    for (const [seq, at, pos, n, copy] of this.sql.logRows.iterate() as IterableIterator<[number, number, number, number, number]>) {
      logRows.push({ seq, seenAt: openedAt, at, pos: copy ? 0 : pos, n: copy ? 0 : n });
      if (!copy && pos + n > nextPos) nextPos = pos + n;
    }
    this.logRows = logRows;
    this.next = this.savedNextPos = nextPos;
    // Rows before replay_from hold no unsealed sample (prune); they stay only for the outbox.
    const replayFrom = (this.sql.readMeta.get('replay_from') as number | undefined) ?? 0;
    this.savedReplayFrom = replayFrom;
    for (const [seq, data] of this.sql.readLog.iterate(replayFrom) as IterableIterator<[number, Uint8Array]>) {
      decodeBatch(data, (id, t, v) => {
        const state = index.withId(id);
        // Already sealed, a replay of what an earlier row held, a series only sent, or a staleness marker (outbox only): skip.
        if (!state || t < state.rolled1m || (state.lastT !== undefined && t <= state.lastT) || Number.isNaN(v)) return;
        this.push(state, t, v, seq);
      });
    }
  }

  /** Adds one sample, held by head log row `seq`, to the open chunk of its window. */
  push(state: SeriesState, t: number, v: number, seq: number): void {
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

  /** Writes one batch's accepted samples as one head log row and returns its seq; inside the append's transaction. */
  logBatch(accepted: ReadonlyArray<readonly [SeriesState, number, number]>): number {
    return this.logSamples(
      accepted.map((a) => a[0].id),
      accepted.map((a) => a[1]),
      accepted.map((a) => a[2]),
    );
  }

  /**
   * Writes samples (series id, time, value) as one head log row at the
   * outbox's next position and returns its seq; inside the caller's
   * transaction. committed() takes the row once it has committed.
   */
  logSamples(ids: readonly number[], times: readonly number[], values: readonly number[]): number {
    return Number(this.sql.insertLog.run(encodeBatch(ids, times, values), this.clock(), this.next, ids.length).lastInsertRowid);
  }

  /** Notes a row logBatch or logSamples wrote (of `n` samples), once its transaction has committed. */
  committed(seq: number, n: number): void {
    const at = this.clock();
    this.logRows.push({ seq, seenAt: at, at, pos: this.next, n });
    this.next += n;
  }

  /** Samples in open chunks, in memory and in the head log. */
  sampleCount(series: readonly SeriesState[]): number {
    let count = 0;
    for (const state of series) for (const open of state.head) count += open.encoder.count;
    return count;
  }

  /**
   * Deletes head log rows whose samples are all sealed: those before the
   * oldest open chunk's first row. A chunk that has been open longer than a
   * window plus the grace period (a late series: its window stays open as long
   * as its maxDelayMs) would pin every row since, every host's samples with
   * it; such a chunk is copied whole into a new row first (copy = 1), so it
   * pins only that row. Each long-open chunk is copied about once per
   * window plus grace. Rows the outbox still needs stay too (holdRowsFor).
   * Runs inside the caller's transaction.
   */
  prune(series: readonly SeriesState[]): void {
    const pinLimit = this.clock() - (CHUNK_WINDOW_MS + this.graceMs + RELOG_SLACK_MS);
    // The first row written after the limit: chunks older than it are copied.
    const firstRecent = this.logRows.find((row) => row.seenAt > pinLimit)?.seq ?? Number.POSITIVE_INFINITY;
    let oldest = Number.POSITIVE_INFINITY;
    const stale: Array<[SeriesState, OpenChunk]> = [];
    for (const state of series) {
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
      const at = this.clock();
      const seq = Number(this.sql.insertLogCopy.run(encodeBatch(ids, times, values), at).lastInsertRowid);
      for (const [, open] of stale) open.firstSeq = seq;
      this.logRows.push({ seq, seenAt: at, at, pos: 0, n: 0 });
      if (seq < oldest) oldest = seq;
    }
    const keepFrom = Math.min(oldest, this.outboxPin());
    if (keepFrom === Number.POSITIVE_INFINITY) {
      // An empty table numbers its next row 1 again: replay must start there.
      this.sql.clearLog.run();
      oldest = 0;
    } else this.sql.pruneLog.run(keepFrom);
    let keep = 0;
    while (keep < this.logRows.length && this.logRows[keep]!.seq < keepFrom) keep++;
    if (keep > 0) this.logRows.splice(0, keep);
    // What opening must know once these rows are gone: where positions go on, and where replay starts.
    if (this.next !== this.savedNextPos) {
      this.sql.saveMeta.run('next_pos', this.next);
      this.savedNextPos = this.next;
    }
    const replayFrom = oldest === Number.POSITIVE_INFINITY ? (this.logRows[this.logRows.length - 1]?.seq ?? 0) + 1 : oldest;
    if (replayFrom !== this.savedReplayFrom) {
      this.sql.saveMeta.run('replay_from', replayFrom);
      this.savedReplayFrom = replayFrom;
    }
  }
}
