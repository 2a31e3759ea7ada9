// Filesystem usage from the agent's df output → node_filesystem_* series
// labelled {device, fstype, mountpoint}, with pseudo and network filesystems
// filtered out.
import type { RawSeries } from '../../common/series.js';
import type { Parsed } from './procfs.js';

/**
 * Filesystem types that are not storage, or whose usage is not the host's
 * own. node_exporter's default --collector.filesystem.fs-types-exclude list,
 * plus network and FUSE-network filesystems: GNU df -l already skips those
 * without touching them (a hung NFS server would hang the stat), and busybox
 * df may still list them. tmpfs is kept: a full /run or /dev/shm is a real
 * outage; ramfs/devtmpfs are not (no size limit, or always empty).
 */
export const EXCLUDED_FS_TYPES: ReadonlySet<string> = new Set([
  // node_exporter's defaults
  'autofs', 'binfmt_misc', 'bpf', 'cgroup', 'cgroup2', 'configfs', 'debugfs', 'devpts', 'devtmpfs', 'fusectl',
  'hugetlbfs', 'iso9660', 'mqueue', 'nsfs', 'overlay', 'proc', 'procfs', 'pstore', 'rpc_pipefs', 'securityfs',
  'selinuxfs', 'squashfs', 'sysfs', 'tracefs',
  // more pseudo filesystems
  'ramfs', 'efivarfs', 'fuse.lxcfs', 'fuse.portal', 'fuse.gvfsd-fuse', 'nfsd', 'rootfs',
  // network filesystems
  'nfs', 'nfs4', 'cifs', 'smb3', 'smbfs', 'ncpfs', 'afs', 'ceph', 'glusterfs', 'fuse.glusterfs', 'fuse.sshfs',
  'fuse.rclone', 'fuse.s3fs', '9p', 'lustre', 'gpfs', 'beegfs', 'davfs', 'fuse.davfs2',
]);

/**
 * Mount points left out, node_exporter's default
 * --collector.filesystem.mount-points-exclude: kernel and container-runtime
 * internals that mirror other filesystems.
 */
export const EXCLUDED_MOUNT_POINTS = /^\/(?:dev|proc|run\/credentials\/.+|sys|var\/lib\/docker\/.+|var\/lib\/containers\/storage\/.+)(?:$|\/)/;

export function isReportedFilesystem(fstype: string, mountpoint: string): boolean {
  return !EXCLUDED_FS_TYPES.has(fstype) && !EXCLUDED_MOUNT_POINTS.test(mountpoint);
}

interface FsUsage {
  device: string;
  fstype: string;
  mountpoint: string;
  sizeKiB: number;
  usedKiB: number;
  availKiB: number;
  files?: number;
  filesFree?: number;
}

function toSeries(rows: Iterable<FsUsage>): RawSeries[] {
  const series: RawSeries[] = [];
  for (const fs of rows) {
    if (!isReportedFilesystem(fs.fstype, fs.mountpoint)) continue;
    const labels = { device: fs.device, fstype: fs.fstype, mountpoint: fs.mountpoint };
    series.push(
      { name: 'node_filesystem_size_bytes', labels, value: fs.sizeKiB * 1024, kind: 'gauge' },
      // df's "used" is f_blocks - f_bfree, so what is left of the size is f_bfree: node_exporter's free.
      { name: 'node_filesystem_free_bytes', labels, value: Math.max(0, fs.sizeKiB - fs.usedKiB) * 1024, kind: 'gauge' },
      { name: 'node_filesystem_avail_bytes', labels, value: fs.availKiB * 1024, kind: 'gauge' },
    );
    if (fs.files !== undefined && fs.filesFree !== undefined) {
      series.push(
        { name: 'node_filesystem_files', labels, value: fs.files, kind: 'gauge' },
        { name: 'node_filesystem_files_free', labels, value: fs.filesFree, kind: 'gauge' },
      );
    }
  }
  return series;
}

