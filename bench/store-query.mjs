// Query cost by range: one series at 1,000 points over 1 h, 24 h, 7 d and
// 30 d, and a 20-chart host screen (20 series, one query each), on a store
// holding 31 days of one host replayed from the real agent capture
// (bench/fleet-replay.mjs) at 5 s, default retention (raw 2 d, minutes 30 d,
// hours 1 y), so each range is served by the tier it picks. Peers in the same
// run: the same store answered through its worker thread (what the core
// sees: the engine's time plus the crossing), the naive layout (one row
// per sample, (series_id, t) indexed) bucketed in SQL, and a peer that also
// has rollups: plain SQLite tables of the same 1-minute and 1-hour rows
// (min, max, sum, count per series and bucket, WITHOUT ROWID keyed
// (series_id, t)), read from the tier the store's plan picks and bucketed in
// SQL — so the ratio against it is what the store's chunks cost or save,
// not what rollups save over a raw scan.
//   npx tsc -p main/tsconfig.json
//   node bench/store-query.mjs [days=31] [capture=bench/fixtures/agent-debian12-vm.capture.br]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { DEFAULT_CAPTURE, loadCapture, makeReplayFleet } from './fleet-replay.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { openSqliteStore } = await import(`${root}dist/main/core/store/sqliteStore.js`);
const { openMetricStore } = await import(`${root}dist/main/core/store/metricStore.js`);
const { planBuckets } = await import(`${root}dist/main/core/store/tiers.js`);

const days = Number(process.argv[2] ?? 31);
const captureFile = process.argv[3] ?? DEFAULT_CAPTURE;
const t0 = Date.UTC(2025, 0, 1);

/** The 20 series of the host screen: name and the labels beyond `host`. */
const SCREEN = [
  ['host:cpu_usage:ratio', {}],
  ['host:cpu_mode:ratio', { mode: 'user' }],
  ['host:cpu_mode:ratio', { mode: 'system' }],
  ['host:cpu_mode:ratio', { mode: 'iowait' }],
  ['host:cpu_mode:ratio', { mode: 'steal' }],
  ['host:cpu_core_usage:ratio', { cpu: '0' }],
  ['host:cpu_core_usage:ratio', { cpu: '1' }],
  ['node_load1', {}],
  ['node_load5', {}],
  ['node_load15', {}],
  ['host:memory_used:bytes', {}],
  ['host:memory_used:ratio', {}],
  ['host:swap_used:bytes', {}],
  ['host:filesystem_fullest_used:ratio', {}],
  ['host:network_receive_bytes:rate', {}],
  ['host:network_transmit_bytes:rate', {}],
  ['host:disk_read_bytes:rate', {}],
  ['host:disk_written_bytes:rate', {}],
  ['node_network_receive_packets:rate', { device: 'eth0' }],
  ['node_disk_io_time_seconds:rate', { device: 'vda' }],
];
const wanted = new Map(SCREEN.map(([name, labels], i) => [`${name}${JSON.stringify(Object.entries(labels))}`, i]));
const screenKey = (s) => {
  const { host, ...rest } = s.labels;
  return `${s.name}${JSON.stringify(Object.entries(rest))}`;
};

const dir = mkdtempSync(join(tmpdir(), 'overlook-bench-'));
const file = join(dir, 'q.db');
let now = t0;
const store = openSqliteStore({ file, now: () => now });
const naive = new Database(join(dir, 'naive.db'));
naive.pragma('journal_mode = WAL');
naive.pragma('synchronous = NORMAL');
naive.exec('CREATE TABLE samples (series_id INTEGER NOT NULL, t INTEGER NOT NULL, v REAL NOT NULL)');
naive.exec('CREATE INDEX samples_by_series ON samples (series_id, t)');
const insert = naive.prepare('INSERT INTO samples (series_id, t, v) VALUES (?, ?, ?)');
for (const tier of ['rollup_1m', 'rollup_1h']) {
  naive.exec(`CREATE TABLE ${tier} (series_id INTEGER NOT NULL, t INTEGER NOT NULL, min REAL NOT NULL, max REAL NOT NULL, sum REAL NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (series_id, t)) WITHOUT ROWID`);
}
const upsert = Object.fromEntries(
  ['rollup_1m', 'rollup_1h'].map((tier) => [
    tier,
    naive.prepare(
      `INSERT INTO ${tier} (series_id, t, min, max, sum, count) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (series_id, t) DO UPDATE SET min = min(min, excluded.min), max = max(max, excluded.max), sum = sum + excluded.sum, count = count + excluded.count`,
    ),
  ]),
);
const insertAll = naive.transaction((rows) => {
  for (const [id, t, v] of rows) insert.run(id, t, v);
  for (const [tier, width] of [['rollup_1m', 60_000], ['rollup_1h', 3_600_000]]) {
    const buckets = new Map();
    for (const [id, t, v] of rows) {
      const key = `${id} ${t - (t % width)}`;
      const b = buckets.get(key);
      if (b) {
        b[2] = Math.min(b[2], v);
        b[3] = Math.max(b[3], v);
        b[4] += v;
        b[5]++;
      } else buckets.set(key, [id, t - (t % width), v, v, v, 1]);
    }
    for (const b of buckets.values()) upsert[tier].run(...b);
  }
});

