// Ingest throughput, per-call latency and bytes per sample of the history
// store, next to plain better-sqlite3 inserts of the same rows (one row per
// sample, a (series_id, t) index) in the same run.
// Needs the compiled store: `npx tsc -p main/tsconfig.json`, then
//   node bench/store-ingest.mjs [hosts=200] [seriesPerHost=300] [polls=150]
// Data: bench/store-mix.mjs (agent-like series). As in the core, samples
// are handed over once a second: with hosts spread over the 5 s interval,
// each append holds a fifth of the hosts (12,000 samples at 200 × 300).
// Housekeeping runs every 10 s of sample time, as the core's timer does.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../dist/main/core/store/sqliteStore.js';
import { KINDS, hostBatch, makeFleet, pollTime } from './store-mix.mjs';

const hosts = Number(process.argv[2] ?? 200);
const perHost = Number(process.argv[3] ?? 300);
const polls = Number(process.argv[4] ?? 150);
const t0 = Date.UTC(2025, 0, 1);
const flushesPerPoll = 5;

/** Yields the appends of the run: [now, samples]. Deterministic, so both layouts get the same rows. */
function* flushes() {
  const fleet = makeFleet(hosts, perHost);
  for (let p = 0; p < polls; p++) {
    for (let f = 0; f < flushesPerPoll; f++) {
      const batch = [];
      for (let h = f; h < hosts; h += flushesPerPoll) {
        batch.push(...hostBatch(fleet, fleet.fleet[h], pollTime(t0, p, h, hosts, fleet.random)));
      }
      yield [t0 + p * 5000 + (f + 1) * 1000, batch];
    }
  }
}

const dir = mkdtempSync(join(tmpdir(), 'overlook-bench-'));
const fileBytes = (file) => {
  let bytes = statSync(file).size;
  try {
    bytes += statSync(`${file}-wal`).size;
  } catch {}
  return bytes;
};
const pct = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const ms = (x) => `${x.toFixed(1)} ms`;

// 1. The store.
const storeFile = join(dir, 'store.db');
let now = t0;
const store = openSqliteStore({ file: storeFile, now: () => now });
const appendMs = [];
const housekeepingMs = [];
let total = 0;
let flushIndex = 0;
for (const [t, batch] of flushes()) {
  now = t;
  const a0 = performance.now();
  store.append(batch);
  appendMs.push(performance.now() - a0);
  total += batch.length;
  if (++flushIndex % 10 === 0) {
    const h0 = performance.now();
    store.housekeeping(now);
    housekeepingMs.push(performance.now() - h0);
  }
}
const ingestMs = appendMs.reduce((a, b) => a + b, 0) + housekeepingMs.reduce((a, b) => a + b, 0);
const headBefore = store.stats().headSamples;
// Seal what is still open (as the grace period would), to count sealed bytes.
now += 20 * 60_000;
let sealMs = 0;
for (;;) {
  const h0 = performance.now();
  const r = store.housekeeping(now);
  sealMs += performance.now() - h0;
  if (!r.pending && r.seriesWorked === 0) break;
}
const stats = store.stats();
store.close();

const db = new Database(storeFile);
db.pragma('wal_checkpoint(TRUNCATE)');
const tables = db.prepare("SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC").all();
const perKind = db
  .prepare(
    `SELECT s.name AS name, sum(c.n) AS samples, sum(length(c.data)) AS bytes
     FROM raw_chunk c JOIN series s ON s.id = c.series_id GROUP BY s.name`,
  )
  .all();
const chunkRows = db.prepare('SELECT count(*) FROM raw_chunk').pluck().get();
db.close();
const storeBytes = fileBytes(storeFile);
const rawChunkBytes = tables.filter((r) => r.name.startsWith('raw_chunk') || r.name === 'sqlite_autoindex_raw_chunk_1').reduce((a, r) => a + r.bytes, 0);

// 2. Naive: one row per sample, the same rows, same pragmas, one transaction per append.
const naiveFile = join(dir, 'naive.db');
const naive = new Database(naiveFile);
naive.pragma('journal_mode = WAL');
naive.pragma('synchronous = NORMAL');
naive.exec('CREATE TABLE samples (series_id INTEGER NOT NULL, t INTEGER NOT NULL, v REAL NOT NULL)');
naive.exec('CREATE INDEX samples_by_series ON samples (series_id, t)');
const insert = naive.prepare('INSERT INTO samples (series_id, t, v) VALUES (?, ?, ?)');
const ids = new Map();
const insertBatch = naive.transaction((batch) => {
  for (const s of batch) {
    const key = `${s.name}|${s.labels.host}|${s.labels.idx}`;
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = ids.size + 1));
    insert.run(id, s.t, s.v);
  }
});
const naiveAppendMs = [];
for (const [, batch] of flushes()) {
  const a0 = performance.now();
  insertBatch(batch);
  naiveAppendMs.push(performance.now() - a0);
}
naive.pragma('wal_checkpoint(TRUNCATE)');
naive.close();
const naiveMs = naiveAppendMs.reduce((a, b) => a + b, 0);
const naiveBytes = fileBytes(naiveFile);

const rate = (n, t) => Math.round(n / (t / 1000)).toLocaleString('en-US');
console.log(`samples: ${total.toLocaleString('en-US')} (${hosts} hosts × ${perHost} series × ${polls} polls of 5 s), series: ${stats.series}, appends of ${Math.round(total / appendMs.length).toLocaleString('en-US')} samples`);
console.log(`store  ingest: ${rate(total, ingestMs)} samples/s on one core (append ${ms(appendMs.reduce((a, b) => a + b, 0))} + housekeeping ${ms(housekeepingMs.reduce((a, b) => a + b, 0))})`);
console.log(`       per append: p50 ${ms(pct(appendMs, 0.5))}, p99 ${ms(pct(appendMs, 0.99))}, max ${ms(Math.max(...appendMs))}; per housekeeping call: p50 ${ms(pct(housekeepingMs, 0.5))}, max ${ms(Math.max(...housekeepingMs))}`);
console.log(`       head at the end of ingest: ${headBefore.toLocaleString('en-US')} samples; sealing the rest took ${ms(sealMs)}`);
console.log(`naive  ingest: ${rate(total, naiveMs)} samples/s (per append p50 ${ms(pct(naiveAppendMs, 0.5))}, max ${ms(Math.max(...naiveAppendMs))})`);
console.log(`bytes/sample on disk: store ${(storeBytes / total).toFixed(2)} (whole file: raw chunks, minute chunks, hour rows, series, index), ` +
  `raw chunks alone ${(rawChunkBytes / total).toFixed(2)} (${chunkRows.toLocaleString('en-US')} chunks); naive ${(naiveBytes / total).toFixed(2)}`);
console.log('raw chunk payload per kind (bytes/sample): ' + perKind.map((k) => `${k.name.replace('bench_', '')} ${(k.bytes / k.samples).toFixed(2)}`).join(', '));
console.log('pages per table: ' + tables.map((r) => `${r.name} ${(r.bytes / 1e6).toFixed(1)} MB`).join(', '));
rmSync(dir, { recursive: true, force: true });
void KINDS;
