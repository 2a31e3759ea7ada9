// The rule editor's form as text fields, and its conversion to a rule draft
// with a message key per bad field. Pure, so it is tested without a browser;
// the core parses the draft again with the same schema (alertRules.ts).
// The threshold is typed in the metric's display unit (90 or 90% for a ratio,
// 2 GiB, 10 MB/s…) and sent in base units (thresholdUnits.ts).
import { ANY_LEARNED_SERIES, AnomalousRuleDraft, DEFAULT_ANOMALY_MIN_RATE, ThresholdRuleDraft, type AlertRule, type CompareOp, type Severity, type WindowAggregate } from '../../../../main/common/alertRules';
import { cloudRuleWindowMs, type CloudAccountTiming } from '../../../../main/common/clouds';
import { formatDuration, parseDuration } from '../../../../main/common/duration';
import { CLOUD_METRIC_PREFIX, metricInfo, type MetricUnit } from '../../../../main/common/metrics';
import { matchesLabels, parseSelector, type SeriesSelector } from '../../../../main/common/series';
import { parseThreshold, thresholdText } from '../../../../main/common/thresholdUnits';
import type { MessageKey } from '../../i18n/catalogue';

/** The kinds the editor writes: a threshold on a metric, or unusual behaviour against learned baselines. */
export type EditableRuleType = 'threshold' | 'anomalous';

export interface RuleForm {
  type: EditableRuleType;
  name: string;
  selector: string;
  aggregate: WindowAggregate;
  window: string;
  op: CompareOp;
  threshold: string;
  for: string;
  keepFiringFor: string;
  severity: Severity;
  summary: string;
  channels: string[];
  enabled: boolean;
  /** The user wrote the window (or it came from a saved rule): picking a metric no longer sets it. */
  windowEdited: boolean;
  // anomalous rules (alertRules.ts AnomalousRuleDraft)
  scope: 'series' | 'entity';
  direction: 'up' | 'down' | 'both';
  sensitivity: 'low' | 'medium' | 'high';
  /** Entity scope: the share of an entity's series unusual at once, typed in percent ("20" or "20%"). */
  minRate: string;
}

export type RuleFormField = keyof RuleForm;
export interface FieldProblem {
  key: MessageKey;
  /** The parser's own words (a selector's syntax error), shown after the translated message. */
  detail?: string;
}
export type RuleFormProblems = Partial<Record<RuleFormField, FieldProblem>>;

export function emptyRuleForm(): RuleForm {
  return {
    type: 'threshold',
    name: '',
    selector: '',
    aggregate: 'avg',
    window: '1m',
    op: '>',
    threshold: '',
    for: '0s',
    keepFiringFor: '0s',
    severity: 'warning',
    summary: '',
    channels: ['desktop'],
    enabled: true,
    windowEdited: false,
    scope: 'entity',
    direction: 'both',
    sensitivity: 'medium',
    minRate: String(DEFAULT_ANOMALY_MIN_RATE * 100),
  };
}

/** The form switched to another rule type: what both share stays; an anomalous rule starts on every learned series. */
export function withRuleType(form: RuleForm, type: EditableRuleType): RuleForm {
  if (type === form.type) return form;
  if (type === 'anomalous') return { ...form, type, selector: form.selector.trim() ? form.selector : ANY_LEARNED_SERIES };
  return { ...form, type, selector: form.selector.trim() === ANY_LEARNED_SERIES ? '' : form.selector };
}

/** An anomalous rule as the form shows it. */
export function formFromAnomalousRule(rule: Extract<AlertRule, { type: 'anomalous' }>): RuleForm {
  return {
    ...emptyRuleForm(),
    type: 'anomalous',
    name: rule.name,
    selector: rule.selector,
    for: formatDuration(rule.for),
    keepFiringFor: formatDuration(rule.keepFiringFor),
    severity: rule.severity,
    summary: rule.summary,
    channels: [...rule.channels],
    enabled: rule.enabled,
    windowEdited: true,
    scope: rule.scope,
    direction: rule.direction,
    sensitivity: rule.sensitivity,
    minRate: String(Math.round((rule.minRate ?? DEFAULT_ANOMALY_MIN_RATE) * 1000) / 10),
  };
}

