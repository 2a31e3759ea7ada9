// The remote-write outbox: the head log read as a queue (head.ts keeps each
// batch row's write time and the outbox position of its first sample). Each
// remote-write target has a cursor, a position persisted in outbox_cursor, and
// an age limit: reads start at the cursor and skip (counting them as dropped)
// samples logged before the limit; an ack moves the cursor durably. The head
// log keeps every row some target has not passed and is still young enough
// to send (pin, given to Head.holdRowsFor). A new target starts at the end.
//
// Samples only for the outbox (AppendOptions.outboxOnly) — raw counters,
// whose history the store keeps as rates, and staleness markers (NaN) — are
// logged here as head log rows without reaching the head or the chunks;
// their series are rows of the series table with kept = 0, known only here
// (seriesIndex.ts loads the kept ones). Nothing is logged while no target
// reads the outbox.
import type Database from 'better-sqlite3';
import { seriesKey, type Labels } from '../../common/series.js';
import { readVarint } from './chunkCodec.js';
import { decodeBatch } from './headLog.js';
import { canonicalLabelsJson, keyOf, type SeriesIndex } from './seriesIndex.js';
import type { Head } from './head.js';
import type { SeriesState } from './seriesState.js';
import type { OutboxBatch, OutboxReadRequest, OutboxStatus, OutboxTarget, SampleColumns, SeriesRef } from './types.js';

/** A series whose samples go to the outbox only: its newest logged time, for the order check. */
interface SentOnlySeries {
  readonly id: number;
  readonly name: string;
  readonly labels: Labels;
  lastT: number | undefined;
}

function prepareStatements(db: Database.Database) {
  return {
    insertSentOnlySeries: db.prepare('INSERT INTO series (key, name, labels, rolled_1m, rolled_1h, kept) VALUES (?, ?, ?, 0, 0, 0)'),
    sentOnlySeries: db.prepare('SELECT id, name, labels FROM series WHERE kept = 0 ORDER BY id').raw(true),
    logData: db.prepare('SELECT data FROM head_log WHERE seq = ?').pluck(),
    cursors: db.prepare('SELECT target, pos, max_age_ms FROM outbox_cursor').raw(true),
    saveCursor: db.prepare(
      'INSERT INTO outbox_cursor (target, pos, max_age_ms) VALUES (?, ?, ?) ON CONFLICT (target) DO UPDATE SET pos = excluded.pos, max_age_ms = excluded.max_age_ms',
    ),
    deleteCursor: db.prepare('DELETE FROM outbox_cursor WHERE target = ?'),
  };
}

/**
 * What admitting an outbox-only batch decided, inside its transaction: the
 * samples to log and the series it created; the caches take them once the
 * transaction commits (committed).
 */
export class OutboxAdmission {
  readonly ids: number[] = [];
  readonly times: number[] = [];
  readonly values: number[] = [];
  readonly created: SentOnlySeries[] = [];
  /** Per series, the newest time this batch logs for it. */
  readonly newest = new Map<SeriesState | SentOnlySeries, number>();
  outOfOrder = 0;
  invalid = 0;
}

export class Outbox {
  private readonly sql: ReturnType<typeof prepareStatements>;
  private readonly sentOnlyByKey = new Map<string, SentOnlySeries>();
  private readonly sentOnlyById = new Map<number, SentOnlySeries>();
  private readonly cursors = new Map<string, { pos: number; maxAgeMs: number }>();
  /** The last head log row decoded (a read often ends inside a row and the next starts there); keyed by seq and pos, since seq restarts when the log empties. */
  private decodedRow: { seq: number; pos: number; ids: Float64Array; t: Float64Array; v: Float64Array } | undefined;

  constructor(
    db: Database.Database,
    private readonly clock: () => number,
    private readonly index: SeriesIndex,
    private readonly head: Head,
  ) {
    this.sql = prepareStatements(db);
    head.holdRowsFor(() => this.pin());
  }

  /** Rebuilds the sent-only series and the cursors from the database. */
  load(): void {
    this.sentOnlyByKey.clear();
    this.sentOnlyById.clear();
    this.decodedRow = undefined;
    for (const [id, name, labelsJson] of this.sql.sentOnlySeries.iterate() as IterableIterator<[number, string, string]>) {
      const labels = JSON.parse(labelsJson) as Labels;
      const sent: SentOnlySeries = { id, name, labels, lastT: undefined };
      this.sentOnlyByKey.set(seriesKey(name, labels), sent);
      this.sentOnlyById.set(id, sent);
    }
    this.cursors.clear();
    for (const [target, pos, maxAgeMs] of this.sql.cursors.all() as Array<[string, number, number]>) this.cursors.set(target, { pos, maxAgeMs });
  }

  /** True when some target reads the outbox (outbox-only samples are logged only then). */
  get read(): boolean {
    return this.cursors.size > 0;
  }

