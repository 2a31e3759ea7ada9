// Sealing: a finished window's open chunk leaves the head for good, as one
// raw_chunk row (its samples, in the smaller of the codec's two codings) and
// one rollup_1m_chunk row (its minute aggregates, built as the samples
// arrived, head.ts), and the series' sealed-up-to mark moves past it — all in
// the caller's transaction, so a window is either sealed with its minutes
// and its mark or not at all. A sealed window never takes another sample,
// which is why a sample for it is late (housekeeping later merges minute
// chunks, rows unchanged, into six-hour blocks). Called by append for windows a batch
// has finished and by housekeeping for windows whose grace period has passed.
import type Database from 'better-sqlite3';
import { encodeAggregates } from './chunkCodec.js';
import { CHUNK_WINDOW_MS } from './tiers.js';
import type { SeriesIndex } from './seriesIndex.js';
import type { SeriesState } from './seriesState.js';

/** What sealing adds to a housekeeping report. */
export interface SealCounts {
  sealedChunks: number;
  minuteBuckets: number;
}

function prepareStatements(db: Database.Database) {
  return {
    insertRawChunk: db.prepare('INSERT INTO raw_chunk (series_id, t, last_t, n, data) VALUES (?, ?, ?, ?, ?)'),
    insertMinuteChunk: db.prepare('INSERT INTO rollup_1m_chunk (series_id, t, data) VALUES (?, ?, ?)'),
  };
}

export class ChunkSealer {
  private readonly sql: ReturnType<typeof prepareStatements>;

  constructor(
    db: Database.Database,
    private readonly index: SeriesIndex,
  ) {
    this.sql = prepareStatements(db);
  }

  /**
   * Seals the finished windows of a series: every open chunk but the newest,
   * and the newest too once `now` is past its end plus the grace period.
   * Runs inside a transaction; the head is trimmed as it goes (a rollback
   * reloads it from the head log).
   */
  sealFinished(state: SeriesState, now: number, counts: SealCounts | undefined): boolean {
    let sealed = false;
    while (state.head.length > 0) {
      const open = state.head[0]!;
      const end = open.start + CHUNK_WINDOW_MS;
      if (state.head.length === 1 && now < end + state.graceMs) break;
      this.sql.insertRawChunk.run(state.id, open.start, open.lastT, open.encoder.count, open.encoder.sealedBytes());
      // Layout 2: sealing is on the ingest path, and layout 3 costs 2–3× its time for ten rows that
      // housekeeping merges into a six-hour block (written in layout 3) within hours anyway.
      this.sql.insertMinuteChunk.run(state.id, open.start, encodeAggregates(open.minutes, 2));
      state.head.shift();
      state.rolled1m = end;
      state.last1m = open.start;
      sealed = true;
      if (counts) {
        counts.sealedChunks++;
        counts.minuteBuckets += open.minutes.length;
      }
    }
    if (sealed) this.index.saveMarks(state);
    return sealed;
  }
}
