// Remote write as a feature of the core: targets from the Settings screen and
// the provisioning file's `remote_write:` (one managed set,
// targetDefinitions.ts), a sender per enabled target reading the store's
// durable outbox (store/outbox.ts over the head log), and what the outbox needs
// besides the history: the raw series /metrics shows and the history keeps
// only as rates, staleness markers when a host or container goes away, and
// the console's own health (hostSeries.ts). Status per target on the Settings
// screen (`remote-write/*`) and on /metrics (overlook_remote_write_*).
//
// The outbox keeps a target's place (a cursor in the history database) as
// long as the target is enabled, across restarts; a target removed or
// disabled lets go of it. Cursors of targets this run does not know (a
// provisioning file that does not load yet) are kept until the file has
// loaded once, so a broken file at start loses nothing.
import { RpcError, type Handlers, type Host } from '../../common/contract.js';
import type { RemoteWriteTargetView } from '../../common/remoteWrite.js';
import type { Sample } from '../../common/series.js';
import { sectionOf } from '../config/provisioning.js';
import type { CoreContext, CoreFeature } from '../coreContext.js';
import { createEngineClient, type EngineClient } from '../engine/engineHttp.js';
import { resolveEngineEndpoint } from '../engine/engineConnection.js';
import { localHostOnEngine } from '../engine/engineHost.js';
import type { ExposedFamily } from '../exposition.js';
import { ManagedSet } from '../managed/managedSet.js';
import { endHostSeries, observeHostSeries, rawSamplesToSend, type HostSeriesMemory } from './hostSeries.js';
import { RemoteWriteSender } from './sender.js';
import {
  remoteWriteSection,
  storedFromDraft,
  storedTargetsFile,
  targetFromFile,
  targetFromStored,
  targetSecretKey,
  type ProvisionedTarget,
  type StoredTarget,
  type TargetDefinition,
} from './targetDefinitions.js';

export interface RemoteWriteFeatureOptions {
  /** How often the console's health goes out to targets that want it (default 15 s). */
  readonly healthIntervalMs?: number;
  /** How often pending and oldest-pending are read from the outbox (default 2 s). */
  readonly statusIntervalMs?: number;
  /** Sender tuning (tests). */
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  readonly idlePollMs?: number;
}

interface Runtime {
  readonly def: TargetDefinition;
  sender?: RemoteWriteSender;
  client?: EngineClient;
  /** Why it is not sending (a secret that cannot be read); shown as its last error. */
  problem?: string;
  pending: number;
  oldestAt?: number;
}

const NOT_FOUND = (name: string) => new RpcError('not_found', `no remote-write target named "${name}"`);

