// Cloud accounts as a feature of the core (issue 5): accounts added in the UI
// (kept in <dataDir>/clouds.json, keys in the secret store) and accounts from
// the provisioning file's `clouds:` section (keys by reference, read-only in
// the UI), each collected by an AccountCollector. Datapoints are stored under
// their canonical names with cloud/account/region/instance/product labels
// (ctx.ingest with the lateness a backfill needs); the newest values feed
// the overview, the account screen and /metrics. Mappings come from
// resources/cloud-mappings plus <dataDir>/cloud-mappings, re-read when a
// file changes.
import path from 'node:path';
import {
  accessKeyIdHint,
  type CloudAccountDraft,
  type CloudAccountView,
  type CloudApiView,
  type CloudInstanceRow,
  type CloudMappingsView,
  type CloudProvider,
  type CloudStatusView,
  type CloudTestView,
} from '../../common/clouds.js';
import { RpcError, type Handlers } from '../../common/contract.js';
import type { Sample } from '../../common/series.js';
import { resolveSecretRef, type SecretRef } from '../config/secretRef.js';
import type { CoreContext, CoreFeature } from '../coreContext.js';
import type { CloudApiStats } from '../export/consoleHealth.js';
import { accessKeyIdRef, accessKeySecretRef, loadStoredAccounts, saveStoredAccounts, type StoredCloudAccount } from './accountsFile.js';
import { cloudsSection, type ProvisionedCloudAccount } from './cloudsSection.js';
import { sectionOf } from '../config/provisioning.js';
import { AccountCollector, type CollectorTuning } from './collector/cloudCollector.js';
import { API_QUOTAS, DEFAULT_DELAY_SECONDS, DEFAULT_MAX_BACKFILL_SECONDS, DEFAULT_PERIOD_SECONDS, defaultLimit, FREE_MONTHLY_CALLS } from './collector/defaults.js';
import { testCloudAccount } from './collector/accountCheck.js';
import type { CloudAccountConfig, CloudAccountSettings, CloudCollectorStatus, CloudInstance, CloudProductMapping, CloudSample } from './collector/types.js';
import { cloudInstanceKey, CloudLatestValues } from './latestValues.js';
import { CloudProgress } from './progressFile.js';
import { findShippedMappingsDir, loadMappings, mappingFilesIn, USER_MAPPINGS_DIR, type LoadedMappings } from './mappings/loadMappings.js';

export interface CloudsFeatureOptions {
  /** Shared with the exporter: calls, throttles, errors, latency, cycles. */
  readonly stats: CloudApiStats;
  /** Shared with the exporter: the newest value of every cloud series. */
  readonly latest: CloudLatestValues;
  /** Where the provisioning file's `_env` keys are read (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  readonly shippedMappingsDir?: string;
  /** How often the mapping directories are checked for changed files (default 5 s). */
  readonly mappingsPollMs?: number;
  /** Retry and concurrency settings of the collectors (tests). */
  readonly tuning?: CollectorTuning;
}

type KeySource = { readonly kind: 'store' } | { readonly kind: 'ref'; readonly id: SecretRef; readonly secret: SecretRef; readonly baseDir: string };

/** An account as the feature knows it, whichever side defined it. */
interface AccountDef extends CloudAccountSettings {
  readonly enabled: boolean;
  readonly provisioned: boolean;
  readonly keys: KeySource;
}

interface Runtime {
  def: AccountDef;
  collector?: AccountCollector;
  status: CloudCollectorStatus | null;
  instances: readonly CloudInstance[];
  problem: string | null;
  keyIdHint: string | null;
  secretSet: boolean;
}

const READ_ONLY = (name: string) => new RpcError('provisioned', `${name} is defined in the provisioning file; change it there`);
const NOT_FOUND = (name: string) => new RpcError('not_found', `no cloud account named "${name}"`);
const MONTH_SECONDS = 30 * 86_400;

function emptyStatus(account: string, state: CloudStatusView['state'], detail?: string): CloudStatusView & { account: string } {
  return {
    account,
    state,
    ...(detail ? { stateDetail: detail } : {}),
    instances: 0,
    instancesByProduct: {},
    lastCycleStartedAt: null,
    lastCycleDurationMs: null,
    lastCycleCalls: null,
    lastCycleMinimumCalls: null,
    lastCycleDiscoveryCalls: null,
    lastCycleSamples: null,
    lastDiscoveryAt: null,
    collectedUntil: null,
    recentErrors: [],
    laggingSeries: 0,
    unavailableMetrics: [],
    namesProblems: [],
  };
}

