// The containers of one host, on its detail screen: a sortable table with
// usage-vs-limit bars, states, restarts and OOM kills, a filter, and the
// host's note when names are missing. Rows open the container's detail.
import { useMemo, useState } from 'react';
import type { ContainerRow, EngineNote, HostContainers } from '../../../../main/common/contract';
import { formatBytes, formatBytesPerSecond, formatCores, formatDateTime, formatDuration, formatNumber, MISSING } from '../../../../main/common/format';
import { UsageBar } from '../../components/UsageBar';
import { core } from '../../coreClient';
import { useLiveQuery } from '../../hooks/useLiveQuery';
import { useNow } from '../../hooks/useNow';
import type { MessageKey, Translate } from '../../i18n/catalogue';
import { useI18n } from '../../i18n/useI18n';
import { hrefFor } from '../../router';
import { containerKey, counts, cpuShare, filterContainers, isStopped, memoryShare, sortContainers, type ContainerSort } from './containerRows';
import type { SortDir } from '../sortRows';

const REFRESH_MS = 2000;

export function useHostContainers(hostId: string, enabled = true) {
  return useLiveQuery<HostContainers | null>(hostId, 'containers', () => core.call('containers/list', { hostId }), { minIntervalMs: REFRESH_MS, enabled });
}

const stateTone: Record<ContainerRow['state'], 'ok' | 'warn' | 'bad' | 'neutral'> = {
  running: 'ok',
  restarting: 'warn',
  paused: 'neutral',
  created: 'neutral',
  removing: 'warn',
  exited: 'neutral',
  dead: 'bad',
  unknown: 'neutral',
};

/** A pod's container goes by its Kubernetes name (the engine's is k8s_<container>_<pod>_…); others by the engine's. */
export function displayName(r: ContainerRow): string {
  return r.pod && r.seriesLabels.container ? r.seriesLabels.container : r.name;
}

export function ContainerStateBadge({ state }: { state: ContainerRow['state'] }) {
  const { t } = useI18n();
  return (
    <span className={`badge badge--${stateTone[state]}`} data-state={state}>
      <span className="badge-dot" aria-hidden="true" />
      {t(`containers.state.${state}` as MessageKey)}
    </span>
  );
}

/** The note for missing or old names, in the user's language. */
export function engineNoteText(note: EngineNote, t: Translate): string {
  const text = t(`containers.note.${note.code}` as MessageKey, { socket: note.socket ?? t('containers.note.theSocket'), user: note.user ?? t('containers.note.thisUser') });
  return text;
}

export function EngineNoteBanner({ note }: { note: EngineNote }) {
  const { t } = useI18n();
  return (
    <div className="inline-note inline-note--warn" role="status" data-testid="containers-note" data-code={note.code}>
      <strong>{engineNoteText(note, t)}</strong>
      {note.detail && <span className="muted small mono"> {note.detail}</span>}
    </div>
  );
}

function engineLine(data: HostContainers, t: Translate): string {
  const engine = data.engine ? t(`containers.engine.${data.engine}` as MessageKey) : t('containers.engine.none');
  const via = data.engineVia ? t(`containers.via.${data.engineVia}` as MessageKey) : '';
  const cgroup =
    data.cgroupMode === 'none'
      ? t('containers.cgroup.none')
      : data.cgroupDriver === 'unknown'
        ? t('containers.cgroup.noDriver', { mode: data.cgroupMode })
        : t('containers.cgroup', { mode: data.cgroupMode, driver: data.cgroupDriver });
  return [via ? `${engine} ${via}` : engine, cgroup].join(' · ');
}

const columns: { key: ContainerSort; label: MessageKey; numeric?: boolean }[] = [
  { key: 'name', label: 'containers.col.name' },
  { key: 'state', label: 'containers.col.state' },
  { key: 'cpu', label: 'containers.col.cpu', numeric: true },
  { key: 'memory', label: 'containers.col.memory', numeric: true },
  { key: 'network', label: 'containers.col.network', numeric: true },
  { key: 'block', label: 'containers.col.block', numeric: true },
  { key: 'pids', label: 'containers.col.pids', numeric: true },
  { key: 'restarts', label: 'containers.col.restarts', numeric: true },
];

