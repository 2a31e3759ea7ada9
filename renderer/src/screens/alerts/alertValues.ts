import { formatDuration, formatList, formatMetricValue, formatNumber, formatPercent, formatThreshold } from '../../../../main/common/format';
import type { AlertView } from '../../../../main/common/alertModel';
import type { AlertRule } from '../../../../main/common/alertRules';
import type { I18n } from '../../i18n/useI18n';

/**
 * An alert's value as the list shows it. A no-data rule's value is how long
 * its series has been silent (seconds), not a value of the series: it reads as
 * a duration, never in the series' unit (a CPU ratio would show "1,655%").
 * Null means the alert has no value (no data): the caller shows its own text.
 */
export function formatAlertValue(seriesKey: string, value: number | null, locale: string, options: { silence?: boolean; anomaly?: 'series' | 'entity' } = {}): string | null {
  if (value === null) return null;
  if (options.silence) return formatDuration(value, locale);
  // An anomalous rule's value is the series' z (series scope) or the entity's share of unusual series (entity scope), not the series' unit.
  if (options.anomaly === 'series') return `z = ${formatNumber(value, locale, 1)}`;
  if (options.anomaly === 'entity') return formatPercent(value, locale);
  return formatMetricValue(seriesKey.split('{')[0]!, value, locale);
}


/**
 * How long an alert has been in its state ("For"), in ms, never negative.
 * The screen's clock ticks every few seconds and the browser's clock may be
 * behind the console's (the headless console on another machine), so a new
 * alert arrives "from the future": the console's own last evaluation
 * (`lastEvalAt`, on its clock, never before the alert began) is the least
 * "now" can be.
 */
export function alertForMs(alert: Pick<AlertView, 'status' | 'activeAt' | 'firedAt' | 'lastEvalAt'>, now: number): number {
  const start = alert.status === 'firing' ? (alert.firedAt ?? alert.activeAt) : alert.activeAt;
  return Math.max(0, Math.max(now, alert.lastEvalAt) - start);
}

/** A rule's condition in words, in the UI's language (the rules table). */
export function conditionText(rule: AlertRule, i18n: I18n): string {
  const { t, locale } = i18n;
  switch (rule.type) {
    case 'threshold': {
      const metric = rule.selector.split('{')[0]!.trim();
      return t('alerts.condition.threshold', {
        aggregate: t(`alerts.aggregate.${rule.aggregate}`),
        selector: rule.selector,
        window: formatDuration(rule.window / 1000, locale),
        op: rule.op,
        threshold: formatThreshold(metric, rule.threshold, locale),
      });
    }
    case 'absent':
      return t('alerts.condition.absent', { selector: rule.selector, window: formatDuration(rule.window / 1000, locale) });
    case 'host_status':
      return t('alerts.condition.hostStatus', { statuses: formatList(rule.statuses.map((s) => t(`status.${s}`)), locale, 'or'), for: formatDuration(rule.for / 1000, locale) });
    case 'anomalous':
      return t('alerts.condition.anomalous', {
        selector: rule.selector,
        scope: t(`anomaly.condition.scope.${rule.scope}`),
        direction: t(`anomaly.condition.direction.${rule.direction}`),
        sensitivity: t(`anomaly.condition.sensitivity.${rule.sensitivity}`),
      });
  }
}
