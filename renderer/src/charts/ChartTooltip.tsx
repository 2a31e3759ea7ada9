import type { MetricUnit } from '../../../main/common/metrics';
import { formatByUnit, formatDateTime } from '../../../main/common/format';
import type { DrawnSeries } from './chartTypes';

// Tooltips list the largest values first and stop at a dozen: a 64-core
// host's per-core chart would otherwise cover the screen.
const MAX_ROWS = 12;

interface Entry {
  dataKey?: unknown;
  value?: unknown;
}

export interface ChartTooltipProps {
  active?: boolean;
  payload?: readonly Entry[];
  label?: unknown;
  series: readonly DrawnSeries[];
  unit: MetricUnit | undefined;
  locale: string;
}

export function ChartTooltip({ active, payload, label, series, unit, locale }: ChartTooltipProps) {
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
    </div>
  );
}
