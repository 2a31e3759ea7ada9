// One host-detail chart: queries its series for the range, keeps them live,
// and draws them with humanised axes and tooltips. Gaps stay gaps.
import { useId, useMemo, useRef, useState, type MouseEvent as ReactMouseEvent, type ReactNode } from 'react';
import { placeAnnotations } from './annotations';
import { Area, CartesianGrid, ComposedChart, Line, ReferenceArea, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { SeriesData } from '../../../main/common/contract';
import type { SeriesBand } from '../../../main/common/anomalies';
import { BAND_CENTRE_KEY, BAND_RANGE_KEY, flaggedAreas, withBand } from './anomalyBand';
import { metricInfo } from '../../../main/common/metrics';
import { core } from '../coreClient';
import { formatAxisTick, formatByUnit, formatDuration, formatTimeTick, niceTicks, timeTicks } from '../../../main/common/format';
import { useElementWidth } from '../hooks/useElementWidth';
import { useLiveQuery } from '../hooks/useLiveQuery';
import { useI18n } from '../i18n/useI18n';
import { liveRefreshIntervalMs, rangeDurationMs, zoomWindow, type AbsoluteWindow, type RangeKey } from '../timeRange';
import { buildChartRows, isolatedRows, maxDrawnValue, pointSpacingMs, seriesKeyAt } from './chartRows';
import type { ChartSpec } from './chartSpecs';
import type { ChartAnnotation, ChartReference, ChartSpan, DrawnSeries } from './chartTypes';
import { ChartTooltip } from './ChartTooltip';

const Y_AXIS_WIDTH = 64;
const PLOT_HEIGHT = 180;
const PALETTE_SIZE = 10;
const collator = new Intl.Collator('en', { numeric: true });

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
  /** A fixed window (custom range, zoom): queried once, not live. */
  fixed?: AbsoluteWindow | null;
  /** Charts with the same id share their cursor (recharts syncs tooltips by x value). */
  syncId?: string;
  /** Drag across the plot: the selected window. */
  onZoom?(window: AbsoluteWindow): void;
  /** A click on the plot: the time under the cursor. */
  onPickTime?(t: number): void;
  /** Vertical marks: alert transitions. */
  annotations?: ChartAnnotation[];
  /** Shaded stretches with one label each: the host's outages. */
  spans?: ChartSpan[];
  /**
   * Offer the "normal range" toggle (host and container charts): the learned
   * band behind the first visible series and the stretches flagged unusual.
   * `threshold` is the sensitivity's multiple k (see zInBand), for z in the tooltip.
   */
  anomalies?: { threshold: number | null };
}

const sameLabels = (a: Record<string, string>, b: Record<string, string>) => {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
};

/** A band this many pixels wide or more carries its label inside, centred; a narrower one beside it. */
const MIN_LABELLED_SPAN_PX = 56;

const annotationColor: Record<ChartAnnotation['tone'], string> = { ok: 'var(--ok)', warn: 'var(--warn)', bad: 'var(--bad)', neutral: 'var(--text-muted)' };
const PLOT_RIGHT_MARGIN = 8;

/** A dot for a point no line reaches (see isolatedRows); nothing for the others. */
function LoneDot({ cx, cy, index, color, lone }: { cx?: number; cy?: number; index?: number; color: string; lone: ReadonlySet<number> }) {
  if (cx === undefined || cy === undefined || index === undefined || !lone.has(index)) return <g />;
  return <circle cx={cx} cy={cy} r={2.5} fill={color} stroke="none" data-testid="lone-point" />;
}

