// Query cost by range: one series at 1,000 points over 1 h, 24 h, 7 d and
// 30 d, and a 20-chart host screen (20 series, one query each), on a store
// holding 31 days of one host at 5 s with the default retention (raw 2 d,
// minutes 30 d, hours 1 y), so each range is served by the tier it picks.
// Needs the compiled store: `npx tsc -p main/tsconfig.json`, then
//   node bench/store-query.mjs [days=31] [series=20]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openSqliteStore } from '../dist/main/core/store/sqliteStore.js';
import { hostBatch, makeFleet, pollTime } from './store-mix.mjs';

const days = Number(process.argv[2] ?? 31);
const seriesCount = Number(process.argv[3] ?? 20);
const t0 = Date.UTC(2025, 0, 1);
const dir = mkdtempSync(join(tmpdir(), 'overlook-bench-'));
let now = t0;
const store = openSqliteStore({ file: join(dir, 'q.db'), now: () => now });
const fleet = makeFleet(1, seriesCount);
const host = fleet.fleet[0];
const pollsPerHour = 720;
const l0 = performance.now();
for (let hour = 0; hour < days * 24; hour++) {
  const batch = [];
  for (let p = 0; p < pollsPerHour; p++) batch.push(...hostBatch(fleet, host, pollTime(t0, hour * pollsPerHour + p, 0, 1, fleet.random)));
  now = t0 + (hour + 1) * 3_600_000;
  store.append(batch);
  for (let i = 0; i < 20 && store.housekeeping(now).pending; i++);
}
const loadMs = performance.now() - l0;
const end = now;

function median(fn, runs = 21) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const q0 = performance.now();
    fn();
    times.push(performance.now() - q0);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}
const selector = (s) => ({ name: s.name, matchers: [{ label: 'idx', op: '=', value: s.labels.idx }] });
const probe = host.series[0];
const spans = [['1 h', 3_600_000], ['24 h', 86_400_000], ['7 d', 7 * 86_400_000], ['30 d', 30 * 86_400_000]];
const lines = [];
for (const [label, span] of spans) {
  let info;
  const t = median(() => {
    [info] = store.query({ selector: selector(probe), from: end - span, to: end, maxPoints: 1000 });
  });
  lines.push(`${label}: ${t.toFixed(2)} ms (${info.tier}, step ${info.stepMs / 1000} s, ${info.points.length} points)`);
}
const screens = [];
for (const [label, span] of spans) {
  const t = median(() => {
    for (const s of host.series) store.query({ selector: selector(s), from: end - span, to: end, maxPoints: 1000 });
  }, 11);
  screens.push(`${label} ${t.toFixed(1)} ms`);
}
console.log(`store: ${days} days × ${host.series.length} series at 5 s (${(days * 24 * pollsPerHour * host.series.length).toLocaleString('en-US')} samples, loaded in ${(loadMs / 1000).toFixed(1)} s), ${(store.stats().sizeBytes / 1e6).toFixed(1)} MB`);
console.log(`one series at 1000 points: ${lines.join('; ')}`);
console.log(`20-chart host screen (20 queries at 1000 points): ${screens.join(', ')}`);
store.close();
rmSync(dir, { recursive: true, force: true });
