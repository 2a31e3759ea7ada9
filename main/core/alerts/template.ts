// Summary templates: `CPU on {{host}} is {{value}}`. Values are humanised by
// the unit of the rule's metric (formatMetricValue), so a ratio reads 93% and
// bytes read 1.2 GiB. A placeholder with nothing to fill it stays as written,
// so a typo in a label name shows in the notification instead of vanishing.
// Pure: no Node.
import { formatByUnit, formatMetricValue, formatThreshold } from '../../common/format.js';
import type { Labels } from '../../common/series.js';
import type { AlertRule } from './rule.js';

export interface SummaryContext {
  readonly labels: Labels;
  readonly value: number | null;
  readonly detail?: string;
}

const PLACEHOLDER = /\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g;

export function formatRuleValue(rule: AlertRule, value: number | null, locale = 'en'): string {
  if (value === null) return 'no data';
  switch (rule.type) {
    case 'threshold':
      return formatMetricValue(metricName(rule.selector), value, locale);
    case 'absent':
      return formatByUnit('seconds', value, locale);
    case 'host_status':
      return String(value);
  }
}

export function renderSummary(rule: AlertRule, ctx: SummaryContext, locale = 'en'): string {
  const template = rule.summary.trim() !== '' ? rule.summary : defaultSummary(rule);
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    switch (name) {
      case 'value':
        return formatRuleValue(rule, ctx.value, locale);
      case 'threshold':
        return rule.type === 'threshold' ? formatThreshold(metricName(rule.selector), rule.threshold, locale) : whole;
      case 'rule':
        return rule.name;
      case 'severity':
        return rule.severity;
      case 'status':
        return ctx.detail ?? whole;
    }
    const label = ctx.labels[name];
    return label === undefined ? whole : label;
  });
}

function defaultSummary(rule: AlertRule): string {
  switch (rule.type) {
    case 'threshold':
      return `${rule.name}: {{value}} ${rule.op} {{threshold}}`;
    case 'absent':
      return `${rule.name}: no data for {{value}}`;
    case 'host_status':
      return `${rule.name}: {{host}} is {{status}}`;
  }
}

function metricName(selectorText: string): string {
  const brace = selectorText.indexOf('{');
  return (brace < 0 ? selectorText : selectorText.slice(0, brace)).trim();
}
