// Parse the cgroup files of one container into raw values, for cgroup v1 and
// v2, and turn them into cAdvisor-named series. Pure: no Node, no I/O — the
// caller hands in file contents keyed by file name.
//
// File formats: kernel Documentation/admin-guide/cgroup-v2.rst ("Core
// Interface Files", "Controllers") and cgroup-v1/{memory,cpuacct,blkio-
// controller,pids}.rst, and Documentation/scheduler/sched-bwc.rst for CFS
// bandwidth (cpu.stat, cfs_quota_us).
//
// Derivations follow cAdvisor (container/libcontainer/handler.go) so numbers
// match what operators know: working set = usage − inactive_file (floored at
// 0); RSS = v1 `total_rss` / v2 `anon`; cache = v1 `total_cache` / v2 `file`.

import type { RawSeries } from '../../../common/series.js';
import type { BlockDeviceIo, ContainerCgroupStats } from '../../model/containers.js';

export type CgroupVersion = 'v1' | 'v2';

/**
 * File name → content. `null` means the reader tried and failed (unreadable,
 * vanished mid-sample): the values from it are left out and a problem is
 * recorded. An absent key means the file was not read (its controller is not
 * there): the values are left out silently.
 */
export type CgroupFiles = Readonly<Record<string, string | null>>;



export interface CgroupStatsResult {
  readonly stats: ContainerCgroupStats;
  /** "memory.stat: line 3 …" — counted by the caller, never fatal. */
  readonly problems: readonly string[];
}

/**
 * The v1 memory controller reports "no limit" as PAGE_COUNTER_MAX pages
 * (LONG_MAX / PAGE_SIZE) times the page size, i.e. LONG_MAX rounded down to
 * a page: 9223372036854771712 with 4 KiB pages, 9223372036854710272 with
 * 64 KiB pages (mm/page_counter.h, mm/memcontrol.c mem_cgroup_read_u64).
 * Any value from 2^62 (4 EiB) up is far beyond any real machine's memory, so
 * it is taken as "none" whatever the page size.
 */
export const V1_UNLIMITED_THRESHOLD = 2 ** 62;

/** cAdvisor's maxMemorySize (metrics/prometheus.go): a memory spec value above it is exported as 0. */
const CADVISOR_UNLIMITED_MEMORY = 2 ** 62;

/** The files each version reads, by controller, for readers that want to know what to expect. */
export const CGROUP_V1_FILES: Readonly<Record<string, readonly string[]>> = {
  cpuacct: ['cpuacct.usage'],
  cpu: ['cpu.stat', 'cpu.cfs_quota_us', 'cpu.cfs_period_us', 'cpu.shares'],
  memory: [
    'memory.usage_in_bytes',
    'memory.max_usage_in_bytes',
    'memory.limit_in_bytes',
    'memory.memsw.limit_in_bytes',
    'memory.soft_limit_in_bytes',
    'memory.stat',
    'memory.oom_control',
  ],
  pids: ['pids.current', 'pids.max'],
  blkio: ['blkio.throttle.io_service_bytes', 'blkio.throttle.io_serviced'],
};

/** v2: `cpu.stat` exists in every cgroup (core file); the rest need their controller enabled. */
export const CGROUP_V2_FILES: Readonly<Record<string, readonly string[]>> = {
  core: ['cgroup.controllers', 'cpu.stat'],
  cpu: ['cpu.max', 'cpu.weight'],
  memory: ['memory.current', 'memory.peak', 'memory.max', 'memory.swap.max', 'memory.min', 'memory.stat', 'memory.events'],
  pids: ['pids.current', 'pids.max'],
  io: ['io.stat'],
};

/** Whitespace as String.prototype.trim sees it in these ASCII files: space, tab, CR, LF, VT, FF. */
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);

/**
 * The digits in text[from, to), as a number; -1 when the range is empty or
 * holds anything else. Up to 15 digits are summed exactly; longer runs (the
 * v1 "no limit" values) go through Number() for correct rounding.
 */
