// The shapes the alert engine hands out: alert states, transitions, silences,
// notifications and delivery records, rule views and previews. zod schemas so
// the contract reuses them for its inputs and outputs; pure TypeScript + zod,
// no Node.
import { z } from 'zod';
import { AlertRule, Severity } from './alertRules.js';
import { labelPatternProblem } from './series.js';

/** `normal` is never stored: an alert in it simply has no state. */
export const AlertStatus = z.enum(['pending', 'firing', 'resolved']);
export type AlertStatus = z.infer<typeof AlertStatus>;
export const TransitionEnd = z.enum(['normal', 'pending', 'firing', 'resolved']);
export type TransitionEnd = z.infer<typeof TransitionEnd>;

const LabelsSchema = z.record(z.string(), z.string());

/** One alert: a rule applied to one series (or one host). `key` is seriesKey(selector name, labels). */
export const AlertState = z.object({
  ruleId: z.string(),
  key: z.string(),
  labels: LabelsSchema,
  status: AlertStatus,
  /** When the condition started to hold (pending began; for host rules, when the host entered the status). */
  activeAt: z.number(),
  firedAt: z.number().optional(),
  /** Set while firing and the condition no longer holds: the keep-firing-for clock. */
  keepFiringSince: z.number().optional(),
  resolvedAt: z.number().optional(),
  /** The aggregated value at the last evaluation; null when there was no data. */
  value: z.number().nullable(),
  lastEvalAt: z.number(),
  /** Extra context for the summary, e.g. the host status name. */
  detail: z.string().optional(),
});
export type AlertState = z.infer<typeof AlertState>;

export const TransitionReason = z.enum(['condition', 'no_data', 'rule_changed', 'rule_disabled', 'rule_deleted', 'host_removed']);
export type TransitionReason = z.infer<typeof TransitionReason>;

export const AlertTransition = z.object({
  ruleId: z.string(),
  key: z.string(),
  labels: LabelsSchema,
  from: TransitionEnd,
  to: TransitionEnd,
  at: z.number(),
  value: z.number().nullable(),
  /** Time spent in `from`: pending → firing is the pending time, firing → resolved how long it fired. */
  durationMs: z.number(),
  reason: TransitionReason,
});
export type AlertTransition = z.infer<typeof AlertTransition>;

/** A transition as the journal keeps it, with the rule's name at the time. */
export const TransitionRecord = AlertTransition.extend({ id: z.number(), ruleName: z.string() });
export type TransitionRecord = z.infer<typeof TransitionRecord>;

export const HistoryFilter = z.object({
  ruleId: z.string().optional(),
  host: z.string().optional(),
  from: z.number().optional(),
  to: z.number().optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
});
export type HistoryFilter = z.infer<typeof HistoryFilter>;

/** A `=~` / `!~` matcher's value must be a regular expression RE2 accepts (series.ts): refused at the edge with what is wrong. */
export function refineLabelPattern(m: { op: string; value: string }, ctx: z.RefinementCtx): void {
  if (m.op !== '=~' && m.op !== '!~') return;
  const problem = labelPatternProblem(m.value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: problem });
}

const MatcherSchema = z.object({ label: z.string().min(1), op: z.enum(['=', '!=', '=~', '!~']), value: z.string() }).superRefine(refineLabelPattern);

/** Mutes alerts that match every given field (rule, host, label matchers) while startsAt ≤ now < endsAt. */
export const SilenceDraft = z
  .object({
    ruleId: z.string().min(1).optional(),
    host: z.string().min(1).optional(),
    matchers: z.array(MatcherSchema).max(20).optional(),
    startsAt: z.number(),
    endsAt: z.number(),
    comment: z.string().max(500).optional(),
  })
  .refine((s) => s.ruleId !== undefined || s.host !== undefined || (s.matchers?.length ?? 0) > 0, {
    message: 'a silence needs a rule, a host or at least one label matcher (it would mute everything)',
  })
  .refine((s) => s.endsAt > s.startsAt, { message: 'a silence must end after it starts' });
