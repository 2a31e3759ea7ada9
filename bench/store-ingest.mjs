// Bytes per sample on disk and ingest throughput of the history store, for a
// fleet replayed from a real agent capture (bench/fleet-replay.mjs: the real
// parser and deriveSamples, per-host variation), next to the naive layout —
// one row per sample, (series_id, t) indexed, plain better-sqlite3 inserts
// of the same rows — in the same run.
//   npx tsc -p main/tsconfig.json
//   node bench/store-ingest.mjs [hosts=200] [polls=360] [capture=bench/fixtures/agent-debian12-vm.capture.br]
// As in the core, samples are handed over once a second (each append holds
// the hosts whose poll fell in that second), and housekeeping runs every
// 10 s of sample time. Both run on this thread: this is the engine's cost on
// one core (the core runs it on the store's worker thread).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { DEFAULT_CAPTURE, kindOf, loadCapture, makeReplayFleet } from './fleet-replay.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { openSqliteStore } = await import(`${root}dist/main/core/store/sqliteStore.js`);
const { SampleChunkEncoder, chunkCoding, decodeAggregates } = await import(`${root}dist/main/core/store/chunkCodec.js`);
const { precisionOf, roundToPrecision } = await import(`${root}dist/main/core/store/precision.js`);
const { chunkWindowStart } = await import(`${root}dist/main/core/store/tiers.js`);

const hosts = Number(process.argv[2] ?? 200);
const polls = Number(process.argv[3] ?? 360);
const captureFile = process.argv[4] ?? DEFAULT_CAPTURE;
const t0 = Date.UTC(2025, 0, 1);
const capture = loadCapture(captureFile);

