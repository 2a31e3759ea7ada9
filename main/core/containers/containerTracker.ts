// Per host, between the agent's frames and the core: keeps the engine's view
// of the containers (names, images, labels, states, restarts, init pids)
// fresh without asking it every sample, stamps each observation with the
// latest view, and tells the agent which init pids' network counters to
// read. Used the same way by the local source (engine over the unix socket)
// and the SSH source (over the connection), each with its own connector.
//
// Refresh policy: a list (one cheap request) every `refreshMs`, sooner (but
// not more than once per MIN_REFRESH_GAP_MS) when a sample shows a container
// the engine has not been asked about, or one whose init pid changed (a
// restart). Only new containers, containers whose state changed, and the
// stalest few are inspected per refresh, so restart counts are at most
// REINSPECT_MS old and a host with 200 containers costs a handful of
// requests per refresh, not 200.
import { LIMITS_REQUEST } from '../sources/agent/pacer.js';
import type { Logger } from '../log.js';
import type { HostObservation } from '../model/observation.js';
import type { ContainerCgroupStats, ContainerMeta, EngineAccess, EngineNote, EngineSnapshot, RawContainer } from '../model/containers.js';
import { EVENT_STATS, LIMIT_STATS } from '../parse/cgroups/cgroupStats.js';
import type { EngineName, ListedContainer } from './engineApi.js';
import { isPermissionDenied, type EngineClient } from './engineClient.js';
import { EngineRequestError } from './engineHttp.js';

export interface EngineConnection {
  readonly client?: EngineClient;
  /** Why there is no client (socket not ours, forwarding refused, no engine). */
  readonly note?: EngineNote;
}

/** Picks the way to the engine from what the agent saw on the host; transport-specific (local socket, SSH). */
export interface EngineConnector {
  connect(access: EngineAccess | undefined): Promise<EngineConnection>;
}

export interface ContainerTrackerOptions {
  readonly connector?: EngineConnector;
  readonly refreshMs?: number;
  readonly now?: () => number;
  readonly log?: Logger;
  /** For log lines. */
  readonly hostName?: string;
}

export const DEFAULT_ENGINE_REFRESH_MS = 10_000;
const MIN_REFRESH_GAP_MS = 2_000;
const REINSPECT_MS = 60_000;
const MAX_INSPECTS_PER_REFRESH = 25;
/** After this many failed refreshes in a row the client is dropped and the way to the engine chosen again. */
const RECONNECT_AFTER_FAILURES = 3;
/** Network counters are read for at most this many init pids per sample. */
const MAX_NETWORK_PIDS = 1000;
const MAX_BACKOFF_MS = 300_000;
/**
 * A container the engine has not named yet is held back at most this long
 * (its samples are not stored meanwhile): a refresh is brought forward for
 * it and answers within a second or two; an engine slower than this costs
 * the history a split, not the samples.
 */
export const MAX_HOLD_MS = 30_000;

interface Cached {
  meta: ContainerMeta;
  listedState: ListedContainer['state'];
  inspectedAt: number;
}

export class ContainerTracker {
  private connector: EngineConnector | undefined;
  private client: EngineClient | undefined;
  private engine: EngineName | null = null;
  private readonly cache = new Map<string, Cached>();
  private note: EngineNote | undefined;
  private answeredAt = 0;
  private refreshedAt = -Infinity;
  /** No refresh before this (backs off while the engine fails). */
  private notBefore = -Infinity;
  private refreshing: Promise<void> | undefined;
  private settled = false;
  private failures = 0;
  private stopped = false;
  private accessKey = '';
  private access: EngineAccess | undefined;
  private readonly dirty = new Set<string>();
  /** Last init pid read from each container's cgroup.procs (read every few samples only). */
  private readonly initPids = new Map<string, number>();
  /** Each container's limits and peak from the last sample that read them. */
  private readonly limits = new Map<string, Carried>();
  /** Each container's OOM kills and freezer state from the last sample that read them. */
  private readonly events = new Map<string, Carried>();
  /** A container appeared on a sample without limits: ask for them in the next one. */
  private wantLimits = false;
  private latestCgroups: readonly RawContainer[] = [];
  /** When each cgroup-backed container was first seen (this tracker's clock). */
  private readonly firstSeen = new Map<string, number>();
  /** When the list of the latest answer was asked for, and what it listed. */
  private listAskedAt = -Infinity;
  private listed = new Set<string>();
  private readonly refreshMs: number;
  private readonly now: () => number;