export function ChartCard({ spec, hostId, range, extraReferences, absentNote, knownAbsent, replaceNote, fixed, syncId, onZoom, onPickTime, annotations, spans, anomalies }: ChartCardProps) {
  const { t, locale } = useI18n();
  const titleId = useId();
  const [plotRef, width] = useElementWidth(20);
  const unit = metricInfo(spec.unitMetric)?.unit;
  const rangeMs = fixed ? fixed.to - fixed.from : rangeDurationMs[range];
  const [drag, setDrag] = useState<{ a: number; b: number } | null>(null);
  const dragging = useRef(false);
  // One point per pixel of the plot area, the y axis excluded.
  const maxPoints = width ? Math.min(5000, Math.max(2, width - Y_AXIS_WIDTH)) : undefined;
  // Hidden series by label, so a toggle sticks to its series when others come or go.
  const [hiddenLabels, setHiddenLabels] = useState<ReadonlySet<string>>(new Set());

  const selectors = useMemo(() => spec.selectors(hostId), [spec, hostId]);
  const query = useLiveQuery<QueryResult>(
    hostId,
    `${spec.key}|${fixed ? `${fixed.from}-${fixed.to}` : range}|${maxPoints}`,
    async () => {
      const to = fixed ? fixed.to : Date.now();
      const from = to - rangeMs;
      const series = await core.call('series/query', { selectors, from, to, maxPoints: maxPoints! });
      return { series, from, to };
    },
    { minIntervalMs: liveRefreshIntervalMs(rangeMs, maxPoints ?? 600), enabled: maxPoints !== undefined && !knownAbsent, live: !fixed },
  );

  const [showBand, setShowBand] = useState(false);
  const bandQuery = useLiveQuery<{ bands: SeriesBand[]; from: number; to: number }>(
    hostId,
    `band|${spec.key}|${fixed ? `${fixed.from}-${fixed.to}` : range}|${maxPoints}`,
    async () => {
      const to = fixed ? fixed.to : Date.now();
      const from = to - rangeMs;
      const bands = await core.call('anomalies/band', { selectors, from, to, maxPoints: maxPoints! });
      return { bands, from, to };
    },
    { minIntervalMs: Math.max(15_000, liveRefreshIntervalMs(rangeMs, maxPoints ?? 600)), enabled: showBand && anomalies !== undefined && maxPoints !== undefined && !knownAbsent, live: !fixed },
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

  const hiddenForBand = useMemo(() => new Set(drawn.flatMap((d, i) => (hiddenLabels.has(d.label) ? [i] : []))), [drawn, hiddenLabels]);
  // The band sits behind the first series shown (the bottom of a stack, so it lines up there too).
  const bandIndex = drawn.findIndex((_, i) => !hiddenForBand.has(i));
  const bandOn = showBand && anomalies !== undefined;
  const bandSeries = bandOn && bandIndex >= 0 ? bandQuery.data?.bands.find((b) => b.name === drawn[bandIndex]!.data.name && sameLabels(b.labels, drawn[bandIndex]!.data.labels)) : undefined;
  const baseRows = useMemo(() => buildChartRows(drawn.map((d) => d.data)), [drawn]);
  const rows = useMemo(() => (bandOn ? withBand(baseRows, bandSeries) : baseRows), [bandOn, baseRows, bandSeries]);
  const lonePoints = useMemo(() => drawn.map((_, i) => isolatedRows(baseRows, seriesKeyAt(i))), [drawn, baseRows]);
  const hidden = useMemo(() => new Set(drawn.flatMap((d, i) => (hiddenLabels.has(d.label) ? [i] : []))), [drawn, hiddenLabels]);
  const stacked = spec.kind === 'stacked-area';
  const dataMax = maxDrawnValue(baseRows, drawn.length, stacked, hidden);
  let bandMax = 0;
  if (bandSeries) for (const e of bandSeries.band) if (Number.isFinite(e[3]) && e[3] > bandMax) bandMax = e[3];
  const yTop = Math.max(dataMax, bandMax, spec.yMax && dataMax <= spec.yMax ? spec.yMax : 0, ...references.map((r) => r.value * 1.05));
  // An all-zero chart (idle disk, unused swap) still needs a scale to put the zero line at the bottom.
  const ticks = niceTicks(unit, yTop > 0 ? yTop : unit === 'ratio' ? 1 : unit === 'bytes' || unit === 'bytes_per_second' ? 1024 : 1, 4);
  const firstPoints = drawn[0]?.data.points.length ?? 0;
  const stepMs = drawn[0] ? pointSpacingMs(drawn[0].data.points, drawn[0].data.stepMs) : undefined;

  const isAbsent = knownAbsent || (absentNote !== undefined && query.data !== undefined && drawn.length === 0 && !query.error);
  if (isAbsent && absentNote) {
    return (
      <section className="card chart-card chart-card--absent" data-testid={`chart-${spec.key}-absent`} aria-labelledby={titleId}>
        <header className="card-head">
          <h3 id={titleId}>{spec.title ?? t(spec.titleKey)}</h3>
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
  // Pointer position → time, from the plot's own geometry (the x axis spans the
  // width minus the y axis and the right margin), independent of recharts' internals.
  const timeAt = (e: ReactMouseEvent<HTMLDivElement>): number | null => {
    if (!width) return null;
    const x = e.clientX - e.currentTarget.getBoundingClientRect().left - Y_AXIS_WIDTH;
    const plotWidth = width - Y_AXIS_WIDTH - PLOT_RIGHT_MARGIN;
    if (plotWidth <= 0) return null;
    return from + (Math.max(0, Math.min(plotWidth, x)) / plotWidth) * (to - from);
  };
  const pointer = onZoom || onPickTime
    ? {
        onMouseDown: (e: ReactMouseEvent<HTMLDivElement>) => {
          const t0 = timeAt(e);
          if (t0 === null || e.button !== 0) return;
          dragging.current = true;
          setDrag({ a: t0, b: t0 });
        },
        onMouseMove: (e: ReactMouseEvent<HTMLDivElement>) => {
          if (!dragging.current) return;
          const t1 = timeAt(e);
          if (t1 !== null) setDrag((d) => (d ? { ...d, b: t1 } : d));
        },
        onMouseUp: () => {
          if (!dragging.current || !drag) return;
          dragging.current = false;
          const zoom = zoomWindow(drag.a, drag.b);
          // Less than a few pixels' worth is a click, not a drag.
          const pxPerMs = width ? (width - Y_AXIS_WIDTH) / (to - from) : 0;
          if (zoom && (zoom.to - zoom.from) * pxPerMs >= 5 && onZoom) onZoom(zoom);
          else onPickTime?.(drag.b);
          setDrag(null);
        },
        onMouseLeave: () => {
          dragging.current = false;
          setDrag(null);
        },
      }
    : {};
  const xOf = (t: number) => Y_AXIS_WIDTH + ((t - from) / (to - from)) * ((width ?? 0) - Y_AXIS_WIDTH - PLOT_RIGHT_MARGIN);
  const plotWidthPx = (width ?? 0) - Y_AXIS_WIDTH - PLOT_RIGHT_MARGIN;
  const visibleSpans = (spans ?? []).filter((sp) => sp.to > from && sp.from < to).map((sp) => ({ ...sp, from: Math.max(from, sp.from), to: Math.min(to, sp.to) }));
  // A mark inside an outage band is said by the band: its line stays, its label goes.
  const insideSpan = (t: number) => visibleSpans.some((sp) => t >= sp.from && t <= sp.to);
  const visibleAnnotations = placeAnnotations(annotations ?? [], from, to, plotWidthPx).map((a) => (insideSpan(a.t) ? { ...a, shownLabel: undefined } : a));

  const flagged = bandOn ? flaggedAreas((bandQuery.data?.bands ?? []).flatMap((b) => b.flagged), from, to) : [];
  const lastBand = bandSeries?.band[bandSeries.band.length - 1];
  const bandLearning = bandOn && bandQuery.data !== undefined && bandIndex >= 0 && (!bandSeries || bandSeries.kind === 'learning' || bandSeries.band.length === 0);
  const bandLegend = bandOn && (
    <div className="band-legend" data-testid={`band-legend-${spec.key}`}>
      {lastBand && (
        <span data-testid="band-range">
          <span className="swatch--band" aria-hidden="true" /> {t('anomaly.band.legend', { low: formatByUnit(unit, lastBand[2], locale), high: formatByUnit(unit, lastBand[3], locale) })}
          {drawn.length > 1 ? ` · ${drawn[bandIndex]!.label}` : ''}
        </span>
      )}
      {flagged.length > 0 && (
        <span data-testid="band-flagged" data-count={flagged.length}>
          <span className="swatch--flag" aria-hidden="true" /> {t('anomaly.band.flaggedCount', { count: flagged.length })}
        </span>
      )}
    </div>
  );

  const bandLayer = bandSeries ? (
    <>
      <Area
        dataKey={BAND_RANGE_KEY}
        type="linear"
        stroke="none"
        fill="var(--band)"
        fillOpacity={stacked ? 0.35 : 0.3}
        className="normal-band"
        connectNulls={false}
        isAnimationActive={false}
        activeDot={false}
        legendType="none"
      />
      <Line dataKey={BAND_CENTRE_KEY} type="linear" stroke="var(--band)" strokeWidth={1} strokeDasharray="4 3" dot={false} activeDot={false} connectNulls={false} isAnimationActive={false} legendType="none" />
    </>
  ) : null;

  const xTicks = timeTicks(from, to, width ? Math.max(2, Math.floor((width - Y_AXIS_WIDTH) / 90)) : 4);

  return (
    <section className="card chart-card" data-testid={`chart-${spec.key}`} data-points={firstPoints} aria-labelledby={titleId} aria-busy={query.loading}>
      <header className="card-head">
        <h3 id={titleId}>{spec.title ?? t(spec.titleKey)}</h3>
        {anomalies !== undefined && (
          <label className="band-toggle" title={t('anomaly.band.toggleHint')}>
            <input type="checkbox" checked={showBand} onChange={(e) => setShowBand(e.target.checked)} data-testid={`band-toggle-${spec.key}`} />
            {t('anomaly.band.toggle')}
          </label>
        )}
        {stepMs !== undefined && (
          <span className="card-meta" title={t('chart.gapNote')}>
            {t('chart.tier', { step: formatDuration(stepMs / 1000, locale) })}
          </span>
        )}
      </header>
      {query.data !== undefined && query.error && <p className="error-text small">{t('chart.error', { message: query.error })}</p>}
      {bandOn && bandQuery.error && <p className="error-text small band-note">{t('anomaly.band.error', { message: bandQuery.error })}</p>}
      {bandLearning && !bandQuery.error && (
        <p className="muted band-note" data-testid={`band-learning-${spec.key}`}>
          {t('anomaly.band.learning')}
        </p>
      )}
      <div className={onZoom ? 'chart-plot chart-plot--zoomable' : 'chart-plot'} ref={plotRef} style={{ height: PLOT_HEIGHT }} {...pointer}>
        {drag && Math.abs(drag.b - drag.a) > 0 && (
          <div className="zoom-selection" style={{ left: xOf(Math.min(drag.a, drag.b)), width: Math.abs(xOf(drag.b) - xOf(drag.a)) }} aria-hidden="true" />
        )}
        {overlay ? (
          <div className="chart-overlay">{overlay}</div>
        ) : (
          width !== undefined &&
          width > 0 && (
            <ComposedChart
              width={width}
              height={PLOT_HEIGHT}
              data={rows}
              margin={{ top: 8, right: PLOT_RIGHT_MARGIN, bottom: 0, left: 0 }}
              accessibilityLayer={false}
              syncId={syncId}
              syncMethod="value"
            >
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
                content={(props) => <ChartTooltip {...props} series={drawn} unit={unit} locale={locale} band={bandSeries ? { index: bandIndex, threshold: anomalies?.threshold ?? null } : undefined} />}
              />
              {!stacked && bandLayer}
              {flagged.map((f, i) => (
                <ReferenceArea key={`f${i}`} x1={f.from} x2={f.to} ifOverflow="hidden" fill="var(--bad)" fillOpacity={0.16} stroke="var(--bad)" strokeOpacity={0.5} strokeDasharray="2 2" className="anomaly-flag" />
              ))}
              {visibleSpans.map((sp, i) => (
                <ReferenceArea
                  key={`s${i}`}
                  x1={sp.from}
                  x2={sp.to}
                  ifOverflow="hidden"
                  fill={annotationColor[sp.tone]}
                  fillOpacity={0.14}
        stroke="none"
                  className="outage-band"
                  // One label per band, at the bottom (alert marks label the top): inside a wide band; beside a
                  // narrow one, reading away from the nearer edge of the plot so it stays inside.
                  label={{
                    value: sp.label,
                    position: ((sp.to - sp.from) / (to - from)) * plotWidthPx >= MIN_LABELLED_SPAN_PX ? 'insideBottom' : sp.from - from > (to - from) / 2 ? 'insideBottomRight' : 'insideBottomLeft',
                    fill: annotationColor[sp.tone],
                    fontSize: 10,
                  }}
                />
              ))}
              {visibleAnnotations.map((a, i) => (
                <ReferenceLine
                  key={`a${i}`}
                  x={a.t}
                  stroke={annotationColor[a.tone]}
                  strokeWidth={1.5}
                  ifOverflow="hidden"
                  // In the right half the label reads leftwards from its line, so it stays inside the plot.
                  label={a.shownLabel === undefined ? undefined : { value: a.shownLabel, position: a.t - from > (to - from) / 2 ? 'insideTopRight' : 'insideTopLeft', fill: annotationColor[a.tone], fontSize: 10 }}
                />
              ))}
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
                    dot={lonePoints[i]!.size > 0 ? (p: { cx?: number; cy?: number; index?: number }) => <LoneDot key={`d${p.index}`} {...p} color={s.color} lone={lonePoints[i]!} /> : false}
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
                    dot={lonePoints[i]!.size > 0 ? (p: { cx?: number; cy?: number; index?: number }) => <LoneDot key={`d${p.index}`} {...p} color={s.color} lone={lonePoints[i]!} /> : false}
                    activeDot={{ r: 3 }}
                  />
                ),
              )}
              {/* Over a stack the band would hide under the areas: it goes on top there. */}
              {stacked && bandLayer}
            </ComposedChart>
          )
        )}
      </div>
      {!replaceNote && bandLegend}
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
