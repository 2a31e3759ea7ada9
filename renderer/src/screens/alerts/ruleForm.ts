// The rule editor's form as text fields, and its conversion to a rule draft
// with a message key per bad field. Pure, so it is tested without a browser;
// the core parses the draft again with the same schema (alertRules.ts).
import { ThresholdRuleDraft, type AlertRule, type CompareOp, type Severity, type WindowAggregate } from '../../../../main/common/alertRules';
import { formatDuration, parseDuration } from '../../../../main/common/duration';
import { parseSelector } from '../../../../main/common/series';
import type { MessageKey } from '../../i18n/catalogue';

export interface RuleForm {
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
  };
}

/** A threshold rule as the form shows it; other kinds are not edited here. */
export function formFromRule(rule: Extract<AlertRule, { type: 'threshold' }>): RuleForm {
  return {
    name: rule.name,
    selector: rule.selector,
    aggregate: rule.aggregate,
    window: formatDuration(rule.window),
    op: rule.op,
    threshold: String(rule.threshold),
    for: formatDuration(rule.for),
    keepFiringFor: formatDuration(rule.keepFiringFor),
    severity: rule.severity,
    summary: rule.summary,
    channels: [...rule.channels],
    enabled: rule.enabled,
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
  const threshold = form.threshold.trim() === '' ? NaN : Number(form.threshold.trim());
  if (!Number.isFinite(threshold)) problems.threshold = { key: form.threshold.trim() === '' ? 'alerts.editor.error.required' : 'alerts.editor.error.number' };
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
