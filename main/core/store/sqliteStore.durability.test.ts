// Crash safety and a full disk, with real processes and a real file system:
// a child process ingests through the store's worker thread, as the core
// does, and is killed with SIGKILL at random points (the worker dies with the
// process that hosts it); a store on a 2 MiB tmpfs runs out of space and must
// recover when it returns, on the calling thread and through the worker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openInProcessMetricStore, openSqliteStore } from './sqliteStore.js';
import { openMetricStore } from './metricStore.js';
import type { MetricStore } from './types.js';
import { MINUTE_MS, SECOND_MS } from './tiers.js';

const REPO = resolve(import.meta.dirname, '../../..');
const T0 = Date.UTC(2025, 2, 10);
const SERIES = 40;
const STEP_MS = 30 * SECOND_MS; // 20 samples per chunk window: the runs cross many windows
/**
 * A fast machine writes thousands of batches (days of sample time) before the
 * kills: keep them all in the raw tier so every batch can be checked exactly.
 */
const LONG_RETENTION = { rawHours: 720, minuteDays: 400, hourDays: 3650 };

/** The value of series `s` in batch `i`: known to parent and child, so every sample can be checked. */
const VALUE_SOURCE = '(s, i) => (s % 4 === 0 ? i * 1000 + s : Math.round(Math.sin(i / 7 + s) * 1e6) / 100)';
const valueOf = eval(VALUE_SOURCE) as (s: number, i: number) => number;

let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'overlook-durability-'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** The store and its worker compiled to plain JS beside a node_modules link, as in dist/, so a plain `node` child can load them. */
function compileStore(): string {
  const out = join(work, 'build');
  execFileSync(
    join(REPO, 'node_modules/.bin/tsc'),
    ['--outDir', out, '--rootDir', REPO, '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022',
      '--skipLibCheck', '--strict', '--types', 'node', join(REPO, 'main/core/store/metricStore.ts'), join(REPO, 'main/core/store/storeWorker.ts')],
    { cwd: REPO, stdio: 'pipe' },
  );
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
  symlinkSync(join(REPO, 'node_modules'), join(out, 'node_modules'));
  return join(out, 'main/core/store/metricStore.js');
}

let compiled: string | undefined;
const storeModule = () => (compiled ??= compileStore());

function childSource(storeModule: string): string {
  return `
import { openMetricStore } from ${JSON.stringify(storeModule)};
const [file, firstBatch] = [process.argv[2], Number(process.argv[3])];
const valueOf = ${VALUE_SOURCE};
const step = ${STEP_MS};
const t0 = ${T0};
let now = t0 + firstBatch * step;
const store = openMetricStore({ file, now: () => now, retention: ${JSON.stringify(LONG_RETENTION)}, housekeeping: { maxMillis: 5 } });
for (let i = firstBatch; ; i++) {
  now = t0 + i * step;
  const batch = [];
  for (let s = 0; s < ${SERIES}; s++) batch.push({ name: 'm', labels: { s: String(s) }, t: now, v: valueOf(s, i) });
  await store.append(batch);
  process.stdout.write('committed ' + i + '\\n');
  if (i % 7 === 0) await store.housekeeping(now);
}
`;
}

describe('crash safety', () => {
  it('keeps every batch committed before a SIGKILL, at random points, and opens clean', async () => {
    const child = join(work, 'child.mjs');
    writeFileSync(child, childSource(storeModule()));
    const file = join(work, 'crash.db');
    let next = 0;
    let lastCommitted = -1;
    for (let run = 0; run < 6; run++) {
      const proc = spawn(process.execPath, [child, file, String(next)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
      proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
      // Wait for the first commit so every run ingests, then kill at a random point after it.
      await new Promise<void>((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`child never committed: ${err}`)), 20_000);
        proc.stdout.on('data', () => {
          if (out.includes('committed')) {
            clearTimeout(timer);
            done();
          }
        });
        proc.on('exit', () => fail(new Error(`child exited early: ${err}`)));
      });
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 700));
      proc.kill('SIGKILL');
      await new Promise((r) => proc.on('exit', r));
      const committed = [...out.matchAll(/committed (\d+)/g)].map((m) => Number(m[1]));
      expect(committed.length).toBeGreaterThan(0);
      lastCommitted = committed.at(-1)!;

      const db = new Database(file);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();

      const store = openSqliteStore({ file, now: () => T0 + (lastCommitted + 2) * STEP_MS, retention: LONG_RETENTION });
      try {
        for (const s of [0, 1, 17, SERIES - 1]) {
          const [range] = store.query({
            selector: { name: 'm', matchers: [{ label: 's', op: '=', value: String(s) }] },
            from: T0,
            to: T0 + (lastCommitted + 1) * STEP_MS,
            // A point per batch, however many a fast machine wrote: keeps the query on the raw tier.
            maxPoints: Math.max(5000, lastCommitted + 10),
          });
          expect(range!.tier).toBe('raw');
          const points = range!.points.filter((p) => p[0] <= T0 + lastCommitted * STEP_MS);
          // Every batch from the first up to the last reported one, each with its exact value.
          expect(points.length).toBe(lastCommitted + 1);
          for (const [t, avg] of points) expect(avg).toBe(valueOf(s, (t - T0) / STEP_MS));
        }
        // The batch in flight at the kill is there whole or not at all.
        const newest = store.series({ name: 'm' }).map((x) => x.lastT);
        expect(new Set(newest).size).toBe(1);
        next = (newest[0]! - T0) / STEP_MS + 1;
        expect(next === lastCommitted + 1 || next === lastCommitted + 2).toBe(true);
      } finally {
        store.close();
      }
    }
    // The runs crossed chunk windows, so sealing and head-log pruning were interrupted too.
    expect(lastCommitted * STEP_MS).toBeGreaterThan(3 * 10 * MINUTE_MS);
  }, 120_000);
});

