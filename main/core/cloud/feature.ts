// Cloud accounts as a feature of the core: accounts added in the UI (kept in
// <dataDir>/clouds.json, keys in the secret store) and accounts from the
// provisioning file's `clouds:` section (keys by reference, read-only in the
// UI), one managed set of definitions (accountDefinitions.ts), each collected
// by an AccountCollector. Datapoints are stored under their canonical names
// with cloud/account/region/instance/product labels (ctx.ingest with the
// lateness a backfill needs); the newest values feed the overview, the
// account screen and /metrics (exposition.ts). Mappings come from
// resources/cloud-mappings plus <dataDir>/cloud-mappings, re-read when a file
// changes.
import path from 'node:path';
import { accessKeyIdHint, type CloudAccountView, type CloudTestView } from '../../common/clouds.js';
import { RpcError, type Handlers } from '../../common/contract.js';
import type { Sample } from '../../common/series.js';
import { sectionOf } from '../config/provisioning.js';
import { resolveSecretRef } from '../config/secretRef.js';
import type { CoreContext, CoreFeature } from '../coreContext.js';
import { ManagedSet } from '../managed/managedSet.js';
import { checkLimits, configOf, defFromProvisioned, defFromStored, storedFromDraft, type AccountDef } from './accountDefinitions.js';
import { accessKeyIdRef, accessKeySecretRef, accountsFile, type StoredCloudAccount } from './accountsFile.js';
import { accountView, instanceRows, mappingsView, type AccountRuntime } from './accountViews.js';
import { CloudApiStats } from './apiStats.js';
import { cloudsSection, type ProvisionedCloudAccount } from './cloudsSection.js';
import { checkCloudAccount } from './collector/accountCheck.js';
import { AccountCollector, type CollectorTuning } from './collector/cloudCollector.js';
import { DEFAULT_DELAY_SECONDS, DEFAULT_MAX_BACKFILL_SECONDS, DEFAULT_PERIOD_SECONDS } from './collector/defaults.js';
import type { CloudSample } from './collector/types.js';
import { cloudExposition } from './exposition.js';
import { CloudLatestValues } from './latestValues.js';
import { CloudProgress } from './progressFile.js';
import { findShippedMappingsDir, loadMappings, mappingFilesIn, USER_MAPPINGS_DIR, type LoadedMappings } from './mappings/loadMappings.js';

export interface CloudsFeatureOptions {
  /** Calls, throttles, errors, latency, cycles (tests read it; by default the feature's own). */
  readonly stats?: CloudApiStats;
  /** The newest value of every cloud series (tests read it; by default the feature's own). */
  readonly latest?: CloudLatestValues;
  /** Where the provisioning file's `_env` keys are read (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  readonly shippedMappingsDir?: string;
  /** How often the mapping directories are checked for changed files (default 5 s). */
  readonly mappingsPollMs?: number;
  /** Retry and concurrency settings of the collectors (tests). */
  readonly tuning?: CollectorTuning;
}

interface Runtime extends AccountRuntime {
  collector?: AccountCollector;
}

const NOT_FOUND = (name: string) => new RpcError('not_found', `no cloud account named "${name}"`);

