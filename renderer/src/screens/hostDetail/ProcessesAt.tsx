// "Which process was behind that spike": the top processes the core kept
// nearest a moment, picked by clicking the CPU chart or typing a time.
import { useEffect, useState } from 'react';
import type { ProcessSnapshot } from '../../../../main/common/contract';
import { formatDateTime } from '../../../../main/common/format';
import { ProcessUsageCells } from './ProcessUsageCells';
import { core } from '../../coreClient';
import { useI18n } from '../../i18n/useI18n';
import { fromLocalInput, toLocalInput } from '../../timeRange';

export function ProcessesAt({ hostId, t: at, onPick }: { hostId: string; t: number | null; onPick(t: number | null): void }) {
  const { t, locale } = useI18n();
  const [snapshot, setSnapshot] = useState<ProcessSnapshot | null | undefined>(undefined);
  const [error, setError] = useState<string>();
  const [input, setInput] = useState('');

  useEffect(() => {
    if (at === null) return;
    setInput(toLocalInput(at));
    let cancelled = false;
    setSnapshot(undefined);
    core.call('processes/at', { hostId, t: Math.round(at) }).then(
      (s) => !cancelled && (setSnapshot(s), setError(undefined)),
      (err: Error) => !cancelled && setError(err.message),
    );
    return () => {
      cancelled = true;
    };
  }, [hostId, at]);

  return (
    <section className="card processes-card" aria-labelledby="processes-at-title" data-testid="processes-at">
      <header className="card-head">
        <h3 id="processes-at-title">{t('processesAt.title')}</h3>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            const ms = fromLocalInput(input);
            if (ms !== null) onPick(ms);
          }}
        >
          <label className="sr-only" htmlFor="processes-at-time">
            {t('processesAt.time')}
          </label>
          <input id="processes-at-time" className="input" type="datetime-local" value={input} onChange={(e) => setInput(e.target.value)} data-testid="processes-at-input" />
          <button type="submit" className="btn btn--small">
            {t('processesAt.show')}
          </button>
          {at !== null && (
            <button type="button" className="btn btn--small" onClick={() => onPick(null)}>
              {t('processesAt.close')}
            </button>
          )}
        </form>
      </header>
      {at === null ? (
        <p className="muted note">{t('processesAt.hint')}</p>
      ) : error ? (
        <p className="error-text small">{t('processes.error', { message: error })}</p>
      ) : snapshot === undefined ? (
        <p className="muted note">{t('chart.loading')}</p>
      ) : snapshot === null ? (
        <p className="muted note" data-testid="processes-at-none">{t('processesAt.none', { time: formatDateTime(at, locale) })}</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table" data-testid="processes-at-table">
            <caption className="card-meta caption-left">{t('processes.caption', { time: formatDateTime(snapshot.t, locale) })}</caption>
            <thead>
              <tr>
                <th scope="col" className="num">{t('processes.pid')}</th>
                <th scope="col">{t('processes.command')}</th>
                <th scope="col" className="num">{t('processes.cpu')}</th>
                <th scope="col" className="num">{t('processes.rss')}</th>
                <th scope="col" className="num">{t('processes.memory')}</th>
              </tr>
            </thead>
            <tbody>
              {snapshot.processes.map((p) => (
                <tr key={p.pid}>
                  <td className="num mono">{p.pid}</td>
                  <td className="mono cmd">{p.comm}</td>
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
