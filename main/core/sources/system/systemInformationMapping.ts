// Pure mapping from what the `systeminformation` library and Node's `os`
// return to the node_exporter series the agent produces, so the
// laptop running the console looks the same in the store, the charts and the
// exporter whether it is read by the agent (Linux) or by the built-in
// collector (macOS, Windows). No I/O here: systemCollector.ts reads, this
// file maps, and the tests feed it recorded outputs.
//
// What each OS gives (systeminformation 5 support tables on
// https://systeminformation.io/{cpu,memory,filesystem,network,processes}.html,
// checked against the library's own source in node_modules):
// - CPU per core by mode: Node's os.cpus() on all three (libuv: Linux
//   user/nice/sys/idle/irq from /proc/stat, where idle excludes iowait and
//   softirq/steal are not reported; macOS host_processor_info has no irq;
//   Windows has no nice).
// - Load: os.loadavg() on Linux and macOS; Windows has no load average (Node
//   documents it always returns [0, 0, 0] there).
// - Memory: si.mem(). Buffers/Cached exist only on Linux; Windows reports one
//   figure (GlobalMemoryStatusEx ullAvailPhys) for free and available.
// - Filesystems: the mount list from si.fsSize(), sizes and inodes from
//   statfs(2) (Node's fs.statfs); Windows has no inode counts.
// - Disk I/O: si.fsStats() / si.disksIO() give host-wide totals only (no
//   per-device figures, no busy time) on Linux and macOS; nothing on Windows.
// - Network: si.networkStats() gives bytes, errors and drops per interface
//   (no packet counts on any OS); on macOS it fills both drop figures from
//   netstat's single "Drop" column, so drops are left out there.
// - Temperatures: si.cpuTemperature(); on macOS only when the optional native
//   packages osx-temperature-sensor / macos-temperature-sensor are installed
//   (they are not bundled), on Windows only from ACPI thermal zones (usually
//   needs an elevated process).
// - Processes: si.processes() gives a CPU percentage, not a counter; see
//   accumulateProcessCpu.
import type { Systeminformation } from 'systeminformation';
import type { Labels, RawSeries, SeriesKind } from '../../../common/series.js';
import { isReportedFilesystem } from '../../parse/filesystems.js';
import type { RawProcess } from '../../model/observation.js';

/** os.cpus()[i].times: milliseconds per mode since boot. */
export interface CpuTimesMs {
  readonly user: number;
  readonly nice: number;
  readonly sys: number;
  readonly idle: number;
  readonly irq: number;
}

/** The fields of Node's fs.StatFs the mapping uses (statfs(2): counts of bsize-byte blocks). */
export interface StatFsReading {
  readonly bsize: number;
  readonly blocks: number;
  readonly bfree: number;
  readonly bavail: number;
  readonly files: number;
  readonly ffree: number;
}

/**
 * One collection's raw readings, exactly as the library and Node returned
 * them. Any `si` field may be absent: not read this time (read less often to
 * keep the cost down) or the call failed.
 */
export interface SystemReadings {
  readonly platform: string;
  /** Wall clock at the read, ms since the epoch. */
  readonly nowMs: number;
  readonly os: {
    readonly cpus: readonly { readonly times: CpuTimesMs }[];
    readonly loadavg: readonly number[];
    /** os.uptime(), seconds. */
    readonly uptime: number;
  };
  readonly si: {
    readonly mem?: Systeminformation.MemData | null;
    readonly fsSize?: readonly Systeminformation.FsSizeData[] | null;
    readonly fsStats?: Systeminformation.FsStatsData | null;
    readonly disksIO?: Systeminformation.DisksIoData | null;
    readonly networkStats?: readonly Systeminformation.NetworkStatsData[] | null;
    readonly cpuTemperature?: Systeminformation.CpuTemperatureData | null;
  };
  /** statfs(2) per mount point of si.fsSize(); a mount missing here falls back to fsSize's own figures. */
  readonly statfs?: Readonly<Record<string, StatFsReading>>;
}

export interface MappedSeries {
  readonly series: RawSeries[];
  readonly problems: string[];
}

class SeriesBuilder {
  readonly series: RawSeries[] = [];
  readonly problems: string[] = [];