  constructor(private readonly options: ContainerTrackerOptions = {}) {
    this.connector = options.connector;
    this.refreshMs = options.refreshMs ?? DEFAULT_ENGINE_REFRESH_MS;
    this.now = options.now ?? Date.now;
  }

  /** A new way to the engine (the SSH source reconnected); names already known are kept until the next answer. */
  setConnector(connector: EngineConnector | undefined): void {
    this.connector = connector;
    this.client = undefined;
    this.refreshedAt = -Infinity;
    this.notBefore = -Infinity;
    this.failures = 0;
  }

  stop(): void {
    this.stopped = true;
  }

  /** Resolves when the refresh in flight (if any) is done; for tests and orderly shutdown. */
  async idle(): Promise<void> {
    await this.refreshing;
  }

  /**
   * Words for the agent's next request line: `net:PID` for the init pid of
   * every container that has one, and `limits` when a container appeared on
   * a sample without its limits.
   */
  requestWords(): string[] {
    const words: string[] = this.wantLimits ? [LIMITS_REQUEST] : [];
    this.wantLimits = false;
    for (const c of this.latestCgroups) {
      const pid = this.pidOf(c.id);
      if (pid !== undefined) words.push(`net:${pid}`);
      if (words.length >= MAX_NETWORK_PIDS) break;
    }
    return words;
  }

  private pidOf(id: string): number | undefined {
    const meta = this.cache.get(id)?.meta;
    if (meta?.pid !== undefined && (meta.state === 'running' || meta.state === 'paused')) return meta.pid;
    return this.initPids.get(id);
  }

  /** The observation with carried init pids and the latest engine snapshot; may start a refresh in the background. */
  enrich(obs: HostObservation): HostObservation {
    const containers = obs.containers;
    if (!containers) return obs;
    const seen = new Set<string>();
    let unknown = false;
    const t = this.now();
    for (const c of containers.cgroups) {
      seen.add(c.id);
      if (!this.firstSeen.has(c.id)) this.firstSeen.set(c.id, t);
      if (c.initPid !== undefined) {
        const meta = this.cache.get(c.id)?.meta;
        // The engine's pid and the cgroup's lowest pid differ after a restart
        // (or when the init forked a lower-numbered pid after a wrap): ask again.
        if (meta?.pid !== undefined && meta.pid !== c.initPid && meta.state === 'running') this.dirty.add(c.id);
        this.initPids.set(c.id, c.initPid);
      }
      if (!this.cache.has(c.id)) unknown = true;
    }
    for (const id of this.initPids.keys()) if (!seen.has(id)) this.initPids.delete(id);
    for (const id of this.firstSeen.keys()) if (!seen.has(id)) this.firstSeen.delete(id);
    this.latestCgroups = containers.cgroups;
    this.updateAccess(containers.access);

    const due = t - this.refreshedAt >= this.refreshMs && t >= this.notBefore;
    // A failing engine is not asked again early: new containers wait for the backed-off refresh.
    const early = (unknown || this.dirty.size > 0) && this.failures === 0 && t - this.refreshedAt >= MIN_REFRESH_GAP_MS;
    if (!this.refreshing && !this.stopped && (due || early) && (this.connector || containers.cgroups.length > 0)) {
      this.refreshedAt = t;
      this.refreshing = this.refresh().finally(() => {
        this.refreshing = undefined;
      });
    }

    const limitsRead = containers.limitsRead !== false;
    const eventsRead = containers.eventsRead !== false;
    if (limitsRead) {
      this.limits.clear();
      for (const c of containers.cgroups) this.limits.set(c.id, limitPart(c));
    }
    if (eventsRead) {
      this.events.clear();
      for (const c of containers.cgroups) this.events.set(c.id, eventPart(c));
    }
    const cgroups = containers.cgroups.map((c) => {
      const carriedPid = c.initPid === undefined ? this.initPids.get(c.id) : undefined;
      const limits = limitsRead ? undefined : this.limits.get(c.id);
      const events = eventsRead ? undefined : this.events.get(c.id);
      if (!limitsRead && !limits) this.wantLimits = true;
      if (carriedPid === undefined && !limits && !events) return c;
      const out: { -readonly [K in keyof RawContainer]: RawContainer[K] } = { ...c };
      if (carriedPid !== undefined) out.initPid = carriedPid;
      if (limits || events) out.stats = { ...c.stats, ...limits?.stats, ...events?.stats };
      if (limits?.cpuLimitCores !== undefined) out.cpuLimitCores = limits.cpuLimitCores;
      if (events?.frozen !== undefined && c.frozen === undefined) out.frozen = events.frozen;
      return out;
    });
    // Carried, the sample is as whole as one that read everything.
    const { limitsRead: _limits, eventsRead: _events, ...rest } = containers;
    return { ...obs, containers: { ...rest, cgroups, engine: this.snapshot(containers.cgroups, t) } };
  }

