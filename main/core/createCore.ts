// The composition root: builds the store, the sources, the settings and the
// provisioning watcher, and returns the typed handlers of the contract plus an
// event stream. Every shell (Electron, headless, CLI) calls this and nothing
// below it; host-specific services (secrets, the local collector) are chosen
// here or passed in, never decided deep inside.
import fs from 'node:fs';
import path from 'node:path';
import { requests, RpcError, SERIES_LABEL_VALUES_MAX, type AppInfo, type ConfigProblem, type Handlers, type SecretStorage, type Settings } from '../common/contract.js';
import { metricChoices } from '../common/metrics.js';
import { loadAgentScript } from './sources/agent/agentScript.js';
import { createProvisioningParser, sectionOf, watchProvisioningFile, type ProvisioningResult } from './config/provisioning.js';
import { provisionedSettingsFields, settingsSection } from './config/settingsSection.js';
import { provisionedFieldsError } from './config/provisionedError.js';
import type { Logger } from './log.js';
import type { SecretStore } from './secrets/secretStore.js';
import { loadSavedSettings, mergeSettings, saveSettings, type SettingsPatch } from './settings/settings.js';
import { createLocalSource } from './localHost.js';
import type { HostSource } from './model/hostSource.js';
import { openMetricStore } from './store/metricStore.js';
import { queryRefusal, type MetricStore } from './store/types.js';
import { HostRegistry } from './ingest/hostRegistry.js';
import { FLUSH_INTERVAL_MS, SampleBatcher } from './ingest/sampleBatcher.js';
import type { CoreContext, CoreEventListener, CoreFeature, CoreHealth } from './coreContext.js';
import type { ExposedFamily } from './exposition.js';
import { createHistoryBackend, historySection } from './history/historyBackend.js';

export interface CoreOptions {
  readonly dataDir: string;
  readonly shell: 'desktop' | 'headless';
  readonly configFile?: string;
  readonly secrets: SecretStore;
  /** Where `secrets` keeps them, as app/info tells the UI; the key-file store in the data dir when not given. */
  readonly secretStorage?: SecretStorage;
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

const HOUSEKEEPING_INTERVAL_MS = 10_000;

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
  const provisionedSettings = (): SettingsPatch => (provisioned?.config ? sectionOf(provisioned.config, settingsSection) : {});
  const provisionedFields = (): string[] => provisionedSettingsFields(provisionedSettings());
  let settings: Settings = mergeSettings(saved, provisionedSettings());

  // The history store runs on a worker thread of its own (store/metricStore.ts).
  const store: MetricStore = openMetricStore({
    file: path.join(options.dataDir, 'history.sqlite'),
    retention: settings.retention,
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    onProblem: (message) => log.error(message),
  });

  // Where history is read from: this store, or an engine's PromQL API (history/historyBackend.ts).
  const history = createHistoryBackend({
    dataDir: options.dataDir,
    store,
    secrets: options.secrets,
    log,
    now,
    onChange: (state) => emit('history/changed', state),
  });

  // ------------------------------------------------------------ hosts and ingest
  const makeLocalSource = options.createLocalSource ?? ((intervalMs: number) =>
      createLocalSource({ intervalMs, log, ...(options.localEngineSocket ? { engineSocket: options.localEngineSocket } : {}) }));

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

  const batcher = new SampleBatcher({
    store,
    health,
    log,
    // After the write, so a UI that re-queries on this event sees the samples.
    onWritten: (summaries) => {
      for (const summary of summaries) emit('samples/appended', { hostId: summary.hostId, t: summary.t, summary });
    },
  });
  const hosts = new HostRegistry({
    log,
    health,
    batcher,
    events: {
      hostsChanged: (list) => emit('hosts/changed', list),
      hostStatus: (host, previous) => eachFeature('host status', (f) => f.onHostStatus?.(host, previous)),
      observation: (hostId, obs, derived) => eachFeature('observation', (f) => f.onObservation?.(hostId, obs, derived)),
      hostRemoved: (hostId) => eachFeature('host removal', (f) => f.onHostRemoved?.(hostId)),
    },
  });

  function addLocalHost() {
    hosts.add(
      { id: 'local', name: 'local', kind: 'local', pollIntervalMs: settings.pollIntervalMs, tags: [], provisioned: false },
      makeLocalSource(settings.pollIntervalMs),
    );
  }

  async function applySettings(next: Settings) {
    const prev = settings;
    settings = next;
    if (JSON.stringify(prev.retention) !== JSON.stringify(next.retention)) await store.setRetention(next.retention);
    // A new agent process: rates restart from its first sample.
    if (prev.pollIntervalMs !== next.pollIntervalMs) await hosts.swapSource('local', makeLocalSource(next.pollIntervalMs), { pollIntervalMs: next.pollIntervalMs });
    if (JSON.stringify(prev) !== JSON.stringify(next)) eachFeature('settings', (f) => f.onSettings?.(next));
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
    if (result.config) void history.setProvisioned(sectionOf(result.config, historySection), result.config.baseDir);
    eachFeature('provisioning', (f) => f.onProvisioning?.(result));
    emit('config/changed', configState());
  }