function digitsValue(text: string, from: number, to: number): number {
  if (to <= from) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return to - from > 15 ? Number(text.slice(from, to)) : v;
}

/** Every flat-keyed file this parser reads needs at most a handful of its keys. */
type KeyedValues = (number | undefined)[];

/** `key value` lines as the kernel prints them (seq_printf "%s %llu\n"), the last newline optional. */
const WELL_FORMED_KEYED = /^(?:[^\s]+ \d+\n)*(?:[^\s]+ \d+)?$/;

/** In a well-formed keyed file: the value after "\nKEY " (or "KEY " at the start), the last one when a key repeats. */
function keyedByIndex(text: string, keys: readonly string[]): KeyedValues {
  const out: KeyedValues = new Array<number | undefined>(keys.length).fill(undefined);
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    let at = text.lastIndexOf(`\n${key} `);
    if (at >= 0) at += 1;
    else if (text.startsWith(`${key} `)) at = 0;
    else continue;
    const from = at + key.length + 1;
    let to = text.indexOf('\n', from);
    if (to < 0) to = text.length;
    out[k] = digitsValue(text, from, to);
  }
  return out;
}

class Collector {
  readonly problems: string[] = [];
  constructor(private readonly files: CgroupFiles) {}

  /** Content of a file, or undefined (with a problem when it was unreadable). */
  text(name: string): string | undefined {
    const content = this.files[name];
    if (content === undefined) return undefined;
    if (content === null) {
      this.problems.push(`${name}: unreadable`);
      return undefined;
    }
    return content;
  }

  /** Whether the sample holds the file (readable or not). */
  has(name: string): boolean {
    return this.files[name] !== undefined;
  }

  /** A file holding one non-negative integer. */
  integer(name: string): number | undefined {
    const text = this.text(name);
    if (text === undefined) return undefined;
    let from = 0;
    let to = text.length;
    while (from < to && isSpace(text.charCodeAt(from))) from++;
    while (to > from && isSpace(text.charCodeAt(to - 1))) to--;
    const v = digitsValue(text, from, to);
    if (v < 0) {
      this.problems.push(`${name}: expected an integer, got "${text.slice(from, to).slice(0, 40)}"`);
      return undefined;
    }
    return v;
  }

  /**
   * A flat-keyed file (`key value` per line: memory.stat, cpu.stat,
   * memory.events, oom_control): the values of `keys`, in that order. Every
   * line is checked (a malformed one is a problem) but only the wanted keys
   * are kept: memory.stat has some forty lines and three are used. One scan,
   * no regex, no line array.
   */
  keyed(name: string, keys: readonly string[]): KeyedValues | undefined {
    const text = this.text(name);
    if (text === undefined) return undefined;
    // The kernel's own format, checked in one native pass; then each wanted
    // key found with indexOf. Anything else (blank lines, stray spaces,
    // garbage) goes through the line-by-line reading below, which says what
    // is wrong where.
    if (WELL_FORMED_KEYED.test(text)) return keyedByIndex(text, keys);
    const out: KeyedValues = new Array<number | undefined>(keys.length).fill(undefined);
    let line = 0;
    let pos = 0;
    while (pos < text.length) {
      line++;
      let nl = text.indexOf('\n', pos);
      if (nl < 0) nl = text.length;
      const lineStart = pos;
      let from = pos;
      let to = nl;
      pos = nl + 1;
      while (from < to && isSpace(text.charCodeAt(from))) from++;
      while (to > from && isSpace(text.charCodeAt(to - 1))) to--;
      if (from === to) continue;
      let space = from;
      while (space < to && !isSpace(text.charCodeAt(space))) space++;
      const value = text.charCodeAt(space) === 32 ? digitsValue(text, space + 1, to) : -1;
      if (space === from || value < 0) {
        this.problems.push(`${name}: line ${line} is not "key value": "${text.slice(lineStart, Math.min(nl, lineStart + 60))}"`);
        continue;
      }
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k]!;
        if (key.length === space - from && text.startsWith(key, from)) out[k] = value;
      }
    }
    return out;
  }
}