  /**
   * Whether a container's series wait for its name: the engine answers (no
   * failure, a way to it), has not inspected this container, and either
   * has not been asked since it appeared or listed it (inspected next). A
   * container the engine was asked about and does not list is not the
   * engine's (another runtime's): named by id at once. Never past MAX_HOLD_MS.
   */
  private holds(id: string, t: number): boolean {
    if (this.cache.has(id)) return false;
    const since = this.firstSeen.get(id) ?? t;
    if (t - since >= MAX_HOLD_MS) return false;
    const answering = this.failures === 0 && this.connector !== undefined && !(this.client === undefined && this.note !== undefined);
    if (!answering) return false;
    return this.listAskedAt < since || this.listed.has(id);
  }

  private updateAccess(access: EngineAccess | undefined): void {
    const key = access ? JSON.stringify(access.sockets) + access.cli.join(',') : '';
    if (key !== this.accessKey) {
      this.accessKey = key;
      // A socket appeared, vanished or changed permission: choose again.
      if (this.access !== undefined) {
        this.client = undefined;
        this.refreshedAt = -Infinity;
        this.notBefore = -Infinity;
        this.failures = 0;
      }
    }
    this.access = access;
  }

  private snapshot(cgroups: readonly RawContainer[], t: number): EngineSnapshot {
    let note = this.note;
    // Containers in cgroups but nothing to name them: say why once the engine question is settled.
    if (!note && this.settled && !this.client && cgroups.length > 0) note = { code: 'no_engine' };
    const held = this.settled ? cgroups.filter((c) => this.holds(c.id, t)).map((c) => c.id) : [];
    return {
      engine: this.engine,
      via: this.client?.via ?? null,
      ...(this.client ? { target: this.client.target } : {}),
      containers: [...this.cache.values()].map((c) => c.meta),
      ...(note ? { note } : {}),
      at: this.answeredAt,
      ...(!this.settled ? { pending: true } : {}),
      ...(held.length ? { held } : {}),
    };
  }