const count = (text: string): number | undefined => (text === '-' ? undefined : Number(text));

/** `df -l -k --output=source,fstype,size,used,avail,itotal,iavail,target` (GNU coreutils). */
export function parseDfGnu(lines: readonly string[]): Parsed {
  const rows = new Map<string, FsUsage>();
  const problems: string[] = [];
  lines.forEach((raw, index) => {
    if (raw.trim() === '' || (index === 0 && /^Filesystem\s/.test(raw))) return;
    const m = /^(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+|-)\s+(\d+|-)\s+(\/.*)$/.exec(raw);
    if (!m) {
      problems.push(`df: cannot read line ${index + 1} "${raw}"`);
      return;
    }
    // The last line for a mount point wins: it is the one mounted on top.
    rows.set(m[8]!, {
      device: m[1]!,
      fstype: m[2]!,
      sizeKiB: Number(m[3]),
      usedKiB: Number(m[4]),
      availKiB: Number(m[5]),
      files: count(m[6]!),
      filesFree: count(m[7]!),
      mountpoint: m[8]!,
    });
  });
  return { value: toSeries(rows.values()), problems };
}

/** /proc/mounts: device, mount point, type; spaces and friends are octal-escaped (\040). */
export function parseMounts(lines: readonly string[]): Map<string, { device: string; fstype: string; readOnly: boolean }> {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
  const mounts = new Map<string, { device: string; fstype: string; readOnly: boolean }>();
  for (const raw of lines) {
    const f = raw.split(' ');
    if (f.length < 3) continue;
    // The last line for a mount point wins (the mount on top), as in df. Its
    // options (4th field) say "ro" for a read-only mount (proc(5)).
    mounts.set(unescape(f[1]!), { device: unescape(f[0]!), fstype: f[2]!, readOnly: (f[3] ?? '').split(',').includes('ro') });
  }
  return mounts;
}

// POSIX `df -kP` (and busybox's -i variant): the device may contain spaces
// (it comes first), the mount point may too (it comes last).
const POSIX_ROW = /^(.*?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(?:\d+%|-)\s+(\/.*)$/;

/**
 * POSIX df -kP output, inodes from df -kPi when present, types from
 * /proc/mounts (busybox df prints none with -P).
 */
export function parseDfPosix(
  blocks: readonly string[],
  inodes: readonly string[] | undefined,
  mounts: Map<string, { device: string; fstype: string }>,
): Parsed {
  const problems: string[] = [];
  const inodeRows = new Map<string, { files: number; free: number }>();
  (inodes ?? []).forEach((raw, index) => {
    if (raw.trim() === '' || (index === 0 && /^Filesystem\s/.test(raw))) return;
    const m = POSIX_ROW.exec(raw);
    if (!m) problems.push(`df -i: cannot read line ${index + 1} "${raw}"`);
    else inodeRows.set(m[5]!, { files: Number(m[2]), free: Number(m[4]) });
  });
  const rows = new Map<string, FsUsage>();
  blocks.forEach((raw, index) => {
    if (raw.trim() === '' || (index === 0 && /^Filesystem\s/.test(raw))) return;
    const m = POSIX_ROW.exec(raw);
    if (!m) {
      problems.push(`df: cannot read line ${index + 1} "${raw}"`);
      return;
    }
    const mountpoint = m[5]!;
    const mount = mounts.get(mountpoint);
    if (!mount) {
      problems.push(`df: ${mountpoint} is not in /proc/mounts`);
      return;
    }
    const ino = inodeRows.get(mountpoint);
    rows.set(mountpoint, {
      device: m[1]!,
      fstype: mount.fstype,
      mountpoint,
      sizeKiB: Number(m[2]),
      usedKiB: Number(m[3]),
      availKiB: Number(m[4]),
      files: ino?.files,
      filesFree: ino?.free,
    });
  });
  return { value: toSeries(rows.values()), problems };
}
