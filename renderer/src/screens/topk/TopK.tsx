// Top-K: the worst hosts, containers or cloud instances by any metric over
// the header's time range (live or fixed), each with a sparkline; a row opens
// its detail at the same range.
import { useEffect, useMemo, useState } from 'react';
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import type { TopKAggregate, TopKKind, TopKResult } from '../../../../main/common/contract';
import { metricInfo } from '../../../../main/common/metrics';
import { ANOMALY_RATE_SERIES } from '../../../../main/common/anomalies';
import { formatAgo, formatByUnit, formatDateTime, formatNumber } from '../../../../main/common/format';
import { Sparkline } from '../../components/Sparkline';
import { ScreenHeader } from '../../components/ScreenHeader';
import { StateMessage } from '../../components/StateMessage';
import { core } from '../../coreClient';
import type { MessageKey } from '../../i18n/catalogue';
import { useI18n } from '../../i18n/useI18n';
import { hrefFor } from '../../router';
import { useConnection } from '../../stores/connection';
import { useTimeSelection } from '../../stores/timeSelection';
import { rangeDurationMs, rangeLongLabelKey } from '../../timeRange';
import { useClouds } from '../../stores/clouds';
import { CLOUD_STALE_AFTER_MS } from '../clouds/cloudRows';
import { containerKey } from '../containers/containerRows';
import { useVantageLabel } from '../checks/ChecksScreen';
import { topKAggregates, topKKinds, topKMetrics, topKSizes } from './topKOptions';

const REFRESH_MS = 10_000;
const SPARK_POINTS = 60;

interface TopKPrefs {
  kind: TopKKind;
  metric: string;
  aggregate: TopKAggregate;
  k: number;
  set(patch: Partial<Omit<TopKPrefs, 'set'>>): void;
}

const useTopKPrefs = create<TopKPrefs>()(
  persist((set) => ({ kind: 'host', metric: 'host:cpu_usage:ratio', aggregate: 'avg', k: 10, set: (patch) => set(patch) }), {
    name: 'overlook.topk',
    storage: createJSONStorage(() => localStorage),
    partialize: ({ set: _set, ...rest }) => rest,
    merge: (persisted, current) => {
      const p = (typeof persisted === 'object' && persisted !== null ? persisted : {}) as Record<string, unknown>;
      const kind = topKKinds.includes(p.kind as TopKKind) ? (p.kind as TopKKind) : current.kind;
      return {
        ...current,
        kind,
        metric: topKMetrics[kind].some((m) => m.name === p.metric) ? (p.metric as string) : topKMetrics[kind][0]!.name,
        aggregate: topKAggregates.includes(p.aggregate as TopKAggregate) ? (p.aggregate as TopKAggregate) : current.aggregate,
        k: (topKSizes as readonly unknown[]).includes(p.k) ? (p.k as number) : current.k,
      };
    },
  }),
);

interface Answer {
  result: TopKResult;
  from: number;
  to: number;
}

