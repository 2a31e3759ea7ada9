// Summary templates: `CPU on {{host}} is {{value}}`. Values are humanised by
// the unit of the rule's metric (formatMetricValue), so a ratio reads 93% and
// bytes read 1.2 GiB. A placeholder with nothing to fill it stays as written,
// so a typo in a label name shows in the notification instead of vanishing.
// The core renders summaries for notifications, the renderer for the screen,
// both in a language: built-in rules' shipped summaries, the default
// summaries and the words put into them ({{status}}, {{severity}}, "no
// data") come from alertTexts.ts. Pure: no Node, no DOM.
import { alertText, hostStatusWord, ruleDisplayName, summaryTemplate, type AlertLang } from './alertTexts.js';
import { formatByUnit, formatMetricValue, formatThreshold } from './format.js';
import type { Labels } from './series.js';
import type { AlertRule } from './alertRules.js';

export interface SummaryContext {
  readonly labels: Labels;
  readonly value: number | null;
  /** The host status name, for host rules. */
  readonly detail?: string;
}

const PLACEHOLDER = /\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g;

/** The language of the Intl formatting locale `locale` (zh-CN, zh-TW, zh → Chinese). */
export function alertLangOf(locale: string): AlertLang {
  return locale.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function formatRuleValue(rule: AlertRule, value: number | null, locale = 'en'): string {
  if (value === null) return alertText(alertLangOf(locale), 'notify.value.noData');
  switch (rule.type) {
    case 'threshold':
      return formatMetricValue(metricName(rule.selector), value, locale);
    case 'absent':
      return formatByUnit('seconds', value, locale);
    case 'host_status':
      return String(value);
  }
}

/** The summary of one alert of `rule`, in the language of `locale`. */
export function renderSummary(rule: AlertRule, ctx: SummaryContext, locale = 'en'): string {
  const lang = alertLangOf(locale);
  const own = rule.summary.trim() !== '' ? summaryTemplate(rule, lang) : '';
  const template = own !== '' ? own : alertText(lang, `notify.summary.${rule.type}`);
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    switch (name) {
      case 'value':
        return formatRuleValue(rule, ctx.value, locale);
      case 'threshold':
        return rule.type === 'threshold' ? formatThreshold(metricName(rule.selector), rule.threshold, locale) : whole;
      case 'op':
        return rule.type === 'threshold' ? rule.op : whole;
      case 'rule':
        return ruleDisplayName(rule, lang);
      case 'severity':
        return alertText(lang, `notify.severity.${rule.severity}`);
      case 'status':
        return ctx.detail === undefined ? whole : hostStatusWord(ctx.detail, lang);
    }
    const label = ctx.labels[name];
    return label === undefined ? whole : label;
  });
}

function metricName(selectorText: string): string {
  const brace = selectorText.indexOf('{');
  return (brace < 0 ? selectorText : selectorText.slice(0, brace)).trim();
}
