import { memo } from 'react';
import type { Host, HostSummary } from '../../../../main/common/contract';
import { HostKindChip } from '../../components/HostKindChip';
import { StatusBadge } from '../../components/StatusBadge';
import { UsageBar } from '../../components/UsageBar';
import { formatAgo, formatBytes, formatBytesPerSecond, formatDateTime, formatDuration, formatLoad, formatPercent, MISSING } from '../../../../main/common/format';
import { latestSampleAt } from './fleetRows';
import { formatAnomalyRate } from '../../charts/anomalyBand';
import type { I18n } from '../../i18n/useI18n';
import { hrefFor } from '../../router';

export interface HostCardProps {
  host: Host;
  summary: HostSummary | undefined;
  i18n: I18n;
  now: number;
  /** False while the console is unreachable: every value on the page is then old. */
  connected: boolean;
  /** A host only in the history (no source here watches it): a neutral "Not configured", not a red "Offline". */
  notConfigured?: boolean;
  /** The host's anomaly rate now (stores/anomalyRates.ts), when it has scored series. */
  anomaly?: { rate: number; flagged: number; scored: number };
}

function ratio(part: number | null | undefined, whole: number | null | undefined): number | null {
  return typeof part === 'number' && typeof whole === 'number' && whole > 0 ? part / whole : null;
}

/** One host on the overview: a link to its detail, so Enter and middle-click work as people expect. */
export const HostCard = memo(function HostCard({ host, summary: s, i18n, now, connected, notConfigured = false, anomaly }: HostCardProps) {
  const { t, locale } = i18n;
  const cpus = s?.cpus ?? host.info?.cpus ?? null;
  const memoryRatio = ratio(s?.memoryUsed, s?.memoryTotal);
  const loadRatio = ratio(s?.load1, cpus);
  const lastSampleAt = latestSampleAt(host, s);
  // Values that are not being refreshed (the host is not online, or the console is unreachable) look it.
  const stale = !connected || host.status !== 'online';
  const subtitle = [host.info?.os, cpus !== null ? t('metric.cores', { count: cpus }) : undefined].filter(Boolean).join(' · ');

  return (
    <a
      className={stale && s ? 'host-card host-card--stale' : 'host-card'}
      href={hrefFor({ screen: 'host', hostId: host.id })}
      data-testid="host-card"
      data-host-id={host.id}
      data-status={notConfigured ? 'not_configured' : host.status}
      data-stale={stale}
    >
      <div className="host-card-head">
        <span className="host-card-name">{host.name}</span>
        {!notConfigured && <HostKindChip kind={host.kind} t={t} />}
        {notConfigured ? (
          <span className="badge badge--neutral" data-status="not_configured">
            <span className="badge-dot" aria-hidden="true" />
            {t('fleet.notConfigured')}
          </span>
        ) : (
          <StatusBadge status={host.status} />
        )}
      </div>
      <div className="host-card-sub">
        {notConfigured ? (
          // Not a fault: where its values come from, in the muted tone of a subtitle.
          <span className="muted" data-testid="host-card-detail">
            {host.statusDetail}
          </span>
        ) : host.statusDetail ? (
          // Error texts can be long (an SSH error with its cause): three lines here, all of it on hover.
          <span className="status-detail status-detail--clamped" title={host.statusDetail} data-testid="host-card-detail">
            {host.statusDetail}
          </span>
        ) : (
          <span className="muted">{subtitle || '\u00a0'}</span>
        )}
      </div>
      {s ? (
        <dl className="host-card-metrics">
          <div className="metric-row">
            <dt>{t('metric.cpu')}</dt>
            <dd>
              <UsageBar ratio={s.cpuUsage} />
              <span className="num">{formatPercent(s.cpuUsage, locale)}</span>
            </dd>
          </div>
          <div className="metric-row">
            <dt>{t('metric.memory')}</dt>
            <dd>
              <UsageBar ratio={memoryRatio} />
              <span className="num">{t('metric.usedOf', { used: formatBytes(s.memoryUsed, locale), total: formatBytes(s.memoryTotal, locale) })}</span>
            </dd>
          </div>
          <div className="metric-row">
            <dt title={s.fullestMount ?? undefined}>
              {t('metric.disk')} <span className="mono">{s.fullestMount ?? ''}</span>
            </dt>
            <dd>
              <UsageBar ratio={s.fullestMountUsage} />
              <span className="num">{formatPercent(s.fullestMountUsage, locale)}</span>
            </dd>
          </div>
          <div className="metric-row">
            <dt title={t('metric.load.hint')}>{t('metric.load')}</dt>
            <dd>
              <UsageBar ratio={loadRatio} />
              <span className="num">
                {formatLoad(s.load1, locale)} <span className="muted">{formatLoad(s.load5, locale)} {formatLoad(s.load15, locale)}</span>
              </span>
            </dd>
          </div>
          <div className="metric-row">
            <dt>{t('metric.network')}</dt>
            <dd className="num">
              <span title={t('metric.rx')}>↓ {formatBytesPerSecond(s.networkRxRate, locale)}</span>{' '}
              <span title={t('metric.tx')}>↑ {formatBytesPerSecond(s.networkTxRate, locale)}</span>
            </dd>
          </div>
          <div className="metric-row">
            <dt>{t('metric.uptime')}</dt>
            <dd className="num">{formatDuration(s.uptimeSeconds, locale)}</dd>
          </div>
          {anomaly && anomaly.scored > 0 && (
            <div className="metric-row" data-testid="host-card-unusual" title={t('anomaly.rate.hint', { flagged: anomaly.flagged, scored: anomaly.scored })}>
              <dt>{t('anomaly.rate.column')}</dt>
              <dd className={`num${anomaly.flagged > 0 ? ' unusual-some' : ''}`}>{formatAnomalyRate(anomaly.rate, anomaly.scored, locale)}</dd>
            </div>
          )}
          {typeof s.containersTotal === 'number' && s.containersTotal > 0 && (
            <div className="metric-row" data-testid="host-card-containers">
              <dt>{t('fleet.col.containers')}</dt>
              <dd className="num">{t('fleet.containers.hint', { running: s.containersRunning ?? 0, total: s.containersTotal })}</dd>
            </div>
          )}
        </dl>
      ) : (
        <p className="host-card-nodata muted">{t('overview.noData')}</p>
      )}
      {stale && s && (
        <div className="host-card-foot muted" data-testid="host-card-last-seen" title={lastSampleAt ? formatDateTime(lastSampleAt, locale) : undefined}>
          {t('overview.lastSeen', { ago: lastSampleAt ? formatAgo(lastSampleAt, Math.max(now, lastSampleAt), locale) : MISSING })}
        </div>
      )}
    </a>
  );
});
