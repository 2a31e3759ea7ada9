import { useEffect, useMemo, useState } from 'react';
import { ruleDisplayName } from '../../../../main/common/alertTexts';
import type { Host, HostInventory, HostSummary } from '../../../../main/common/contract';
import { ChartCard } from '../../charts/ChartCard';
import type { ChartAnnotation, ChartReference, ChartSpan } from '../../charts/chartTypes';
import { outageSpans } from '../../charts/outages';
import { chartSpec, type ChartKey } from '../../charts/chartSpecs';
import { DetailHeader, type Fact } from '../../components/ScreenHeader';
import { StateMessage } from '../../components/StateMessage';
import { Stat } from '../../components/Stat';
import { ZoomBar } from '../../components/ZoomBar';
import { StatusBadge } from '../../components/StatusBadge';
import { core } from '../../coreClient';
import { formatAgo, formatBytes, formatBytesPerSecond, formatDateTime, formatDuration, formatLoad, formatPercent } from '../../../../main/common/format';
import { useLiveQuery } from '../../hooks/useLiveQuery';
import { useNow } from '../../hooks/useNow';
import type { MessageKey } from '../../i18n/catalogue';
import { useI18n } from '../../i18n/useI18n';
import { hrefFor } from '../../router';
import { useHosts } from '../../stores/hosts';
import { useHistorySource } from '../../stores/historySource';
import { ProcessesTable } from './ProcessesTable';
import { ProcessesAt } from './ProcessesAt';
import { selectWindow, useTimeSelection } from '../../stores/timeSelection';
import { useAlerts } from '../../stores/alerts';
import { resolveWindow, type AbsoluteWindow } from '../../timeRange';
import { HostKeyPrompt } from '../hosts/HostKeyPrompt';
import { HostSettingsPanel } from '../hosts/HostSettingsPanel';
import { ContainersSection } from '../containers/ContainersSection';
import { latestSampleAt } from '../overview/fleetRows';
import type { UnusualResult } from '../../../../main/common/anomalies';
import { thresholdOf } from '../../charts/anomalyBand';
import { ExplainPanel, type ExplainScope } from '../anomalies/ExplainPanel';
import { UnusualNowCard } from '../anomalies/UnusualNowCard';

const UNUSUAL_REFRESH_MS = 15_000;

/** "What happened here?" stays open across a reload: `explain=host|fleet` in the hash's query, beside the zoomed window. */
function explainFromHash(): ExplainScope | null {
  const q = window.location.hash.indexOf('?');
  const v = q < 0 ? null : new URLSearchParams(window.location.hash.slice(q + 1)).get('explain');
  return v === 'host' || v === 'fleet' ? v : null;
}
function writeExplainToHash(scope: ExplainScope | null): void {
  const hash = window.location.hash;
  const q = hash.indexOf('?');
  const params = new URLSearchParams(q < 0 ? '' : hash.slice(q + 1));
  if (scope) params.set('explain', scope);
  else params.delete('explain');
  const query = params.toString();
  window.history.replaceState(window.history.state, '', `${q < 0 ? hash : hash.slice(0, q)}${query ? `?${query}` : ''}`);
}

function scrollToChart(key: string): void {
  document.querySelector(`[data-testid="chart-${key}"]`)?.scrollIntoView({ block: 'center' });
}

const INVENTORY_REFRESH_MS = 2000;

export function HostDetail({ hostId }: { hostId: string }) {
  const { t } = useI18n();
  const phase = useHosts((s) => s.phase);
  const watched = useHosts((s) => s.hosts.find((h) => h.id === hostId));
  const historyOnly = useHosts((s) => s.historyOnly.find((h) => h.hostId === hostId));
  const liveSummary = useHosts((s) => s.summaries[hostId]);
  // With history from an engine, a host this console does not poll is most likely polled by another console writing there.
  const notConfiguredHint = useHistorySource((s) => (s.state?.backend === 'promql' ? 'fleet.notConfigured.engineHint' : 'fleet.notConfigured.hint'));
  // A host only in the history opens read-only, as "not configured", with its charts.
  const host = useMemo<Host | undefined>(
    () =>
      watched ??
      (historyOnly && {
        id: historyOnly.hostId,
        name: historyOnly.hostId,
        kind: 'ssh',
        status: 'offline',
        statusDetail: t(notConfiguredHint),
        lastSampleAt: historyOnly.lastSampleAt,
        pollIntervalMs: 0,
        tags: [],
        provisioned: false,
      }),
    [watched, historyOnly, t, notConfiguredHint],
  );
  const summary = liveSummary ?? historyOnly?.summary;

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
  return <HostDetailScreen host={host} summary={summary} configured={watched !== undefined} />;
}