export function ContainersSection({ hostId, hostCpus }: { hostId: string; hostCpus: number | null }) {
  const { t, locale } = useI18n();
  const now = useNow(5000);
  const query = useHostContainers(hostId);
  const [sort, setSort] = useState<ContainerSort>('cpu');
  const [dir, setDir] = useState<SortDir>('desc');
  const [text, setText] = useState('');
  const [showStopped, setShowStopped] = useState(false);
  const [showSandboxes, setShowSandboxes] = useState(false);
  const data = query.data;
  const all = useMemo(() => data?.containers ?? [], [data]);
  const rows = useMemo(() => sortContainers(filterContainers(all, { text, showStopped, showSandboxes }), sort, dir), [all, text, showStopped, showSandboxes, sort, dir]);
  const n = counts(all);
  const stopped = all.filter(isStopped).length;
  const sandboxes = all.filter((r) => r.sandbox).length;

  // A host whose source reads no cgroups (the built-in collector on macOS/Windows) has no section at all.
  if (data === null || (data === undefined && !query.error)) return null;

  const onSort = (column: ContainerSort) => {
    if (column === sort) setDir(dir === 'desc' ? 'asc' : 'desc');
    else {
      setSort(column);
      setDir(column === 'name' || column === 'state' ? 'asc' : 'desc');
    }
  };

  return (
    <section className="card containers-card" aria-labelledby="containers-title" data-testid="containers">
      <header className="card-head">
        <h3 id="containers-title">{t('containers.title')}</h3>
        {data && (
          <span className="card-meta" data-testid="containers-counts">
            {t('containers.counts', { running: n.running, paused: n.paused, stopped: n.stopped })} · {engineLine(data, t)}
          </span>
        )}
      </header>
      {query.error && <p className="error-text small">{t('containers.error', { message: query.error })}</p>}
      {data?.note && <EngineNoteBanner note={data.note} />}
      {data && all.length === 0 ? (
        <p className="muted note" data-testid="containers-empty">
          {data.cgroupMode === 'none' ? t('containers.empty.noCgroups') : t('containers.empty')}
        </p>
      ) : (
        data && (
          <>
            <div className="toolbar toolbar--compact" role="search">
              <input
                type="search"
                className="input"
                placeholder={t('containers.filter')}
                aria-label={t('containers.filter')}
                value={text}
                data-testid="containers-filter"
                onChange={(e) => setText(e.target.value)}
              />
              <label className="check">
                <input type="checkbox" checked={showStopped} data-testid="containers-show-stopped" onChange={(e) => setShowStopped(e.target.checked)} />
                {t('containers.showStopped', { count: stopped })}
              </label>
              {sandboxes > 0 && (
                <label className="check">
                  <input type="checkbox" checked={showSandboxes} onChange={(e) => setShowSandboxes(e.target.checked)} />
                  {t('containers.showSandboxes', { count: sandboxes })}
                </label>
              )}
            </div>
            <div className="table-scroll">
              <table className="data-table containers-table" data-testid="containers-table">
                <caption className="sr-only">{t('containers.caption', { time: formatDateTime(data.t, locale) })}</caption>
                <thead>
                  <tr>
                    {columns.map((c) => (
                      <th key={c.key} scope="col" className={c.numeric ? 'num' : undefined} aria-sort={sort === c.key ? (dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
                        <button
                          type="button"
                          className={sort === c.key ? 'th-sort th-sort--active' : 'th-sort'}
                          data-testid={`containers-sort-${c.key}`}
                          onClick={() => onSort(c.key)}
                          title={t('processes.sortBy', { column: t(c.label) })}
                        >
                          {t(c.label)}
                          <span aria-hidden="true" className="sort-arrow">
                            {sort === c.key ? (dir === 'asc' ? '▲' : '▼') : '↕'}
                          </span>
                        </button>
                      </th>
                    ))}
                    <th scope="col" className="num">
                      {t('containers.col.uptime')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <ContainerTableRow key={r.id} row={r} hostId={hostId} hostCpus={hostCpus} now={now} />
                  ))}
                </tbody>
              </table>
            </div>
            {rows.length === 0 && <p className="muted note">{t('containers.noneMatch')}</p>}
          </>
        )
      )}
    </section>
  );
}