export function createCloudsFeature(options: CloudsFeatureOptions = {}): (ctx: CoreContext) => CoreFeature {
  return (ctx) => {
    const env = options.env ?? process.env;
    const stats = options.stats ?? new CloudApiStats();
    const latest = options.latest ?? new CloudLatestValues();
    const shippedDir = options.shippedMappingsDir ?? findShippedMappingsDir();
    const userMappingsDir = path.join(ctx.dataDir, USER_MAPPINGS_DIR);
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
      for (const product of mappings.products) for (const m of product.metrics) latest.help.set(m.canonical, m.help);
      return true;
    }

    // ------------------------------------------------------------ keys and samples
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
      latest.update(rows);
      // The store keeps these series' windows open as long as a backfill can reach back.
      const interval = def.intervalSeconds ?? def.periodSeconds ?? DEFAULT_PERIOD_SECONDS;
      const maxDelayMs = ((def.maxBackfillSeconds ?? DEFAULT_MAX_BACKFILL_SECONDS) + (def.delaySeconds ?? DEFAULT_DELAY_SECONDS[def.provider]) + 2 * interval) * 1000;
      const newest = rows.reduce((m, r) => Math.max(m, r.t), 0);
      void ctx.ingest(rows, { maxDelayMs }).then(() => {
        if (accounts.runtime(def.name)?.def === def) ctx.emit('clouds/samples', { account: def.name, t: newest });
      });
    }

    // ------------------------------------------------------------ one account's collector
    // Read on first use: ctx.dataDir is known once the feature starts.
    let progressBook: CloudProgress | undefined;
    const progress = () => (progressBook ??= new CloudProgress(ctx.dataDir, (message) => ctx.log.warn(`clouds: ${message}`)));
    const resumeOf = (def: AccountDef): { resumeFrom?: number } => {
      const from = progress().resumeFrom(def.name, def.provider);
      return from === undefined ? {} : { resumeFrom: from };
    };

    async function startRuntime(def: AccountDef): Promise<Runtime> {
      const rt: Runtime = { def, status: null, instances: [], problem: null, keyIdHint: null, secretSet: false };
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
          stats,
          now: ctx.now,
          ...resumeOf(def),
          onSamples: (samples) => onSamples(def, samples),
          onInstances: (instances) => {
            rt.instances = instances;
            latest.setInstances(def.name, instances.map((i) => ({ cloud: i.provider, account: i.account, region: i.region, product: i.product, instance: i.instanceId, ...(i.name ? { name: i.name } : {}) })));
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

    const accounts: ManagedSet<StoredCloudAccount, ProvisionedCloudAccount, AccountDef, Runtime> = new ManagedSet({
      what: 'cloud account',
      section: 'clouds',
      dataDir: ctx.dataDir,
      file: accountsFile,
      log: ctx.log,
      fromStored: defFromStored,
      fromProvisioned: defFromProvisioned,
      start: startRuntime,
      async stop({ def, runtime }, { forget }) {
        await runtime.collector?.stop();
        if (forget) {
          progress().forget(def.name);
          stats.forget(def.provider, def.name);
          latest.forgetAccount(def.name);
        }
      },
    });

    const reconcile = async (restart?: ReadonlySet<string> | 'all') => {
      await accounts.reconcile(restart);
      announce();
    };

    // ------------------------------------------------------------ views
    const runtimes = () => accounts.entries().map((e) => e.runtime);
    const views = (): CloudAccountView[] =>
      runtimes()
        .sort((a, b) => a.def.name.localeCompare(b.def.name))
        .map((rt) => accountView(rt, stats));

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

    const viewAfterApply = async (name: string): Promise<CloudAccountView> => {
      await accounts.reconcile();
      const rt = accounts.runtime(name);
      if (!rt) throw NOT_FOUND(name);
      return accountView(rt, stats);
    };

    /**
     * Stored keys sign requests only for the address they were stored with:
     * the provider, its regions and the endpoint. A draft that changes any of
     * them must carry the key id and secret again, or a caller could have the
     * console sign for a listener of its choosing with keys it never saw.
     */
    function keysStayWithTheirAddress(stored: AccountDef, draft: { provider: string; regions: readonly string[]; endpoint?: string | undefined }): void {
      const changed: string[] = [];
      if (draft.provider !== stored.provider) changed.push('provider');
      if ((draft.endpoint || undefined) !== (stored.endpoint || undefined)) changed.push('endpoint');
      if ([...draft.regions].sort().join('\n') !== [...stored.regions].sort().join('\n')) changed.push('regions');
      if (changed.length === 0) return;
      throw new RpcError(
        'invalid_input',
        `the ${changed.join(', ')} differ from what ${stored.name}'s keys were stored for; stored keys are only sent there, so enter the key id and secret again`,
      );
    }

    // ------------------------------------------------------------ handlers
    const handlers: Partial<Handlers> = {
      'clouds/list': () => views(),
      'clouds/add': async (draft) => {
        if (accounts.has(draft.name)) throw new RpcError('invalid_input', `an account named "${draft.name}" already exists`);
        if (!draft.accessKeyId || !draft.accessKeySecret) throw new RpcError('invalid_input', 'enter the key id and its secret');
        checkLimits(draft);
        await ctx.secrets.set(accessKeyIdRef(draft.name), draft.accessKeyId);
        await ctx.secrets.set(accessKeySecretRef(draft.name), draft.accessKeySecret);
        accounts.setStored([...accounts.stored, storedFromDraft(draft)]);
        ctx.log.info(`cloud ${draft.name}: added (${draft.provider}, ${draft.regions.join(', ')})`);
        void reconcile();
        return viewAfterApply(draft.name);
      },
      'clouds/update': async ({ account, draft }) => {
        accounts.editable(account, () => NOT_FOUND(account));
        if (draft.name !== account) throw new RpcError('invalid_input', 'an account cannot be renamed (its name labels its history); remove it and add it again under the new name');
        checkLimits(draft);
        if (!draft.accessKeyId || !draft.accessKeySecret) keysStayWithTheirAddress(accounts.runtime(account)!.def, draft);
        if (draft.accessKeyId) await ctx.secrets.set(accessKeyIdRef(account), draft.accessKeyId);
        if (draft.accessKeySecret) await ctx.secrets.set(accessKeySecretRef(account), draft.accessKeySecret);
        accounts.setStored(accounts.stored.map((s) => (s.name === account ? storedFromDraft(draft) : s)));
        // Keys changed in the store do not change the definition: restart this account either way.
        void reconcile(new Set([account]));
        return viewAfterApply(account);
      },
      'clouds/remove': async ({ account }) => {
        accounts.editable(account, () => NOT_FOUND(account));
        accounts.setStored(accounts.stored.filter((s) => s.name !== account));
        await reconcile();
        await ctx.secrets.delete(accessKeyIdRef(account));
        await ctx.secrets.delete(accessKeySecretRef(account));
        ctx.log.info(`cloud ${account}: removed`);
        return true;
      },
      'clouds/set-enabled': async ({ account, enabled }) => {
        accounts.editable(account, () => NOT_FOUND(account));
        accounts.setStored(accounts.stored.map((s) => (s.name === account ? { ...s, enabled } : s)));
        void reconcile();
        ctx.log.info(`cloud ${account}: ${enabled ? 'resumed' : 'paused'}`);
        return viewAfterApply(account);
      },
      'clouds/test': async (draft): Promise<CloudTestView> => {
        checkLimits(draft);
        let keys: { id: string; secret: string } | { problem: string };
        const existing = accounts.runtime(draft.name);
        if (draft.accessKeyId && draft.accessKeySecret) keys = { id: draft.accessKeyId, secret: draft.accessKeySecret };
        else if (existing) {
          if (!existing.def.provisioned) keysStayWithTheirAddress(existing.def, draft);
          const stored = await keysOf(existing.def);
          keys = 'problem' in stored ? stored : { id: draft.accessKeyId ?? stored.id, secret: draft.accessKeySecret ?? stored.secret };
        } else keys = { problem: 'enter the key id and its secret' };
        if ('problem' in keys) return { ok: false, kind: 'config', message: keys.problem, instances: [] };
        const def = existing?.def.provisioned ? existing.def : defFromStored(storedFromDraft(draft));
        const result = await checkCloudAccount(configOf(def, keys), mappings.products, stats);
        return { ok: result.ok, ...(result.kind ? { kind: result.kind } : {}), ...(result.code ? { code: result.code } : {}), message: result.message, instances: [...(result.instances ?? [])], ...(result.namesDenied ? { namesDenied: { ...result.namesDenied } } : {}) };
      },
      'clouds/instances': ({ account }) => {
        if (account !== undefined && !accounts.runtime(account)) throw NOT_FOUND(account);
        return instanceRows(runtimes(), mappings, latest, account);
      },
      'clouds/mappings': () => mappingsView(mappings, userMappingsDir),
    };

    return {
      name: 'clouds',
      handlers,
      provisioning: [cloudsSection],
      exposition: (request) => cloudExposition(latest, stats.snapshot(), stats.cycleSnapshot(), request),
      async start() {
        readMappings();
        accounts.load();
        started = true;
        mappingTimer = setInterval(() => {
          try {
            if (readMappings()) {
              ctx.log.info('cloud mappings changed; collectors restart with them');
              void reconcile('all');
            }
          } catch (err) {
            ctx.log.error('could not read the cloud mappings', { error: (err as Error).message });
          }
        }, options.mappingsPollMs ?? 5000);
        mappingTimer.unref();
        await reconcile();
      },
      onProvisioning(result) {
        if (!result.config) return;
        accounts.setProvisioned(sectionOf(result.config, cloudsSection), result.config.baseDir);
        if (started) void reconcile();
      },
      async stop() {
        stopping = true;
        if (mappingTimer) clearInterval(mappingTimer);
        if (announceTimer) clearTimeout(announceTimer);
        await accounts.stop();
      },
    };
  };
}
