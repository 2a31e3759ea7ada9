// Ingest throughput and bytes per sample of the history store, next to plain
// better-sqlite3 inserts of the same rows (one row per sample) in the same run.
// Needs the compiled store: `npx tsc -p main/tsconfig.json`, then
//   node bench/store-ingest.mjs [hosts=40] [seriesPerHost=300] [polls=240]
// Data: every host sends one batch of all its series per 5 s poll (as the core
// appends one observation at a time); values are slow random walks, rounded
// the way derived gauges are (ratios, bytes/s), so the mix is realistic-ish.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { openMetricStore } from '../dist/main/core/store/sqlite-store.js';

const hosts = Number(process.argv[2] ?? 40);
const seriesPerHost = Number(process.argv[3] ?? 300);
const polls = Number(process.argv[4] ?? 240);
const intervalMs = 5_000;
const t0 = Date.UTC(2025, 0, 1);

// Seeded so both layouts see the same values run after run (mulberry32).
let seed = 42;
function random() {
  seed = (seed + 0x6d2b79f5) | 0;
  let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
}

const names = ['host:cpu_usage_ratio', 'node_memory_MemAvailable_bytes', 'host:network_receive_bytes:rate', 'node_load1', 'host:disk_read_bytes:rate'];
const seriesList = [];
for (let h = 0; h < hosts; h++) {
  for (let s = 0; s < seriesPerHost; s++) {
    const name = names[s % names.length];
    seriesList.push({ name, labels: { host: `host-${h}`, device: `d${Math.floor(s / names.length)}` }, value: random() * 1e6, kind: s % names.length });
  }
}

function nextValue(series) {
  series.value = Math.max(0, series.value + (random() - 0.5) * series.value * 0.02);
  // Ratios carry 4 decimals, byte counts and rates are whole numbers.
  return series.kind === 0 ? Math.round((series.value / 1e6) * 1e4) / 1e4 : series.kind === 3 ? Math.round(series.value / 1e4) / 100 : Math.round(series.value);
}

// Batches: [poll][host] → samples, generated once and shared by both runs.
const batches = [];
for (let p = 0; p < polls; p++) {
  for (let h = 0; h < hosts; h++) {
    const batch = [];
    for (let s = 0; s < seriesPerHost; s++) {
      const series = seriesList[h * seriesPerHost + s];
      batch.push({ name: series.name, labels: series.labels, t: t0 + p * intervalMs + h, v: nextValue(series) });
    }
    batches.push(batch);
  }
}
const totalSamples = hosts * seriesPerHost * polls;
const dir = mkdtempSync(join(tmpdir(), 'overlook-bench-'));

function fileBytes(file) {
  let bytes = statSync(file).size;
  try {
    bytes += statSync(`${file}-wal`).size;
  } catch {}
  return bytes;
}

// 1. The store: append per batch, housekeeping every 5 s of sample time as the core would.
const storeFile = join(dir, 'store.db');
const store = openMetricStore({ file: storeFile, now: () => t0 + polls * intervalMs });
let housekeepingMs = 0;
let start = performance.now();
for (let i = 0; i < batches.length; i++) {
  store.append(batches[i]);
  if ((i + 1) % hosts === 0) {
    const h0 = performance.now();
    store.housekeeping(t0 + ((i + 1) / hosts) * intervalMs);
    housekeepingMs += performance.now() - h0;
  }
}
const storeMs = performance.now() - start;
const stats = store.stats();

const queryTimes = {};
const probe = seriesList[7];
for (const [label, span] of [['1h', 3_600_000], ['15min', 900_000]]) {
  const to = t0 + polls * intervalMs;
  const q0 = performance.now();
  for (let i = 0; i < 20; i++) store.query({ selector: { name: probe.name, matchers: [{ label: 'host', op: '=', value: probe.labels.host }, { label: 'device', op: '=', value: probe.labels.device }] }, from: to - span, to, maxPoints: 1000 });
  queryTimes[label] = ((performance.now() - q0) / 20).toFixed(2);
}
store.close();
const storeBytes = fileBytes(storeFile);

// 2. Naive: one row per sample, the same rows, same pragmas, one transaction per batch.
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
    // The naive writer still needs a series id; a plain string key stands in for seriesKey.
    const key = `${s.name}|${s.labels.host}|${s.labels.device}`;
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = ids.size + 1));
    insert.run(id, s.t, s.v);
  }
});
start = performance.now();
for (const batch of batches) insertBatch(batch);
const naiveMs = performance.now() - start;
naive.close();
const naiveBytes = fileBytes(naiveFile);

const rate = (ms) => Math.round(totalSamples / (ms / 1000)).toLocaleString('en-US');
console.log(`samples: ${totalSamples.toLocaleString('en-US')} (${hosts} hosts × ${seriesPerHost} series × ${polls} polls of 5 s), series: ${stats.series}`);
console.log(`store  ingest: ${rate(storeMs)} samples/s (${storeMs.toFixed(0)} ms, of which housekeeping ${housekeepingMs.toFixed(0)} ms); ${(storeBytes / totalSamples).toFixed(1)} bytes/sample on disk (incl. 1m rollups)`);
console.log(`naive  ingest: ${rate(naiveMs)} samples/s (${naiveMs.toFixed(0)} ms); ${(naiveBytes / totalSamples).toFixed(1)} bytes/sample on disk (rowid table + (series_id, t) index)`);
console.log(`query one series at 1000 points: 1 h ${queryTimes['1h']} ms, 15 min ${queryTimes['15min']} ms`);
rmSync(dir, { recursive: true, force: true });
