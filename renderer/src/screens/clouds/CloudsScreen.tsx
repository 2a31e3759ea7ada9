// The cloud accounts: a card per account with its collector's state, last
// cycle (duration, calls against the fewest the batch limits allow), data
// freshness and the month's projected calls against the free quota; add,
// edit, pause and remove for accounts added here; mapping-file problems.
import { useEffect, useState } from 'react';
import { takeDialogRequest, useUiRequests } from '../../stores/uiRequests';
import type { CloudAccountView } from '../../../../main/common/clouds';
import { formatDateTime, formatNumber, MISSING } from '../../../../main/common/format';
import { ScreenHeader } from '../../components/ScreenHeader';
import { StateMessage } from '../../components/StateMessage';
import { UsageBar } from '../../components/UsageBar';
import { core } from '../../coreClient';
import { useNow } from '../../hooks/useNow';
import { useI18n, type I18n } from '../../i18n/useI18n';
import { hrefFor } from '../../router';
import { refreshClouds, useClouds } from '../../stores/clouds';
import { formatCycleDuration, formatSince, productLabel } from './cloudDisplay';
import { CloudAccountDialog } from './CloudAccountDialog';
import { CloudStateBadge, ProviderTag } from './CloudInstanceTable';

export function CloudsScreen() {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const { phase, error, accounts, mappings } = useClouds();
  const [dialog, setDialog] = useState<{ account?: CloudAccountView } | null>(null);
  // Asked for from the command palette.
  const requested = useUiRequests((s) => s.dialog);
  useEffect(() => {
    if (takeDialogRequest('add-cloud')) setDialog({});
  }, [requested]);
  const now = useNow(10_000);

  let body;
  if (phase === 'loading' && accounts.length === 0) body = <StateMessage tone="loading" title={t('cloud.loading')} />;
  else if (phase === 'error' && accounts.length === 0)
    body = (
      <StateMessage tone="error" title={t('cloud.error.title')} action={<button type="button" className="btn" onClick={() => void refreshClouds()}>{t('overview.retry')}</button>}>
        {t('overview.error.body', { message: error ?? '' })}
      </StateMessage>
    );
  else if (accounts.length === 0)
    body = (
      <StateMessage tone="empty" title={t('cloud.empty.title')} testId="clouds-empty" action={<button type="button" className="btn btn--primary" onClick={() => setDialog({})}>{t('cloud.add')}</button>}>
        {t('cloud.empty.body')}
      </StateMessage>
    );
  else
    body = (
      <ul className="cloud-account-grid">
        {accounts.map((a) => (
          <li key={a.name}>
            <AccountCard account={a} i18n={i18n} now={now} onEdit={() => setDialog({ account: a })} />
          </li>
        ))}
      </ul>
    );

  return (
    <div className="screen" data-testid="clouds">
      <ScreenHeader
        title={t('cloud.title')}
        meta={accounts.length > 0 ? t('cloud.count', { count: formatNumber(accounts.length, locale, 0) }) : undefined}
        actions={
          <button type="button" className="btn btn--primary" data-testid="cloud-add" onClick={() => setDialog({})}>
            {t('cloud.add')}
          </button>
        }
      />
      {mappings && mappings.problems.length > 0 && (
        <section className="panel panel--warning" data-testid="cloud-mapping-problems" aria-labelledby="cloud-mapping-problems-title">
          <h2 className="panel-title" id="cloud-mapping-problems-title">
            {t('cloud.mappings.problems', { count: mappings.problems.length })}
          </h2>
          <ul className="problem-list">
            {mappings.problems.map((p, i) => (
              <li key={i}>
                <span className="mono small">
                  {p.file}
                  {p.line ? `:${p.line}` : ''}
                </span>{' '}
                {p.field && <span className="mono problem-field">{p.field}</span>} {p.message}
              </li>
            ))}
          </ul>
          <p className="muted small">{t('cloud.mappings.hint', { dir: mappings.userDir })}</p>
        </section>
      )}
      {body}
      {dialog && <CloudAccountDialog {...(dialog.account ? { account: dialog.account } : {})} onClose={() => setDialog(null)} onSaved={() => void refreshClouds()} />}
    </div>
  );
}

