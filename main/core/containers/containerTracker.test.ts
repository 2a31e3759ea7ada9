// The tracker's policy with a scripted engine client and a fake clock (the
// real engines are in dockerdLocal / dockerdSsh / podman / engineFaults):
// how often it asks, what it inspects, how it backs off, what it carries
// between samples, and which words it puts in the agent's request line.
import { describe, expect, it } from 'vitest';
import type { RawSeries } from '../../common/series.js';
import type { HostObservation } from '../model/observation.js';
import type { ContainerMeta, ContainerObservation, RawContainer } from '../model/containers.js';
import { ContainerTracker, MAX_HOLD_MS, type EngineConnector } from './containerTracker.js';
import { deriveContainers } from '../derive/containers.js';
import type { EngineClient } from './engineClient.js';
import { EngineRequestError } from './engineHttp.js';
import type { ListedContainer } from './engineApi.js';

const ID = (n: number) => String(n).repeat(64).slice(0, 64);

function meta(n: number, extra: Partial<ContainerMeta> = {}): ContainerMeta {
  return { id: ID(n), name: `c${n}`, state: 'running', labels: {}, pid: 1000 + n, ...extra };
}

class ScriptedEngine implements EngineClient {
  readonly via = 'socket' as const;
  readonly target = '/run/test.sock';
  calls: string[] = [];
  containers = new Map<string, ContainerMeta>();
  failWith: Error | undefined;
  async version() {
    this.calls.push('version');
    return { value: { engine: 'docker' as const }, problems: [] };
  }
  async list() {
    this.calls.push('list');
    if (this.failWith) throw this.failWith;
    return { value: [...this.containers.values()].map((m): ListedContainer => ({ id: m.id, state: m.state })), problems: [] };
  }
  async inspect(ids: readonly string[]) {
    this.calls.push(`inspect ${ids.map((i) => i[0]).join('')}`);
    return { value: ids.flatMap((id) => (this.containers.has(id) ? [this.containers.get(id)!] : [])), problems: [] };
  }
}

function cgroup(n: number, extra: Partial<RawContainer> = {}): RawContainer {
  return { id: ID(n), runtime: 'docker', cgroupPath: `/docker/${ID(n)}`, driver: 'cgroupfs', stats: {}, ...extra };
}

function observation(cgroups: RawContainer[], extra: Partial<ContainerObservation> = {}): HostObservation {
  return {
    t: 0,
    series: [],
    processes: [],
    facts: {},
    problems: [],
    containers: { layout: { mode: 'v1', driver: 'cgroupfs' }, cgroups, networkByPid: {}, access: { sockets: [{ path: '/run/test.sock', writable: true }], cli: [] }, ...extra },
  };
}

function setup() {
  let now = 0;
  const engine = new ScriptedEngine();
  const connector: EngineConnector = { connect: async () => ({ client: engine }) };
  const tracker = new ContainerTracker({ connector, refreshMs: 10_000, now: () => now });
  return {
    engine,
    tracker,
    advance: (ms: number) => (now += ms),
    async sample(obs: HostObservation) {
      const out = tracker.enrich(obs);
      await tracker.idle();
      return out;
    },
  };
}

