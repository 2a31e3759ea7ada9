// Bytes per sample on disk and ingest throughput of the history store, for a
// fleet replayed from a real agent capture (bench/fleet-replay.mjs: the real
// parser and deriveSamples, per-host variation), next to the naive layout —
// one row per sample, (series_id, t) indexed, plain better-sqlite3 inserts
// of the same rows — in the same run.
//   npx tsc -p main/tsconfig.json
//   node bench/store-ingest.mjs [hosts=200] [polls=360] [capture=bench/fixtures/agent-debian12-vm.capture.br] [days=2]
// Then the file at the default retention (raw 48 h, minutes 30 d, hours
// 365 d): one host replayed for `days` days (appended an hour at a time,
// housekeeping after each), then settled 8 h later so every minute block is
// merged as it is in steady state; bytes per tier per row from its pages,
// each minute column's bytes, and the projection for 200 hosts × 300 series.
// As in the core, samples are handed over once a second (each append holds
// the hosts whose poll fell in that second), and housekeeping runs every
// 10 s of sample time. Both run on this thread: this is the engine's cost on
// one core (the core runs it on the store's worker thread).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { DEFAULT_CAPTURE, kindOf, loadCapture, makeReplayFleet } from './fleet-replay.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { openSqliteStore } = await import(`${root}dist/main/core/store/sqliteStore.js`);
const { SampleChunkEncoder, aggregateChunkParts, chunkCoding, decodeAggregates } = await import(`${root}dist/main/core/store/chunkCodec.js`);
const { precisionOf, roundToPrecision } = await import(`${root}dist/main/core/store/precision.js`);
const { chunkWindowStart } = await import(`${root}dist/main/core/store/tiers.js`);

