import type { HostStatus } from '../../../main/common/contract';
import type { MessageKey } from '../i18n/catalogue';
import { useI18n } from '../i18n/useI18n';

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

export function StatusBadge({ status }: { status: HostStatus }) {
  const { t } = useI18n();
  return (
    <span className={`badge badge--${statusTone(status)}`} data-status={status}>
      <span className="badge-dot" aria-hidden="true" />
      {t(`status.${status}` as MessageKey)}
    </span>
  );
}
