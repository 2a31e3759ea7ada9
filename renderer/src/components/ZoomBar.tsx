import type { ReactNode } from 'react';
import { formatDateTime } from '../../../main/common/format';
import { useI18n } from '../i18n/useI18n';
import type { AbsoluteWindow } from '../timeRange';

/** Above a detail screen's charts: the zoomed window and its reset, or a hint on how to zoom. */
/** `actions` sit beside the reset while a window is picked ("what happened here?"). */
export function ZoomBar({ fixed, onReset, hint, actions }: { fixed: AbsoluteWindow | null; onReset: () => void; hint: string; actions?: ReactNode }) {
  const { t, locale } = useI18n();
  return (
    <div className="zoom-bar" data-testid="zoom-bar">
      {fixed ? (
        <>
          <span className="muted small" data-testid="zoom-window">
            {t('zoom.window', { from: formatDateTime(fixed.from, locale), to: formatDateTime(fixed.to, locale) })}
          </span>
          <button type="button" className="btn btn--small" data-testid="zoom-reset" onClick={onReset}>
            {t('zoom.reset')}
          </button>
          {actions}
        </>
      ) : (
        <span className="muted small">{hint}</span>
      )}
    </div>
  );
}