  /**
   * Sorts an outbox-only batch: a value may be NaN (a staleness marker); a
   * sample must be newer than its series' newest one, stored or logged, and
   * is otherwise dropped as out of order. Creates the series it names for the
   * first time (kept = 0); inside the caller's transaction.
   */
  admit(columns: SampleColumns, latestAllowed: number): OutboxAdmission {
    const batch = new OutboxAdmission();
    const createdByKey = new Map<string, SentOnlySeries>();
    const resolved = new Map<number, SeriesState | SentOnlySeries | null>();
    const n = columns.index.length;
    for (let i = 0; i < n; i++) {
      const rawT = columns.t[i]!;
      const value = columns.v[i]!;
      if (typeof value !== 'number' || !Number.isFinite(rawT) || rawT < 0 || rawT > 2 ** 50 || rawT > latestAllowed) {
        batch.invalid++;
        continue;
      }
      const t = Math.floor(rawT);
      const entry = columns.index[i]!;
      let state = resolved.get(entry);
      if (state === undefined) {
        const ref = columns.series[entry];
        const key = ref === undefined ? null : keyOf(ref);
        state = key === null ? null : (this.index.withKey(key) ?? this.sentOnlyByKey.get(key) ?? createdByKey.get(key) ?? null);
        if (state === null && key !== null) {
          const labels = Object.freeze({ ...ref!.labels });
          const id = Number(this.sql.insertSentOnlySeries.run(key, ref!.name, canonicalLabelsJson(labels)).lastInsertRowid);
          const sent: SentOnlySeries = { id, name: ref!.name, labels, lastT: undefined };
          createdByKey.set(key, sent);
          batch.created.push(sent);
          state = sent;
        }
        resolved.set(entry, state);
      }
      if (state === null) {
        batch.invalid++;
        continue;
      }
      const last = batch.newest.get(state) ?? state.lastT;
      if (last !== undefined && t <= last) {
        batch.outOfOrder++;
        continue;
      }
      batch.newest.set(state, t);
      batch.ids.push(state.id);
      batch.times.push(t);
      batch.values.push(value);
    }
    return batch;
  }

  /** Takes what admit created and logged, once its transaction has committed. */
  committed(batch: OutboxAdmission): void {
    for (const sent of batch.created) {
      this.sentOnlyByKey.set(seriesKey(sent.name, sent.labels), sent);
      this.sentOnlyById.set(sent.id, sent);
    }
    // A stored series keeps its own lastT (a marker is not a sample of the history); a sent-only one moves.
    for (const [state, t] of batch.newest) if (this.sentOnlyById.get(state.id) === state) state.lastT = t;
  }

  /** The first head log row a target still needs: the one holding its cursor, or the first after it young enough to send. */
  pin(): number {
    let pin = Number.POSITIVE_INFINITY;
    const now = this.clock();
    const rows = this.head.rows;
    for (const cursor of this.cursors.values()) {
      if (cursor.pos >= this.head.nextPos) continue;
      const minAt = now - cursor.maxAgeMs;
      for (let i = this.rowIndexAt(cursor.pos); i < rows.length; i++) {
        const row = rows[i]!;
        if (row.n === 0 || row.at < minAt) continue;
        if (row.seq < pin) pin = row.seq;
        break;
      }
    }
    return pin;
  }