describe('ContainerTracker', () => {
  it('the first sample is pending; names follow; a list every refresh, inspect only new, changed or stale containers', async () => {
    const s = setup();
    s.engine.containers.set(ID(1), meta(1));
    s.engine.containers.set(ID(2), meta(2));
    const first = await s.sample(observation([cgroup(1), cgroup(2)]));
    expect(first.containers!.engine).toMatchObject({ pending: true, containers: [] });
    s.advance(1000);
    const second = s.tracker.enrich(observation([cgroup(1), cgroup(2)]));
    expect(second.containers!.engine!.pending).toBeUndefined();
    expect(second.containers!.engine!.containers.map((m) => m.name)).toEqual(['c1', 'c2']);
    expect(s.engine.calls).toEqual(['version', 'list', 'inspect 12']);

    // Within the refresh interval nothing is asked.
    s.advance(5000);
    await s.sample(observation([cgroup(1), cgroup(2)]));
    expect(s.engine.calls).toHaveLength(3);
    // Due: a list, and nothing to inspect.
    s.advance(5000);
    await s.sample(observation([cgroup(1), cgroup(2)]));
    expect(s.engine.calls.slice(3)).toEqual(['list']);
    // One paused: its state changed in the list, so it alone is inspected.
    s.engine.containers.set(ID(2), meta(2, { state: 'paused' }));
    s.advance(10_000);
    await s.sample(observation([cgroup(1), cgroup(2)]));
    expect(s.engine.calls.slice(4)).toEqual(['list', 'inspect 2']);
    // A minute on, both are stale and re-inspected (their restart counts move without a state change).
    s.advance(60_000);
    await s.sample(observation([cgroup(1), cgroup(2)]));
    expect(s.engine.calls.slice(6)).toEqual(['list', 'inspect 12']);
  });

  it('a new container, or an init pid that changed (a restart), brings the refresh forward', async () => {
    const s = setup();
    s.engine.containers.set(ID(1), meta(1));
    await s.sample(observation([cgroup(1)]));
    s.advance(3000);
    s.engine.containers.set(ID(3), meta(3));
    await s.sample(observation([cgroup(1), cgroup(3)]));
    expect(s.engine.calls.slice(-2)).toEqual(['list', 'inspect 3']);
    s.advance(3000);
    s.engine.containers.set(ID(1), meta(1, { pid: 5555, restarts: 1 }));
    await s.sample(observation([cgroup(1, { initPid: 5555 }), cgroup(3)]));
    expect(s.engine.calls.slice(-2)).toEqual(['list', 'inspect 1']);
    expect(s.tracker.enrich(observation([cgroup(1), cgroup(3)])).containers!.engine!.containers.find((m) => m.id === ID(1))?.restarts).toBe(1);
  });

  it('a failing engine: a note, the names it knew kept, and tries spaced out', async () => {
    const s = setup();
    s.engine.containers.set(ID(1), meta(1));
    await s.sample(observation([cgroup(1)]));
    s.engine.failWith = new EngineRequestError('timeout', '/run/test.sock did not answer /containers/json within 5 s');
    s.advance(10_000);
    await s.sample(observation([cgroup(1)]));
    const after = s.tracker.enrich(observation([cgroup(1)])).containers!.engine!;
    expect(after.note).toMatchObject({ code: 'engine_unreachable', socket: '/run/test.sock' });
    expect(after.containers.map((m) => m.name)).toEqual(['c1']);
    const calls = s.engine.calls.length;
    // Backed off to 20 s: a new container does not bring it forward either.
    s.advance(10_000);
    await s.sample(observation([cgroup(1), cgroup(4)]));
    expect(s.engine.calls.length).toBe(calls);
    s.advance(10_001);
    await s.sample(observation([cgroup(1), cgroup(4)]));
    expect(s.engine.calls.length).toBe(calls + 1);
  });

  it('permission denied says whose: the user from the agent', async () => {
    const s = setup();
    s.engine.failWith = new EngineRequestError('connect', '/run/test.sock: permission denied (EACCES)', 403);
    const obs = observation([cgroup(1)]);
    const withUser = { ...obs, containers: { ...obs.containers!, access: { sockets: [{ path: '/run/test.sock', writable: true }], cli: [], user: 'ops' } } };
    await s.sample(withUser);
    expect(s.tracker.enrich(withUser).containers!.engine!.note).toMatchObject({ code: 'socket_denied', user: 'ops', socket: '/run/test.sock' });
  });

  it('carries limits, OOM kills, the freezer state and init pids between the samples that read them, and asks for limits for a newcomer', () => {
    const tracker = new ContainerTracker({});
    const usage = { memoryUsageBytes: 1 << 20 };
    const limits = { memoryLimitBytes: 64 << 20, cpuQuotaMicros: 50_000, cpuPeriodMicros: 100_000, cpuLimitCores: 0.5, cpuShares: 512, memorySwapLimitBytes: 96 << 20, memoryReservationBytes: 0 };
    tracker.enrich(observation([cgroup(1, { stats: { ...usage, ...limits, oomKills: 2 }, cpuLimitCores: 0.5, initPid: 42, frozen: true })]));
    expect(tracker.requestWords()).toEqual(['net:42']);
    const between = tracker.enrich(
      observation([cgroup(1, { stats: { memoryUsageBytes: 2 << 20 } }), cgroup(2, { stats: usage })], { limitsRead: false, eventsRead: false }),
    ).containers!;
    expect([between.limitsRead, between.eventsRead]).toEqual([undefined, undefined]);
    const one = between.cgroups.find((c) => c.id === ID(1))!;
    expect(one.stats).toEqual({ memoryUsageBytes: 2 << 20, ...limits, oomKills: 2 });
    expect(one).toMatchObject({ cpuLimitCores: 0.5, initPid: 42, frozen: true });
    // Container 2 came on a sample without limits: the next request asks for them.
    expect(tracker.requestWords()).toEqual(['limits', 'net:42']);
    expect(tracker.requestWords()).toEqual(['net:42']);
    // The events read again (OOM kills went up, thawed) while the limits are still carried.
    const events = tracker.enrich(observation([cgroup(1, { stats: { ...usage, oomKills: 3 }, frozen: false })], { limitsRead: false })).containers!;
    expect(events.cgroups[0]!.stats).toEqual({ ...usage, ...limits, oomKills: 3 });
    expect(events.cgroups[0]!.frozen).toBe(false);
    const later = tracker.enrich(observation([cgroup(1, { stats: usage })], { limitsRead: false, eventsRead: false })).containers!;
    expect(later.cgroups[0]!.stats.oomKills).toBe(3);
    expect(later.cgroups[0]!.frozen).toBe(false);
    // A limit removed (docker update --memory=-1… or a new container) shows at the next full read.
    const full = tracker.enrich(observation([cgroup(1, { stats: usage, frozen: false })])).containers!;
    expect(full.cgroups[0]!.stats).toEqual(usage);
    expect(full.cgroups[0]!.frozen).toBe(false);
  });
});

