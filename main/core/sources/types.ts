// What every source of host data (the agent run locally or over SSH, the
// built-in cross-platform collector) hands the core: one observation per
// interval, already parsed. The core adds the `host` label, derives rates
// from consecutive observations and stores the result.
import type { RawSeries } from '../../common/series.js';
import type { HostStatus } from '../../common/contract.js';
import type { HostKeyPrompt } from '../../common/sshHosts.js';
import type { CgroupLayout } from '../containers/cgroupLayout.js';
import type { ContainerRuntime, KubernetesQos } from '../containers/containerPaths.js';

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
  readonly podUid?: string;
  readonly qos?: KubernetesQos;
  readonly rootlessUid?: number;
  /** cAdvisor-named raw series (counters and gauges) without host/container labels, from cgroupStatsToSeries. */
  readonly series: readonly RawSeries[];
  /** First pid of the container's cgroup (its init), when readable. */
  readonly initPid?: number;
  /** True when the freezer says the cgroup is frozen (v1 freezer.state FROZEN, v2 cgroup.freeze / cgroup.events frozen 1). */
  readonly frozen?: boolean;
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

/** The engine's view of a host's containers, refreshed every few samples by the source that owns the connection. */
export interface EngineSnapshot {
  /** `docker` or `podman` (podman's Docker-compatible API reports itself), or null when no engine answered. */
  readonly engine: 'docker' | 'podman' | null;
  /** How it was reached: local unix socket, SSH stream-local forwarding, or the CLI over SSH exec. */
  readonly via: 'socket' | 'ssh-socket' | 'cli' | null;
  readonly containers: readonly ContainerMeta[];
  /** Per-host note for the user when names are unavailable, e.g. "add user ops to the docker group to see container names". */
  readonly note?: string;
  /** When the snapshot was taken (ms since the epoch). */
  readonly at: number;
}

export interface ContainerObservation {
  readonly layout: Pick<CgroupLayout, 'mode' | 'driver'>;
  readonly cgroups: readonly RawContainer[];
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