  add(name: string, labels: Labels, value: unknown, kind: SeriesKind, where: string): void {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      // node_exporter values here are all non-negative; a NaN or negative one is
      // a parse failure inside the library (it returns NaN from parseInt on
      // unexpected command output), not a measurement.
      this.problems.push(`${where}: ${name} is ${JSON.stringify(value)}, not a non-negative number`);
      return;
    }
    this.series.push({ name, labels, value, kind });
  }
}

/** Node_exporter CPU mode names for the os.cpus() fields each OS really fills. */
function cpuModesFor(platform: string): readonly (readonly [keyof CpuTimesMs, string])[] {
  const modes: [keyof CpuTimesMs, string][] = [
    ['user', 'user'],
    ['nice', 'nice'],
    ['sys', 'system'],
    ['idle', 'idle'],
    ['irq', 'irq'],
  ];
  // libuv: darwin's host_processor_info has no interrupt time (always 0);
  // Windows has no nice (always 0). Emitting constant zeros would draw a
  // mode that does not exist on the OS.
  if (platform === 'darwin') return modes.filter(([field]) => field !== 'irq');
  if (platform === 'win32') return modes.filter(([field]) => field !== 'nice');
  return modes;
}

function mapCpu(out: SeriesBuilder, r: SystemReadings): void {
  const modes = cpuModesFor(r.platform);
  r.os.cpus.forEach((cpu, index) => {
    for (const [field, mode] of modes) {
      const ms = cpu.times?.[field];
      out.add('node_cpu_seconds_total', { cpu: String(index), mode }, typeof ms === 'number' ? ms / 1000 : ms, 'counter', 'os.cpus');
    }
  });
}

function mapLoad(out: SeriesBuilder, r: SystemReadings): void {
  // Node: "On Windows, the return value is always [0, 0, 0]" (os.loadavg docs).
  if (r.platform === 'win32') return;
  const [l1, l5, l15] = r.os.loadavg;
  out.add('node_load1', {}, l1, 'gauge', 'os.loadavg');
  out.add('node_load5', {}, l5, 'gauge', 'os.loadavg');
  out.add('node_load15', {}, l15, 'gauge', 'os.loadavg');
}

function mapMemory(out: SeriesBuilder, r: SystemReadings): void {
  const mem = r.si.mem;
  if (!mem) return;
  const w = 'si.mem';
  out.add('node_memory_MemTotal_bytes', {}, mem.total, 'gauge', w);
  // macOS: si computes available as total minus app + wired + compressed pages
  // (Activity Monitor's "Memory Used"), the nearest thing to Linux's
  // MemAvailable. Windows: os.freemem() is ullAvailPhys, which already counts
  // the standby list, i.e. it is "available", not "free".
  out.add('node_memory_MemAvailable_bytes', {}, mem.available, 'gauge', w);
  if (r.platform !== 'win32') out.add('node_memory_MemFree_bytes', {}, mem.free, 'gauge', w);
  if (r.platform === 'linux') {
    out.add('node_memory_Buffers_bytes', {}, mem.buffers, 'gauge', w);
    out.add('node_memory_Cached_bytes', {}, mem.cached, 'gauge', w);
  }
  // On Windows si reads the page file size through PowerShell and reports 0
  // when that query fails; every Windows install has a page file unless the
  // user removed it, so 0 there means "unknown" rather than "no swap".
  if (r.platform === 'win32' && !(mem.swaptotal > 0)) return;
  out.add('node_memory_SwapTotal_bytes', {}, mem.swaptotal, 'gauge', w);
  out.add('node_memory_SwapFree_bytes', {}, mem.swapfree, 'gauge', w);
}

/** macOS and Windows names of remote or pseudo filesystems that df -kP and Win32_LogicalDisk list. */
const NON_LOCAL_FS_TYPES = new Set(['nfs', 'smbfs', 'afpfs', 'webdav', 'ftp', 'devfs', 'autofs', 'cd9660', 'udf']);