function ContainerTableRow({ row: r, hostId, hostCpus, now }: { row: ContainerRow; hostId: string; hostCpus: number | null; now: number }) {
  const { t, locale } = useI18n();
  const cpu = cpuShare(r, hostCpus);
  const memory = memoryShare(r);
  const href = hrefFor({ screen: 'container', hostId, ...containerKey(r.seriesLabels) });
  return (
    <tr data-testid="container-row" data-name={r.name} data-state={r.state}>
      <td className="container-name-cell">
        <a href={href} className="container-name" data-testid="container-link" title={`${r.name} · ${r.id}`}>
          {displayName(r)}
        </a>
        <div className="muted small container-sub">
          {r.image && <span className="mono" title={r.image}>{r.image}</span>}
          {r.pod && (
            <span className="tag" title={t('containers.pod')}>
              {r.namespace ? `${r.namespace}/` : ''}
              {r.pod}
            </span>
          )}
        </div>
      </td>
      <td>
        <ContainerStateBadge state={r.state} />
      </td>
      <td className="num usage-cell" title={r.cpuLimitCores !== null ? t('containers.limit.cpu', { limit: formatCores(r.cpuLimitCores, locale) }) : t('containers.limit.none')}>
        <UsageBar ratio={cpu} />
        <span>{formatCores(r.cpuCores, locale)}</span>
        <span className="muted small limit-text">{r.cpuLimitCores !== null ? `/ ${formatCores(r.cpuLimitCores, locale)}` : ''}</span>
        {r.cpuThrottledRatio !== null && r.cpuThrottledRatio > 0.05 && (
          <span className="throttled small" title={t('containers.throttled.hint')}>
            {t('containers.throttled', { share: formatNumber(r.cpuThrottledRatio * 100, locale, 0) })}
          </span>
        )}
      </td>
      <td className="num usage-cell">
        <UsageBar ratio={memory} />
        <span>{formatBytes(r.memoryWorkingSetBytes, locale)}</span>
        <span className="muted small limit-text" data-testid="container-memory-limit">
          {r.memoryLimitBytes !== null ? `/ ${formatBytes(r.memoryLimitBytes, locale)}` : r.cgroupPath ? t('containers.noLimit') : ''}
        </span>
        {r.oomKills !== null && r.oomKills > 0 && (
          <span className="badge badge--bad oom-badge" title={t('containers.oomKills.hint')} data-testid="container-oom">
            {t('containers.oomKills', { count: r.oomKills })}
          </span>
        )}
      </td>
      <td className="num small">
        {r.networkRxBytesRate === null && r.networkTxBytesRate === null ? (
          MISSING
        ) : (
          <>
            <span title={t('metric.rx')}>↓{formatBytesPerSecond(r.networkRxBytesRate, locale)}</span> <span title={t('metric.tx')}>↑{formatBytesPerSecond(r.networkTxBytesRate, locale)}</span>
          </>
        )}
      </td>
      <td className="num small">
        {r.blockReadBytesRate === null && r.blockWriteBytesRate === null ? (
          MISSING
        ) : (
          <>
            <span title={t('metric.read')}>R {formatBytesPerSecond(r.blockReadBytesRate, locale)}</span> <span title={t('metric.write')}>W {formatBytesPerSecond(r.blockWriteBytesRate, locale)}</span>
          </>
        )}
      </td>
      <td className="num">{r.pids === null ? MISSING : formatNumber(r.pids, locale, 0)}</td>
      <td className="num">{r.restarts === null ? MISSING : formatNumber(r.restarts, locale, 0)}</td>
      <td className="num muted small" title={r.startedAt !== null ? formatDateTime(r.startedAt, locale) : undefined}>
        {r.startedAt !== null && !isStopped(r) ? formatDuration(Math.max(0, (now - r.startedAt) / 1000), locale) : MISSING}
      </td>
    </tr>
  );
}
