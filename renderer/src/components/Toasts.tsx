import { useI18n } from '../i18n/useI18n';
import { hrefFor } from '../router';
import { dismissToast, useToasts } from '../stores/toasts';

/** Alert notifications in the page: stacked bottom-right, newest last, each dismissible; read out politely. */
export function Toasts() {
  const { t } = useI18n();
  const toasts = useToasts((s) => s.toasts);
  return (
    <div className="toasts" aria-live="polite" aria-relevant="additions" role="region" aria-label={t('toast.region')}>
      {toasts.map((n) => (
        <div key={n.id} className={`toast toast--${n.status} toast--${n.severity}`} data-testid="toast" data-status={n.status}>
          <div className="toast-body">
            <strong className="toast-title">{n.title}</strong>
            <p className="toast-text">{n.body}</p>
            <a className="toast-link" href={hrefFor({ screen: 'alerts' })} onClick={() => dismissToast(n.id)}>
              {t('toast.open')}
            </a>
          </div>
          <button type="button" className="icon-btn toast-close" aria-label={t('toast.dismiss')} title={t('toast.dismiss')} onClick={() => dismissToast(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
