// watchProvisioningFile against the real file system (inotify here): edits in
// place, editor-style replace by rename, breakage, deletion and re-creation.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProvisioningParser, sectionOf, watchProvisioningFile, type ProvisioningResult, type ProvisioningWatcher } from './provisioning.js';
import { settingsSection } from './settingsSection.js';

const parse = createProvisioningParser([settingsSection]);
const settingsOf = (result: ProvisioningResult | undefined) => (result?.config ? sectionOf(result.config, settingsSection) : undefined);

let dir: string;
let file: string;
let watcher: ProvisioningWatcher | undefined;
let results: ProvisioningResult[];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'overlook-provisioning-'));
  file = path.join(dir, 'overlook.yaml');
  results = [];
});
afterEach(() => {
  watcher?.close();
  watcher = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

const settingsFile = (seconds: number) => `settings:\n  poll_interval: ${seconds}s\n`;

/** An editor's save: write a temporary file, rename it over the old one. */
function replaceByRename(target: string, text: string) {
  const temporary = `${target}.swp`;
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, target);
}

async function nextResult(count: number, timeoutMs = 3000): Promise<ProvisioningResult> {
  const deadline = Date.now() + timeoutMs;
  while (results.length < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} results within ${timeoutMs} ms, got ${results.length}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return results[count - 1]!;
}

function watch(pollMs = 60_000) {
  // A long poll interval: these tests show the directory watch reacts on its own.
  watcher = watchProvisioningFile(file, parse, (result) => results.push(result), { debounceMs: 50, pollMs });
  return watcher;
}

describe('watchProvisioningFile', () => {
  it('reads the file before returning, then follows edits, breakage and the fix', async () => {
    fs.writeFileSync(file, settingsFile(5));
    const handle = watch();
    expect(results).toHaveLength(1);
    expect(handle.current()).toBe(results[0]);
    expect(results[0]).toMatchObject({ file, applied: true, problems: [], config: { values: { settings: { pollIntervalMs: 5000 } } } });
    const firstLoadedAt = results[0]!.loadedAt;
    expect(firstLoadedAt).toEqual(expect.any(Number));

    fs.writeFileSync(file, settingsFile(7));
    const changed = await nextResult(2);
    expect(changed).toMatchObject({ applied: true, problems: [], config: { values: { settings: { pollIntervalMs: 7000 } } } });

    replaceByRename(file, 'settings:\n  poll_interval: 7q\n');
    const broken = await nextResult(3);
    expect(broken.applied).toBe(false);
    expect(settingsOf(broken)).toEqual({ pollIntervalMs: 7000 });
    expect(broken.loadedAt).toBe(changed.loadedAt);
    expect(broken.problems[0]).toMatchObject({ file, line: 2, column: 18, field: 'settings.poll_interval' });
    expect(broken.problems.at(-1)?.message).toMatch(/^not applied; the configuration loaded at .* stays in effect$/);

    replaceByRename(file, settingsFile(9));
    const fixed = await nextResult(4);
    expect(fixed).toMatchObject({ applied: true, problems: [], config: { values: { settings: { pollIntervalMs: 9000 } } } });
  });

  it('does not report a rewrite with the same contents again', async () => {
    fs.writeFileSync(file, settingsFile(5));
    watch();
    fs.writeFileSync(file, settingsFile(5));
    fs.writeFileSync(path.join(dir, 'unrelated.txt'), 'x');
    await new Promise((resolve) => setTimeout(resolve, 300));
    fs.writeFileSync(file, settingsFile(6));
    const next = await nextResult(2);
    expect(settingsOf(next)).toEqual({ pollIntervalMs: 6000 });
    expect(results).toHaveLength(2);
  });

  it('keeps the last good configuration while the file is deleted, and takes the re-created one', async () => {
    fs.writeFileSync(file, settingsFile(5));
    watch();
    fs.rmSync(file);
    const missing = await nextResult(2);
    expect(missing).toMatchObject({ applied: false, config: { values: { settings: { pollIntervalMs: 5000 } } } });
    expect(missing.problems[0]).toEqual({ file, message: 'the file does not exist' });

    fs.writeFileSync(file, settingsFile(11));
    const back = await nextResult(3);
    expect(back).toMatchObject({ applied: true, problems: [], config: { values: { settings: { pollIntervalMs: 11_000 } } } });
  });

  it('starts without a configuration when the file is missing or invalid, and picks it up once fixed', async () => {
    watch();
    expect(results[0]).toMatchObject({ config: null, applied: false, loadedAt: null });
    expect(results[0]!.problems.map((p) => p.message)).toEqual([
      'the file does not exist',
      'not applied; nothing from this file is in effect until it is fixed',
    ]);
    fs.writeFileSync(file, 'setings: {}\n');
    const invalid = await nextResult(2);
    expect(invalid).toMatchObject({ config: null, applied: false });
    expect(invalid.problems[0]?.field).toBe('setings');
    fs.writeFileSync(file, settingsFile(3));
    expect(await nextResult(3)).toMatchObject({ applied: true, config: { values: { settings: { pollIntervalMs: 3000 } } } });
  });

  it('finds the file by polling when its directory appears later (nothing to watch at start)', async () => {
    const later = path.join(dir, 'not-yet', 'overlook.yaml');
    watcher = watchProvisioningFile(later, parse, (result) => results.push(result), { debounceMs: 50, pollMs: 100 });
    expect(results[0]?.config).toBeNull();
    fs.mkdirSync(path.dirname(later));
    fs.writeFileSync(later, settingsFile(4));
    expect(await nextResult(2)).toMatchObject({ file: later, applied: true, config: { values: { settings: { pollIntervalMs: 4000 } } } });
  });

  it('stops reporting once closed', async () => {
    fs.writeFileSync(file, settingsFile(5));
    watch(100).close();
    fs.writeFileSync(file, settingsFile(6));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(results).toHaveLength(1);
  });

  it('says why a path it cannot use is refused: a directory, a file over 4 MiB, a path through a file', () => {
    fs.mkdirSync(file);
    watch();
    expect(results[0]).toMatchObject({ applied: false, config: null });
    expect(results[0]!.problems[0]).toEqual({ file, message: 'not a regular file' });
    watcher!.close();
    fs.rmdirSync(file);
    fs.writeFileSync(file, `# ${'x'.repeat(4 * 1024 * 1024)}\n`);
    watch();
    expect(results[1]).toMatchObject({ applied: false, config: null });
    expect(results[1]!.problems[0]).toEqual({ file, message: 'the file is larger than 4 MiB' });
    watcher!.close();
    // A path whose directory is a file is as missing as an absent file (ENOTDIR).
    watcher = watchProvisioningFile(path.join(file, 'overlook.yaml'), parse, (result) => results.push(result), { debounceMs: 50, pollMs: 60_000 });
    expect(results[2]).toMatchObject({ applied: false, config: null });
    expect(results[2]!.problems[0]).toMatchObject({ message: 'the file does not exist' });
  });
});
