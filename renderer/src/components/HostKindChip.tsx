import type { HostKind } from '../../../main/common/contract';
import type { I18n } from '../i18n/useI18n';

/** Where a host's data comes from (this machine, the SSH agent, a scraped node_exporter, remote write), as a small label beside its name. */
export function HostKindChip({ kind, t }: { kind: HostKind; t: I18n['t'] }) {
  return (
    <span className="host-kind" data-testid="host-kind" data-kind={kind} title={`${t('host.kind')}: ${t(`host.kind.${kind}` as const)}`}>
      {t(`fleet.kind.${kind}` as const)}
    </span>
  );
}
