// The alert rule model: one zod schema shared by the contract (rule editor),
// the provisioning parser and the journal. Pure TypeScript + zod, no Node:
// it can move to main/common when the contract imports it.
//
// Three kinds of rule, told apart by `type`:
// - `threshold`: aggregate a series over a window, compare with a threshold;
// - `absent`: a series that had data stops reporting for `window` ("no data");
// - `host_status`: a host sits in a bad status (offline, stale, …) longer than
//   `for` (the grace period). Driven by host status events, not samples,
//   because an offline host produces no samples to evaluate.
// Durations are milliseconds here; the provisioning file writes them as text
// (`5m`) and parseProvisionedRule converts.
import { z } from 'zod';
import { parseSelector, type SeriesSelector } from '../../common/series.js';
import type { HostStatus } from '../../common/contract.js';
import { parseDuration } from '../config/duration.js';

export const Severity = z.enum(['info', 'warning', 'critical']);
export type Severity = z.infer<typeof Severity>;

export const CompareOp = z.enum(['>', '>=', '<', '<=', '==', '!=']);
export type CompareOp = z.infer<typeof CompareOp>;

export const WindowAggregate = z.enum(['avg', 'max', 'min', 'last']);
export type WindowAggregate = z.infer<typeof WindowAggregate>;

/** Where a rule comes from: built in (editable, not deletable), the provisioning file (read-only), or the UI. */
export const RuleOrigin = z.enum(['builtin', 'provisioned', 'user']);
export type RuleOrigin = z.infer<typeof RuleOrigin>;

const MAX_DURATION_MS = 30 * 86_400_000;
const DurationMs = z.number().int().min(0).max(MAX_DURATION_MS);

/** Selector text, checked with the same parser the evaluator uses so the error names the problem. */
const SelectorText = z
  .string()
  .trim()
  .min(1, 'selector is empty; write a metric name such as host:cpu_usage:ratio{host="web-1"}')
  .superRefine((text, ctx) => {
    try {
      parseSelector(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  });

// Statuses copied from HostStatus in main/common/contract.ts: a type-only import
// keeps the contract free to import this file without a module cycle, and
// `satisfies` below fails the build if a name drifts.
const HOST_STATUS_NAMES = [
  'connecting',
  'online',
  'stale',
  'offline',
  'auth_failed',
  'host_key_changed',
  'host_key_unknown',
  'unsupported_os',
  'agent_error',
  'paused',
] as const satisfies readonly HostStatus[];
export const AlertHostStatus = z.enum(HOST_STATUS_NAMES);

/** Statuses the built-in host rule treats as down. `connecting` and `paused` are not: one is transient, the other chosen. */
export const DOWN_HOST_STATUSES: readonly HostStatus[] = ['offline', 'stale', 'auth_failed', 'host_key_changed', 'agent_error'];

const commonDraft = {
  name: z.string().trim().min(1, 'name is empty').max(200),
  /** Pending period: the condition must hold this long before the alert fires. */
  for: DurationMs.default(0),
  /** After the condition stops holding, stay firing this long (hysteresis against flapping). */
  keepFiringFor: DurationMs.default(0),
  severity: Severity.default('warning'),
  /** `{{label}}`, `{{value}}`, `{{threshold}}`, `{{rule}}`, `{{severity}}` (and `{{status}}` for host rules). */
  summary: z.string().max(1000).default(''),
  /** Channel names; a name with no channel configured is reported at delivery, not here. */
  channels: z.array(z.string().trim().min(1)).max(20).default(['desktop']),
  enabled: z.boolean().default(true),
};

export const ThresholdRuleDraft = z.object({
  type: z.literal('threshold'),
  ...commonDraft,
  selector: SelectorText,
  aggregate: WindowAggregate.default('avg'),
  /** Points in (now - window, now] are aggregated; for `last`, the newest point must be this recent. */
  window: DurationMs.min(1000, 'window must be at least 1s'),
  op: CompareOp,
  threshold: z.number().refine(Number.isFinite, 'threshold must be a finite number'),
});

export const AbsentRuleDraft = z.object({
  type: z.literal('absent'),
  ...commonDraft,
  selector: SelectorText,
  /** A series with no point for this long counts as having no data (pick a few poll intervals). */
  window: DurationMs.min(1000, 'window must be at least 1s'),
});

export const HostStatusRuleDraft = z.object({
  type: z.literal('host_status'),
  ...commonDraft,
  statuses: z.array(AlertHostStatus).min(1).default([...DOWN_HOST_STATUSES] as z.infer<typeof AlertHostStatus>[]),
  /** Optional host name pattern (anchored regular expression); absent means every host. */
  hostPattern: z
    .string()
    .optional()
    .superRefine((p, ctx) => {
      if (p === undefined) return;
      try {
        new RegExp(p);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `invalid host pattern: ${(err as Error).message}` });
      }
    }),
});

