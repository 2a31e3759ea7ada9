import { useI18n } from '../i18n/useI18n';
import { hrefFor } from '../router';
import { useHistorySource } from '../stores/historySource';

/** The engine's address without a path, query or user part: what a person recognises, and nothing that could be a secret. */
function engineHost(url: string | null): string {
  if (!url) return '';
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

/**
 * On the overview and the screens that show time, when history comes from an engine (the PromQL
 * backend) and not from this console's database: one line saying so, with
 * the engine's address and its last failure, so a chart of hosts this console
 * does not poll is not taken for its own.
 */
export function HistorySourceStrip() {
  const { t } = useI18n();
  const state = useHistorySource((s) => s.state);
  if (!state || state.backend !== 'promql') return null;
  return (
    <div className={state.lastError ? 'history-strip history-strip--bad' : 'history-strip'} data-testid="history-from" data-backend="promql" title={t('historyStrip.hint')}>
      <span>{t('historyStrip.engine', { host: engineHost(state.url) })}</span>
      {state.lastError && <span className="history-strip-error">{t('historyStrip.failing')}</span>}
      <a href={hrefFor({ screen: 'settings' })}>{t('historyStrip.settings')}</a>
    </div>
  );
}
