import { useState, type ReactNode } from 'react';
import { alertForMs, conditionText, formatAlertValue } from './alertValues';
import type { AlertView, RuleView } from '../../../../main/common/alertModel';
import type { AlertRule } from '../../../../main/common/alertRules';
import type { AlertSilenceScope } from '../../../../main/common/contract';
import { formatDateTime, formatDuration, formatList, formatThreshold } from '../../../../main/common/format';
import { ScreenHeader } from '../../components/ScreenHeader';
import { StateMessage } from '../../components/StateMessage';
import { core } from '../../coreClient';
import { useNow } from '../../hooks/useNow';
import type { I18n } from '../../i18n/useI18n';
import { useI18n } from '../../i18n/useI18n';
import { refreshAlerts, useAlerts } from '../../stores/alerts';
import { useClouds } from '../../stores/clouds';
import { browserNotificationsSupported } from '../../stores/toasts';
import { RuleEditor, labelText } from './RuleEditor';
import { alertSummary, ruleDisplayName } from './alertTexts';
import { ChannelsPanel } from './ChannelsPanel';
import { SilencesPanel } from './SilencesPanel';
import { AlertHistory } from './AlertHistory';
import { emptyRuleForm, formFromAnomalousRule, formFromRule, suggestedWindowMs, type RuleForm } from './ruleForm';

const SILENCE_CHOICES_MS = [15 * 60_000, 3_600_000, 4 * 3_600_000, 86_400_000, 7 * 86_400_000] as const;
const DEFAULT_SILENCE_MS = 3_600_000;

