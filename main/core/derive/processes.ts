// The top processes of one observation: CPU in cores per process (pid and
// start time, so a reused pid is a new process) against the last
// observation that carried processes, and memory. Pure, with what it carries
// from one observation to the next handed in and out explicitly.
import type { ProcessRow } from '../../common/contract.js';
import type { HostObservation, RawProcess } from '../model/observation.js';
import { rateInterval } from './host.js';

/**
 * Sources may read processes only every few samples (the agent's
 * PROCESS_EVERY, the collector's processEveryMs), and an observation without
 * processes means "not read this time", not "none running". So process CPU
 * pairs with the last observation that carried processes, and a sample
 * without them shows the rows computed last.
 */
export interface ProcessCarry {
  /** The latest observation up to this one that carried processes. */
  readonly baseline: HostObservation;
  readonly rows: ProcessRow[];
  /**
   * Each known process's latest reading and the observation it came from,
   * when some observation read only some processes (processesOnly): a
   * process not re-read since the last full read pairs with that read, over
   * its own interval.
   */
  readonly readings?: ReadonlyMap<string, Reading>;
}

interface Reading {
  readonly process: RawProcess;
  readonly at: HostObservation;
}

const keyOf = (p: RawProcess) => `${p.pid}/${p.startTime ?? ''}`;

export interface DerivedProcesses {
  /**
   * The busiest processes by CPU and the largest by RSS (union), sorted by
   * CPU then RSS, from the latest observation that carried processes (this
   * one, or an earlier one); empty when there is none within maxSeconds.
   */
  readonly processes: ProcessRow[];
  /** `t` of the observation `processes` was computed from; undefined when it is empty. */
  readonly processesAt?: number;
  /** What the next observation pairs with; undefined when nothing is carried. */
  readonly carry?: ProcessCarry;
}

/**
 * `carried` is what the previous call returned; without it (the first pair
 * of a snapshot) a `prev` that carried processes is its own baseline.
 */
export function deriveProcesses(
  carried: ProcessCarry | undefined,
  prev: HostObservation | undefined,
  cur: HostObservation,
  memTotal: number | undefined,
  maxSeconds: number,
  keep: number,
): DerivedProcesses {
  const baseline = carried?.baseline ?? (prev && prev.processes.length > 0 ? prev : undefined);
  const dt = baseline ? rateInterval(baseline, cur, maxSeconds) : undefined;
  if (cur.processesOnly !== undefined || carried?.readings !== undefined) {
    return deriveFromReadings(carried, baseline, cur, memTotal, maxSeconds, keep);
  }
  if (cur.processes.length > 0) {
    const rows = topProcesses(baseline, cur, dt, memTotal, keep);
    return { processes: rows, processesAt: cur.t, carry: { baseline: cur, rows } };
  }
  // Rows older than a valid rate interval (an outage, a reboot) are not shown as current.
  if (!carried || dt === undefined) return { processes: [] };
  return { processes: carried.rows, processesAt: carried.baseline.t, carry: carried };
}

/**
 * Samples that re-read only the processes the console named (processesOnly)
 * between full reads: each process pairs with its own latest reading, the
 * rows of processes not re-read stay as their last read computed them, and a
 * named process that was not found has exited.
 */
function deriveFromReadings(
  carried: ProcessCarry | undefined,
  baseline: HostObservation | undefined,
  cur: HostObservation,
  memTotal: number | undefined,
  maxSeconds: number,
  keep: number,
): DerivedProcesses {
  const only = cur.processesOnly;
  if (only === undefined && cur.processes.length === 0) {
    if (!carried || !baseline || rateInterval(baseline, cur, maxSeconds) === undefined) return { processes: [] };
    return { processes: carried.rows, processesAt: carried.baseline.t, carry: carried };
  }
  const readings = new Map<string, Reading>(carried?.readings ?? (baseline ? baseline.processes.map((p) => [keyOf(p), { process: p, at: baseline }]) : []));
  const before = new Map<string, { process: RawProcess; dt: number }>();
  for (const p of cur.processes) {
    const r = readings.get(keyOf(p));
    const dt = r ? rateInterval(r.at, cur, maxSeconds) : undefined;
    if (r && dt !== undefined) before.set(keyOf(p), { process: r.process, dt });
  }
  const fresh = rowsOf(before, cur, memTotal);
  let rows: ProcessRow[];
  if (only === undefined) {
    // A full read: every process is here, and nothing older is kept.
    readings.clear();
    rows = fresh;
  } else {
    const asked = new Set(only);
    for (const [key, r] of readings) if (asked.has(r.process.pid)) readings.delete(key);
    const kept = (carried?.rows ?? []).filter((row) => !asked.has(row.pid));
    rows = [...kept, ...fresh];
  }
  for (const p of cur.processes) readings.set(keyOf(p), { process: p, at: cur });
  const chosen = chooseTop(rows, keep);
  return { processes: chosen, processesAt: cur.t, carry: { baseline: cur, rows: chosen, readings } };
}

/**
 * CPU in cores over the interval, for the process with the same pid AND
 * start time in both observations (a reused pid is a new process); `prev`
 * is the last observation that carried processes, `dt` the interval to it. A
 * process seen for the first time, or every process when there is no valid
 * interval, gets its average since it started, as ps(1) computes %CPU.
 */
export function topProcesses(
  prev: HostObservation | undefined,
  cur: HostObservation,
  dt: number | undefined,
  memTotal: number | undefined,
  keep: number,
): ProcessRow[] {
  const before = new Map<string, { process: RawProcess; dt: number }>();
  if (prev && dt !== undefined) for (const p of prev.processes) before.set(keyOf(p), { process: p, dt });
  return chooseTop(rowsOf(before, cur, memTotal), keep);
}

/** Rows for `cur`'s processes, each against its reading in `before` (over that reading's own interval). */
function rowsOf(before: ReadonlyMap<string, { process: RawProcess; dt: number }>, cur: HostObservation, memTotal: number | undefined): ProcessRow[] {
  const uptime = cur.monotonicSeconds;
  return cur.processes.map((p) => {
    const was = before.get(keyOf(p));
    let cpu = 0;
    if (was) cpu = Math.max(0, p.cpuSeconds - was.process.cpuSeconds) / was.dt;
    else if (uptime !== undefined && p.startTime !== undefined && uptime - p.startTime > 0) cpu = p.cpuSeconds / (uptime - p.startTime);
    return {
      pid: p.pid,
      comm: p.comm,
      ...(p.user !== undefined ? { user: p.user } : {}),
      ...(p.state !== undefined ? { state: p.state } : {}),
      cpu,
      rssBytes: p.rssBytes,
      memoryRatio: memTotal ? p.rssBytes / memTotal : null,
    };
  });
}

/** The busiest `keep` by CPU and the largest `keep` by RSS (union), sorted by CPU then RSS. */
function chooseTop(rows: readonly ProcessRow[], keep: number): ProcessRow[] {
  const byCpu = (a: ProcessRow, b: ProcessRow) => b.cpu - a.cpu || b.rssBytes - a.rssBytes || a.pid - b.pid;
  const chosen = new Set<ProcessRow>([
    ...[...rows].sort(byCpu).slice(0, keep),
    ...[...rows].sort((a, b) => b.rssBytes - a.rssBytes || b.cpu - a.cpu || a.pid - b.pid).slice(0, keep),
  ]);
  return [...chosen].sort(byCpu);
}