/** "20", "20%", "12.5 %" → 0.2, 0.125; undefined for anything else or outside (0, 100]. */
export function parseMinRate(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
  if (!m) return undefined;
  const pct = Number(m[1]);
  return pct > 0 && pct <= 100 ? pct / 100 : undefined;
}

function anomalousDraft(form: RuleForm): { draft?: Record<string, unknown>; problems: RuleFormProblems } {
  const problems: RuleFormProblems = {};
  if (!form.name.trim()) problems.name = { key: 'alerts.editor.error.required' };
  const selector = form.selector.trim();
  if (!selector) problems.selector = { key: 'alerts.editor.error.required' };
  else if (selector !== ANY_LEARNED_SERIES) {
    try {
      parseSelector(selector);
    } catch (err) {
      problems.selector = { key: 'alerts.editor.error.selector', detail: (err as Error).message };
    }
  }
  const pending = duration(form.for, 0);
  if (pending.problem) problems.for = pending.problem;
  const keep = duration(form.keepFiringFor, 0);
  if (keep.problem) problems.keepFiringFor = keep.problem;
  const minRate = form.scope === 'entity' ? parseMinRate(form.minRate) : undefined;
  if (form.scope === 'entity' && minRate === undefined) problems.minRate = { key: 'anomaly.rule.error.minRate' };
  if (form.channels.length === 0) problems.channels = { key: 'alerts.editor.error.channels' };
  if (Object.keys(problems).length) return { problems };
  const draft = {
    type: 'anomalous' as const,
    name: form.name.trim(),
    selector,
    scope: form.scope,
    direction: form.direction,
    sensitivity: form.sensitivity,
    ...(minRate !== undefined ? { minRate } : {}),
    for: pending.ms!,
    keepFiringFor: keep.ms!,
    severity: form.severity,
    summary: form.summary,
    channels: form.channels,
    enabled: form.enabled,
  };
  const checked = AnomalousRuleDraft.safeParse(draft);
  if (!checked.success) {
    for (const issue of checked.error.issues) {
      const field = issue.path[0];
      if (typeof field === 'string' && field in form && !problems[field as RuleFormField]) problems[field as RuleFormField] = { key: 'alerts.editor.error.invalid', detail: issue.message };
    }
    return { problems };
  }
  return { draft, problems };
}

export const DEFAULT_WINDOW = '1m';

/** The metric name of a selector as typed so far (before any `{`). */
export function ruleMetric(selectorText: string): string {
  return selectorText.split('{')[0]!.trim();
}

/** The unit the metric is shown (and its threshold typed) in. */
export function ruleUnit(selectorText: string): MetricUnit | undefined {
  return metricInfo(ruleMetric(selectorText))?.unit;
}

export function isCloudMetric(selectorText: string): boolean {
  return ruleMetric(selectorText).startsWith(CLOUD_METRIC_PREFIX);
}

function selectorOrUndefined(text: string): SeriesSelector | undefined {
  try {
    return parseSelector(text.trim());
  } catch {
    return undefined;
  }
}

/**
 * The window a rule on this selector should look back by default: for a
 * cloud metric, long enough to hold a point of the accounts it can match
 * (cloud data arrives minutes late; see cloudRuleWindowMs); else one minute.
 */
export function suggestedWindowMs(selectorText: string, accounts: readonly CloudAccountTiming[]): number | undefined {
  if (!isCloudMetric(selectorText)) return undefined;
  const matchers = (selectorOrUndefined(selectorText)?.matchers ?? []).filter((m) => m.label === 'account' || m.label === 'cloud');
  return cloudRuleWindowMs(accounts, (labels) => matchesLabels(labels, matchers));
}

/** A new selector; the window follows it (cloud metrics' lag) until the user edits the window. */
export function withSelector(form: RuleForm, selector: string, accounts: readonly CloudAccountTiming[]): RuleForm {
  const next = { ...form, selector };
  if (form.windowEdited) return next;
  const suggested = suggestedWindowMs(selector, accounts);
  return { ...next, window: suggested === undefined ? DEFAULT_WINDOW : formatDuration(suggested) };
}