describe('merging an old file\'s minute chunks, killed at random points', () => {
  it('leaves a file that opens and answers exactly as the schema-6 build did, after every SIGKILL', async () => {
    // fixtures/schema6-history.sqlite (three series, three days, ten-minute minute chunks in
    // layout 1) with its series copied 100 times over, so the merge takes seconds, not milliseconds.
    const fixtures = join(REPO, 'main/core/store/fixtures');
    const { END, answers } = JSON.parse(readFileSync(join(fixtures, 'schema6-answers.json'), 'utf8')) as {
      END: number;
      answers: Array<{ label: string; name: string; from: number; to: number; maxPoints: number; answer: Array<{ points: unknown }> }>;
    };
    const file = join(work, 'schema6-big.sqlite');
    copyFileSync(join(fixtures, 'schema6-history.sqlite'), file);
    const COPIES = 100;
    {
      const db = new Database(file);
      db.transaction(() => {
        for (let n = 1; n <= COPIES; n++) {
          // Ids ten apart keep each copy on its original's chunk windows (tiers.ts, chunkWindowOffset).
          db.prepare(
            `INSERT INTO series (id, key, name, labels, rolled_1m, rolled_1h, raw_from, m1_from, h1_from, grace_ms, kept)
             SELECT id + 10 * ?, key || '#' || ?, name, json_set(labels, '$.host', 'c' || ?), rolled_1m, rolled_1h, raw_from, m1_from, h1_from, grace_ms, kept
             FROM series WHERE id < 10`,
          ).run(n, String(n), String(n));
          for (const table of ['raw_chunk', 'rollup_1m_chunk', 'rollup_1h_chunk']) {
            const columns = (db.prepare(`SELECT name FROM pragma_table_info('${table}') WHERE name != 'series_id'`).pluck().all() as string[]).join(', ');
            db.prepare(`INSERT INTO ${table} (series_id, ${columns}) SELECT series_id + 10 * ?, ${columns} FROM ${table} WHERE series_id < 10`).run(n);
          }
        }
      })();
      db.close();
    }
    const sqliteModule = storeModule().replace(/metricStore\.js$/, 'sqliteStore.js');
    const child = join(work, 'merge-child.mjs');
    writeFileSync(
      child,
      `import { openSqliteStore } from ${JSON.stringify(sqliteModule)};
const store = openSqliteStore({ file: process.argv[2], now: () => ${END}, housekeeping: { maxMillis: 5 } });
process.stdout.write('opened\\n');
for (;;) {
  const r = store.housekeeping(${END});
  if (!r.pending && r.seriesWorked === 0) break;
}
store.close();
process.stdout.write('done\\n');
`,
    );
    const merged = () => {
      const db = new Database(file, { readonly: true });
      try {
        const blocks = db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'rollup_1m_block'").pluck().get() === 1;
        return db.prepare(`SELECT (SELECT count(*) FROM rollup_1m_chunk)${blocks ? ' + (SELECT count(*) FROM rollup_1m_block)' : ''}`).pluck().get() as number;
      } finally {
        db.close();
      }
    };
    const chunksBefore = merged();
    const checkAnswers = () => {
      const db = new Database(file);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
      const store = openSqliteStore({ file, now: () => END });
      try {
        for (const a of answers) {
          for (const host of ['h1', 'c37', `c${COPIES}`]) {
            const [range] = store.query({ selector: { name: a.name, matchers: [{ label: 'host', op: '=', value: host }] }, from: a.from, to: a.to, maxPoints: a.maxPoints });
            // The copies have no head log (its batches name the original series): they match up to the open chunks.
            const upTo = (points: unknown) => (points as number[][]).filter((p) => host === 'h1' || p[0]! < END - 2 * 3_600_000);
            expect(upTo(range?.points), `${a.label}, ${a.name} on ${host}`).toEqual(upTo(a.answer[0]!.points));
          }
        }
      } finally {
        store.close();
      }
    };
    let killedMidway = 0;
    for (let run = 0; run < 5; run++) {
      const proc = spawn(process.execPath, [child, file], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
      proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
      await new Promise<void>((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`child never opened the file: ${err}`)), 30_000);
        proc.stdout.on('data', () => {
          if (out.includes('opened')) {
            clearTimeout(timer);
            done();
          }
        });
        proc.on('exit', () => fail(new Error(`child exited early: ${err}`)));
      });
      await new Promise((r) => setTimeout(r, Math.random() * 600));
      proc.kill('SIGKILL');
      await new Promise((r) => proc.on('exit', r));
      if (!out.includes('done')) killedMidway++;
      checkAnswers();
    }
    // The kills landed while merging (the first one at least: the merge of 300 series takes seconds).
    expect(killedMidway).toBeGreaterThan(0);
    // Run to the end: every block merged, the same answers.
    execFileSync(process.execPath, [child, file], { stdio: 'pipe', timeout: 120_000 });
    expect(merged()).toBeLessThan(chunksBefore / 5);
    checkAnswers();
  }, 240_000);
});