export function TopK() {
  const { t, locale } = useI18n();
  const vantageLabel = useVantageLabel();
  const prefs = useTopKPrefs();
  const epoch = useConnection((s) => s.epoch);
  const time = useTimeSelection();
  const [answer, setAnswer] = useState<Answer>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  // The anomaly rate is the core's series, not the metric catalogue's (which lists what derive/ produces): a share.
  const isAnomalyRate = prefs.metric === ANOMALY_RATE_SERIES;
  const unit = isAnomalyRate ? 'ratio' : metricInfo(prefs.metric)?.unit;
  // Cloud instances rank by id; show their names where discovery knows them.
  const cloudRows = useClouds((s) => s.instances);
  const cloudNames = useMemo(() => new Map(cloudRows.flatMap((r) => (r.name ? [[`${r.account}|${r.instanceId}`, r.name] as const] : []))), [cloudRows]);

  useEffect(() => {
    if (epoch === 0) return;
    let cancelled = false;
    const run = async () => {
      const to = time.fixed ? time.fixed.to : Date.now();
      const from = time.fixed ? time.fixed.from : to - rangeDurationMs[time.range];
      setLoading(true);
      try {
        const result = await core.call('topk/query', {
          kind: prefs.kind,
          metric: prefs.metric,
          aggregate: prefs.aggregate,
          from,
          to,
          k: prefs.k,
          order: 'desc',
          points: SPARK_POINTS,
        });
        if (!cancelled) {
          setAnswer({ result, from, to });
          setError(undefined);
        }
      } catch (err) {
        if (!cancelled) setError((err as Error).message);
      } finally {
        if (!cancelled) setLoading(false);
      }
    };
    void run();
    // A fixed window does not move: one answer is enough.
    const timer = time.fixed ? undefined : setInterval(() => void run(), REFRESH_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [prefs.kind, prefs.metric, prefs.aggregate, prefs.k, epoch, time]);

  const rows = answer?.result.rows ?? [];
  const rangeText = time.fixed
    ? t('topk.overWindow', { from: formatDateTime(time.fixed.from, locale), to: formatDateTime(time.fixed.to, locale) })
    : t('topk.over', { range: t(rangeLongLabelKey(time.range)) });
  const sparkMax = Math.max(0, ...rows.flatMap((r) => r.points.map((p) => p[1])));

  let body;
  if (!answer && error) body = <StateMessage tone="error" title={t('topk.error', { message: error })} />;
  else if (!answer) body = <StateMessage tone="loading" title={t('topk.loading')} />;
  else if (rows.length === 0) body = <StateMessage tone="empty" title={t('topk.empty.title')} testId="topk-empty">{t(prefs.kind === 'cloud' ? 'topk.empty.cloudBody' : prefs.kind === 'check' ? 'topk.empty.checkBody' : 'topk.empty.body')}</StateMessage>;
  else
    body = (
      <table className="data-table topk-table" data-testid="topk-table" aria-busy={loading}>
        <caption className="sr-only">{t('topk.caption', { k: rows.length, total: answer.result.total })}</caption>
        <thead>
          <tr>
            <th scope="col" className="num">#</th>
            <th scope="col">{t(prefs.kind === 'container' ? 'topk.col.container' : prefs.kind === 'cloud' ? 'topk.col.instance' : prefs.kind === 'check' ? 'topk.col.check' : 'topk.col.host')}</th>
            <th scope="col" className="num">{t(`topk.agg.${prefs.aggregate}` as MessageKey)}</th>
            <th scope="col">{t('topk.col.trend')}</th>
            <th scope="col" title={t('topk.col.lastSeen.hint')}>
              {t('topk.col.lastSeen')}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => {
            // Cloud datapoints arrive minutes late by design: "stopped reporting" only past that lag.
            const vanished = r.lastT < answer.to - Math.max(3 * answer.result.stepMs, prefs.kind === 'cloud' ? CLOUD_STALE_AFTER_MS : 0);
            const container = prefs.kind === 'container' && r.labels.host !== undefined ? containerKey(r.labels) : undefined;
            // A cloud row names its account, product and region; the instance id is the entity.
            const cloud = prefs.kind === 'cloud' && r.labels.account !== undefined;
            // A check's row is the check from one vantage point (`check/vantage`); it opens the checks screen.
            const check = prefs.kind === 'check' && r.labels.check !== undefined ? { name: r.labels.check, vantage: r.labels.vantage ?? '' } : undefined;
            const hostId = container ? r.labels.host! : r.entity;
            const shown = container ? ['host', 'container', 'namespace', 'pod'] : cloud ? ['instance', 'cloud'] : check ? ['check', 'vantage', 'kind'] : ['host'];
            const detail = Object.entries(r.labels).filter(([k]) => !shown.includes(k));
            const href = check
              ? hrefFor({ screen: 'checks' })
              : container
              ? hrefFor({ screen: 'container', hostId, ...container }, time)
              : cloud
                ? hrefFor({ screen: 'cloud-instance', account: r.labels.account!, instanceId: r.entity }, time)
                : hrefFor({ screen: 'host', hostId }, time);
            return (
              <tr key={r.entity} data-testid="topk-row" data-host-id={hostId} data-entity={r.entity} data-value={r.value}>
                <td className="num muted">{formatNumber(i + 1, locale, 0)}</td>
                <td>
                  <a href={href} data-testid="topk-link">
                    {check ? check.name : container ? container.container : cloud ? (cloudNames.get(`${r.labels.account}|${r.entity}`) ?? r.entity) : r.entity}
                  </a>
                  {container && (
                    <span className="muted small">
                      {' '}
                      {t('topk.onHost', { host: hostId })}
                      {container.pod ? ` · ${container.namespace ? `${container.namespace}/` : ''}${container.pod}` : ''}
                    </span>
                  )}
                  {check && (
                    <span className="muted small" data-testid="topk-vantage">
                      {' '}
                      {t('topk.fromVantage', { vantage: vantageLabel(check.vantage) })}
                    </span>
                  )}
                  {detail.length > 0 && <span className="muted small mono"> {detail.map(([, v]) => v).join(' ')}</span>}
                </td>
                <td className="num">{prefs.kind === 'check' && !isAnomalyRate ? t('checks.latency', { ms: formatNumber(r.value * 1000, locale, r.value < 0.01 ? 1 : 0) }) : formatByUnit(unit, r.value, locale)}</td>
                <td>
                  <Sparkline points={r.points} from={answer.from} to={answer.to} max={sparkMax} stepMs={answer.result.stepMs} />
                </td>
                <td className="muted small" title={formatDateTime(r.lastT, locale)}>
                  {vanished ? t('topk.vanished', { ago: formatAgo(r.lastT, answer.to, locale) }) : t('topk.current')}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    );

  return (
    <div className="screen" data-testid="topk">
      <ScreenHeader
        title={t('topk.title')}
        meta={[answer && rows.length > 0 ? t('topk.caption', { k: rows.length, total: answer.result.total }) : undefined, rangeText].filter(Boolean).join(' · ')}
        metaTestId="topk-range"
      />
      <div className="toolbar">
        <label className="field">
          <span>{t('topk.kind')}</span>
          <select
            className="input"
            data-testid="topk-kind"
            value={prefs.kind}
            onChange={(e) => {
              const kind = e.target.value as TopKKind;
              prefs.set({ kind, metric: topKMetrics[kind][0]!.name });
            }}
          >
            {topKKinds.map((k) => (
              <option key={k} value={k}>
                {t(`topk.kind.${k}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('topk.metric')}</span>
          <select className="input" data-testid="topk-metric" value={prefs.metric} onChange={(e) => prefs.set({ metric: e.target.value })}>
            {topKMetrics[prefs.kind].map((m) => (
              <option key={m.name} value={m.name}>
                {t(m.labelKey)}
              </option>
            ))}
          </select>
        </label>
        <div className="segmented" role="group" aria-label={t('topk.aggregate')}>
          {topKAggregates.map((a) => (
            <button key={a} type="button" className="segment" aria-pressed={prefs.aggregate === a} data-testid={`topk-agg-${a}`} onClick={() => prefs.set({ aggregate: a })}>
              {t(`topk.agg.${a}` as MessageKey)}
            </button>
          ))}
        </div>
        <label className="field">
          <span>{t('topk.k')}</span>
          <select className="input" data-testid="topk-k" value={prefs.k} onChange={(e) => prefs.set({ k: Number(e.target.value) })}>
            {topKSizes.map((k) => (
              <option key={k} value={k}>
                {formatNumber(k, locale, 0)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {answer && error && <p className="error-text small">{t('topk.error', { message: error })}</p>}
      {body}
    </div>
  );
}
