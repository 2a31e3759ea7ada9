import { useMemo } from 'react';
import { StateMessage } from '../components/StateMessage';
import { useNow } from '../hooks/useNow';
import { useI18n } from '../i18n/useI18n';
import { refreshHosts, useHosts } from '../stores/hosts';
import { HostCard } from './HostCard';

const byName = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export function Overview() {
  const i18n = useI18n();
  const { t } = i18n;
  const { phase, error, hosts, summaries } = useHosts();
  const now = useNow(10_000);
  const sorted = useMemo(() => [...hosts].sort((a, b) => byName.compare(a.name, b.name)), [hosts]);

  let body;
  if (phase === 'loading' && hosts.length === 0) {
    body = <StateMessage tone="loading" title={t('overview.loading')} testId="overview-loading" />;
  } else if (phase === 'error' && hosts.length === 0) {
    body = (
      <StateMessage
        tone="error"
        title={t('overview.error.title')}
        testId="overview-error"
        action={
          <button type="button" className="btn" onClick={() => void refreshHosts()}>
            {t('overview.retry')}
          </button>
        }
      >
        {t('overview.error.body', { message: error ?? '' })}
      </StateMessage>
    );
  } else if (sorted.length === 0) {
    body = (
      <StateMessage tone="empty" title={t('overview.empty.title')} testId="overview-empty">
        {t('overview.empty.body')}
      </StateMessage>
    );
  } else {
    body = (
      <ul className="host-grid">
        {sorted.map((host) => (
          <li key={host.id}>
            <HostCard host={host} summary={summaries[host.id]} i18n={i18n} now={now} />
          </li>
        ))}
      </ul>
    );
  }

  return (
    <div className="screen" data-testid="overview">
      <div className="screen-head">
        <h1 tabIndex={-1} className="screen-title">
          {t('overview.title')}
        </h1>
        {phase === 'ready' && sorted.length > 0 && (
          <span className="muted">{sorted.length === 1 ? t('overview.countOne') : t('overview.count', { count: sorted.length })}</span>
        )}
      </div>
      {body}
    </div>
  );
}
