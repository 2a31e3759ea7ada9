// Summary templates: `CPU on {{host}} is {{value}}`. Values are humanised by
// the unit of the rule's metric (formatMetricValue), so a ratio reads 93% and
// bytes read 1.2 GiB. A placeholder with nothing to fill it stays as written,
// so a typo in a label name shows in the notification instead of vanishing.
// The core renders summaries for notifications, the renderer for the screen,
// both in a language: built-in rules' shipped summaries, the default
// summaries and the words put into them ({{status}}, {{severity}}, "no
// data") come from alertTexts.ts. Pure: no Node, no DOM.
import { alertText, hostStatusWord, ruleDisplayName, summaryTemplate, type AlertLang, type AlertTextKey } from './alertTexts.js';
import { formatByUnit, formatMetricValue, formatThreshold } from './format.js';
import type { Labels } from './series.js';
import type { AlertRule } from './alertRules.js';

/**
 * What an anomalous rule's alert carries as its `detail`, so the summary can
 * show the evidence: the series, its value, the normal range, z, the bucket
 * and how much history the baseline learned from; for an entity, the share
 * flagged and its most unusual series. Stored as `anomaly:` + JSON.
 */
export interface AnomalyEvidence {
  readonly series: string;
  readonly value: number;
  readonly low: number;
  readonly high: number;
  readonly z: number;
  readonly kind: 'hour_of_day' | 'hour_of_week';
  readonly hour: number;
  readonly weekday?: number;
  readonly learnedFromMs: number;
  /** Entity scope: series flagged and scored. */
  readonly flagged?: number;
  readonly scored?: number;
}

const EVIDENCE_PREFIX = 'anomaly:';
export function encodeAnomalyEvidence(e: AnomalyEvidence): string {
  return EVIDENCE_PREFIX + JSON.stringify(e);
}
export function decodeAnomalyEvidence(detail: string | undefined): AnomalyEvidence | undefined {
  if (!detail?.startsWith(EVIDENCE_PREFIX)) return undefined;
  try {
    return JSON.parse(detail.slice(EVIDENCE_PREFIX.length)) as AnomalyEvidence;
  } catch {
    return undefined;
  }
}

/** The evidence in words: "host:cpu_usage:percent is 93 %, normally 20 % to 41 % (Mondays 14:00 UTC), z = 7.2, learned from 28 days of history". */
export function anomalyEvidenceText(e: AnomalyEvidence, lang: AlertLang, locale: string = lang): string {
  const metric = e.series.split('{')[0]!;
  const fmt = (v: number) => formatMetricValue(metric, v, locale);
  const hour = String(e.hour).padStart(2, '0');
  const bucket =
    e.kind === 'hour_of_week' && e.weekday !== undefined
      ? alertText(lang, 'notify.anomaly.hourOfWeek', { weekday: alertText(lang, `notify.weekday.${e.weekday}` as AlertTextKey), hour })
      : alertText(lang, 'notify.anomaly.hourOfDay', { hour });
  const series = alertText(lang, 'notify.anomaly.series', {
    series: e.series,
    value: fmt(e.value),
    low: fmt(e.low),
    high: fmt(e.high),
    bucket,
    z: (Math.round(e.z * 10) / 10).toFixed(1),
    days: Math.max(1, Math.round(e.learnedFromMs / 86_400_000)),
  });
  if (e.flagged === undefined || e.scored === undefined) return series;
  return alertText(lang, 'notify.anomaly.entity', { flagged: e.flagged, scored: e.scored, rate: `${Math.round((100 * e.flagged) / Math.max(1, e.scored))}%`, series });
}

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
    case 'anomalous':
      // Series scope: the z; entity scope: the share of series flagged.
      return rule.scope === 'entity' ? `${Math.round(value * 100)}%` : `z = ${(Math.round(value * 10) / 10).toFixed(1)}`;
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
        return ctx.detail === undefined || decodeAnomalyEvidence(ctx.detail) ? whole : hostStatusWord(ctx.detail, lang);
      case 'evidence': {
        const e = decodeAnomalyEvidence(ctx.detail);
        return e ? anomalyEvidenceText(e, lang, locale) : whole;
      }
    }
    const label = ctx.labels[name];
    return label === undefined ? whole : label;
  });
}

function metricName(selectorText: string): string {
  const brace = selectorText.indexOf('{');
  return (brace < 0 ? selectorText : selectorText.slice(0, brace)).trim();
}