  /**
   * Index in the head log rows of the first row whose samples reach past
   * `pos` (batch rows are in position order; copies hold none), or its length.
   */
  private rowIndexAt(pos: number): number {
    const rows = this.head.rows;
    let lo = 0;
    let hi = rows.length;
    // Binary search on the batch rows' end positions; copies (n = 0) are skipped over by the callers.
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const row = rows[mid]!;
      const end = row.n === 0 ? this.endBefore(mid) : row.pos + row.n;
      if (end <= pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The end position of the nearest batch row at or before index i (for a copy row, which has none of its own). */
  private endBefore(i: number): number {
    const rows = this.head.rows;
    for (let j = i; j >= 0; j--) {
      const row = rows[j]!;
      if (row.n > 0) return row.pos + row.n;
    }
    return 0;
  }

  /** Adds targets or changes their age limit (a new one starts at the end); inside the caller's transaction. Returns each one's cursor. */
  targets(targets: readonly OutboxTarget[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const target of targets) {
      if (!(Number.isFinite(target.maxAgeMs) && target.maxAgeMs > 0)) throw new RangeError(`outbox target ${target.name}: maxAgeMs must be a positive number`);
      const current = this.cursors.get(target.name);
      // A new target sends what arrives from now on, not the history before it.
      const pos = current ? Math.min(current.pos, this.head.nextPos) : this.head.nextPos;
      if (!current || current.maxAgeMs !== target.maxAgeMs || current.pos !== pos) this.sql.saveCursor.run(target.name, pos, target.maxAgeMs);
      out[target.name] = pos;
    }
    return out;
  }

  /** Takes the cursors targets() saved, once its transaction has committed. */
  targetsCommitted(targets: readonly OutboxTarget[], cursors: Readonly<Record<string, number>>): void {
    for (const target of targets) this.cursors.set(target.name, { pos: cursors[target.name]!, maxAgeMs: target.maxAgeMs });
  }

  /** Deletes the cursors of targets gone for good; inside the caller's transaction (forgotten() once it commits). */
  forget(names: readonly string[]): void {
    for (const name of names) this.sql.deleteCursor.run(name);
  }

  forgotten(names: readonly string[]): void {
    for (const name of names) this.cursors.delete(name);
  }

  /** Samples logged from a position on, in the order they were logged (see OutboxReadRequest). */
  readFrom(request: OutboxReadRequest): OutboxBatch {
    const rows = this.head.rows;
    const nextPos = this.head.nextPos;
    const maxSamples = Math.max(1, Math.floor(request.maxSamples));
    const requested = Math.min(Math.max(0, Math.floor(request.from)), nextPos);
    let from = requested;
    let samplesFrom: number | undefined;
    const ids: number[] = [];
    const times: number[] = [];
    const values: number[] = [];
    let oldestAt: number | undefined;
    let i = this.rowIndexAt(from);
    for (; i < rows.length && ids.length < maxSamples; i++) {
      const row = rows[i]!;
      if (row.n === 0) continue;
      // Rows the cursor had not passed were pruned (older than any target still sends): counted as dropped.
      if (samplesFrom === undefined && row.pos > from) from = row.pos;
      const decoded = row.at < request.minAt ? undefined : this.decodeRow(row.seq, row.pos);
      if (!decoded) {
        // Too old for this target (or unreadable): dropped, unless samples were taken already, which must stay contiguous.
        if (samplesFrom !== undefined) break;
        from = row.pos + row.n;
        continue;
      }
      const start = from - row.pos;
      const take = Math.min(row.n - start, maxSamples - ids.length);
      if (samplesFrom === undefined) {
        samplesFrom = from;
        oldestAt = row.at;
      }
      for (let k = start; k < start + take; k++) {
        ids.push(decoded.ids[k]!);
        times.push(decoded.t[k]!);
        values.push(decoded.v[k]!);
      }
      from += take;
    }
    // Nothing left past the cursor: whatever lay between it and the end was pruned.
    if (samplesFrom === undefined && i >= rows.length) from = nextPos;
    const first = samplesFrom ?? from;
    const series: (SeriesRef & { id: number })[] = [];
    const seen = new Set<number>();
    for (const id of ids) {
      if (seen.has(id)) continue;
      seen.add(id);
      const ref = this.index.withId(id) ?? this.sentOnlyById.get(id);
      if (ref) series.push({ id, name: ref.name, labels: ref.labels });
    }
    return {
      from: first,
      to: first + ids.length,
      dropped: first - requested,
      ids: Float64Array.from(ids),
      t: Float64Array.from(times),
      v: Float64Array.from(values),
      series,
      ...(oldestAt !== undefined ? { oldestAt } : {}),
      end: nextPos,
    };
  }

  /** A target sent (or gave up on) everything before `pos`: its cursor moves there, durably. */
  ack(target: string, pos: number): void {
    const cursor = this.cursors.get(target);
    if (!cursor) throw new RangeError(`outbox target ${target} is not known`);
    const next = Math.min(Math.max(cursor.pos, Math.floor(pos)), this.head.nextPos);
    if (next === cursor.pos) return;
    this.sql.saveCursor.run(target, next, cursor.maxAgeMs);
    cursor.pos = next;
  }

  status(): OutboxStatus {
    const rows = this.head.rows;
    const cursors: Record<string, { pos: number; oldestAt?: number }> = {};
    for (const [name, cursor] of this.cursors) {
      let oldestAt: number | undefined;
      for (let i = this.rowIndexAt(cursor.pos); i < rows.length; i++) {
        const row = rows[i]!;
        if (row.n === 0) continue;
        oldestAt = row.at;
        break;
      }
      cursors[name] = { pos: cursor.pos, ...(oldestAt !== undefined ? { oldestAt } : {}) };
    }
    return { end: this.head.nextPos, cursors };
  }

  /** A head log row's samples as columns; the last one decoded is kept, since reads often resume inside it. */
  private decodeRow(seq: number, pos: number): { ids: Float64Array; t: Float64Array; v: Float64Array } | undefined {
    if (this.decodedRow?.seq === seq && this.decodedRow.pos === pos) return this.decodedRow;
    const data = this.sql.logData.get(seq) as Uint8Array | undefined;
    if (!data) return undefined;
    const count = readVarint(data, { offset: 0 });
    const ids = new Float64Array(count);
    const t = new Float64Array(count);
    const v = new Float64Array(count);
    let k = 0;
    decodeBatch(data, (id, ti, vi) => {
      ids[k] = id;
      t[k] = ti;
      v[k] = vi;
      k++;
    });
    this.decodedRow = { seq, pos, ids, t, v };
    return this.decodedRow;
  }
}
