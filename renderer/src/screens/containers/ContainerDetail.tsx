// One container: what it is (image, pod, runtime, cgroup, labels),
// its latest values against its limits, and its charts over the chosen range.
// Named by its series labels, so it opens from Top-K or a bookmark even after
// the container is gone; its history is still there.
import { useMemo } from 'react';
import type { ContainerRow } from '../../../../main/common/contract';
import { formatAgo, formatBytes, formatBytesPerSecond, formatCores, formatDateTime, formatNumber, formatPercent, MISSING } from '../../../../main/common/format';
import { ChartCard } from '../../charts/ChartCard';
import { containerChartSpecs, type ContainerIdentityLabels } from '../../charts/containerChartSpecs';
import { DetailHeader, type Fact } from '../../components/ScreenHeader';
import { StatusBadge } from '../../components/StatusBadge';
import { Stat } from '../../components/Stat';
import { ZoomBar } from '../../components/ZoomBar';
import { useNow } from '../../hooks/useNow';
import { useI18n } from '../../i18n/useI18n';
import { hrefFor } from '../../router';
import { useHosts } from '../../stores/hosts';
import { selectWindow, useTimeSelection } from '../../stores/timeSelection';
import type { AbsoluteWindow } from '../../timeRange';
import { ContainerStateBadge, displayName, EngineNoteBanner, useHostContainers } from './ContainersSection';
import { cpuShare, memoryShare } from './containerRows';

export interface ContainerDetailProps extends ContainerIdentityLabels {
  readonly hostId: string;
}

function matches(row: ContainerRow, who: ContainerIdentityLabels): boolean {
  const l = row.seriesLabels;
  return l.container === who.container && (l.namespace ?? '') === (who.namespace ?? '') && (l.pod ?? '') === (who.pod ?? '');
}


