// Label-pattern matching (`=~`) as the console does it (literal shapes without
// an engine, RE2 via re2js for the rest: linear time; a memo of answers) next
// to JavaScript's backtracking RegExp (what it used before), over
// the label values of a fleet: typical patterns a rule or a chart uses, and
// the pathological `(.|.)*Z` on which RegExp backtracks exponentially (run
// here only on short values, or it would not finish).
// Needs the compiled core: `npm run build`, then
//   node bench/label-patterns.mjs [series=50000]
import { performance } from 'node:perf_hooks';
import { matchesPattern } from '../dist/main/common/series.js';

const n = Number(process.argv[2] ?? 50_000);
const values = Array.from({ length: n }, (_, i) => `/srv/data/volume-${(i * 2654435761) % 1e9}-${i % 97}`);

function time(fn) {
  const start = performance.now();
  const hits = fn();
  return { ms: performance.now() - start, hits };
}

/** First pass over new values, then a second over the same ones (what a rule does every evaluation: answered from the memo). */
function re2(pattern, list) {
  matchesPattern(pattern, 'warm-up');
  const first = time(() => list.reduce((k, v) => k + (matchesPattern(pattern, v) ? 1 : 0), 0));
  const again = time(() => list.reduce((k, v) => k + (matchesPattern(pattern, v) ? 1 : 0), 0));
  return { ...first, againMs: again.ms };
}

function backtracking(pattern, list) {
  const re = new RegExp(`^(?:${pattern})$`, 's');
  return time(() => list.reduce((k, v) => k + (re.test(v) ? 1 : 0), 0));
}

const rows = [];
for (const pattern of ['/srv/data/.*', '.*-1[0-9]', '/srv/(data|logs)/volume-[0-9]+-(3|5|7)', 'nothing-matches-this']) {
  const a = re2(pattern, values);
  const b = backtracking(pattern, values);
  rows.push([pattern, n, a.ms, a.againMs, b.ms, a.hits === b.hits ? 'same' : `DIFFER ${a.hits}/${b.hits}`]);
}
// The pathological pattern: RegExp doubles its time with each character; 20 characters already take a while.
for (const length of [16, 20, 24]) {
  const short = values.slice(0, 50).map((v) => v.slice(0, length));
  const a = re2('(.|.)*Z', short);
  const b = backtracking('(.|.)*Z', short);
  rows.push([`(.|.)*Z on ${length}-char values`, short.length, a.ms, a.againMs, b.ms, a.hits === b.hits ? 'same' : 'DIFFER']);
}
const long = values.slice(0, n);
const pathological = re2('(.|.)*Z', long);
rows.push([`(.|.)*Z on ${long[0].length}+-char values`, n, pathological.ms, pathological.againMs, NaN, 'RegExp: not run (hours)']);

console.log(`label patterns over ${n} values: RE2 (re2js) vs backtracking RegExp, ms`);
console.log(['pattern', 'values', 'console 1st pass ms', 'console again ms', 'RegExp ms', '1st pass / RegExp', 'matches'].join('\t'));
for (const [pattern, count, a, again, b, same] of rows) {
  console.log([pattern, count, a.toFixed(1), again.toFixed(1), Number.isNaN(b) ? '—' : b.toFixed(1), Number.isNaN(b) ? '—' : (a / b).toFixed(1) + '×', same].join('\t'));
}
