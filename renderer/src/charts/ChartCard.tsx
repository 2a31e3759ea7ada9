// One host-detail chart: queries its series for the range, keeps them live,
// and draws them with humanised axes and tooltips. Gaps stay gaps.
import { useId, useMemo, useState, type ReactNode } from 'react';
import { Area, CartesianGrid, ComposedChart, Line, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { SeriesData } from '../../../main/common/contract';
import { metricInfo } from '../../../main/common/metrics';
import { core } from '../core-client';
import { formatAxisTick, formatByUnit, formatDuration, formatTimeTick, niceTicks, timeTicks } from '../../../main/common/format';
import { useElementWidth } from '../hooks/useElementWidth';
import { useLiveQuery } from '../hooks/useLiveQuery';
import { useI18n } from '../i18n/useI18n';
import { liveRefreshIntervalMs, rangeDurationMs, type RangeKey } from '../time-range';
import { buildChartRows, maxDrawnValue, seriesKeyAt } from './chart-rows';
import type { ChartSpec, DescribedSeries } from './chart-specs';
import { ChartTooltip } from './ChartTooltip';

const Y_AXIS_WIDTH = 64;
const PLOT_HEIGHT = 180;
const PALETTE_SIZE = 10;
const collator = new Intl.Collator('en', { numeric: true });

export interface ChartReference {
  label: string;
  value: number;
}

export interface DrawnSeries extends DescribedSeries {
  data: SeriesData;
  color: string;
  last: number | null;
}

interface QueryResult {
  series: SeriesData[];
  from: number;
  to: number;
}

export interface ChartCardProps {
  spec: ChartSpec;
  hostId: string;
  range: RangeKey;
  /** References the detail screen knows better than the query (the CPU count on the load chart). */
  extraReferences?: ChartReference[];
  /**
   * When set, the chart is replaced by this note if the host has no such
   * series at all (temperatures on a VM). `knownAbsent` skips the query.
   */
  absentNote?: ReactNode;
  knownAbsent?: boolean;
  /** Shown instead of the plot when the chart has nothing to say (no swap configured). */
  replaceNote?: ReactNode;
}

export function ChartCard({ spec, hostId, range, extraReferences, absentNote, knownAbsent, replaceNote }: ChartCardProps) {
  const { t, locale } = useI18n();
  const titleId = useId();
  const [plotRef, width] = useElementWidth(20);
  const unit = metricInfo(spec.unitMetric)?.unit;
  const rangeMs = rangeDurationMs[range];
  // One point per pixel of the plot area, the y axis excluded.
  const maxPoints = width ? Math.min(5000, Math.max(2, width - Y_AXIS_WIDTH)) : undefined;
  // Hidden series by label, so a toggle sticks to its series when others come or go.
  const [hiddenLabels, setHiddenLabels] = useState<ReadonlySet<string>>(new Set());

  const selectors = useMemo(() => spec.selectors(hostId), [spec, hostId]);
  const query = useLiveQuery<QueryResult>(
    hostId,
    `${spec.key}|${range}|${maxPoints}`,
    async () => {
      const to = Date.now();
      const from = to - rangeMs;
      const series = await core.call('series/query', { selectors, from, to, maxPoints: maxPoints! });
      return { series, from, to };
    },
    { minIntervalMs: liveRefreshIntervalMs(rangeMs, maxPoints ?? 600), enabled: maxPoints !== undefined && !knownAbsent },
  );

  const referenceMetrics = useMemo(() => new Set(spec.references?.map((r) => r.metric)), [spec]);

  const drawn = useMemo<DrawnSeries[]>(() => {
    const series = (query.data?.series ?? []).filter((s) => !referenceMetrics.has(s.name) && s.points.length > 0);
    const described = series.map((data) => ({ data, ...spec.describe(data, t) }));
    described.sort(
      (a, b) =>
        a.order - b.order ||
        collator.compare(a.colorKey ?? a.label, b.colorKey ?? b.label) ||
        (a.subOrder ?? 0) - (b.subOrder ?? 0) ||
        collator.compare(a.label, b.label),
    );
    const colorIndex = new Map<string, number>();
    return described.map((d) => {
      const ck = d.colorKey ?? d.label;
      if (!colorIndex.has(ck)) colorIndex.set(ck, colorIndex.size);
      const color = d.color ?? `var(--series-${(colorIndex.get(ck)! % PALETTE_SIZE) + 1})`;
      const lastPoint = d.data.points[d.data.points.length - 1];
      return { ...d, color, last: lastPoint ? lastPoint[1] : null };
    });
  }, [query.data, spec, t, referenceMetrics]);

  const references = useMemo<ChartReference[]>(() => {
    const out: ChartReference[] = [];
    for (const r of spec.references ?? []) {
      const s = query.data?.series.find((x) => x.name === r.metric && x.points.length > 0);
      const last = s?.points[s.points.length - 1];
      if (last && last[1] > 0) out.push({ label: t(r.labelKey), value: last[1] });
    }
    return [...out, ...(extraReferences ?? [])];
  }, [query.data, spec, t, extraReferences]);

  const rows = useMemo(() => buildChartRows(drawn.map((d) => d.data)), [drawn]);
  const hidden = useMemo(() => new Set(drawn.flatMap((d, i) => (hiddenLabels.has(d.label) ? [i] : []))), [drawn, hiddenLabels]);
  const stacked = spec.kind === 'stacked-area';
  const dataMax = maxDrawnValue(rows, drawn.length, stacked, hidden);
  const yTop = Math.max(dataMax, spec.yMax && dataMax <= spec.yMax ? spec.yMax : 0, ...references.map((r) => r.value * 1.05));
  // An all-zero chart (idle disk, unused swap) still needs a scale to put the zero line at the bottom.
  const ticks = niceTicks(unit, yTop > 0 ? yTop : unit === 'ratio' ? 1 : unit === 'bytes' || unit === 'bytes_per_second' ? 1024 : 1, 4);
  const firstPoints = drawn[0]?.data.points.length ?? 0;
  const stepMs = drawn[0]?.data.stepMs;

  const isAbsent = knownAbsent || (absentNote !== undefined && query.data !== undefined && drawn.length === 0 && !query.error);
  if (isAbsent && absentNote) {
    return (
      <section className="card chart-card chart-card--absent" data-testid={`chart-${spec.key}-absent`} aria-labelledby={titleId}>
        <header className="card-head">
          <h3 id={titleId}>{t(spec.titleKey)}</h3>
        </header>
        <p className="muted note">{absentNote}</p>
      </section>
    );
  }

  const toggle = (label: string) =>
    setHiddenLabels((prev) => {
      const next = new Set(prev);
      if (next.has(label)) next.delete(label);
      else next.add(label);
      return next;
    });

  let overlay: ReactNode = null;
  if (replaceNote) overlay = <span className="muted">{replaceNote}</span>;
  else if (query.data === undefined && query.error) overlay = <span className="error-text">{t('chart.error', { message: query.error })}</span>;
  else if (query.data === undefined) overlay = <span className="muted">{t('chart.loading')}</span>;
  else if (drawn.length === 0) overlay = <span className="muted">{t('chart.noData')}</span>;

  const from = query.data?.from ?? Date.now() - rangeMs;
  const to = query.data?.to ?? Date.now();
  const xTicks = timeTicks(from, to, width ? Math.max(2, Math.floor((width - Y_AXIS_WIDTH) / 90)) : 4);

  return (
    <section className="card chart-card" data-testid={`chart-${spec.key}`} data-points={firstPoints} aria-labelledby={titleId} aria-busy={query.loading}>
      <header className="card-head">
        <h3 id={titleId}>{t(spec.titleKey)}</h3>
        {stepMs !== undefined && (
          <span className="card-meta" title={t('chart.gapNote')}>
            {t('chart.tier', { step: formatDuration(stepMs / 1000, locale) })}
          </span>
        )}
      </header>
      {query.data !== undefined && query.error && <p className="error-text small">{t('chart.error', { message: query.error })}</p>}
      <div className="chart-plot" ref={plotRef} style={{ height: PLOT_HEIGHT }}>
        {overlay ? (
          <div className="chart-overlay">{overlay}</div>
        ) : (
          width !== undefined &&
          width > 0 && (
            <ComposedChart width={width} height={PLOT_HEIGHT} data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
              <CartesianGrid stroke="var(--grid)" vertical={false} />
              <XAxis
                dataKey="t"
                type="number"
                scale="time"
                domain={[from, to]}
                allowDataOverflow
                ticks={xTicks}
                interval={0}
                tickFormatter={(v: number) => formatTimeTick(v, rangeMs, locale)}
                tick={{ fontSize: 11, fill: 'var(--text-muted)' }}
                stroke="var(--axis)"
                tickLine={false}
              />
              <YAxis
                width={Y_AXIS_WIDTH}
                domain={[0, ticks[ticks.length - 1] ?? 1]}
                ticks={ticks}
                tickFormatter={(v: number) => formatAxisTick(unit, v, locale)}
                tick={{ fontSize: 11, fill: 'var(--text-muted)' }}
                stroke="var(--axis)"
                tickLine={false}
                axisLine={false}
              />
              <Tooltip
                isAnimationActive={false}
                cursor={{ stroke: 'var(--text-muted)', strokeDasharray: '3 3' }}
                content={(props) => <ChartTooltip {...props} series={drawn} unit={unit} locale={locale} />}
              />
              {references.map((r) => (
                <ReferenceLine
                  key={r.label}
                  y={r.value}
                  stroke="var(--text-muted)"
                  strokeDasharray="4 4"
                  ifOverflow="extendDomain"
                  label={{
                    value: `${r.label} ${formatByUnit(unit, r.value, locale)}`,
                    position: 'insideTopRight',
                    fill: 'var(--text-muted)',
                    fontSize: 11,
                  }}
                />
              ))}
              {drawn.map((s, i) =>
                stacked ? (
                  <Area
                    key={seriesKeyAt(i)}
                    dataKey={seriesKeyAt(i)}
                    name={s.label}
                    stackId="stack"
                    type="linear"
                    stroke={s.color}
                    fill={s.color}
                    fillOpacity={0.45}
                    strokeWidth={1}
                    connectNulls={false}
                    isAnimationActive={false}
                    hide={hidden.has(i)}
                    dot={false}
                    activeDot={false}
                  />
                ) : (
                  <Line
                    key={seriesKeyAt(i)}
                    dataKey={seriesKeyAt(i)}
                    name={s.label}
                    type="linear"
                    stroke={s.color}
                    strokeWidth={1.5}
                    strokeDasharray={s.dashed ? '5 3' : undefined}
                    connectNulls={false}
                    isAnimationActive={false}
                    hide={hidden.has(i)}
                    dot={false}
                    activeDot={{ r: 3 }}
                  />
                ),
              )}
            </ComposedChart>
          )
        )}
      </div>
      {drawn.length > 0 && !replaceNote && (
        <ul className="legend" aria-label={t('chart.legend')}>
          {drawn.map((s, i) => (
            <li key={seriesKeyAt(i)}>
              <button
                type="button"
                className="legend-item"
                aria-pressed={!hidden.has(i)}
                onClick={() => toggle(s.label)}
                title={s.label}
              >
                <span className={s.dashed ? 'swatch swatch--dashed' : 'swatch'} style={{ color: s.color }} aria-hidden="true" />
                <span className="legend-label">{s.label}</span>
                <span className="legend-value">{formatByUnit(unit, s.last, locale)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
