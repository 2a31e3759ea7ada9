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
    insertLog: db.prepare('INSERT INTO head_log (data) VALUES (?)'),
    insertLogCopy: db.prepare('INSERT INTO head_log (data, copy) VALUES (?, 1)'),
    // Copies first: each holds a prefix of its chunks, older than what later batch rows add.
    readLog: db.prepare('SELECT seq, data FROM head_log ORDER BY copy DESC, seq').raw(true),
    pruneLog: db.prepare('DELETE FROM head_log WHERE seq < ?'),
  };
}

export class Head {
  private readonly sql: ReturnType<typeof prepareStatements>;
  /** [seq, written at] of the head log rows, ascending: how long each has been there (prune). */
  private logRows: Array<[number, number]> = [];

  /** `graceMs`: the store's grace period, which tells a long-open chunk from an ordinary one (prune). */
  constructor(
    db: Database.Database,
    private readonly clock: () => number,
    private readonly graceMs: number,
  ) {
    this.sql = prepareStatements(db);
  }

  /** Refills the heads of a freshly loaded index from the head log. */
  replay(index: SeriesIndex): void {
    const openedAt = this.clock();
    const logRows: Array<[number, number]> = [];
    for (const [seq, data] of this.sql.readLog.iterate() as IterableIterator<[number, Uint8Array]>) {
      logRows.push([seq, openedAt]);
      decodeBatch(data, (id, t, v) => {
        const state = index.withId(id);
        // Already sealed, or a replay of what an earlier row held: skip.
        if (!state || t < state.rolled1m || (state.lastT !== undefined && t <= state.lastT)) return;
        this.push(state, t, v, seq);
      });
    }
    this.logRows = logRows.sort((a, b) => a[0] - b[0]);
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
    const bytes = encodeBatch(
      accepted.map((a) => a[0].id),
      accepted.map((a) => a[1]),
      accepted.map((a) => a[2]),
    );
    return Number(this.sql.insertLog.run(bytes).lastInsertRowid);
  }

  /** Notes a row logBatch wrote, once its transaction has committed. */
  committed(seq: number): void {
    this.logRows.push([seq, this.clock()]);
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
   * window plus grace. Runs inside the caller's transaction.
   */
  prune(series: readonly SeriesState[]): void {
    const pinLimit = this.clock() - (CHUNK_WINDOW_MS + this.graceMs + RELOG_SLACK_MS);
    // The first row written after the limit: chunks older than it are copied.
    const firstRecent = this.logRows.find((row) => row[1] > pinLimit)?.[0] ?? Number.POSITIVE_INFINITY;
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
}
