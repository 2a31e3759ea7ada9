// The Node-side half of the rule model: the provisioning file's form of a
// rule (durations as text), parsed selectors, and the built-in rules. The
// schemas themselves live in main/common/alertRules.ts so the contract and
// the renderer share them; they are re-exported here for the engine.
import type { z } from 'zod';
import { parseSelector, type SeriesSelector } from '../../common/series.js';
import { parseRuleDraft, ANY_LEARNED_SERIES, DEFAULT_ANOMALY_MIN_RATE, DOWN_HOST_STATUSES, type AlertHostStatus, type AlertRule, type AbsentRule, type AnomalousRule, type RuleParse, type ThresholdRule } from '../../common/alertRules.js';
import { parseDuration } from '../config/duration.js';
import { metricInfo } from '../../common/metrics.js';
import { describeThresholdProblem, parseThreshold } from '../../common/thresholdUnits.js';
import { alertTextsEn } from '../../common/alertTexts.js';

export * from '../../common/alertRules.js';

const PROVISIONED_KEYS: Record<string, string> = {
  keep_firing_for: 'keepFiringFor',
  host_pattern: 'hostPattern',
  min_rate: 'minRate',
};
const DURATION_KEYS = new Set(['for', 'keepFiringFor', 'window']);

/**
 * One `alerts:` entry of the provisioning file: snake_case keys, durations as
 * text (`5m`, `1h30m`). A bare number is refused rather than guessed (seconds?
 * milliseconds?). The error names the entry so one bad rule never hides the
 * others; the id is `provisioned:<name>`.
 */
export function parseProvisionedRule(entry: unknown): RuleParse<AlertRule> {
  if (!isRecord(entry)) return { ok: false, error: 'an alert entry must be a mapping with name, selector, op, threshold…' };
  const label = typeof entry.name === 'string' && entry.name.trim() ? `alert "${entry.name.trim()}"` : 'alert without a name';
  const draft: Record<string, unknown> = {};
  for (const [rawKey, value] of Object.entries(entry)) {
    const key = PROVISIONED_KEYS[rawKey] ?? rawKey;
    if (DURATION_KEYS.has(key)) {
      if (typeof value !== 'string') {
        return { ok: false, error: `${label}: ${rawKey} must be a duration with a unit, like 30s, 5m or 1h`, field: rawKey };
      }
      const d = parseDuration(value);
      if (!d.ok) return { ok: false, error: `${label}: ${rawKey}: ${d.error}`, field: rawKey };
      draft[key] = Math.round(d.ms);
    } else {
      draft[key] = value;
    }
  }
  // `threshold: 90%` / `500 MiB` / `10 MB/s`: text is read as the rule editor reads it, in the metric's
  // display unit; a number stays what it always was, the value in the series' own unit (0.9 for 90 %).
  if (typeof draft.threshold === 'string' && typeof draft.selector === 'string') {
    let metric: string | undefined;
    try {
      metric = parseSelector(draft.selector.trim()).name;
    } catch {
      // The selector's own problem is reported by the schema below.
    }
    if (metric !== undefined) {
      const text = draft.threshold;
      const read = parseThreshold(text, metricInfo(metric)?.unit);
      if (!read.ok) return { ok: false, error: `${label}: threshold: ${describeThresholdProblem(read.problem, text, read.accepted)}`, field: 'threshold' };
      draft.threshold = read.value;
    }
  }
  const parsed = parseRuleDraft(draft);
  if (!parsed.ok) {
    const written = parsed.field && (Object.keys(PROVISIONED_KEYS).find((k) => PROVISIONED_KEYS[k] === parsed.field) ?? parsed.field);
    return { ok: false, error: `${label}: ${parsed.error}`, ...(written ? { field: written } : {}) };
  }
  return { ok: true, value: { ...parsed.value, id: `provisioned:${parsed.value.name}`, origin: 'provisioned' } };
}

const selectorCache = new WeakMap<object, SeriesSelector>();
/** The parsed selector of a threshold or absent rule, parsed once per rule object. */
export function ruleSelector(rule: ThresholdRule | AbsentRule | AnomalousRule): SeriesSelector {
  let s = selectorCache.get(rule);
  if (!s) {
    // An anomalous rule's `*` reaches every learned series (the detector reads name `*` as any name).
    s = rule.selector === ANY_LEARNED_SERIES ? { name: ANY_LEARNED_SERIES } : parseSelector(rule.selector);
    selectorCache.set(rule, s);
  }
  return s;
}

