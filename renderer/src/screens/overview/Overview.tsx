import { useMemo } from 'react';
import { ScreenHeader } from '../../components/ScreenHeader';
import { StateMessage } from '../../components/StateMessage';
import { useNow } from '../../hooks/useNow';
import type { MessageKey } from '../../i18n/catalogue';
import { useI18n } from '../../i18n/useI18n';
import { useFiringByHost } from '../../stores/alertCounts';
import { refreshHosts, useHosts } from '../../stores/hosts';
import { useHistorySource } from '../../stores/historySource';
import { useOverviewPrefs } from '../../stores/overviewPrefs';
import { useConnection } from '../../stores/connection';
import { formatNumber } from '../../../../main/common/format';
import { useAnomalyRates } from '../../stores/anomalyRates';
import { allTags, buildFleetRows, filterRows, groupRows, sortRows, statusFilters, type SortColumn } from './fleetRows';
import { FleetTable } from './FleetTable';
import { HostCard } from './HostCard';
import { HostsToolbar, HostKeyPrompts } from '../hosts/HostsToolbar';
import { CloudFleetSection } from '../clouds/CloudFleetSection';
import { ProvisioningBanner } from './ProvisioningBanner';
import { ChecksOverviewCard } from '../checks/ChecksOverviewCard';

/** Up to this many hosts the overview shows cards unless the operator chose a view. */
const AUTO_TABLE_ABOVE = 12;

/** Columns whose natural first direction is "worst first". */
const descendingFirst = new Set<SortColumn>(['status', 'cpu', 'memory', 'disk', 'network', 'load', 'containers', 'alerts']);

