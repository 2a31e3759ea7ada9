// Settings → Anomalies: learning on or off, how sensitive, which families of
// series learn, and what it costs (series learned and learning, the last
// baseline refresh and its time, memory, the scoring cycle). Fields the
// provisioning file sets are shown read-only, marked as such.
import { useEffect, useState } from 'react';
import { ANOMALY_FAMILIES, type AnomalyFamily, type AnomalySensitivity, type AnomalySettings, type AnomalyStatus } from '../../../../main/common/anomalies';
import { formatAgo, formatBytes, formatCount } from '../../../../main/common/format';
import { core } from '../../coreClient';
import { useNow } from '../../hooks/useNow';
import { useFormatMs } from '../../hooks/useFormatMs';
import { useI18n } from '../../i18n/useI18n';
import { useConnection } from '../../stores/connection';
import { SaveStatusText, type SaveStatus } from './SaveStatus';

const STATUS_REFRESH_MS = 10_000;
const SENSITIVITIES: AnomalySensitivity[] = ['low', 'medium', 'high'];

export function AnomaliesCard() {
  const { t, locale } = useI18n();
  const epoch = useConnection((s) => s.epoch);
  const now = useNow(5000);
  const formatMs = useFormatMs();
  const [state, setState] = useState<AnomalyStatus>();
  const [status, setStatus] = useState<SaveStatus>();
  const [loadError, setLoadError] = useState<string>();

  useEffect(() => {
    if (epoch === 0) return;
    let cancelled = false;
    const load = () =>
      core.call('anomalies/status').then(
        (s) => !cancelled && (setState(s), setLoadError(undefined)),
        (err: Error) => !cancelled && setLoadError(err.message),
      );
    void load();
    const timer = setInterval(() => void load(), STATUS_REFRESH_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [epoch]);

  const title = t('anomaly.settings.title');
  if (!state)
    return (
      <section className="card settings-card" data-testid="settings-anomalies" aria-label={title}>
        <div className="card-head">
          <h2 className="settings-card-title">{title}</h2>
        </div>
        <p className={loadError ? 'error-text small' : 'muted'}>{loadError ? t('anomaly.settings.loadError', { message: loadError }) : t('settings.loading')}</p>
      </section>
    );

  const locked = new Set(state.provisioned);
  const update = async (patch: Partial<AnomalySettings>) => {
    setStatus({ kind: 'saving' });
    try {
      setState(await core.call('anomalies/update', patch));
      setStatus({ kind: 'saved' });
    } catch (err) {
      setStatus({ kind: 'error', message: (err as Error).message });
    }
  };
  const toggleFamily = (f: AnomalyFamily, on: boolean) => {
    const next = ANOMALY_FAMILIES.filter((x) => (x === f ? on : state.settings.families.includes(x)));
    void update({ families: next });
  };
  const readOnly = (field: 'enabled' | 'sensitivity' | 'families') =>
    locked.has(field) ? (
      <span className="badge badge--neutral settings-readonly" data-testid={`anomalies-locked-${field}`} title={t('settings.lockedByFile.hint')}>
        {t('anomaly.settings.provisioned')}
      </span>
    ) : null;
  const busy = status?.kind === 'saving';

  return (
    <section className="card settings-card" data-testid="settings-anomalies" aria-label={title}>
      <div className="card-head">
        <h2 className="settings-card-title">{title}</h2>
      </div>
      <p className="field-hint settings-intro">{t('anomaly.settings.intro')}</p>
      {state.note && <p className="muted small">{state.note}</p>}
      <div className="settings-form">
        <div className="field">
          <label className="check">
            <input type="checkbox" checked={state.settings.enabled} disabled={locked.has('enabled') || busy} onChange={(e) => void update({ enabled: e.target.checked })} data-testid="anomalies-enabled" />
            {t('anomaly.settings.enabled')}
          </label>
          {readOnly('enabled')}
        </div>
        <div className="field">
          <label htmlFor="anomalies-sensitivity">
            {t('anomaly.settings.sensitivity')}
            {readOnly('sensitivity')}
          </label>
          <select
            id="anomalies-sensitivity"
            className="input"
            value={state.settings.sensitivity}
            disabled={locked.has('sensitivity') || busy}
            onChange={(e) => void update({ sensitivity: e.target.value as AnomalySensitivity })}
            data-testid="anomalies-sensitivity"
          >
            {SENSITIVITIES.map((s) => (
              <option key={s} value={s}>
                {t(`anomaly.settings.sensitivity.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <fieldset className="field settings-fieldset" disabled={locked.has('families') || busy}>
          <legend>
            {t('anomaly.settings.families')}
            {readOnly('families')}
          </legend>
          <div className="checks">
            {ANOMALY_FAMILIES.map((f) => (
              <label key={f} className="check">
                <input type="checkbox" checked={state.settings.families.includes(f)} onChange={(e) => toggleFamily(f, e.target.checked)} data-testid={`anomalies-family-${f}`} />
                {t(`anomaly.settings.family.${f}`)}
              </label>
            ))}
          </div>
        </fieldset>
        <div className="form-actions">
          <SaveStatusText status={status} testId="anomalies" />
        </div>
      </div>
      <h3 className="small">{t('anomaly.settings.cost')}</h3>
      <dl className="facts" data-testid="anomalies-cost">
        <div>
          <dt>{t('anomaly.settings.learned')}</dt>
          <dd className="num" data-testid="anomalies-learned">
            {formatCount(state.seriesLearned, locale)}
          </dd>
        </div>
        <div>
          <dt>{t('anomaly.settings.learningCount')}</dt>
          <dd className="num">{formatCount(state.seriesLearning, locale)}</dd>
        </div>
        <div>
          <dt>{t('anomaly.settings.lastRefresh')}</dt>
          <dd>
            {state.lastRefreshAt === undefined
              ? t('anomaly.settings.never')
              : t('anomaly.settings.lastRefreshValue', { ago: formatAgo(Math.min(state.lastRefreshAt, now), now, locale), ms: formatMs(state.lastRefreshMs ?? 0) })}
          </dd>
        </div>
        <div>
          <dt>{t('anomaly.settings.memory')}</dt>
          <dd className="num">{formatBytes(state.memoryBytes, locale)}</dd>
        </div>
        <div>
          <dt>{t('anomaly.settings.cycle')}</dt>
          <dd className="num">{state.scoreCycleMs === undefined ? t('anomaly.settings.never') : formatMs(state.scoreCycleMs)}</dd>
        </div>
      </dl>
    </section>
  );
}