/** A rough 95th percentile from a cumulative histogram: the first bucket bound reaching 95 %. */
function p95Ms(upperBounds: readonly number[], cumulative: readonly number[], count: number): number | null {
  if (count === 0) return null;
  const i = cumulative.findIndex((c) => c >= 0.95 * count);
  return Math.round((upperBounds[i >= 0 ? i : upperBounds.length - 1] ?? 0) * 1000);
}

export function createCloudsFeature(options: CloudsFeatureOptions): (ctx: CoreContext) => CoreFeature {
  return (ctx) => {
    const env = options.env ?? process.env;
    const shippedDir = options.shippedMappingsDir ?? findShippedMappingsDir();
    const userMappingsDir = path.join(ctx.dataDir, USER_MAPPINGS_DIR);
    const runtimes = new Map<string, Runtime>();
    let stored: StoredCloudAccount[] = [];
    let provisioned: ProvisionedCloudAccount[] = [];
    let provisionedBaseDir = process.cwd();
    let mappings: LoadedMappings = { products: [], problems: [], files: [] };
    let mappingStamp = '';
    let started = false;
    let stopping = false;
    let mappingTimer: NodeJS.Timeout | undefined;

    // ------------------------------------------------------------ mappings
    function readMappings(): boolean {
      const stamp = JSON.stringify([...mappingFilesIn(shippedDir), ...mappingFilesIn(userMappingsDir)]);
      if (stamp === mappingStamp) return false;
      mappingStamp = stamp;
      mappings = loadMappings({ shippedDir, userDir: userMappingsDir });
      for (const p of mappings.problems) ctx.log.warn(`cloud mappings ${p.file}${p.line ? `:${p.line}` : ''}: ${p.field ? `${p.field}: ` : ''}${p.message}`);
      for (const product of mappings.products) for (const m of product.metrics) options.latest.help.set(m.canonical, m.help);
      return true;
    }

    // ------------------------------------------------------------ definitions
    const defFromStored = (s: StoredCloudAccount): AccountDef => ({ ...s, provisioned: false, keys: { kind: 'store' } });
    const defFromProvisioned = (p: ProvisionedCloudAccount): AccountDef => {
      const { accessKeyId, accessKeySecret, ...rest } = p;
      return { ...rest, provisioned: true, keys: { kind: 'ref', id: accessKeyId, secret: accessKeySecret, baseDir: provisionedBaseDir } };
    };

    /** The keys, or why they cannot be had. Never logged. */
    async function keysOf(def: AccountDef): Promise<{ id: string; secret: string } | { problem: string }> {
      if (def.keys.kind === 'store') {
        try {
          const [id, secret] = await Promise.all([ctx.secrets.get(accessKeyIdRef(def.name)), ctx.secrets.get(accessKeySecretRef(def.name))]);
          if (!id || !secret) return { problem: `no keys are stored for ${def.name}; edit the account and enter them` };
          return { id, secret };
        } catch (err) {
          return { problem: `the stored keys of ${def.name} cannot be read: ${(err as Error).message}` };
        }
      }
      const id = resolveSecretRef(def.keys.id, { environment: env, baseDir: def.keys.baseDir });
      if ('problem' in id) return { problem: `access key id of ${def.name}: ${id.problem}` };
      const secret = resolveSecretRef(def.keys.secret, { environment: env, baseDir: def.keys.baseDir });
      if ('problem' in secret) return { problem: `access key secret of ${def.name}: ${secret.problem}` };
      return { id: id.value, secret: secret.value };
    }

    function configOf(def: AccountDef, keys: { id: string; secret: string }): CloudAccountConfig {
      const { enabled: _enabled, provisioned: _provisioned, keys: _keys, ...settings } = def;
      return { ...settings, accessKeyId: keys.id, accessKeySecret: keys.secret };
    }

    // ------------------------------------------------------------ samples
    function toStored(samples: readonly CloudSample[]): Sample[] {
      return samples.map((s) => ({
        name: s.metric,
        labels: { cloud: s.instance.provider, account: s.instance.account, region: s.instance.region, instance: s.instance.instanceId, product: s.instance.product, ...s.labels },
        t: s.t,
        v: s.value,
      }));
    }

    function onSamples(def: AccountDef, samples: readonly CloudSample[]): void {
      const rows = toStored(samples);
      options.latest.update(rows);
      // The store keeps these series' windows open as long as a backfill can reach back.
      const interval = def.intervalSeconds ?? def.periodSeconds ?? DEFAULT_PERIOD_SECONDS;
      const maxDelayMs = ((def.maxBackfillSeconds ?? DEFAULT_MAX_BACKFILL_SECONDS) + (def.delaySeconds ?? DEFAULT_DELAY_SECONDS[def.provider]) + 2 * interval) * 1000;
      const newest = rows.reduce((m, r) => Math.max(m, r.t), 0);
      void ctx.ingest(rows, { maxDelayMs }).then(() => {
        if (runtimes.get(def.name)?.def === def) ctx.emit('clouds/samples', { account: def.name, t: newest });
      });
    }

    // ------------------------------------------------------------ lifecycle of one account
    // Read on first use: ctx.dataDir is known once the feature starts.
    let progressBook: CloudProgress | undefined;
    const progress = () => (progressBook ??= new CloudProgress(ctx.dataDir, (message) => ctx.log.warn(`clouds: ${message}`)));
    const resumeOf = (def: AccountDef): { resumeFrom?: number } => {
      const from = progress().resumeFrom(def.name, def.provider);
      return from === undefined ? {} : { resumeFrom: from };
    };

    async function startRuntime(def: AccountDef): Promise<Runtime> {
      const rt: Runtime = { def, status: null, instances: [], problem: null, keyIdHint: null, secretSet: false };
      runtimes.set(def.name, rt);
      const keys = await keysOf(def);
      if ('problem' in keys) {
        rt.problem = keys.problem;
        ctx.log.warn(`cloud ${def.name}: not collecting: ${keys.problem}`);
        return rt;
      }
      rt.keyIdHint = accessKeyIdHint(keys.id);
      rt.secretSet = true;
      if (!def.enabled || stopping) return rt;
      const collector = new AccountCollector(
        {
          account: configOf(def, keys),
          mappings: mappings.products,
          stats: options.stats,
          now: ctx.now,
          ...resumeOf(def),
          onSamples: (samples) => onSamples(def, samples),
          onInstances: (instances) => {
            rt.instances = instances;
            options.latest.setInstances(def.name, instances.map((i) => ({ cloud: i.provider, account: i.account, region: i.region, product: i.product, instance: i.instanceId, ...(i.name ? { name: i.name } : {}) })));
            announce();
          },
          onStatus: (status) => {
            const previous = rt.status?.state;
            rt.status = status;
            progress().record(def.name, def.provider, status.collectedUntil);
            if (status.state === 'error' && previous !== 'error') ctx.log.warn(`cloud ${def.name}: ${status.stateDetail ?? 'errors'}`);
            else if (previous === 'error' && status.state === 'idle') ctx.log.info(`cloud ${def.name}: collecting again`);
            announce();
          },
        },
        options.tuning,
      );
      rt.collector = collector;
      collector.start();
      ctx.log.info(`cloud ${def.name}: collecting ${def.provider} in ${def.regions.join(', ')}`);
      return rt;
    }

    async function stopRuntime(name: string, forget: boolean): Promise<void> {
      const rt = runtimes.get(name);
      if (!rt) return;
      runtimes.delete(name);
      await rt.collector?.stop();
      if (forget) {
        progress().forget(name);
        options.stats.forget(rt.def.provider, name);
        options.latest.forgetAccount(name);
      }
    }

    // ------------------------------------------------------------ reconciling definitions and runtimes
    const allDefs = (): AccountDef[] => {
      const out = new Map<string, AccountDef>();
      for (const s of stored) out.set(s.name, defFromStored(s));
      for (const p of provisioned) {
        if (out.has(p.name)) {
          ctx.log.warn(`config clouds: ${p.name} is also an account added in the UI; the provisioning file's entry is left out until one is renamed`);
          continue;
        }
        out.set(p.name, defFromProvisioned(p));
      }
      return [...out.values()];
    };

    /** Starts, stops and restarts collectors to match the definitions; `restart` forces some (or all) to start afresh. */
    async function reconcile(restart: ReadonlySet<string> | 'all'): Promise<void> {
      const desired = new Map(allDefs().map((d) => [d.name, d]));
      for (const name of [...runtimes.keys()]) if (!desired.has(name)) await stopRuntime(name, true);
      for (const [name, def] of desired) {
        const rt = runtimes.get(name);
        const forced = restart === 'all' || restart.has(name);
        if (rt && !forced && JSON.stringify(rt.def) === JSON.stringify(def)) continue;
        if (rt) await stopRuntime(name, false);
        if (!stopping) await startRuntime(def);
      }
      announce();
    }

    let queue: Promise<void> = Promise.resolve();
    const enqueue = (restart: ReadonlySet<string> | 'all' = new Set()): Promise<void> => {
      queue = queue.then(() => reconcile(restart)).catch((err) => ctx.log.error('could not apply the cloud accounts', { error: (err as Error).message }));
      return queue;
    };

    // ------------------------------------------------------------ views
    function apisOf(rt: Runtime): CloudApiView[] {
      const seen = options.stats.snapshot().filter((a) => a.cloud === rt.def.provider && a.account === rt.def.name);
      const apis = new Set([...Object.keys(API_QUOTAS[rt.def.provider]), ...seen.map((a) => a.api)]);
      return [...apis].map((api) => {
        const s = seen.find((a) => a.api === api);
        const limit = rt.def.limits?.[api] ?? defaultLimit(rt.def.provider, api);
        return {
          api,
          calls: s?.calls ?? 0,
          throttles: s?.throttles ?? 0,
          errorsByCode: { ...(s?.errorsByCode ?? {}) },
          latencyMeanMs: s && s.latency.count ? Math.round((s.latency.sumSeconds / s.latency.count) * 1000) : null,
          latencyP95Ms: s ? p95Ms(s.latency.upperBounds, s.latency.cumulativeCounts, s.latency.count) : null,
          ratePerSecond: limit.ratePerSecond,
          burst: limit.burst,
          publishedPerSecond: API_QUOTAS[rt.def.provider][api]?.publishedPerSecond ?? null,
        };
      });
    }

    function viewOf(rt: Runtime): CloudAccountView {
      const d = rt.def;
      const period = d.periodSeconds ?? DEFAULT_PERIOD_SECONDS;
      const interval = d.intervalSeconds ?? period;
      const status: CloudStatusView = !d.enabled
        ? emptyStatus(d.name, 'paused')
        : rt.problem
          ? emptyStatus(d.name, 'error', rt.problem)
          : rt.status
            ? {
                ...rt.status,
                recentErrors: rt.status.recentErrors.map((e) => ({ ...e })),
                unavailableMetrics: [...rt.status.unavailableMetrics],
                instancesByProduct: { ...rt.status.instancesByProduct },
                namesProblems: rt.status.namesProblems.map((p) => ({ ...p })),
              }
            : emptyStatus(d.name, 'starting');
      const minimum = rt.status?.lastCycleMinimumCalls;
      const free = FREE_MONTHLY_CALLS[d.provider];
      return {
        name: d.name,
        provider: d.provider,
        regions: [...d.regions],
        projectIds: { ...(d.projectIds ?? {}) },
        endpoint: d.endpoint ?? null,
        accessKeyIdHint: rt.keyIdHint,
        secretSet: rt.secretSet,
        periodSeconds: period,
        intervalSeconds: interval,
        delaySeconds: d.delaySeconds ?? DEFAULT_DELAY_SECONDS[d.provider],
        products: d.products ? [...d.products] : null,
        enabled: d.enabled,
        provisioned: d.provisioned,
        problem: rt.problem,
        status,
        apis: apisOf(rt),
        projectedMonthlyCalls: minimum === null || minimum === undefined ? null : Math.round((minimum * MONTH_SECONDS) / interval),
        freeMonthlyCalls: free?.calls ?? null,
      };
    }

    const views = (): CloudAccountView[] => [...runtimes.values()].sort((a, b) => a.def.name.localeCompare(b.def.name)).map(viewOf);

    // Status changes come in bursts (every call of a cycle may report): tell the UI at most twice a second.
    let announceTimer: NodeJS.Timeout | undefined;
    function announce(): void {
      if (announceTimer || !started) return;
      announceTimer = setTimeout(() => {
        announceTimer = undefined;
        ctx.emit('clouds/changed', views());
      }, 500);
      announceTimer.unref?.();
    }

    function summaryNames(provider: CloudProvider, product: string): Map<string, string> {
      const out = new Map<string, string>();
      const p = mappings.products.find((m) => m.provider === provider && m.product === product);
      for (const m of p?.metrics ?? []) if (m.summary) out.set(m.summary, m.canonical);
      return out;
    }

    function instanceRows(account?: string): CloudInstanceRow[] {
      const rows: CloudInstanceRow[] = [];
      const summaries = new Map<string, Map<string, string>>();
      for (const rt of runtimes.values()) {
        if (account !== undefined && rt.def.name !== account) continue;
        for (const i of rt.instances) {
          const sk = `${i.provider}/${i.product}`;
          if (!summaries.has(sk)) summaries.set(sk, summaryNames(i.provider, i.product));
          const names = summaries.get(sk)!;
          const values = options.latest.ofInstance(cloudInstanceKey(i.account, i.region, i.product, i.instanceId));
          const pick = (key: string) => values.filter((v) => v.name === names.get(key));
          const single = (key: string) => pick(key).sort((a, b) => b.t - a.t)[0]?.value ?? null;
          const disks = pick('disk').sort((a, b) => b.value - a.value);
          const fullest = disks[0];
          const diskLabel = fullest ? (Object.entries(fullest.labels).find(([k]) => !['cloud', 'account', 'region', 'instance', 'product'].includes(k))?.[1] ?? null) : null;
          rows.push({
            account: i.account,
            provider: i.provider,
            region: i.region,
            product: i.product,
            instanceId: i.instanceId,
            name: i.name ?? null,
            ...(i.privateIp ? { privateIp: i.privateIp } : {}),
            ...(i.instanceType ? { instanceType: i.instanceType } : {}),
            ...(i.status ? { status: i.status } : {}),
            cpu: single('cpu'),
            memory: single('memory'),
            disk: fullest?.value ?? null,
            diskLabel,
            networkRx: single('network_receive'),
            networkTx: single('network_transmit'),
            lastT: values.length ? Math.max(...values.map((v) => v.t)) : null,
          });
        }
      }
      return rows;
    }

    function mappingsView(): CloudMappingsView {
      return {
        files: mappings.files.map((f) => ({ ...f })),
        problems: mappings.problems.map((p) => ({ ...p })),
        userDir: userMappingsDir,
        products: mappings.products.map((p: CloudProductMapping) => ({
          provider: p.provider,
          product: p.product,
          title: p.title,
          metrics: p.metrics.map((m) => ({ canonical: m.canonical, namespace: m.namespace, metric: m.metric, statistic: m.statistic, scale: m.scale, summary: m.summary ?? null })),
        })),
      };
    }

    // ------------------------------------------------------------ handlers
    function uiAccount(name: string): Runtime {
      const rt = runtimes.get(name);
      if (!rt) throw NOT_FOUND(name);
      if (rt.def.provisioned) throw READ_ONLY(name);
      return rt;
    }

    function storedFromDraft(draft: CloudAccountDraft): StoredCloudAccount {
      return {
        name: draft.name,
        provider: draft.provider,
        regions: [...draft.regions],
        ...(draft.provider === 'huawei' && draft.projectIds ? { projectIds: { ...draft.projectIds } } : {}),
        ...(draft.endpoint ? { endpoint: draft.endpoint } : {}),
        ...(draft.periodSeconds ? { periodSeconds: draft.periodSeconds } : {}),
        ...(draft.intervalSeconds ? { intervalSeconds: draft.intervalSeconds } : {}),
        ...(draft.delaySeconds !== undefined ? { delaySeconds: draft.delaySeconds } : {}),
        ...(draft.products?.length ? { products: [...draft.products] } : {}),
        ...(draft.limits ? { limits: { ...draft.limits } } : {}),
        enabled: draft.enabled,
      };
    }

    function checkLimits(draft: CloudAccountDraft): void {
      const known = Object.keys(API_QUOTAS[draft.provider]);
      const unknown = Object.keys(draft.limits ?? {}).filter((api) => !known.includes(api));
      if (unknown.length) throw new RpcError('invalid_input', `${draft.provider} calls ${known.join(', ')}; no API named ${unknown.join(', ')}`);
    }

    const viewAfterApply = async (name: string): Promise<CloudAccountView> => {
      await queue;
      const rt = runtimes.get(name);
      if (!rt) throw NOT_FOUND(name);
      return viewOf(rt);
    };

    const handlers: Partial<Handlers> = {
      'clouds/list': () => views(),
      'clouds/add': async (draft) => {
        if (runtimes.has(draft.name) || stored.some((s) => s.name === draft.name) || provisioned.some((p) => p.name === draft.name)) {
          throw new RpcError('invalid_input', `an account named "${draft.name}" already exists`);
        }
        if (!draft.accessKeyId || !draft.accessKeySecret) throw new RpcError('invalid_input', 'enter the key id and its secret');
        checkLimits(draft);
        await ctx.secrets.set(accessKeyIdRef(draft.name), draft.accessKeyId);
        await ctx.secrets.set(accessKeySecretRef(draft.name), draft.accessKeySecret);
        stored = [...stored, storedFromDraft(draft)];
        saveStoredAccounts(ctx.dataDir, stored);
        ctx.log.info(`cloud ${draft.name}: added (${draft.provider}, ${draft.regions.join(', ')})`);
        void enqueue();
        return viewAfterApply(draft.name);
      },
      'clouds/update': async ({ account, draft }) => {
        uiAccount(account);
        if (draft.name !== account) throw new RpcError('invalid_input', 'an account cannot be renamed (its name labels its history); remove it and add it again under the new name');
        checkLimits(draft);
        if (draft.accessKeyId) await ctx.secrets.set(accessKeyIdRef(account), draft.accessKeyId);
        if (draft.accessKeySecret) await ctx.secrets.set(accessKeySecretRef(account), draft.accessKeySecret);
        stored = stored.map((s) => (s.name === account ? storedFromDraft(draft) : s));
        saveStoredAccounts(ctx.dataDir, stored);
        // Keys changed in the store do not change the definition: restart this account either way.
        void enqueue(new Set([account]));
        return viewAfterApply(account);
      },
      'clouds/remove': async ({ account }) => {
        uiAccount(account);
        stored = stored.filter((s) => s.name !== account);
        saveStoredAccounts(ctx.dataDir, stored);
        await enqueue();
        await ctx.secrets.delete(accessKeyIdRef(account));
        await ctx.secrets.delete(accessKeySecretRef(account));
        ctx.log.info(`cloud ${account}: removed`);
        return true;
      },
      'clouds/set-enabled': async ({ account, enabled }) => {
        uiAccount(account);
        stored = stored.map((s) => (s.name === account ? { ...s, enabled } : s));
        saveStoredAccounts(ctx.dataDir, stored);
        void enqueue();
        ctx.log.info(`cloud ${account}: ${enabled ? 'resumed' : 'paused'}`);
        return viewAfterApply(account);
      },
      'clouds/test': async (draft): Promise<CloudTestView> => {
        checkLimits(draft);
        let keys: { id: string; secret: string } | { problem: string };
        const existing = runtimes.get(draft.name);
        if (draft.accessKeyId && draft.accessKeySecret) keys = { id: draft.accessKeyId, secret: draft.accessKeySecret };
        else if (existing) {
          const stored = await keysOf(existing.def);
          keys = 'problem' in stored ? stored : { id: draft.accessKeyId ?? stored.id, secret: draft.accessKeySecret ?? stored.secret };
        } else keys = { problem: 'enter the key id and its secret' };
        if ('problem' in keys) return { ok: false, kind: 'config', message: keys.problem, instances: [] };
        const def = existing?.def.provisioned ? existing.def : defFromStored(storedFromDraft(draft));
        const result = await testCloudAccount(configOf(def, keys), mappings.products, options.stats);
        return { ok: result.ok, ...(result.kind ? { kind: result.kind } : {}), ...(result.code ? { code: result.code } : {}), message: result.message, instances: [...(result.instances ?? [])], ...(result.namesDenied ? { namesDenied: { ...result.namesDenied } } : {}) };
      },
      'clouds/instances': ({ account }) => {
        if (account !== undefined && !runtimes.has(account)) throw NOT_FOUND(account);
        return instanceRows(account);
      },
      'clouds/mappings': () => mappingsView(),
    };

    return {
      name: 'clouds',
      handlers,
      provisioning: [cloudsSection],
      async start() {
        readMappings();
        const load = loadStoredAccounts(ctx.dataDir);
        for (const p of load.problems) ctx.log.error(p);
        stored = load.accounts;
        started = true;
        mappingTimer = setInterval(() => {
          try {
            if (readMappings()) {
              ctx.log.info('cloud mappings changed; collectors restart with them');
              void enqueue('all');
            }
          } catch (err) {
            ctx.log.error('could not read the cloud mappings', { error: (err as Error).message });
          }
        }, options.mappingsPollMs ?? 5000);
        mappingTimer.unref();
        await enqueue();
      },
      onProvisioning(result) {
        if (!result.config) return;
        provisioned = [...sectionOf(result.config, cloudsSection)];
        provisionedBaseDir = result.config.baseDir;
        if (started) void enqueue();
      },
      async stop() {
        stopping = true;
        if (mappingTimer) clearInterval(mappingTimer);
        if (announceTimer) clearTimeout(announceTimer);
        await queue;
        await Promise.all([...runtimes.keys()].map((name) => stopRuntime(name, false)));
      },
    };
  };
}

