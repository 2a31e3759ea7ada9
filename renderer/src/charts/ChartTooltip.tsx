import type { MetricUnit } from '../../../main/common/metrics';
import { formatByUnit, formatDateTime } from '../../../main/common/format';
import type { DrawnSeries } from './chartTypes';
import { BAND_CENTRE_KEY, BAND_RANGE_KEY, zInBand } from './anomalyBand';
import { useI18n } from '../i18n/useI18n';
import { formatNumber } from '../../../main/common/format';

// Tooltips list the largest values first and stop at a dozen: a 64-core
// host's per-core chart would otherwise cover the screen.
const MAX_ROWS = 12;

interface Entry {
  dataKey?: unknown;
  value?: unknown;
  payload?: unknown;
}

export interface ChartTooltipProps {
  active?: boolean;
  payload?: readonly Entry[];
  label?: unknown;
  series: readonly DrawnSeries[];
  unit: MetricUnit | undefined;
  locale: string;
  /** The normal-range band drawn behind series `index`, and the sensitivity's k for its z. */
  band?: { index: number; threshold: number | null };
}

export function ChartTooltip({ active, payload, label, series, unit, locale, band }: ChartTooltipProps) {
  const { t } = useI18n();
  if (!active || !payload?.length || typeof label !== 'number') return null;
  const rows = payload
    .map((p) => {
      const index = typeof p.dataKey === 'string' ? Number(p.dataKey.slice(1)) : -1;
      const s = series[index];
      return s && typeof p.value === 'number' ? { s, value: p.value } : undefined;
    })
    .filter((r): r is { s: DrawnSeries; value: number } => r !== undefined)
    .sort((a, b) => b.value - a.value);
  if (rows.length === 0) return null;
  // The hovered row carries the band's range and centre beside the series' values (withBand).
  const row = payload.find((p) => p.payload && typeof p.payload === 'object')?.payload as Record<string, unknown> | undefined;
  const range = row?.[BAND_RANGE_KEY];
  const centre = row?.[BAND_CENTRE_KEY];
  const bandValue = band ? row?.[`s${band.index}`] : undefined;
  let bandLine: string | null = null;
  if (band && Array.isArray(range) && typeof centre === 'number') {
    const [low, high] = range as [number, number];
    const z = typeof bandValue === 'number' ? zInBand(bandValue, centre, low, high, band.threshold) : null;
    bandLine = `${formatByUnit(unit, low, locale)} – ${formatByUnit(unit, high, locale)}${z !== null ? ` · ${t('anomaly.tooltip.z', { z: formatNumber(z, locale, 1) })}` : ''}`;
  }
  return (
    <div className="chart-tooltip" role="presentation">
      <div className="chart-tooltip-time">{formatDateTime(label, locale)}</div>
      <table>
        <tbody>
          {rows.slice(0, MAX_ROWS).map(({ s, value }) => (
            <tr key={s.label}>
              <td>
                <span className={s.dashed ? 'swatch swatch--dashed' : 'swatch'} style={{ color: s.color }} />
                {s.label}
              </td>
              <td className="num">{formatByUnit(unit, value, locale)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > MAX_ROWS && <div className="muted">+{rows.length - MAX_ROWS}</div>}
      {bandLine && (
        <div className="muted small" data-testid="tooltip-band">
          <span className="swatch--band" aria-hidden="true" /> {t('anomaly.tooltip.normal')}
          {band && series[band.index] && series.length > 1 ? ` (${series[band.index]!.label})` : ''}: {bandLine}
        </div>
      )}
    </div>
  );
}
