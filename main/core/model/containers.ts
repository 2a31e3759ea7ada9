// The container part of the leaf model: what the agent read of each
// container cgroup in one sample, and what a container engine (Docker or
// Podman API, or its CLI) says about the containers. Sources fill it,
// derive/containers.ts turns it into series and table rows.
import type { NetDevCounters } from './netDev.js';

/** Which cgroup hierarchy a host runs (kernel Documentation/admin-guide/cgroup-v2.rst, "Mounting"). */
export type CgroupMode = 'v1' | 'v2' | 'hybrid' | 'none';

/** Who names the container cgroups: systemd slices/scopes, or plain directories (cgroupfs). */
export type CgroupDriver = 'systemd' | 'cgroupfs' | 'unknown';

export type ContainerRuntime = 'docker' | 'podman' | 'containerd' | 'cri-o' | 'cri';

export type KubernetesQos = 'guaranteed' | 'burstable' | 'besteffort';

/** The 12-character short id Docker and Podman show for a 64-hex container id. */
export const shortId = (id: string): string => id.slice(0, 12);

export interface BlockDeviceIo {
  /** `major:minor`, as the kernel writes it. */
  readonly device: string;
  readonly readBytes?: number;
  readonly writeBytes?: number;
  readonly reads?: number;
  readonly writes?: number;
}

/** Every field is optional: a missing or unreadable file leaves its values out. */
export interface ContainerCgroupStats {
  readonly cpuUsageSeconds?: number;
  readonly cpuPeriods?: number;
  readonly cpuThrottledPeriods?: number;
  readonly cpuThrottledSeconds?: number;
  /** CFS quota and period in microseconds; absent when there is no CPU limit. */
  readonly cpuQuotaMicros?: number;
  readonly cpuPeriodMicros?: number;
  /** quota / period; absent when there is no CPU limit. */
  readonly cpuLimitCores?: number;
  readonly memoryUsageBytes?: number;
  readonly memoryWorkingSetBytes?: number;
  readonly memoryRssBytes?: number;
  readonly memoryCacheBytes?: number;
  /** Highest usage seen since the cgroup was made (v1 memory.max_usage_in_bytes; v2 memory.peak, Linux 5.19+). */
  readonly memoryPeakBytes?: number;
  /** Absent when there is no limit (v1's page-rounded LONG_MAX, v2's "max"). */
  readonly memoryLimitBytes?: number;
  /**
   * cAdvisor's container_spec_cpu_shares: v1 cpu.shares as it is; v2
   * cpu.weight (1–10000) mapped back to shares (2–262144) the way cAdvisor
   * does (see cgroupStats.ts).
   */
  readonly cpuShares?: number;
  /**
   * cAdvisor's container_spec_memory_swap_limit_bytes: v1
   * memory.memsw.limit_in_bytes (memory + swap), v2 memory.swap.max (swap
   * alone); 0 when there is none, as cAdvisor reports it.
   */
  readonly memorySwapLimitBytes?: number;
  /**
   * cAdvisor's container_spec_memory_reservation_limit_bytes: v1
   * memory.soft_limit_in_bytes, v2 memory.min; 0 when there is none.
   */
  readonly memoryReservationBytes?: number;
  readonly oomKills?: number;
  /** Tasks (threads) in the cgroup: pids.current counts every task, not just processes. */
  readonly tasks?: number;
  /** Absent when pids.max is "max". */
  readonly tasksLimit?: number;
  /** Sums over devices. */
  readonly ioReadBytes?: number;
  readonly ioWriteBytes?: number;
  readonly ioReads?: number;
  readonly ioWrites?: number;
  readonly ioDevices?: readonly BlockDeviceIo[];
}


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
  /**
   * The container's own interface counters, when the source reads them per
   * container (cAdvisor's container_network_* series) rather than per init
   * pid (networkByPid); preferred over networkByPid when present.
   */
  readonly network?: readonly NetDevCounters[];
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
  /**
   * Containers (by id) that appeared after the first answer and that the
   * engine has not been asked about yet, while it answers: their series are
   * not stored until it has, so a container's series never start under its
   * id and carry on under its name (the name is the series' identity).
   */
  readonly held?: readonly string[];
}

export interface ContainerObservation {
  readonly layout: { readonly mode: CgroupMode; readonly driver: CgroupDriver };
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