/**
 * Filesystems reported (and statfs'd): the agent's node_exporter exclusions
 * plus the macOS/Windows names of remote and pseudo filesystems. Remote ones
 * matter beyond tidiness: statfs(2) on a dead NFS/SMB server blocks a libuv
 * threadpool thread (GNU df -l skips them for the same reason).
 */
export function isReportedLocalFilesystem(fs: Pick<Systeminformation.FsSizeData, 'type' | 'mount'>): boolean {
  const type = String(fs.type ?? '').toLowerCase();
  return !NON_LOCAL_FS_TYPES.has(type) && isReportedFilesystem(type, fs.mount);
}

function mapFilesystems(out: SeriesBuilder, r: SystemReadings): void {
  const list = r.si.fsSize;
  if (!list) return;
  const seen = new Set<string>();
  for (const fs of list) {
    if (!fs || typeof fs.mount !== 'string' || fs.mount === '' || seen.has(fs.mount) || !isReportedLocalFilesystem(fs)) continue;
    seen.add(fs.mount);
    const labels = { device: String(fs.fs ?? ''), fstype: String(fs.type ?? '').toLowerCase(), mountpoint: fs.mount };
    const st = r.statfs?.[fs.mount];
    const w = `filesystem ${fs.mount}`;
    if (st) {
      if (!(st.blocks > 0)) continue; // size 0: autofs maps, empty pseudo mounts (node_exporter skips them too)
      out.add('node_filesystem_size_bytes', labels, st.blocks * st.bsize, 'gauge', w);
      out.add('node_filesystem_free_bytes', labels, st.bfree * st.bsize, 'gauge', w);
      out.add('node_filesystem_avail_bytes', labels, st.bavail * st.bsize, 'gauge', w);
      // libuv's Windows statfs fills no inode counts (always 0); NTFS has no fixed inode table.
      if (st.files > 0) {
        out.add('node_filesystem_files', labels, st.files, 'gauge', w);
        out.add('node_filesystem_files_free', labels, st.ffree, 'gauge', w);
      }
    } else {
      if (!(fs.size > 0)) continue;
      // df's figures: size, used, available to unprivileged users. Free (to
      // root) is not in si's output; size - used is what df derives it from.
      out.add('node_filesystem_size_bytes', labels, fs.size, 'gauge', w);
      out.add('node_filesystem_free_bytes', labels, fs.size - fs.used, 'gauge', w);
      out.add('node_filesystem_avail_bytes', labels, fs.available, 'gauge', w);
    }
  }
}

function mapDisks(out: SeriesBuilder, r: SystemReadings): void {
  // Host-wide totals only (the library sums every block device), so the series
  // carry no `device` label: a Prometheus series without a label is the honest
  // form of "not per device". host:disk_* sums over devices and still adds up.
  const stats = r.si.fsStats;
  if (stats) {
    out.add('node_disk_read_bytes_total', {}, stats.rx, 'counter', 'si.fsStats');
    out.add('node_disk_written_bytes_total', {}, stats.wx, 'counter', 'si.fsStats');
  }
  const io = r.si.disksIO;
  if (io) {
    out.add('node_disk_reads_completed_total', {}, io.rIO, 'counter', 'si.disksIO');
    out.add('node_disk_writes_completed_total', {}, io.wIO, 'counter', 'si.disksIO');
  }
}

function mapNetwork(out: SeriesBuilder, r: SystemReadings): void {
  const list = r.si.networkStats;
  if (!list) return;
  const withDrops = r.platform !== 'darwin';
  for (const n of list) {
    if (!n || typeof n.iface !== 'string' || n.iface === '') continue;
    // si returns an all-zero record when it could not read an interface (the
    // Windows adapter did not match, the /sys read failed); an interface that
    // never moved a byte adds nothing to the charts either.
    if (!n.rx_bytes && !n.tx_bytes) continue;
    const labels = { device: n.iface };
    const w = `si.networkStats ${n.iface}`;
    out.add('node_network_receive_bytes_total', labels, n.rx_bytes, 'counter', w);
    out.add('node_network_transmit_bytes_total', labels, n.tx_bytes, 'counter', w);
    out.add('node_network_receive_errs_total', labels, n.rx_errors, 'counter', w);
    out.add('node_network_transmit_errs_total', labels, n.tx_errors, 'counter', w);
    if (withDrops) {
      out.add('node_network_receive_drop_total', labels, n.rx_dropped, 'counter', w);
      out.add('node_network_transmit_drop_total', labels, n.tx_dropped, 'counter', w);
    }
  }
}

