// The service checks: one row per check with its kind, target and interval,
// and under it one line per vantage point (this console, an SSH host) with
// what that point saw last: up or down and why, latency, status code, days
// the certificate has left. Add, edit, test now, pause and delete for checks
// added here; those from the provisioning file are read-only.
import { useEffect, useState } from 'react';
import type { CheckView } from '../../../../main/common/checks';
import { formatDateTime, formatNumber, MISSING } from '../../../../main/common/format';
import { ScreenHeader } from '../../components/ScreenHeader';
import { StateMessage } from '../../components/StateMessage';
import { core } from '../../coreClient';
import { useNow } from '../../hooks/useNow';
import type { MessageKey } from '../../i18n/catalogue';
import { useI18n, type I18n } from '../../i18n/useI18n';
import { putCheck, refreshChecks, useChecks } from '../../stores/checks';
import { useHosts } from '../../stores/hosts';
import { takeDialogRequest, useUiRequests } from '../../stores/uiRequests';
import { formatSince } from '../clouds/cloudDisplay';
import { certDaysLeft, certWarnDays, reasonKey, checkState, isConsoleVantage, lastRun, sortChecks, vantageRows, type VantageRow, type VantageState } from './checkDisplay';
import { CheckDialog } from './CheckDialog';

const stateTone: Record<VantageState, string> = { up: 'ok', down: 'bad', pending: 'neutral', paused: 'neutral' };

export function ChecksScreen() {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const { phase, error, checks } = useChecks();
  const [dialog, setDialog] = useState<{ check?: CheckView } | null>(null);
  const requested = useUiRequests((s) => s.dialog);
  useEffect(() => {
    if (takeDialogRequest('add-check')) setDialog({});
  }, [requested]);
  const now = useNow(5_000);
  const down = checks.filter((c) => checkState(c) === 'down').length;

  let body;
  if (phase === 'loading' && checks.length === 0) body = <StateMessage tone="loading" title={t('checks.loading')} />;
  else if (phase === 'error' && checks.length === 0)
    body = (
      <StateMessage tone="error" title={t('checks.error.title')} action={<button type="button" className="btn" onClick={() => void refreshChecks()}>{t('overview.retry')}</button>}>
        {t('overview.error.body', { message: error ?? '' })}
      </StateMessage>
    );
  else if (checks.length === 0)
    body = (
      <StateMessage tone="empty" title={t('checks.empty.title')} testId="checks-empty" action={<button type="button" className="btn btn--primary" onClick={() => setDialog({})}>{t('checks.add')}</button>}>
        {t('checks.empty.body')}
      </StateMessage>
    );
  else
    body = (
      <div className="table-scroll">
        <table className="data-table checks-table" data-testid="checks-table">
          <thead>
            <tr>
              <th scope="col">{t('checks.col.check')}</th>
              <th scope="col">{t('checks.col.vantages')}</th>
              <th scope="col">{t('checks.col.lastRun')}</th>
              <th scope="col" className="checks-actions-col">
                <span className="sr-only">{t('checks.col.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sortChecks(checks).map((c) => (
              <CheckRow key={c.name} check={c} i18n={i18n} now={now} onEdit={() => setDialog({ check: c })} />
            ))}
          </tbody>
        </table>
      </div>
    );

  return (
    <div className="screen" data-testid="checks">
      <ScreenHeader
        title={t('checks.title')}
        meta={checks.length > 0 ? [t('checks.count', { count: formatNumber(checks.length, locale, 0) }), down > 0 ? t('checks.countDown', { count: formatNumber(down, locale, 0) }) : ''].filter(Boolean).join(' · ') : undefined}
        metaTestId="checks-count"
        actions={
          <button type="button" className="btn btn--primary" data-testid="check-add" onClick={() => setDialog({})}>
            {t('checks.add')}
          </button>
        }
      />
      {body}
      {dialog && <CheckDialog {...(dialog.check ? { check: dialog.check } : {})} onClose={() => setDialog(null)} />}
    </div>
  );
}

/** A vantage point as people know it: "this console", or the SSH host's name. */
export function useVantageLabel(): (vantage: string) => string {
  const { t } = useI18n();
  const hosts = useHosts((s) => s.hosts);
  return (v) => (isConsoleVantage(v) ? t('checks.vantage.console') : (hosts.find((h) => h.id === v)?.name ?? v));
}

export function CheckStateBadge({ state, i18n, testId }: { state: VantageState; i18n: I18n; testId?: string }) {
  return (
    <span className={`badge badge--${stateTone[state]}`} data-state={state} data-testid={testId}>
      <span className="badge-dot" aria-hidden="true" />
      {i18n.t(`checks.state.${state}` as MessageKey)}
    </span>
  );
}

