import { useMemo, useState } from 'react';
import type { HostInventory } from '../../../../main/common/contract';
import { sortProcesses, type ProcessSort } from './processSort';
import { formatDateTime, MISSING } from '../../../../main/common/format';
import { ProcessUsageCells } from './ProcessUsageCells';
import type { MessageKey } from '../../i18n/catalogue';
import { useI18n } from '../../i18n/useI18n';

export function ProcessesTable({ inventory, error, loading }: { inventory: HostInventory | null | undefined; error?: string; loading: boolean }) {
  const { t, locale } = useI18n();
  const [sort, setSort] = useState<ProcessSort>('cpu');
  const rows = useMemo(() => sortProcesses(inventory?.processes ?? [], sort), [inventory, sort]);

  const sortHeader = (column: ProcessSort, labelKey: MessageKey) => {
    const active = sort === column;
    return (
      <th scope="col" className="num" aria-sort={active ? 'descending' : 'none'}>
        <button type="button" className={active ? 'th-sort th-sort--active' : 'th-sort'} onClick={() => setSort(column)} title={t('processes.sortBy', { column: t(labelKey) })}>
          {t(labelKey)}
          <span aria-hidden="true" className="sort-arrow">
            {active ? '▼' : '↕'}
          </span>
        </button>
      </th>
    );
  };

  // The agent does not read process owners (it would cost a fork per sample); the column shows only when a source does.
  const showUser = rows.some((p) => p.user !== undefined);
  return (
    <section className="card processes-card" aria-labelledby="processes-title">
      <header className="card-head">
        <h3 id="processes-title">{t('processes.title')}</h3>
        {inventory && <span className="card-meta">{formatDateTime(inventory.t, locale)}</span>}
      </header>
      {error && <p className="error-text small">{t('processes.error', { message: error })}</p>}
      {rows.length === 0 ? (
        <p className="muted note">{loading && !inventory ? t('chart.loading') : t('processes.empty')}</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table" data-testid="processes-table">
            <caption className="sr-only">{inventory ? t('processes.caption', { time: formatDateTime(inventory.t, locale) }) : t('processes.title')}</caption>
            <thead>
              <tr>
                <th scope="col" className="num">
                  {t('processes.pid')}
                </th>
                <th scope="col">{t('processes.command')}</th>
                {showUser && <th scope="col">{t('processes.user')}</th>}
                {sortHeader('cpu', 'processes.cpu')}
                {sortHeader('memory', 'processes.rss')}
                <th scope="col" className="num">
                  {t('processes.memory')}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <tr key={p.pid}>
                  <td className="num mono">{p.pid}</td>
                  <td className="mono cmd" title={p.comm}>
                    {p.comm}
                  </td>
                  {showUser && <td>{p.user ?? MISSING}</td>}
                  <ProcessUsageCells process={p} locale={locale} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
