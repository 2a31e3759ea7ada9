// The core's leaf model: what every source of host data (the agent run
// locally or over SSH, the built-in cross-platform collector) hands the core,
// one observation per interval, already parsed. The core adds the `host`
// label, derives rates from consecutive observations (derive/) and stores the
// result (store/). Imports nothing of the core: parsers, sources, derivation
// and features all build on these types.
import type { RawSeries } from '../../common/series.js';
import type { ContainerObservation } from './containers.js';

/** One process as the source saw it; CPU is a cumulative counter, turned into a rate by the core. */
export interface RawProcess {
  readonly pid: number;
  readonly comm: string;
  readonly state?: string;
  readonly uid?: number;
  readonly user?: string;
  /** utime + stime in seconds since the process started (counter). */
  readonly cpuSeconds: number;
  readonly rssBytes: number;
  /** Start time in seconds after boot: tells a reused pid apart. */
  readonly startTime?: number;
}

export interface HostFacts {
  readonly hostname?: string;
  readonly kernel?: string;
  readonly os?: string;
  readonly arch?: string;
  readonly cpus?: number;
  /** linux, darwin, win32… (Node's names); the agent runs on Linux only. */
  readonly platform?: string;
}

export interface HostObservation {
  /** Wall-clock time of the sample, ms since the epoch (console clock on receipt when the host's is not trusted). */
  readonly t: number;
  /**
   * A monotonic clock of the host in seconds (e.g. /proc/uptime), used as the
   * interval for rates so network jitter between host and console does not
   * distort them. Absent → the core uses `t`.
   */
  readonly monotonicSeconds?: number;
  /** Raw series without the `host` label, node_exporter names (see main/common/metrics.ts). */
  readonly series: readonly RawSeries[];
  /** Every process, or the busiest ones when the source had to cut (sources decide). */
  readonly processes: readonly RawProcess[];
  /**
   * Set when `processes` holds only the pids the console asked to re-read
   * (the agent's "top=" word, between full reads): these pids were asked for,
   * so one of them missing has exited, and every other process was not read
   * this time (neither gone nor idle).
   */
  readonly processesOnly?: readonly number[];
  readonly facts: HostFacts;
  /** Parts of the sample that could not be parsed, e.g. "diskstats: line 3 has 5 fields". Counted, never fatal. */
  readonly problems: readonly string[];
  /** Containers seen in this sample; absent when the source does not read cgroups. */
  readonly containers?: ContainerObservation;
}