const hosts = Number(process.argv[2] ?? 200);
const polls = Number(process.argv[3] ?? 360);
const captureFile = process.argv[4] ?? DEFAULT_CAPTURE;
const projectionDays = Number(process.argv[5] ?? 2);
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
/** The main file's largest size during ingest (WAL aside): with auto_vacuum the head log's pages go back to the file system once sealed, so its high-water is only seen while it runs. */
let peakFile = 0;
for (const [t, batch] of flushes()) {
  now = t;
  lastT = t;
  const a0 = performance.now();
  store.append(batch);
  appendMs.push(performance.now() - a0);
  total += batch.length;
  if (flushIndex % 10 === 0) peakFile = Math.max(peakFile, statSync(storeFile).size);
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
const minuteChunks = db.prepare('SELECT s.name AS name, c.data AS data FROM rollup_1m_chunk c JOIN series s ON s.id = c.series_id').all();
const minuteRows = minuteChunks.reduce((n, c) => n + decodeAggregates(c.data).length, 0);
const minuteTenMinute = minuteParts(minuteChunks);
const chunks = db.prepare('SELECT s.name AS name, c.n AS n, c.data AS data FROM raw_chunk c JOIN series s ON s.id = c.series_id').all();
db.close();
const storeBytes = fileBytes(storeFile);
const tableBytes = (name) => tables.filter((r) => r.name === name).reduce((a, r) => a + r.bytes, 0);

/** Where the minute tier's payload goes: per column, and per kind of series. */
function minuteParts(chunks) {
  const total = { rows: 0, chunks: 0, header: 0, t: 0, min: 0, max: 0, sum: 0, count: 0 };
  const byKind = new Map();
  for (const c of chunks) {
    const p = aggregateChunkParts(c.data);
    const kind = kindOf(c.name);
    const k = byKind.get(kind) ?? { rows: 0, bytes: 0, codings: new Map() };
    k.rows += p.rows;
    k.bytes += c.data.length;
    p.columns.forEach((col, i) => {
      const name = ['min', 'max', 'sum', 'count'][i];
      total[name] += col.bytes;
      const key = `${name} ${col.coding}`;
      k.codings.set(key, (k.codings.get(key) ?? 0) + p.rows);
    });
    byKind.set(kind, k);
    total.rows += p.rows;
    total.chunks++;
    total.header += p.headerBytes;
    total.t += p.timeBytes;
  }
  return { total, byKind };
}
const printMinuteParts = ({ total, byKind }) => {
  const b = (x) => (x / total.rows).toFixed(2);
  console.log(`    ${total.rows.toLocaleString('en-US')} rows in ${total.chunks.toLocaleString('en-US')} chunks (${(total.rows / total.chunks).toFixed(0)} a chunk); payload per row: header ${b(total.header)} + starts ${b(total.t)} + min ${b(total.min)} + max ${b(total.max)} + sum ${b(total.sum)} + count ${b(total.count)} (column codings included)`);
  for (const [kind, k] of [...byKind].sort((x, y) => y[1].rows - x[1].rows)) {
    console.log(`    ${kind.padEnd(18)} ${(k.bytes / k.rows).toFixed(2)} B/row [${((100 * k.rows) / total.rows).toFixed(0)} % of rows]`);
  }
};

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
console.log(`  minute rollups, as sealed (ten-minute chunks, before housekeeping merges them into six-hour blocks): ${minuteRows.toLocaleString('en-US')} rows in ${minuteStats.chunks.toLocaleString('en-US')} chunks, ${(minuteStats.payload / minuteRows).toFixed(1)} bytes a row of payload, ${(tableBytes('rollup_1m_chunk') / minuteRows).toFixed(1)} with pages`);
printMinuteParts(minuteTenMinute);
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

// 4. The file at the default retention, per tier, and its projection.
let tsdbRaw = NaN;
{
  const file = join(dir, 'days.db');
  const [host] = makeReplayFleet(capture, { hosts: 1, t0 });
  let clock = t0;
  const days = openSqliteStore({ file, now: () => clock });
  let samples = 0;
  let headLogPeak = 0;
  const d0 = performance.now();
  for (let hour = 0; hour < projectionDays * 24; hour++) {
    const batch = [];
    while (host.peekT() < t0 + (hour + 1) * 3_600_000) for (const s of host.next().samples) batch.push(s);
    clock = t0 + (hour + 1) * 3_600_000;
    days.append(batch);
    samples += batch.length;
    for (let i = 0; i < 50 && days.housekeeping(clock).pending; i++);
  }
  const daysMs = performance.now() - d0;
  // 8 h later: the newest windows sealed, rolled into hours and merged into blocks, as all but the newest ~7 h are in steady state.
  clock += 8 * 3_600_000;
  for (;;) {
    const r = days.housekeeping(clock);
    if (!r.pending && r.seriesWorked === 0) break;
  }
  const series = days.stats().series;
  days.close();
  const peek = new Database(file);
  peek.pragma('wal_checkpoint(TRUNCATE)');
  const pages = new Map(peek.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name').raw(true).all());
  const rawSamples = peek.prepare('SELECT coalesce(sum(n), 0) FROM raw_chunk').pluck().get();
  const m1 = peek.prepare('SELECT s.name AS name, c.data AS data FROM (SELECT series_id, data FROM rollup_1m_block UNION ALL SELECT series_id, data FROM rollup_1m_chunk) c JOIN series s ON s.id = c.series_id').all();
  const h1 = peek.prepare('SELECT data FROM rollup_1h_chunk').pluck().all();
  const fill = peek.prepare("SELECT name, count(*) AS pages, sum(pgsize) AS bytes, sum(payload) AS payload, sum(unused) AS unused, sum(ncell) AS cells FROM dbstat WHERE name IN ('rollup_1m_block', 'rollup_1m_block_by_series', 'rollup_1m_chunk', 'raw_chunk', 'rollup_1h_chunk') GROUP BY name").all();
  peek.close();
  const parts = minuteParts(m1);
  const hourRows = h1.reduce((n, data) => n + decodeAggregates(data).length, 0);
  const perRaw = pages.get('raw_chunk') / rawSamples;
  tsdbRaw = perRaw;
  const perMinute = ((pages.get('rollup_1m_block') ?? 0) + (pages.get('rollup_1m_block_by_series') ?? 0) + pages.get('rollup_1m_chunk')) / parts.total.rows;
  const perHour = pages.get('rollup_1h_chunk') / hourRows;
  const perTenMinuteRow = tableBytes('rollup_1m_chunk') / minuteRows;
  const perSeries = (pages.get('series') + (pages.get('sqlite_autoindex_series_1') ?? 0) + (pages.get('series_by_name') ?? 0)) / series;
  // The head log's high-water mark (its pages and the free pages it leaves, reused as it turns over), per series, from run 1.
  const headLogPerSeries = (Math.max(0, peakFile - statSync(storeFile).size) + tableBytes('head_log') + freeBytes) / stats.series;
  // Per series at 5 s with the default retention: 2 days raw, 30 days of minutes of which the newest ~7 h wait in ten-minute chunks, 365 days of hours.
  const raw = perRaw * 2 * 17_280;
  const minutes = perMinute * (30 * 1440 - 7 * 60) + perTenMinuteRow * 7 * 60;
  const hours = perHour * 365 * 24;
  const fleet = 200 * 300;
  const gb = (x) => `${((x * fleet) / 1e9).toFixed(1)} GB`;
  console.log(`default retention, from one host replayed for ${projectionDays} days (${series} series, ${samples.toLocaleString('en-US')} samples, ${(daysMs / 1000).toFixed(0)} s), settled:`);
  console.log(`  on disk (pages) per tier: raw ${perRaw.toFixed(2)} B/sample, minute rollups ${perMinute.toFixed(2)} B/row in six-hour blocks (${perTenMinuteRow.toFixed(1)} in the ten-minute chunks the newest ~7 h wait in), hour rollups ${perHour.toFixed(2)} B/row`);
  printMinuteParts(parts);
  console.log('  page fill: ' + fill.map((f) => `${f.name} ${f.pages} pages, ${((100 * f.payload) / f.bytes).toFixed(0)} % payload, ${((100 * f.unused) / f.bytes).toFixed(0)} % unused, ${f.cells} cells`).join('; '));
  console.log(`  one series at 5 s: raw ${(raw / 1024).toFixed(0)} KiB + minutes ${(minutes / 1024).toFixed(0)} KiB + hours ${(hours / 1024).toFixed(0)} KiB + series row ${perSeries.toFixed(0)} B + head log high-water ${(headLogPerSeries / 1024).toFixed(1)} KiB`);
  console.log(`  200 hosts × 300 series: raw ${gb(raw)} + minutes ${gb(minutes)} + hours ${gb(hours)} + series and head log ${gb(perSeries + headLogPerSeries)} = ${gb(raw + minutes + hours + perSeries + headLogPerSeries)}`);
}

// 5. Prometheus's TSDB on the same samples: `promtool tsdb create-blocks-from openmetrics` (Debian's
// prometheus package) builds its two-hour blocks from the first `tsdbHours` of the same host's replay,
// values as the store keeps them (precision.ts), next to the store's raw chunks from section 4.
{
  const tsdbHours = 12;
  const [host] = makeReplayFleet(capture, { hosts: 1, t0 });
  const families = new Map();
  let samples = 0;
  while (host.peekT() < t0 + tsdbHours * 3_600_000) {
    for (const s of host.next().samples) {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}=${JSON.stringify(String(v))}`).join(',');
      const series = families.get(s.name) ?? new Map();
      families.set(s.name, series);
      const points = series.get(labels) ?? [];
      series.set(labels, points);
      points.push(`${roundToPrecision(s.v, precisionOf(s.name))} ${(s.t / 1000).toFixed(3)}`);
      samples++;
    }
  }
  const input = join(dir, 'samples.om');
  const lines = [];
  for (const [name, series] of families) {
    lines.push(`# TYPE ${name} unknown`);
    for (const [labels, points] of series) for (const p of points) lines.push(`${name}{${labels}} ${p}`);
  }
  lines.push('# EOF', '');
  writeFileSync(input, lines.join('\n'));
  const out = join(dir, 'tsdb');
  try {
    execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', input, out], { stdio: ['ignore', 'ignore', 'pipe'] });
    const walk = (d) => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
    const files = walk(out);
    const bytesOf = (f) => statSync(f).size;
    const chunkBytes = sum(files.filter((f) => /\/chunks\//.test(f)).map(bytesOf));
    const all = sum(files.map(bytesOf));
    const blocks = new Set(files.map((f) => f.slice(out.length + 1).split('/')[0])).size;
    console.log(
      `Prometheus TSDB (promtool tsdb create-blocks-from openmetrics), one host's first ${tsdbHours} h (${samples.toLocaleString('en-US')} samples, values as stored, ${blocks} blocks of 2 h): ` +
        `${(all / samples).toFixed(2)} B/sample (chunks ${(chunkBytes / samples).toFixed(2)} + index and meta ${((all - chunkBytes) / samples).toFixed(2)}); the store's raw chunks above ${tsdbRaw.toFixed(2)} B/sample in pages (${(tsdbRaw / (all / samples)).toFixed(2)}×)`,
    );
  } catch (err) {
    console.log(`Prometheus TSDB: promtool failed or is missing (${String(err.stderr ?? err.message).trim().split('\n')[0]}); scripts/ensure-system-deps.sh installs Debian's prometheus package`);
  }
}
rmSync(dir, { recursive: true, force: true });