function field(values: KeyedValues | undefined, keys: readonly string[], index: number, file: string, problems: string[], required = true): number | undefined {
  if (!values) return undefined;
  const v = values[index];
  if (v === undefined && required) problems.push(`${file}: no "${keys[index]}"`);
  return v;
}

function workingSet(usage: number | undefined, inactiveFile: number | undefined): number | undefined {
  if (usage === undefined) return undefined;
  if (inactiveFile === undefined) return usage;
  return Math.max(0, usage - inactiveFile);
}

/**
 * v1 blkio.throttle.io_service_bytes / io_serviced:
 *   `8:0 Read 4096` … `8:0 Total 8192` per device, then `Total <sum>`.
 * The throttle files are used (not blkio.io_service_bytes) because they are
 * filled whatever the I/O scheduler is; CFQ's files stay empty under
 * mq-deadline/none, which modern kernels use.
 */
function parseBlkio(text: string, file: string, problems: string[]): Map<string, { read: number; write: number }> {
  const out = new Map<string, { read: number; write: number }>();
  text.split('\n').forEach((line, i) => {
    const t = line.trim();
    if (t === '' || /^Total \d+$/.test(t)) return;
    const m = /^(\d+:\d+) (Read|Write|Sync|Async|Discard|Total) (\d+)$/.exec(t);
    if (!m) {
      problems.push(`${file}: line ${i + 1} is not "major:minor Op value": "${t.slice(0, 60)}"`);
      return;
    }
    const entry = out.get(m[1]!) ?? { read: 0, write: 0 };
    if (m[2] === 'Read') entry.read = Number(m[3]);
    if (m[2] === 'Write') entry.write = Number(m[3]);
    out.set(m[1]!, entry);
  });
  return out;
}

/** v2 io.stat: `8:0 rbytes=… wbytes=… rios=… wios=… dbytes=… dios=…` per device. */
function parseIoStat(text: string, problems: string[]): BlockDeviceIo[] {
  const out: BlockDeviceIo[] = [];
  text.split('\n').forEach((line, i) => {
    const t = line.trim();
    if (t === '') return;
    const [device, ...pairs] = t.split(/\s+/);
    if (!device || !/^\d+:\d+$/.test(device)) {
      problems.push(`io.stat: line ${i + 1} does not start with major:minor: "${t.slice(0, 60)}"`);
      return;
    }
    const kv = new Map<string, number>();
    for (const p of pairs) {
      const m = /^([a-z_]+)=(\d+)$/.exec(p);
      if (m) kv.set(m[1]!, Number(m[2]));
    }
    if (!kv.has('rbytes') || !kv.has('wbytes')) {
      problems.push(`io.stat: line ${i + 1} lacks rbytes/wbytes: "${t.slice(0, 60)}"`);
      return;
    }
    out.push({ device, readBytes: kv.get('rbytes')!, writeBytes: kv.get('wbytes')!, reads: kv.get('rios') ?? 0, writes: kv.get('wios') ?? 0 });
  });
  return out;
}

