// Where the files the console needs at run time come from: one decision for
// every caller (the agent script, the store's worker, the cloud mappings, the
// renderer, package.json).
//
// - From a checkout (tests, `npm start`, `overlook serve`) the files are under
//   the package root, the directory holding Overlook's package.json, found by
//   walking up from this module (main/core/ in tests, dist/main/core/ built).
// - In the packaged desktop app that walk ends at `…/resources/app.asar`:
//   electron-builder packs the app into that one archive file, and Electron's
//   patched `fs` lets this process (and its worker threads) read inside it
//   (https://www.electronjs.org/docs/latest/tutorial/asar-archives). A file
//   handed to another process is another matter: `sh` is not Electron and sees
//   app.asar as one opaque file, so the agent run by `sh` must be the copy that
//   electron-builder's `asarUnpack` writes beside the archive, in
//   `…/resources/app.asar.unpacked/` (Electron's docs, "Adding Unpacked Files
//   to asar archives").
//
// So each caller says how the file is used: `read` (by this process, through
// Node) or `exec` (given to another process by path).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type FileUse = 'read' | 'exec';

const PACKAGE_NAME = 'overlook';

/** Walks up from `start` to the directory whose package.json is Overlook's. */
export function findPackageRoot(start = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = start;
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      try {
        if ((JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
      } catch {
        // not ours; keep walking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find Overlook's package.json above ${start}`);
    dir = parent;
  }
}

/** The archive a path lies inside (`…/app.asar`), or undefined for a path on the plain file system. */
export function asarArchiveOf(file: string): string | undefined {
  const parts = path.resolve(file).split(path.sep);
  // The last `*.asar` segment: an archive's own path never ends in `.asar.unpacked`.
  for (let i = parts.length - 1; i >= 0; i--) {
    if (parts[i]!.toLowerCase().endsWith('.asar')) return parts.slice(0, i + 1).join(path.sep) || path.sep;
  }
  return undefined;
}

/**
 * Where `file` (an absolute path, maybe inside an asar archive) must be taken
 * from for `use`: as it is for `read`; for `exec`, the unpacked copy beside the
 * archive, which must exist (electron-builder.yml's asarUnpack lists it) —
 * handing `sh` a path inside the archive would fail on the user's machine only.
 */
export function fileFor(file: string, use: FileUse): string {
  const absolute = path.resolve(file);
  if (use === 'read') return absolute;
  const archive = asarArchiveOf(absolute);
  if (archive === undefined) return absolute;
  const unpacked = `${archive}.unpacked${absolute.slice(archive.length)}`;
  if (!fs.existsSync(unpacked)) {
    throw new Error(
      `${path.relative(archive, absolute)} is packed inside ${archive}, where other programs cannot read it, and has no unpacked copy at ${unpacked} (electron-builder.yml's asarUnpack must list it)`,
    );
  }
  return unpacked;
}

/** `relative` (a path under the package root, e.g. `agent/overlook-agent.sh`) under `root`, for `use`. */
export function resolveAppFile(root: string, relative: string, use: FileUse): string {
  return fileFor(path.join(root, relative), use);
}

let cachedRoot: string | undefined;

/** The package root of the running console: the checkout, or `…/resources/app.asar` in the packaged app. */
export function appRoot(): string {
  cachedRoot ??= findPackageRoot();
  return cachedRoot;
}

/** A file shipped with the console, by its path under the package root, for `use`. */
export function appFile(relative: string, use: FileUse): string {
  return resolveAppFile(appRoot(), relative, use);
}

/** A file next to a module (`moduleFile(import.meta.url, './storeWorker.js', 'read')`), for `use`. */
export function moduleFile(moduleUrl: string, relative: string, use: FileUse): string {
  return fileFor(fileURLToPath(new URL(relative, moduleUrl)), use);
}
