// Thin I/O around cgroupStats: read one container's cgroup files from a
// directory tree (the real /sys/fs/cgroup, or a fixture tree under SYS_ROOT)
// into the name → content map parseCgroupStats takes. A file that cannot be
// read becomes null (the parser records a problem), one that does not exist
// is left out, as the agent's `tail` leaves it out (memory.peak before Linux
// 5.19, a container gone mid-sample); nothing throws.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CGROUP_V1_FILES, CGROUP_V2_FILES, type CgroupFiles } from '../core/parse/cgroups/cgroupStats.js';

function readOrNull(path: string): string | null | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // EACCES, EIO: the value is left out, the parser says so.
    return null;
  }
}

function put(files: Record<string, string | null>, name: string, content: string | null | undefined): void {
  if (content !== undefined) files[name] = content;
}

/**
 * v1: one directory per controller hierarchy (e.g. `{ memory: '/sys/fs/cgroup/memory/docker/<id>',
 * cpuacct: '/sys/fs/cgroup/cpuacct/docker/<id>' }`). Controllers not given are not read.
 */
export function readCgroupV1Files(controllerDirs: Readonly<Record<string, string>>): CgroupFiles {
  const files: Record<string, string | null> = {};
  for (const [controller, names] of Object.entries(CGROUP_V1_FILES)) {
    const dir = controllerDirs[controller];
    if (dir === undefined) continue;
    for (const name of names) put(files, name, readOrNull(join(dir, name)));
  }
  return files;
}

/** Files to read in a v2 cgroup, from its `cgroup.controllers` text (space-separated names). */
export function expectedV2Files(controllersText: string | null): string[] {
  const enabled = controllersText === null ? Object.keys(CGROUP_V2_FILES) : controllersText.trim().split(/\s+/);
  const names = new Set<string>(['cpu.stat']);
  for (const controller of enabled) for (const name of CGROUP_V2_FILES[controller] ?? []) names.add(name);
  names.delete('cgroup.controllers');
  return [...names];
}

/** v2: the container's one directory. Controllers not enabled there (e.g. io for rootless Podman) are not read. */
export function readCgroupV2Files(dir: string): CgroupFiles {
  const controllers = readOrNull(join(dir, 'cgroup.controllers'));
  const files: Record<string, string | null> = {};
  for (const name of expectedV2Files(controllers ?? null)) put(files, name, readOrNull(join(dir, name)));
  return files;
}
