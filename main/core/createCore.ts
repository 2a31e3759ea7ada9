// The composition root: builds the store, the sources, the settings and the
// provisioning watcher, and returns the typed handlers of the contract plus an
// event stream. Every shell (Electron, headless, CLI) calls this and nothing
// below it; host-specific services (secrets, the local collector) are chosen
// here or passed in, never decided deep inside.
import fs from 'node:fs';
import path from 'node:path';
import {
  RpcError,
  type AppInfo,
  type ConfigProblem,
  type EventName,
  type EventPayload,
  type Handlers,
  type Host,
  type HostInventory,
  type HostStatus,
  type HostSummary,
  type Settings,
} from '../common/contract.js';
import type { Sample } from '../common/series.js';
import { loadAgentScript } from './agent/agentScript.js';
import { watchProvisioningFile, type ProvisioningResult } from './config/provisioning.js';
import type { Logger } from './log.js';
import { deriveSamples, hostSummaryFrom } from './metrics/derive.js';
import type { SecretStore } from './secrets/secretStore.js';
import { loadSavedSettings, mergeSettings, saveSettings, type SettingsPatch } from './settings/settings.js';
import { createLocalSource } from './sources/localSource.js';
import type { HostObservation, HostSource } from './sources/types.js';
import { openMetricStore } from './store/sqliteStore.js';
import type { MetricStore } from './store/types.js';
import { buildInventory } from './inventory.js';

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
}

export type CoreEventListener = <K extends EventName>(event: K, payload: EventPayload<K>) => void;

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

  const store: MetricStore = openMetricStore({ file: path.join(options.dataDir, 'history.sqlite'), retention: settings.retention });

  // ------------------------------------------------------------ hosts
  const hosts = new Map<string, HostRuntime>();
  const makeLocalSource = options.createLocalSource ?? ((intervalMs: number) => createLocalSource({ intervalMs, log }));

  const hostList = (): Host[] => [...hosts.values()].map((h) => ({ ...h.host }));
  const announceHosts = () => emit('hosts/changed', hostList());

  function setStatus(rt: HostRuntime, status: HostStatus, detail?: string) {
    if (rt.host.status === status && rt.host.statusDetail === detail) return;
    rt.host = { ...rt.host, status, statusDetail: detail };
    if (status === 'online' || status === 'stale') log.info(`host ${rt.host.name}: ${status}`);
    else log.warn(`host ${rt.host.name}: ${status}`, detail ? { detail } : undefined);
    announceHosts();
  }

  // ------------------------------------------------------------ ingest
  let pending: Sample[] = [];
  const pendingHosts = new Map<string, { t: number; summary: HostSummary }>();
  let ingestProblems = 0;

  function flush() {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    try {
      store.append(batch);
    } catch (err) {
      // A full disk or a locked database: say so and keep going; the next batch retries.
      ingestProblems++;
      log.error('could not write samples to history', { samples: batch.length, error: (err as Error).message });
    }
    for (const [hostId, p] of pendingHosts) emit('samples/appended', { hostId, t: p.t, summary: p.summary });
    pendingHosts.clear();
  }

  function onObservation(rt: HostRuntime, obs: HostObservation) {
    const derived = deriveSamples(rt.previous, obs, rt.host.name);
    rt.previous = obs;
    const summary = hostSummaryFrom(derived.samples, rt.host.id, obs.t);
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
    if (pending.length >= FLUSH_EARLY_AT_SAMPLES) flush();
  }

  function startHost(rt: HostRuntime) {
    rt.source.start({
      observation: (obs) => onObservation(rt, obs),
      status: (status, detail) => setStatus(rt, status, detail),
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
    if (JSON.stringify(prev.retention) !== JSON.stringify(next.retention)) store.setRetention(next.retention);
    if (prev.pollIntervalMs !== next.pollIntervalMs) await restartLocal();
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
    emit('config/changed', configState());
  }

  // ------------------------------------------------------------ handlers
  const agent = loadAgentScript();
  const handlers: Handlers = {
    'app/info': () => {
      const stats = store.stats();
      return {
        version: options.version,
        agentVersion: agent.version,
        shell: options.shell,
        settings,
        provisionedSettings: provisionedFields(),
        config: configState(),
        store: { sizeBytes: stats.sizeBytes, series: stats.series },
      };
    },
    'hosts/list': () => hostList(),
    'hosts/summaries': () => [...hosts.values()].flatMap((h) => (h.summary ? [h.summary] : [])),
    'hosts/inventory': ({ hostId }) => {
      const rt = hosts.get(hostId);
      if (!rt) throw new RpcError('not_found', `no host with id "${hostId}"`);
      return rt.inventory ?? null;
    },
    'series/query': (q) =>
      q.selectors.flatMap((selector) =>
        store.query({ selector, from: q.from, to: q.to, maxPoints: q.maxPoints }).map((r) => ({
          name: r.name,
          labels: { ...r.labels },
          tier: r.tier,
          stepMs: r.stepMs,
          points: r.points,
        })),
      ),
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

  // ------------------------------------------------------------ lifecycle
  const timers: NodeJS.Timeout[] = [];
  let started = false;

  return {
    handlers,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async start() {
      if (started) return;
      started = true;
      if (options.configFile) configWatcher = watchProvisioningFile(options.configFile, onProvisioning);
      settings = mergeSettings(saved, provisionedSettings());
      const local = addLocalHost();
      startHost(local);
      announceHosts();
      timers.push(setInterval(flush, FLUSH_INTERVAL_MS));
      timers.push(setInterval(checkStale, 1000));
      timers.push(
        setInterval(() => {
          try {
            store.housekeeping(now());
          } catch (err) {
            log.error('history housekeeping failed', { error: (err as Error).message });
          }
        }, HOUSEKEEPING_INTERVAL_MS),
      );
      for (const t of timers) t.unref();
    },
    async stop() {
      for (const t of timers) clearInterval(t);
      timers.length = 0;
      configWatcher?.close();
      await Promise.all([...hosts.values()].map((h) => h.source.stop()));
      flush();
      if (ingestProblems) log.warn(`${ingestProblems} batch(es) could not be written during this run`);
      store.close();
      listeners.clear();
    },
  };
}
