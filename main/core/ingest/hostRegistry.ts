// Every watched host, whatever its source (the local agent, an SSH host…):
// its definition and status, its source, and what derivation carries from
// one observation to the next. An observation comes in, is derived (pure,
// derive/), its samples go to the batcher, its summary and inventory are kept
// for the overview and the detail screen, and the features hear of it.
// Statuses are the source's, plus `stale` when samples stop arriving while
// the source still says online.
import type { Host, HostInventory, HostStatus, HostSummary } from '../../common/contract.js';
import { RpcError } from '../../common/contract.js';
import type { CoreHealth, HostView } from '../coreContext.js';
import { deriveObservation, type DerivedSamples, type DeriveState } from '../derive/observation.js';
import { hostSummaryFrom } from '../derive/summary.js';
import { buildInventory } from '../inventory.js';
import type { Logger } from '../log.js';
import type { HostSource, StatusExtra } from '../model/hostSource.js';
import type { HostObservation } from '../model/observation.js';
import type { SampleBatcher } from './sampleBatcher.js';

/** A host is stale after two missed intervals (product.md, SSH part). */
const STALE_AFTER_INTERVALS = 2;
const NO_SAMPLE_FOR = 'no sample for ';

/** "no sample for 42 s", then whole minutes, then hours: current, yet not a new text every second for long. */
export function noSampleFor(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${NO_SAMPLE_FOR}${s} s`;
  if (s < 7200) return `${NO_SAMPLE_FOR}${Math.floor(s / 60)} min`;
  return `${NO_SAMPLE_FOR}${Math.floor(s / 3600)} h`;
}

/** One host's definition without what the registry keeps itself. */
export type HostDefinition = Omit<Host, 'status' | 'lastSampleAt'>;

interface HostRuntime {
  host: Host;
  source: HostSource;
  /** What the next observation's derivation pairs with; dropped when the source restarts. */
  derive?: DeriveState;
  summary?: HostSummary;
  inventory?: HostInventory;
  /** When the sample problems were last logged, and how many samples with problems came since (logged once a minute, not per sample). */
  problemsLoggedAt?: number;
  problemSamplesHeld?: number;
}

/** A host whose every sample has a problem (an unparsable file, an impossible value) is logged once per this period. */
const PROBLEM_LOG_PERIOD_MS = 60_000;

/** What the registry tells the rest of the core; each call is guarded by the caller. */
export interface HostRegistryEvents {
  /** The list (or a host's status or facts) changed. */
  hostsChanged(hosts: Host[]): void;
  hostStatus(host: Host, previous: HostStatus | undefined): void;
  observation(hostId: string, observation: HostObservation, derived: DerivedSamples): void;
  hostRemoved(hostId: string): void;
}

export interface HostRegistryOptions {
  readonly log: Logger;
  readonly health: CoreHealth;
  readonly batcher: SampleBatcher;
  readonly events: HostRegistryEvents;
}

export class HostRegistry {
  private readonly hosts = new Map<string, HostRuntime>();
  private started = false;

  constructor(private readonly options: HostRegistryOptions) {}

  list(): Host[] {
    return [...this.hosts.values()].map((h) => ({ ...h.host }));
  }

  summaries(): HostSummary[] {
    return [...this.hosts.values()].flatMap((h) => (h.summary ? [h.summary] : []));
  }

  inventory(hostId: string): HostInventory | null {
    const rt = this.hosts.get(hostId);
    if (!rt) throw new RpcError('not_found', `no host with id "${hostId}"`);
    return rt.inventory ?? null;
  }

  views(): HostView[] {
    return [...this.hosts.values()].map((h) => this.viewOf(h));
  }

  view(id: string): HostView | undefined {
    const h = this.hosts.get(id);
    return h && this.viewOf(h);
  }

  /** Starts every source added so far; later additions start at once. */
  startAll(): void {
    this.started = true;
    for (const rt of this.hosts.values()) this.startSource(rt);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.hosts.values()].map((h) => h.source.stop()));
  }

  add(host: HostDefinition, source: HostSource): void {
    if (this.hosts.has(host.id)) throw new RpcError('invalid_input', `a host named "${host.id}" already exists`);
    const rt: HostRuntime = { host: { ...host, status: 'connecting' }, source };
    this.hosts.set(host.id, rt);
    if (this.started) this.startSource(rt);
    this.announce();
  }

  /** A new definition and source for a host (an edit, a new poll interval): its history stays, rates restart. */
  async replace(host: HostDefinition, source: HostSource): Promise<void> {
    const old = this.hosts.get(host.id);
    if (!old) throw new RpcError('not_found', `no host with id "${host.id}"`);
    await old.source.stop();
    const rt: HostRuntime = { host: { ...host, status: 'connecting' }, source };
    this.hosts.set(host.id, rt);
    if (this.started) this.startSource(rt);
    this.announce();
  }

  /**
   * The same host with a new source (the local agent at a new interval): its
   * status and last sample stay as they are until the new source reports;
   * rates restart from the new source's first sample.
   */
  async swapSource(id: string, source: HostSource, changes: Partial<HostDefinition> = {}): Promise<void> {
    const rt = this.hosts.get(id);
    if (!rt) return;
    await rt.source.stop();
    rt.derive = undefined;
    rt.source = source;
    rt.host = { ...rt.host, ...changes };
    if (this.started) this.startSource(rt);
    this.announce();
  }

  async remove(id: string): Promise<void> {
    const rt = this.hosts.get(id);
    if (!rt) return;
    this.hosts.delete(id);
    await rt.source.stop();
    this.options.events.hostRemoved(id);
    this.announce();
  }

  /**
   * Marks online hosts stale whose last sample is older than two of their
   * intervals, and keeps a stale host's "no sample for …" current (one
   * announcement for all of them, no log line: the status did not change).
   */
  checkStale(now: number): void {
    let changed = false;
    for (const rt of this.hosts.values()) {
      const last = rt.host.lastSampleAt;
      if (last === undefined) continue;
      if (rt.host.status === 'online' && now - last > STALE_AFTER_INTERVALS * rt.host.pollIntervalMs) {
        this.setStatus(rt, 'stale', noSampleFor(now - last));
      } else if (rt.host.status === 'stale' && (rt.host.statusDetail === undefined || rt.host.statusDetail.startsWith(NO_SAMPLE_FOR))) {
        const detail = noSampleFor(now - last);
        if (detail !== rt.host.statusDetail) {
          rt.host = { ...rt.host, statusDetail: detail };
          changed = true;
        }
      }
    }
    if (changed) this.announce();
  }

  private viewOf(h: HostRuntime): HostView {
    return { host: { ...h.host }, latest: h.derive?.previous };
  }

  private announce(): void {
    this.options.events.hostsChanged(this.list());
  }

  private startSource(rt: HostRuntime): void {
    rt.source.start({
      observation: (obs) => this.onObservation(rt, obs),
      status: (status, detail, extra) => this.setStatus(rt, status, detail, extra),
    });
  }

  private setStatus(rt: HostRuntime, status: HostStatus, detail?: string, extra?: StatusExtra): void {
    const { log, health } = this.options;
    const hostKey = extra?.hostKey;
    if (rt.host.status === status && rt.host.statusDetail === detail && JSON.stringify(rt.host.hostKey) === JSON.stringify(hostKey)) return;
    const previous = rt.host.status;
    rt.host = { ...rt.host, status, statusDetail: detail, hostKey };
    if (!hostKey) delete rt.host.hostKey;
    if (status === 'online' || status === 'stale') log.info(`host ${rt.host.name}: ${status}`);
    else log.warn(`host ${rt.host.name}: ${status}`, detail ? { detail } : undefined);
    if (status === 'agent_error') health.agentErrors++;
    // A reconnect: an SSH host that had been reached before starts connecting again.
    if (rt.host.kind === 'ssh' && status === 'connecting' && rt.host.lastSampleAt !== undefined && previous !== 'connecting') health.sshReconnects++;
    if (previous !== status) this.options.events.hostStatus({ ...rt.host }, previous);
    this.announce();
  }

  private onObservation(rt: HostRuntime, obs: HostObservation): void {
    const derived = deriveObservation(rt.derive, obs, rt.host.name);
    rt.derive = derived.state;
    const summary: HostSummary = {
      ...hostSummaryFrom(derived.samples, rt.host.id, obs.t),
      ...(derived.containers ? { containersRunning: derived.containers.running, containersTotal: derived.containers.total } : {}),
    };
    rt.summary = summary;
    rt.inventory = buildInventory(rt.host.id, obs, derived.processes);
    const facts = obs.facts;
    const infoChanged = JSON.stringify(rt.host.info ?? {}) !== JSON.stringify(facts);
    rt.host = { ...rt.host, lastSampleAt: obs.t, ...(infoChanged ? { info: { ...facts } } : {}) };
    if (obs.problems.length) {
      const now = Date.now();
      if (rt.problemsLoggedAt === undefined || now - rt.problemsLoggedAt >= PROBLEM_LOG_PERIOD_MS) {
        const since = rt.problemSamplesHeld ? { samplesWithProblemsSinceLastLine: rt.problemSamplesHeld } : {};
        this.options.log.warn(`host ${rt.host.name}: ${obs.problems.length} unparsed part(s) in a sample`, { first: obs.problems[0], ...since });
        rt.problemsLoggedAt = now;
        rt.problemSamplesHeld = 0;
      } else rt.problemSamplesHeld = (rt.problemSamplesHeld ?? 0) + 1;
    }
    if (rt.host.status !== 'online') this.setStatus(rt, 'online');
    else if (infoChanged) this.announce();
    this.options.batcher.add(summary, derived.samples);
    this.options.events.observation(rt.host.id, obs, derived);
  }
}