export function createRemoteWriteFeature(options: RemoteWriteFeatureOptions = {}): (ctx: CoreContext) => CoreFeature {
  return (ctx) => {
    const engineHost = localHostOnEngine();
    let started = false;
    let stopping = false;
    /** Whether the provisioning file (if any) has loaded: until then, cursors of targets not defined here are kept. */
    let fileLoaded = true;
    const memory = new Map<string, HostSeriesMemory>();
    let healthTimer: NodeJS.Timeout | undefined;
    let statusTimer: NodeJS.Timeout | undefined;

    const enabledTargets = () => targets.entries().filter((e) => e.def.enabled).map((e) => e.def);
    /** Whether any running target sends series of this kind (what the outbox must carry beyond the history). */
    const wants = (kind: 'host' | 'container' | 'health') => enabledTargets().some((d) => d.series.includes(kind));

    async function startRuntime(def: TargetDefinition): Promise<Runtime> {
      const rt: Runtime = { def, pending: 0 };
      if (!def.enabled || stopping) {
        await ctx.store.outboxForget([def.name]);
        return rt;
      }
      const positions = await ctx.store.outboxTargets([{ name: def.name, maxAgeMs: def.maxAgeMs }]);
      const resolved = await resolveEngineEndpoint(def.connection, ctx.secrets);
      if (!resolved.ok) {
        // Its place in the outbox stays: once the secret is there, it catches up (within its age limit).
        rt.problem = `not sending: ${resolved.problem}`;
        ctx.log.error(`remote write ${def.name}: ${rt.problem}`);
        return rt;
      }
      rt.client = createEngineClient(resolved.endpoint);
      rt.sender = new RemoteWriteSender({
        name: def.name,
        store: ctx.store,
        client: rt.client,
        series: { series: def.series, externalLabels: def.externalLabels, localHostOnEngine: engineHost },
        maxAgeMs: def.maxAgeMs,
        maxSamplesPerSend: def.maxSamplesPerSend,
        now: ctx.now,
        log: ctx.log,
        ...(options.backoff ? { backoff: options.backoff } : {}),
        ...(options.idlePollMs !== undefined ? { idlePollMs: options.idlePollMs } : {}),
        onChange: announce,
      });
      rt.sender.start(positions[def.name] ?? 0);
      ctx.log.info(`remote write ${def.name}: sending to ${rt.client.where}`);
      return rt;
    }

    const targets: ManagedSet<StoredTarget, ProvisionedTarget, TargetDefinition, Runtime> = new ManagedSet({
      what: 'remote-write target',
      section: 'remote_write',
      dataDir: ctx.dataDir,
      file: storedTargetsFile,
      log: ctx.log,
      fromStored: targetFromStored,
      fromProvisioned: targetFromFile,
      start: startRuntime,
      async stop({ def, runtime }, { forget }) {
        await runtime.sender?.stop();
        runtime.client?.close();
        if (forget) await ctx.store.outboxForget([def.name]);
      },
    });

    async function forgetUnknownCursors(): Promise<void> {
      if (!fileLoaded) return;
      const known = new Set(targets.definitions().filter((d) => d.enabled).map((d) => d.name));
      const status = await ctx.store.outboxStatus();
      const unknown = Object.keys(status.cursors).filter((name) => !known.has(name));
      if (unknown.length) {
        await ctx.store.outboxForget(unknown);
        ctx.log.info(`remote write: let go of the outbox places of ${unknown.join(', ')} (no longer configured)`);
      }
    }

    const reconcile = async (restart?: ReadonlySet<string> | 'all') => {
      await targets.reconcile(restart);
      await forgetUnknownCursors().catch((err: unknown) => ctx.log.warn('remote write: could not tidy the outbox', { error: (err as Error).message }));
      announce();
    };

    // ------------------------------------------------------------ status

    function view(rt: Runtime, secretSet: boolean): RemoteWriteTargetView {
      const d = rt.def;
      const c = d.connection;
      const s = rt.sender?.status();
      const now = ctx.now();
      return {
        name: d.name,
        url: c.url,
        enabled: d.enabled,
        provisioned: d.provisioned,
        headers: { ...c.headers },
        auth: c.auth.kind,
        username: c.auth.kind === 'basic' ? c.auth.username : null,
        secretSet,
        caSet: c.ca !== undefined,
        externalLabels: { ...d.externalLabels },
        series: [...d.series],
        maxAgeMs: d.maxAgeMs,
        status: {
          state: !d.enabled ? 'disabled' : (s?.state ?? 'retrying'),
          sentSamples: s?.sentSamples ?? 0,
          sentBytes: s?.sentBytes ?? 0,
          pendingSamples: d.enabled ? rt.pending : 0,
          oldestPendingAgeMs: d.enabled && rt.oldestAt !== undefined ? Math.max(0, now - rt.oldestAt) : null,
          droppedSamples: s?.droppedSamples ?? 0,
          rejectedSamples: s?.rejectedSamples ?? {},
          retries: s?.retries ?? 0,
          lastSuccessAt: s?.lastSuccessAt ?? null,
          lastError: rt.problem ?? s?.lastError ?? null,
          lastErrorAt: rt.problem ? null : (s?.lastErrorAt ?? null),
        },
      };
    }

    const secretsSet = new Map<string, boolean>();
    async function refreshSecretsSet(): Promise<void> {
      for (const { def } of targets.entries()) {
        if (def.provisioned || def.connection.auth.kind === 'none') continue;
        try {
          secretsSet.set(def.name, (await ctx.secrets.get(targetSecretKey(def.name))) !== undefined);
        } catch {
          secretsSet.set(def.name, false);
        }
      }
    }

    const views = (): RemoteWriteTargetView[] =>
      targets
        .entries()
        .map((e) => e.runtime)
        .sort((a, b) => a.def.name.localeCompare(b.def.name))
        .map((rt) => view(rt, rt.def.connection.auth.kind === 'none' ? false : rt.def.provisioned ? true : (secretsSet.get(rt.def.name) ?? false)));

    let announceTimer: NodeJS.Timeout | undefined;
    function announce(): void {
      if (announceTimer || !started || stopping) return;
      announceTimer = setTimeout(() => {
        announceTimer = undefined;
        ctx.emit('remote-write/changed', views());
      }, 1000);
      announceTimer.unref?.();
    }

    async function refreshPending(): Promise<void> {
      if (targets.entries().length === 0) return;
      const status = await ctx.store.outboxStatus();
      for (const { def, runtime } of targets.entries()) {
        const cursor = status.cursors[def.name];
        // The sender's own place is ahead of the saved one while its acknowledgement is on the way.
        const pos = Math.max(cursor?.pos ?? status.end, runtime.sender?.position() ?? 0);
        const pending = Math.max(0, status.end - pos);
        const oldestAt = pending > 0 ? cursor?.oldestAt : undefined;
        if (pending !== runtime.pending || oldestAt !== runtime.oldestAt) {
          runtime.pending = pending;
          runtime.oldestAt = oldestAt;
          announce();
        }
      }
    }

    function exposition(): ExposedFamily[] {
      const list = views();
      const per = (pick: (v: RemoteWriteTargetView) => number | null) =>
        list.flatMap((v) => {
          const value = pick(v);
          return value === null ? [] : [{ labels: { target: v.name }, value }];
        });
      return [
        { name: 'overlook_remote_write_samples_sent_total', help: 'Samples the engine accepted, per remote-write target.', type: 'counter', values: per((v) => v.status.sentSamples) },
        { name: 'overlook_remote_write_bytes_sent_total', help: 'Request bytes (compressed) the engine accepted, per target.', type: 'counter', values: per((v) => v.status.sentBytes) },
        { name: 'overlook_remote_write_samples_pending', help: 'Samples logged in the outbox and not sent yet, per target.', type: 'gauge', values: per((v) => v.status.pendingSamples) },
        {
          name: 'overlook_remote_write_oldest_pending_age_seconds',
          help: 'How long the oldest unsent sample has waited, per target (0 when nothing is pending).',
          type: 'gauge',
          values: per((v) => (v.status.oldestPendingAgeMs ?? 0) / 1000),
        },
        { name: 'overlook_remote_write_samples_dropped_total', help: 'Samples older than the target\'s age limit that were never sent.', type: 'counter', values: per((v) => v.status.droppedSamples) },
        {
          name: 'overlook_remote_write_samples_rejected_total',
          help: 'Samples not sent because the engine refused them (4xx other than 429) or they could not be sent, by reason.',
          type: 'counter',
          values: list.flatMap((v) => Object.entries(v.status.rejectedSamples).map(([reason, value]) => ({ labels: { target: v.name, reason }, value }))),
        },
        { name: 'overlook_remote_write_retries_total', help: 'Requests tried again after a 5xx, a 429, a timeout or a dropped connection.', type: 'counter', values: per((v) => v.status.retries) },
        {
          name: 'overlook_remote_write_last_success_timestamp_seconds',
          help: 'When the engine last accepted a request, per target.',
          type: 'gauge',
          values: per((v) => (v.status.lastSuccessAt === null ? null : v.status.lastSuccessAt / 1000)),
        },
      ];
    }

    // ------------------------------------------------------------ what the outbox carries beyond the history

    function log(samples: Sample[]): void {
      if (samples.length) void ctx.ingest(samples, { outboxOnly: true });
    }

    async function sendHealth(): Promise<void> {
      if (!wants('health')) return;
      const t = ctx.now();
      const h = ctx.health;
      const stats = await ctx.store.stats();
      const samples: Sample[] = [
        ['overlook_samples_ingested_total', h.samplesIngested],
        ['overlook_ingest_failures_total', h.ingestFailures],
        ['overlook_samples_lost_total', h.samplesLost],
        ['overlook_samples_dropped_total', stats.droppedSamples ?? 0],
        ['overlook_ssh_reconnects_total', h.sshReconnects],
        ['overlook_agent_errors_total', h.agentErrors],
        ['overlook_alert_evaluations_total', h.alertEvaluations],
        ['overlook_db_size_bytes', stats.sizeBytes],
      ].map(([name, v]) => ({ name: name as string, labels: {}, t, v: v as number }));
      for (const { host } of ctx.hosts()) samples.push({ name: 'overlook_host_up', labels: { host: host.name }, t, v: host.status === 'online' ? 1 : 0 });
      for (const family of await ctx.exposition({ now: t, reserved: new Set() })) {
        if (!family.name.startsWith('overlook_')) continue;
        for (const value of family.values) samples.push({ name: value.metricName ?? family.name, labels: { ...value.sharedLabels, ...value.labels }, t, v: value.value });
      }
      log(samples);
    }

    function endHost(hostId: string): void {
      const ended = endHostSeries(memory.get(hostId), ctx.now());
      memory.delete(hostId);
      log(ended);
    }

    // ------------------------------------------------------------ handlers

    const viewAfterApply = async (name: string): Promise<RemoteWriteTargetView> => {
      await reconcile();
      await refreshSecretsSet();
      const rt = targets.runtime(name);
      if (!rt) throw NOT_FOUND(name);
      return views().find((v) => v.name === name)!;
    };

    const handlers: Partial<Handlers> = {
      'remote-write/list': async () => {
        await refreshSecretsSet();
        return views();
      },
      'remote-write/add': async (draft) => {
        if (targets.has(draft.name)) throw new RpcError('invalid_input', `a target named "${draft.name}" already exists`);
        if (draft.auth !== 'none' && !draft.secret) throw new RpcError('invalid_input', draft.auth === 'bearer' ? 'enter the bearer token' : 'enter the password');
        if (draft.secret && draft.auth !== 'none') await ctx.secrets.set(targetSecretKey(draft.name), draft.secret);
        targets.setStored([...targets.stored, storedFromDraft(draft)]);
        ctx.log.info(`remote write ${draft.name}: added`);
        return viewAfterApply(draft.name);
      },
      'remote-write/update': async ({ name, draft }) => {
        targets.editable(name, () => NOT_FOUND(name));
        if (draft.name !== name) throw new RpcError('invalid_input', 'a target cannot be renamed (its name labels its status and keeps its place in the outbox); remove it and add it again');
        const previous = targets.stored.find((s) => s.name === name);
        if (draft.auth === 'none') await ctx.secrets.delete(targetSecretKey(name));
        else if (draft.secret) await ctx.secrets.set(targetSecretKey(name), draft.secret);
        else if (!(await ctx.secrets.get(targetSecretKey(name)))) throw new RpcError('invalid_input', draft.auth === 'bearer' ? 'enter the bearer token' : 'enter the password');
        targets.setStored(targets.stored.map((s) => (s.name === name ? storedFromDraft(draft, previous) : s)));
        // A secret changed in the store does not change the definition: restart this target either way.
        await reconcile(new Set([name]));
        return viewAfterApply(name);
      },
      'remote-write/remove': async ({ name }) => {
        targets.editable(name, () => NOT_FOUND(name));
        targets.setStored(targets.stored.filter((s) => s.name !== name));
        await reconcile();
        await ctx.secrets.delete(targetSecretKey(name));
        ctx.log.info(`remote write ${name}: removed`);
        return true;
      },
    };

    return {
      name: 'remote-write',
      handlers,
      provisioning: [remoteWriteSection],
      exposition: () => exposition(),
      async start() {
        targets.load();
        started = true;
        await reconcile();
        await refreshSecretsSet();
        healthTimer = setInterval(() => void sendHealth().catch((err: unknown) => ctx.log.warn('remote write: console health not logged', { error: (err as Error).message })), options.healthIntervalMs ?? 15_000);
        healthTimer.unref();
        statusTimer = setInterval(() => void refreshPending().catch(() => {}), options.statusIntervalMs ?? 2000);
        statusTimer.unref();
      },
      onProvisioning(result) {
        fileLoaded = result.config !== null;
        if (!result.config) return;
        targets.setProvisioned(sectionOf(result.config, remoteWriteSection), result.config.baseDir);
        if (started) void reconcile();
      },
      onObservation(hostId, observation, derived) {
        const host = ctx.host(hostId)?.host.name;
        if (host === undefined || targets.entries().length === 0) return;
        const withHost = wants('host');
        const withContainers = wants('container');
        if (!withHost && !withContainers) return;
        const raw = rawSamplesToSend(host, observation.t, withHost ? observation.series : [], withContainers ? observation.containers : undefined);
        const { memory: next, markers } = observeHostSeries(memory.get(hostId), raw.length ? [...derived.samples, ...raw] : derived.samples, observation.containers !== undefined, observation.t);
        memory.set(hostId, next);
        log(raw.length ? [...raw, ...markers] : markers);
      },
      onHostStatus(host: Host) {
        // A host that stops delivering (stale, offline, paused, an agent or auth failure) ends its series, as a failed scrape does in Prometheus.
        if (host.status !== 'online' && memory.has(host.id)) endHost(host.id);
      },
      onHostRemoved(hostId) {
        if (memory.has(hostId)) endHost(hostId);
      },
      async stop() {
        stopping = true;
        if (healthTimer) clearInterval(healthTimer);
        if (statusTimer) clearInterval(statusTimer);
        if (announceTimer) clearTimeout(announceTimer);
        await targets.stop();
      },
    };
  };
}
