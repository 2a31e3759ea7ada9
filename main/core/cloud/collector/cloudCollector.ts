// One account's collector: discovery every few minutes, and a cycle every
// interval that asks each series for its settled window since its cursor,
// packs the series into as few calls as the batch limits allow, and runs the
// calls with bounded concurrency per account → region → product → metric,
// every call through the account's gate (token bucket per API, backoff and
// retry on throttling). A call that fails leaves its series' cursors where
// they were, so the next cycle backfills them; datapoints reach `onSamples`
// in increasing time order per series.
import { CloudApiError, safeMessage, type CloudErrorKind } from '../clients/cloudErrors.js';
import type { ListedInstance } from '../clients/listedInstance.js';
import { PROVIDER_ADAPTERS } from '../providers/adapters.js';
import type { CloudProviderAdapter, Discovery, FetchedPoint, PlannedCall, ProviderFactory, SeriesItem } from '../providers/provider.js';
import { abortableSleep, CallGate, type RetryPolicy } from './callGate.js';
import { CursorBook, DeliveryOrder, settledEnd, windowFor, type WindowPolicy } from './cursor.js';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_DELAY_SECONDS,
  DEFAULT_DISCOVERY_INTERVAL_SECONDS,
  DEFAULT_MAX_BACKFILL_SECONDS,
  DEFAULT_PERIOD_SECONDS,
  INITIAL_LOOKBACK_SECONDS,
  MAX_CATCH_UP_PER_CYCLE_SECONDS,
} from './defaults.js';
import { Semaphore, SemaphorePool } from './semaphore.js';
import { AbortedError } from './tokenBucket.js';
import type {
  CloudCollector,
  CloudCollectorOptions,
  CloudCollectorState,
  CloudCollectorStatus,
  CloudCycleError,
  CloudInstance,
  CloudNamesProblem,
  CloudProductMapping,
  CloudSample,
} from './types.js';

const MAX_RECENT_ERRORS = 20;
/** Network failures in a row (no success between them) that end a cycle early. */
const UNREACHABLE_AFTER_FAILURES = 3;
const ABORTED = { kind: 'aborted', code: 'aborted' } as const;

export interface CollectorTuning {
  readonly retry?: Partial<RetryPolicy>;
  readonly concurrency?: Partial<typeof DEFAULT_CONCURRENCY>;
  /** Replaces the cloud's adapter (tests of the engine without a cloud). */
  readonly providerFactory?: ProviderFactory;
  readonly random?: () => number;
}

export interface CycleReport {
  readonly startedAt: number;
  readonly durationMs: number;
  /** Data calls of the cycle (pages included), to set beside minimumCalls; the discovery's own calls apart. */
  readonly calls: number;
  readonly minimumCalls: number;
  readonly discoveryCalls: number;
  readonly plannedCalls: number;
  readonly failedCalls: number;
  readonly samples: number;
  readonly series: number;
  readonly laggingSeries: number;
  /** End of the settled window this cycle aimed for. */
  readonly settledEnd: number;
}

export class AccountCollector implements CloudCollector {
  private readonly account: CloudCollectorOptions['account'];
  private readonly now: () => number;
  private readonly policy: WindowPolicy;
  private readonly intervalMs: number;
  private readonly discoveryIntervalMs: number;
  private readonly gate: CallGate;
  private readonly adapter: CloudProviderAdapter;
  private readonly products: CloudProductMapping[];
  private readonly stopController = new AbortController();
  private cycleSignal: AbortSignal = this.stopController.signal;
  private readonly concurrency: typeof DEFAULT_CONCURRENCY;
  private readonly accountSlots: Semaphore;
  private readonly regionSlots: SemaphorePool;
  private readonly productSlots: SemaphorePool;
  private readonly metricSlots: SemaphorePool;

