// The overview as a dense, virtualised table: one 36-px row per host, sortable
// headers, optional tag groups. Rows are links to the host detail.
import { memo, useEffect, useRef, useState } from 'react';
import { formatAgo, formatBytesPerSecond, formatDateTime, formatLoad, formatNumber, MISSING } from '../../../../main/common/format';
import { HostKindChip } from '../../components/HostKindChip';
import { StatusBadge } from '../../components/StatusBadge';
import { UsageCell } from '../../components/UsageCell';
import { VirtualList } from '../../components/VirtualList';
import type { MessageKey } from '../../i18n/catalogue';
import type { I18n } from '../../i18n/useI18n';
import { hrefFor } from '../../router';
import { formatAnomalyRate } from '../../charts/anomalyBand';
import type { FleetItem, FleetRow, SortColumn } from './fleetRows';
import type { SortDir } from '../sortRows';

export const ROW_HEIGHT = 36;

const columns: { key: SortColumn; label: MessageKey; numeric?: boolean }[] = [
  { key: 'name', label: 'fleet.col.name' },
  { key: 'status', label: 'fleet.col.status' },
  { key: 'cpu', label: 'metric.cpu', numeric: true },
  { key: 'memory', label: 'metric.memory', numeric: true },
  { key: 'disk', label: 'fleet.col.disk', numeric: true },
  { key: 'network', label: 'metric.network', numeric: true },
  { key: 'load', label: 'metric.load', numeric: true },
  { key: 'containers', label: 'fleet.col.containers', numeric: true },
  { key: 'alerts', label: 'fleet.col.alerts', numeric: true },
  { key: 'unusual', label: 'anomaly.rate.column', numeric: true },
];

export interface FleetTableProps {
  items: FleetItem[];
  sort: SortColumn;
  dir: SortDir;
  onSort(column: SortColumn): void;
  onToggleGroup(key: string): void;
  i18n: I18n;
  now: number;
  /** False while the console is unreachable: every value shown is then old. */
  connected: boolean;
}

/** The viewport height left below the table's top edge, following window resizes. */
function useRemainingHeight(ref: React.RefObject<HTMLElement | null>): number {
  const [h, setH] = useState(480);
  useEffect(() => {
    const update = () => {
      const top = ref.current?.getBoundingClientRect().top ?? 200;
      setH(Math.max(240, Math.floor(window.innerHeight - top - 24)));
    };
    update();
    window.addEventListener('resize', update);
    return () => window.removeEventListener('resize', update);
  }, [ref]);
  return h;
}

