// From two consecutive container observations of one host to what the core
// stores and shows: per-container CPU in cores, throttling, block I/O and
// network rates, memory gauges and the limit share, plus the rows of the
// containers table. Pure; called from deriveSamples with the host's rate
// interval.
import type { ContainerRow } from '../../common/contract.js';
import type { Labels, Sample } from '../../common/series.js';
import { counterIncrease } from './counters.js';
import { NET_TRANSMIT_BYTES } from '../model/netDev.js';
import type { ContainerCgroupStats, ContainerObservation, RawContainer } from '../model/containers.js';
import { containerIdentities, isRunningState, type ContainerIdentity } from './containerIdentity.js';

export interface DerivedContainers {
  /** Stored series (the `host` label added); none while the engine's first answer is pending, none of a held container. */
  readonly samples: Sample[];
  readonly rows: ContainerRow[];
  readonly running: number;
  readonly total: number;
}

/** Raw gauges stored as they are (cAdvisor names), from the parsed cgroup values. */
const STORED_GAUGES: ReadonlyArray<readonly [name: string, field: keyof ContainerCgroupStats]> = [
  ['container_memory_usage_bytes', 'memoryUsageBytes'],
  ['container_memory_working_set_bytes', 'memoryWorkingSetBytes'],
  ['container_memory_rss', 'memoryRssBytes'],
  ['container_memory_cache', 'memoryCacheBytes'],
  ['container_spec_memory_limit_bytes', 'memoryLimitBytes'],
  ['container_threads', 'tasks'],
  ['container_oom_events_total', 'oomKills'],
];

/** Block I/O totals (summed over devices by the parser) → per-second rates. */
const BLOCK_RATES: ReadonlyArray<readonly [field: keyof NonNullable<RawContainer['blockIo']>, rate: string]> = [
  ['readBytes', 'container:fs_read_bytes:rate'],
  ['writeBytes', 'container:fs_write_bytes:rate'],
  ['reads', 'container:fs_reads:rate'],
  ['writes', 'container:fs_writes:rate'],
];

const NO_STATS: ContainerCgroupStats = {};

function networkOf(obs: ContainerObservation, pid: number | undefined): { rx?: number; tx?: number } {
  if (pid === undefined) return {};
  const interfaces = obs.networkByPid[String(pid)];
  if (!interfaces) return {};
  // Loopback traffic stays inside the container: not its network I/O (cAdvisor leaves it out too).
  let rx: number | undefined;
  let tx: number | undefined;
  for (const { device, values } of interfaces) {
    if (device === 'lo') continue;
    rx = (rx ?? 0) + values[0]!;
    tx = (tx ?? 0) + values[NET_TRANSMIT_BYTES]!;
  }
  return rx === undefined ? {} : { rx, tx };
}

function rate(prev: number | undefined, cur: number | undefined, dt: number | undefined): number | undefined {
  if (prev === undefined || cur === undefined || dt === undefined) return undefined;
  const inc = counterIncrease(prev, cur);
  return inc === undefined ? undefined : inc / dt;
}

export function deriveContainers(
  prev: ContainerObservation | undefined,
  cur: ContainerObservation,
  dt: number | undefined,
  host: string,
  t: number,
): DerivedContainers {
  const samples: Sample[] = [];
  const storeAny = !cur.engine?.pending;
  // Held: the engine has not named it yet (see EngineSnapshot.held); its row shows, its series wait.
  const held = new Set(cur.engine?.held ?? []);
  const before = new Map((prev ? containerIdentities(prev) : []).map((c) => [c.id, c]));
  const rows: ContainerRow[] = [];
  let running = 0;
  for (const c of containerIdentities(cur)) {
    if (isRunningState(c.state)) running++;
    const store = storeAny && !held.has(c.id);
    // `labels` already carries `host` (one object per container, shared by its samples).
    const push = (name: string, labels: Labels, v: number | undefined) => {
      if (store && v !== undefined && Number.isFinite(v)) samples.push({ name, labels, t, v });
    };
    rows.push(deriveOne(c, before.get(c.id), prev, cur, dt, host, push));
  }
  return { samples, rows, running, total: rows.length };
}

type Push = (name: string, labels: Labels, v: number | undefined) => void;

