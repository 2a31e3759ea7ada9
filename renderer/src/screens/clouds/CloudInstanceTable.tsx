// Cloud instances as a dense, virtualised table (1,000 rows cost what 30 do)
// or as cards, with their latest key metrics; rows link to the instance.
import { memo, useMemo, useState } from 'react';
import type { CloudInstanceRow, CloudProvider, CloudStatusView } from '../../../../main/common/clouds';
import { formatBytesPerSecond, formatDateTime, formatPercent, MISSING } from '../../../../main/common/format';
import { UsageBar } from '../../components/UsageBar';
import { UsageCell } from '../../components/UsageCell';
import { VirtualList } from '../../components/VirtualList';
import type { MessageKey } from '../../i18n/catalogue';
import type { I18n } from '../../i18n/useI18n';
import { hrefFor } from '../../router';
import { useConnection } from '../../stores/connection';
import { formatSince, productLabel } from './cloudDisplay';
import { cloudSortColumns, displayName, instanceTitle, isStaleRow, sortCloudRows, type CloudSortColumn } from './cloudRows';

export const CLOUD_ROW_HEIGHT = 36;

const STATE_TONE: Record<CloudStatusView['state'], 'ok' | 'warn' | 'bad' | 'neutral'> = {
  starting: 'warn',
  collecting: 'ok',
  idle: 'ok',
  error: 'bad',
  stopped: 'neutral',
  paused: 'neutral',
};

export function CloudStateBadge({ state, i18n }: { state: CloudStatusView['state']; i18n: I18n }) {
  // While the console is unreachable the collector's state is not known here.
  const connected = useConnection((s) => s.status === 'open');
  if (!connected)
    return (
      <span className="badge badge--neutral" data-state="unknown" data-testid="cloud-state" title={i18n.t('status.unknown.hint')}>
        <span className="badge-dot" aria-hidden="true" />
        {i18n.t('status.unknown')}
      </span>
    );
  return (
    <span className={`badge badge--${STATE_TONE[state]}`} data-state={state} data-testid="cloud-state">
      <span className="badge-dot" aria-hidden="true" />
      {i18n.t(`cloud.state.${state}` as MessageKey)}
    </span>
  );
}

export function ProviderTag({ provider, i18n }: { provider: CloudProvider; i18n: I18n }) {
  return <span className={`tag cloud-provider cloud-provider--${provider}`}>{i18n.t(`cloud.provider.${provider}` as MessageKey)}</span>;
}

const COLUMN_LABEL: Record<CloudSortColumn, MessageKey> = {
  name: 'cloud.col.instance',
  account: 'cloud.col.account',
  product: 'cloud.col.product',
  region: 'cloud.col.region',
  cpu: 'metric.cpu',
  memory: 'metric.memory',
  disk: 'cloud.col.disk',
  network: 'metric.network',
  age: 'cloud.col.age',
};
const DESCENDING_FIRST = new Set<CloudSortColumn>(['cpu', 'memory', 'disk', 'network']);
const NUMERIC = new Set<CloudSortColumn>(['cpu', 'memory', 'disk', 'network', 'age']);

export interface CloudInstanceTableProps {
  rows: readonly CloudInstanceRow[];
  i18n: I18n;
  now: number;
  /** Hide the account column (on one account's screen). */
  oneAccount?: boolean;
  /** Viewport height in px (the table scrolls inside). */
  maxHeight?: number;
  testId?: string;
}