/** Fields that define which alerts exist; changing one of them starts the rule's alerts afresh. */
export function conditionChanged(before: AlertRule, after: AlertRule): boolean {
  const pick = (r: AlertRule) => {
    switch (r.type) {
      case 'threshold':
        return [r.type, r.selector, r.aggregate, r.window, r.op, r.threshold];
      case 'absent':
        return [r.type, r.selector, r.window];
      case 'host_status':
        return [r.type, [...r.statuses].sort().join(','), r.hostPattern ?? ''];
      case 'anomalous':
        return [r.type, r.selector, r.scope, r.direction, r.sensitivity, r.minRate ?? null];
    }
  };
  return JSON.stringify(pick(before)) !== JSON.stringify(pick(after));
}

export interface BuiltinRuleOptions {
  /** The hosts' poll interval, for the no-data window (default 10 s). */
  readonly pollIntervalMs?: number;
  /** Intervals without a point before a series counts as having no data (default 3). */
  readonly noDataIntervals?: number;
}

/**
 * The rules every console starts with. Users may edit or disable them, not
 * delete them. They are stored with their English name and summary; while
 * those are unchanged, screens and notifications show them in the UI's
 * language (alertTexts.ts).
 */
export function builtinRules(options: BuiltinRuleOptions = {}): AlertRule[] {
  const interval = options.pollIntervalMs ?? 10_000;
  const intervals = options.noDataIntervals ?? 3;
  return [
    {
      id: 'builtin:host-offline',
      origin: 'builtin',
      type: 'host_status',
      name: alertTextsEn['notify.builtin.host-offline.name'],
      statuses: [...DOWN_HOST_STATUSES] as z.infer<typeof AlertHostStatus>[],
      // Grace period: a reconnect after a laptop wakes up or a Wi-Fi switch takes tens of seconds.
      for: 60_000,
      keepFiringFor: 0,
      severity: 'critical',
      summary: alertTextsEn['notify.builtin.host-offline.summary'],
      channels: ['desktop'],
      enabled: true,
    },
    {
      id: 'builtin:disk-full',
      origin: 'builtin',
      type: 'threshold',
      name: alertTextsEn['notify.builtin.disk-full.name'],
      selector: 'host:filesystem_used:ratio',
      aggregate: 'avg',
      window: 5 * 60_000,
      op: '>',
      threshold: 0.9,
      for: 5 * 60_000,
      keepFiringFor: 10 * 60_000,
      severity: 'warning',
      summary: alertTextsEn['notify.builtin.disk-full.summary'],
      channels: ['desktop'],
      enabled: true,
    },
    {
      id: 'builtin:no-data',
      origin: 'builtin',
      type: 'absent',
      name: alertTextsEn['notify.builtin.no-data.name'],
      selector: 'host:cpu_usage:ratio',
      window: interval * intervals,
      for: 0,
      keepFiringFor: 0,
      severity: 'warning',
      summary: alertTextsEn['notify.builtin.no-data.summary'],
      channels: ['desktop'],
      enabled: true,
    },
    // Over the service checks' series (main/core/checks), off until the user turns them on.
    {
      id: 'builtin:check-down',
      origin: 'builtin',
      type: 'threshold',
      name: alertTextsEn['notify.builtin.check-down.name'],
      selector: 'probe_success',
      aggregate: 'last',
      window: 5 * 60_000,
      op: '<',
      threshold: 1,
      for: 60_000,
      keepFiringFor: 0,
      severity: 'critical',
      summary: alertTextsEn['notify.builtin.check-down.summary'],
      channels: ['desktop'],
      enabled: false,
    },
    {
      id: 'builtin:cert-expiry',
      origin: 'builtin',
      type: 'threshold',
      name: alertTextsEn['notify.builtin.cert-expiry.name'],
      selector: 'check:cert_expiry:days',
      aggregate: 'last',
      window: 24 * 3600_000,
      op: '<',
      threshold: 14,
      for: 0,
      keepFiringFor: 0,
      severity: 'warning',
      summary: alertTextsEn['notify.builtin.cert-expiry.summary'],
      channels: ['desktop'],
      enabled: false,
    },
    // Over the learned baselines (main/core/anomalies): a host's CPU, memory, disk and network series, off until the user turns it on.
    {
      id: 'builtin:unusual',
      origin: 'builtin',
      type: 'anomalous',
      name: alertTextsEn['notify.builtin.unusual.name'],
      selector: ANY_LEARNED_SERIES,
      scope: 'entity',
      direction: 'both',
      sensitivity: 'medium',
      minRate: DEFAULT_ANOMALY_MIN_RATE,
      for: 10 * 60_000,
      keepFiringFor: 10 * 60_000,
      severity: 'warning',
      summary: alertTextsEn['notify.builtin.unusual.summary'],
      channels: ['desktop'],
      enabled: false,
    },
  ];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
