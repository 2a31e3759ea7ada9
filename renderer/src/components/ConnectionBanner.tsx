import { useConnection } from '../stores/connection';
import { useI18n } from '../i18n/useI18n';
import { useNow } from '../hooks/useNow';

/** Shown only while the link to the core is down; the page keeps its last data meanwhile. */
export function ConnectionBanner() {
  const status = useConnection((s) => s.status);
  if (status !== 'lost' && status !== 'unauthorized') return null;
  return <LostBanner refused={status === 'unauthorized'} />;
}

function LostBanner({ refused }: { refused: boolean }) {
  const { t } = useI18n();
  const retryAt = useConnection((s) => s.retryAt);
  const retryNow = useConnection((s) => s.retryNow);
  const now = useNow(1000);
  const seconds = retryAt ? Math.max(0, Math.ceil((retryAt - now) / 1000)) : 0;
  return (
    <div className={refused ? 'connection-banner connection-banner--refused' : 'connection-banner'} role="alert" data-testid="connection-banner" data-reason={refused ? 'unauthorized' : 'lost'}>
      <span className="connection-banner-dot" aria-hidden="true" />
      <span>
        {refused ? t('connection.unauthorized') : t('connection.lost')} {seconds > 0 && <span className="muted-on-banner">{t('connection.retryIn', { seconds })}</span>}
      </span>
      <button type="button" className="btn btn--small" onClick={retryNow}>
        {t('connection.retryNow')}
      </button>
    </div>
  );
}
