// Anomalies as a core feature: learns each stored series' normal from the
// local store's hour rollups in the background (one metric name per slice,
// a slice every REFRESH_TICK_MS, a new sweep as each hour seals), scores the
// learned series once a minute, stores the anomaly rate per entity as the
// series anomaly:rate:ratio (Top-K ranks it, charts draw it), emits
// `anomalies/changed`, and answers the band, "unusual now", "what happened
// here?", rates, status and settings requests. Alert rules of type
// `anomalous` read its verdicts through the core context (anomalyVerdicts).
//
// On by default: learning reads rollups the store already keeps, in slices
// that yield between metric names, and holds about 2 KB per learned series
// (bench/anomalies.mjs); nothing alerts until a rule is turned on.
import path from 'node:path';
import { ANOMALY_FAMILIES, AnomalySettings, type AnomalyStatus } from '../../common/anomalies.js';
import { provisionedFieldsError } from '../config/provisionedError.js';
import { sectionOf } from '../config/provisioning.js';
import type { CoreContext, CoreFeature } from '../coreContext.js';
import { readJsonDataFile, writeJsonDataFile } from '../dataFile.js';
import { anomaliesSection, type ProvisionedAnomalies } from './anomaliesSection.js';
import { createDetector } from './detector.js';

export const DEFAULT_ANOMALY_SETTINGS: AnomalySettings = { enabled: true, sensitivity: 'medium', families: [...ANOMALY_FAMILIES] };

export interface AnomaliesFeatureOptions {
  /** How often a refresh slice runs (default 2 s). */
  readonly refreshTickMs?: number;
  /** How often the learned series are scored (default 60 s). */
  readonly scoreEveryMs?: number;
}

const FIELDS = ['enabled', 'sensitivity', 'families'] as const;

export function createAnomaliesFeature(options: AnomaliesFeatureOptions = {}) {
  return (ctx: CoreContext): CoreFeature & { detector: ReturnType<typeof createDetector> } => {
    const file = path.join(ctx.dataDir, 'anomalies.json');
    const read = readJsonDataFile(file, (v) => AnomalySettings.partial().parse(v));
    if (read.state === 'set_aside' || read.state === 'unreadable') ctx.log.warn('anomaly settings', { problem: read.problem });
    let saved: Partial<AnomalySettings> = read.state === 'ok' ? read.value : {};
    let provisioned: ProvisionedAnomalies = {};
    const settings = (): AnomalySettings => ({ ...DEFAULT_ANOMALY_SETTINGS, ...saved, ...provisioned });
    const detector = createDetector({ store: ctx.store, now: ctx.now, sensitivity: () => settings().sensitivity, families: () => settings().families });
    const timers: NodeJS.Timeout[] = [];
    let refreshing = false;
    let scoring = false;
    let historyNote: string | undefined;

    const guarded = async (what: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (err) {
        ctx.log.error(`anomalies: ${what} failed`, { error: (err as Error).message });
      }
    };

    async function scoreCycle(): Promise<void> {
      if (!settings().enabled || scoring) return;
      scoring = true;
      try {
        const samples = await detector.score();
        if (samples.length) await ctx.ingest(samples);
        ctx.emit('anomalies/changed', detector.rates('host'));
      } finally {
        scoring = false;
      }
    }

    async function status(): Promise<AnomalyStatus> {
      await guarded('history backend', async () => {
        const h = await ctx.request('history/get', undefined);
        historyNote = h.backend === 'local' ? undefined : 'Charts read history from an engine; baselines learn from the local store.';
      });
      return {
        settings: settings(),
        provisioned: FIELDS.filter((f) => provisioned[f] !== undefined),
        ...detector.status(),
        ...(historyNote ? { note: historyNote } : {}),
      };
    }

    return {
      name: 'anomalies',
      detector,
      provisioning: [anomaliesSection],
      onProvisioning(result) {
        if (!result.config) return;
        const before = JSON.stringify(settings());
        provisioned = sectionOf(result.config, anomaliesSection);
        if (JSON.stringify(settings()) !== before) detector.clear();
      },
      handlers: {
        'anomalies/band': (q) => (settings().enabled ? detector.band(q) : Promise.resolve([])),
        'anomalies/unusual': (q) => detector.unusual(q.entity, q.limit ?? 10),
        'anomalies/explain': async (q) => {
          const result = await detector.explain(q.scope, q.from, q.to, q.limit ?? 20);
          const processes = q.scope.kind === 'host' ? await ctx.request('processes/at', { hostId: q.scope.hostId, t: Math.round((q.from + q.to) / 2), toleranceMs: Math.max(60_000, Math.min(3_600_000, Math.round((q.to - q.from) / 2))) }).catch(() => null) : null;
          return { ...result, processes };
        },
        'anomalies/rates': ({ kind }) => detector.rates(kind),
        'anomalies/status': () => status(),
        'anomalies/update': async (patch) => {
          const locked = FIELDS.filter((f) => patch[f] !== undefined && provisioned[f] !== undefined);
          if (locked.length) throw provisionedFieldsError(locked);
          const before = settings();
          saved = { ...saved, ...patch };
          writeJsonDataFile(file, saved);
          if (JSON.stringify(before.families) !== JSON.stringify(settings().families) || (before.enabled && !settings().enabled)) detector.clear();
          return status();
        },
      },
      anomalyVerdicts: (selector, sensitivity) => (settings().enabled ? detector.verdicts(selector, sensitivity) : []),
      start() {
        const tick = options.refreshTickMs ?? 2_000;
        timers.push(
          setInterval(() => {
            if (refreshing || !settings().enabled) return;
            refreshing = true;
            void guarded('baseline refresh', async () => {
              await detector.refreshSlice();
            }).finally(() => (refreshing = false));
          }, tick),
        );
        timers.push(setInterval(() => void guarded('scoring', scoreCycle), options.scoreEveryMs ?? 60_000));
        for (const t of timers) t.unref();
      },
      stop() {
        for (const t of timers) clearInterval(t);
        timers.length = 0;
      },
    };
  };
}