function CheckRow({ check: c, i18n, now, onEdit }: { check: CheckView; i18n: I18n; now: number; onEdit: () => void }) {
  const { t, locale } = i18n;
  const [busy, setBusy] = useState<'run' | 'toggle' | 'remove' | null>(null);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [tested, setTested] = useState<{ at: number; error?: string } | null>(null);
  const label = useVantageLabel();
  const rows = vantageRows(c);
  const last = lastRun(c);
  const act = async (what: 'run' | 'toggle' | 'remove', fn: () => Promise<CheckView | boolean>) => {
    setBusy(what);
    try {
      const view = await fn();
      if (typeof view === 'object') putCheck(view);
      else await refreshChecks();
      if (what === 'run') setTested({ at: Date.now() });
    } catch (err) {
      setTested({ at: Date.now(), error: (err as Error).message });
    } finally {
      setBusy(null);
    }
  };
  return (
    <tr data-testid="check-row" data-check={c.name} data-state={checkState(c)}>
      <td className="checks-name-cell">
        <div className="checks-name">
          <strong className="mono">{c.name}</strong>
          <span className="tag">{t(`checks.kind.${c.kind}` as MessageKey)}</span>
          {c.provisioned && <span className="badge badge--provisioned" title={t('checks.provisioned.hint')}>{t('checks.provisioned')}</span>}
        </div>
        <div className="muted small mono checks-target" title={c.target}>
          {c.target}
        </div>
        <div className="muted small">{t('checks.every', { interval: formatSeconds(c.intervalMs / 1000, locale), timeout: formatSeconds(c.timeoutMs / 1000, locale) })}</div>
      </td>
      <td>
        <ul className="checks-vantages">
          {rows.map((r) => (
            <VantageLine key={r.vantage} row={r} label={label(r.vantage)} i18n={i18n} now={now} warnDays={certWarnDays(c)} />
          ))}
        </ul>
        {tested && (
          <p className={`small ${tested.error ? 'form-error' : 'muted'}`} role="status" data-testid="check-tested">
            {tested.error ? tested.error : t('checks.tested', { ago: formatSince(tested.at, now, locale) })}
          </p>
        )}
      </td>
      <td className="muted small" title={last ? formatDateTime(last, locale) : undefined} data-testid="check-last-run">
        {last ? formatSince(last, now, locale) : MISSING}
      </td>
      <td className="checks-actions">
        <button type="button" className="btn btn--small" data-testid="check-run" disabled={busy !== null} onClick={() => void act('run', () => core.call('checks/run', { name: c.name }))}>
          {busy === 'run' ? t('checks.running') : t('checks.run')}
        </button>
        {!c.provisioned && (
          <>
            <button type="button" className="btn btn--small" data-testid="check-toggle" disabled={busy !== null} onClick={() => void act('toggle', () => core.call('checks/set-enabled', { name: c.name, enabled: !c.enabled }))}>
              {c.enabled ? t('checks.pause') : t('checks.resume')}
            </button>
            <button type="button" className="btn btn--small" data-testid="check-edit" disabled={busy !== null} onClick={onEdit}>
              {t('checks.edit')}
            </button>
            {confirmRemove ? (
              <button type="button" className="btn btn--small btn--danger-solid" data-testid="check-remove-confirm" disabled={busy !== null} onClick={() => void act('remove', () => core.call('checks/remove', { name: c.name }))}>
                {t('checks.remove.confirm')}
              </button>
            ) : (
              <button type="button" className="btn btn--small btn--danger" data-testid="check-remove" disabled={busy !== null} onClick={() => setConfirmRemove(true)}>
                {t('checks.remove')}
              </button>
            )}
          </>
        )}
      </td>
    </tr>
  );
}

function VantageLine({ row: r, label, i18n, now, warnDays }: { row: VantageRow; label: string; i18n: I18n; now: number; warnDays: number }) {
  const { t, locale } = i18n;
  const days = certDaysLeft(r.result, now);
  const facts: string[] = [];
  if (r.result) {
    facts.push(t('checks.latency', { ms: formatNumber(r.result.durationSeconds * 1000, locale, r.result.durationSeconds < 0.001 ? 2 : r.result.durationSeconds < 0.01 ? 1 : 0) }));
    if (r.result.statusCode !== undefined) facts.push(t('checks.status', { code: r.result.statusCode }));
  }
  return (
    <li className="checks-vantage" data-testid="check-vantage" data-vantage={r.vantage} data-state={r.state}>
      <CheckStateBadge state={r.state} i18n={i18n} />
      <span className="checks-vantage-name">{label}</span>
      {facts.length > 0 && <span className="muted small num">{facts.join(' · ')}</span>}
      {days !== undefined && (
        <span
          className={`small num ${days < warnDays ? 'checks-cert--warn' : 'muted'}`}
          data-testid="check-cert-days"
          data-warn={days < warnDays}
          title={`${formatDateTime(r.result!.certExpiry! * 1000, locale)} · ${t('checks.cert.warnAt', { days: warnDays })}`}
        >
          {days < 0 ? t('checks.cert.expired') : t('checks.cert.days', { days })}
        </span>
      )}
      {r.result && !r.result.up && r.result.detail && (
        <span className="status-detail checks-reason" data-testid="check-reason" data-reason={r.result.reason} title={r.result.detail}>
          {reasonKey(r.result) ? t(reasonKey(r.result)!) : r.result.detail}
        </span>
      )}
    </li>
  );
}

/** An interval or timeout: "30 s", "1.5 s", "5 min". */
function formatSeconds(s: number, locale: string): string {
  if (s >= 60 && s % 60 === 0) return new Intl.NumberFormat(locale, { style: 'unit', unit: 'minute', unitDisplay: 'short' }).format(s / 60);
  return new Intl.NumberFormat(locale, { style: 'unit', unit: 'second', unitDisplay: 'short', maximumFractionDigits: 1 }).format(s);
}
