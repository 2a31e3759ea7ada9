// Settings: the engines past one laptop. Remote-write targets (each with
// what it has sent, what waits in the durable outbox, how old the oldest
// unsent sample is, and its last error; added and removed here, read-only
// when the provisioning file names them) and where charts, Top-K and ranges
// read history from (this console's database, or an engine's PromQL API).
// Secrets are write-only: the screen only learns whether one is set.
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import {
  REMOTE_WRITE_SERIES_KINDS,
  type EngineAuthKind,
  type HistoryState,
  type RemoteWriteSeriesKind,
  type RemoteWriteTargetView,
} from '../../../../main/common/remoteWrite';
import { formatAgo, formatBytes, formatCount, formatDuration } from '../../../../main/common/format';
import { core } from '../../coreClient';
import { useNow } from '../../hooks/useNow';
import { useI18n } from '../../i18n/useI18n';
import { SaveStatusText, type SaveStatus } from './SaveStatus';
import type { MessageKey } from '../../i18n/catalogue';
import { useConnection } from '../../stores/connection';

const STATE_TONE: Record<RemoteWriteTargetView['status']['state'], string> = { idle: 'badge--ok', sending: 'badge--ok', retrying: 'badge--bad', disabled: 'badge--neutral' };
const KIND_LABEL: Record<RemoteWriteSeriesKind, MessageKey> = {
  host: 'engines.series.host',
  container: 'engines.series.container',
  cloud: 'engines.series.cloud',
  health: 'engines.series.health',
};

function EngineCard({ title, testId, badge, children }: { title: string; testId: string; badge?: ReactNode; children: ReactNode }) {
  return (
    <section className="card settings-card" data-testid={testId} aria-label={title}>
      <div className="card-head">
        <h2 className="settings-card-title">{title}</h2>
        {badge}
      </div>
      {children}
    </section>
  );
}

function AuthFields({
  idPrefix,
  auth,
  username,
  secret,
  secretSet,
  onAuth,
  onUsername,
  onSecret,
}: {
  idPrefix: string;
  auth: EngineAuthKind;
  username: string;
  secret: string;
  secretSet: boolean;
  onAuth: (v: EngineAuthKind) => void;
  onUsername: (v: string) => void;
  onSecret: (v: string) => void;
}) {
  const { t } = useI18n();
  return (
    <>
      <div className="field">
        <label htmlFor={`${idPrefix}-auth`}>{t('engines.auth')}</label>
        <select id={`${idPrefix}-auth`} className="input" value={auth} onChange={(e) => onAuth(e.target.value as EngineAuthKind)} data-testid={`${idPrefix}-auth`}>
          <option value="none">{t('engines.auth.none')}</option>
          <option value="bearer">{t('engines.auth.bearer')}</option>
          <option value="basic">{t('engines.auth.basic')}</option>
        </select>
      </div>
      {auth === 'basic' && (
        <div className="field">
          <label htmlFor={`${idPrefix}-username`}>{t('engines.username')}</label>
          <input id={`${idPrefix}-username`} className="input" value={username} onChange={(e) => onUsername(e.target.value)} autoComplete="off" data-testid={`${idPrefix}-username`} />
        </div>
      )}
      {auth !== 'none' && (
        <div className="field">
          <label htmlFor={`${idPrefix}-secret`}>{t(auth === 'bearer' ? 'engines.token' : 'engines.password')}</label>
          <input
            id={`${idPrefix}-secret`}
            className="input"
            type="password"
            value={secret}
            onChange={(e) => onSecret(e.target.value)}
            autoComplete="off"
            placeholder={secretSet ? t('engines.secret.placeholderSet') : ''}
            data-testid={`${idPrefix}-secret`}
          />
          <p className="field-hint">{t('engines.secret.hint')}</p>
        </div>
      )}
    </>
  );
}

// ------------------------------------------------------------ remote write