  private readonly discoveries = new Map<string, Discovery>();
  /** The last instance listing that succeeded, per region|product: names and facts by id. */
  private readonly listed = new Map<string, ReadonlyMap<string, ListedInstance>>();
  private readonly namesProblems = new Map<string, CloudNamesProblem>();
  private items: SeriesItem[] = [];
  private readonly cursors = new CursorBook();
  private readonly order = new DeliveryOrder();
  private readonly errors: CloudCycleError[] = [];
  private unavailable: string[] = [];
  private state: CloudCollectorState = 'starting';
  private stateDetail: string | undefined;
  private credentialsRejected: string | undefined;
  private lastDiscoveryAt: number | null = null;
  private lastDiscoveryCalls: number | null = null;
  private lastReport: CycleReport | undefined;
  private collectedUntil: number | null = null;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly options: CloudCollectorOptions,
    tuning: CollectorTuning = {},
  ) {
    this.account = options.account;
    this.now = options.now ?? Date.now;
    const periodS = this.account.periodSeconds ?? DEFAULT_PERIOD_SECONDS;
    this.policy = {
      periodMs: periodS * 1000,
      delayMs: (this.account.delaySeconds ?? DEFAULT_DELAY_SECONDS[this.account.provider]) * 1000,
      maxBackfillMs: (this.account.maxBackfillSeconds ?? DEFAULT_MAX_BACKFILL_SECONDS) * 1000,
      maxCatchUpMs: MAX_CATCH_UP_PER_CYCLE_SECONDS * 1000,
      initialLookbackMs: INITIAL_LOOKBACK_SECONDS * 1000,
    };
    this.intervalMs = (this.account.intervalSeconds ?? periodS) * 1000;
    this.discoveryIntervalMs = (this.account.discoveryIntervalSeconds ?? DEFAULT_DISCOVERY_INTERVAL_SECONDS) * 1000;
    this.concurrency = { ...DEFAULT_CONCURRENCY, ...tuning.concurrency };
    this.accountSlots = new Semaphore(this.concurrency.account);
    this.regionSlots = new SemaphorePool(this.concurrency.region);
    this.productSlots = new SemaphorePool(this.concurrency.product);
    this.metricSlots = new SemaphorePool(this.concurrency.metric);
    this.gate = new CallGate({
      provider: this.account.provider,
      account: this.account.name,
      stats: options.stats,
      ...(this.account.limits ? { limits: this.account.limits } : {}),
      ...(tuning.retry ? { retry: tuning.retry } : {}),
      ...(tuning.random ? { random: tuning.random } : {}),
      onError: (api, error, willRetry) => this.recordError(api, error, willRetry),
    });
    const factory = tuning.providerFactory ?? PROVIDER_ADAPTERS[this.account.provider];
    this.adapter = factory(this.account, (api, fn) => this.gate.call(api, fn, this.cycleSignal));
    const wanted = this.account.products ? new Set(this.account.products) : undefined;
    this.products = options.mappings.filter((p) => p.provider === this.account.provider && (!wanted || wanted.has(p.product)));
  }

  start(): void {
    if (this.loop || this.stopped) return;
    this.loop = (async () => {
      while (!this.stopped) {
        try {
          await this.runCycle();
        } catch (err) {
          if (!(err instanceof AbortedError)) this.recordError('cycle', err, false);
        }
        if (this.stopped) break;
        // Cycles start on interval boundaries (plus a per-account offset, so
        // several accounts do not all call at :00); one that overran its
        // interval is followed at once, never overlapped.
        const t = Date.now();
        const next = Math.ceil((t + 1 - this.phaseMs()) / this.intervalMs) * this.intervalMs + this.phaseMs();
        try {
          await abortableSleep(Math.max(0, next - t), this.stopController.signal);
        } catch {
          break;
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopController.abort();
    this.gate.close();
    await this.loop;
    await this.running?.catch(() => {});
    this.state = 'stopped';
    this.emitStatus();
  }

  instances(): CloudInstance[] {
    return [...this.discoveries.values()].flatMap((d) => d.instances);
  }

  status(): CloudCollectorStatus {
    const byProduct: Record<string, number> = {};
    for (const i of this.instances()) byProduct[i.product] = (byProduct[i.product] ?? 0) + 1;
    const r = this.lastReport;
    return {
      account: this.account.name,
      state: this.state,
      ...(this.stateDetail ? { stateDetail: this.stateDetail } : {}),
      instances: this.instances().length,
      instancesByProduct: byProduct,
      lastCycleStartedAt: r?.startedAt ?? null,
      lastCycleDurationMs: r?.durationMs ?? null,
      lastCycleCalls: r?.calls ?? null,
      lastCycleMinimumCalls: r?.minimumCalls ?? null,
      lastCycleDiscoveryCalls: r?.discoveryCalls ?? null,
      lastCycleSamples: r?.samples ?? null,
      lastDiscoveryAt: this.lastDiscoveryAt,
      lastDiscoveryCalls: this.lastDiscoveryCalls,
      collectedUntil: this.collectedUntil,
      recentErrors: this.errors.map((e) => ({ ...e })),
      laggingSeries: r?.laggingSeries ?? 0,
      unavailableMetrics: [...this.unavailable],
      namesProblems: [...this.namesProblems.values()].map((p) => ({ ...p })),
    };
  }

  /** Finds the instances of every product in every region; a product that fails keeps what was found before. */
  async discover(): Promise<void> {
    if (this.products.length === 0) {
      this.setState('error', `no mapping covers ${this.account.provider}${this.account.products ? ` products ${this.account.products.join(', ')}` : ''}`);
      return;
    }
    let rejected: string | undefined;
    let anySuccess = false;
    await Promise.all(
      this.account.regions.map(async (region) => {
        for (const product of this.products) {
          if (this.stopped) return;
          try {
            const found = await this.adapter.discover(region, product);
            anySuccess = true;
            this.discoveries.set(`${region}|${product.product}`, await this.withNames(region, product, found));
          } catch (err) {
            if (err instanceof AbortedError) return;
            if (err instanceof CloudApiError && err.kind === 'credentials_rejected') rejected = `${err.code}: ${safeMessage(err.message, this.account.accessKeySecret)}`;
            else if (!(err instanceof CloudApiError)) this.recordError('discovery', err, false, region);
          }
        }
      }),
    );
    if (this.stopped) return;
    this.credentialsRejected = rejected && !anySuccess ? rejected : undefined;
    this.lastDiscoveryAt = this.now();
    this.rebuildItems();
    this.options.onInstances?.(this.instances());
    this.emitStatus();
  }

  /**
   * The discovery with names and facts from the cloud's instance list, where
   * the monitoring API gives ids only. A listing that fails leaves the ids
   * (refused) or the last listing's names (throttled, unreachable), notes why,
   * and never fails the discovery: collection goes on either way. Renames in
   * the cloud show at the next discovery.
   */
  private async withNames(region: string, product: CloudProductMapping, found: Discovery): Promise<Discovery> {
    const listing = this.adapter.instanceListing?.(product);
    const key = `${region}|${product.product}`;
    if (!listing || found.instances.length === 0) {
      this.namesProblems.delete(key);
      return found;
    }
    try {
      const list = await listing.list(region, found.instances.map((i) => i.instanceId));
      this.listed.set(key, new Map(list.map((l) => [l.id, l])));
      this.namesProblems.delete(key);
    } catch (err) {
      if (err instanceof AbortedError) throw err;
      const denied = err instanceof CloudApiError && err.kind === 'permission_denied';
      if (denied) this.listed.delete(key);
      // The gate recorded the cloud's errors already; anything else is ours.
      if (!(err instanceof CloudApiError)) this.recordError(listing.api, err, false, region);
      const raw = err instanceof CloudApiError ? err : undefined;
      this.namesProblems.set(key, {
        region,
        product: product.product,
        api: listing.api,
        kind: denied ? 'permission_denied' : 'failed',
        code: raw?.code ?? 'internal',
        message: safeMessage(raw?.message ?? (err as Error)?.message ?? String(err), this.account.accessKeySecret),
        permission: listing.permission,
        at: this.now(),
      });
    }
    const facts = this.listed.get(key);
    if (!facts) return found;
    return { ...found, instances: found.instances.map((i) => withFacts(i, facts.get(i.instanceId))) };
  }

  /** One collection cycle (the scheduler calls it; tests call it with their own clock). */
  async runCycle(): Promise<CycleReport> {
    const cycle = (async () => {
      const startedAt = this.now();
      const started = performance.now();
      const callsBefore = this.gate.calls;
      this.setState('collecting');
      const cycleController = new AbortController();
      this.cycleSignal = AbortSignal.any([this.stopController.signal, cycleController.signal]);
      if (this.lastDiscoveryAt === null || this.credentialsRejected || startedAt - this.lastDiscoveryAt >= this.discoveryIntervalMs) {
        await this.discover();
        this.lastDiscoveryCalls = this.gate.calls - callsBefore;
      }
      const callsAfterDiscovery = this.gate.calls;
      const end = settledEnd(startedAt, this.policy);
      let samples = 0;
      let failedCalls = 0;
      let plannedCalls = 0;
      let minimumCalls = 0;
      if (this.credentialsRejected) {
        this.setState('error', `credentials rejected: ${this.credentialsRejected}`);
      } else {
        // Series grouped by the window each needs: normally one group; series
        // a failed call left behind get their own, larger window.
        const byWindow = new Map<string, { window: { from: number; to: number }; items: SeriesItem[] }>();
        for (const item of this.items) {
          const window = windowFor(this.cursors.get(item.key), end, this.policy, this.options.resumeFrom);
          if (!window) continue;
          const key = `${window.from}-${window.to}`;
          if (!byWindow.has(key)) byWindow.set(key, { window, items: [] });
          byWindow.get(key)!.items.push(item);
        }
        const calls = interleave([...byWindow.values()].flatMap((g) => this.adapter.plan(g.items, g.window)));
        plannedCalls = calls.length;
        minimumCalls = this.adapter.minimumCalls(this.items);
        // Calls that find the cloud unreachable one after another end the
        // cycle early: the rest would fail the same way and only burn quota
        // and time; the next cycle tries again and backfills.
        let networkFailuresInARow = 0;
        let unreachable: string | undefined;
        await Promise.all(
          calls.map(async (call) => {
            const outcome = await this.runCall(call);
            if (typeof outcome === 'number') {
              samples += outcome;
              networkFailuresInARow = 0;
              return;
            }
            failedCalls++;
            if (outcome.kind === 'credentials_rejected') cycleController.abort();
            if (outcome.kind === 'network') {
              networkFailuresInARow++;
              if (networkFailuresInARow >= UNREACHABLE_AFTER_FAILURES && !cycleController.signal.aborted) {
                unreachable = outcome.code;
                cycleController.abort();
              }
            }
          }),
        );
        if (unreachable) this.setState('error', `the cloud did not answer (${unreachable}); this cycle stopped early and the next one fetches what was missed`);
      }
      const laggingSeries = this.cursors.lagging(end, this.items.map((i) => i.key));
      if (laggingSeries === 0 && this.items.length > 0) this.collectedUntil = end;
      const report: CycleReport = {
        startedAt,
        durationMs: Math.round(performance.now() - started),
        calls: this.gate.calls - callsAfterDiscovery,
        minimumCalls,
        discoveryCalls: callsAfterDiscovery - callsBefore,
        plannedCalls,
        failedCalls,
        samples,
        series: this.items.length,
        laggingSeries,
        settledEnd: end,
      };
      this.lastReport = report;
      if (!this.stopped) {
        this.options.stats.recordCycle({
          cloud: this.account.provider,
          account: this.account.name,
          lastDurationSeconds: report.durationMs / 1000,
          lastCalls: report.calls,
          lastMinimumCalls: report.minimumCalls,
          lastSamples: report.samples,
          instances: this.instances().length,
          laggingSeries,
        });
        if (!this.credentialsRejected && this.state === 'collecting') {
          this.setState(failedCalls > 0 && failedCalls === plannedCalls ? 'error' : 'idle', failedCalls > 0 ? `${failedCalls} of ${plannedCalls} calls failed; their series are fetched again next cycle` : undefined);
        }
      }
      return report;
    })();
    this.running = cycle;
    return cycle;
  }

  /** Runs one planned call under the concurrency bounds; the number of samples delivered, or why it failed. */
  private async runCall(call: PlannedCall): Promise<number | { kind: CloudErrorKind | 'aborted' | 'internal'; code: string }> {
    const releases: (() => void)[] = [];
    try {
      // Most specific first: a call waiting for an account slot holds only its own metric's slot.
      releases.push(await this.metricSlots.get(`${call.region}|${call.product}|${call.metricKey}`).acquire());
      releases.push(await this.productSlots.get(`${call.region}|${call.product}`).acquire());
      releases.push(await this.regionSlots.get(call.region).acquire());
      releases.push(await this.accountSlots.acquire());
      if (this.cycleSignal.aborted) return ABORTED;
      const points = await this.adapter.execute(call);
      if (this.stopped) return 0;
      const delivered = this.deliver(points);
      for (const item of call.items) this.cursors.advance(item.key, call.window.to);
      return delivered;
    } catch (err) {
      if (err instanceof AbortedError || this.stopped) return ABORTED;
      if (err instanceof CloudApiError) {
        // The gate already recorded it.
        if (err.kind === 'credentials_rejected') this.credentialsRejected = `${err.code}: ${safeMessage(err.message, this.account.accessKeySecret)}`;
        return { kind: err.kind, code: err.code };
      }
      this.recordError(call.api, err, false, call.region);
      return { kind: 'internal', code: 'internal' };
    } finally {
      for (const release of releases.reverse()) release();
    }
  }

  /** Scales and labels fetched points, keeps each series in time order, hands them on. */
  private deliver(points: readonly FetchedPoint[]): number {
    const sorted = [...points].sort((a, b) => a.t - b.t);
    const samples: CloudSample[] = [];
    for (const p of sorted) {
      for (const mapping of p.item.mappings) {
        const raw = p.values[mapping.statistic];
        if (raw === undefined || !Number.isFinite(raw)) continue;
        const labels: Record<string, string> = {};
        for (const [label, dim] of Object.entries(mapping.labels)) {
          const v = p.dims[dim];
          if (v !== undefined && v !== '') labels[label] = v;
        }
        const inst = p.item.instance;
        const labelKey = Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',');
        if (!this.order.accept(`${mapping.canonical}|${inst.region}|${inst.product}|${inst.instanceId}|${labelKey}`, p.t)) continue;
        samples.push({ instance: inst, metric: mapping.canonical, ...(labelKey ? { labels } : {}), t: p.t, value: raw * mapping.scale });
      }
    }
    if (samples.length > 0 && !this.stopped) this.options.onSamples(samples);
    return samples.length;
  }

  private rebuildItems(): void {
    const items: SeriesItem[] = [];
    const unavailable = new Set<string>();
    for (const region of this.account.regions) {
      for (const product of this.products) {
        const found = this.discoveries.get(`${region}|${product.product}`);
        if (!found) continue;
        for (const u of found.unavailable) unavailable.add(u);
        items.push(...this.adapter.items(region, product, found));
      }
    }
    this.items = items;
    this.unavailable = [...unavailable].sort();
    const keys = new Set(items.map((i) => i.key));
    this.cursors.retain(keys);
    const live = new Set(this.instances().map((i) => `${i.region}|${i.product}|${i.instanceId}`));
    this.order.retain((seriesKey) => {
      const [, region, product, instanceId] = seriesKey.split('|');
      return live.has(`${region}|${product}|${instanceId}`);
    });
  }

  private phaseMs(): number {
    let h = 0;
    for (const ch of this.account.name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    return h % Math.max(1, Math.min(10_000, Math.floor(this.intervalMs / 6)));
  }

  private setState(state: CloudCollectorState, detail?: string): void {
    if (this.stopped && state !== 'stopped') return;
    this.state = state;
    this.stateDetail = detail;
    this.emitStatus();
  }

  private recordError(api: string, err: unknown, willRetry: boolean, region?: string): void {
    if (err instanceof AbortedError) return;
    const e =
      err instanceof CloudApiError
        ? { kind: err.kind, code: err.code, message: safeMessage(err.message, this.account.accessKeySecret) }
        : { kind: 'invalid_request' as const, code: 'internal', message: safeMessage((err as Error)?.message ?? String(err), this.account.accessKeySecret) };
    const message = willRetry ? `${e.message} (retrying)` : e.message;
    const newest = this.errors[0];
    if (newest && newest.api === api && newest.code === e.code && newest.region === region) {
      this.errors[0] = { ...newest, at: this.now(), message, count: newest.count + 1 };
    } else {
      this.errors.unshift({ at: this.now(), ...(region ? { region } : {}), api, kind: e.kind, code: e.code, message, count: 1 });
      if (this.errors.length > MAX_RECENT_ERRORS) this.errors.length = MAX_RECENT_ERRORS;
    }
    this.emitStatus();
  }

  private emitStatus(): void {
    this.options.onStatus?.(this.status());
  }
}

function withFacts(instance: CloudInstance, listed: ListedInstance | undefined): CloudInstance {
  if (!listed) return instance;
  const { id: _id, ...facts } = listed;
  return { ...instance, ...facts };
}

/** Calls in round-robin order across (region, product, metric), so no one product waits behind another's whole backlog. */
function interleave(calls: readonly PlannedCall[]): PlannedCall[] {
  const queues = new Map<string, PlannedCall[]>();
  for (const c of calls) {
    const key = `${c.region}|${c.product}|${c.metricKey}`;
    if (!queues.has(key)) queues.set(key, []);
    queues.get(key)!.push(c);
  }
  const out: PlannedCall[] = [];
  const lists = [...queues.values()];
  for (let i = 0; out.length < calls.length; i++) for (const list of lists) if (i < list.length) out.push(list[i]!);
  return out;
}

export function createCloudCollector(options: CloudCollectorOptions, tuning?: CollectorTuning): AccountCollector {
  return new AccountCollector(options, tuning);
}
