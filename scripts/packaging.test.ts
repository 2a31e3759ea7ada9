// The packaged desktop app's files, checked rather than hoped for: runs
// electron-builder itself (`--dir`, the unpacked app directory) with this
// repository's electron-builder.yml, against a stand-in Electron distribution
// (a directory holding a fake `electron` executable, as `electronDist` allows)
// and with the native rebuild off (it downloads Electron's headers). Then it
// reads the produced app.asar with @electron/asar, the library electron-builder
// packs with, and compares it with what the core opens at run time.
// Needs the build (npm run build), which `npm test` runs first.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getRawHeader, listPackage, extractFile } from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAppFile } from '../main/core/appFiles.js';
import { AGENT_RELATIVE_PATH } from '../main/core/sources/agent/agentScript.js';
import { MAPPINGS_RELATIVE_DIR } from '../main/core/cloud/mappings/loadMappings.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const BUILD_TIMEOUT_MS = 300_000;

let work: string;
let resources: string;
let asar: string;
/** Every file in app.asar, relative, with whether it was unpacked. */
let packed: Map<string, { unpacked: boolean }>;
/** Every file in app.asar.unpacked, relative. */
let unpackedFiles: Set<string>;

function walk(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? walk(full, base) : [path.relative(base, full).split(path.sep).join('/')];
  });
}

interface HeaderNode {
  files?: Record<string, HeaderNode>;
  unpacked?: boolean;
  size?: number;
  link?: string;
}

function headerFiles(node: HeaderNode, prefix = ''): [string, { unpacked: boolean }][] {
  return Object.entries(node.files ?? {}).flatMap(([name, child]) => {
    const rel = prefix ? `${prefix}/${name}` : name;
    return child.files ? headerFiles(child, rel) : [[rel, { unpacked: child.unpacked === true }] as [string, { unpacked: boolean }]];
  });
}

