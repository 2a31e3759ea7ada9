// Cloud instances on the fleet overview, below the hosts: the same filter
// text, the same table/cards choice, a product filter, and a line per
// account that needs attention (credentials rejected, the cloud unreachable).
import { useMemo, useState } from 'react';
import { formatNumber } from '../../../../main/common/format';
import { useNow } from '../../hooks/useNow';
import { useI18n } from '../../i18n/useI18n';
import { hrefFor } from '../../router';
import { useClouds } from '../../stores/clouds';
import { filterCloudRows, productsOf, sortCloudRows } from './cloudRows';
import { CloudInstanceCard, CloudInstanceTable, ProductSelect } from './CloudInstanceTable';

/** Up to this many instances the section shows cards unless the operator chose a view. */
const AUTO_TABLE_ABOVE = 12;
/** Cards beyond this many would be a wall; the table takes over. */
const MAX_CARDS = 60;

export function CloudFleetSection({ text, view }: { text: string; view: 'auto' | 'table' | 'cards' }) {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const now = useNow(10_000);
  const rows = useClouds((s) => s.instances);
  const accounts = useClouds((s) => s.accounts);
  const [product, setProduct] = useState<string | null>(null);
  const products = useMemo(() => productsOf(rows), [rows]);
  const shown = useMemo(() => filterCloudRows(rows, { text, product: product && products.includes(product) ? product : null }), [rows, text, product, products]);
  const troubled = accounts.filter((a) => a.status.state === 'error');
  if (rows.length === 0 && troubled.length === 0) return null;
  const mode = view === 'auto' ? (rows.length > AUTO_TABLE_ABOVE ? 'table' : 'cards') : view === 'cards' && shown.length <= MAX_CARDS ? 'cards' : 'table';

  return (
    <section className="cloud-fleet" aria-labelledby="cloud-fleet-title" data-testid="cloud-fleet">
      <div className="screen-head">
        <h2 className="panel-title" id="cloud-fleet-title">
          {t('cloud.fleet.title')}
        </h2>
        <span className="muted" data-testid="cloud-fleet-count">
          {shown.length === rows.length
            ? t('cloud.fleet.count', { count: formatNumber(rows.length, locale, 0), accounts: formatNumber(accounts.length, locale, 0) })
            : t('cloud.fleet.countFiltered', { shown: formatNumber(shown.length, locale, 0), total: formatNumber(rows.length, locale, 0) })}
        </span>
        {products.length > 1 && (
          <div className="toolbar cloud-fleet-toolbar">
            <ProductSelect products={products} value={product} onChange={setProduct} i18n={i18n} testId="cloud-fleet-product" />
          </div>
        )}
        <span className="spacer" />
        <a className="btn btn--small" href={hrefFor({ screen: 'clouds' })}>
          {t('cloud.fleet.accounts')}
        </a>
      </div>
      {troubled.map((a) => (
        <p key={a.name} className="settings-alert settings-alert--bad cloud-fleet-alert" data-testid="cloud-fleet-alert">
          <a href={hrefFor({ screen: 'cloud-account', account: a.name })}>{a.name}</a>: {a.problem ?? a.status.stateDetail}
        </p>
      ))}
      {shown.length === 0 ? null : mode === 'table' ? (
        <CloudInstanceTable rows={shown} i18n={i18n} now={now} maxHeight={432} testId="cloud-fleet-table" />
      ) : (
        <ul className="host-grid">
          {sortCloudRows(shown, 'name', 'asc').map((r) => (
            <li key={`${r.account}|${r.region}|${r.instanceId}`}>
              <CloudInstanceCard row={r} i18n={i18n} now={now} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