function isTemperature(v: unknown): v is number {
  // si uses -1 and null for "no sensor"; nothing on a running laptop reads 0 °C or below.
  return typeof v === 'number' && Number.isFinite(v) && v > 0;
}

function mapTemperatures(out: SeriesBuilder, r: SystemReadings): void {
  const t = r.si.cpuTemperature;
  if (!t) return;
  const cores = Array.isArray(t.cores) ? t.cores : [];
  if (r.platform === 'win32') {
    // si's Windows "cores" are ACPI thermal zones (MSAcpi_ThermalZoneTemperature), not cores.
    cores.forEach((v, i) => {
      if (isTemperature(v)) out.add('node_thermal_zone_temp', { type: 'acpitz', zone: String(i) }, v, 'gauge', 'si.cpuTemperature');
    });
    return;
  }
  if (isTemperature(t.main)) out.add('node_hwmon_temp_celsius', { chip: 'cpu', sensor: 'package' }, t.main, 'gauge', 'si.cpuTemperature');
  cores.forEach((v, i) => {
    if (isTemperature(v)) out.add('node_hwmon_temp_celsius', { chip: 'cpu', sensor: `core${i}` }, v, 'gauge', 'si.cpuTemperature');
  });
  if (isTemperature(t.chipset)) out.add('node_hwmon_temp_celsius', { chip: 'chipset', sensor: 'chipset' }, t.chipset, 'gauge', 'si.cpuTemperature');
}

/** Node's os.uptime() is seconds since boot; node_exporter's boot time is a unix timestamp. */
function mapBootTime(out: SeriesBuilder, r: SystemReadings): void {
  out.add('node_boot_time_seconds', {}, Math.round(r.nowMs / 1000 - r.os.uptime), 'gauge', 'os.uptime');
}

/**
 * Map one collection's readings to node_exporter raw series. Never throws on
 * odd values: each unusable value becomes a line in `problems` and the rest
 * of the readings still map.
 */
