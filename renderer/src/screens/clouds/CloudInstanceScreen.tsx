// One cloud instance: its key figures and a chart per mapped metric (from
// its product's mappings, so metrics added by a user mapping get one too),
// live as its account stores datapoints, with zoom like a host's charts.
import { useMemo } from 'react';
import { formatBytesPerSecond, formatDateTime, formatPercent, MISSING } from '../../../../main/common/format';
import { ChartCard } from '../../charts/ChartCard';
import { DetailHeader, type Fact } from '../../components/ScreenHeader';
import { Stat } from '../../components/Stat';
import { ZoomBar } from '../../components/ZoomBar';
import { StateMessage } from '../../components/StateMessage';
import { CLOUD_ENTITY_PREFIX } from '../../hooks/useLiveQuery';
import { useNow } from '../../hooks/useNow';
import type { MessageKey } from '../../i18n/catalogue';
import { useI18n } from '../../i18n/useI18n';
import { hrefFor } from '../../router';
import { useClouds } from '../../stores/clouds';
import { selectWindow, useTimeSelection } from '../../stores/timeSelection';
import type { AbsoluteWindow } from '../../timeRange';
import { cloudChartSpecs, formatSince, productLabel, productMetrics } from './cloudDisplay';
import { displayName } from './cloudRows';
import { CloudStateBadge, ProviderTag } from './CloudInstanceTable';

export function CloudInstanceScreen({ account, instanceId }: { account: string; instanceId: string }) {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const phase = useClouds((s) => s.phase);
  const row = useClouds((s) => s.instances.find((r) => r.account === account && r.instanceId === instanceId));
  const accountView = useClouds((s) => s.accounts.find((a) => a.name === account));
  const mappings = useClouds((s) => s.mappings);
  const range = useTimeSelection((s) => s.range);
  const fixed = useTimeSelection((s) => s.fixed);
  const now = useNow(5000);

  const specs = useMemo(
    () => (row ? cloudChartSpecs(productMetrics(mappings, row.provider, row.product), { account: row.account, region: row.region, product: row.product, instanceId: row.instanceId }) : []),
    [row?.account, row?.region, row?.product, row?.instanceId, row?.provider, mappings],
  );

  if (!row) {
    if (phase === 'loading') return <StateMessage tone="loading" title={t('cloud.loading')} />;
    return (
      <StateMessage tone="empty" title={t('cloud.instance.notFound.title')} testId="cloud-instance-not-found" action={<a className="btn" href={hrefFor({ screen: 'cloud-account', account })}>{t('cloud.instance.back', { account })}</a>}>
        {t('cloud.instance.notFound.body', { id: instanceId, account })}
      </StateMessage>
    );
  }
  const onZoom = (w: AbsoluteWindow) => selectWindow(w);
  const resetZoom = () => selectWindow(null);
  const facts: Fact[] = [
    ['cloud.fact.instanceId', row.instanceId],
    ['cloud.col.product', productLabel(row.product, t)],
    ['cloud.col.region', row.region],
    ['cloud.col.account', row.account],
    ...(row.privateIp ? [['cloud.fact.privateIp', row.privateIp] as [MessageKey, string]] : []),
    ...(row.instanceType ? [['cloud.fact.instanceType', row.instanceType] as [MessageKey, string]] : []),
    ...(row.status ? [['cloud.fact.status', row.status] as [MessageKey, string]] : []),
  ];

  return (
    <div className="screen" data-testid="cloud-instance" data-instance={row.instanceId}>
      <DetailHeader
        back={[{ href: hrefFor({ screen: 'cloud-account', account }), label: t('cloud.instance.back', { account }) }]}
        title={displayName(row)}
        titleClassName="cloud-instance-title"
        titleHint={row.name ? row.instanceId : undefined}
        facts={{ label: t('cloud.facts'), items: facts, mono: ['cloud.fact.instanceId', 'cloud.col.region', 'cloud.fact.privateIp', 'cloud.fact.instanceType'] }}
      >
        <ProviderTag provider={row.provider} i18n={i18n} />
        {accountView && <CloudStateBadge state={accountView.status.state} i18n={i18n} />}
        <span className="muted small" title={row.lastT ? formatDateTime(row.lastT, locale) : undefined}>
          {row.lastT ? t('cloud.lastDatapoint', { ago: formatSince(row.lastT, now, locale) }) : t('cloud.noDatapoint')}
        </span>
      </DetailHeader>

      <section className="stat-strip" aria-label={t('host.summary')}>
        <Stat label={t('metric.cpu')} value={formatPercent(row.cpu, locale)} ratio={row.cpu} />
        <Stat label={t('metric.memory')} value={formatPercent(row.memory, locale)} ratio={row.memory} />
        <Stat label={t('cloud.col.disk')} value={formatPercent(row.disk, locale)} sub={row.diskLabel ?? undefined} ratio={row.disk} />
        <Stat label={t('metric.network')} value={`↓ ${formatBytesPerSecond(row.networkRx, locale)}`} sub={`↑ ${formatBytesPerSecond(row.networkTx, locale)}`} />
      </section>

      <ZoomBar fixed={fixed} onReset={resetZoom} hint={t('cloud.chart.hint')} />
      {specs.length === 0 ? (
        <p className="muted">{MISSING}</p>
      ) : (
        <div className="chart-grid">
          {specs.map((spec) => (
            <ChartCard key={spec.key} spec={spec} hostId={`${CLOUD_ENTITY_PREFIX}${account}`} range={range} fixed={fixed} syncId={`cloud:${account}:${instanceId}`} onZoom={onZoom} />
          ))}
        </div>
      )}
    </div>
  );
}
