// Alert words on the screen, in the UI's language: built-in rule names (the
// journal keeps them in English) and alert summaries, rendered here from the
// rule and the alert's labels and value rather than taken as the core wrote
// them, so switching the language switches them too. The same functions the
// core uses for notifications (main/common/alertSummary.ts).
import type { AlertView, RuleView } from '../../../../main/common/alertModel';
import type { AlertRule } from '../../../../main/common/alertRules';
import { renderSummary } from '../../../../main/common/alertSummary';
import { ruleDisplayName as displayName } from '../../../../main/common/alertTexts';
import type { I18n } from '../../i18n/useI18n';

/** A rule's name as the list shows it (a shipped built-in name in the UI's language). */
export function ruleDisplayName(rule: { readonly id: string; readonly name: string }, i18n: Pick<I18n, 'lang'>): string {
  return displayName(rule, i18n.lang);
}

/** An alert's summary in the UI's language; the core's text when its rule is not known here (yet). */
export function alertSummary(alert: AlertView, rules: readonly RuleView[], i18n: Pick<I18n, 'locale'>): string {
  const rule: AlertRule | undefined = rules.find((r) => r.rule.id === alert.ruleId)?.rule;
  return rule ? renderSummary(rule, { labels: alert.labels, value: alert.value, ...(alert.detail !== undefined ? { detail: alert.detail } : {}) }, i18n.locale) : alert.summary;
}
