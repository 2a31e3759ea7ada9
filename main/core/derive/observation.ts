// From one observation of a host to everything the core keeps of it: the
// host's series, its top processes and its containers, with the state one
// observation hands on to the next (the previous observation, the process
// baseline) passed in and returned, never held here. Pure: the caller keeps
// the state with the host's runtime (ingest/hostRegistry.ts).
import type { ProcessRow } from '../../common/contract.js';
import type { Sample } from '../../common/series.js';
import type { HostObservation } from '../model/observation.js';
import { deriveContainers, type DerivedContainers } from './containers.js';
import { DEFAULT_MAX_INTERVAL_SECONDS, deriveHostSeries, rateInterval } from './host.js';
import { deriveProcesses, type DerivedProcesses, type ProcessCarry } from './processes.js';

export interface DeriveOptions {
  /** Longer gaps give no rates: an average over a long outage reads as a flat line that never happened. */
  readonly maxIntervalSeconds?: number;
  /** Rows kept per list (busiest by CPU, largest by RSS); the union is returned. */
  readonly topProcesses?: number;
}

export interface DerivedSamples {
  samples: Sample[];
  /**
   * The busiest processes by CPU and the largest by RSS (union), sorted by
   * CPU then RSS, from the latest observation that carried processes (this
   * one, or an earlier one when sources read processes only every few
   * samples); empty when there is none within maxIntervalSeconds.
   */
  processes: ProcessRow[];
  /** `t` of the observation `processes` was computed from; undefined when it is empty. */
  processesAt?: number;
  /** Containers: their rows for the table; their stored series are in `samples`. Absent when the source reads no cgroups. */
  containers?: DerivedContainers;
}

export const DEFAULT_TOP_PROCESSES = 20;

/** What one observation of a host hands on to the next. */
export interface DeriveState {
  /** System-wide rates pair with the immediately previous observation. */
  readonly previous: HostObservation;
  /** Process CPU pairs with the last observation that carried processes. */
  readonly processes?: ProcessCarry;
}

export interface Derivation extends DerivedSamples {
  /** Hand this to the next call for the same host; drop it when the source restarts. */
  readonly state: DeriveState;
}

export function deriveObservation(state: DeriveState | undefined, cur: HostObservation, host: string, options: DeriveOptions = {}): Derivation {
  const prev = state?.previous;
  const maxSeconds = options.maxIntervalSeconds ?? DEFAULT_MAX_INTERVAL_SECONDS;
  const dt = prev ? rateInterval(prev, cur, maxSeconds) : undefined;
  const { samples, memTotal } = deriveHostSeries(prev, cur, dt, host);
  const containers = cur.containers ? deriveContainers(prev?.containers, cur.containers, dt, host, cur.t) : undefined;
  if (containers) for (const s of containers.samples) samples.push(s);
  const processes: DerivedProcesses = deriveProcesses(state?.processes, prev, cur, memTotal, maxSeconds, options.topProcesses ?? DEFAULT_TOP_PROCESSES);
  return {
    samples,
    processes: processes.processes,
    ...(processes.processesAt !== undefined ? { processesAt: processes.processesAt } : {}),
    ...(containers ? { containers } : {}),
    state: { previous: cur, ...(processes.carry ? { processes: processes.carry } : {}) },
  };
}

/** One pair of observations on its own (overlook snapshot, test harnesses): `prev` is also the process baseline. */
export function deriveSamples(prev: HostObservation | undefined, cur: HostObservation, host: string, options: DeriveOptions = {}): DerivedSamples {
  const { state: _state, ...derived } = deriveObservation(prev && { previous: prev }, cur, host, options);
  return derived;
}