function HostDetailScreen({ host, summary, configured }: { host: Host; summary: HostSummary | undefined; configured: boolean }) {
  const { t, locale } = useI18n();
  const range = useTimeSelection((s) => s.range);
  const fixed = useTimeSelection((s) => s.fixed);
  const now = useNow(5000);
  const inventory = useLiveQuery<HostInventory | null>(host.id, 'inventory', () => core.call('hosts/inventory', { hostId: host.id }), {
    minIntervalMs: INVENTORY_REFRESH_MS,
    enabled: configured,
  });
  const [pickedAt, setPickedAt] = useState<number | null>(null);
  const unusual = useLiveQuery<UnusualResult>(host.id, 'unusual', () => core.call('anomalies/unusual', { entity: { kind: 'host', id: host.id }, limit: 8 }), { minIntervalMs: UNUSUAL_REFRESH_MS });
  const threshold = useMemo(() => thresholdOf(unusual.data?.series.find((s) => thresholdOf(s.baseline) !== null)?.baseline), [unusual.data]);
  const chartAnomalies = useMemo(() => ({ threshold }), [threshold]);
  const [explain, setExplainState] = useState<ExplainScope | null>(() => explainFromHash());
  const setExplain = (scope: ExplainScope | null) => {
    setExplainState(scope);
    writeExplainToHash(scope);
  };
  const { annotations, spans } = useAnnotations(host, resolveWindow(range, fixed, now));
  const onZoom = (w: AbsoluteWindow) => selectWindow(w);
  const resetZoom = () => selectWindow(null);
  const cpus = summary?.cpus ?? host.info?.cpus ?? null;
  const loadReferences = useMemo<ChartReference[]>(() => (cpus ? [{ label: t('chart.ref.cpus'), value: cpus }] : []), [cpus, t]);
  const noSwap = summary?.swapTotal === 0;

  // The built-in collector on macOS and Windows cannot read every series the
  // agent reads on Linux (no iowait, no per-disk I/O on macOS, no load on
  // Windows…): a chart with nothing to draw there says so instead of staying empty.
  const platformName = host.info?.platform === 'darwin' ? 'macOS' : host.info?.platform === 'win32' ? 'Windows' : undefined;
  const chart = (key: ChartKey, extra: Partial<Parameters<typeof ChartCard>[0]> = {}) => (
    <ChartCard
      {...(platformName ? { absentNote: t('chart.notOnPlatform', { platform: platformName }) } : {})}
      key={key}
      spec={chartSpec(key)}
      hostId={host.id}
      range={range}
      fixed={fixed}
      syncId={`host:${host.id}`}
      onZoom={onZoom}
      annotations={annotations}
      spans={spans}
      anomalies={chartAnomalies}
      {...(key === 'cpu-mode' || key === 'cpu-core' ? { onPickTime: setPickedAt } : {})}
      {...extra}
    />
  );

  const facts: Fact[] = [
    ['host.hostname', host.info?.hostname],
    ['host.os', host.info?.os],
    ['host.kernel', host.info?.kernel],
    ['host.arch', host.info?.arch],
    ['host.cpus', cpus !== null ? String(cpus) : undefined],
    ['host.kind', configured ? t(`host.kind.${host.kind}` as const) : undefined],
  ];

  const withoutProcesses = configured && (host.kind === 'node_exporter' || host.kind === 'pushed');
  return (
    <div className="screen" data-testid="host-detail" data-host-id={host.id}>
      <DetailHeader back={[{ href: hrefFor({ screen: 'overview' }), label: t('host.back') }]} title={host.name} facts={{ label: t('host.facts'), items: facts, mono: ['host.kernel'] }}>
        {configured ? (
          <>
            <StatusBadge status={host.status} />
            {host.statusDetail && <span className="status-detail">{host.statusDetail}</span>}
          </>
        ) : (
          <>
            <span className="badge badge--neutral" data-status="not_configured">
              <span className="badge-dot" aria-hidden="true" />
              {t('fleet.notConfigured')}
            </span>
            <span className="muted small">{host.statusDetail}</span>
          </>
        )}
        <LastSampleAgo t={latestSampleAt(host, summary)} />
      </DetailHeader>

      {configured && <HostKeyPrompt host={host} />}
      {configured && <HostSettingsPanel host={host} />}

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

      <UnusualNowCard result={unusual.data} error={unusual.error} onOpenChart={scrollToChart} />
      <ZoomBar
        fixed={fixed}
        onReset={() => {
          setExplain(null);
          resetZoom();
        }}
        hint={t('zoom.hint')}
        actions={
          fixed && !explain ? (
            <button type="button" className="btn btn--small" data-testid="explain-open" onClick={() => setExplain('host')}>
              {t('anomaly.explain.button')}
            </button>
          ) : null
        }
      />
      {fixed && explain && (
        <ExplainPanel
          hostId={host.id}
          window={fixed}
          scope={explain}
          onScope={setExplain}
          onClose={() => setExplain(null)}
          onOpenChart={scrollToChart}
        />
      )}
      <div className="chart-grid">
        {chart('cpu-mode')}
        {chart('cpu-core')}
        {chart('load', { extraReferences: loadReferences })}
        {chart('memory')}
        {chart('swap', { replaceNote: noSwap ? t('chart.noSwap') : undefined })}
        {chart('filesystems')}
        {chart('disk-io')}
        {chart('network')}
        {chart('sockets')}
        {chart('tcp-retransmits')}
        {/* On macOS and Windows the platform note says why; on Linux only a kernel without PSI has none. */}
        {chart('pressure', platformName ? {} : { absentNote: t('chart.noPressure') })}
        {chart('temperatures', { absentNote: t('chart.noTemperatures') })}
      </div>

      {configured && <ContainersSection hostId={host.id} hostCpus={cpus} />}
      {/* node_exporter lists no processes, so neither a scraped nor a pushed host has a process history to look up. */}
      {!withoutProcesses && <ProcessesAt hostId={host.id} t={pickedAt} onPick={setPickedAt} />}
      {withoutProcesses ? (
        <section className="panel" data-testid="processes-need-agent">
          <h2 className="panel-title">{t('processes.title')}</h2>
          <p className="muted">{t('processes.needAgent')}</p>
        </section>
      ) : (
        configured && <ProcessesTable inventory={inventory.data} error={inventory.error} loading={inventory.loading} />
      )}
    </div>
  );
}