function AccountCard({ account: a, i18n, now, onEdit }: { account: CloudAccountView; i18n: I18n; now: number; onEdit: () => void }) {
  const { t, locale } = i18n;
  const s = a.status;
  const [busy, setBusy] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await fn();
      await refreshClouds();
    } finally {
      setBusy(false);
    }
  };
  const products = Object.entries(s.instancesByProduct)
    .map(([p, n]) => `${productLabel(p, t)} ${formatNumber(n, locale, 0)}`)
    .join(' · ');
  const quotaRatio = a.projectedMonthlyCalls !== null && a.freeMonthlyCalls ? a.projectedMonthlyCalls / a.freeMonthlyCalls : null;
  const detail = a.problem ?? s.stateDetail;
  // The card says a failing account's error once: the latest error only when the state line does not already say it.
  const lastError = s.recentErrors[0] && !(detail && (detail.includes(s.recentErrors[0].code) || detail.includes(s.recentErrors[0].message))) ? s.recentErrors[0] : undefined;
  return (
    <article className="card cloud-account-card" data-testid="cloud-account" data-account={a.name} data-state={s.state}>
      <div className="host-card-head">
        <a className="host-card-name" href={hrefFor({ screen: 'cloud-account', account: a.name })} data-testid="cloud-account-link">
          {a.name}
        </a>
        <ProviderTag provider={a.provider} i18n={i18n} />
        {a.provisioned && <span className="badge badge--provisioned">{t('cloud.provisioned')}</span>}
        <span className="spacer" />
        <CloudStateBadge state={s.state} i18n={i18n} />
      </div>
      <div className="host-card-sub muted">
        <span className="mono">{a.regions.join(', ')}</span>
        {' · '}
        {products || t('cloud.noInstancesYet')}
      </div>
      {detail && (
        <p className="status-detail cloud-state-detail" data-testid="cloud-state-detail" title={detail}>
          {detail}
        </p>
      )}
      <dl className="host-card-metrics">
        <div className="metric-row">
          <dt>{t('cloud.lastCycle')}</dt>
          <dd className="num" data-testid="cloud-last-cycle">
            {s.lastCycleStartedAt === null
              ? MISSING
              : t('cloud.lastCycle.value', {
                  ago: formatSince(s.lastCycleStartedAt, now, locale),
                  duration: formatCycleDuration(s.lastCycleDurationMs ?? 0, locale),
                  calls: formatNumber(s.lastCycleCalls ?? 0, locale, 0),
                })}
          </dd>
        </div>
        <div className="metric-row">
          <dt title={t('cloud.minimumCalls.hint')}>{t('cloud.minimumCalls')}</dt>
          <dd className="num">{s.lastCycleMinimumCalls === null ? MISSING : formatNumber(s.lastCycleMinimumCalls, locale, 0)}</dd>
        </div>
        <div className="metric-row">
          <dt>{t('cloud.collectedUntil')}</dt>
          <dd className="num" title={s.collectedUntil ? formatDateTime(s.collectedUntil, locale) : undefined}>
            {s.collectedUntil ? formatSince(s.collectedUntil, now, locale) : MISSING}
            {s.laggingSeries > 0 && <span className="cloud-lagging"> · {t('cloud.lagging', { count: formatNumber(s.laggingSeries, locale, 0) })}</span>}
          </dd>
        </div>
        <div className="metric-row">
          <dt title={t('cloud.monthlyCalls.hint')}>{t('cloud.monthlyCalls')}</dt>
          {quotaRatio !== null ? (
            <dd>
              <UsageBar ratio={Math.min(1, quotaRatio)} />
              <span className="num" data-testid="cloud-monthly-calls">
                {t('cloud.monthlyCalls.ofFree', { calls: formatNumber(a.projectedMonthlyCalls!, locale, 0), free: formatNumber(a.freeMonthlyCalls!, locale, 0) })}
              </span>
            </dd>
          ) : (
            <dd className="num" data-testid="cloud-monthly-calls">
              {a.projectedMonthlyCalls === null ? MISSING : formatNumber(a.projectedMonthlyCalls, locale, 0)}
            </dd>
          )}
        </div>
      </dl>
      {lastError && (
        <p className="cloud-last-error small" title={lastError.message} data-testid="cloud-last-error">
          <span className="mono">{lastError.code}</span> {lastError.message}
          {lastError.count > 1 && <span className="muted"> ×{lastError.count}</span>}
        </p>
      )}
      <div className="cloud-card-actions">
        <a className="btn btn--small" href={hrefFor({ screen: 'cloud-account', account: a.name })}>
          {t('cloud.open')}
        </a>
        {!a.provisioned && (
          <>
            <button type="button" className="btn btn--small" data-testid="cloud-edit" disabled={busy} onClick={onEdit}>
              {t('cloud.edit')}
            </button>
            <button type="button" className="btn btn--small" data-testid="cloud-toggle" disabled={busy} onClick={() => void run(() => core.call('clouds/set-enabled', { account: a.name, enabled: !a.enabled }))}>
              {a.enabled ? t('cloud.pause') : t('cloud.resume')}
            </button>
            {confirmRemove ? (
              <button type="button" className="btn btn--small btn--danger-solid" data-testid="cloud-remove-confirm" disabled={busy} onClick={() => void run(() => core.call('clouds/remove', { account: a.name }))}>
                {t('cloud.remove.confirm')}
              </button>
            ) : (
              <button type="button" className="btn btn--small btn--danger" data-testid="cloud-remove" disabled={busy} onClick={() => setConfirmRemove(true)}>
                {t('cloud.remove')}
              </button>
            )}
          </>
        )}
      </div>
    </article>
  );
}
