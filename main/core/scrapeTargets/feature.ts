// Hosts watched through their node_exporter (and optionally cAdvisor) as a
// feature of the core: targets added in the UI (kept in
// <dataDir>/targets.json, a token or password in the secret store) and
// entries of the provisioning file's `hosts:` that name a `node_exporter:`
// URL (read-only, hot-reloaded), one managed set of definitions, each
// scraped by a ScrapeHostSource. Their observations take the same path as
// an SSH host's: derivation, the store, alerts, Top-K, /metrics.
import fs from 'node:fs/promises';
import { RpcError, type Handlers, type Host, type HostStatus } from '../../common/contract.js';
import type { TargetDraft, TargetTestView } from '../../common/promHosts.js';
import { resolveSecretRef } from '../config/secretRef.js';
import { sectionOf } from '../config/provisioning.js';
import type { CoreContext, CoreFeature } from '../coreContext.js';
import { ManagedSet } from '../managed/managedSet.js';
import type { HostSource, SourceEvents } from '../model/hostSource.js';
import { observationFromSamples } from '../prometheus/hostObservation.js';
import { DEFAULT_SCRAPE_MAX_BYTES, ScrapeHostSource, scrapeExposition, scrapeTimeoutMs, type ScrapeCredentials } from '../sources/scrape/scrapeHostSource.js';
import { defFromProvisioned, defFromStored, definitionView, displayUrl, hostOf, storedFromDraft, type SecretSource, type TargetDef } from './targetDefinitions.js';
import { targetPasswordRef, targetsFile, targetTokenRef, type StoredTarget } from './targetsFile.js';
import { targetsSection, type ProvisionedTarget } from './targetsSection.js';

