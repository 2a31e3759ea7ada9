// What a settings form says after Save: saved, or why not. One place for the
// words and the roles (status for the quiet one, alert for the failure).
import { useI18n } from '../../i18n/useI18n';

export type SaveStatus = { kind: 'saving' } | { kind: 'saved' } | { kind: 'error'; message: string };

/** `testId` names the form: `<testId>-saved` and `<testId>-save-error`. */
export function SaveStatusText({ status, testId }: { status: SaveStatus | undefined; testId: string }) {
  const { t } = useI18n();
  if (status?.kind === 'saved') {
    return (
      <span className="form-status form-status--ok" role="status" data-testid={`${testId}-saved`}>
        {t('settings.saved')}
      </span>
    );
  }
  if (status?.kind === 'error') {
    return (
      <span className="form-status error-text" role="alert" data-testid={`${testId}-save-error`}>
        {t('settings.saveFailed', { message: status.message })}
      </span>
    );
  }
  return null;
}