export const AlertRuleDraft = z.discriminatedUnion('type', [ThresholdRuleDraft, AbsentRuleDraft, HostStatusRuleDraft]);
export type AlertRuleDraft = z.infer<typeof AlertRuleDraft>;
/** What a caller may write (defaults filled in by parsing). */
export type AlertRuleDraftInput = z.input<typeof AlertRuleDraft>;

const identity = {
  /** `builtin:<slug>`, `provisioned:<name>`, or a random id for rules made in the UI. */
  id: z.string().min(1).max(300),
  origin: RuleOrigin,
};

export const AlertRule = z.discriminatedUnion('type', [
  ThresholdRuleDraft.extend(identity),
  AbsentRuleDraft.extend(identity),
  HostStatusRuleDraft.extend(identity),
]);
export type AlertRule = z.infer<typeof AlertRule>;
export type ThresholdRule = Extract<AlertRule, { type: 'threshold' }>;
export type AbsentRule = Extract<AlertRule, { type: 'absent' }>;
export type HostStatusRule = Extract<AlertRule, { type: 'host_status' }>;

export type RuleParse<T> = { ok: true; value: T } | { ok: false; error: string };

/** Zod issues as one line a person can act on: `threshold: must be a finite number; window: …`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

/** Parse a draft from the UI or an import. A missing `type` means `threshold`, the common case. */
export function parseRuleDraft(input: unknown): RuleParse<AlertRuleDraft> {
  const withType = isRecord(input) && input.type === undefined ? { ...input, type: 'threshold' } : input;
  const parsed = AlertRuleDraft.safeParse(withType);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: describeIssues(parsed.error) };
}

const PROVISIONED_KEYS: Record<string, string> = {
  keep_firing_for: 'keepFiringFor',
  host_pattern: 'hostPattern',
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
        return { ok: false, error: `${label}: ${rawKey} must be a duration with a unit, like 30s, 5m or 1h` };
      }
      const d = parseDuration(value);
      if (!d.ok) return { ok: false, error: `${label}: ${rawKey}: ${d.error}` };
      draft[key] = Math.round(d.ms);
    } else {
      draft[key] = value;
    }
  }
  const parsed = parseRuleDraft(draft);
  if (!parsed.ok) return { ok: false, error: `${label}: ${parsed.error}` };
  return { ok: true, value: { ...parsed.value, id: `provisioned:${parsed.value.name}`, origin: 'provisioned' } };
}

const selectorCache = new WeakMap<object, SeriesSelector>();
/** The parsed selector of a threshold or absent rule, parsed once per rule object. */
export function ruleSelector(rule: ThresholdRule | AbsentRule): SeriesSelector {
  let s = selectorCache.get(rule);
  if (!s) {
    s = parseSelector(rule.selector);
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

/** The rules every console starts with. Users may edit or disable them, not delete them. */
export function builtinRules(options: BuiltinRuleOptions = {}): AlertRule[] {
  const interval = options.pollIntervalMs ?? 10_000;
  const intervals = options.noDataIntervals ?? 3;
  return [
    {
      id: 'builtin:host-offline',
      origin: 'builtin',
      type: 'host_status',
      name: 'Host offline',
      statuses: [...DOWN_HOST_STATUSES] as z.infer<typeof AlertHostStatus>[],
      // Grace period: a reconnect after a laptop wakes up or a Wi-Fi switch takes tens of seconds.
      for: 60_000,
      keepFiringFor: 0,
      severity: 'critical',
      summary: 'Host {{host}} is {{status}}',
      channels: ['desktop'],
      enabled: true,
    },
    {
      id: 'builtin:disk-full',
      origin: 'builtin',
      type: 'threshold',
      name: 'Disk nearly full',
      selector: 'host:filesystem_used:ratio',
      aggregate: 'avg',
      window: 5 * 60_000,
      op: '>',
      threshold: 0.9,
      for: 5 * 60_000,
      keepFiringFor: 10 * 60_000,
      severity: 'warning',
      summary: 'Filesystem {{mountpoint}} on {{host}} is {{value}} full',
      channels: ['desktop'],
      enabled: true,
    },
    {
      id: 'builtin:no-data',
      origin: 'builtin',
      type: 'absent',
      name: 'No data',
      selector: 'host:cpu_usage:ratio',
      window: interval * intervals,
      for: 0,
      keepFiringFor: 0,
      severity: 'warning',
      summary: 'No data from {{host}} for {{value}}',
      channels: ['desktop'],
      enabled: true,
    },
  ];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