export function CloudInstanceTable({ rows, i18n, now, oneAccount, maxHeight = 520, testId = 'cloud-table' }: CloudInstanceTableProps) {
  const { t } = i18n;
  const [sort, setSort] = useState<{ column: CloudSortColumn; dir: 'asc' | 'desc' }>({ column: 'name', dir: 'asc' });
  const sorted = useMemo(() => sortCloudRows(rows, sort.column, sort.dir), [rows, sort]);
  const columns = cloudSortColumns.filter((c) => !(oneAccount && c === 'account'));
  const onSort = (column: CloudSortColumn) =>
    setSort((s) => (s.column === column ? { column, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { column, dir: DESCENDING_FIRST.has(column) ? 'desc' : 'asc' }));
  const height = Math.min(maxHeight, Math.max(CLOUD_ROW_HEIGHT, sorted.length * CLOUD_ROW_HEIGHT));
  return (
    <div className={`fleet-table cloud-table${oneAccount ? ' cloud-table--one-account' : ''}`} role="table" aria-label={t('cloud.table.label')} aria-rowcount={sorted.length + 1} data-testid={testId}>
      <div className="fleet-row fleet-row--head cloud-row" role="row">
        {columns.map((c) => (
          <div key={c} role="columnheader" className={`fleet-cell${NUMERIC.has(c) ? ' num' : ''}`} aria-sort={sort.column === c ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
            <button type="button" className="sort-btn" data-testid={`cloud-sort-${c}`} onClick={() => onSort(c)}>
              {t(COLUMN_LABEL[c])}
              <span aria-hidden="true" className="sort-arrow">
                {sort.column === c ? (sort.dir === 'asc' ? '▲' : '▼') : ''}
              </span>
            </button>
          </div>
        ))}
      </div>
      <VirtualList
        items={sorted}
        rowHeight={CLOUD_ROW_HEIGHT}
        height={height}
        className="cloud-body"
        testId={`${testId}-body`}
        itemKey={(r) => `${r.account}|${r.region}|${r.product}|${r.instanceId}`}
        renderItem={(r) => <CloudRowView row={r} i18n={i18n} now={now} oneAccount={oneAccount} />}
      />
    </div>
  );
}

const CloudRowView = memo(function CloudRowView({ row: r, i18n, now, oneAccount }: { row: CloudInstanceRow; i18n: I18n; now: number; oneAccount?: boolean }) {
  const { t, locale } = i18n;
  const stale = isStaleRow(r, now);
  return (
    <a
      className={`fleet-row cloud-row${stale ? ' cloud-row--stale' : ''}`}
      role="row"
      href={hrefFor({ screen: 'cloud-instance', account: r.account, instanceId: r.instanceId })}
      data-testid="cloud-row"
      data-instance={r.instanceId}
      data-product={r.product}
    >
      <span role="cell" className="fleet-cell cloud-cell--name" title={instanceTitle(r)}>
        <span className="fleet-name">{displayName(r)}</span>
        {r.name && <span className="muted small mono">{r.privateIp ?? r.instanceId}</span>}
      </span>
      {!oneAccount && (
        <span role="cell" className="fleet-cell">
          <span className={`provider-dot provider-dot--${r.provider}`} aria-hidden="true" />
          {r.account}
        </span>
      )}
      <span role="cell" className="fleet-cell">
        <span className="tag">{productLabel(r.product, t)}</span>
      </span>
      <span role="cell" className="fleet-cell mono small">
        {r.region}
      </span>
      <UsageCell ratio={r.cpu} locale={locale} className="fleet-cell num cloud-cell--cpu" />
      <UsageCell ratio={r.memory} locale={locale} className="fleet-cell num" />
      <UsageCell ratio={r.disk} locale={locale} className="fleet-cell num" title={r.diskLabel ?? undefined} />
      <span role="cell" className="fleet-cell num">
        <span title={t('metric.rx')}>↓{formatBytesPerSecond(r.networkRx, locale)}</span> <span title={t('metric.tx')}>↑{formatBytesPerSecond(r.networkTx, locale)}</span>
      </span>
      <span role="cell" className="fleet-cell cloud-cell--age num small" title={r.lastT ? formatDateTime(r.lastT, locale) : undefined}>
        {r.lastT ? formatSince(r.lastT, now, locale) : MISSING}
      </span>
    </a>
  );
});

/** One cloud instance on the overview's card view. */
export const CloudInstanceCard = memo(function CloudInstanceCard({ row: r, i18n, now }: { row: CloudInstanceRow; i18n: I18n; now: number }) {
  const { t, locale } = i18n;
  const metric = (label: string, ratio: number | null, sub?: string) => (
    <div className="metric-row">
      <dt title={sub}>
        {label} {sub && <span className="mono">{sub}</span>}
      </dt>
      <dd>
        <UsageBar ratio={ratio} />
        <span className="num">{formatPercent(ratio, locale)}</span>
      </dd>
    </div>
  );
  return (
    <a className="host-card cloud-card" href={hrefFor({ screen: 'cloud-instance', account: r.account, instanceId: r.instanceId })} data-testid="cloud-card" data-instance={r.instanceId}>
      <div className="host-card-head">
        <span className="host-card-name" title={instanceTitle(r)}>
          {displayName(r)}
        </span>
        <span className={`tag cloud-provider cloud-provider--${r.provider}`}>{t(`cloud.provider.${r.provider}` as MessageKey)}</span>
      </div>
      <div className="host-card-sub muted">
        {productLabel(r.product, t)} · {r.region} · {r.account}
        {r.privateIp && <span className="mono"> · {r.privateIp}</span>}
      </div>
      <dl className="host-card-metrics">
        {r.cpu !== null && metric(t('metric.cpu'), r.cpu)}
        {r.memory !== null && metric(t('metric.memory'), r.memory)}
        {r.disk !== null && metric(t('metric.disk'), r.disk, r.diskLabel ?? undefined)}
        <div className="metric-row">
          <dt>{t('metric.network')}</dt>
          <dd className="num">
            <span title={t('metric.rx')}>↓ {formatBytesPerSecond(r.networkRx, locale)}</span> <span title={t('metric.tx')}>↑ {formatBytesPerSecond(r.networkTx, locale)}</span>
          </dd>
        </div>
      </dl>
      <div className="host-card-foot muted">{r.lastT ? t('cloud.lastDatapoint', { ago: formatSince(r.lastT, now, locale) }) : t('cloud.noDatapoint')}</div>
    </a>
  );
});

/** "Product: [All products ▾]" over the products present in the rows. */
export function ProductSelect({ products, value, onChange, i18n, testId }: { products: readonly string[]; value: string | null; onChange: (product: string | null) => void; i18n: I18n; testId: string }) {
  const { t } = i18n;
  return (
    <label className="field">
      <span>{t('cloud.col.product')}</span>
      <select className="input" data-testid={testId} value={value ?? ''} onChange={(e) => onChange(e.target.value || null)}>
        <option value="">{t('cloud.product.all')}</option>
        {products.map((p) => (
          <option key={p} value={p}>
            {productLabel(p, t)}
          </option>
        ))}
      </select>
    </label>
  );
}
