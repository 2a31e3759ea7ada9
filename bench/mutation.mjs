// Mutation score per module, printed like a benchmark: for each module of
// bench/stryker.config.mjs, Stryker's run (in a sandbox copy, one module at a
// time), then the module's score and every mutant no test noticed, with the
// line it changed. Slow (minutes per module); run by hand, never in `npm test`:
//
//   npm run mutation [-- <module>…] [-- --concurrency 2]
//   npm run mutation -- --from-reports      print the last reports again, without running
//
// Score = (killed + timed out) / (killed + timed out + survived + not covered),
// Stryker's "total" score, with one correction: Stryker 9.6's vitest runner
// reports a mutant of module-level code that makes a test file throw while it
// loads (no test completes) as "survived" (stryker-js#6213); the suite goes
// red on it, so it is counted as killed here, and the count is printed.
// Reports stay in bench/results/mutation/<module>.json.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { modules } from './stryker.config.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
let concurrency = '1';
let run = true;
const names = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--concurrency') concurrency = args[++i] ?? concurrency;
  else if (args[i] === '--from-reports') run = false;
  else names.push(args[i]);
}
const unknown = names.filter((n) => !modules.some((m) => m.name === n));
if (unknown.length) {
  console.error(`unknown module ${unknown.join(', ')}; the modules are ${modules.map((m) => m.name).join(', ')}`);
  process.exit(2);
}
const chosen = names.length ? modules.filter((m) => names.includes(m.name)) : modules;

const KILLED = new Set(['Killed', 'Timeout']);
const COUNTED = new Set(['Killed', 'Timeout', 'Survived', 'NoCoverage']);

/** The text a mutant replaced, from the report's source and 1-based line / column range. */
function original(source, location) {
  const lines = source.split('\n');
  const { start, end } = location;
  if (start.line === end.line) return lines[start.line - 1].slice(start.column - 1, end.column - 1);
  return [lines[start.line - 1].slice(start.column - 1), ...lines.slice(start.line, end.line - 1), lines[end.line - 1].slice(0, end.column - 1)].join('\n');
}

const oneLine = (text, max = 90) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

const summary = [];
for (const module of chosen) {
  const report = path.join(root, 'bench/results/mutation', `${module.name}.json`);
  const started = Date.now();
  console.log(`\n== ${module.name}: ${module.mutate.join(', ')}  (tests: ${module.tests.join(', ')})`);
  let status = 0;
  if (run) {
    fs.rmSync(report, { force: true });
    status = spawnSync('npx', ['stryker', 'run', 'bench/stryker.config.mjs', '--concurrency', concurrency, '--reporters', 'json,progress'], {
      cwd: root,
      env: { ...process.env, OVERLOOK_MUTATION_MODULE: module.name },
      stdio: ['ignore', 'inherit', 'inherit'],
    }).status;
  }
  const minutes = run ? (Date.now() - started) / 60_000 : Number.NaN;
  if (status !== 0 || !fs.existsSync(report)) {
    console.log(`${module.name}: ${run ? `Stryker failed (exit ${status}); see its output above` : 'no report yet'}`);
    summary.push({ module: module.name, failed: true, minutes });
    continue;
  }
  const { files } = JSON.parse(fs.readFileSync(report, 'utf8'));
  const counts = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, other: 0 };
  let loadFailures = 0;
  const survivors = [];
  for (const [file, { source, mutants }] of Object.entries(files)) {
    for (const m of mutants) {
      if (m.status === 'Survived' && m.testsCompleted === 0 && m.coveredBy?.length) {
        m.status = 'Killed';
        loadFailures++;
      }
      if (m.status in counts) counts[m.status]++;
      else counts.other++;
      if (m.status === 'Survived' || m.status === 'NoCoverage') {
        survivors.push(`${path.relative(root, path.resolve(root, file))}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName}${m.status === 'NoCoverage' ? ' (no test runs it)' : ''}: ${oneLine(original(source, m.location))} → ${oneLine(m.replacement ?? '')}`);
      }
    }
  }
  const counted = Object.entries(counts).filter(([k]) => COUNTED.has(k)).reduce((a, [, n]) => a + n, 0);
  const killed = Object.entries(counts).filter(([k]) => KILLED.has(k)).reduce((a, [, n]) => a + n, 0);
  const score = counted ? (100 * killed) / counted : 100;
  summary.push({ module: module.name, score, killed, counted, survived: counts.Survived, noCoverage: counts.NoCoverage, other: counts.other, minutes });
  console.log(
    `${module.name}: score ${score.toFixed(1)} % (${killed} of ${counted} mutants killed, ${loadFailures} of them by a test file that failed to load; ${counts.Survived} survived, ${counts.NoCoverage} not covered, ${counts.other} compile errors or ignored)${run ? ` in ${minutes.toFixed(1)} min` : ''}`,
  );
  for (const s of survivors) console.log(`  survived ${s}`);
}

console.log('\nmodule        score    killed / mutants   survived   not covered   minutes');
for (const s of summary) {
  if (s.failed) console.log(`${s.module.padEnd(13)} ${run ? 'failed' : 'no report'}`);
  else console.log(`${s.module.padEnd(13)} ${`${s.score.toFixed(1)} %`.padStart(7)}   ${`${s.killed} / ${s.counted}`.padStart(16)}   ${String(s.survived).padStart(8)}   ${String(s.noCoverage).padStart(11)}   ${(run ? s.minutes.toFixed(1) : '—').padStart(7)}`);
}
if (summary.some((s) => s.failed)) process.exitCode = 1;