function sumDevices(devices: readonly BlockDeviceIo[]) {
  const sum = (pick: (d: BlockDeviceIo) => number | undefined) => devices.reduce((a, d) => a + (pick(d) ?? 0), 0);
  return {
    ioReadBytes: sum((d) => d.readBytes),
    ioWriteBytes: sum((d) => d.writeBytes),
    ioReads: sum((d) => d.reads),
    ioWrites: sum((d) => d.writes),
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Sets only what was read, so the stats object never holds an `undefined` field. */
function put<K extends keyof ContainerCgroupStats>(s: Mutable<ContainerCgroupStats>, key: K, value: ContainerCgroupStats[K] | undefined): void {
  if (value !== undefined) s[key] = value;
}

const V1_CPU_STAT = ['nr_periods', 'nr_throttled', 'throttled_time'] as const;
// total_* include descendants (hierarchical), which is what the container
// as a whole uses; the non-prefixed keys cover only the cgroup's own tasks.
const V1_MEMORY_STAT = ['total_inactive_file', 'total_rss', 'total_cache'] as const;
const OOM_KILL = ['oom_kill'] as const;
const V2_CPU_STAT = ['usage_usec', 'nr_periods', 'nr_throttled', 'throttled_usec'] as const;
const V2_MEMORY_STAT = ['inactive_file', 'anon', 'file'] as const;

function setCpuLimit(s: Mutable<ContainerCgroupStats>, quotaMicros: number, periodMicros: number): void {
  s.cpuQuotaMicros = quotaMicros;
  s.cpuPeriodMicros = periodMicros;
  s.cpuLimitCores = quotaMicros / periodMicros;
}

/**
 * Usage and peak from their files, and from memory.stat (keys: inactive
 * file, RSS, cache, in each version's names) the working set — usage minus
 * inactive file — RSS and cache.
 */
function readMemory(c: Collector, s: Mutable<ContainerCgroupStats>, usageFile: string, peakFile: string, statKeys: readonly [string, string, string]): void {
  const p = c.problems;
  put(s, 'memoryUsageBytes', c.integer(usageFile));
  put(s, 'memoryPeakBytes', c.integer(peakFile));
  const memStat = c.keyed('memory.stat', statKeys);
  put(s, 'memoryWorkingSetBytes', workingSet(s.memoryUsageBytes, field(memStat, statKeys, 0, 'memory.stat', p)));
  put(s, 'memoryRssBytes', field(memStat, statKeys, 1, 'memory.stat', p));
  put(s, 'memoryCacheBytes', field(memStat, statKeys, 2, 'memory.stat', p));
}

function parseV1(c: Collector): ContainerCgroupStats {
  const s: Mutable<ContainerCgroupStats> = {};
  const p = c.problems;

  const usageNs = c.integer('cpuacct.usage');
  if (usageNs !== undefined) s.cpuUsageSeconds = usageNs / 1e9;
  const cpuStat = c.keyed('cpu.stat', V1_CPU_STAT);
  put(s, 'cpuPeriods', field(cpuStat, V1_CPU_STAT, 0, 'cpu.stat', p));
  put(s, 'cpuThrottledPeriods', field(cpuStat, V1_CPU_STAT, 1, 'cpu.stat', p));
  const throttledNs = field(cpuStat, V1_CPU_STAT, 2, 'cpu.stat', p);
  if (throttledNs !== undefined) s.cpuThrottledSeconds = throttledNs / 1e9;

  // cfs_quota_us is -1 when unlimited (sched-bwc.rst), so it is read as a signed integer here.
  const quotaText = c.text('cpu.cfs_quota_us');
  const period = c.integer('cpu.cfs_period_us');
  if (quotaText !== undefined) {
    const q = quotaText.trim();
    if (!/^-?\d+$/.test(q)) p.push(`cpu.cfs_quota_us: expected an integer, got "${q.slice(0, 40)}"`);
    else if (Number(q) > 0 && period !== undefined && period > 0) setCpuLimit(s, Number(q), period);
  }

  put(s, 'cpuShares', c.integer('cpu.shares'));

  readMemory(c, s, 'memory.usage_in_bytes', 'memory.max_usage_in_bytes', V1_MEMORY_STAT);
  const limit = c.integer('memory.limit_in_bytes');
  if (limit !== undefined && limit < V1_UNLIMITED_THRESHOLD) s.memoryLimitBytes = limit;
  readMemorySpec(c, s, 'memory.limit_in_bytes', 'memory.memsw.limit_in_bytes', 'memory.soft_limit_in_bytes');
  // oom_kill appeared in memory.oom_control with Linux 4.13; older kernels have only under_oom.
  put(s, 'oomKills', field(c.keyed('memory.oom_control', OOM_KILL), OOM_KILL, 0, 'memory.oom_control', p, false));

  put(s, 'tasks', c.integer('pids.current'));
  put(s, 'tasksLimit', limitOrMax(c, 'pids.max'));

  const bytesText = c.text('blkio.throttle.io_service_bytes');
  const opsText = c.text('blkio.throttle.io_serviced');
  if (bytesText !== undefined || opsText !== undefined) {
    const bytes = bytesText !== undefined ? parseBlkio(bytesText, 'blkio.throttle.io_service_bytes', p) : new Map();
    const ops = opsText !== undefined ? parseBlkio(opsText, 'blkio.throttle.io_serviced', p) : new Map();
    const devices: BlockDeviceIo[] = [...new Set([...bytes.keys(), ...ops.keys()])].sort().map((device) => ({
      device,
      ...(bytesText !== undefined ? { readBytes: bytes.get(device)?.read ?? 0, writeBytes: bytes.get(device)?.write ?? 0 } : {}),
      ...(opsText !== undefined ? { reads: ops.get(device)?.read ?? 0, writes: ops.get(device)?.write ?? 0 } : {}),
    }));
    const sums = sumDevices(devices);
    s.ioDevices = devices;
    if (bytesText !== undefined) {
      s.ioReadBytes = sums.ioReadBytes;
      s.ioWriteBytes = sums.ioWriteBytes;
    }
    if (opsText !== undefined) {
      s.ioReads = sums.ioReads;
      s.ioWrites = sums.ioWrites;
    }
  }
  return s;
}

/**
 * cAdvisor's value for a memory spec file (swap limit, reservation), as
 * google/cadvisor container/common/helpers.go readUInt64 reads it ("max" is
 * MaxUint64) and metrics/prometheus.go specMemoryValue exports it (anything
 * above 2^62 is "unlimited" and exported as 0): none is 0, v1's page-rounded
 * LONG_MAX included.
 */
function cadvisorMemorySpec(c: Collector, name: string): number | undefined {
  const text = c.text(name);
  if (text === undefined) return undefined;
  const t = text.trim();
  if (t === 'max') return 0;
  const v = digitsValue(t, 0, t.length);
  if (v < 0) {
    c.problems.push(`${name}: expected a number or "max", got "${t.slice(0, 40)}"`);
    return undefined;
  }
  return v > CADVISOR_UNLIMITED_MEMORY ? 0 : v;
}

/**
 * The spec values cAdvisor reads beside the memory limit (helpers.go
 * GetSpec): the swap limit and the reservation. cAdvisor reads a missing
 * file as 0 (the memsw file is missing when the kernel does not account
 * swap), so a sample that read the memory limit but has no such file says 0
 * too; a sample that read no limits leaves them out (the source carries the
 * last ones).
 */
function readMemorySpec(c: Collector, s: Mutable<ContainerCgroupStats>, limitFile: string, swapFile: string, reservationFile: string): void {
  const missing = c.has(limitFile) ? 0 : undefined;
  put(s, 'memorySwapLimitBytes', c.has(swapFile) ? cadvisorMemorySpec(c, swapFile) : missing);
  put(s, 'memoryReservationBytes', c.has(reservationFile) ? cadvisorMemorySpec(c, reservationFile) : missing);
}

/**
 * cgroup v2 cpu.weight (1–10000) as v1 shares (2–262144), the inverse of
 * the linear map runc used to write weights (libcontainer/cgroups
 * ConvertCPUSharesToCgroupV2Value: 1 + ((shares − 2) × 9999) / 262142), in
 * integer arithmetic exactly as google/cadvisor container/common/helpers.go
 * convertCPUWeightToCPULimit: 2 + ((weight − 1) × 262142) / 9999. So the
 * default weight 100 is 2597 shares under cAdvisor, not 1024, and a weight
 * out of range is a problem (cAdvisor logs it and reports 0).
 */
export function cpuWeightToShares(weight: number): number | undefined {
  if (!Number.isInteger(weight) || weight < 1 || weight > 10000) return undefined;
  return 2 + Math.floor(((weight - 1) * 262142) / 9999);
}

/** A file holding a number or the word "max" (v2 limits, pids.max in both versions). */
function limitOrMax(c: Collector, name: string): number | undefined {
  const text = c.text(name);
  if (text === undefined) return undefined;
  const t = text.trim();
  if (t === 'max') return undefined;
  const v = digitsValue(t, 0, t.length);
  if (v < 0) {
    c.problems.push(`${name}: expected a number or "max", got "${t.slice(0, 40)}"`);
    return undefined;
  }
  return v;
}

function parseV2(c: Collector): ContainerCgroupStats {
  const s: Mutable<ContainerCgroupStats> = {};
  const p = c.problems;

  const cpuStat = c.keyed('cpu.stat', V2_CPU_STAT);
  const usageUsec = field(cpuStat, V2_CPU_STAT, 0, 'cpu.stat', p);
  if (usageUsec !== undefined) s.cpuUsageSeconds = usageUsec / 1e6;
  // nr_periods & co. are only there when the cpu controller is enabled for the cgroup.
  put(s, 'cpuPeriods', field(cpuStat, V2_CPU_STAT, 1, 'cpu.stat', p, false));
  put(s, 'cpuThrottledPeriods', field(cpuStat, V2_CPU_STAT, 2, 'cpu.stat', p, false));
  const throttledUsec = field(cpuStat, V2_CPU_STAT, 3, 'cpu.stat', p, false);
  if (throttledUsec !== undefined) s.cpuThrottledSeconds = throttledUsec / 1e6;

  // cpu.max: "$MAX $PERIOD", $MAX "max" for none.
  const cpuMax = c.text('cpu.max');
  if (cpuMax !== undefined) {
    const m = /^(max|\d+)(?: (\d+))?$/.exec(cpuMax.trim());
    if (!m) p.push(`cpu.max: expected "<quota|max> <period>", got "${cpuMax.trim().slice(0, 40)}"`);
    else if (m[1] !== 'max' && m[2] !== undefined && Number(m[2]) > 0) setCpuLimit(s, Number(m[1]), Number(m[2]));
  }

  const weight = c.integer('cpu.weight');
  if (weight !== undefined) {
    const shares = cpuWeightToShares(weight);
    if (shares === undefined) p.push(`cpu.weight: expected 1 to 10000, got ${weight}`);
    else s.cpuShares = shares;
  }

  readMemory(c, s, 'memory.current', 'memory.peak', V2_MEMORY_STAT);
  put(s, 'memoryLimitBytes', limitOrMax(c, 'memory.max'));
  // cAdvisor reads the v2 reservation from memory.min (the hard protection),
  // not memory.low, which is where runc puts Docker's --memory-reservation;
  // and the v2 swap limit is memory.swap.max alone, where v1's memsw file is
  // memory + swap (helpers.go GetSpec). Kept as cAdvisor has them, so a
  // dashboard reads the same number from either.
  readMemorySpec(c, s, 'memory.max', 'memory.swap.max', 'memory.min');
  // oom_kill counts processes killed by the OOM killer in this cgroup and its
  // descendants; plain "oom" counts reaching the limit, kills or not.
  put(s, 'oomKills', field(c.keyed('memory.events', OOM_KILL), OOM_KILL, 0, 'memory.events', p));

  put(s, 'tasks', c.integer('pids.current'));
  put(s, 'tasksLimit', limitOrMax(c, 'pids.max'));

  const ioText = c.text('io.stat');
  if (ioText !== undefined) {
    const devices = parseIoStat(ioText, p).sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0));
    s.ioDevices = devices;
    Object.assign(s, sumDevices(devices));
  }
  return s;
}