export function Overview() {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const { phase, error, hosts, summaries, historyOnly } = useHosts();
  // With history from an engine, a host only in the history is most likely one another console polls and writes there.
  const historyOnlyDetail = useHistorySource((s) => (s.state?.backend === 'promql' ? 'fleet.fromEngine' : 'fleet.onlyInHistory'));
  const firing = useFiringByHost();
  const prefs = useOverviewPrefs();
  const now = useNow(10_000);
  const connected = useConnection((s) => s.status === 'open');

  const anomalyByHost = useAnomalyRates((s) => s.byHost);
  const rows = useMemo(() => buildFleetRows(hosts, summaries, historyOnly, firing, anomalyByHost), [hosts, summaries, historyOnly, firing, anomalyByHost]);
  const tags = useMemo(() => allTags(rows), [rows]);
  const tag = prefs.tag !== null && tags.includes(prefs.tag) ? prefs.tag : null;
  const shown = useMemo(
    () => sortRows(filterRows(rows, { text: prefs.text, tag, status: prefs.status }), prefs.sort, prefs.dir),
    [rows, prefs.text, tag, prefs.status, prefs.sort, prefs.dir],
  );
  const collapsed = useMemo(() => new Set(prefs.collapsed), [prefs.collapsed]);
  const items = useMemo(() => groupRows(shown, prefs.groupByTag, collapsed), [shown, prefs.groupByTag, collapsed]);
  const view = prefs.view === 'auto' ? (rows.length > AUTO_TABLE_ABOVE ? 'table' : 'cards') : prefs.view;
  const hostById = useMemo(() => new Map(hosts.map((h) => [h.id, h])), [hosts]);

  const onSort = (column: SortColumn) =>
    prefs.set(prefs.sort === column ? { dir: prefs.dir === 'asc' ? 'desc' : 'asc' } : { sort: column, dir: descendingFirst.has(column) ? 'desc' : 'asc' });
  const onToggleGroup = (key: string) => prefs.set({ collapsed: collapsed.has(key) ? prefs.collapsed.filter((k) => k !== key) : [...prefs.collapsed, key] });

  let body;
  if (phase === 'loading' && rows.length === 0) {
    body = <StateMessage tone="loading" title={t('overview.loading')} testId="overview-loading" />;
  } else if (phase === 'error' && rows.length === 0) {
    body = (
      <StateMessage
        tone="error"
        title={t('overview.error.title')}
        testId="overview-error"
        action={
          <button type="button" className="btn" onClick={() => void refreshHosts()}>
            {t('overview.retry')}
          </button>
        }
      >
        {t('overview.error.body', { message: error ?? '' })}
      </StateMessage>
    );
  } else if (rows.length === 0) {
    body = (
      <StateMessage tone="empty" title={t('overview.empty.title')} testId="overview-empty">
        {t('overview.empty.body')}
      </StateMessage>
    );
  } else if (shown.length === 0) {
    body = (
      <StateMessage
        tone="empty"
        title={t('fleet.noMatch.title')}
        testId="overview-no-match"
        action={
          <button type="button" className="btn" onClick={() => prefs.set({ text: '', tag: null, status: 'all' })}>
            {t('fleet.clearFilters')}
          </button>
        }
      >
        {t('fleet.noMatch.body')}
      </StateMessage>
    );
  } else if (view === 'table') {
    body = <FleetTable items={items} sort={prefs.sort} dir={prefs.dir} onSort={onSort} onToggleGroup={onToggleGroup} i18n={i18n} now={now} connected={connected} />;
  } else {
    body = (
      <ul className="host-grid">
        {shown.map((row) => {
          const host = hostById.get(row.id);
          return (
            <li key={row.id}>
              <HostCard
                host={host ?? { id: row.id, name: row.name, kind: 'ssh', status: 'offline', statusDetail: t(historyOnlyDetail), pollIntervalMs: 0, tags: [], provisioned: false, lastSampleAt: row.lastSampleAt ?? undefined }}
                notConfigured={!host}
                summary={host ? summaries[row.id] : historyOnly.find((h) => h.hostId === row.id)?.summary}
                i18n={i18n}
                now={now}
                connected={connected}
                anomaly={anomalyByHost[row.id]}
              />
            </li>
          );
        })}
      </ul>
    );
  }

  return (
    <div className="screen" data-testid="overview">
      <ScreenHeader
        title={t('overview.title')}
        meta={
          rows.length === 0
            ? undefined
            : shown.length === rows.length
              ? t('overview.count', { count: formatNumber(rows.length, locale, 0) })
              : t('fleet.countFiltered', { shown: formatNumber(shown.length, locale, 0), total: formatNumber(rows.length, locale, 0) })
        }
        metaTestId="overview-count"
        actions={<HostsToolbar />}
      />
      <ProvisioningBanner />
      <HostKeyPrompts hosts={hosts} />
      <ChecksOverviewCard />
      {rows.length > 0 && (
        <div className="toolbar" role="search">
          <input
            type="search"
            className="input"
            data-testid="fleet-filter"
            placeholder={t('fleet.filter.placeholder')}
            aria-label={t('fleet.filter.label')}
            value={prefs.text}
            onChange={(e) => prefs.set({ text: e.target.value })}
          />
          <label className="field">
            <span>{t('fleet.tag')}</span>
            <select className="input" data-testid="fleet-tag" value={tag ?? ''} onChange={(e) => prefs.set({ tag: e.target.value || null })}>
              <option value="">{t('fleet.tag.all')}</option>
              {tags.map((x) => (
                <option key={x} value={x}>
                  {x}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('fleet.col.status')}</span>
            <select className="input" data-testid="fleet-status" value={prefs.status} onChange={(e) => prefs.set({ status: e.target.value as (typeof statusFilters)[number] })}>
              {statusFilters.map((s) => (
                <option key={s} value={s}>
                  {t(`fleet.status.${s}` as MessageKey)}
                </option>
              ))}
            </select>
          </label>
          <label className="check">
            <input type="checkbox" checked={prefs.groupByTag} data-testid="fleet-group-toggle" onChange={(e) => prefs.set({ groupByTag: e.target.checked })} />
            {t('fleet.groupByTag')}
          </label>
          <div className="segmented" role="group" aria-label={t('fleet.view')}>
            <button type="button" className="segment" aria-pressed={view === 'table'} data-testid="view-table" onClick={() => prefs.set({ view: 'table' })}>
              {t('fleet.view.table')}
            </button>
            <button type="button" className="segment" aria-pressed={view === 'cards'} data-testid="view-cards" onClick={() => prefs.set({ view: 'cards' })}>
              {t('fleet.view.cards')}
            </button>
          </div>
        </div>
      )}
      {body}
      <CloudFleetSection text={prefs.text} view={prefs.view} />
    </div>
  );
}