/** Container charts offer the normal-range band too; without a scored baseline at hand the tooltip gives the range, not z. */
const CONTAINER_ANOMALIES = { threshold: null };
export function ContainerDetail({ hostId, container, namespace, pod }: ContainerDetailProps) {
  const { t, locale } = useI18n();
  const now = useNow(5000);
  const host = useHosts((s) => s.hosts.find((h) => h.id === hostId));
  const summary = useHosts((s) => s.summaries[hostId]);
  const range = useTimeSelection((s) => s.range);
  const fixed = useTimeSelection((s) => s.fixed);
  const query = useHostContainers(hostId, host !== undefined);
  const who = useMemo<ContainerIdentityLabels>(() => ({ container, ...(namespace ? { namespace } : {}), ...(pod ? { pod } : {}) }), [container, namespace, pod]);
  const specs = useMemo(() => containerChartSpecs(who), [who]);
  // The newest instance first: a re-created container (same name, new id) replaces the exited one.
  const row = useMemo(() => {
    const candidates = (query.data?.containers ?? []).filter((r) => matches(r, who));
    return candidates.find((r) => r.cgroupPath !== null) ?? candidates[0];
  }, [query.data, who]);
  const hostCpus = summary?.cpus ?? host?.info?.cpus ?? null;
  const onZoom = (w: AbsoluteWindow) => selectWindow(w);

  const facts: Fact[] = row
    ? [
        ['containers.fact.name', row.name !== displayName(row) ? row.name : undefined],
        ['containers.fact.id', row.id.slice(0, 12), row.id],
        ['containers.fact.image', row.image ?? undefined],
        ['containers.fact.runtime', row.runtime],
        ['containers.fact.pod', row.pod ? `${row.namespace ? `${row.namespace}/` : ''}${row.pod}` : undefined],
        ['containers.fact.qos', row.qos ?? undefined],
        ['containers.fact.started', row.startedAt !== null ? formatAgo(row.startedAt, now, locale) : undefined, row.startedAt !== null ? formatDateTime(row.startedAt, locale) : undefined],
        ['containers.fact.restarts', row.restarts !== null ? formatNumber(row.restarts, locale, 0) : undefined],
        ['containers.fact.cgroup', row.cgroupPath ?? undefined, row.cgroupPath ?? undefined],
      ]
    : [];
  const labels = Object.entries(row?.labels ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const title = row ? displayName(row) : container;
  const shownFacts = facts.filter(([, value]) => value !== undefined);

  return (
    <div className="screen" data-testid="container-detail" data-container={container}>
      <DetailHeader
        back={[
          { href: hrefFor({ screen: 'overview' }), label: t('host.back') },
          { href: hrefFor({ screen: 'host', hostId }), label: host?.name ?? hostId, testId: 'container-back' },
        ]}
        title={title}
        facts={row ? { label: t('containers.facts'), items: shownFacts, mono: ['containers.fact.id', 'containers.fact.cgroup'] } : undefined}
      >
        {row ? <ContainerStateBadge state={row.state} /> : <span className="badge badge--neutral">{t('containers.gone')}</span>}
        {host && host.status !== 'online' && <StatusBadge status={host.status} />}
        {pod && <span className="tag">{namespace ? `${namespace}/${pod}` : pod}</span>}
      </DetailHeader>
      {query.data?.note && <EngineNoteBanner note={query.data.note} />}
      {!row && query.data && (
        <p className="muted note" data-testid="container-gone">
          {t('containers.gone.body')}
        </p>
      )}

      {row && (
        <section className="stat-strip" aria-label={t('containers.summary')}>
          <Stat
            label={t('containers.col.cpu')}
            value={formatCores(row.cpuCores, locale)}
            sub={row.cpuLimitCores !== null ? t('containers.limit.cpu', { limit: formatCores(row.cpuLimitCores, locale) }) : t('containers.limit.none')}
            ratio={cpuShare(row, hostCpus)}
          />
          <Stat
            label={t('containers.stat.throttled')}
            value={row.cpuThrottledRatio !== null ? formatPercent(row.cpuThrottledRatio, locale) : MISSING}
            sub={row.cpuThrottledSecondsRate !== null ? t('containers.stat.throttledTime', { share: formatPercent(row.cpuThrottledSecondsRate, locale) }) : undefined}
          />
          <Stat
            label={t('containers.stat.workingSet')}
            value={formatBytes(row.memoryWorkingSetBytes, locale)}
            sub={row.memoryLimitBytes !== null ? t('containers.limit.memory', { limit: formatBytes(row.memoryLimitBytes, locale) }) : t('containers.limit.none')}
            ratio={memoryShare(row)}
          />
          <Stat
            label={t('containers.stat.memory')}
            value={formatBytes(row.memoryUsageBytes, locale)}
            sub={t('containers.stat.memorySplit', { rss: formatBytes(row.memoryRssBytes, locale), cache: formatBytes(row.memoryCacheBytes, locale) })}
            title={t('containers.stat.peak', { peak: formatBytes(row.memoryPeakBytes, locale) })}
          />
          <Stat label={t('containers.stat.oomKills')} value={row.oomKills === null ? MISSING : formatNumber(row.oomKills, locale, 0)} tone={row.oomKills ? 'bad' : undefined} />
          <Stat
            label={t('containers.col.pids')}
            value={row.pids === null ? MISSING : formatNumber(row.pids, locale, 0)}
            sub={row.pidsLimit !== null ? t('containers.limit.pids', { limit: formatNumber(row.pidsLimit, locale, 0) }) : undefined}
          />
          <Stat
            label={t('containers.col.network')}
            value={`↓ ${formatBytesPerSecond(row.networkRxBytesRate, locale)}`}
            sub={`↑ ${formatBytesPerSecond(row.networkTxBytesRate, locale)}`}
          />
          <Stat
            label={t('containers.col.block')}
            value={`${t('metric.read')} ${formatBytesPerSecond(row.blockReadBytesRate, locale)}`}
            sub={`${t('metric.write')} ${formatBytesPerSecond(row.blockWriteBytesRate, locale)}`}
          />
        </section>
      )}

      <ZoomBar fixed={fixed} onReset={() => selectWindow(null)} hint={t('zoom.hintDrag')} />
      <div className="chart-grid">
        {specs.map((spec) => (
          <ChartCard
            key={`${spec.key}|${who.namespace ?? ''}|${who.pod ?? ''}|${who.container}`}
            spec={spec}
            hostId={hostId}
            range={range}
            fixed={fixed}
            syncId={`container:${hostId}:${container}`}
            onZoom={onZoom}
            anomalies={CONTAINER_ANOMALIES}
            {...(spec.key === 'container-throttling' && row && row.cpuLimitCores === null ? { replaceNote: t('containers.chart.noQuota') } : {})}
          />
        ))}
      </div>

      {labels.length > 0 && (
        <section className="card" aria-labelledby="container-labels-title">
          <header className="card-head">
            <h3 id="container-labels-title">{t('containers.labels')}</h3>
          </header>
          <dl className="label-list" data-testid="container-labels">
            {labels.map(([k, v]) => (
              <div key={k}>
                <dt className="mono">{k}</dt>
                <dd className="mono">{v}</dd>
              </div>
            ))}
          </dl>
        </section>
      )}
    </div>
  );
}
