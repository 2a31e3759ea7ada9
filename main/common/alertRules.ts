// The alert rule model: one zod schema shared by the contract (rule editor),
// the provisioning parser and the journal. Pure TypeScript + zod, no Node, so
// the contract and the renderer (field validation in the editor) use it too.
//
// Three kinds of rule, told apart by `type`:
// - `threshold`: aggregate a series over a window, compare with a threshold;
// - `absent`: a series that had data stops reporting for `window` ("no data");
// - `host_status`: a host sits in a bad status (offline, stale, …) longer than
//   `for` (the grace period). Driven by host status events, not samples,
//   because an offline host produces no samples to evaluate.
// Durations are milliseconds here; the provisioning file writes them as text
// (`5m`) and parseProvisionedRule (main/core/alerts/rule.ts) converts.
import { z } from 'zod';
import { labelPatternProblem, parseSelector } from './series.js';
import { HostStatus } from './hostStatus.js';
import { AnomalySensitivity } from './anomalies.js';

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

export const AlertHostStatus = HostStatus;

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
      const problem = labelPatternProblem(p);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `invalid host pattern: ${problem}` });
    }),
});

/**
 * Unusual behaviour against each series' learned baseline (main/core/anomalies):
 * `series` scope alerts per series whose last-5-minute mean is past the
 * sensitivity's z threshold in `direction`; `entity` scope alerts per host,
 * container, cloud instance or check whose share of such series (among those
 * the selector matches) is at least `minRate`. The value is the z (series)
 * or the rate (entity); the notification carries the evidence.
 */
/** `*`: every series that learns a baseline; otherwise a selector as for other rules. */
export const ANY_LEARNED_SERIES = '*';
const AnomalySelectorText = z
  .string()
  .trim()
  .min(1, 'selector is empty; write * for every learned series, or a metric name such as host:cpu_usage:ratio')
  .superRefine((text, ctx) => {
    if (text === ANY_LEARNED_SERIES) return;
    try {
      parseSelector(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  });

export const AnomalousRuleDraft = z.object({
  type: z.literal('anomalous'),
  ...commonDraft,
  selector: AnomalySelectorText.default(ANY_LEARNED_SERIES),
  scope: z.enum(['series', 'entity']).default('entity'),
  direction: z.enum(['up', 'down', 'both']).default('both'),
  sensitivity: AnomalySensitivity.default('medium'),
  /** Entity scope: fire when at least this share of the entity's scored series is unusual (default 0.2). */
  minRate: z.number().gt(0, 'minRate must be above 0').max(1, 'minRate is a share, at most 1').optional(),
});
export const DEFAULT_ANOMALY_MIN_RATE = 0.2;

export const AlertRuleDraft = z.discriminatedUnion('type', [ThresholdRuleDraft, AbsentRuleDraft, HostStatusRuleDraft, AnomalousRuleDraft]);
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
  AnomalousRuleDraft.extend(identity),
]);
export type AlertRule = z.infer<typeof AlertRule>;
export type ThresholdRule = Extract<AlertRule, { type: 'threshold' }>;
export type AbsentRule = Extract<AlertRule, { type: 'absent' }>;
export type HostStatusRule = Extract<AlertRule, { type: 'host_status' }>;
export type AnomalousRule = Extract<AlertRule, { type: 'anomalous' }>;

/** `field`: the first offending field as the caller wrote it (the provisioning file points at its line). */
export type RuleParse<T> = { ok: true; value: T } | { ok: false; error: string; field?: string };

/** Zod issues as one line a person can act on: `threshold: must be a finite number; window: …`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

/** Parse a draft from the UI or an import. A missing `type` means `threshold`, the common case. */
export function parseRuleDraft(input: unknown): RuleParse<AlertRuleDraft> {
  const withType = isRecord(input) && input.type === undefined ? { ...input, type: 'threshold' } : input;
  const parsed = AlertRuleDraft.safeParse(withType);
  if (parsed.success) return { ok: true, value: parsed.data };
  const first = parsed.error.issues[0]?.path[0];
  return { ok: false, error: describeIssues(parsed.error), ...(typeof first === 'string' ? { field: first } : {}) };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
