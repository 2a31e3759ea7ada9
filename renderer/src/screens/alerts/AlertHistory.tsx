// The alert history over the header's time range: the transitions between
// its start and end (newest first), asked for again whenever a state changes
// or the range does.
import { useEffect, useState } from 'react';
import type { TransitionRecord } from '../../../../main/common/alertModel';
import { formatDateTime, formatDuration } from '../../../../main/common/format';
import { core } from '../../coreClient';
import type { I18n } from '../../i18n/useI18n';
import { useAlerts } from '../../stores/alerts';
import { useConnection } from '../../stores/connection';
import { useTimeSelection } from '../../stores/timeSelection';
import { rangeDurationMs, rangeLongLabelKey } from '../../timeRange';
import { formatAlertValue } from './alertValues';
import { labelText } from './RuleEditor';
import { ruleDisplayName } from './alertTexts';

const HISTORY_LIMIT = 200;

export function AlertHistory({ i18n, absentRuleIds, anomalyScopes }: { i18n: I18n; absentRuleIds: ReadonlySet<string>; anomalyScopes?: ReadonlyMap<string, 'series' | 'entity'> }) {
  const { t, locale } = i18n;
  const time = useTimeSelection();
  // The store's latest transitions change with every state change: the cue to ask again.
  const latest = useAlerts((s) => s.history[0]?.id);
  const epoch = useConnection((s) => s.epoch);
  const [rows, setRows] = useState<TransitionRecord[] | null>(null);
  const [error, setError] = useState<string>();

  useEffect(() => {
    if (epoch === 0) return;
    let cancelled = false;
    const to = time.fixed ? time.fixed.to : Date.now();
    const from = time.fixed ? time.fixed.from : to - rangeDurationMs[time.range];
    core.call('alerts/history', { from, to, limit: HISTORY_LIMIT }).then(
      (history) => !cancelled && (setRows(history), setError(undefined)),
      (err: Error) => !cancelled && setError(err.message),
    );
    return () => {
      cancelled = true;
    };
  }, [time, latest, epoch]);

  const over = time.fixed
    ? t('topk.overWindow', { from: formatDateTime(time.fixed.from, locale), to: formatDateTime(time.fixed.to, locale) })
    : t('topk.over', { range: t(rangeLongLabelKey(time.range)) });

  return (
    <section className="panel" aria-labelledby="alerts-history-title" data-testid="alerts-history">
      <h2 id="alerts-history-title" className="panel-title">
        {t('alerts.history.title')} <span className="muted small" data-testid="alerts-history-range">{over}</span>
      </h2>
      {error && <p className="error-text small">{error}</p>}
      {rows === null ? null : rows.length === 0 ? (
        <p className="muted">{t('alerts.history.emptyInRange')}</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table" data-testid="history-table">
            <thead>
              <tr>
                <th scope="col">{t('alerts.col.when')}</th>
                <th scope="col">{t('alerts.col.rule')}</th>
                <th scope="col">{t('alerts.col.series')}</th>
                <th scope="col">{t('alerts.col.change')}</th>
                <th scope="col" className="num">
                  {t('alerts.col.value')}
                </th>
                <th scope="col">{t('alerts.col.duration')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.slice(0, 100).map((h) => (
                <tr key={h.id}>
                  <td>{formatDateTime(h.at, locale)}</td>
                  <td>{ruleDisplayName({ id: h.ruleId, name: h.ruleName }, i18n)}</td>
                  <td className="mono small">{labelText(h.labels)}</td>
                  <td>
                    {t(`alerts.status.${h.from}`)} → {t(`alerts.status.${h.to}`)}
                  </td>
                  <td className="num">{formatAlertValue(h.key, h.value, locale, { silence: absentRuleIds.has(h.ruleId), ...(anomalyScopes?.has(h.ruleId) ? { anomaly: anomalyScopes.get(h.ruleId)! } : {}) }) ?? t('alerts.value.noData')}</td>
                  <td>{formatDuration(h.durationMs / 1000, locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