/** A threshold rule as the form shows it; other kinds are not edited here. */
export function formFromRule(rule: Extract<AlertRule, { type: 'threshold' }>): RuleForm {
  return {
    ...emptyRuleForm(),
    name: rule.name,
    selector: rule.selector,
    aggregate: rule.aggregate,
    window: formatDuration(rule.window),
    op: rule.op,
    threshold: thresholdText(rule.threshold, ruleUnit(rule.selector)),
    for: formatDuration(rule.for),
    keepFiringFor: formatDuration(rule.keepFiringFor),
    severity: rule.severity,
    summary: rule.summary,
    channels: [...rule.channels],
    enabled: rule.enabled,
    windowEdited: true,
  };
}

const MAX_MS = 30 * 86_400_000;

function duration(text: string, min: number): { ms?: number; problem?: FieldProblem } {
  const parsed = parseDuration(text.trim());
  if (!parsed.ok) return { problem: { key: 'alerts.editor.error.duration' } };
  if (parsed.ms < min) return { problem: { key: 'alerts.editor.error.windowMin' } };
  if (parsed.ms > MAX_MS) return { problem: { key: 'alerts.editor.error.durationMax' } };
  return { ms: Math.round(parsed.ms) };
}

/** The draft to send, or the problems of each field; `draft` is set only when there are none. */
export function draftFromForm(form: RuleForm): { draft?: Record<string, unknown>; problems: RuleFormProblems } {
  if (form.type === 'anomalous') return anomalousDraft(form);
  const problems: RuleFormProblems = {};
  if (!form.name.trim()) problems.name = { key: 'alerts.editor.error.required' };
  if (!form.selector.trim()) problems.selector = { key: 'alerts.editor.error.required' };
  else {
    try {
      parseSelector(form.selector.trim());
    } catch (err) {
      problems.selector = { key: 'alerts.editor.error.selector', detail: (err as Error).message };
    }
  }
  const window = duration(form.window, 1000);
  if (window.problem) problems.window = window.problem;
  const pending = duration(form.for, 0);
  if (pending.problem) problems.for = pending.problem;
  const keep = duration(form.keepFiringFor, 0);
  if (keep.problem) problems.keepFiringFor = keep.problem;
  const read = parseThreshold(form.threshold, ruleUnit(form.selector));
  const threshold = read.ok ? read.value : NaN;
  if (!read.ok) {
    problems.threshold =
      read.problem === 'empty'
        ? { key: 'alerts.editor.error.required' }
        : read.problem === 'number'
          ? { key: 'alerts.editor.error.number' }
          : read.problem === 'ambiguous_prefix'
            ? { key: 'alerts.editor.error.bytePrefix' }
            : { key: read.accepted ? 'alerts.editor.error.unit' : 'alerts.editor.error.plainNumber', ...(read.accepted ? { detail: read.accepted } : {}) };
  }
  if (form.channels.length === 0) problems.channels = { key: 'alerts.editor.error.channels' };
  if (Object.keys(problems).length) return { problems };
  const draft = {
    type: 'threshold' as const,
    name: form.name.trim(),
    selector: form.selector.trim(),
    aggregate: form.aggregate,
    window: window.ms!,
    op: form.op,
    threshold,
    for: pending.ms!,
    keepFiringFor: keep.ms!,
    severity: form.severity,
    summary: form.summary,
    channels: form.channels,
    enabled: form.enabled,
  };
  // Anything the checks above missed (a name too long…) with the schema's own words.
  const checked = ThresholdRuleDraft.safeParse(draft);
  if (!checked.success) {
    for (const issue of checked.error.issues) {
      const field = issue.path[0];
      if (typeof field === 'string' && field in form && !problems[field as RuleFormField]) {
        problems[field as RuleFormField] = { key: 'alerts.editor.error.invalid', detail: issue.message };
      }
    }
    return { problems };
  }
  return { draft, problems };
}
