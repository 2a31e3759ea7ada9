// Which cgroup hierarchy a host runs, from text the agent captured: the
// cgroup lines of /proc/self/mountinfo (or /proc/mounts, which older busybox
// systems may be all we get) plus the names under the cgroup root. Pure: no
// Node, no I/O.
//
// Modes (kernel Documentation/admin-guide/cgroup-v2.rst, "Mounting"; systemd's
// "cgroup hierarchy" modes):
// - v1: only `cgroup` (v1) mounts carry controllers;
// - v2: one `cgroup2` mount and no v1 controller hierarchy (the unified layout
//   of Debian 11+, Fedora 31+, Ubuntu 21.10+);
// - hybrid: v1 controller hierarchies plus a cgroup2 mount (systemd's
//   `/sys/fs/cgroup/unified`) that holds no controllers of its own.
import type { CgroupDriver, CgroupMode } from '../../model/containers.js';


export interface CgroupLayout {
  readonly mode: CgroupMode;
  /** Mount point of the cgroup2 hierarchy (v2 or hybrid). */
  readonly unifiedMount?: string;
  /**
   * v1 controller → mount point. Co-mounted controllers share one (e.g. both
   * `cpu` and `cpuacct` → `/sys/fs/cgroup/cpu,cpuacct`); on some hosts they
   * are separate hierarchies, so callers must look each one up.
   */
  readonly v1Controllers: Readonly<Record<string, string>>;
  /** Named v1 hierarchies without controllers, e.g. `name=systemd` → mount point. */
  readonly v1Named: Readonly<Record<string, string>>;
  readonly driver: CgroupDriver;
  /** The mount lines that could not be read, with why. Never fatal. */
  readonly problems: readonly string[];
}

interface CgroupMount {
  readonly fsType: 'cgroup' | 'cgroup2';
  readonly mountPoint: string;
  readonly options: readonly string[];
}

// mountinfo escapes space, tab, newline and backslash in paths as octal
// (proc(5), "/proc/pid/mountinfo"); so does /proc/mounts (getmntent(3)).
function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/**
 * One line of /proc/<pid>/mountinfo:
 *   `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue`
 * fields 5 (mount point) and, after the ` - ` separator, the fs type and the
 * super options (which carry the v1 controller names).
 */
function parseMountinfoLine(line: string): CgroupMount | 'other' | string {
  const sep = line.indexOf(' - ');
  if (sep < 0) return `mountinfo line without " - " separator: "${line}"`;
  const head = line.slice(0, sep).split(' ');
  const tail = line.slice(sep + 3).split(' ');
  if (head.length < 6 || tail.length < 3) return `mountinfo line has too few fields: "${line}"`;
  const fsType = tail[0];
  if (fsType !== 'cgroup' && fsType !== 'cgroup2') return 'other';
  return { fsType, mountPoint: unescapeMountPath(head[4]!), options: tail[2]!.split(',') };
}

/** One line of /proc/mounts: `cgroup /sys/fs/cgroup/memory cgroup rw,nosuid,memory 0 0`. */
function parseMountsLine(line: string): CgroupMount | 'other' | string {
  const fields = line.split(' ');
  if (fields.length < 4) return `mounts line has too few fields: "${line}"`;
  const fsType = fields[2];
  if (fsType !== 'cgroup' && fsType !== 'cgroup2') return 'other';
  return { fsType, mountPoint: unescapeMountPath(fields[1]!), options: fields[3]!.split(',') };
}

// Mount options of a v1 cgroup mount that are not controller names
// (kernel Documentation/admin-guide/cgroup-v1/cgroups.rst, "Mounting").
const V1_NON_CONTROLLER_OPTIONS = new Set([
  'rw', 'ro', 'nosuid', 'nodev', 'noexec', 'relatime', 'noatime', 'strictatime', 'nodiratime',
  'xattr', 'noprefix', 'clone_children', 'cpuset_v2_mode', 'none', 'all', 'favordynmods',
]);

/**
 * cgroupfs drivers make plain directories named after the manager at the
 * root; systemd drivers make `.slice` units. A systemd host with Docker on
 * the cgroupfs driver has both `system.slice` and `docker`: the container
 * directories win, since they are what the driver question is about.
 */
const CGROUPFS_CONTAINER_ROOTS = ['docker', 'kubepods', 'libpod_parent', 'lxc', 'podruntime', 'containerd'];
const SYSTEMD_CONTAINER_ROOTS = ['kubepods.slice', 'machine.slice'];

export function detectDriver(rootListing: readonly string[]): CgroupDriver {
  const names = new Set(rootListing.map((n) => n.replace(/\/+$/, '')));
  if (CGROUPFS_CONTAINER_ROOTS.some((n) => names.has(n))) return 'cgroupfs';
  if (SYSTEMD_CONTAINER_ROOTS.some((n) => names.has(n))) return 'systemd';
  if (names.has('system.slice') || names.has('init.scope') || names.has('user.slice')) return 'systemd';
  return 'unknown';
}

/**
 * Detect the layout from mount text (mountinfo or /proc/mounts; which one is
 * recognised per line) and the entry names of the cgroup root directory
 * (the v2 mount, or one v1 controller's mount such as `memory`).
 */
export function detectCgroupLayout(mountText: string, rootListing: readonly string[]): CgroupLayout {
  const problems: string[] = [];
  const v1Controllers: Record<string, string> = {};
  const v1Named: Record<string, string> = {};
  let unifiedMount: string | undefined;
  for (const raw of mountText.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const parsed = line.includes(' - ') ? parseMountinfoLine(line) : parseMountsLine(line);
    if (parsed === 'other') continue;
    if (typeof parsed === 'string') {
      problems.push(parsed);
      continue;
    }
    if (parsed.fsType === 'cgroup2') {
      // A host may show the same hierarchy twice (bind mounts in containers); the first wins.
      unifiedMount ??= parsed.mountPoint;
      continue;
    }
    for (const opt of parsed.options) {
      if (opt.startsWith('name=')) {
        v1Named[opt.slice(5)] ??= parsed.mountPoint;
      } else if (!V1_NON_CONTROLLER_OPTIONS.has(opt) && !opt.includes('=')) {
        v1Controllers[opt] ??= parsed.mountPoint;
      }
    }
  }
  const hasV1 = Object.keys(v1Controllers).length > 0;
  const mode: CgroupMode = hasV1 ? (unifiedMount !== undefined ? 'hybrid' : 'v1') : unifiedMount !== undefined ? 'v2' : 'none';
  return {
    mode,
    ...(unifiedMount !== undefined ? { unifiedMount } : {}),
    v1Controllers,
    v1Named,
    driver: detectDriver(rootListing),
    problems,
  };
}
