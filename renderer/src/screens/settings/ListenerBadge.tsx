// The state of a listener the console runs (the /metrics export, the push
// receiver): serving, failed to start, or off. One badge so both cards say it
// with the same words and colours.
import { useI18n } from '../../i18n/useI18n';

/** `testId` is the badge's test id; `data-state` is serving | error | off. */
export function ListenerBadge({ serving, failed, testId }: { serving: boolean; failed: boolean; testId: string }) {
  const { t } = useI18n();
  if (serving) {
    return (
      <span className="badge badge--ok" data-testid={testId} data-state="serving">
        <span className="badge-dot" />
        {t('export.serving')}
      </span>
    );
  }
  if (failed) {
    return (
      <span className="badge badge--bad" data-testid={testId} data-state="error">
        <span className="badge-dot" />
        {t('export.failed')}
      </span>
    );
  }
  return (
    <span className="badge badge--neutral" data-testid={testId} data-state="off">
      {t('export.off')}
    </span>
  );
}
