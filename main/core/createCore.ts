// The composition root: builds the store, the sources, the settings and the
// provisioning watcher, and returns the typed handlers of the contract plus an
// event stream. Every shell (Electron, headless, CLI) calls this and nothing
// below it; host-specific services (secrets, the local collector) are chosen
// here or passed in, never decided deep inside.
import fs from 'node:fs';
import path from 'node:path';
import {
  requests,
  RpcError,
  type AppInfo,
  type ConfigProblem,
  type Handlers,
  type Host,
  type HostInventory,
  type HostStatus,
  type HostSummary,
  type Settings,
} from '../common/contract.js';
import type { Sample } from '../common/series.js';
import { loadAgentScript } from './sources/agent/agentScript.js';
import { watchProvisioningFile, type ProvisioningResult } from './config/provisioning.js';
import type { Logger } from './log.js';
import { deriveSamples, hostSummaryFrom } from './derive/host.js';
import type { SecretStore } from './secrets/secretStore.js';
import { loadSavedSettings, mergeSettings, saveSettings, type SettingsPatch } from './settings/settings.js';
import { createLocalSource } from './localHost.js';
import type { HostObservation } from './model/observation.js';
import type { HostSource, StatusExtra } from './model/hostSource.js';
import { openMetricStore } from './store/metricStore.js';
import type { AppendOptions, MetricStore } from './store/types.js';
import { buildInventory } from './inventory.js';
import type { CoreContext, CoreEventListener, CoreFeature, CoreHealth } from './coreContext.js';

export interface CoreOptions {
  readonly dataDir: string;
  readonly shell: 'desktop' | 'headless';
  readonly configFile?: string;
  readonly secrets: SecretStore;
  readonly log: Logger;
  readonly version: string;
  readonly now?: () => number;
  /** Replaces the local host's source (tests); by default the composition root picks one per OS. */
  readonly createLocalSource?: (intervalMs: number) => HostSource;
  /** The local container engine's socket (`--engine-socket`, OVERLOOK_ENGINE_SOCKET); by default the agent looks for one. */
  readonly localEngineSocket?: string;
  /** Features beyond the local host (SSH hosts, alerts, exporter…), each built from the core's context. */
  readonly features?: readonly ((ctx: CoreContext) => CoreFeature)[];
  /** A better-sqlite3 binary built for another ABI (the Electron host), for the history store's worker. */
  readonly nativeBinding?: string;
}

export type { CoreEventListener } from './coreContext.js';

