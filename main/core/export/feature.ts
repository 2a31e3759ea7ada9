// The /metrics exporter as a feature of the core: answers `export/get` and
// `export/update`, and keeps one listener in step with its settings (flag,
// provisioning file, Settings screen; see exportConfig.ts). The listener
// reads the core's in-memory latest observations at scrape time. A listener
// that cannot start (port in use, a token variable not set) leaves the
// exporter off with the reason in `lastError`; the rest of the console runs on.
import { createHash } from 'node:crypto';
import { RpcError, type ExportState, type ExportUpdate } from '../../common/contract.js';
import { formatListenAddress, isAllInterfaces, parseListenAddress, type ListenAddress } from '../../common/listenAddress.js';
import { resolveSecretRef } from '../config/secretRef.js';
import type { CoreContext, CoreFeature, HostView } from '../coreContext.js';
import { effectiveExport, loadSavedExport, saveExport, UI_TOKEN_SECRET_REF, type EffectiveExport, type SavedExportSettings } from './exportConfig.js';
import { startMetricsExporter, type ExportSource, type ExportedHost, type MetricsExporter } from './exporter.js';
import type { ExportTarget } from './hostTargets.js';
import { exportSection, type ProvisionedExport } from './exportSection.js';
import { sectionOf } from '../config/provisioning.js';
import { provisionedFieldsError } from '../config/provisionedError.js';
import { hostContainerExportSeries } from '../containers/exportContainers.js';

export interface ExportFeatureOptions {
  /** `overlook serve --metrics-listen host:port`: enables the exporter and fixes its address. */
  readonly listen?: string;
  /** prom-client's process_* / nodejs_* series (default true; tests turn them off). */
  readonly processMetrics?: boolean;
  /** How long a silent host's series stay exported (default: the exporter's 2 min). */
  readonly staleGraceMs?: number;
}

const LOCK_TEXT = { flag: 'the --metrics-listen option', file: 'the provisioning file' } as const;

/** One host as the exporter sees it: host label = host name, series = the latest raw observation. */
function exportedHostOf({ host, latest }: HostView): ExportedHost {
  return {
    host: host.name,
    up: host.status === 'online',
    ...(host.lastSampleAt !== undefined ? { lastSampleAt: host.lastSampleAt } : {}),
    // Containers under cAdvisor's names and labels.
    series: latest ? (latest.containers ? [...latest.series, ...hostContainerExportSeries(latest)] : latest.series) : [],
  };
}

/** The scrape-time view of the core's hosts. */
export function exportSourceOf(ctx: CoreContext, onScrape: () => void): ExportSource {
  return {
    families: (request) => ctx.exposition(request),
    hosts(): ExportedHost[] {
      onScrape();
      return ctx.hosts().map(exportedHostOf);
    },
    targets(): ExportTarget[] {
      return ctx.hosts().map(({ host }) => ({
        id: host.id,
        name: host.name,
        source: host.kind,
        ...(host.info?.os ? { os: host.info.os } : {}),
        tags: host.tags,
      }));
    },
    host(id) {
      const view = ctx.host(id);
      if (!view) return undefined;
      onScrape();
      return { exported: exportedHostOf(view), status: view.host.status };
    },
    async health() {
      const h = ctx.health;
      const stats = await ctx.store.stats();
      const dbSizeBytes = stats.sizeBytes;
      return {
        samplesIngested: h.samplesIngested,
        ingestFailures: h.ingestFailures,
        samplesLost: h.samplesLost,
        samplesDropped: stats.droppedSamples ?? 0,
        sshReconnects: h.sshReconnects,
        agentErrors: h.agentErrors,
        alertEvaluations: h.alertEvaluations,
        dbSizeBytes,
      };
    },
  };
}

interface Credentials {
  bearerToken?: string;
  basicAuth?: { username: string; password: string };
}

