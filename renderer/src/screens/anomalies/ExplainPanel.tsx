// "What happened here?": for a window picked on a chart, the series across
// this host (or the whole fleet) that moved most unusually against their own
// baselines, ranked, with the numbers an operator can check, next to the top
// processes the console kept for that moment (host scope).
import { useEffect, useState } from 'react';
import type { ExplainView } from '../../../../main/common/contract';
import { formatDateTime, formatDuration, formatMetricValue, formatNumber } from '../../../../main/common/format';
import { bucketWords, explainQueryFor, weekdayName } from '../../charts/anomalyBand';
import { core } from '../../coreClient';
import { useI18n } from '../../i18n/useI18n';
import { useFormatMs } from '../../hooks/useFormatMs';
import { hrefFor } from '../../router';
import type { AbsoluteWindow } from '../../timeRange';
import { ProcessUsageCells } from '../hostDetail/ProcessUsageCells';
import { seriesInWords } from './seriesInWords';

export type ExplainScope = 'host' | 'fleet';

export function ExplainPanel({
  hostId,
  window,
  scope,
  onScope,
  onClose,
  onOpenChart,
}: {
  hostId: string;
  window: AbsoluteWindow;
  scope: ExplainScope;
  onScope(scope: ExplainScope): void;
  onClose(): void;
  /** A row of this host: show its chart at the window. */
  onOpenChart(chart: string): void;
}) {
  const { t, locale } = useI18n();
  const formatMs = useFormatMs();
  const [result, setResult] = useState<ExplainView>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    const q = explainQueryFor(window.from, window.to, scope === 'host' ? { kind: 'host', hostId } : { kind: 'fleet' });
    if (!q) return;
    let cancelled = false;
    setResult(undefined);
    setError(undefined);
    core.call('anomalies/explain', q).then(
      (r) => !cancelled && setResult(r),
      (err: Error) => !cancelled && setError(err.message),
    );
    return () => {
      cancelled = true;
    };
  }, [hostId, window.from, window.to, scope]);

  const bucket = (b: Parameters<typeof bucketWords>[0]) => {
    const w = bucketWords(b);
    return t(w.key, w.key === 'anomaly.bucket.week' ? { ...w.params, weekday: weekdayName(Number(w.params.weekday), locale) } : w.params);
  };

  return (
    <section className="panel explain-panel" data-testid="explain-panel" aria-labelledby="explain-title">
      <div className="explain-head">
        <h2 className="panel-title" id="explain-title">
          {t('anomaly.explain.title')}
        </h2>
        <div className="segmented" role="group" aria-label={t('anomaly.explain.scope')}>
          <button type="button" className="segment" aria-pressed={scope === 'host'} data-testid="explain-scope-host" onClick={() => onScope('host')}>
            {t('anomaly.explain.scopeHost')}
          </button>
          <button type="button" className="segment" aria-pressed={scope === 'fleet'} data-testid="explain-scope-fleet" onClick={() => onScope('fleet')}>
            {t('anomaly.explain.scopeFleet')}
          </button>
        </div>
        <span className="spacer" />
        <button type="button" className="btn btn--small" data-testid="explain-close" onClick={onClose}>
          {t('anomaly.explain.close')}
        </button>
      </div>
      <p className="muted small">{t('anomaly.explain.window', { from: formatDateTime(window.from, locale), to: formatDateTime(window.to, locale) })}</p>
      {error ? (
        <p className="error-text small">{t('anomaly.explain.error', { message: error })}</p>
      ) : result === undefined ? (
        <p className="muted note">{t('anomaly.explain.loading')}</p>
      ) : (
        <div className={scope === 'host' ? 'explain-grid' : undefined}>
          <div>
            {result.rows.length === 0 ? (
              <p className="muted note" data-testid="explain-empty">
                {t('anomaly.explain.empty')}
              </p>
            ) : (
              <div className="table-scroll">
                <table className="explain-table" data-testid="explain-table">
                  <thead>
                    <tr>
                      <th scope="col">#</th>
                      <th scope="col">{t('anomaly.explain.series')}</th>
                      <th scope="col" className="num">{t('anomaly.explain.value')}</th>
                      <th scope="col" className="num">{t('anomaly.explain.before')}</th>
                      <th scope="col" className="num">{t('anomaly.explain.normal')}</th>
                      <th scope="col" className="num">{t('anomaly.explain.z')}</th>
                      <th scope="col">{t('anomaly.explain.bucket')}</th>
                      <th scope="col">{t('anomaly.explain.learned')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {result.rows.map((r, i) => {
                      const words = seriesInWords(r, t);
                      const rowHost = r.labels.host;
                      const sameHost = r.entity.kind === 'host' && r.entity.id === hostId;
                      const fmt = (v: number | undefined) => formatMetricValue(r.name, v, locale);
                      return (
                        <tr key={`${words.raw}|${r.entity.id}`} data-testid="explain-row" data-series={r.name} data-entity={r.entity.id}>
                          <td className="num">{i + 1}</td>
                          <td>
                            {words.chart && sameHost ? (
                              <button type="button" className="link-button series-name" onClick={() => onOpenChart(words.chart!)}>
                                {words.title}
                              </button>
                            ) : rowHost && r.entity.kind === 'host' ? (
                              <a className="series-name" href={hrefFor({ screen: 'host', hostId: rowHost }, { range: '24h', fixed: window })}>
                                {words.title}
                              </a>
                            ) : (
                              <span className="series-name">{words.title}</span>
                            )}
                            {words.label && <span className="muted"> · {words.label}</span>}
                            {scope === 'fleet' && <span className="series-sub">{r.entity.id}</span>}
                            <span className="series-sub mono">{words.raw}</span>
                          </td>
                          <td className="num">{fmt(r.value)}</td>
                          <td className="num">{fmt(r.before)}</td>
                          <td className="num">
                            {fmt(r.baseline.low)} – {fmt(r.baseline.high)}
                          </td>
                          <td className={`num ${!r.anomalous ? '' : r.direction === 'up' ? 'z-up' : 'z-down'}`}>{formatNumber(r.z, locale, 1)}</td>
                          <td>{bucket(r.baseline)}</td>
                          <td>{t('anomaly.explain.learnedValue', { span: formatDuration(r.baseline.learnedFromMs / 1000, locale), n: r.baseline.observations })}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )}
            <p className="muted small" data-testid="explain-summary">
              {t('anomaly.explain.summary', { evaluated: result.evaluated, skipped: result.skipped, ms: formatMs(result.tookMs) })}
            </p>
          </div>
          {scope === 'host' && (
            <div className="card" data-testid="explain-processes">
              {result.processes ? (
                <>
                  <h3 className="small">{t('anomaly.explain.processes', { t: formatDateTime(result.processes.t, locale) })}</h3>
                  <table className="data-table">
                    <thead>
                      <tr>
                        <th scope="col">{t('processes.command')}</th>
                        <th scope="col" className="num">{t('processes.cpu')}</th>
                        <th scope="col" className="num">{t('processes.rss')}</th>
                        <th scope="col" className="num">{t('processes.memory')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {result.processes.processes.slice(0, 10).map((p) => (
                        <tr key={p.pid}>
                          <td className="mono cmd">{p.comm}</td>
                          <ProcessUsageCells process={p} locale={locale} />
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </>
              ) : (
                <p className="muted note">{t('anomaly.explain.noProcesses')}</p>
              )}
            </div>
          )}
        </div>
      )}
    </section>
  );
}
