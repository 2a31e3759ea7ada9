// Service checks on the fleet overview, above the hosts: one chip per check
// with a dot per vantage point (up, down, not run yet, paused), the ones
// that are down first; each opens the checks screen. Hidden with no checks.
import { formatNumber } from '../../../../main/common/format';
import type { MessageKey } from '../../i18n/catalogue';
import { useI18n } from '../../i18n/useI18n';
import { hrefFor } from '../../router';
import { useChecks } from '../../stores/checks';
import { checkState, sortChecks, vantageRows } from './checkDisplay';
import { useVantageLabel } from './ChecksScreen';

export function ChecksOverviewCard() {
  const { t, locale } = useI18n();
  const checks = useChecks((s) => s.checks);
  const label = useVantageLabel();
  if (checks.length === 0) return null;
  const down = checks.filter((c) => checkState(c) === 'down').length;
  const href = hrefFor({ screen: 'checks' });
  return (
    <section className="panel checks-card" aria-labelledby="checks-card-title" data-testid="checks-card">
      <div className="checks-card-head">
        <h2 className="panel-title" id="checks-card-title">
          <a href={href}>{t('checks.card.title')}</a>
        </h2>
        <span className="muted small" data-testid="checks-card-count">
          {down > 0 ? t('checks.card.down', { down: formatNumber(down, locale, 0), count: formatNumber(checks.length, locale, 0) }) : t('checks.card.allUp', { count: formatNumber(checks.length, locale, 0) })}
        </span>
      </div>
      <ul className="checks-card-list">
        {sortChecks(checks).map((c) => (
          <li key={c.name}>
            <a className="checks-chip" href={href} data-testid="checks-card-item" data-check={c.name} data-state={checkState(c)} title={c.target}>
              <span className="checks-chip-name">{c.name}</span>
              <span className="checks-dots">
                {vantageRows(c).map((r) => {
                  const text = `${label(r.vantage)}: ${t(`checks.state.${r.state}` as MessageKey)}`;
                  return <span key={r.vantage} className={`checks-dot checks-dot--${r.state}`} data-testid="checks-card-dot" data-vantage={r.vantage} data-state={r.state} title={text} aria-label={text} role="img" />;
                })}
              </span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