export function RemoteWriteCard() {
  const { t, locale } = useI18n();
  const epoch = useConnection((s) => s.epoch);
  const now = useNow(5000);
  const [targets, setTargets] = useState<RemoteWriteTargetView[]>();
  const [error, setError] = useState<string>();
  const [adding, setAdding] = useState(false);

  const load = useCallback(async () => {
    try {
      setTargets(await core.call('remote-write/list'));
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  }, []);

  useEffect(() => {
    if (epoch === 0) return;
    void load();
    const timer = setInterval(() => void load(), 5000);
    const off = core.on('remote-write/changed', (next) => setTargets(next));
    return () => {
      clearInterval(timer);
      off();
    };
  }, [epoch, load]);

  const remove = async (name: string) => {
    try {
      await core.call('remote-write/remove', { name });
      await load();
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <EngineCard title={t('engines.rw.title')} testId="settings-remote-write">
      <p className="field-hint settings-intro">{t('engines.rw.intro')}</p>
      {error && (
        <p className="settings-alert settings-alert--bad" role="alert" data-testid="rw-error">
          {error}
        </p>
      )}
      {targets && targets.length === 0 && (
        <p className="muted" data-testid="rw-none">
          {t('engines.rw.none')}
        </p>
      )}
      {targets?.map((target) => {
        const s = target.status;
        return (
          <div className="rw-target" key={target.name} data-testid="rw-target" data-name={target.name} data-state={s.state}>
            <div className="rw-target-head">
              <strong>{target.name}</strong>
              <code className="mono rw-url">{target.url}</code>
              <span className={`badge ${STATE_TONE[s.state]}`} data-testid="rw-state">
                {t(`engines.rw.state.${s.state}` as MessageKey)}
              </span>
              {target.provisioned ? (
                <span className="badge badge--neutral" title={t('settings.lockedByFile.hint')}>
                  {t('settings.lockedByFile')}
                </span>
              ) : (
                <button type="button" className="btn btn--small" onClick={() => void remove(target.name)} data-testid="rw-remove">
                  {t('engines.rw.remove')}
                </button>
              )}
            </div>
            <dl className="facts">
              <div>
                <dt>{t('engines.rw.sent')}</dt>
                <dd className="num" data-testid="rw-sent">
                  {t('engines.rw.sentValue', { samples: formatCount(s.sentSamples, locale), bytes: formatBytes(s.sentBytes, locale) })}
                </dd>
              </div>
              <div>
                <dt>{t('engines.rw.pending')}</dt>
                <dd className="num" data-testid="rw-pending">
                  {formatCount(s.pendingSamples, locale)}
                </dd>
              </div>
              <div>
                <dt>{t('engines.rw.oldest')}</dt>
                <dd className="num" data-testid="rw-oldest">
                  {s.oldestPendingAgeMs === null ? t('engines.rw.nothingPending') : formatDuration(s.oldestPendingAgeMs / 1000, locale)}
                </dd>
              </div>
              {s.droppedSamples > 0 && (
                <div>
                  <dt>{t('engines.rw.dropped')}</dt>
                  <dd className="num">{formatCount(s.droppedSamples, locale)}</dd>
                </div>
              )}
              <div>
                <dt>{t('engines.rw.series')}</dt>
                <dd>{target.series.map((k) => t(KIND_LABEL[k])).join(t('engines.listSeparator'))}</dd>
              </div>
              <div>
                <dt>{t('engines.rw.lastSuccess')}</dt>
                <dd data-testid="rw-last-success">{s.lastSuccessAt === null ? t('engines.rw.never') : formatAgo(Math.min(s.lastSuccessAt, now), now, locale)}</dd>
              </div>
            </dl>
            {s.lastError && (
              <p className="settings-alert settings-alert--bad" role="alert" data-testid="rw-last-error">
                <strong>{t('engines.rw.lastError', { ago: s.lastErrorAt === null ? '' : formatAgo(Math.min(s.lastErrorAt, now), now, locale) })}</strong>
                <span className="settings-alert-detail mono">{s.lastError}</span>
              </p>
            )}
          </div>
        );
      })}
      {adding ? (
        <AddTargetForm
          onDone={async () => {
            setAdding(false);
            await load();
          }}
          onCancel={() => setAdding(false)}
        />
      ) : (
        <div className="form-actions">
          <button type="button" className="btn" onClick={() => setAdding(true)} data-testid="rw-add">
            {t('engines.rw.add')}
          </button>
        </div>
      )}
    </EngineCard>
  );
}

/** `Name: value` per line → a record; a line without a separator is reported by the core's check. */
function parseLines(text: string, separator: ':' | '='): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    const at = trimmed.indexOf(separator);
    if (at < 0) out[trimmed] = '';
    else out[trimmed.slice(0, at).trim()] = trimmed.slice(at + 1).trim();
  }
  return out;
}