describe('a store nobody closed', () => {
  it('does not keep its process alive once idle, and what it stored is there on the next open', async () => {
    const child = join(work, 'idle.mjs');
    const file = join(work, 'idle.db');
    writeFileSync(
      child,
      `import { openMetricStore } from ${JSON.stringify(storeModule())};
const store = openMetricStore({ file: process.argv[2], now: () => ${T0 + MINUTE_MS} });
await store.append([{ name: 'm', labels: {}, t: ${T0}, v: 1 }, { name: 'm', labels: {}, t: ${T0 + SECOND_MS}, v: 2 }]);
console.log(JSON.stringify((await store.stats()).series));
`,
    );
    const started = Date.now();
    const out = execFileSync(process.execPath, [child, file], { encoding: 'utf8', timeout: 30_000 });
    expect(out.trim()).toBe('1');
    // It ended by itself (execFileSync returned), well before the timeout.
    expect(Date.now() - started).toBeLessThan(30_000);
    const store = openSqliteStore({ file, now: () => T0 + MINUTE_MS });
    try {
      expect(store.query({ selector: { name: 'm' }, from: T0, to: T0 + MINUTE_MS, maxPoints: 100 })[0]!.points.map((p) => p[1])).toEqual([1, 2]);
    } finally {
      store.close();
    }
  });
});

describe('a full disk', () => {
  const mountPoint = join(tmpdir(), `overlook-tinyfs-${process.pid}`);

  beforeAll(() => {
    mkdirSync(mountPoint, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint]);
  });

  afterAll(() => {
    execFileSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  const modes: Array<[string, (file: string, now: () => number) => MetricStore]> = [
    ['on the calling thread', (file, now) => openInProcessMetricStore({ file, now })],
    ['through the worker', (file, now) => openMetricStore({ file, now })],
  ];
  for (const [mode, openStore] of modes) {
    it(`gives a clear error, corrupts nothing, and resumes once space returns (${mode})`, async () => {
      const file = join(mountPoint, 'h.db');
      for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
      // Room we can hand back later.
      writeFileSync(join(mountPoint, 'ballast'), Buffer.alloc(256 * 1024, 1));
      let now = T0;
      const store = openStore(file, () => now);
      let failure: Error | undefined;
      let stored = 0;
      let batch = 0;
      try {
        // Random values compress badly, so the file grows until the 2 MiB are gone.
        for (; batch < 100_000 && !failure; batch++) {
          now = T0 + batch * 5 * SECOND_MS;
          const samples = Array.from({ length: 200 }, (_, s) => ({ name: 'm', labels: { s: String(s) }, t: now, v: Math.random() }));
          try {
            await store.append(samples);
            stored = batch;
          } catch (err) {
            failure = err as Error;
            continue;
          }
          // Housekeeping may be what meets the full disk first: it must say so and leave the data alone.
          if (batch % 10 === 0) {
            try {
              await store.housekeeping(now);
            } catch (err) {
              expect((err as Error).message).toMatch(/housekeeping failed: .*disk is full/);
            }
          }
        }
        expect(failure?.message).toMatch(/could not store 200 samples: .*disk is full/);
        // What was stored before is intact and readable.
        const check = new Database(file, { readonly: true });
        expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
        check.close();
        const [range] = await store.query({ selector: { name: 'm', matchers: [{ label: 's', op: '=', value: '3' }] }, from: T0, to: now, maxPoints: 5000 });
        expect(range!.points.length).toBe(stored + 1);

        rmSync(join(mountPoint, 'ballast'));
        await store.append(Array.from({ length: 200 }, (_, s) => ({ name: 'm', labels: { s: String(s) }, t: now, v: 42 })));
        const [after] = await store.query({ selector: { name: 'm', matchers: [{ label: 's', op: '=', value: '3' }] }, from: T0, to: now + 1, maxPoints: 5000 });
        expect(after!.points.at(-1)).toEqual([now, 42, 42, 42]);
        expect(after!.points.length).toBe(stored + 2);
      } finally {
        await store.close();
      }
      const reopened = new Database(file, { readonly: true });
      expect(reopened.pragma('integrity_check', { simple: true })).toBe('ok');
      reopened.close();
    });
  }
});
