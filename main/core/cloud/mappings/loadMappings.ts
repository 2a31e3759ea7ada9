// Reads the shipped mapping files (resources/cloud-mappings/*.yaml, packed
// with the app) and the user's (<dataDir>/cloud-mappings/*.yaml), in that
// order, each directory sorted by name. A file that cannot be read or parsed
// is reported and left out; the others still apply.
import fs from 'node:fs';
import path from 'node:path';
import { appRoot, resolveAppFile } from '../../appFiles.js';
import type { ConfigProblem } from '../../../common/contract.js';
import { parseMappingFile, type MappingFile } from './mappingFile.js';
import { mergeMappings, type MergedMappings } from './mergeMappings.js';

export const MAPPINGS_RELATIVE_DIR = path.join('resources', 'cloud-mappings');
export const USER_MAPPINGS_DIR = 'cloud-mappings';
// A mapping file is a few KiB; anything far larger is a wrong file.
const MAX_MAPPING_FILE_BYTES = 1024 * 1024;

/** resources/cloud-mappings under the package root: read by this process, so from inside app.asar in the packaged app (appFiles.ts). */
export function findShippedMappingsDir(root: string = appRoot()): string {
  return resolveAppFile(root, MAPPINGS_RELATIVE_DIR, 'read');
}

export interface MappingFileStamp {
  readonly file: string;
  readonly mtimeMs: number;
  readonly size: number;
}

/** The YAML files of a directory with their mtime and size (a change of either means re-read); [] when it does not exist. */
export function mappingFilesIn(dir: string): MappingFileStamp[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => /\.ya?ml$/i.test(n))
    .sort()
    .flatMap((n) => {
      const file = path.join(dir, n);
      try {
        const stat = fs.statSync(file);
        return stat.isFile() ? [{ file, mtimeMs: stat.mtimeMs, size: stat.size }] : [];
      } catch {
        return [];
      }
    });
}

export interface LoadedMappings extends MergedMappings {
  /** Every file looked at, shipped first, with whether it was used. */
  readonly files: readonly { readonly file: string; readonly user: boolean; readonly used: boolean }[];
}

export function loadMappings(options: { shippedDir: string; userDir?: string }): LoadedMappings {
  const problems: ConfigProblem[] = [];
  const parsed: MappingFile[] = [];
  const files: { file: string; user: boolean; used: boolean }[] = [];
  const read = (stamp: MappingFileStamp, user: boolean) => {
    if (stamp.size > MAX_MAPPING_FILE_BYTES) {
      problems.push({ file: stamp.file, message: `larger than ${MAX_MAPPING_FILE_BYTES / 1024} KiB; is it the right file? left out` });
      files.push({ file: stamp.file, user, used: false });
      return;
    }
    let text: string;
    try {
      text = fs.readFileSync(stamp.file, 'utf8');
    } catch (err) {
      problems.push({ file: stamp.file, message: `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}); left out` });
      files.push({ file: stamp.file, user, used: false });
      return;
    }
    const result = parseMappingFile(text, stamp.file);
    problems.push(...result.problems);
    if (result.mapping) parsed.push(result.mapping);
    else problems.push({ file: stamp.file, message: 'not used until it is fixed; the other mapping files apply' });
    files.push({ file: stamp.file, user, used: result.mapping !== null });
  };
  for (const stamp of mappingFilesIn(options.shippedDir)) read(stamp, false);
  if (options.userDir) for (const stamp of mappingFilesIn(options.userDir)) read(stamp, true);
  const merged = mergeMappings(parsed);
  return { products: merged.products, problems: [...problems, ...merged.problems], files };
}
