// A provisioning file with problems, said on the overview too: a broken file
// applies nothing new (the hosts it declares may be missing or old), and a
// bad entry is left out. The details are on Settings.
import type { ConfigProblem } from '../../../../main/common/contract';
import { formatNumber } from '../../../../main/common/format';
import { useI18n } from '../../i18n/useI18n';
import { hrefFor } from '../../router';
import { useProvisioning } from '../../stores/provisioning';

/** "file:12:3 hosts[2].address: message", as a line of the problem list. */
function problemText(p: ConfigProblem): string {
  const where = [p.file.split(/[\\/]/).pop(), p.line, p.column].filter((x) => x !== undefined).join(':');
  return `${where}${p.field ? ` ${p.field}` : ''}: ${p.message}`;
}

export function ProvisioningBanner() {
  const { t, locale } = useI18n();
  const { file, problems } = useProvisioning();
  if (!file || problems.length === 0) return null;
  // The loader adds a "not applied" line when the whole file was refused.
  const refused = problems.some((p) => p.field === undefined && p.message.startsWith('not applied'));
  const first = problems.find((p) => !p.message.startsWith('not applied')) ?? problems[0]!;
  return (
    <div className="inline-note inline-note--warn provisioning-banner" role="status" data-testid="provisioning-banner" data-refused={refused}>
      <strong>{refused ? t('overview.provisioning.refused', { file }) : t('overview.provisioning.problems', { file, count: formatNumber(problems.length, locale, 0) })}</strong>
      <span className="mono small provisioning-banner-first">{problemText(first)}</span>
      <a href={hrefFor({ screen: 'settings' })} data-testid="provisioning-banner-link">
        {t('overview.provisioning.open')}
      </a>
    </div>
  );
}
