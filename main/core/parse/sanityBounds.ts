// What a value of a host series can be at all, by metric name: a value
// outside it is not a measurement (a corrupted read, a hostile or broken
// agent: a MemTotal of 1e32 bytes was once stored as it came) and is dropped
// and counted like any other bad input, by the parser (the host's problems)
// and by the store (its dropped-samples counter), never stored or charted.
// The bounds are what the kernel and the hardware make possible, each with
// its source, not guesses at what is "normal": a real host never meets them.
import type { RawSeries } from '../../common/series.js';
import type { RawProcess } from '../model/observation.js';

export interface ValueBounds {
  readonly min: number;
  readonly max: number;
  /** Why, for the problem text. */
  readonly why: string;
}

const U64 = 2 ** 64;
/** Linux's largest virtual address space: 57 bits with 5-level paging (Documentation/arch/x86/x86_64/5level-paging.rst, "128 PiB"). */
const VIRTUAL_BYTES = 2 ** 57;
/** Linux's largest physical address space: 52 bits (x86-64 5-level paging, "4 PiB"; ARMv8.2 LPA); no machine has more memory. */
const PHYSICAL_BYTES = 2 ** 52;
/** PID_MAX_LIMIT (include/linux/threads.h): at most 4 Mi tasks exist, so at most that many run, block or are averaged in the load. */
const MAX_TASKS = 2 ** 22;

const RULES: ReadonlyArray<{ readonly re: RegExp; readonly bounds: ValueBounds }> = [
  { re: /^node_memory_MemTotal_bytes$/, bounds: { min: 0, max: PHYSICAL_BYTES, why: 'a 52-bit physical address space' } },
  { re: /^node_memory_\w+_bytes$/, bounds: { min: 0, max: VIRTUAL_BYTES, why: 'a 57-bit virtual address space' } },
  // df -k prints statfs(2)'s 64-bit block counts in KiB.
  { re: /^node_filesystem_(size|free|avail)_bytes$/, bounds: { min: 0, max: U64 * 1024, why: "statfs's 64-bit block counts in KiB" } },
  { re: /^node_filesystem_files(_free)?$/, bounds: { min: 0, max: U64, why: "statfs's 64-bit inode counts" } },
  { re: /^node_load(1|5|15)$/, bounds: { min: 0, max: MAX_TASKS, why: 'PID_MAX_LIMIT tasks' } },
  { re: /^node_procs_(running|blocked)$/, bounds: { min: 0, max: MAX_TASKS, why: 'PID_MAX_LIMIT tasks' } },
  { re: /^node_disk_io_now$/, bounds: { min: 0, max: 2 ** 32, why: "the kernel's 32-bit in-flight count (/proc/diskstats field 9)" } },
  // Below absolute zero is impossible; hwmon reports millidegrees (Documentation/hwmon/sysfs-interface.rst) and no sensor reads 1000 °C.
  { re: /^node_(hwmon_temp_celsius|thermal_zone_temp)$/, bounds: { min: -273.15, max: 1000, why: 'absolute zero to 1000 °C' } },
  // The kernel's counters (/proc/stat, diskstats, net/dev) are unsigned, at most 64 bits.
  { re: /_total$/, bounds: { min: 0, max: U64, why: "the kernel's unsigned 64-bit counters" } },
];

const cache = new Map<string, ValueBounds | null>();

/** The bounds of a metric, or undefined when it has none (any finite value). */
export function valueBoundsOf(name: string): ValueBounds | undefined {
  let found = cache.get(name);
  if (found === undefined) {
    found = RULES.find((r) => r.re.test(name))?.bounds ?? null;
    if (cache.size > 10_000) cache.clear();
    cache.set(name, found);
  }
  return found ?? undefined;
}

export function withinBounds(name: string, value: number): boolean {
  const b = valueBoundsOf(name);
  return b === undefined || (value >= b.min && value <= b.max);
}

function describe(name: string, labels: Readonly<Record<string, string>>, value: number, b: ValueBounds): string {
  const where = Object.entries(labels)
    .map(([k, v]) => `${k}="${v.slice(0, 60)}"`)
    .join(',');
  return `${name}${where ? `{${where}}` : ''}: ${value} is outside ${b.min} to ${b.max} (${b.why}); dropped`;
}

/** The series within their bounds, and a problem for each one dropped. */
export function boundedSeries(series: readonly RawSeries[]): { value: RawSeries[]; problems: string[] } {
  const problems: string[] = [];
  const value: RawSeries[] = [];
  for (const s of series) {
    const b = valueBoundsOf(s.name);
    if (b !== undefined && !(s.value >= b.min && s.value <= b.max)) problems.push(describe(s.name, s.labels, s.value, b));
    else value.push(s);
  }
  return { value, problems };
}

/** Processes whose CPU time and resident memory can be real ones. */
export function boundedProcesses(processes: readonly RawProcess[]): { value: RawProcess[]; problems: string[] } {
  const problems: string[] = [];
  const value: RawProcess[] = [];
  for (const p of processes) {
    if (!(p.cpuSeconds >= 0 && p.cpuSeconds <= U64)) problems.push(`process ${p.pid}: CPU time ${p.cpuSeconds} s is outside 0 to 2^64; dropped`);
    else if (!(p.rssBytes >= 0 && p.rssBytes <= VIRTUAL_BYTES)) problems.push(`process ${p.pid}: resident memory ${p.rssBytes} bytes is outside 0 to 2^57; dropped`);
    else value.push(p);
  }
  return { value, problems };
}