export function createExportFeature(options: ExportFeatureOptions = {}): (ctx: CoreContext) => CoreFeature {
  let flag: ListenAddress | undefined;
  if (options.listen !== undefined) {
    const parsed = parseListenAddress(options.listen);
    if (!parsed.ok) throw new Error(`--metrics-listen "${options.listen}": not a valid host:port`);
    flag = parsed.address;
  }

  return (ctx) => {
    const loaded = loadSavedExport(ctx.dataDir);
    if (loaded.problem) ctx.log.warn(loaded.problem);
    let saved: SavedExportSettings = loaded.saved;
    let uiTokenSet = false;
    let file: ProvisionedExport | null = null;
    let fileBaseDir: string | undefined;

    let running: { exporter: MetricsExporter; key: string } | undefined;
    let lastError: string | null = null;
    let lastScrapeAt: number | null = null;
    let started = false;
    let stopped = false;
    // Reconciliations run one after another: two quick updates must not race two listeners onto one port.
    let queue: Promise<void> = Promise.resolve();

    const source = exportSourceOf(ctx, () => {
      lastScrapeAt = ctx.now();
    });

    const effective = (): EffectiveExport => effectiveExport({ flag, file, ui: { ...saved, tokenSet: uiTokenSet } });

    const state = (): ExportState => {
      const e = effective();
      return {
        enabled: e.enabled,
        listen: formatListenAddress(e.listen),
        auth: e.auth,
        tokenSet: e.token !== undefined,
        url: running?.exporter.url ?? null,
        sdUrl: running?.exporter.sdUrl ?? null,
        allInterfaces: isAllInterfaces(e.listen.host),
        lastError,
        lastScrapeAt,
        lockedBy: { ...e.lockedBy },
      };
    };

    /** The secrets the listener needs, or why it cannot have them. Never logged. */
    async function credentialsFor(e: EffectiveExport): Promise<{ ok: true; value: Credentials } | { ok: false; problem: string }> {
      const value: Credentials = {};
      if (e.token?.from === 'file') {
        const r = resolveSecretRef(e.token.ref, { baseDir: fileBaseDir });
        if ('problem' in r) return { ok: false, problem: `metrics token: ${r.problem}` };
        value.bearerToken = r.value;
      } else if (e.token?.from === 'ui') {
        const token = await ctx.secrets.get(UI_TOKEN_SECRET_REF);
        if (!token) return { ok: false, problem: 'the metrics token is missing from the secret store; set it again' };
        value.bearerToken = token;
      }
      if (e.basicAuth) {
        const r = resolveSecretRef(e.basicAuth.password, { baseDir: fileBaseDir });
        if ('problem' in r) return { ok: false, problem: `metrics basic auth password: ${r.problem}` };
        value.basicAuth = { username: e.basicAuth.username, password: r.value };
      }
      return { ok: true, value };
    }

    async function closeRunning() {
      const r = running;
      running = undefined;
      if (r) await r.exporter.close();
    }

    async function reconcileNow() {
      if (!started || stopped) return;
      const e = effective();
      if (!e.enabled) {
        if (running) ctx.log.info('metrics exporter stopped (disabled)');
        await closeRunning();
        lastError = null;
        return;
      }
      const creds = await credentialsFor(e);
      if (!creds.ok) {
        // Serving without the credentials the user asked for would expose the fleet: stay off and say why.
        await closeRunning();
        lastError = `${creds.problem}; the exporter stays off until it is fixed`;
        ctx.log.error(`metrics exporter not started: ${lastError}`);
        return;
      }
      // The key holds a digest of the secrets, so a rotated token restarts the listener without keeping the value around.
      const key = createHash('sha256')
        .update(JSON.stringify({ host: e.listen.host, port: e.listen.port, creds: creds.value }))
        .digest('hex');
      if (running?.key === key) return;
      await closeRunning();
      try {
        const exporter = await startMetricsExporter({
          host: e.listen.host,
          port: e.listen.port,
          log: ctx.log,
          now: ctx.now,
          source,
          ...(options.processMetrics !== undefined ? { processMetrics: options.processMetrics } : {}),
          ...(options.staleGraceMs !== undefined ? { staleGraceMs: options.staleGraceMs } : {}),
          ...creds.value,
        });
        if (stopped) {
          await exporter.close();
          return;
        }
        running = { exporter, key };
        lastError = null;
      } catch (err) {
        lastError = describeListenError(err as Error, formatListenAddress(e.listen));
        ctx.log.error(lastError);
      }
    }

    function reconcile(): Promise<void> {
      const next = queue.then(reconcileNow).then(
        () => ctx.emit('export/changed', state()),
        (err: unknown) => {
          lastError = `the exporter could not be (re)started: ${(err as Error).message}`;
          ctx.log.error(lastError);
          ctx.emit('export/changed', state());
        },
      );
      queue = next;
      return next;
    }

    async function update(patch: ExportUpdate): Promise<ExportState> {
      const locks = effective().lockedBy;
      const locked = (['enabled', 'listen', 'token'] as const).filter((field) => patch[field] !== undefined && locks[field] !== null);
      if (locked.length) {
        const by = [...new Set(locked.map((field) => LOCK_TEXT[locks[field]!]))].join(' and ');
        throw provisionedFieldsError(locked, by);
      }
      if (patch.token !== undefined) {
        if (patch.token === null) await ctx.secrets.delete(UI_TOKEN_SECRET_REF);
        else await ctx.secrets.set(UI_TOKEN_SECRET_REF, patch.token);
        uiTokenSet = patch.token !== null;
      }
      if (patch.enabled !== undefined || patch.listen !== undefined) {
        saved = {
          ...saved,
          ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
          ...(patch.listen !== undefined ? { listen: formatListenAddress((parseListenAddress(patch.listen) as { ok: true; address: ListenAddress }).address) } : {}),
        };
        saveExport(ctx.dataDir, saved);
      }
      await reconcile();
      return state();
    }

    return {
      name: 'export',
      provisioning: [exportSection],
      handlers: {
        'export/get': () => state(),
        'export/update': update,
      },
      async start() {
        try {
          uiTokenSet = (await ctx.secrets.get(UI_TOKEN_SECRET_REF)) !== undefined;
        } catch (err) {
          ctx.log.error('could not read the metrics token from the secret store', { error: (err as Error).message });
        }
        started = true;
        await reconcile();
      },
      async stop() {
        stopped = true;
        await queue.catch(() => {});
        await closeRunning();
      },
      onProvisioning(result) {
        file = result.config ? sectionOf(result.config, exportSection) : null;
        fileBaseDir = result.config?.baseDir;
        if (started) void reconcile();
      },
    };
  };
}

function describeListenError(err: Error, listen: string): string {
  const message = err.message;
  if (/EADDRINUSE/.test(message)) return `cannot listen on ${listen}: the port is already in use by another program; choose another port`;
  if (/EADDRNOTAVAIL/.test(message)) return `cannot listen on ${listen}: this machine has no such address`;
  if (/EACCES/.test(message)) return `cannot listen on ${listen}: permission denied (ports below 1024 need privileges)`;
  if (/ENOTFOUND|EAI_AGAIN/.test(message)) return `cannot listen on ${listen}: the host name does not resolve`;
  return message;
}