export function AlertsScreen() {
  const i18n = useI18n();
  const { t } = i18n;
  const state = useAlerts();
  const now = useNow(5000);
  const [editing, setEditing] = useState<{ id?: string; form: RuleForm } | null>(null);
  const [actionError, setActionError] = useState<string>();

  const act = async (fn: () => Promise<unknown>) => {
    setActionError(undefined);
    try {
      await fn();
    } catch (err) {
      setActionError((err as Error).message);
    }
  };

  if (state.phase === 'loading') return <Screen i18n={i18n} body={<StateMessage tone="loading" title={t('alerts.loading')} />} />;
  if (state.phase === 'error')
    return (
      <Screen
        i18n={i18n}
        body={
          <StateMessage
            tone="error"
            title={t('alerts.error.title')}
            action={
              <button type="button" className="btn" onClick={() => void refreshAlerts()}>
                {t('overview.retry')}
              </button>
            }
          >
            {t('alerts.error.body', { message: state.error ?? '' })}
          </StateMessage>
        }
      />
    );

  const failed = state.deliveries.filter((d) => d.status === 'failed');
  const absentRuleIds = new Set(state.rules.filter((r) => r.rule.type === 'absent').map((r) => r.rule.id));
  const anomalyScopes = new Map(state.rules.flatMap((r) => (r.rule.type === 'anomalous' ? [[r.rule.id, r.rule.scope] as const] : [])));

  return (
    <Screen
      i18n={i18n}
      count={state.alerts.filter((a) => a.status === 'firing').length}
      headTools={state.shell === 'headless' ? <NotificationPermission i18n={i18n} /> : undefined}
      body={
        <>
          {actionError && (
            <p className="form-error" role="alert">
              {actionError}
            </p>
          )}
          {state.problems.length > 0 && (
            <section className="panel panel--warning" data-testid="alert-config-problems" aria-labelledby="alert-problems-title">
              <h2 id="alert-problems-title" className="panel-title">
                {t('alerts.problems.title')}
              </h2>
              <ul className="problem-list">
                {state.problems.map((p, i) => (
                  <li key={i}>
                    <span className="mono">
                      {p.file}
                      {p.line ? `:${p.line}` : ''}
                      {p.field ? ` ${p.field}` : ''}
                    </span>{' '}
                    — {p.message}
                  </li>
                ))}
              </ul>
            </section>
          )}

          <section className="panel" aria-labelledby="alerts-current-title">
            <h2 id="alerts-current-title" className="panel-title">
              {t('alerts.current.title')}
            </h2>
            {state.alerts.length === 0 ? (
              <p className="muted" data-testid="alerts-empty">
                {t('alerts.current.empty')}
              </p>
            ) : (
              <div className="table-wrap">
                <table className="data-table alerts-table" data-testid="alerts-table">
                  <thead>
                    <tr>
                      <th scope="col">{t('alerts.col.severity')}</th>
                      <th scope="col">{t('alerts.col.alert')}</th>
                      <th scope="col">{t('alerts.col.state')}</th>
                      <th scope="col" className="num">
                        {t('alerts.col.value')}
                      </th>
                      <th scope="col">{t('alerts.col.since')}</th>
                      <th scope="col">{t('alerts.col.actions')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {state.alerts.map((a) => (
                      <AlertRow key={a.alertId} alert={a} rules={state.rules} silenceValue={absentRuleIds.has(a.ruleId)} anomaly={anomalyScopes.get(a.ruleId)} now={now} i18n={i18n} act={act} />
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>

          <SilencesPanel silences={state.silences} rules={state.rules} now={now} i18n={i18n} act={act} />

          <section className="panel" aria-labelledby="alerts-rules-title">
            <div className="panel-head">
              <h2 id="alerts-rules-title" className="panel-title">
                {t('alerts.rules.title')}
              </h2>
              {!editing && (
                <button type="button" className="btn btn--primary" data-testid="new-rule" onClick={() => setEditing({ form: emptyRuleForm() })}>
                  {t('alerts.rules.new')}
                </button>
              )}
            </div>
            {editing && (
              <RuleEditor
                key={editing.id ?? 'new'}
                initial={editing.form}
                ruleId={editing.id}
                channels={state.channels}
                i18n={i18n}
                onSaved={() => {
                  setEditing(null);
                  void refreshAlerts();
                }}
                onCancel={() => setEditing(null)}
              />
            )}
            <div className="table-wrap">
              <table className="data-table" data-testid="rules-table">
                <thead>
                  <tr>
                    <th scope="col">{t('alerts.col.rule')}</th>
                    <th scope="col">{t('alerts.col.condition')}</th>
                    <th scope="col">{t('alerts.col.severity')}</th>
                    <th scope="col">{t('alerts.col.channels')}</th>
                    <th scope="col">{t('alerts.col.enabled')}</th>
                    <th scope="col">{t('alerts.col.actions')}</th>
                  </tr>
                </thead>
                <tbody>
                  {state.rules.map((r) => (
                    <RuleRow
                      key={r.rule.id}
                      view={r}
                      i18n={i18n}
                      act={act}
                      onEdit={
                        r.rule.type === 'threshold'
                          ? () => setEditing({ id: r.rule.id, form: formFromRule(r.rule as Extract<AlertRule, { type: 'threshold' }>) })
                          : r.rule.type === 'anomalous' && r.rule.origin === 'user'
                            ? () => setEditing({ id: r.rule.id, form: formFromAnomalousRule(r.rule as Extract<AlertRule, { type: 'anomalous' }>) })
                            : undefined
                      }
                    />
                  ))}
                </tbody>
              </table>
            </div>
          </section>

          <ChannelsPanel channels={state.channelViews} i18n={i18n} act={act} />

          <section className="panel" aria-labelledby="alerts-deliveries-title">
            <h2 id="alerts-deliveries-title" className="panel-title">
              {t('alerts.deliveries.title')}
              {failed.length > 0 && <span className="badge badge--critical">{t('alerts.deliveries.failedCount', { count: failed.length })}</span>}
            </h2>
            {state.deliveries.length === 0 ? (
              <p className="muted">{t('alerts.deliveries.empty')}</p>
            ) : (
              <div className="table-wrap">
                <table className="data-table" data-testid="deliveries-table">
                  <thead>
                    <tr>
                      <th scope="col">{t('alerts.col.when')}</th>
                      <th scope="col">{t('alerts.col.channel')}</th>
                      <th scope="col">{t('alerts.col.notification')}</th>
                      <th scope="col">{t('alerts.col.status')}</th>
                      <th scope="col">{t('alerts.col.error')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {state.deliveries.slice(0, 20).map((d) => (
                      <tr key={d.id} data-status={d.status}>
                        <td>{formatDateTime(d.createdAt, i18n.locale)}</td>
                        <td>{d.channel === 'desktop' ? t('alerts.channel.desktop') : d.channel}</td>
                        <td>{d.title}</td>
                        <td>
                          <span className={`badge badge--delivery-${d.status}`}>{t(`alerts.delivery.${d.status}`)}</span>
                          {d.attempts > 1 && <span className="muted"> {t('alerts.delivery.attempts', { count: d.attempts })}</span>}
                        </td>
                        <td className="error-text">{d.lastError ?? ''}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>

          <AlertHistory i18n={i18n} absentRuleIds={absentRuleIds} anomalyScopes={anomalyScopes} />
        </>
      }
    />
  );
}

function Screen({ i18n, body, count, headTools }: { i18n: I18n; body: ReactNode; count?: number; headTools?: ReactNode }) {
  const { t } = i18n;
  return (
    <div className="screen" data-testid="alerts-screen">
      <ScreenHeader title={t('alerts.title')} meta={count === undefined ? undefined : t('alerts.firingCount', { count })} actions={headTools} />
      {body}
    </div>
  );
}

/** `silence`: the value of a no-data (absent) rule is the seconds without a point (core/alerts/evaluate.ts), not the series' unit. */
function valueText(key: string, value: number | null, i18n: I18n, silence = false, anomaly?: 'series' | 'entity'): string {
  return formatAlertValue(key, value, i18n.locale, { silence, ...(anomaly ? { anomaly } : {}) }) ?? i18n.t('alerts.value.noData');
}

function AlertRow({ alert, rules, silenceValue, anomaly, now, i18n, act }: { alert: AlertView; rules: RuleView[]; silenceValue: boolean; anomaly?: 'series' | 'entity'; now: number; i18n: I18n; act: (fn: () => Promise<unknown>) => Promise<void> }) {
  const { t, locale } = i18n;
  const [durationMs, setDurationMs] = useState<number>(DEFAULT_SILENCE_MS);
  const [scope, setScope] = useState<AlertSilenceScope>('alert');
  const [note, setNote] = useState('');
  const start = alert.status === 'firing' ? (alert.firedAt ?? alert.activeAt) : alert.activeAt;
  const durationLabel = t(`alerts.silence.for.${durationKey(durationMs)}`);
  return (
    <tr data-testid="alert-row" data-status={alert.status} data-muted={String(alert.muted)} data-rule={alert.ruleName}>
      <td>
        <span className={`badge badge--${alert.severity}`}>{t(`alerts.severity.${alert.severity}`)}</span>
      </td>
      <td>
        <div className="alert-name">{ruleDisplayName({ id: alert.ruleId, name: alert.ruleName }, i18n)}</div>
        <div className="muted small" data-testid="alert-summary">
          {alertSummary(alert, rules, i18n)}
        </div>
      </td>
      <td>
        <span className={`badge badge--state-${alert.status}`}>{t(`alerts.status.${alert.status}`)}</span>
        {alert.muted && (
          <span className="badge badge--muted" data-testid="muted-badge" title={t('alerts.muted.hint')}>
            {t('alerts.muted')}
          </span>
        )}
        {alert.inhibited && !alert.muted && (
          <span className="badge badge--muted" data-testid="inhibited-badge" title={t('alerts.inhibited.hint')}>
            {t('alerts.inhibited')}
          </span>
        )}
      </td>
      <td className="num">{valueText(alert.key, alert.value, i18n, silenceValue, anomaly)}</td>
      <td title={formatDateTime(start, locale)} data-testid="alert-for">
        {formatDuration(alertForMs(alert, now) / 1000, locale)}
      </td>
      <td className="alert-actions">
        {alert.muted ? (
          <button type="button" className="btn btn--small" data-testid="unsilence-button" onClick={() => void act(() => Promise.all(alert.silenceIds.map((id) => core.call('alerts/unsilence', { id }))))}>
            {t('alerts.unsilence')}
          </button>
        ) : alert.status !== 'resolved' ? (
          <div className="silence-controls">
            <button
              type="button"
              className="btn btn--small"
              data-testid="silence-button"
              onClick={() => void act(() => core.call('alerts/silence', { alertId: alert.alertId, scope, durationMs, ...(note.trim() ? { comment: note.trim() } : {}) }))}
            >
              {t('alerts.silence.button', { duration: durationLabel })}
            </button>
            <select aria-label={t('alerts.silence.duration')} className="select--small" value={durationMs} onChange={(e) => setDurationMs(Number(e.target.value))}>
              {SILENCE_CHOICES_MS.map((ms) => (
                <option key={ms} value={ms}>
                  {t(`alerts.silence.for.${durationKey(ms)}`)}
                </option>
              ))}
            </select>
            <select aria-label={t('alerts.silence.scope')} className="select--small" value={scope} onChange={(e) => setScope(e.target.value as AlertSilenceScope)}>
              <option value="alert">{t('alerts.silence.scope.alert')}</option>
              <option value="rule">{t('alerts.silence.scope.rule')}</option>
              {alert.labels.host !== undefined && <option value="host">{t('alerts.silence.scope.host', { host: alert.labels.host })}</option>}
              {alert.labels.cloud !== undefined && alert.labels.instance !== undefined && (
                <option value="instance">{t('alerts.silence.scope.instance', { instance: alert.labels.instance })}</option>
              )}
            </select>
            <input
              className="select--small silence-note"
              data-testid="silence-note-input"
              aria-label={t('alerts.silence.note')}
              placeholder={t('alerts.silence.note')}
              maxLength={500}
              value={note}
              onChange={(e) => setNote(e.target.value)}
            />
          </div>
        ) : null}
      </td>
    </tr>
  );
}

function durationKey(ms: number): '15m' | '1h' | '4h' | '1d' | '7d' {
  switch (ms) {
    case 15 * 60_000:
      return '15m';
    case 4 * 3_600_000:
      return '4h';
    case 86_400_000:
      return '1d';
    case 7 * 86_400_000:
      return '7d';
    default:
      return '1h';
  }
}

function RuleRow({ view, i18n, act, onEdit }: { view: RuleView; i18n: I18n; act: (fn: () => Promise<unknown>) => Promise<void>; onEdit?: () => void }) {
  const { t } = i18n;
  const { rule } = view;
  const readOnly = rule.origin === 'provisioned';
  // A cloud metric's window shorter than its accounts' lag never holds a point (a provisioned rule writes its own).
  const accounts = useClouds((s) => s.accounts);
  const lagMs = rule.type === 'threshold' ? suggestedWindowMs(rule.selector, accounts) : undefined;
  return (
    <tr data-testid="rule-row" data-rule={rule.name} data-origin={rule.origin}>
      <th scope="row">
        <div className="alert-name">
          {ruleDisplayName(rule, i18n)}{' '}
          {rule.origin === 'provisioned' && (
            <span className="badge badge--provisioned" data-testid="provisioned-badge" title={t('alerts.origin.provisioned.hint')}>
              {t('alerts.origin.provisioned')}
            </span>
          )}
          {rule.origin === 'builtin' && <span className="badge badge--builtin">{t('alerts.origin.builtin')}</span>}
        </div>
        {(view.firing > 0 || view.pending > 0) && <div className="muted small">{t('alerts.rules.counts', { firing: view.firing, pending: view.pending })}</div>}
        {view.health.lastError && <div className="error-text small cell-note">{t('alerts.rules.evalError', { message: view.health.lastError })}</div>}
        {rule.type === 'threshold' && lagMs !== undefined && rule.window < lagMs && (
          <div className="warn-text small cell-note" data-testid="rule-window-short">
            {t('alerts.rules.cloudWindowShort', { window: formatDuration(rule.window / 1000, i18n.locale), lag: formatDuration(lagMs / 1000, i18n.locale) })}
          </div>
        )}
      </th>
      <td className="mono small">{conditionText(rule, i18n)}</td>
      <td>
        <span className={`badge badge--${rule.severity}`}>{t(`alerts.severity.${rule.severity}`)}</span>
      </td>
      <td className="small">{formatList(rule.channels.map((c) => (c === 'desktop' ? t('alerts.channel.desktop') : c)), i18n.locale)}</td>
      <td>
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            data-testid="rule-enabled"
            checked={rule.enabled}
            disabled={readOnly}
            aria-label={t('alerts.rules.enable', { name: ruleDisplayName(rule, i18n) })}
            onChange={(e) => void act(() => core.call('alerts/rule-enable', { id: rule.id, enabled: e.target.checked }))}
          />
        </label>
      </td>
      <td className="alert-actions">
        {!readOnly && onEdit && (
          <button type="button" className="btn btn--small" data-testid="edit-rule" onClick={onEdit}>
            {t('alerts.rules.edit')}
          </button>
        )}
        {rule.origin === 'user' && (
          <button
            type="button"
            className="btn btn--small btn--danger"
            data-testid="delete-rule"
            onClick={() => {
              if (window.confirm(t('alerts.rules.deleteConfirm', { name: ruleDisplayName(rule, i18n) }))) void act(() => core.call('alerts/rule-delete', { id: rule.id }));
            }}
          >
            {t('alerts.rules.delete')}
          </button>
        )}
        {readOnly && <span className="muted small">{t('alerts.rules.readOnly')}</span>}
      </td>
    </tr>
  );
}

function NotificationPermission({ i18n }: { i18n: I18n }) {
  const { t } = i18n;
  const [permission, setPermission] = useState<NotificationPermission | 'unsupported'>(() => (browserNotificationsSupported() ? Notification.permission : 'unsupported'));
  if (permission === 'unsupported') return <span className="muted small">{t('alerts.notify.unsupported')}</span>;
  if (permission === 'granted') return <span className="muted small">{t('alerts.notify.granted')}</span>;
  if (permission === 'denied') return <span className="muted small">{t('alerts.notify.denied')}</span>;
  return (
    <button type="button" className="btn btn--plain" data-testid="enable-notifications" onClick={() => void Notification.requestPermission().then(setPermission, () => setPermission(Notification.permission))}>
      {t('alerts.notify.enable')}
    </button>
  );
}