describe('a container that appears after the first answer', () => {
  /** The `container` label of every stored sample of container n, over a run of enriched observations, as the core derives them. */
  function storedNames(observations: readonly HostObservation[], n: number): string[] {
    const names: string[] = [];
    let prev: ContainerObservation | undefined;
    for (const obs of observations) {
      const derived = deriveContainers(prev, obs.containers!, prev ? 5 : undefined, 'h', 0);
      for (const s of derived.samples) if (s.name === 'container_threads' && derived.rows.find((r) => r.id === ID(n))?.seriesLabels.container === s.labels.container) names.push(s.labels.container!);
      prev = obs.containers!;
    }
    return names;
  }
  const withThreads = (n: number) => cgroup(n, { stats: { tasks: 3 } });

  it('is stored under its name from its first stored sample: held while the engine has not been asked about it', async () => {
    const s = setup();
    s.engine.containers.set(ID(1), meta(1));
    const out: HostObservation[] = [];
    out.push(await s.sample(observation([withThreads(1)])));
    s.advance(5000);
    out.push(await s.sample(observation([withThreads(1)])));
    // It starts between two refreshes: the sample that first shows it was stamped before the engine was asked.
    s.engine.containers.set(ID(3), meta(3, { name: 'walk-db' }));
    s.advance(5000);
    const first = await s.sample(observation([withThreads(1), withThreads(3)]));
    out.push(first);
    s.advance(5000);
    const named = await s.sample(observation([withThreads(1), withThreads(3)]));
    out.push(named);
    // Not "9d122518a382" then "walk-db": one series.
    expect(storedNames(out, 3)).toEqual(['walk-db']);
    expect(first.containers!.engine!.held).toEqual([ID(3)]);
    expect(named.containers!.engine!.held).toBeUndefined();
    expect(storedNames(out, 1)).toEqual(['c1', 'c1', 'c1']);
    // Its row showed meanwhile (named by id): only the history waited.
    expect(deriveContainers(undefined, first.containers!, undefined, 'h', 0).rows.map((r) => r.id)).toContain(ID(3));
  });

  it('is named by id at once when the engine was asked and does not list it (another runtime\'s), or does not answer', async () => {
    const s = setup();
    s.engine.containers.set(ID(1), meta(1));
    await s.sample(observation([withThreads(1)]));
    s.advance(5000);
    const unknown = await s.sample(observation([withThreads(1), withThreads(4)]));
    expect(unknown.containers!.engine!.held).toEqual([ID(4)]);
    s.advance(3000);
    // The engine answered after it appeared, without it: not held any longer.
    const after = await s.sample(observation([withThreads(1), withThreads(4)]));
    expect(after.containers!.engine!.held).toBeUndefined();
    expect(storedNames([unknown, after], 4)).toEqual([ID(4).slice(0, 12)]);

    s.engine.failWith = new EngineRequestError('connect', 'connect ECONNREFUSED');
    s.advance(10_000);
    await s.sample(observation([withThreads(1), withThreads(4)]));
    s.advance(1000);
    expect(s.tracker.enrich(observation([withThreads(1), withThreads(4), withThreads(5)])).containers!.engine!.held).toBeUndefined();
  });

  it('is held at most MAX_HOLD_MS, so a slow engine costs a split, never the samples', async () => {
    const s = setup();
    s.engine.containers.set(ID(1), meta(1));
    await s.sample(observation([withThreads(1)]));
    s.advance(5000);
    // Listed, but its inspect never answers with it (beyond the batch, or gone meanwhile).
    s.engine.containers.set(ID(6), meta(6));
    s.engine.inspect = async (ids) => ({ value: ids.flatMap((id) => (id === ID(6) ? [] : [s.engine.containers.get(id)!])), problems: [] });
    expect((await s.sample(observation([withThreads(1), withThreads(6)]))).containers!.engine!.held).toEqual([ID(6)]);
    s.advance(MAX_HOLD_MS - 5000);
    expect((await s.sample(observation([withThreads(1), withThreads(6)]))).containers!.engine!.held).toEqual([ID(6)]);
    s.advance(5000);
    expect((await s.sample(observation([withThreads(1), withThreads(6)]))).containers!.engine!.held).toBeUndefined();
  });
});