beforeAll(() => {
  for (const built of ['dist/main/electron/main.js', 'dist/preload/preload.cjs', 'dist/renderer/index.html']) {
    if (!fs.existsSync(path.join(root, built))) throw new Error(`${built} is missing: run npm run build first (npm test does)`);
  }
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-packaging-'));
  const electronDist = path.join(work, 'electron-dist');
  fs.mkdirSync(electronDist);
  fs.writeFileSync(path.join(electronDist, 'electron'), '#!/bin/sh\necho "a stand-in for Electron: the packaging check does not run the app" >&2\nexit 1\n', { mode: 0o755 });
  const electronVersion = (JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;
  const out = path.join(work, 'out');
  const result = spawnSync(
    process.execPath,
    [
      path.join(root, 'node_modules', 'electron-builder', 'cli.js'),
      '--dir',
      '--linux',
      '--x64',
      `-c.electronDist=${electronDist}`,
      `-c.electronVersion=${electronVersion}`,
      '-c.npmRebuild=false',
      `-c.directories.output=${out}`,
    ],
    { cwd: root, encoding: 'utf8', timeout: BUILD_TIMEOUT_MS, env: { ...process.env, CI: 'true' } },
  );
  if (result.status !== 0) throw new Error(`electron-builder --dir failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}\n${result.stderr}`);
  resources = path.join(out, 'linux-unpacked', 'resources');
  asar = path.join(resources, 'app.asar');
  packed = new Map(headerFiles(getRawHeader(asar).header as HeaderNode));
  unpackedFiles = new Set(walk(path.join(resources, 'app.asar.unpacked')));
}, BUILD_TIMEOUT_MS + 30_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const ours = (file: string) => !file.startsWith('node_modules/');

describe('the packaged app (electron-builder --dir)', () => {
  it('is the Overlook package, started by the shell’s entry point', () => {
    const pkg = JSON.parse(extractFile(asar, 'package.json').toString('utf8')) as { name: string; main: string; version: string };
    const source = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    expect(pkg).toMatchObject({ name: 'overlook', main: 'dist/main/electron/main.js', version: source.version });
    expect(packed.has(pkg.main)).toBe(true);
    // listPackage agrees with the header read above.
    expect(listPackage(asar, {}).length).toBeGreaterThanOrEqual(packed.size);
  });

  it('carries everything the core reads at run time, inside the archive', () => {
    const needed = [
      'dist/main/electron/main.js',
      'dist/main/electron/shell.js',
      'dist/main/core/createCore.js',
      'dist/main/core/appFiles.js',
      // The history store's worker thread script, opened by path (store/metricStore.ts).
      'dist/main/core/store/storeWorker.js',
      'dist/preload/preload.cjs',
      'dist/renderer/index.html',
      'resources/icon.png',
      ...walk(path.join(root, 'dist', 'renderer', 'assets')).filter((f) => !f.endsWith('.map')).map((f) => `dist/renderer/assets/${f}`),
      ...fs.readdirSync(path.join(root, MAPPINGS_RELATIVE_DIR)).filter((f) => f.endsWith('.yaml')).map((f) => `${MAPPINGS_RELATIVE_DIR}/${f}`),
    ];
    expect(needed.filter((f) => !packed.has(f))).toEqual([]);
    // Every built module of the product is there: nothing the shell imports is missing.
    const builtModules = walk(path.join(root, 'dist', 'main')).filter((f) => f.endsWith('.js')).map((f) => `dist/main/${f}`);
    expect(builtModules.filter((f) => !packed.has(f))).toEqual([]);
    // The production dependencies the core loads.
    for (const dep of ['better-sqlite3', 'ssh2', 'ws', 'zod', 'yaml', 'prom-client']) expect(packed.has(`node_modules/${dep}/package.json`), dep).toBe(true);
  });

  it('unpacks what another program is handed: the agent for sh, and every native module', () => {
    expect(packed.get(AGENT_RELATIVE_PATH)).toEqual({ unpacked: true });
    expect(fs.readFileSync(path.join(resources, 'app.asar.unpacked', AGENT_RELATIVE_PATH)).equals(fs.readFileSync(path.join(root, AGENT_RELATIVE_PATH)))).toBe(true);
    const native = [...packed.keys()].filter((f) => f.endsWith('.node'));
    expect(native).toContain('node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    expect(native.filter((f) => !packed.get(f)!.unpacked || !unpackedFiles.has(f))).toEqual([]);

    // The console's own resolution against this layout: the agent sh runs is the unpacked copy, and it runs.
    const appRoot = asar;
    const script = resolveAppFile(appRoot, AGENT_RELATIVE_PATH, 'exec');
    expect(script).toBe(path.join(resources, 'app.asar.unpacked', AGENT_RELATIVE_PATH));
    expect(execFileSync('sh', [script, 'once'], { encoding: 'utf8' })).toMatch(/^@@overlook-agent \d+ begin 1$/m);
    expect(resolveAppFile(appRoot, MAPPINGS_RELATIVE_DIR, 'read')).toBe(path.join(asar, MAPPINGS_RELATIVE_DIR));
  });

  it('leaves out the test support, source maps, type declarations, build info and native build leftovers', () => {
    const all = [...packed.keys(), ...[...unpackedFiles].map((f) => `(unpacked) ${f}`)];
    const unwanted = all.filter(
      (f) =>
        /(^|\/)main\/testing\//.test(f) ||
        /(^|\/)dist-test\//.test(f) ||
        /\.map$/.test(f) ||
        /tsbuildinfo/.test(f) ||
        (ours(f.replace('(unpacked) ', '')) && /\.d\.c?ts$|\.test\.js$|^(e2e|bench|scripts|renderer\/src|main|preload)\//.test(f)) ||
        /better-sqlite3\/(src|deps|build\/Release\/obj|build\/deps)\//.test(f) ||
        /test_extension\.node$/.test(f),
    );
    expect(unwanted).toEqual([]);
    // Development tools stay out (devDependencies).
    for (const dev of ['electron', 'electron-builder', 'vitest', '@playwright/test', 'typescript', 'vite', '@electron/asar']) {
      expect(packed.has(`node_modules/${dev}/package.json`), dev).toBe(false);
    }
    const size = fs.statSync(asar).size + [...unpackedFiles].reduce((sum, f) => sum + fs.statSync(path.join(resources, 'app.asar.unpacked', f)).size, 0);
    console.log(`packaged app: ${packed.size} files, app.asar ${(fs.statSync(asar).size / 2 ** 20).toFixed(1)} MiB, ${unpackedFiles.size} unpacked, ${(size / 2 ** 20).toFixed(1)} MiB in all`);
  });
});