const [host] = makeReplayFleet(loadCapture(captureFile), { hosts: 1, t0 });
const pollsPerHour = 720;
const l0 = performance.now();
let samples = 0;
const found = new Set();
for (let hour = 0; hour < days * 24; hour++) {
  const batch = [];
  const rows = [];
  for (let p = 0; p < pollsPerHour; p++) {
    for (const s of host.next().samples) {
      const i = wanted.get(screenKey(s));
      if (i === undefined) continue;
      found.add(i);
      batch.push(s);
      rows.push([i + 1, s.t, s.v]);
    }
  }
  now = t0 + (hour + 1) * 3_600_000;
  store.append(batch);
  insertAll(rows);
  samples += batch.length;
  for (let i = 0; i < 20 && store.housekeeping(now).pending; i++);
}
if (found.size !== SCREEN.length) throw new Error(`the capture lacks ${SCREEN.filter((_, i) => !found.has(i)).map((s) => s[0]).join(', ')}`);
const loadMs = performance.now() - l0;
const end = now;
const sizeMb = store.stats().sizeBytes / 1e6;

// What each tier costs on disk, per row and per series, after a month at the default retention.
const { decodeAggregates } = await import(`${root}dist/main/core/store/chunkCodec.js`);
const peek = new Database(file, { readonly: true });
const pages = new Map(peek.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name').raw(true).all());
const rawSamples = peek.prepare('SELECT coalesce(sum(n), 0) FROM raw_chunk').pluck().get();
const rowsIn = (table) => peek.prepare(`SELECT data FROM ${table}`).pluck().all().reduce((n, data) => n + decodeAggregates(data).length, 0);
// Merged six-hour minute blocks (schema 7 on) beside the ten-minute chunks.
const hasBlocks = pages.has('rollup_1m_block');
const minuteRows = rowsIn('rollup_1m_chunk') + (hasBlocks ? rowsIn('rollup_1m_block') : 0);
const hourRows = rowsIn('rollup_1h_chunk');
peek.close();
const perRaw = pages.get('raw_chunk') / rawSamples;
const perMinute = (pages.get('rollup_1m_chunk') + (pages.get('rollup_1m_block') ?? 0) + (pages.get('rollup_1m_block_by_series') ?? 0)) / minuteRows;
const perHour = pages.get('rollup_1h_chunk') / hourRows;
// One series every 5 s: raw 2 days, minutes 30 days, hours 365 days (the defaults).
const kb = (x) => `${(x / 1024).toFixed(0)} KiB`;
const footprint = { raw: perRaw * 2 * 17_280, minutes: perMinute * 30 * 1440, hours: perHour * 365 * 24 };

async function median(fn, runs = 15) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const q0 = performance.now();
    await fn();
    times.push(performance.now() - q0);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}