function AddTargetForm({ onDone, onCancel }: { onDone: () => Promise<void>; onCancel: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [auth, setAuth] = useState<EngineAuthKind>('none');
  const [username, setUsername] = useState('');
  const [secret, setSecret] = useState('');
  const [headers, setHeaders] = useState('');
  const [labels, setLabels] = useState('');
  const [kinds, setKinds] = useState<RemoteWriteSeriesKind[]>([...REMOTE_WRITE_SERIES_KINDS]);
  const [maxAge, setMaxAge] = useState('6');
  const [status, setStatus] = useState<SaveStatus>();

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    setStatus({ kind: 'saving' });
    try {
      await core.call('remote-write/add', {
        name: name.trim(),
        url: url.trim(),
        enabled: true,
        headers: parseLines(headers, ':'),
        auth,
        ...(auth === 'basic' ? { username } : {}),
        ...(auth !== 'none' && secret ? { secret } : {}),
        externalLabels: parseLines(labels, '='),
        series: kinds,
        maxAgeHours: Number(maxAge),
      });
      setStatus(undefined);
      await onDone();
    } catch (err) {
      setStatus({ kind: 'error', message: (err as Error).message });
    }
  };

  return (
    <form className="settings-form rw-add-form" onSubmit={(e) => void save(e)} noValidate data-testid="rw-add-form">
      <div className="field">
        <label htmlFor="rw-name">{t('engines.rw.name')}</label>
        <input id="rw-name" className="input" value={name} onChange={(e) => setName(e.target.value)} placeholder="victoria" data-testid="rw-name" />
      </div>
      <div className="field">
        <label htmlFor="rw-url">{t('engines.rw.url')}</label>
        <input id="rw-url" className="input" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="http://vm.example:8428/api/v1/write" data-testid="rw-url" />
        <p className="field-hint">{t('engines.rw.url.hint')}</p>
      </div>
      <AuthFields idPrefix="rw" auth={auth} username={username} secret={secret} secretSet={false} onAuth={setAuth} onUsername={setUsername} onSecret={setSecret} />
      <div className="field">
        <label htmlFor="rw-headers">{t('engines.rw.headers')}</label>
        <textarea id="rw-headers" className="input" rows={2} value={headers} onChange={(e) => setHeaders(e.target.value)} placeholder="X-Scope-OrgID: team-a" data-testid="rw-headers" />
      </div>
      <div className="field">
        <label htmlFor="rw-labels">{t('engines.rw.labels')}</label>
        <textarea id="rw-labels" className="input" rows={2} value={labels} onChange={(e) => setLabels(e.target.value)} placeholder="console=alice-laptop" data-testid="rw-labels" />
      </div>
      <fieldset className="settings-fieldset">
        <legend>{t('engines.rw.series')}</legend>
        <div className="rw-kinds">
          {REMOTE_WRITE_SERIES_KINDS.map((kind) => (
            <label key={kind} className="toggle">
              <input
                type="checkbox"
                checked={kinds.includes(kind)}
                onChange={(e) => setKinds((k) => (e.target.checked ? [...k, kind] : k.filter((x) => x !== kind)))}
                data-testid={`rw-kind-${kind}`}
              />
              <span>{t(KIND_LABEL[kind])}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="field">
        <label htmlFor="rw-max-age">{t('engines.rw.maxAge')}</label>
        <div className="input-with-unit">
          <input id="rw-max-age" className="input input--short" inputMode="decimal" value={maxAge} onChange={(e) => setMaxAge(e.target.value)} data-testid="rw-max-age" />
          <span className="muted">{t('settings.unit.hours')}</span>
        </div>
        <p className="field-hint">{t('engines.rw.maxAge.hint')}</p>
      </div>
      <div className="form-actions">
        <button type="submit" className="btn" disabled={status?.kind === 'saving' || !name.trim() || !url.trim()} data-testid="rw-save">
          {t('engines.rw.save')}
        </button>
        <button type="button" className="btn btn--plain" onClick={onCancel}>
          {t('engines.cancel')}
        </button>
        <SaveStatusText status={status} testId="rw" />
      </div>
    </form>
  );
}

// ------------------------------------------------------------ history backend

export function HistoryCard() {
  const { t, locale } = useI18n();
  const epoch = useConnection((s) => s.epoch);
  const now = useNow(5000);
  const [state, setState] = useState<HistoryState>();
  const [backend, setBackend] = useState<HistoryState['backend']>('local');
  const [url, setUrl] = useState('');
  const [auth, setAuth] = useState<EngineAuthKind>('none');
  const [username, setUsername] = useState('');
  const [secret, setSecret] = useState('');
  const [touched, setTouched] = useState(false);
  const [status, setStatus] = useState<SaveStatus>();

  useEffect(() => {
    if (epoch === 0) return;
    void core.call('history/get').then(setState, (err: Error) => setStatus({ kind: 'error', message: err.message }));
    return core.on('history/changed', (next) => setState(next));
  }, [epoch]);

  useEffect(() => {
    if (!state || touched) return;
    setBackend(state.backend);
    setUrl(state.url ?? '');
    setAuth(state.auth);
    setUsername(state.username ?? '');
  }, [state, touched]);

  if (!state) return null;
  const locked = state.provisioned;
  const edit = <T,>(set: (v: T) => void) => (v: T) => {
    setTouched(true);
    setStatus(undefined);
    set(v);
  };

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    setStatus({ kind: 'saving' });
    try {
      const next = await core.call('history/update', {
        backend,
        ...(backend === 'promql' ? { url: url.trim() } : {}),
        auth: backend === 'promql' ? auth : 'none',
        ...(auth === 'basic' ? { username } : {}),
        ...(auth !== 'none' && secret ? { secret } : {}),
      });
      setState(next);
      setTouched(false);
      setSecret('');
      setStatus({ kind: 'saved' });
    } catch (err) {
      setStatus({ kind: 'error', message: (err as Error).message });
    }
  };

  const source =
    state.backend === 'local' ? (
      <span className="badge badge--neutral" data-testid="history-source" data-backend="local">
        {t('engines.history.fromLocal')}
      </span>
    ) : (
      <span className={`badge ${state.lastError ? 'badge--bad' : 'badge--ok'}`} data-testid="history-source" data-backend="promql">
        {t('engines.history.fromEngine')}
      </span>
    );

  return (
    <EngineCard title={t('engines.history.title')} testId="settings-history" badge={source}>
      <p className="field-hint settings-intro" data-testid="history-where">
        {state.backend === 'local' ? t('engines.history.localIntro') : t('engines.history.engineIntro', { url: state.url ?? '' })}
      </p>
      {state.backend === 'promql' && state.lastError && (
        <p className="settings-alert settings-alert--bad" role="alert" data-testid="history-error">
          <strong>{t('engines.history.error', { ago: state.lastErrorAt === null ? '' : formatAgo(Math.min(state.lastErrorAt, now), now, locale) })}</strong>
          <span className="settings-alert-detail mono">{state.lastError}</span>
        </p>
      )}
      <form className="settings-form" onSubmit={(e) => void save(e)} noValidate>
        <fieldset className="settings-fieldset engines-fields" disabled={locked}>
          {locked && (
            <legend>
              <span className="badge badge--neutral" title={t('settings.lockedByFile.hint')}>
                {t('settings.lockedByFile')}
              </span>
            </legend>
          )}
          <div className="field">
            <label htmlFor="history-backend">{t('engines.history.backend')}</label>
            <select id="history-backend" className="input" value={backend} onChange={(e) => edit(setBackend)(e.target.value as HistoryState['backend'])} data-testid="history-backend">
              <option value="local">{t('engines.history.backend.local')}</option>
              <option value="promql">{t('engines.history.backend.promql')}</option>
            </select>
          </div>
          {backend === 'promql' && (
            <>
              <div className="field">
                <label htmlFor="history-url">{t('engines.history.url')}</label>
                <input id="history-url" className="input" value={url} onChange={(e) => edit(setUrl)(e.target.value)} placeholder="http://vm.example:8428" data-testid="history-url" />
                <p className="field-hint">{t('engines.history.url.hint')}</p>
              </div>
              <AuthFields
                idPrefix="history"
                auth={auth}
                username={username}
                secret={secret}
                secretSet={state.secretSet}
                onAuth={edit(setAuth)}
                onUsername={edit(setUsername)}
                onSecret={edit(setSecret)}
              />
            </>
          )}
        </fieldset>
        {!locked && (
          <div className="form-actions">
            <button type="submit" className="btn" disabled={status?.kind === 'saving' || !touched} data-testid="history-save">
              {t('settings.save')}
            </button>
            <SaveStatusText status={status} testId="history" />
          </div>
        )}
      </form>
    </EngineCard>
  );
}
