// The series table and its in-memory index: every series by key, id and
// name, in the order they were created (housekeeping's round-robin order),
// and the rows behind them — a series' identity (name, canonical labels),
// its lateness, and its marks (sealed-up-to, hour-rolled-up-to, where each
// tier's retention has cut). Lookups on the append path and selector
// matching for queries read only memory; the table is read whole on open
// and after a failed transaction (load), since a rollback can leave the
// cached marks ahead of the rows.
import type Database from 'better-sqlite3';
import { matchesLabels, seriesKey, type Labels, type SeriesSelector } from '../../common/series.js';
import { precisionOf } from './precision.js';
import { HOUR_MS, chunkWindowStart, floorTo } from './tiers.js';
import type { SeriesState } from './seriesState.js';
import type { MetricNameInfo, SeriesInfo, SeriesRef } from './types.js';

export function canonicalLabelsJson(labels: Labels): string {
  const sorted: Record<string, string> = {};
  for (const name of Object.keys(labels).sort()) sorted[name] = labels[name]!;
  return JSON.stringify(sorted);
}

/** seriesKey of a valid reference, null for a name or labels the store refuses; cached per reference object. */
const refKeys = new WeakMap<object, string | null>();
export function keyOf(ref: SeriesRef): string | null {
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

function prepareStatements(db: Database.Database) {
  return {
    insertSeries: db.prepare('INSERT INTO series (key, name, labels, rolled_1m, rolled_1h, grace_ms) VALUES (?, ?, ?, ?, ?, ?)'),
    setGrace: db.prepare('UPDATE series SET grace_ms = ? WHERE id = ?'),
    setSealedTo: db.prepare('UPDATE series SET rolled_1m = ? WHERE id = ?'),
    saveMarks: db.prepare(
      'UPDATE series SET rolled_1m = ?, rolled_1h = ?, raw_from = ?, m1_from = ?, h1_from = ?, m1_merged = ? WHERE id = ?',
    ),
    allSeries: db.prepare(
      `SELECT id, name, labels, rolled_1m, rolled_1h, raw_from, m1_from, h1_from, m1_merged, grace_ms,
         (SELECT max(last_t) FROM raw_chunk WHERE series_id = s.id) AS last_raw,
         coalesce((SELECT max(t) FROM rollup_1m_chunk WHERE series_id = s.id), (SELECT max(t) FROM rollup_1m_block WHERE series_id = s.id)) AS last_1m,
         (SELECT max(last_t) FROM rollup_1h_chunk WHERE series_id = s.id) AS last_1h
       FROM series s WHERE kept = 1 ORDER BY id`,
    ),
  };
}

export class SeriesIndex {
  private readonly sql: ReturnType<typeof prepareStatements>;
  private readonly byKey = new Map<string, SeriesState>();
  private readonly byId = new Map<number, SeriesState>();
  private readonly byName = new Map<string, SeriesState[]>();
  private list: SeriesState[] = [];

  /** `defaultGraceMs`: the store's grace period; a series keeps its own only when larger. */
  constructor(
    db: Database.Database,
    private readonly defaultGraceMs: number,
  ) {
    this.sql = prepareStatements(db);
  }

  /** Every series, in the order they were created. */
  get all(): readonly SeriesState[] {
    return this.list;
  }

  withKey(key: string): SeriesState | undefined {
    return this.byKey.get(key);
  }

  withId(id: number): SeriesState | undefined {
    return this.byId.get(id);
  }

  /**
   * The series a selector names. Label patterns run on RE2's linear-time
   * engine (common/series.ts), so matching costs at most the labels' length
   * times the pattern's per series; `check`, called every 1,024 series with
   * how many were looked at, is how a query's time budget stops the rest.
   */
  matching(selector: SeriesSelector, check?: (done: number) => void): SeriesState[] {
    const named = this.byName.get(selector.name) ?? [];
    if (!selector.matchers?.length) return named.slice();
    const out: SeriesState[] = [];
    for (let i = 0; i < named.length; i++) {
      if (check && (i & 1023) === 1023) check(i);
      const s = named[i]!;
      if (matchesLabels(s.labels, selector.matchers)) out.push(s);
    }
    return out;
  }

  /** The series matching a selector as callers see them. */
  info(selector: SeriesSelector): SeriesInfo[] {
    return this.matching(selector).map((s) => {
      // Once raw retention has removed all raw samples, the newest rollup bucket start stands in.
      const lastT = s.lastT ?? s.last1m ?? s.last1h;
      return lastT === undefined ? { id: s.id, name: s.name, labels: s.labels } : { id: s.id, name: s.name, labels: s.labels, lastT };
    });
  }

  /** Every metric name, sorted, with how many series carry it and the newest sample among them (the rule editor's metric picker). */
  names(): MetricNameInfo[] {
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

  /**
   * Rebuilds the index from the series table, every head empty (the head log
   * is replayed after, head.ts). Series only sent (kept = 0) are the outbox's
   * (outbox.ts), never the history's.
   */
  load(): void {
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
      m1_merged: number;
      grace_ms: number;
    }>;
    for (const row of rows) {
      this.add({
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
        m1Merged: row.m1_merged,
        graceMs: Math.max(this.defaultGraceMs, row.grace_ms),
        precision: precisionOf(row.name),
        head: [],
      });
    }
  }

  /**
   * Writes the row of a new series whose first sample is at `t` and returns
   * its state, not yet in the index: the caller adds it (add) once the
   * transaction it runs in has committed. Runs inside that transaction.
   */
  insert(key: string, ref: SeriesRef, t: number, graceMs: number): SeriesState {
    const labels = Object.freeze({ ...ref.labels });
    // Marks start at the first sample, so housekeeping never walks the empty time before it.
    const id = Number(
      this.sql.insertSeries.run(key, ref.name, canonicalLabelsJson(labels), 0, floorTo(t, HOUR_MS), graceMs > this.defaultGraceMs ? graceMs : 0).lastInsertRowid,
    );
    const rolled1m = chunkWindowStart(t, id);
    this.sql.setSealedTo.run(rolled1m, id);
    return {
      id, name: ref.name, labels, lastT: undefined, stepMs: undefined, rolled1m, rolled1h: floorTo(t, HOUR_MS),
      last1m: undefined, last1h: undefined, rawFrom: 0, m1From: 0, h1From: 0, m1Merged: 0, graceMs, precision: precisionOf(ref.name), head: [],
    };
  }

  add(state: SeriesState): void {
    this.byKey.set(seriesKey(state.name, state.labels), state);
    this.byId.set(state.id, state);
    const named = this.byName.get(state.name);
    if (named) named.push(state);
    else this.byName.set(state.name, [state]);
    this.list.push(state);
  }

  /** Stores a series' larger grace and takes it at once; the caller puts the old value back if its transaction fails. */
  raiseGrace(state: SeriesState, graceMs: number): void {
    this.sql.setGrace.run(graceMs, state.id);
    state.graceMs = graceMs;
  }

  /** Writes a series' marks (sealed, rolled up, retention cuts) to its row; inside the caller's transaction. */
  saveMarks(state: SeriesState): void {
    this.sql.saveMarks.run(state.rolled1m, state.rolled1h, state.rawFrom, state.m1From, state.h1From, state.m1Merged, state.id);
  }
}
