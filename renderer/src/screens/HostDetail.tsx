import { useMemo } from 'react';
import type { Host, HostInventory, HostSummary } from '../../../main/common/contract';
import { ChartCard, type ChartReference } from '../charts/ChartCard';
import { chartSpec, type ChartKey } from '../charts/chart-specs';
import { StateMessage } from '../components/StateMessage';
import { StatusBadge } from '../components/StatusBadge';
import { UsageBar } from '../components/UsageBar';
import { core } from '../core-client';
import { formatAgo, formatBytes, formatBytesPerSecond, formatDateTime, formatDuration, formatLoad, formatPercent, MISSING } from '../../../main/common/format';
import { useLiveQuery } from '../hooks/useLiveQuery';
import { useNow } from '../hooks/useNow';
import type { MessageKey } from '../i18n/catalogue';
import { useI18n } from '../i18n/useI18n';
import { hrefFor } from '../router';
import { useHosts } from '../stores/hosts';
import { usePrefs } from '../stores/prefs';
import { ProcessesTable } from './ProcessesTable';

const INVENTORY_REFRESH_MS = 2000;

export function HostDetail({ hostId }: { hostId: string }) {
  const { t } = useI18n();
  const phase = useHosts((s) => s.phase);
  const host = useHosts((s) => s.hosts.find((h) => h.id === hostId));
  const summary = useHosts((s) => s.summaries[hostId]);

  if (!host) {
    if (phase === 'loading') return <StateMessage tone="loading" title={t('overview.loading')} />;
    return (
      <StateMessage
        tone="empty"
        title={t('host.notFound.title')}
        testId="host-not-found"
        action={
          <a className="btn" href={hrefFor({ screen: 'overview' })}>
            {t('host.notFound.back')}
          </a>
        }
      >
        {t('host.notFound.body', { id: hostId })}
      </StateMessage>
    );
  }
  return <HostDetailScreen host={host} summary={summary} />;
}

function HostDetailScreen({ host, summary }: { host: Host; summary: HostSummary | undefined }) {
  const { t, locale } = useI18n();
  const range = usePrefs((s) => s.range);
  const now = useNow(5000);
  const inventory = useLiveQuery<HostInventory | null>(host.id, 'inventory', () => core.call('hosts/inventory', { hostId: host.id }), {
    minIntervalMs: INVENTORY_REFRESH_MS,
  });
  const cpus = summary?.cpus ?? host.info?.cpus ?? null;
  const loadReferences = useMemo<ChartReference[]>(() => (cpus ? [{ label: t('chart.ref.cpus'), value: cpus }] : []), [cpus, t]);
  const noSwap = summary?.swapTotal === 0;

  const chart = (key: ChartKey, extra: Partial<Parameters<typeof ChartCard>[0]> = {}) => (
    <ChartCard key={key} spec={chartSpec(key)} hostId={host.id} range={range} {...extra} />
  );

  const facts: [MessageKey, string | undefined][] = [
    ['host.hostname', host.info?.hostname],
    ['host.os', host.info?.os],
    ['host.kernel', host.info?.kernel],
    ['host.arch', host.info?.arch],
    ['host.cpus', cpus !== null ? String(cpus) : undefined],
    ['host.kind', t(host.kind === 'local' ? 'host.kind.local' : 'host.kind.ssh')],
  ];

  return (
    <div className="screen" data-testid="host-detail" data-host-id={host.id}>
      <nav className="breadcrumb" aria-label={t('nav.label')}>
        <a href={hrefFor({ screen: 'overview' })}>
          <span aria-hidden="true">←</span> {t('host.back')}
        </a>
      </nav>
      <header className="detail-head">
        <div className="detail-title">
          <h1 tabIndex={-1} className="screen-title">
            {host.name}
          </h1>
          <StatusBadge status={host.status} />
          {host.statusDetail && <span className="status-detail">{host.statusDetail}</span>}
          {host.lastSampleAt !== undefined && (
            <span className="muted small" title={formatDateTime(host.lastSampleAt, locale)}>
              {t('overview.lastSample', { ago: formatAgo(host.lastSampleAt, now, locale) })}
            </span>
          )}
        </div>
        <dl className="facts" aria-label={t('host.facts')}>
          {facts.map(([key, value]) => (
            <div key={key}>
              <dt>{t(key)}</dt>
              <dd className={key === 'host.kernel' ? 'mono' : undefined}>{value ?? MISSING}</dd>
            </div>
          ))}
        </dl>
      </header>

      <section className="stat-strip" aria-label={t('host.summary')}>
        <Stat label={t('metric.cpu')} value={formatPercent(summary?.cpuUsage, locale)} ratio={summary?.cpuUsage} />
        <Stat
          label={t('metric.memory')}
          value={formatBytes(summary?.memoryUsed, locale)}
          sub={summary?.memoryTotal ? `/ ${formatBytes(summary.memoryTotal, locale)}` : undefined}
          ratio={summary?.memoryUsed != null && summary.memoryTotal ? summary.memoryUsed / summary.memoryTotal : null}
        />
        <Stat
          label={t('metric.swap')}
          value={formatBytes(summary?.swapUsed, locale)}
          sub={summary?.swapTotal ? `/ ${formatBytes(summary.swapTotal, locale)}` : undefined}
          ratio={summary?.swapUsed != null && summary.swapTotal ? summary.swapUsed / summary.swapTotal : null}
        />
        <Stat
          label={t('metric.load')}
          title={t('metric.load.hint')}
          value={formatLoad(summary?.load1, locale)}
          sub={`${formatLoad(summary?.load5, locale)} · ${formatLoad(summary?.load15, locale)}`}
        />
        <Stat
          label={t('metric.fullestMount')}
          value={formatPercent(summary?.fullestMountUsage, locale)}
          sub={summary?.fullestMount ?? undefined}
          ratio={summary?.fullestMountUsage}
        />
        <Stat
          label={t('metric.network')}
          value={`↓ ${formatBytesPerSecond(summary?.networkRxRate, locale)}`}
          sub={`↑ ${formatBytesPerSecond(summary?.networkTxRate, locale)}`}
        />
        <Stat
          label={t('metric.diskIo')}
          value={`${t('metric.read')} ${formatBytesPerSecond(summary?.diskReadRate, locale)}`}
          sub={`${t('metric.write')} ${formatBytesPerSecond(summary?.diskWriteRate, locale)}`}
        />
        <Stat label={t('metric.uptime')} value={formatDuration(summary?.uptimeSeconds, locale)} />
      </section>

      <div className="chart-grid">
        {chart('cpu-mode')}
        {chart('cpu-core')}
        {chart('load', { extraReferences: loadReferences })}
        {chart('memory')}
        {chart('swap', { replaceNote: noSwap ? t('chart.noSwap') : undefined })}
        {chart('filesystems')}
        {chart('disk-io')}
        {chart('network')}
        {chart('temperatures', { absentNote: t('chart.noTemperatures') })}
      </div>

      <ProcessesTable inventory={inventory.data} error={inventory.error} loading={inventory.loading} />
    </div>
  );
}

function Stat({ label, value, sub, ratio, title }: { label: string; value: string; sub?: string; ratio?: number | null; title?: string }) {
  return (
    <div className="stat" title={title}>
      <div className="stat-label">{label}</div>
      <div className="stat-value num">{value}</div>
      {sub && <div className="stat-sub num muted">{sub}</div>}
      {ratio !== undefined && <UsageBar ratio={ratio} />}
    </div>
  );
}
