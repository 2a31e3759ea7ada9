// Parsers for the /proc files the agent prints, each pure: text in, raw
// series (node_exporter names) and problems out. A line that cannot be read
// becomes a problem and is skipped; the rest of the file still counts.
import type { RawSeries } from '../../common/series.js';
import type { RawProcess } from '../model/observation.js';

export interface Parsed<T = RawSeries[]> {
  value: T;
  problems: string[];
}

/** Linux's USER_HZ on every architecture but alpha; the agent reports the real one (getconf CLK_TCK). */
export const DEFAULT_CLK_TCK = 100;
export const DEFAULT_PAGE_SIZE = 4096;

function num(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

// /proc/stat cpu columns in kernel order (Documentation/filesystems/proc.rst,
// "1.8 Miscellaneous kernel statistics in /proc/stat"). Times are in USER_HZ.
// guest and guest_nice are already included in user and nice, so, like
// node_exporter's node_cpu_seconds_total, they are left out here.
const CPU_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;

export interface ProcStat {
  series: RawSeries[];
  cpus: number;
  bootTime?: number;
}

export function parseProcStat(lines: readonly string[], clkTck: number): Parsed<ProcStat> {
  const series: RawSeries[] = [];
  const problems: string[] = [];
  let cpus = 0;
  let bootTime: number | undefined;
  const scalar = (name: string, value: string | undefined, kind: RawSeries['kind'], key: string) => {
    const v = num(value);
    if (v === undefined) problems.push(`stat: "${key}" has no numeric value`);
    else series.push({ name, labels: {}, value: v, kind });
  };
  for (const raw of lines) {
    const fields = raw.trim().split(/\s+/);
    const key = fields[0];
    if (!key) continue;
    if (key.startsWith('cpu') && key !== 'cpu') {
      const cpu = key.slice(3);
      if (!/^\d+$/.test(cpu)) {
        problems.push(`stat: unexpected line "${key}"`);
        continue;
      }
      // Kernels before 2.6 printed only user, nice, system and idle.
      if (fields.length < 5) {
        problems.push(`stat: ${key} has ${fields.length - 1} fields, expected at least 4`);
        continue;
      }
      const values: number[] = [];
      for (let i = 0; i < CPU_MODES.length && i + 1 < fields.length; i++) {
        const v = num(fields[i + 1]);
        if (v === undefined) break;
        values.push(v);
      }
      if (values.length < 4) {
        problems.push(`stat: ${key} has a non-numeric field`);
        continue;
      }
      cpus++;
      values.forEach((v, i) =>
        series.push({ name: 'node_cpu_seconds_total', labels: { cpu, mode: CPU_MODES[i]! }, value: v / clkTck, kind: 'counter' }),
      );
    } else if (key === 'btime') {
      bootTime = num(fields[1]);
      scalar('node_boot_time_seconds', fields[1], 'gauge', key);
    } else if (key === 'ctxt') scalar('node_context_switches_total', fields[1], 'counter', key);
    else if (key === 'processes') scalar('node_forks_total', fields[1], 'counter', key);
    else if (key === 'intr') scalar('node_intr_total', fields[1], 'counter', key);
    else if (key === 'procs_running') scalar('node_procs_running', fields[1], 'gauge', key);
    else if (key === 'procs_blocked') scalar('node_procs_blocked', fields[1], 'gauge', key);
  }
  if (cpus === 0) problems.push('stat: no cpuN lines');
  return { value: { series, cpus, bootTime }, problems };
}

export function parseUptime(lines: readonly string[]): Parsed<number | undefined> {
  const v = num(lines[0]?.trim().split(/\s+/)[0]);
  return { value: v, problems: v === undefined ? [`uptime: cannot read "${lines[0] ?? ''}"`] : [] };
}

export function parseLoadavg(lines: readonly string[]): Parsed {
  const fields = (lines[0] ?? '').trim().split(/\s+/);
  const values = fields.slice(0, 3).map(num);
  if (values.length < 3 || values.some((v) => v === undefined)) {
    return { value: [], problems: [`loadavg: cannot read "${lines[0] ?? ''}"`] };
  }
  const [l1, l5, l15] = values as number[];
  return {
    value: [
      { name: 'node_load1', labels: {}, value: l1!, kind: 'gauge' },
      { name: 'node_load5', labels: {}, value: l5!, kind: 'gauge' },
      { name: 'node_load15', labels: {}, value: l15!, kind: 'gauge' },
    ],
    problems: [],
  };
}

/**
 * /proc/meminfo, named as node_exporter's meminfo collector names it:
 * `Active(anon)` → `node_memory_Active_anon_bytes`; kB fields (which are
 * KiB, see proc.rst) become bytes; unit-less fields (HugePages_Total) keep
 * their count and lose the `_bytes` suffix.
 */
export function parseMeminfo(lines: readonly string[]): Parsed {
  const series: RawSeries[] = [];
  const problems: string[] = [];
  for (const raw of lines) {
    if (raw.trim() === '') continue;
    const m = /^([^:\s]+):\s+(\d+)(?:\s+(kB))?\s*$/.exec(raw);
    if (!m) {
      problems.push(`meminfo: cannot read "${raw}"`);
      continue;
    }
    const field = m[1]!.replace(/\(/g, '_').replace(/\)/g, '');
    const value = Number(m[2]);
    series.push(
      m[3]
        ? { name: `node_memory_${field}_bytes`, labels: {}, value: value * 1024, kind: 'gauge' }
        : { name: `node_memory_${field}`, labels: {}, value, kind: 'gauge' },
    );
  }
  return { value: series, problems };
}

/**
 * One /proc/PID/stat line (proc(5)). comm sits in parentheses and may hold
 * spaces and parentheses itself, so the fields are counted from the last ")".
 */
export function parsePidStat(line: string, clkTck: number, pageSize: number): Parsed<RawProcess | undefined> {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  const pid = num(line.slice(0, open).trim());
  if (open < 0 || close < open || pid === undefined) {
    return { value: undefined, problems: [`pid stat: cannot read "${line.slice(0, 60)}"`] };
  }
  const rest = line.slice(close + 1).trim().split(/\s+/);
  // rest[0] is field 3 (state): field N is rest[N - 3].
  const utime = num(rest[11]);
  const stime = num(rest[12]);
  const startTicks = num(rest[19]);
  const rssPages = num(rest[21]);
  if (utime === undefined || stime === undefined || startTicks === undefined || rssPages === undefined) {
    return { value: undefined, problems: [`pid stat: process ${pid} has ${rest.length + 2} fields, expected at least 24`] };
  }
  return {
    value: {
      pid,
      // Control characters (a name may hold newlines) shown as "?", as ps(1) does.
      comm: line.slice(open + 1, close).replace(/[\x00-\x1f\x7f]/g, '?'),
      state: rest[0],
      cpuSeconds: (utime + stime) / clkTck,
      rssBytes: Math.max(0, rssPages) * pageSize,
      startTime: startTicks / clkTck,
    },
    problems: [],
  };
}

/** PRETTY_NAME from os-release(5): shell-style, optionally quoted. */
export function parseOsRelease(lines: readonly string[]): string | undefined {
  for (const raw of lines) {
    const m = /^PRETTY_NAME=(.*)$/.exec(raw.trim());
    if (!m) continue;
    let v = m[1]!.trim();
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    return v.replace(/\\(["'$`\\])/g, '$1') || undefined;
  }
  return undefined;
}
