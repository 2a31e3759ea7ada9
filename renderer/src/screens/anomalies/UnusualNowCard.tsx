// "What is unusual now" on a host's detail: its series furthest outside
// their own normal range, in words, with the value, the range and how far
// out; or plainly that nothing is, or that there is too little history yet.
import type { UnusualResult } from '../../../../main/common/anomalies';
import { formatMetricValue, formatNumber } from '../../../../main/common/format';
import { spreadsOut } from '../../charts/anomalyBand';
import { useI18n } from '../../i18n/useI18n';
import { seriesInWords } from './seriesInWords';

export function UnusualNowCard({ result, error, onOpenChart }: { result: UnusualResult | undefined; error: string | undefined; onOpenChart?(chart: string): void }) {
  const { t, locale } = useI18n();
  const flagged = result?.series.filter((s) => s.anomalous) ?? [];
  let body;
  if (result === undefined && error) body = <p className="error-text small">{t('anomaly.unusual.error', { message: error })}</p>;
  else if (result === undefined) body = <p className="muted note">{t('chart.loading')}</p>;
  else if (flagged.length === 0 && result.scored === 0 && result.learning > 0)
    body = (
      <p className="muted note" data-testid="unusual-learning">
        {t('anomaly.unusual.learning', { n: result.learning })}
      </p>
    );
  else if (flagged.length === 0)
    body = (
      <p className="muted note" data-testid="unusual-nothing">
        {t('anomaly.unusual.nothing')}
      </p>
    );
  else
    body = (
      <ul className="unusual-list" data-testid="unusual-list">
        <li className="unusual-head" aria-hidden="true">
          <span />
          <span className="num">{t('anomaly.unusual.value')}</span>
          <span className="num">{t('anomaly.unusual.normal')}</span>
          <span className="num">{t('anomaly.unusual.out')}</span>
        </li>
        {flagged.map((s) => {
          const words = seriesInWords(s, t);
          const out = spreadsOut(s.value, s.baseline);
          return (
            <li key={words.raw} data-testid="unusual-row" data-series={s.name}>
              <span title={words.raw}>
                {words.chart && onOpenChart ? (
                  <button type="button" className="link-button" onClick={() => onOpenChart(words.chart!)}>
                    {words.title}
                  </button>
                ) : (
                  words.title
                )}
                {words.label && <span className="muted"> · {words.label}</span>}
              </span>
              <span className="num">{formatMetricValue(s.name, s.value, locale)}</span>
              <span className="num">
                {formatMetricValue(s.name, s.baseline.low, locale)} – {formatMetricValue(s.name, s.baseline.high, locale)}
              </span>
              <span className={`num ${out.side === 'above' ? 'z-up' : out.side === 'below' ? 'z-down' : ''}`}>
                {out.multiple === null || out.side === 'at' ? t('anomaly.side.at') : t(out.side === 'above' ? 'anomaly.side.above' : 'anomaly.side.below', { multiple: formatNumber(out.multiple, locale, 1) })}
              </span>
            </li>
          );
        })}
      </ul>
    );
  return (
    <section className="card unusual-card" data-testid="unusual-now" aria-labelledby="unusual-now-title">
      <header className="card-head">
        <h3 id="unusual-now-title">{t('anomaly.unusual.title')}</h3>
        {result && (
          <span className="card-meta">
            {t('anomaly.unusual.scored', { scored: result.scored, learning: result.learning })}
          </span>
        )}
      </header>
      {body}
    </section>
  );
}