export type SilenceDraft = z.infer<typeof SilenceDraft>;
export const Silence = z.object({
  id: z.string(),
  ruleId: z.string().optional(),
  host: z.string().optional(),
  matchers: z.array(MatcherSchema).optional(),
  startsAt: z.number(),
  endsAt: z.number(),
  comment: z.string().optional(),
  createdAt: z.number(),
});
export type Silence = z.infer<typeof Silence>;

/** One alert inside a notification. */
export const NotifiedAlert = z.object({
  alertId: z.string(),
  key: z.string(),
  labels: LabelsSchema,
  status: z.enum(['firing', 'resolved']),
  /** A reminder for an alert that is still firing (repeat interval). */
  repeat: z.boolean(),
  summary: z.string(),
  value: z.number().nullable(),
  activeAt: z.number(),
  firedAt: z.number().optional(),
  resolvedAt: z.number().optional(),
});
export type NotifiedAlert = z.infer<typeof NotifiedAlert>;

/** What the planner decided to send: one per rule per flush, to each of `channels`. */
export const PlannedNotification = z.object({
  id: z.string(),
  ruleId: z.string(),
  ruleName: z.string(),
  severity: Severity,
  channels: z.array(z.string()),
  /** `firing` when any alert in it is firing, else `resolved`. */
  status: z.enum(['firing', 'resolved']),
  title: z.string(),
  alerts: z.array(NotifiedAlert),
  createdAt: z.number(),
});
export type PlannedNotification = z.infer<typeof PlannedNotification>;

export const DeliveryStatus = z.enum(['sending', 'sent', 'failed']);
export const DeliveryRecord = z.object({
  id: z.number(),
  notificationId: z.string(),
  ruleId: z.string(),
  channel: z.string(),
  title: z.string(),
  status: DeliveryStatus,
  attempts: z.number(),
  /** Redacted: never a token, a secret or a webhook URL's query. */
  lastError: z.string().optional(),
  createdAt: z.number(),
  finishedAt: z.number().optional(),
});
export type DeliveryRecord = z.infer<typeof DeliveryRecord>;

/** An alert as the alert list shows it. */
export const AlertView = AlertState.extend({
  alertId: z.string(),
  ruleName: z.string(),
  severity: Severity,
  summary: z.string(),
  /** Matched by an active silence: shown, marked, not notified. */
  muted: z.boolean(),
  silenceIds: z.array(z.string()),
});
export type AlertView = z.infer<typeof AlertView>;

/** The id of one alert across the engine, the journal and the UI. */
export function alertId(ruleId: string, key: string): string {
  return `${ruleId}|${key}`;
}

export const RuleHealth = z.object({
  lastEvalAt: z.number().optional(),
  lastDurationMs: z.number().optional(),
  series: z.number().optional(),
  /** Why the last evaluation of this rule failed (the reader threw); the other rules ran. */
  lastError: z.string().optional(),
});
export type RuleHealth = z.infer<typeof RuleHealth>;

/** A rule as the rules list shows it, with its health and alert counts. */
export const RuleView = z.object({
  rule: AlertRule,
  health: RuleHealth,
  pending: z.number(),
  firing: z.number(),
});
export type RuleView = z.infer<typeof RuleView>;

export const PreviewSeries = z.object({
  labels: LabelsSchema,
  value: z.number().nullable(),
  valueText: z.string(),
  /** Condition holds now (true), does not (false), or no data (null). */
  met: z.boolean().nullable(),
});
export type PreviewSeries = z.infer<typeof PreviewSeries>;

/** What a draft rule would do now ("would fire now for 3 series"); `for` is not applied. */
export const PreviewResult = z.object({
  wouldFire: z.number(),
  total: z.number(),
  noData: z.number(),
  series: z.array(PreviewSeries),
});
export type PreviewResult = z.infer<typeof PreviewResult>;