export interface ScrapeTargetsFeatureOptions {
  /** The provisioning file's `*_env` secrets are read here (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

// A CA bundle is a few KiB; a file far larger is a wrong path.
const MAX_CA_FILE_BYTES = 1024 * 1024;

const NOT_TARGET = (id: string) => new RpcError('not_found', `no node_exporter target named "${id}"`);

/** A disabled target: says `paused` and does nothing else. */
class PausedSource implements HostSource {
  start(events: SourceEvents): void {
    events.status('paused');
  }
  async stop(): Promise<void> {}
}

export function createScrapeTargetsFeature(options: ScrapeTargetsFeatureOptions = {}) {
  return (ctx: CoreContext): CoreFeature => {
    const env = options.env ?? process.env;

    async function secretOf(source: SecretSource, what: string): Promise<{ ok: true; value: string } | { ok: false; message: string }> {
      if ('store' in source) {
        const value = await ctx.secrets.get(source.store).catch(() => undefined);
        return value === undefined ? { ok: false, message: `the ${what} is missing from the secret store; enter it again` } : { ok: true, value };
      }
      const r = resolveSecretRef(source.ref, { baseDir: source.baseDir, environment: env });
      return 'problem' in r ? { ok: false, message: `${what}: ${r.problem}` } : { ok: true, value: r.value };
    }

    async function readCa(file: string): Promise<{ ok: true; value: string } | { ok: false; message: string }> {
      try {
        const stat = await fs.stat(file);
        if (!stat.isFile()) return { ok: false, message: `CA file ${file} is not a regular file` };
        if (stat.size > MAX_CA_FILE_BYTES) return { ok: false, message: `CA file ${file} is larger than 1 MiB; is it the right file?` };
        const text = await fs.readFile(file, 'utf8');
        if (!text.includes('-----BEGIN CERTIFICATE-----')) return { ok: false, message: `CA file ${file} holds no PEM certificate` };
        return { ok: true, value: text };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        return { ok: false, message: code === 'ENOENT' ? `CA file ${file} does not exist` : `CA file ${file} cannot be read (${code ?? 'error'})` };
      }
    }

    /** The secrets and CA a definition needs, overrides (a test's typed-in secret) first. Never logged. */
    async function credentialsOf(def: TargetDef, override?: string): Promise<{ ok: true; value: ScrapeCredentials } | { ok: false; status: 'auth_failed' | 'offline'; message: string }> {
      let value: ScrapeCredentials = {};
      if (def.auth.type === 'bearer') {
        const token = override !== undefined ? { ok: true as const, value: override } : await secretOf(def.auth.token, 'scrape token');
        if (!token.ok) return { ok: false, status: 'auth_failed', message: token.message };
        value = { bearerToken: token.value };
      } else if (def.auth.type === 'basic') {
        const password = override !== undefined ? { ok: true as const, value: override } : await secretOf(def.auth.password, 'basic auth password');
        if (!password.ok) return { ok: false, status: 'auth_failed', message: password.message };
        value = { basicAuth: { username: def.auth.username, password: password.value } };
      }
      if (def.caFile) {
        const ca = await readCa(def.caFile);
        if (!ca.ok) return { ok: false, status: 'offline', message: ca.message };
        value = { ...value, ca: ca.value };
      }
      return { ok: true, value };
    }

    function makeSource(def: TargetDef): HostSource {
      if (!def.enabled) return new PausedSource();
      return new ScrapeHostSource({
        nodeExporterUrl: def.nodeExporter,
        ...(def.cadvisor ? { cadvisorUrl: def.cadvisor } : {}),
        intervalMs: def.intervalMs ?? ctx.settings().pollIntervalMs,
        credentials: () => credentialsOf(def),
        now: ctx.now,
      });
    }

    const targets: ManagedSet<StoredTarget, ProvisionedTarget, TargetDef, HostSource> = new ManagedSet({
      what: 'node_exporter target',
      section: 'hosts',
      dataDir: ctx.dataDir,
      file: targetsFile,
      log: ctx.log,
      fromStored: defFromStored,
      fromProvisioned: defFromProvisioned,
      start: (def) => {
        const source = makeSource(def);
        ctx.addHost(hostOf(def, ctx.settings().pollIntervalMs), source);
        return source;
      },
      restart: async (def) => {
        const source = makeSource(def);
        await ctx.replaceHost(hostOf(def, ctx.settings().pollIntervalMs), source);
        return source;
      },
      stop: async ({ def }, { forget }) => {
        if (forget) await ctx.removeHost(def.name);
      },
    });

    const currentHost = (id: string): Host => {
      const view = ctx.host(id);
      if (!view) throw NOT_TARGET(id);
      return view.host;
    };
    const nameTaken = (name: string) => ctx.host(name) !== undefined || targets.has(name);

    /** Stores (or clears) the draft's secret; a secret absent from the draft keeps the stored one. */
    async function storeSecrets(draft: TargetDraft, isNew: boolean): Promise<void> {
      const name = draft.name;
      if (draft.auth.type === 'bearer') {
        if (draft.auth.token !== undefined) await ctx.secrets.set(targetTokenRef(name), draft.auth.token);
        else if (isNew || (await ctx.secrets.get(targetTokenRef(name))) === undefined) throw new RpcError('invalid_input', 'enter the token');
      } else await ctx.secrets.delete(targetTokenRef(name));
      if (draft.auth.type === 'basic') {
        if (draft.auth.password !== undefined) await ctx.secrets.set(targetPasswordRef(name), draft.auth.password);
        else if (isNew || (await ctx.secrets.get(targetPasswordRef(name))) === undefined) throw new RpcError('invalid_input', 'enter the password');
      } else await ctx.secrets.delete(targetPasswordRef(name));
    }

    let started = false;

    const handlers: Partial<Handlers> = {
      'targets/add': async (draft) => {
        if (nameTaken(draft.name)) throw new RpcError('invalid_input', `a host named "${draft.name}" already exists`);
        await storeSecrets(draft, true);
        targets.setStored([...targets.stored, storedFromDraft(draft)]);
        await targets.reconcile();
        ctx.log.info(`host ${draft.name}: added (node_exporter ${displayUrl(draft.nodeExporter)}${draft.cadvisor ? `, cAdvisor ${displayUrl(draft.cadvisor)}` : ''})`);
        return currentHost(draft.name);
      },
      'targets/update': async ({ hostId, draft }) => {
        targets.editable(hostId, () => NOT_TARGET(hostId));
        if (draft.name !== hostId) throw new RpcError('invalid_input', 'a host cannot be renamed (its name labels its history); remove it and add it again under the new name');
        await storeSecrets(draft, false);
        const s = storedFromDraft(draft);
        targets.setStored(targets.stored.map((x) => (x.name === hostId ? s : x)));
        await targets.reconcile(new Set([hostId]));
        return currentHost(hostId);
      },
      'targets/remove': async ({ hostId }) => {
        targets.editable(hostId, () => NOT_TARGET(hostId));
        targets.setStored(targets.stored.filter((s) => s.name !== hostId));
        await targets.reconcile();
        await ctx.secrets.delete(targetTokenRef(hostId));
        await ctx.secrets.delete(targetPasswordRef(hostId));
        ctx.log.info(`host ${hostId}: removed`);
        return true;
      },
      'targets/set-enabled': async ({ hostId, enabled }) => {
        const { def } = targets.editable(hostId, () => NOT_TARGET(hostId));
        if (def.enabled !== enabled) {
          targets.setStored(targets.stored.map((x) => (x.name === hostId ? { ...x, enabled } : x)));
          await targets.reconcile();
          ctx.log.info(`host ${hostId}: ${enabled ? 'resumed' : 'paused'}`);
        }
        return currentHost(hostId);
      },
      'targets/definition': async ({ hostId }) => {
        const def = targets.definition(hostId);
        if (!def || !targets.runtime(hostId)) throw NOT_TARGET(hostId);
        const secret = def.auth.type === 'bearer' ? def.auth.token : def.auth.type === 'basic' ? def.auth.password : undefined;
        const secretSet = secret === undefined ? false : 'store' in secret ? (await ctx.secrets.get(secret.store).catch(() => undefined)) !== undefined : true;
        return definitionView(def, ctx.settings().pollIntervalMs, secretSet);
      },
      'targets/test': async (draft): Promise<TargetTestView> => {
        // An existing UI target's stored secret stands in for the one the form leaves empty.
        const existing = targets.definition(draft.name);
        const useStored = existing !== undefined && !existing.provisioned && targets.runtime(draft.name) !== undefined;
        const def = defFromStored(storedFromDraft(draft));
        const typed = draft.auth.type === 'bearer' ? draft.auth.token : draft.auth.type === 'basic' ? draft.auth.password : undefined;
        if (draft.auth.type !== 'none' && typed === undefined && !useStored) {
          return { ok: false, endpoints: [{ endpoint: 'node_exporter', url: displayUrl(draft.nodeExporter), ok: false, series: 0, ms: 0, detail: draft.auth.type === 'bearer' ? 'enter the token' : 'enter the password' }] };
        }
        const credentials = await credentialsOf(def, typed);
        const endpoints: TargetTestView['endpoints'] = [];
        const urls: ['node_exporter' | 'cadvisor', string][] = [['node_exporter', draft.nodeExporter], ...(draft.cadvisor ? [['cadvisor', draft.cadvisor] as ['cadvisor', string]] : [])];
        for (const [endpoint, url] of urls) {
          if (!credentials.ok) {
            endpoints.push({ endpoint, url: displayUrl(url), ok: false, series: 0, ms: 0, detail: credentials.message });
            continue;
          }
          const started = Date.now();
          try {
            const result = await scrapeExposition({ url, timeoutMs: scrapeTimeoutMs(draft.intervalMs), maxBytes: DEFAULT_SCRAPE_MAX_BYTES, ...credentials.value });
            const prefix = endpoint === 'node_exporter' ? 'node_' : 'container_';
            const series = result.samples.filter((s) => s.name.startsWith(prefix)).length;
            const obs = endpoint === 'node_exporter' ? observationFromSamples(result.samples, { t: Date.now() }) : undefined;
            const ok = series > 0;
            endpoints.push({
              endpoint,
              url: displayUrl(url),
              ok,
              series,
              ms: Date.now() - started,
              detail: ok ? `${series} series${result.problems.length ? `; ${result.problems[0]}` : ''}` : `no ${prefix}* series: is this ${endpoint === 'node_exporter' ? 'node_exporter' : 'cAdvisor'}?`,
              ...(obs?.facts.hostname ? { hostname: obs.facts.hostname } : {}),
            });
          } catch (err) {
            endpoints.push({ endpoint, url: displayUrl(url), ok: false, series: 0, ms: Date.now() - started, detail: (err as Error).message });
          }
        }
        return { ok: endpoints.every((e) => e.ok), endpoints };
      },
    };

    return {
      name: 'node_exporter targets',
      handlers,
      provisioning: [targetsSection],
      async start() {
        targets.load();
        started = true;
        await targets.reconcile();
      },
      onProvisioning(result) {
        if (!result.config) return;
        targets.setProvisioned(sectionOf(result.config, targetsSection), result.config.baseDir);
        if (started) void targets.reconcile();
      },
      onSettings() {
        if (started) void targets.reconcile(new Set(targets.entries().filter((e) => e.def.intervalMs === undefined).map((e) => e.def.name)));
      },
      onHostStatus(host: Host, previous: HostStatus | undefined) {
        // A refused login stays refused until the secret changes: say it once, not every interval.
        if (host.kind === 'node_exporter' && host.status === 'auth_failed' && previous !== 'auth_failed') ctx.log.warn(`host ${host.name}: ${host.statusDetail ?? 'login refused'}`);
      },
      async stop() {
        await targets.stop();
      },
    };
  };
}