export function FleetTable({ items, sort, dir, onSort, onToggleGroup, i18n, now, connected }: FleetTableProps) {
  const { t } = i18n;
  const bodyRef = useRef<HTMLDivElement>(null);
  // As tall as its rows, up to what is left of the window: a short fleet leaves no empty box that pushes what follows (cloud instances) down.
  const height = Math.min(useRemainingHeight(bodyRef), Math.max(1, items.length) * ROW_HEIGHT);
  return (
    <div className="fleet-table" role="table" aria-label={t('fleet.tableLabel')} aria-rowcount={items.length + 1} data-testid="fleet-table">
      <div className="fleet-row fleet-row--head" role="row">
        {columns.map((c) => (
          <div key={c.key} role="columnheader" className={`fleet-cell fleet-cell--${c.key}`} aria-sort={sort === c.key ? (dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
            <button type="button" className="sort-btn" data-testid={`sort-${c.key}`} onClick={() => onSort(c.key)} title={t('processes.sortBy', { column: t(c.label) })}>
              {t(c.label)}
              <span aria-hidden="true" className="sort-arrow">
                {sort === c.key ? (dir === 'asc' ? '▲' : '▼') : ''}
              </span>
            </button>
          </div>
        ))}
      </div>
      <div ref={bodyRef}>
        <VirtualList
          items={items}
          rowHeight={ROW_HEIGHT}
          height={height}
          className="fleet-body"
          testId="fleet-body"
          itemKey={(item) => (item.kind === 'group' ? `g:${item.key}` : `r:${item.row.id}`)}
          renderItem={(item) =>
            item.kind === 'group' ? (
              <button type="button" className="fleet-group" aria-expanded={!item.collapsed} onClick={() => onToggleGroup(item.key)} data-testid="fleet-group">
                <span aria-hidden="true">{item.collapsed ? '▸' : '▾'}</span> {item.tag ?? t('fleet.untagged')} <span className="muted">{formatNumber(item.count, i18n.locale, 0)}</span>
              </button>
            ) : (
              // Only a stale row shows an age: the others keep their props (and their memo) as the clock ticks.
              <FleetRowView row={item.row} i18n={i18n} now={!connected || item.row.status !== 'online' ? now : 0} connected={connected} />
            )
          }
        />
      </div>
    </div>
  );
}

const FleetRowView = memo(function FleetRowView({ row: r, i18n, now, connected }: { row: FleetRow; i18n: I18n; now: number; connected: boolean }) {
  const { t, locale } = i18n;
  // Values that are not being refreshed look it, with when they are from.
  const stale = !connected || r.status !== 'online';
  const hasValues = r.lastSampleAt !== null;
  return (
    <a
      className={stale && hasValues ? 'fleet-row fleet-row--stale' : 'fleet-row'}
      role="row"
      href={hrefFor({ screen: 'host', hostId: r.id })}
      data-testid="fleet-row"
      data-host-id={r.id}
      data-status={r.status}
      data-stale={stale}
    >
      <span role="cell" className="fleet-cell fleet-cell--name">
        <span className="fleet-name">{r.name}</span>
        {r.kind && <HostKindChip kind={r.kind} t={t} />}
        {r.tags.map((tag) => (
          <span key={tag} className="tag">
            {tag}
          </span>
        ))}
      </span>
      <span role="cell" className="fleet-cell fleet-cell--status">
        {r.status === 'not_configured' ? (
          <span className="badge badge--neutral" title={t('fleet.notConfigured.hint')}>
            <span className="badge-dot" aria-hidden="true" />
            {t('fleet.notConfigured')}
          </span>
        ) : (
          <StatusBadge status={r.status} />
        )}
        {stale && r.lastSampleAt !== null && (
          <span className="fleet-ago muted small" title={t('overview.lastSeen', { ago: formatDateTime(r.lastSampleAt, locale) })} data-testid="fleet-last-seen">
            {formatAgo(r.lastSampleAt, Math.max(now, r.lastSampleAt), locale)}
          </span>
        )}
      </span>
      <UsageCell ratio={r.cpu} locale={locale} className="fleet-cell fleet-cell--cpu num" />
      <UsageCell ratio={r.memoryRatio} locale={locale} className="fleet-cell fleet-cell--memory num" />
      <UsageCell ratio={r.disk} locale={locale} className="fleet-cell fleet-cell--disk num" title={r.diskMount ?? undefined} />
      <span role="cell" className="fleet-cell fleet-cell--network num">
        <span title={t('metric.rx')}>↓{formatBytesPerSecond(r.networkRx, locale)}</span> <span title={t('metric.tx')}>↑{formatBytesPerSecond(r.networkTx, locale)}</span>
      </span>
      <span role="cell" className="fleet-cell fleet-cell--load num">
        {formatLoad(r.load1, locale)}
      </span>
      <span
        role="cell"
        className="fleet-cell fleet-cell--containers num"
        title={r.containers !== null && r.containersTotal !== null ? t('fleet.containers.hint', { running: r.containers, total: r.containersTotal }) : undefined}
      >
        {r.containers === null ? (
          MISSING
        ) : (
          <>
            {formatNumber(r.containers, locale, 0)}
            {r.containersTotal !== null && r.containersTotal !== r.containers && <span className="muted"> / {formatNumber(r.containersTotal, locale, 0)}</span>}
          </>
        )}
      </span>
      <span role="cell" className={`fleet-cell fleet-cell--alerts num${r.alerts > 0 ? ' alerts-firing' : ''}`}>
        {r.alerts > 0 ? formatNumber(r.alerts, locale, 0) : MISSING}
      </span>
      <span
        role="cell"
        className={`fleet-cell fleet-cell--unusual num${r.anomalyFlagged > 0 ? ' unusual-some' : ''}`}
        data-testid="fleet-unusual"
        title={r.anomalyScored > 0 ? t('anomaly.rate.hint', { flagged: r.anomalyFlagged, scored: r.anomalyScored }) : undefined}
      >
        {formatAnomalyRate(r.anomalyRate, r.anomalyScored, locale)}
      </span>
    </a>
  );
});