export function parseCgroupStats(version: CgroupVersion, files: CgroupFiles): CgroupStatsResult {
  const c = new Collector(files);
  const stats = version === 'v1' ? parseV1(c) : parseV2(c);
  return { stats, problems: c.problems };
}

/**
 * Values from files that change only when someone changes them (limits) or
 * only upwards (the peak): the agent reads them every few samples that carry
 * processes, the source carries them in between (ContainerTracker).
 */
export const LIMIT_STATS = [
  'cpuQuotaMicros',
  'cpuPeriodMicros',
  'cpuLimitCores',
  'cpuShares',
  'memoryLimitBytes',
  'memorySwapLimitBytes',
  'memoryReservationBytes',
  'memoryPeakBytes',
  'tasksLimit',
] as const satisfies readonly (keyof ContainerCgroupStats)[];

/** Values from files that change only on an event (OOM kills): read on the samples that carry processes, carried in between. */
export const EVENT_STATS = ['oomKills'] as const satisfies readonly (keyof ContainerCgroupStats)[];

/**
 * cAdvisor names (google/cadvisor metrics/prometheus.go and
 * docs/storage/prometheus.md). Labels are only the per-series ones (`device`);
 * the caller adds `container`, `image`, `namespace`, `pod` (and the core `host`).
 * Block I/O follows cAdvisor's container_fs_{reads,writes}[_bytes]_total,
 * which cAdvisor fills from the same blkio/io.stat counters (DiskIo.IoServiceBytes
 * / IoServiced) with a `device` label; here `device` is `major:minor` — the
 * agent may map it to a name through /sys/dev/block.
 */