export interface Core {
  readonly handlers: Handlers;
  /** Every event the UIs may want; returns an unsubscribe function. */
  subscribe(listener: CoreEventListener): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface HostRuntime {
  host: Host;
  source: HostSource;
  previous?: HostObservation;
  summary?: HostSummary;
  inventory?: HostInventory;
}

/** Samples are written in one transaction per flush; the UI is told after the write so its re-query sees them. */
const FLUSH_INTERVAL_MS = 1000;
const FLUSH_EARLY_AT_SAMPLES = 20_000;
const HOUSEKEEPING_INTERVAL_MS = 10_000;
/** A host is stale after two missed intervals (product.md, SSH part). */
const STALE_AFTER_INTERVALS = 2;

export function createCore(options: CoreOptions): Core {
  const now = options.now ?? Date.now;
  const log = options.log;
  fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });

  const listeners = new Set<CoreEventListener>();
  const emit: CoreEventListener = (event, payload) => {
    for (const l of listeners) {
      try {
        l(event, payload);
      } catch (err) {
        log.error('event listener failed', { event, error: (err as Error).message });
      }
    }
  };

  // ------------------------------------------------------------ settings
  const savedLoad = loadSavedSettings(options.dataDir);
  if (savedLoad.problem) log.warn(savedLoad.problem);
  let saved: SettingsPatch = savedLoad.saved;
  let provisioned: ProvisioningResult | undefined;
  const provisionedSettings = (): SettingsPatch => provisioned?.config?.settings ?? {};
  const provisionedFields = (): string[] => provisioned?.config?.provisionedFields ?? [];
  let settings: Settings = mergeSettings(saved, provisionedSettings());

  // The history store runs on a worker thread of its own (store/metricStore.ts).
  const store: MetricStore = openMetricStore({
    file: path.join(options.dataDir, 'history.sqlite'),
    retention: settings.retention,
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    onProblem: (message) => log.error(message),
  });

  // ------------------------------------------------------------ hosts
  const hosts = new Map<string, HostRuntime>();
  const makeLocalSource = options.createLocalSource ?? ((intervalMs: number) =>
      createLocalSource({ intervalMs, log, ...(options.localEngineSocket ? { engineSocket: options.localEngineSocket } : {}) }));

  const hostList = (): Host[] => [...hosts.values()].map((h) => ({ ...h.host }));
  const announceHosts = () => emit('hosts/changed', hostList());

  const health: CoreHealth = { samplesIngested: 0, ingestFailures: 0, samplesLost: 0, ingestError: undefined, sshReconnects: 0, agentErrors: 0, alertEvaluations: 0 };
  let features: CoreFeature[] = [];
  const eachFeature = (what: string, fn: (f: CoreFeature) => void) => {
    for (const f of features) {
      try {
        fn(f);
      } catch (err) {
        log.error(`${f.name}: ${what} failed`, { error: (err as Error).message });
      }
    }
  };

  function setStatus(rt: HostRuntime, status: HostStatus, detail?: string, extra?: StatusExtra) {
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
    if (previous !== status) eachFeature('host status', (f) => f.onHostStatus?.({ ...rt.host }, previous));
    announceHosts();
  }

  // ------------------------------------------------------------ ingest
  let pending: Sample[] = [];
  const pendingHosts = new Map<string, { t: number; summary: HostSummary }>();

  /**
   * Writes one batch; a failure (a full disk, a locked database) is logged,
   * counted and shown (Settings, /metrics) until a write succeeds again, and
   * the next batch tries again. The failed batch is not kept: a disk that
   * stays full would grow the console's memory without bound.
   */
  async function write(batch: readonly Sample[], appendOptions?: AppendOptions): Promise<void> {
    try {
      await store.append(batch, appendOptions);
      health.samplesIngested += batch.length;
      if (health.ingestError) {
        log.info('writing history again', { since: new Date(health.ingestError.since).toISOString() });
        health.ingestError = undefined;
      }
    } catch (err) {
      const message = (err as Error).message;
      const at = Date.now();
      health.ingestFailures++;
      health.samplesLost += batch.length;
      health.ingestError = { message, since: health.ingestError?.since ?? at, at };
      log.error('could not write samples to history', { samples: batch.length, error: message });
    }
  }

  async function flush(): Promise<void> {
    if (pending.length === 0) return;
    const batch = pending;
    const hostsInBatch = [...pendingHosts];
    pending = [];
    pendingHosts.clear();
    await write(batch);
    // After the write, so a UI that re-queries on this event sees the samples.
    for (const [hostId, p] of hostsInBatch) emit('samples/appended', { hostId, t: p.t, summary: p.summary });
  }

  function onObservation(rt: HostRuntime, obs: HostObservation) {
    const derived = deriveSamples(rt.previous, obs, rt.host.name);
    rt.previous = obs;
    const summary: HostSummary = {
      ...hostSummaryFrom(derived.samples, rt.host.id, obs.t),
      // issue 4: container counts for the fleet overview
      ...(derived.containers ? { containersRunning: derived.containers.running, containersTotal: derived.containers.total } : {}),
    };
    rt.summary = summary;
    rt.inventory = buildInventory(rt.host.id, obs, derived.processes);
    const facts = obs.facts;
    const infoChanged = JSON.stringify(rt.host.info ?? {}) !== JSON.stringify(facts);
    rt.host = { ...rt.host, lastSampleAt: obs.t, ...(infoChanged ? { info: { ...facts } } : {}) };
    if (obs.problems.length) log.warn(`host ${rt.host.name}: ${obs.problems.length} unparsed part(s) in a sample`, { first: obs.problems[0] });
    if (rt.host.status !== 'online') setStatus(rt, 'online');
    else if (infoChanged) announceHosts();
    for (const s of derived.samples) pending.push(s);
    pendingHosts.set(rt.host.id, { t: obs.t, summary });
    eachFeature('observation', (f) => f.onObservation?.(rt.host.id, obs, derived));
    if (pending.length >= FLUSH_EARLY_AT_SAMPLES) void flush();
  }

  function startHost(rt: HostRuntime) {
    rt.source.start({
      observation: (obs) => onObservation(rt, obs),
      status: (status, detail, extra) => setStatus(rt, status, detail, extra),
    });
  }

  function addLocalHost() {
    const rt: HostRuntime = {
      host: {
        id: 'local',
        name: 'local',
        kind: 'local',
        status: 'connecting',
        pollIntervalMs: settings.pollIntervalMs,
        tags: [],
        provisioned: false,
      },
      source: makeLocalSource(settings.pollIntervalMs),
    };
    hosts.set(rt.host.id, rt);
    return rt;
  }

  async function restartLocal() {
    const rt = hosts.get('local');
    if (!rt) return;
    await rt.source.stop();
    rt.previous = undefined; // a new agent process: rates restart from its first sample
    rt.source = makeLocalSource(settings.pollIntervalMs);
    rt.host = { ...rt.host, pollIntervalMs: settings.pollIntervalMs };
    startHost(rt);
    announceHosts();
  }

  async function applySettings(next: Settings) {
    const prev = settings;
    settings = next;
    if (JSON.stringify(prev.retention) !== JSON.stringify(next.retention)) await store.setRetention(next.retention);
    if (prev.pollIntervalMs !== next.pollIntervalMs) await restartLocal();
    if (JSON.stringify(prev) !== JSON.stringify(next)) eachFeature('settings', (f) => f.onSettings?.(next));
  }

  function checkStale() {
    const t = now();
    for (const rt of hosts.values()) {
      const last = rt.host.lastSampleAt;
      if (rt.host.status === 'online' && last !== undefined && t - last > STALE_AFTER_INTERVALS * rt.host.pollIntervalMs) {
        setStatus(rt, 'stale', `no sample for ${Math.round((t - last) / 1000)} s`);
      }
    }
  }

  // ------------------------------------------------------------ provisioning
  let configWatcher: { close(): void } | undefined;
  const configState = (): AppInfo['config'] => ({
    file: options.configFile ? path.resolve(options.configFile) : null,
    problems: (provisioned?.problems ?? []) as ConfigProblem[],
    loadedAt: provisioned?.loadedAt ?? null,
  });

  function onProvisioning(result: ProvisioningResult) {
    provisioned = result;
    for (const p of result.problems) log.warn(`config ${p.file}${p.line ? `:${p.line}` : ''}: ${p.field ? `${p.field}: ` : ''}${p.message}`);
    void applySettings(mergeSettings(saved, provisionedSettings())).catch((err) =>
      log.error('could not apply provisioned settings', { error: (err as Error).message }),
    );
    eachFeature('provisioning', (f) => f.onProvisioning?.(result));
    emit('config/changed', configState());
  }

  // ------------------------------------------------------------ handlers
  const agent = loadAgentScript();
  const baseHandlers: Partial<Handlers> = {
    'app/info': async () => {
      const stats = await store.stats();
      return {
        version: options.version,
        agentVersion: agent.version,
        shell: options.shell,
        settings,
        provisionedSettings: provisionedFields(),
        config: configState(),
        store: {
          sizeBytes: stats.sizeBytes,
          series: stats.series,
          droppedSamples: stats.droppedSamples ?? 0,
          samplesLost: health.samplesLost,
          writeError: health.ingestError ?? null,
        },
      };
    },
    'hosts/list': () => hostList(),
    'hosts/summaries': () => [...hosts.values()].flatMap((h) => (h.summary ? [h.summary] : [])),
    'hosts/inventory': ({ hostId }) => {
      const rt = hosts.get(hostId);
      if (!rt) throw new RpcError('not_found', `no host with id "${hostId}"`);
      return rt.inventory ?? null;
    },
    'series/query': async (q) => {
      const perSelector = await Promise.all(q.selectors.map((selector) => store.query({ selector, from: q.from, to: q.to, maxPoints: q.maxPoints })));
      return perSelector.flat().map((r) => ({ name: r.name, labels: { ...r.labels }, tier: r.tier, stepMs: r.stepMs, points: r.points }));
    },
    'settings/update': async (patch) => {
      const locked = provisionedFields().filter((f) => f in patch);
      if (locked.length) {
        throw new RpcError('provisioned', `${locked.join(', ')} ${locked.length > 1 ? 'are' : 'is'} set by the provisioning file and cannot be changed here`);
      }
      saved = { ...saved, ...patch };
      saveSettings(options.dataDir, saved);
      await applySettings(mergeSettings(saved, provisionedSettings()));
      return settings;
    },
  };

  // ------------------------------------------------------------ features
  function hostRuntimeFor(host: Omit<Host, 'status' | 'lastSampleAt'>, source: HostSource): HostRuntime {
    return { host: { ...host, status: 'connecting' }, source };
  }
  const context: CoreContext = {
    dataDir: options.dataDir,
    shell: options.shell,
    log,
    secrets: options.secrets,
    store,
    health,
    now,
    emit,
    ingest: (samples, appendOptions) => {
      if (samples.length === 0) return Promise.resolve();
      // Late-arriving samples (clouds) go in a batch of their own: the store keeps their windows open longer.
      if (appendOptions?.maxDelayMs) return write(samples, appendOptions);
      for (const s of samples) pending.push(s);
      if (pending.length >= FLUSH_EARLY_AT_SAMPLES) return flush();
      return Promise.resolve();
    },
    settings: () => settings,
    hosts: () => [...hosts.values()].map((h) => ({ host: { ...h.host }, latest: h.previous })),
    host: (id) => {
      const h = hosts.get(id);
      return h && { host: { ...h.host }, latest: h.previous };
    },
    addHost(host, source) {
      if (hosts.has(host.id)) throw new RpcError('invalid_input', `a host named "${host.id}" already exists`);
      const rt = hostRuntimeFor(host, source);
      hosts.set(host.id, rt);
      if (started) startHost(rt);
      announceHosts();
    },
    async replaceHost(host, source) {
      const old = hosts.get(host.id);
      if (!old) throw new RpcError('not_found', `no host with id "${host.id}"`);
      await old.source.stop();
      const rt = hostRuntimeFor(host, source);
      hosts.set(host.id, rt);
      if (started) startHost(rt);
      announceHosts();
    },
    async removeHost(id) {
      const rt = hosts.get(id);
      if (!rt) return;
      hosts.delete(id);
      await rt.source.stop();
      eachFeature('host removal', (f) => f.onHostRemoved?.(id));
      announceHosts();
    },
  };
  features = (options.features ?? []).map((make) => make(context));

  const handlers = { ...baseHandlers } as Record<string, unknown>;
  for (const f of features) {
    for (const [name, handler] of Object.entries(f.handlers ?? {})) {
      if (name in handlers) throw new Error(`${f.name} answers "${name}", which is already answered`);
      handlers[name] = handler;
    }
  }
  const unanswered = Object.keys(requests).filter((name) => !(name in handlers));
  if (unanswered.length) throw new Error(`no feature answers ${unanswered.join(', ')}`);

  // ------------------------------------------------------------ lifecycle
  const timers: NodeJS.Timeout[] = [];
  let started = false;

  return {
    handlers: handlers as Handlers,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async start() {
      if (started) return;
      // The history database opens on the store's thread: a file this build cannot
      // use (a newer schema, not a database) stops the start here, with its message.
      await store.stats();
      started = true;
      if (options.configFile) configWatcher = watchProvisioningFile(options.configFile, onProvisioning);
      settings = mergeSettings(saved, provisionedSettings());
      addLocalHost();
      for (const rt of hosts.values()) startHost(rt);
      for (const f of features) await f.start?.();
      announceHosts();
      timers.push(setInterval(() => void flush(), FLUSH_INTERVAL_MS));
      timers.push(setInterval(checkStale, 1000));
      let housekeeping: Promise<void> | undefined;
      timers.push(
        setInterval(() => {
          housekeeping ??= store
            .housekeeping(now())
            .then(() => undefined)
            .catch((err: unknown) => log.error('history housekeeping failed', { error: (err as Error).message }))
            .finally(() => (housekeeping = undefined));
        }, HOUSEKEEPING_INTERVAL_MS),
      );
      for (const t of timers) t.unref();
    },
    async stop() {
      for (const t of timers) clearInterval(t);
      timers.length = 0;
      configWatcher?.close();
      for (const f of [...features].reverse()) {
        try {
          await f.stop?.();
        } catch (err) {
          log.error(`${f.name}: stop failed`, { error: (err as Error).message });
        }
      }
      await Promise.all([...hosts.values()].map((h) => h.source.stop()));
      await flush();
      if (health.ingestFailures) log.warn(`${health.ingestFailures} batch(es) could not be written during this run`);
      await store.close();
      listeners.clear();
    },
  };
}