/** The appends of the run, [flush time, samples], the same for every call (same seed). */
function* flushes() {
  const fleet = makeReplayFleet(capture, { hosts, t0 });
  let batch = [];
  let flushAt = t0 + 1000;
  for (let p = 0; p < polls; p++) {
    for (const host of fleet) {
      while (host.peekT() >= flushAt) {
        if (batch.length) yield [flushAt, batch];
        batch = [];
        flushAt += 1000;
      }
      for (const s of host.next().samples) batch.push(s);
    }
  }
  if (batch.length) yield [flushAt, batch];
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
const sum = (xs) => xs.reduce((a, b) => a + b, 0);

// 1. The store.
const storeFile = join(dir, 'store.db');
let now = t0;
const store = openSqliteStore({ file: storeFile, now: () => now });
const appendMs = [];
const housekeepingMs = [];
let total = 0;
let flushIndex = 0;
let lastT = t0;
for (const [t, batch] of flushes()) {
  now = t;
  lastT = t;
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
const ingestMs = sum(appendMs) + sum(housekeepingMs);
const headBefore = store.stats().headSamples;
// Seal what is still open (as the grace period would), to count sealed bytes.
now += 20 * 60_000;
for (;;) {
  const r = store.housekeeping(now);
  if (!r.pending && r.seriesWorked === 0) break;
}
const stats = store.stats();
store.close();

const db = new Database(storeFile);
db.pragma('wal_checkpoint(TRUNCATE)');
const tables = db.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC').all();
const freeBytes = db.pragma('freelist_count', { simple: true }) * db.pragma('page_size', { simple: true });
const minuteStats = db.prepare('SELECT count(*) AS chunks, sum(length(data)) AS payload FROM rollup_1m_chunk').get();
const minuteRows = db.prepare('SELECT data FROM rollup_1m_chunk').pluck().all().reduce((n, data) => n + decodeAggregates(data).length, 0);
const chunks = db.prepare('SELECT s.name AS name, c.n AS n, c.data AS data FROM raw_chunk c JOIN series s ON s.id = c.series_id').all();
db.close();
const storeBytes = fileBytes(storeFile);
const tableBytes = (name) => tables.filter((r) => r.name === name).reduce((a, r) => a + r.bytes, 0);

const perKind = new Map();
for (const c of chunks) {
  const kind = kindOf(c.name);
  const k = perKind.get(kind) ?? { samples: 0, bytes: 0, series: new Set(), codings: { xor: 0, decimal: 0, legacy: 0 } };
  k.samples += c.n;
  k.bytes += c.data.length;
  k.series.add(c.name);
  k.codings[chunkCoding(c.data)] += c.n;
  perKind.set(kind, k);
}
const payload = sum([...perKind.values()].map((k) => k.bytes));
const sealedSamples = sum([...perKind.values()].map((k) => k.samples));

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
    const key = `${s.name}${JSON.stringify(s.labels)}`;
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
const naiveMs = sum(naiveAppendMs);
const naiveBytes = fileBytes(naiveFile);

// 3. What the precision buys, per kind: one host's series cut into the store's
// chunk windows, coded exactly as derived (XOR only, as before) and as stored.
const codecCompare = new Map();
{
  const [host] = makeReplayFleet(capture, { hosts: 1, t0 });
  const series = new Map();
  for (let p = 0; p < polls; p++) {
    for (const s of host.next().samples) {
      const key = `${s.name}${JSON.stringify(s.labels)}`;
      let entry = series.get(key);
      if (!entry) series.set(key, (entry = { name: s.name, id: series.size + 1, t: [], v: [] }));
      entry.t.push(s.t);
      entry.v.push(s.v);
    }
  }
  for (const s of series.values()) {
    const kind = kindOf(s.name);
    const c = codecCompare.get(kind) ?? { samples: 0, exactXor: 0, stored: 0 };
    const precision = precisionOf(s.name);
    let exact = new SampleChunkEncoder();
    let rounded = new SampleChunkEncoder();
    let window;
    const flush = () => {
      c.exactXor += exact.bytes().length;
      c.stored += rounded.sealedBytes().length;
      exact = new SampleChunkEncoder();
      rounded = new SampleChunkEncoder();
    };
    for (let i = 0; i < s.t.length; i++) {
      const w = chunkWindowStart(s.t[i], s.id);
      if (window !== undefined && w !== window) flush();
      window = w;
      exact.append(s.t[i], s.v[i]);
      rounded.append(s.t[i], roundToPrecision(s.v[i], precision));
    }
    flush();
    c.samples += s.t.length;
    codecCompare.set(kind, c);
  }
}

const rate = (n, t) => Math.round(n / (t / 1000)).toLocaleString('en-US');
const per = (bytes, n) => (bytes / n).toFixed(2);
const series = stats.series;
console.log(`capture: ${captureFile.replace(root, '')} (${capture.length} frames, ${(capture.at(-1).t - capture[0].t) / 60_000 | 0} min); replayed as ${hosts} hosts × ${polls} polls of 5 s`);
console.log(`samples: ${total.toLocaleString('en-US')}, series: ${series.toLocaleString('en-US')} (${(series / hosts).toFixed(0)} per host), appends of ${Math.round(total / appendMs.length).toLocaleString('en-US')} samples, ${(((lastT - t0) / 1000) | 0)} s of sample time`);
console.log(`ingest on one core: store ${rate(total, ingestMs)} samples/s (append ${ms(sum(appendMs))} + housekeeping ${ms(sum(housekeepingMs))}); naive inserts ${rate(total, naiveMs)} samples/s; store/naive ${(naiveMs / ingestMs).toFixed(2)}×`);
console.log(`  per append: store p50 ${ms(pct(appendMs, 0.5))}, p99 ${ms(pct(appendMs, 0.99))}, max ${ms(Math.max(...appendMs))}; naive p50 ${ms(pct(naiveAppendMs, 0.5))}, max ${ms(Math.max(...naiveAppendMs))}; housekeeping p50 ${ms(pct(housekeepingMs, 0.5))}, max ${ms(Math.max(...housekeepingMs))}`);
console.log(`  head at the end of ingest: ${headBefore.toLocaleString('en-US')} samples (then sealed)`);
console.log(`bytes/sample on disk: raw chunks ${per(tableBytes('raw_chunk'), total)} (pages; payload ${per(payload, sealedSamples)}); naive ${per(naiveBytes, total)} (whole file); naive/store raw ${(naiveBytes / tableBytes('raw_chunk')).toFixed(1)}×`);
console.log(`  whole store file ${per(storeBytes, total)}: raw chunks above + minute chunks ${per(tableBytes('rollup_1m_chunk'), total)} + hour chunks ${per(tableBytes('rollup_1h_chunk'), total)} + series and indexes ` +
  `${per(tableBytes('series') + tableBytes('sqlite_autoindex_series_1') + tableBytes('series_by_name'), total)} + free pages ${per(freeBytes, total)} ` +
  `(the head log's high-water mark, ~15 min of samples, reused as it turns over; series cost once, not per sample)`);
console.log(`  minute rollups: ${minuteRows.toLocaleString('en-US')} rows in ${minuteStats.chunks.toLocaleString('en-US')} chunks, ${(minuteStats.payload / minuteRows).toFixed(1)} bytes a row of payload, ${(tableBytes('rollup_1m_chunk') / minuteRows).toFixed(1)} with pages`);
console.log('per kind of series (unit): stored payload bytes/sample [share of samples; coding decimal/xor] | one host coded exact as derived (XOR) → as stored:');
for (const [kind, k] of [...perKind].sort((a, b) => b[1].samples - a[1].samples)) {
  const c = codecCompare.get(kind);
  const dec = Math.round((100 * k.codings.decimal) / k.samples);
  console.log(
    `  ${kind.padEnd(18)} ${per(k.bytes, k.samples).padStart(5)} [${((100 * k.samples) / sealedSamples).toFixed(0).padStart(2)} % of samples, ${k.series.size} metrics; ${dec}/${100 - dec}]` +
      (c ? ` | ${per(c.exactXor, c.samples)} → ${per(c.stored, c.samples)}` : ''),
  );
}
console.log('pages per table: ' + tables.map((r) => `${r.name} ${(r.bytes / 1e6).toFixed(1)} MB`).join(', '));
rmSync(dir, { recursive: true, force: true });