export function cgroupStatsToSeries(stats: ContainerCgroupStats, labels: Readonly<Record<string, string>> = {}): RawSeries[] {
  const out: RawSeries[] = [];
  const add = (name: string, value: number | undefined, kind: 'counter' | 'gauge', extra: Record<string, string> = {}) => {
    if (value === undefined || !Number.isFinite(value)) return;
    out.push({ name, labels: { ...labels, ...extra }, value, kind });
  };
  add('container_cpu_usage_seconds_total', stats.cpuUsageSeconds, 'counter');
  add('container_cpu_cfs_periods_total', stats.cpuPeriods, 'counter');
  add('container_cpu_cfs_throttled_periods_total', stats.cpuThrottledPeriods, 'counter');
  add('container_cpu_cfs_throttled_seconds_total', stats.cpuThrottledSeconds, 'counter');
  add('container_spec_cpu_quota', stats.cpuQuotaMicros, 'gauge');
  add('container_spec_cpu_period', stats.cpuPeriodMicros, 'gauge');
  add('container_spec_cpu_shares', stats.cpuShares, 'gauge');
  add('container_memory_usage_bytes', stats.memoryUsageBytes, 'gauge');
  add('container_memory_working_set_bytes', stats.memoryWorkingSetBytes, 'gauge');
  add('container_memory_rss', stats.memoryRssBytes, 'gauge');
  add('container_memory_cache', stats.memoryCacheBytes, 'gauge');
  add('container_memory_max_usage_bytes', stats.memoryPeakBytes, 'gauge');
  add('container_spec_memory_limit_bytes', stats.memoryLimitBytes, 'gauge');
  add('container_spec_memory_swap_limit_bytes', stats.memorySwapLimitBytes, 'gauge');
  add('container_spec_memory_reservation_limit_bytes', stats.memoryReservationBytes, 'gauge');
  add('container_oom_events_total', stats.oomKills, 'counter');
  add('container_threads', stats.tasks, 'gauge');
  add('container_threads_max', stats.tasksLimit, 'gauge');
  for (const d of stats.ioDevices ?? []) {
    add('container_fs_reads_bytes_total', d.readBytes, 'counter', { device: d.device });
    add('container_fs_writes_bytes_total', d.writeBytes, 'counter', { device: d.device });
    add('container_fs_reads_total', d.reads, 'counter', { device: d.device });
    add('container_fs_writes_total', d.writes, 'counter', { device: d.device });
  }
  return out;
}
