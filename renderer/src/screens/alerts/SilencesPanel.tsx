// Active silences: what each one mutes (a rule, a host, label matchers), the
// note its creator left, when it ends; each can be ended early.
import type { Silence } from '../../../../main/common/alertModel';
import type { RuleView } from '../../../../main/common/alertModel';
import { formatAgo, formatDateTime } from '../../../../main/common/format';
import { core } from '../../coreClient';
import type { I18n } from '../../i18n/useI18n';
import { ruleDisplayName } from './alertTexts';

export function SilencesPanel({ silences, rules, now, i18n, act }: { silences: Silence[]; rules: RuleView[]; now: number; i18n: I18n; act: (fn: () => Promise<unknown>) => Promise<void> }) {
  const { t, locale } = i18n;
  const active = silences.filter((s) => s.endsAt > now).sort((a, b) => a.endsAt - b.endsAt);
  const ruleOf = (id: string) => rules.find((r) => r.rule.id === id)?.rule;
  return (
    <section className="panel" aria-labelledby="alerts-silences-title" data-testid="silences-panel">
      <h2 id="alerts-silences-title" className="panel-title">
        {t('alerts.silences.title')}
      </h2>
      {active.length === 0 ? (
        <p className="muted" data-testid="silences-empty">
          {t('alerts.silences.empty')}
        </p>
      ) : (
        <div className="table-wrap">
          <table className="data-table" data-testid="silences-table">
            <thead>
              <tr>
                <th scope="col">{t('alerts.silences.col.mutes')}</th>
                <th scope="col">{t('alerts.silences.col.note')}</th>
                <th scope="col">{t('alerts.silences.col.created')}</th>
                <th scope="col">{t('alerts.silences.col.ends')}</th>
                <th scope="col">{t('alerts.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {active.map((s) => {
                const rule = s.ruleId === undefined ? undefined : ruleOf(s.ruleId);
                return (
                  <tr key={s.id} data-testid="silence-row" data-silence={s.id}>
                    <td>
                      <ul className="matcher-list">
                        {s.ruleId !== undefined && (
                          <li>
                            {t('alerts.silences.rule')} <strong>{rule ? ruleDisplayName(rule, i18n) : s.ruleId}</strong>
                          </li>
                        )}
                        {s.host !== undefined && (
                          <li>
                            {t('alerts.silences.host')} <strong>{s.host}</strong>
                          </li>
                        )}
                        {(s.matchers ?? []).map((m) => (
                          <li key={`${m.label}${m.op}${m.value}`} className="mono small">
                            {m.label}
                            {m.op}&quot;{m.value}&quot;
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td data-testid="silence-note">{s.comment ? s.comment : <span className="muted">—</span>}</td>
                    <td>{formatDateTime(s.createdAt, locale)}</td>
                    <td title={formatDateTime(s.endsAt, locale)} data-testid="silence-ends">
                      {formatDateTime(s.endsAt, locale)} <span className="muted small">({formatAgo(s.endsAt, now, locale)})</span>
                    </td>
                    <td className="alert-actions">
                      <button type="button" className="btn btn--small" data-testid="end-silence" onClick={() => void act(() => core.call('alerts/unsilence', { id: s.id }))}>
                        {t('alerts.silences.end')}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
