import type { HostStatus } from '../../../main/common/contract';
import type { MessageKey } from '../i18n/catalogue';
import { useI18n } from '../i18n/useI18n';
import { useConnection } from '../stores/connection';

/** How alarming a status is, for its colour. */
export function statusTone(status: HostStatus): 'ok' | 'warn' | 'bad' | 'neutral' {
  switch (status) {
    case 'online':
      return 'ok';
    case 'stale':
    case 'connecting':
    case 'host_key_unknown':
      return 'warn';
    case 'paused':
      return 'neutral';
    default:
      return 'bad';
  }
}

/**
 * A host's status. While the console is unreachable the page cannot know it:
 * the badge says "unknown" rather than a last "Online" that may no longer be true.
 */
export function StatusBadge({ status }: { status: HostStatus }) {
  const { t } = useI18n();
  const connected = useConnection((s) => s.status === 'open');
  if (!connected)
    return (
      <span className="badge badge--neutral" data-status="unknown" title={t('status.unknown.hint')}>
        <span className="badge-dot" aria-hidden="true" />
        {t('status.unknown')}
      </span>
    );
  return (
    <span className={`badge badge--${statusTone(status)}`} data-status={status}>
      <span className="badge-dot" aria-hidden="true" />
      {t(`status.${status}` as MessageKey)}
    </span>
  );
}