/** "Last sample 3 s ago", ticking every second on its own so the screen around it does not re-render. */
function LastSampleAgo({ t: at }: { t: number | undefined }) {
  const { t, locale } = useI18n();
  const now = useNow(1000);
  if (at === undefined) return null;
  return (
    <span className="muted small" data-testid="last-sample" data-t={at} title={formatDateTime(at, locale)}>
      {t('overview.lastSample', { ago: formatAgo(at, now, locale) })}
    </span>
  );
}

const STATUS_POLL_MS = 15_000;

/**
 * The host's outages (from the core's status journal) as shaded spans, one
 * label each, and its alerts' transitions (from the alert journal) as marks,
 * in the window.
 */
function useAnnotations(host: Host, window: AbsoluteWindow): { annotations: ChartAnnotation[]; spans: ChartSpan[] } {
  const { t, locale, lang } = useI18n();
  const alertsVersion = useAlerts((s) => s.alerts);
  const [marks, setMarks] = useState<{ annotations: ChartAnnotation[]; spans: ChartSpan[] }>({ annotations: [], spans: [] });
  const from = Math.floor(window.from / 60_000) * 60_000;
  const to = Math.ceil(window.to / 60_000) * 60_000 + 60_000;
  useEffect(() => {
    let cancelled = false;
    const load = async () => {
      const [statuses, alerts] = await Promise.all([
        // Every change the console has (bounded per host): the state when the window opens is the last one before it.
        core.call('hosts/statusHistory', { hostId: host.id, from: 0, to }).catch(() => []),
        core.call('alerts/history', { host: host.name, from, to, limit: 200 }).catch(() => []),
      ]);
      if (cancelled) return;
      const end = Math.min(to, Date.now());
      // Outages less than 1 % of the window apart are one stretch: a link that flaps is one band.
      const outages = outageSpans(statuses, from, end, (end - from) / 100);
      setMarks({
        spans: outages.map((o) => ({
          from: o.from,
          to: o.to,
          ongoing: o.ongoing,
          tone: o.status === 'stale' || o.status === 'connecting' ? 'warn' : 'bad',
          label: `${t(`status.${o.status}` as MessageKey)} · ${formatDuration((o.to - o.from) / 1000, locale)}`,
        })),
        annotations: alerts
          .filter((a) => a.to === 'firing' || a.to === 'resolved')
          .map<ChartAnnotation>((a) => ({ t: a.at, label: `${ruleDisplayName({ id: a.ruleId, name: a.ruleName }, lang)} ${t(a.to === 'firing' ? 'annotation.firing' : 'annotation.resolved')}`, tone: a.to === 'firing' ? 'bad' : 'ok' })),
      });
    };
    void load();
    const timer = setInterval(() => void load(), STATUS_POLL_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [host.id, host.name, host.status, from, to, t, locale, lang, alertsVersion]);
  return marks;
}