const selector = ([name, labels]) => ({ name, matchers: [{ label: 'host', op: '=', value: host.name }, ...Object.entries(labels).map(([label, value]) => ({ label, op: '=', value }))] });
const naiveBuckets = naive.prepare(
  'SELECT t - t % @step AS b, avg(v), min(v), max(v) FROM samples WHERE series_id = @id AND t >= @from AND t < @to GROUP BY b ORDER BY b',
).raw(true);
const rollupBuckets = Object.fromEntries(
  ['rollup_1m', 'rollup_1h'].map((tier) => [
    tier,
    naive.prepare(`SELECT t - t % @step AS b, sum(sum) / sum(count), min(min), max(max) FROM ${tier} WHERE series_id = @id AND t >= @from AND t < @to GROUP BY b ORDER BY b`).raw(true),
  ]),
);
/** The peer with rollups: the tier the store's plan picks (raw rows when it picks raw). */
const rollupQuery = (i, from, to) => {
  const { tier, stepMs, start, end: planEnd } = planBuckets(from, to, 1000);
  const statement = tier === 'raw' ? naiveBuckets : rollupBuckets[tier === '1m' ? 'rollup_1m' : 'rollup_1h'];
  return statement.all({ step: stepMs, id: i + 1, from: start, to: planEnd });
};
const naiveQuery = (i, from, to) => {
  const { stepMs, start, end: planEnd } = planBuckets(from, to, 1000);
  return naiveBuckets.all({ step: stepMs, id: i + 1, from: start, to: planEnd });
};
const spans = [['1 h', 3_600_000], ['24 h', 86_400_000], ['7 d', 7 * 86_400_000], ['30 d', 30 * 86_400_000]];

const worker = openMetricStore({ file: join(dir, 'q.db'), now: () => end });
const one = [];
const screen = [];
for (const [label, span] of spans) {
  let info;
  const inProcess = await median(() => {
    [info] = store.query({ selector: selector(SCREEN[0]), from: end - span, to: end, maxPoints: 1000 });
  });
  const viaWorker = await median(() => worker.query({ selector: selector(SCREEN[0]), from: end - span, to: end, maxPoints: 1000 }));
  const naiveMs = await median(() => naiveQuery(0, end - span, end), 5);
  const rollupMs = await median(() => rollupQuery(0, end - span, end));
  one.push({ label, inProcess, viaWorker, naiveMs, rollupMs, info });
  const sInProcess = await median(() => {
    for (const s of SCREEN) store.query({ selector: selector(s), from: end - span, to: end, maxPoints: 1000 });
  }, 9);
  const sWorker = await median(() => Promise.all(SCREEN.map((s) => worker.query({ selector: selector(s), from: end - span, to: end, maxPoints: 1000 }))), 9);
  const sNaive = await median(() => SCREEN.forEach((_, i) => naiveQuery(i, end - span, end)), 3);
  const sRollup = await median(() => SCREEN.forEach((_, i) => rollupQuery(i, end - span, end)), 9);
  screen.push({ label, sInProcess, sWorker, sNaive, sRollup });
}
await worker.close();
store.close();
naive.close();

const f = (x) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
console.log(`store: ${days} days × ${SCREEN.length} series of one replayed host at 5 s (${samples.toLocaleString('en-US')} samples, loaded in ${(loadMs / 1000).toFixed(1)} s), ${sizeMb.toFixed(1)} MB`);
console.log(`on disk (pages): raw ${perRaw.toFixed(2)} bytes a sample, minute rollups ${perMinute.toFixed(1)} bytes a row, hour rollups ${perHour.toFixed(1)} bytes a row; ` +
  `one series at 5 s with the default retention holds raw ${kb(footprint.raw)} + minutes ${kb(footprint.minutes)} + hours ${kb(footprint.hours)} = ${kb(footprint.raw + footprint.minutes + footprint.hours)}`);
console.log('one series at 1000 points (median ms): store engine / through the worker / SQLite rollup tables / naive rows in SQL');
for (const r of one)
  console.log(
    `  ${r.label.padEnd(5)} ${f(r.inProcess)} / ${f(r.viaWorker)} / ${f(r.rollupMs)} / ${f(r.naiveMs)}   (${r.info.tier}, step ${r.info.stepMs / 1000} s, ${r.info.points.length} points; ` +
      `rollup tables/store ${(r.rollupMs / r.inProcess).toFixed(1)}×, naive/store ${(r.naiveMs / r.inProcess).toFixed(0)}×)`,
  );
console.log(`  30 d vs 1 h: ${(one[3].inProcess / one[0].inProcess).toFixed(1)}× the cost`);
console.log('20-chart host screen (20 queries at 1000 points, median ms): store engine / through the worker (20 in flight) / SQLite rollup tables / naive');
for (const r of screen) console.log(`  ${r.label.padEnd(5)} ${f(r.sInProcess)} / ${f(r.sWorker)} / ${f(r.sRollup)} / ${f(r.sNaive)}   (rollup tables/store ${(r.sRollup / r.sInProcess).toFixed(1)}×)`);
rmSync(dir, { recursive: true, force: true });