  private async refresh(): Promise<void> {
    try {
      if (!this.client) {
        if (!this.connector) return;
        const connection = await this.connector.connect(this.access);
        if (this.stopped) return;
        this.client = connection.client;
        this.note = connection.note;
        if (!this.client) return;
        this.engine = null;
      }
      const client = this.client;
      if (this.engine === null) {
        const version = await client.version();
        this.engine = version.value.engine;
        this.logProblems(version.problems);
      }
      const askedAt = this.now();
      const listed = await client.list();
      this.logProblems(listed.problems);
      const t = this.now();
      const ids = new Set(listed.value.map((l) => l.id));
      for (const id of [...this.cache.keys()]) if (!ids.has(id)) this.cache.delete(id);

      const wanted = listed.value
        .filter((l) => {
          const c = this.cache.get(l.id);
          return !c || c.listedState !== l.state || this.dirty.has(l.id) || t - c.inspectedAt >= REINSPECT_MS;
        })
        .sort((a, b) => (this.cache.get(a.id)?.inspectedAt ?? -1) - (this.cache.get(b.id)?.inspectedAt ?? -1));
      // New and changed containers first (never inspected sorts as -1), then the stalest.
      const batch = wanted.slice(0, MAX_INSPECTS_PER_REFRESH);
      const inspected = batch.length ? await client.inspect(batch.map((l) => l.id)) : { value: [], problems: [] };
      this.logProblems(inspected.problems);
      const byId = new Map(inspected.value.map((m) => [m.id, m]));
      for (const l of listed.value) {
        const meta = byId.get(l.id);
        if (meta) {
          this.cache.set(l.id, { meta, listedState: l.state, inspectedAt: t });
          this.dirty.delete(l.id);
        } else {
          const cached = this.cache.get(l.id);
          // Not inspected this time (beyond the batch): the list's state is fresher than the cached one.
          if (cached && l.state !== 'unknown') cached.meta = { ...cached.meta, state: l.state };
        }
      }
      this.answeredAt = t;
      this.listAskedAt = askedAt;
      this.listed = ids;
      this.failures = 0;
      this.note = listed.problems.length || inspected.problems.length
        ? { code: 'engine_garbage', detail: [...listed.problems, ...inspected.problems][0]!.slice(0, 200) }
        : undefined;
    } catch (err) {
      this.failures++;
      const detail = (err as Error).message.slice(0, 300);
      const socket = this.client?.via === 'cli' ? undefined : this.client?.target;
      this.note = isPermissionDenied(err)
        ? { code: 'socket_denied', ...(socket ? { socket } : {}), ...(this.access?.user ? { user: this.access.user } : {}), detail }
        : { code: err instanceof EngineRequestError && err.kind === 'protocol' ? 'engine_garbage' : 'engine_unreachable', ...(socket ? { socket } : {}), detail };
      if (this.failures >= RECONNECT_AFTER_FAILURES || isPermissionDenied(err)) this.client = undefined;
      // 20 s, 40 s, … up to 5 min between tries: a host whose engine is down is not asked every few seconds.
      this.notBefore = this.now() + Math.min(MAX_BACKOFF_MS, this.refreshMs * 2 ** this.failures);
      this.options.log?.warn('container engine did not answer', { host: this.options.hostName, detail });
    } finally {
      this.settled = true;
    }
  }

  private logProblems(problems: readonly string[]): void {
    if (problems.length) this.options.log?.warn('container engine answer had unreadable parts', { host: this.options.hostName, first: problems[0], count: problems.length });
  }
}

/** What a sample that read the slow files says that the samples in between do not. */
interface Carried {
  readonly stats: Partial<ContainerCgroupStats>;
  readonly cpuLimitCores?: number;
  readonly frozen?: boolean;
}

function pick(stats: ContainerCgroupStats, keys: readonly (keyof ContainerCgroupStats)[]): Partial<ContainerCgroupStats> {
  const out: Partial<Record<keyof ContainerCgroupStats, unknown>> = {};
  for (const key of keys) if (stats[key] !== undefined) out[key] = stats[key];
  return out as Partial<ContainerCgroupStats>;
}

function limitPart(c: RawContainer): Carried {
  return { stats: pick(c.stats, LIMIT_STATS), ...(c.cpuLimitCores !== undefined ? { cpuLimitCores: c.cpuLimitCores } : {}) };
}

function eventPart(c: RawContainer): Carried {
  return { stats: pick(c.stats, EVENT_STATS), ...(c.frozen !== undefined ? { frozen: c.frozen } : {}) };
}