export function mapSystemReadings(r: SystemReadings): MappedSeries {
  const out = new SeriesBuilder();
  const parts: [string, (o: SeriesBuilder, r: SystemReadings) => void][] = [
    ['cpu', mapCpu],
    ['load', mapLoad],
    ['memory', mapMemory],
    ['filesystems', mapFilesystems],
    ['disks', mapDisks],
    ['network', mapNetwork],
    ['temperatures', mapTemperatures],
    ['boot time', mapBootTime],
  ];
  for (const [name, map] of parts) {
    try {
      map(out, r);
    } catch (err) {
      // A reading of an unexpected shape (a library upgrade changing a field
      // to null) costs its own section, not the sample.
      out.problems.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Processes

/** What the collector remembers about each process between process reads. */
export interface ProcessCpuEntry {
  /** The synthetic CPU-seconds counter handed to the core. */
  readonly cpuSeconds: number;
  /** `started` as si reported it: tells a reused pid apart. */
  readonly started: string;
  /** Seconds after boot, fixed at first sight: the core pairs processes by pid + startTime, which must not jitter. */
  readonly startTime: number | undefined;
}

/**
 * Same process as last time? si derives `started` on Linux and macOS from
 * ps's elapsed time (Date.now() - etime, processes.js parseElapsed), so the
 * same process's start moves by a second between reads; a reused pid starts
 * later by at least the time between reads.
 */
function sameStart(a: string, b: string): boolean {
  if (a === b) return true;
  const ta = processStartSecondsAfterBoot(a, 0);
  const tb = processStartSecondsAfterBoot(b, 0);
  return ta !== undefined && tb !== undefined && Math.abs(ta - tb) <= 2;
}

export type ProcessCpuLedger = ReadonlyMap<number, ProcessCpuEntry>;

export interface ProcessReadOptions {
  readonly platform: string;
  readonly logicalCpus: number;
  /** Seconds since the previous si.processes() call (the window si's percentages cover). */
  readonly elapsedSeconds: number;
  readonly bootTimeSeconds: number;
}

/**
 * si "started" is local time "YYYY-MM-DD HH:MM:SS" (from ps etime on
 * Linux/macOS, Win32_Process.CreationDate on Windows). Returns seconds after
 * boot, undefined when unparseable.
 */
export function processStartSecondsAfterBoot(started: string, bootTimeSeconds: number): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(started.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const epochSeconds = new Date(y, mo - 1, d, h, mi, s).getTime() / 1000;
  if (!Number.isFinite(epochSeconds)) return undefined;
  return Math.max(0, epochSeconds - bootTimeSeconds);
}

/**
 * si.processes() reports CPU as a percentage, while the core wants a
 * cumulative CPU-seconds counter per process (it derives rates the same way
 * for every source). The library keeps the true counters internally (utime +
 * stime from /proc/PID/stat on Linux, UserModeTime + KernelModeTime from
 * Win32_Process on Windows) but does not return them, so the counter is
 * rebuilt by integrating: cpuSeconds += percent/100 × elapsed × scale.
 *
 * - Linux and Windows: si's percent is the process's share of ALL logical
 *   CPUs over exactly the window since the previous call (calcProcStatLinux /
 *   calcProcStatWin), so scale = logical CPU count and the integration is exact
 *   up to rounding.
 * - macOS: si passes through `ps -o pcpu`, a share of ONE CPU and a decaying
 *   average over roughly the last minute (ps(1)), so scale = 1 and the rate
 *   the core derives lags a short burst.
 *
 * A process enters with counter 0 on its first read (si's first percent for a
 * new pid is a lifetime average, not this window's), so its first window of
 * CPU is not counted. A pid whose `started` changed is a new process.
 */
const wholeSeconds = (v: number | undefined) => (v === undefined ? undefined : Math.round(v));

export function accumulateProcessCpu(
  ledger: ProcessCpuLedger,
  list: readonly Systeminformation.ProcessesProcessData[],
  options: ProcessReadOptions,
): { processes: RawProcess[]; ledger: Map<number, ProcessCpuEntry>; problems: string[] } {
  const scale = options.platform === 'darwin' ? 1 : Math.max(1, options.logicalCpus);
  const elapsed = Number.isFinite(options.elapsedSeconds) && options.elapsedSeconds > 0 ? options.elapsedSeconds : 0;
  const next = new Map<number, ProcessCpuEntry>();
  const processes: RawProcess[] = [];
  const problems: string[] = [];
  for (const p of list) {
    if (!p || !Number.isInteger(p.pid) || p.pid < 0) {
      problems.push(`si.processes: entry without a valid pid: ${JSON.stringify(p)?.slice(0, 120)}`);
      continue;
    }
    if (next.has(p.pid)) continue;
    const started = typeof p.started === 'string' ? p.started : '';
    const before = ledger.get(p.pid);
    const percent = typeof p.cpu === 'number' && Number.isFinite(p.cpu) && p.cpu > 0 ? p.cpu : 0;
    const same = before !== undefined && sameStart(before.started, started);
    const cpuSeconds = same ? before.cpuSeconds + (percent / 100) * elapsed * scale : 0;
    const startTime = same ? before.startTime : wholeSeconds(processStartSecondsAfterBoot(started, options.bootTimeSeconds));
    next.set(p.pid, { cpuSeconds, started: same ? before.started : started, startTime });
    const rssKiB = typeof p.memRss === 'number' && Number.isFinite(p.memRss) && p.memRss > 0 ? p.memRss : 0;
    processes.push({
      pid: p.pid,
      comm: typeof p.name === 'string' && p.name !== '' ? p.name : String(p.pid),
      ...(typeof p.state === 'string' && p.state !== '' ? { state: p.state } : {}),
      ...(typeof p.user === 'string' && p.user !== '' ? { user: p.user } : {}),
      cpuSeconds,
      // si reports RSS in KiB on every OS (ps rss; WorkingSetSize / 1024 on Windows).
      rssBytes: rssKiB * 1024,
      ...(startTime !== undefined ? { startTime } : {}),
    });
  }
  return { processes, ledger: next, problems };
}