  // ------------------------------------------------------------ handlers
  const agent = loadAgentScript();
  const secretStorage: SecretStorage = options.secretStorage ?? { kind: 'file', keyFile: path.join(options.dataDir, 'secret.key') };
  const baseHandlers: Partial<Handlers> = {
    'app/info': async () => {
      const stats = await store.stats();
      return {
        version: options.version,
        agentVersion: agent.version,
        shell: options.shell,
        secretStorage,
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
    'hosts/list': () => hosts.list(),
    'hosts/summaries': () => hosts.summaries(),
    'hosts/inventory': ({ hostId }) => hosts.inventory(hostId),
    'series/query': async (q) => {
      const perSelector = await Promise.all(q.selectors.map((selector) => history.reader.query({ selector, from: q.from, to: q.to, maxPoints: q.maxPoints }))).catch(
        (err: unknown) => Promise.reject(queryRefusal(err)),
      );
      return perSelector.flat().map((r) => ({ name: r.name, labels: { ...r.labels }, tier: r.tier, stepMs: r.stepMs, points: r.points }));
    },
    'history/get': () => history.state(),
    'history/update': (draft) => history.update(draft),
    'series/names': async () => metricChoices(await store.names()),
    'series/labels': async ({ name }) => {
      const values = new Map<string, Set<string>>();
      for (const s of await store.series({ name })) {
        for (const [label, value] of Object.entries(s.labels)) {
          let set = values.get(label);
          if (!set) values.set(label, (set = new Set()));
          if (set.size < SERIES_LABEL_VALUES_MAX) set.add(value);
        }
      }
      return Object.fromEntries([...values].sort(([a], [b]) => a.localeCompare(b)).map(([label, set]) => [label, [...set].sort()]));
    },
    'settings/update': async (patch) => {
      const locked = provisionedFields().filter((f) => f in patch);
      if (locked.length) {
        throw provisionedFieldsError(locked);
      }
      saved = { ...saved, ...patch };
      saveSettings(options.dataDir, saved);
      await applySettings(mergeSettings(saved, provisionedSettings()));
      return settings;
    },
  };

  // ------------------------------------------------------------ features
  let handlers: Record<string, unknown> = {};
  const context: CoreContext = {
    dataDir: options.dataDir,
    shell: options.shell,
    log,
    secrets: options.secrets,
    store,
    history: history.reader,
    health,
    now,
    emit,
    ingest: (samples, appendOptions) => batcher.ingest(samples, appendOptions),
    settings: () => settings,
    hosts: () => hosts.views(),
    host: (id) => hosts.view(id),
    addHost: (host, source) => hosts.add(host, source),
    replaceHost: (host, source) => hosts.replace(host, source),
    removeHost: (id) => hosts.remove(id),
    runVia(hostId, command, timeoutMs) {
      for (const f of features) {
        const ran = f.runVia?.(hostId, command, timeoutMs);
        if (ran) return ran;
      }
      return Promise.reject(new Error(`no SSH host named ${hostId} to run from`));
    },
    openStreamVia(hostId, host, port) {
      for (const f of features) {
        const opened = f.openStreamVia?.(hostId, host, port);
        if (opened) return opened;
      }
      return Promise.reject(new Error(hostId === 'local' ? 'the console itself is the vantage point "console"' : `no SSH host named ${hostId} to open a connection from`));
    },
    async exposition(request) {
      const families: ExposedFamily[] = [];
      for (const f of features) {
        if (!f.exposition) continue;
        try {
          families.push(...(await f.exposition(request)));
        } catch (err) {
          log.error(`${f.name}: its /metrics families failed`, { error: (err as Error).message });
        }
      }
      return families;
    },
    async request(name, input) {
      const handler = handlers[name] as ((i: unknown) => unknown) | undefined;
      if (!handler) throw new Error(`no feature answers ${name}`);
      return (await handler(requests[name].input.parse(input))) as never;
    },
    anomalyVerdicts(selector, sensitivity) {
      for (const f of features) {
        const v = f.anomalyVerdicts?.(selector, sensitivity);
        if (v) return v;
      }
      return [];
    },
  };
  features = (options.features ?? []).map((make) => make(context));

  handlers = { ...baseHandlers } as Record<string, unknown>;
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
      await history.start();
      if (options.configFile) {
        // The file's sections: the core's own settings, then each feature's, in the order the features are listed.
        const parse = createProvisioningParser([settingsSection, historySection, ...features.flatMap((f) => f.provisioning ?? [])]);
        configWatcher = watchProvisioningFile(options.configFile, parse, onProvisioning);
      }
      settings = mergeSettings(saved, provisionedSettings());
      addLocalHost();
      hosts.startAll();
      for (const f of features) await f.start?.();
      emit('hosts/changed', hosts.list());
      timers.push(setInterval(() => void batcher.flush(), FLUSH_INTERVAL_MS));
      timers.push(setInterval(() => hosts.checkStale(now()), 1000));
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
      await hosts.stopAll();
      await batcher.flush();
      history.close();
      if (health.ingestFailures) log.warn(`${health.ingestFailures} batch(es) could not be written during this run`);
      await store.close();
      listeners.clear();
    },
  };
}
