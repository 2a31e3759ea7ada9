// A full disk under the running core (a real 3 MiB tmpfs holding the data
// dir): writes fail with the database's own message, which app/info carries
// to the Settings screen with the samples lost, and the core keeps running;
// once space is freed the next write succeeds and the error clears by itself.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreContext } from './coreContext.js';
import { startTestCore } from '../testing/testCore.js';

const mount = path.join(os.tmpdir(), `ovl-corefull-${process.pid}`);
const cleanups: (() => Promise<void> | void)[] = [];
// A batch of its own, written before ingest resolves (the samples start an hour back).
const WRITE_NOW = { maxDelayMs: 4 * 3_600_000 };

beforeAll(() => {
  fs.mkdirSync(mount, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mount]);
});
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  execFileSync('umount', [mount]);
  fs.rmSync(mount, { recursive: true, force: true });
});

describe('the core on a disk that fills up', () => {
  it('says so in app/info (error, since when, samples lost), keeps running, and clears once space returns', async () => {
    let ctx: CoreContext | undefined;
    const c = await startTestCore(
      {
        prefix: `${path.basename(mount)}/core-`,
        features: [(x) => ((ctx = x), { name: 'test ingest' })],
        answers: () => false,
      },
      cleanups,
    );
    expect(c.dataDir.startsWith(mount)).toBe(true);
    const ballast = path.join(mount, 'ballast');
    fs.writeFileSync(ballast, Buffer.alloc(512 * 1024, 1));
    const info = () => c.call('app/info');
    expect((await info()).store).toMatchObject({ writeError: null, samplesLost: 0 });

    // Random values compress badly: the history grows until the disk is full.
    let t = Date.now() - 3_600_000;
    const batch = (v: () => number) => Array.from({ length: 300 }, (_, s) => ({ name: 'm', labels: { s: String(s) }, t, v: v() }));
    let failedAt: number | undefined;
    for (let i = 0; i < 20_000 && failedAt === undefined; i++) {
      t += 5_000;
      await ctx!.ingest(batch(Math.random), WRITE_NOW);
      if ((await info()).store.writeError) failedAt = i;
    }
    expect(failedAt).toBeDefined();
    const full = (await info()).store;
    expect(full.writeError!.message).toMatch(/could not store 300 samples: .*disk is full/);
    expect(full.samplesLost).toBe(300);
    expect(full.writeError!.since).toBe(full.writeError!.at);
    expect(c.log.lines.some((l) => /error.*could not write samples to history/.test(l))).toBe(true);
    // Still failing: the same error, since the first failure, more samples lost.
    t += 5_000;
    await ctx!.ingest(batch(Math.random), WRITE_NOW);
    const still = (await info()).store;
    expect(still.writeError?.since).toBe(full.writeError!.since);
    expect(still.samplesLost).toBe(full.samplesLost + 300);

    fs.rmSync(ballast);
    t += 5_000;
    await ctx!.ingest(batch(() => 42), WRITE_NOW);
    const back = (await info()).store;
    expect(back.writeError).toBeNull();
    expect(back.samplesLost).toBe(still.samplesLost);
    const [series] = await c.call('series/query', { selectors: [{ name: 'm', matchers: [{ label: 's', op: '=', value: '7' }] }], from: t - 1, to: t + 1, maxPoints: 10 });
    expect(series!.points.at(-1)).toEqual([t, 42, 42, 42]);
  }, 120_000);
});
