// What every source of host data (the agent run locally or over SSH, the
// built-in cross-platform collector) hands the core: one observation per
// interval, already parsed. The core adds the `host` label, derives rates
// from consecutive observations and stores the result.
import type { RawSeries } from '../../common/series.js';
import type { HostStatus } from '../../common/contract.js';
import type { HostKeyPrompt } from '../../common/sshHosts.js';
import type { NetDevCounters } from '../parse/devices.js';
import type { CgroupLayout } from '../parse/cgroups/cgroupLayout.js';
import type { ContainerCgroupStats } from '../parse/cgroups/cgroupStats.js';
import type { ContainerRuntime, KubernetesQos } from '../parse/cgroups/containerPaths.js';

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
  readonly facts: HostFacts;
  /** Parts of the sample that could not be parsed, e.g. "diskstats: line 3 has 5 fields". Counted, never fatal. */
  readonly problems: readonly string[];
  /** Containers seen in this sample (issue 4); absent when the source does not read cgroups. */
  readonly containers?: ContainerObservation;
}

// ---------------------------------------------------------------- containers (issue 4)

/** One container cgroup as the agent read it in this sample. */
export interface RawContainer {
  /** Full 64-hex id, from the cgroup path. */
  readonly id: string;
  readonly runtime: ContainerRuntime;
  /** The container's own cgroup path relative to the hierarchy root, e.g. `/docker/<id>`. */
  readonly cgroupPath: string;
  readonly driver: 'systemd' | 'cgroupfs';
  readonly podUid?: string;
  readonly qos?: KubernetesQos;
  readonly rootlessUid?: number;
  /**
   * The raw values read from the cgroup files (counters and gauges); the
   * exporter names them as cAdvisor does (cgroupStatsToSeries) only when it
   * is scraped.
   */
  readonly stats: ContainerCgroupStats;
  /** CPU limit in cores (quota / period), absent when there is none. */
  readonly cpuLimitCores?: number;
  /**
   * Block I/O summed over devices, whenever the I/O files were read: zeros for
   * a container that did no I/O yet (its files list no device, so its
   * per-device series are absent).
   */
  readonly blockIo?: { readonly readBytes: number; readonly writeBytes: number; readonly reads: number; readonly writes: number };
  /** Lowest pid in the container's cgroup.procs (its init, barring pid wrap-around), on samples that read cgroup.procs. */
  readonly initPid?: number;
  /** Processes (not threads) in cgroup.procs, on samples that read it. */
  readonly processes?: number;
  /** True when the freezer says the cgroup is frozen (v1 freezer.state FROZEN, v2 cgroup.events frozen 1). */
  readonly frozen?: boolean;
}

/** What the agent could tell about reaching a container engine on its host (its socket tests and PATH), every sample. */
export interface EngineAccess {
  /** Engine sockets that exist, and whether the agent's user may connect to them (write permission on the socket). */
  readonly sockets: readonly { readonly path: string; readonly writable: boolean }[];
  /** Engine CLIs on the agent's PATH. */
  readonly cli: readonly ('docker' | 'podman')[];
  readonly uid?: number;
  readonly user?: string;
}

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'dead' | 'removing' | 'unknown';

/** What a container engine (Docker / Podman Engine API or CLI) says about one container. */
export interface ContainerMeta {
  readonly id: string;
  /** Engine name without the leading slash, e.g. `web-1`. */
  readonly name: string;
  readonly image?: string;
  readonly state: ContainerState;
  readonly restarts?: number;
  /** Container labels (Kubernetes sets io.kubernetes.pod.name, io.kubernetes.pod.namespace, io.kubernetes.container.name). */
  readonly labels: Readonly<Record<string, string>>;
  /** Pid of the container's init process on the host (0 / absent when not running). */
  readonly pid?: number;
  /** ms since the epoch, when the engine says. */
  readonly startedAt?: number;
  /** Memory limit the engine configured (bytes), for exited containers whose cgroup is gone. */
  readonly memoryLimitBytes?: number;
}

/**
 * Why container names are missing or old, for a per-host note (the UI words
 * it in the user's language): the socket is not this user's to open, the SSH
 * server will not forward to it, the engine did not answer or answered
 * garbage, or cgroups show containers but no Docker/Podman socket exists.
 */
export type EngineNoteCode = 'socket_denied' | 'forwarding_refused' | 'engine_unreachable' | 'engine_garbage' | 'no_engine';

export interface EngineNote {
  readonly code: EngineNoteCode;
  readonly socket?: string;
  readonly user?: string;
  /** The error as the engine, the CLI or the transport said it (never a secret: sockets and CLIs carry none). */
  readonly detail?: string;
}

/** The engine's view of a host's containers, refreshed every few samples by the source that owns the connection. */
export interface EngineSnapshot {
  /** `docker` or `podman` (podman's Docker-compatible API reports itself), or null when no engine answered. */
  readonly engine: 'docker' | 'podman' | null;
  /** How it was reached: local unix socket, SSH stream-local forwarding, or the CLI over SSH exec. */
  readonly via: 'socket' | 'ssh-socket' | 'cli' | null;
  /** The socket path or `docker CLI` that answered. */
  readonly target?: string;
  readonly containers: readonly ContainerMeta[];
  /** Why names are missing or old; metrics from cgroups flow regardless, named by id. */
  readonly note?: EngineNote;
  /** When the engine last answered (ms since the epoch); 0 when it never has. */
  readonly at: number;
  /**
   * The first answer is still on its way: container series of this sample
   * are not stored, so history does not get a one-sample series named by id
   * before the name arrives.
   */
  readonly pending?: boolean;
}

export interface ContainerObservation {
  readonly layout: Pick<CgroupLayout, 'mode' | 'driver'>;
  readonly cgroups: readonly RawContainer[];
  /**
   * /proc/<pid>/net/dev of the pids the console asked for (the containers'
   * init processes): each interface's counters, keyed by pid. A container's
   * network namespace is its init's, so these are its interfaces' counters.
   */
  readonly networkByPid: Readonly<Record<string, readonly NetDevCounters[]>>;
  /**
   * False when this sample left out the files that change only when someone
   * changes them (limits, peak memory, cgroup.procs): the agent reads them
   * every few samples and the source carries them in between
   * (ContainerTracker). Absent means read.
   */
  readonly limitsRead?: boolean;
  /** False when this sample left out the files that change only on an event (OOM kills, the freezer state); carried the same way. */
  readonly eventsRead?: boolean;
  readonly access?: EngineAccess;
  /** Latest engine snapshot (may be a few samples old), absent when the source has none yet. */
  readonly engine?: EngineSnapshot;
}

/** What a status may carry beyond its text (optional, added for SSH host keys; sources without it pass nothing). */
export interface StatusExtra {
  /** The host key waiting for the user's decision (host_key_unknown / host_key_changed). */
  readonly hostKey?: HostKeyPrompt;
}

export interface SourceEvents {
  observation(obs: HostObservation): void;
  status(status: HostStatus, detail?: string, extra?: StatusExtra): void;
}

/** A running source of one host's observations. */
export interface HostSource {
  start(events: SourceEvents): void;
  stop(): Promise<void>;
}