function deriveOne(
  c: ContainerIdentity,
  was: ContainerIdentity | undefined,
  prevObs: ContainerObservation | undefined,
  curObs: ContainerObservation,
  dt: number | undefined,
  host: string,
  push: Push,
): ContainerRow {
  const now: ContainerCgroupStats = c.cgroup?.stats ?? NO_STATS;
  const before: ContainerCgroupStats = was?.cgroup?.stats ?? NO_STATS;
  const labels: Labels = { ...c.seriesLabels, host };

  const cpuCores = rate(before.cpuUsageSeconds, now.cpuUsageSeconds, dt);
  const throttledSecondsRate = rate(before.cpuThrottledSeconds, now.cpuThrottledSeconds, dt);
  // Throttled share: of the CFS periods that elapsed in the interval, how many
  // hit the quota. No periods elapsed (idle, or no quota) is no throttling.
  const periods = rate(before.cpuPeriods, now.cpuPeriods, 1);
  const throttledPeriods = rate(before.cpuThrottledPeriods, now.cpuThrottledPeriods, 1);
  const throttledRatio =
    dt !== undefined && periods !== undefined && throttledPeriods !== undefined ? (periods > 0 ? Math.min(1, throttledPeriods / periods) : 0) : undefined;
  const cpuLimit = c.cgroup?.cpuLimitCores;

  push('container:cpu_usage:cores', labels, cpuCores);
  if (cpuLimit !== undefined) {
    push('container:cpu_limit:cores', labels, cpuLimit);
    push('container:cpu_throttled:ratio', labels, throttledRatio);
    push('container:cpu_throttled_seconds:rate', labels, throttledSecondsRate);
  }
  for (const [name, field] of STORED_GAUGES) push(name, labels, now[field] as number | undefined);
  const workingSet = now.memoryWorkingSetBytes;
  const limit = now.memoryLimitBytes;
  if (workingSet !== undefined && limit !== undefined && limit > 0) push('container:memory_limit_used:ratio', labels, workingSet / limit);
  const blockRates = BLOCK_RATES.map(([field, name]) => {
    const r = rate(was?.cgroup?.blockIo?.[field], c.cgroup?.blockIo?.[field], dt);
    push(name, labels, r);
    return r;
  });
  // The network counters belong to the init's namespace: a new pid (restart) starts new counters.
  const net = networkOf(curObs, c.pid);
  const prevNet = was && prevObs && was.pid === c.pid ? networkOf(prevObs, was.pid) : {};
  const rx = rate(prevNet.rx, net.rx, dt);
  const tx = rate(prevNet.tx, net.tx, dt);
  push('container:network_receive_bytes:rate', labels, rx);
  push('container:network_transmit_bytes:rate', labels, tx);

  const orNull = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? null : v);
  const limitBytes = limit ?? (c.cgroup ? undefined : c.meta?.memoryLimitBytes);
  return {
    id: c.id,
    name: c.name,
    image: c.image ?? null,
    runtime: c.runtime,
    state: c.state,
    restarts: c.restarts ?? null,
    pod: c.pod ?? null,
    namespace: c.namespace ?? null,
    podUid: c.cgroup?.podUid ?? null,
    qos: c.cgroup?.qos ?? null,
    sandbox: c.sandbox,
    // The identity's own objects: made for this observation, never changed after.
    seriesLabels: c.seriesLabels,
    labels: c.labels,
    cgroupPath: c.cgroup?.cgroupPath ?? null,
    cpuCores: orNull(cpuCores),
    cpuLimitCores: orNull(cpuLimit),
    cpuThrottledRatio: cpuLimit !== undefined ? orNull(throttledRatio) : null,
    cpuThrottledSecondsRate: cpuLimit !== undefined ? orNull(throttledSecondsRate) : null,
    memoryUsageBytes: orNull(now.memoryUsageBytes),
    memoryWorkingSetBytes: orNull(workingSet),
    memoryRssBytes: orNull(now.memoryRssBytes),
    memoryCacheBytes: orNull(now.memoryCacheBytes),
    memoryPeakBytes: orNull(now.memoryPeakBytes),
    memoryLimitBytes: orNull(limitBytes),
    oomKills: orNull(now.oomKills),
    pids: orNull(now.tasks),
    pidsLimit: orNull(now.tasksLimit),
    blockReadBytesRate: orNull(blockRates[0]),
    blockWriteBytesRate: orNull(blockRates[1]),
    blockReadOpsRate: orNull(blockRates[2]),
    blockWriteOpsRate: orNull(blockRates[3]),
    networkRxBytesRate: orNull(rx),
    networkTxBytesRate: orNull(tx),
    startedAt: c.startedAt ?? null,
  };
}
