// The Settings screen: sampling and retention, the history database, the
// provisioning file's status, the /metrics exporter, and the engines past one
// laptop (where history comes from, remote-write targets: EngineCards.tsx). Fields the
// provisioning file (or a command-line flag) sets are read-only with a badge.
// The exporter's token is write-only: the screen only ever learns whether
// one is set.
import { AnomaliesCard } from './AnomaliesCard';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { AppInfo, ExportLock, ExportState, RequestInput, Retention } from '../../../../main/common/contract';
import type { ReceiverState } from '../../../../main/common/promHosts';
import { formatAgo, formatBytes, formatCount, formatDateTime } from '../../../../main/common/format';
import { ScreenHeader } from '../../components/ScreenHeader';
import { SecretStorageNote } from '../../components/SecretStorageNote';
import { StateMessage } from '../../components/StateMessage';
import { core } from '../../coreClient';
import { useNow } from '../../hooks/useNow';
import { useI18n } from '../../i18n/useI18n';
import type { MessageKey } from '../../i18n/catalogue';
import { useConnection } from '../../stores/connection';
import { HistoryCard, RemoteWriteCard } from './EngineCards';
import { SaveStatusText, type SaveStatus } from './SaveStatus';
import { ListenerBadge } from './ListenerBadge';
import { checkListen, checkPollSeconds, checkRetention, checkToken, type FieldCheck, type RetentionField } from './validation';

const REFRESH_MS = 5000;
const RETENTION_FIELDS: { field: RetentionField; label: MessageKey; unit: MessageKey }[] = [
  { field: 'rawHours', label: 'settings.retention.raw', unit: 'settings.unit.hours' },
  { field: 'minuteDays', label: 'settings.retention.minute', unit: 'settings.unit.days' },
  { field: 'hourDays', label: 'settings.retention.hour', unit: 'settings.unit.days' },
];

/** The remote-write receiver: hosts that push Prometheus remote write. Never runs without a token. */
function ReceiverCard() {
  const { t, locale } = useI18n();
  const now = useNow(5000);
  const [state, setState] = useState<ReceiverState>();
  const [enabled, setEnabled] = useState(false);
  const [listen, setListen] = useState('');
  const [token, setToken] = useState('');
  const [touched, setTouched] = useState(false);
  const [status, setStatus] = useState<SaveStatus>();
  useEffect(() => {
    void core.call('receiver/get').then(setState, () => undefined);
    return core.on('receiver/changed', (next) => setState(next));
  }, []);
  useEffect(() => {
    if (state && !touched) {
      setEnabled(state.enabled);
      setListen(state.listen);
    }
  }, [state, touched]);
  if (!state) return null;
  const lock = state.lockedBy;
  const listenCheck = checkListen(listen);
  const tokenCheck = checkToken(token);
  const valid = (lock.listen !== null || listenCheck.ok) && (lock.token !== null || tokenCheck.ok);
  const submit = async (patch: RequestInput<'receiver/update'>) => {
    setStatus({ kind: 'saving' });
    try {
      setState(await core.call('receiver/update', patch));
      setTouched(false);
      setToken('');
      setStatus({ kind: 'saved' });
    } catch (err) {
      setStatus({ kind: 'error', message: (err as Error).message });
    }
  };
  const save = (e: React.FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    const patch: { enabled?: boolean; listen?: string; token?: string } = {};
    if (lock.enabled === null && enabled !== state.enabled) patch.enabled = enabled;
    if (lock.listen === null && listen.trim() !== state.listen) patch.listen = listen.trim();
    if (lock.token === null && token !== '') patch.token = token;
    void submit(patch);
  };
  const serving = state.url !== null;
  const refused = Object.values(state.stats.refused).reduce((a, b) => a + b, 0);
  const badge = <ListenerBadge serving={serving} failed={state.enabled && Boolean(state.lastError)} testId="receiver-status" />;
  return (
    <Card title={t('receiver.title')} testId="settings-receiver" badge={badge}>
      <p className="field-hint settings-intro">{t('receiver.intro')}</p>
      {state.lastError && state.enabled && (
        <p className="settings-alert settings-alert--bad" role="alert" data-testid="receiver-error">
          {state.lastError}
        </p>
      )}
      {serving && (
        <div className="export-url" data-testid="receiver-url-row">
          <span className="muted">{t('receiver.url')}</span>
          <code className="mono" data-testid="receiver-url">
            {state.url}
          </code>
          <span className="muted small" data-testid="receiver-stats">
            {t('receiver.stats', { hosts: state.stats.hosts, samples: state.stats.samplesAccepted, refused })}
            {state.stats.lastRequestAt !== null && ` · ${t('receiver.lastRequest', { ago: formatAgo(state.stats.lastRequestAt, now, locale) })}`}
          </span>
        </div>
      )}
      {serving && state.stats.lastRefusal && (
        <p className="muted small" data-testid="receiver-last-refusal">
          {t('receiver.lastRefusal', { reason: state.stats.lastRefusal })}
        </p>
      )}
      {(listenCheck.ok ? listenCheck.allInterfaces : state.allInterfaces) && (
        <p className="settings-alert settings-alert--warn" role="note">
          {t('receiver.allInterfaces')}
        </p>
      )}
      <form className="settings-form" onSubmit={save} noValidate>
        <div className="field">
          <div className="field-label-row">
            <label className="toggle">
              <input
                type="checkbox"
                checked={enabled}
                disabled={lock.enabled !== null}
                onChange={(e) => {
                  setTouched(true);
                  setStatus(undefined);
                  setEnabled(e.target.checked);
                }}
                data-testid="receiver-enabled"
              />
              <span>{t('receiver.enable')}</span>
            </label>
            {lock.enabled && <LockBadge by={lock.enabled} />}
          </div>
        </div>
        <Field id="receiver-listen" label={t('export.listen')} hint={t('receiver.listen.hint')} error={lock.listen === null && !listenCheck.ok ? t(listenCheck.message) : undefined} lock={lock.listen}>
          <input
            id="receiver-listen"
            className="input mono"
            value={listen}
            spellCheck={false}
            autoComplete="off"
            disabled={lock.listen !== null}
            onChange={(e) => {
              setTouched(true);
              setStatus(undefined);
              setListen(e.target.value);
            }}
            data-testid="receiver-listen"
          />
        </Field>
        <Field id="receiver-token" label={t('export.token')} hint={t('receiver.token.hint')} error={lock.token === null && !tokenCheck.ok ? t(tokenCheck.message) : undefined} lock={lock.token}>
          <div className="input-with-unit">
            <input
              id="receiver-token"
              className="input mono"
              type="password"
              value={token}
              autoComplete="new-password"
              spellCheck={false}
              disabled={lock.token !== null}
              placeholder={state.tokens > 0 ? t('export.token.placeholderSet') : t('receiver.token.placeholderUnset')}
              onChange={(e) => {
                setStatus(undefined);
                setToken(e.target.value);
              }}
              data-testid="receiver-token"
            />
            <span className={state.tokens > 0 ? 'badge badge--ok' : 'badge badge--neutral'} data-testid="receiver-token-state">
              {state.tokens > 0 ? t('export.token.set') : t('export.token.unset')}
            </span>
          </div>
        </Field>
        <div className="form-actions">
          <button type="submit" className="btn" disabled={!valid || status?.kind === 'saving'} data-testid="receiver-save">
            {t('settings.save')}
          </button>
          <SaveStatusText status={status} testId="receiver" />
        </div>
      </form>
    </Card>
  );
}

export function SettingsScreen() {
  const { t } = useI18n();
  const epoch = useConnection((s) => s.epoch);
  const [info, setInfo] = useState<AppInfo>();
  const [exportState, setExportState] = useState<ExportState>();
  const [loadError, setLoadError] = useState<string>();

  const load = useCallback(async () => {
    try {
      const [nextInfo, nextExport] = await Promise.all([core.call('app/info'), core.call('export/get')]);
      setInfo(nextInfo);
      setExportState(nextExport);
      setLoadError(undefined);
    } catch (err) {
      setLoadError((err as Error).message);
    }
  }, []);

  useEffect(() => {
    if (epoch === 0) return;
    void load();
    // DB size, series count and the last scrape move on their own.
    const timer = setInterval(() => void load(), REFRESH_MS);
    const offConfig = core.on('config/changed', () => void load());
    const offExport = core.on('export/changed', (state) => setExportState(state));
    return () => {
      clearInterval(timer);
      offConfig();
      offExport();
    };
  }, [epoch, load]);

  let body;
  if (!info || !exportState) {
    body = loadError ? (
      <StateMessage
        tone="error"
        title={t('settings.loadError')}
        testId="settings-error"
        action={
          <button type="button" className="btn" onClick={() => void load()}>
            {t('overview.retry')}
          </button>
        }
      >
        {loadError}
      </StateMessage>
    ) : (
      <StateMessage tone="loading" title={t('settings.loading')} />
    );
  } else {
    body = (
      <div className="settings-grid">
        <GeneralCard info={info} onSaved={load} />
        <ExportCard state={exportState} onChange={setExportState} />
        <ReceiverCard />
        <StorageCard info={info} />
        <SecretsCard info={info} />
        <ProvisioningCard info={info} />
        <HistoryCard />
        <RemoteWriteCard />
        <AnomaliesCard />
      </div>
    );
  }

  return (
    <div className="screen" data-testid="settings">
      <ScreenHeader title={t('settings.title')} />
      {body}
    </div>
  );
}

function Card({ title, children, testId, badge }: { title: string; children: ReactNode; testId: string; badge?: ReactNode }) {
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

function LockBadge({ by }: { by: ExportLock | 'file' }) {
  const { t } = useI18n();
  return (
    <span className="badge badge--neutral" data-testid="provisioned-badge" title={t(by === 'flag' ? 'settings.lockedByFlag.hint' : 'settings.lockedByFile.hint')}>
      {t(by === 'flag' ? 'settings.lockedByFlag' : 'settings.lockedByFile')}
    </span>
  );
}

function Field({
  id,
  label,
  hint,
  error,
  lock,
  children,
}: {
  id: string;
  label: string;
  hint?: string;
  error?: string;
  lock?: ExportLock | 'file' | null;
  children: ReactNode;
}) {
  return (
    <div className="field">
      <div className="field-label-row">
        <label htmlFor={id}>{label}</label>
        {lock && <LockBadge by={lock} />}
      </div>
      {children}
      {error ? (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : (
        hint && (
          <p className="field-hint" id={`${id}-hint`}>
            {hint}
          </p>
        )
      )}
    </div>
  );
}

function messageOf(t: ReturnType<typeof useI18n>['t'], check: FieldCheck | { ok: false; message: MessageKey }): string | undefined {
  return check.ok ? undefined : t(check.message, 'params' in check ? check.params : undefined);
}

// ------------------------------------------------------------ sampling and retention

function GeneralCard({ info, onSaved }: { info: AppInfo; onSaved: () => Promise<void> }) {
  const { t } = useI18n();
  const locked = new Set(info.provisionedSettings);
  const pollLocked = locked.has('pollIntervalMs');
  const retentionLocked = locked.has('retention');
  const fromSettings = useCallback(
    (s: AppInfo['settings']) => ({
      poll: String(s.pollIntervalMs / 1000),
      rawHours: String(s.retention.rawHours),
      minuteDays: String(s.retention.minuteDays),
      hourDays: String(s.retention.hourDays),
    }),
    [],
  );
  const [draft, setDraft] = useState(() => fromSettings(info.settings));
  const [touched, setTouched] = useState(false);
  const [status, setStatus] = useState<SaveStatus>();
  const settingsKey = JSON.stringify(info.settings);

  // A change from elsewhere (the file, another window) shows up unless the user is mid-edit.
  useEffect(() => {
    if (!touched) setDraft(fromSettings(info.settings));
  }, [settingsKey, touched, fromSettings, info.settings]);

  const poll = checkPollSeconds(draft.poll);
  const retention = Object.fromEntries(RETENTION_FIELDS.map(({ field }) => [field, checkRetention(field, draft[field])])) as Record<RetentionField, FieldCheck>;
  const valid = (pollLocked || poll.ok) && (retentionLocked || Object.values(retention).every((c) => c.ok));
  const set = (key: keyof typeof draft) => (e: React.ChangeEvent<HTMLInputElement>) => {
    setTouched(true);
    setStatus(undefined);
    setDraft((d) => ({ ...d, [key]: e.target.value }));
  };

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    const patch: { pollIntervalMs?: number; retention?: Retention } = {};
    if (!pollLocked && poll.ok && poll.value !== info.settings.pollIntervalMs) patch.pollIntervalMs = poll.value;
    if (!retentionLocked) {
      const next = Object.fromEntries(RETENTION_FIELDS.map(({ field }) => [field, (retention[field] as { value: number }).value])) as Retention;
      if (JSON.stringify(next) !== JSON.stringify(info.settings.retention)) patch.retention = next;
    }
    setStatus({ kind: 'saving' });
    try {
      if (Object.keys(patch).length) await core.call('settings/update', patch);
      setTouched(false);
      setStatus({ kind: 'saved' });
      await onSaved();
    } catch (err) {
      setStatus({ kind: 'error', message: (err as Error).message });
    }
  };

  return (
    <Card title={t('settings.general.title')} testId="settings-general">
      <form className="settings-form" onSubmit={(e) => void save(e)} noValidate>
        <Field id="poll-interval" label={t('settings.poll')} hint={t('settings.poll.hint')} error={pollLocked ? undefined : messageOf(t, poll)} lock={pollLocked ? 'file' : null}>
          <div className="input-with-unit">
            <input
              id="poll-interval"
              className="input input--short"
              inputMode="decimal"
              value={draft.poll}
              onChange={set('poll')}
              disabled={pollLocked}
              aria-invalid={!pollLocked && !poll.ok}
              data-testid="poll-input"
            />
            <span className="muted">{t('settings.unit.seconds')}</span>
          </div>
        </Field>
        <fieldset className="settings-fieldset" disabled={retentionLocked}>
          <legend>
            {t('settings.retention')}
            {retentionLocked && <LockBadge by="file" />}
          </legend>
          <p className="field-hint">{t('settings.retention.hint')}</p>
          <div className="retention-row">
            {RETENTION_FIELDS.map(({ field, label, unit }) => (
              <Field key={field} id={`retention-${field}`} label={t(label)} error={retentionLocked ? undefined : messageOf(t, retention[field])}>
                <div className="input-with-unit">
                  <input
                    id={`retention-${field}`}
                    className="input input--short"
                    inputMode="decimal"
                    value={draft[field]}
                    onChange={set(field)}
                    aria-invalid={!retentionLocked && !retention[field].ok}
                    data-testid={`retention-${field}`}
                  />
                  <span className="muted">{t(unit)}</span>
                </div>
              </Field>
            ))}
          </div>
        </fieldset>
        <div className="form-actions">
          <button type="submit" className="btn" disabled={!valid || (pollLocked && retentionLocked) || status?.kind === 'saving'} data-testid="settings-save">
            {t('settings.save')}
          </button>
          <SaveStatusText status={status} testId="settings" />
        </div>
      </form>
    </Card>
  );
}

// ------------------------------------------------------------ /metrics export

function ExportCard({ state, onChange }: { state: ExportState; onChange: (state: ExportState) => void }) {
  const { t, locale } = useI18n();
  const now = useNow(5000);
  const [enabled, setEnabled] = useState(state.enabled);
  const [listen, setListen] = useState(state.listen);
  const [token, setToken] = useState('');
  const [touched, setTouched] = useState(false);
  const [status, setStatus] = useState<SaveStatus>();

  useEffect(() => {
    if (!touched) {
      setEnabled(state.enabled);
      setListen(state.listen);
    }
  }, [state.enabled, state.listen, touched]);

  const lock = state.lockedBy;
  const listenCheck = checkListen(listen);
  const tokenCheck = checkToken(token);
  const valid = (lock.listen !== null || listenCheck.ok) && (lock.token !== null || tokenCheck.ok);
  const wouldExpose = listenCheck.ok ? listenCheck.allInterfaces : state.allInterfaces;

  const submit = async (patch: RequestInput<'export/update'>) => {
    setStatus({ kind: 'saving' });
    try {
      const next = await core.call('export/update', patch);
      onChange(next);
      setTouched(false);
      setToken('');
      setStatus({ kind: 'saved' });
    } catch (err) {
      setStatus({ kind: 'error', message: (err as Error).message });
    }
  };

  const save = (e: React.FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    const patch: { enabled?: boolean; listen?: string; token?: string } = {};
    if (lock.enabled === null && enabled !== state.enabled) patch.enabled = enabled;
    if (lock.listen === null && listen.trim() !== state.listen) patch.listen = listen.trim();
    if (lock.token === null && token !== '') patch.token = token;
    void submit(patch);
  };

  const serving = state.url !== null;
  const statusBadge = <ListenerBadge serving={serving} failed={state.enabled && Boolean(state.lastError)} testId="export-status" />;

  return (
    <Card title={t('export.title')} testId="settings-export" badge={statusBadge}>
      <p className="field-hint settings-intro">{t('export.intro')}</p>
      {state.lastError && state.enabled && (
        <p className="settings-alert settings-alert--bad" role="alert" data-testid="export-error">
          {state.lastError}
        </p>
      )}
      {serving && (
        <div className="export-url" data-testid="export-url-row">
          <span className="muted">{t('export.url')}</span>
          <code className="mono" data-testid="export-url">
            {state.url}
          </code>
          <span className="muted small">
            {state.lastScrapeAt === null ? t('export.neverScraped') : t('export.lastScrape', { ago: formatAgo(state.lastScrapeAt, now, locale) })}
          </span>
        </div>
      )}
      {serving && state.sdUrl !== null && (
        <div className="export-url" data-testid="export-sd-row">
          <span className="muted">{t('export.sdUrl')}</span>
          <code className="mono" data-testid="export-sd-url">
            {state.sdUrl}
          </code>
          <span className="muted small">{t('export.sdUrl.hint')}</span>
        </div>
      )}
      {wouldExpose && (
        <p className="settings-alert settings-alert--warn" role="note" data-testid="export-exposed-warning">
          {t('export.allInterfaces')}
        </p>
      )}
      <form className="settings-form" onSubmit={save} noValidate>
        <div className="field">
          <div className="field-label-row">
            <label className="toggle">
              <input
                type="checkbox"
                checked={enabled}
                disabled={lock.enabled !== null}
                onChange={(e) => {
                  setTouched(true);
                  setStatus(undefined);
                  setEnabled(e.target.checked);
                }}
                data-testid="export-enabled"
              />
              <span>{t('export.enable')}</span>
            </label>
            {lock.enabled && <LockBadge by={lock.enabled} />}
          </div>
        </div>
        <Field
          id="export-listen"
          label={t('export.listen')}
          hint={t('export.listen.hint')}
          error={lock.listen === null && !listenCheck.ok ? t(listenCheck.message) : undefined}
          lock={lock.listen}
        >
          <input
            id="export-listen"
            className="input mono"
            value={listen}
            spellCheck={false}
            autoComplete="off"
            disabled={lock.listen !== null}
            aria-invalid={lock.listen === null && !listenCheck.ok}
            onChange={(e) => {
              setTouched(true);
              setStatus(undefined);
              setListen(e.target.value);
            }}
            data-testid="export-listen"
          />
        </Field>
        <Field
          id="export-token"
          label={t('export.token')}
          hint={state.auth === 'basic' ? t('export.token.basic') : t('export.token.hint')}
          error={lock.token === null && !tokenCheck.ok ? t(tokenCheck.message) : undefined}
          lock={lock.token}
        >
          <div className="input-with-unit">
            <input
              id="export-token"
              className="input mono"
              type="password"
              value={token}
              autoComplete="new-password"
              spellCheck={false}
              disabled={lock.token !== null}
              placeholder={state.tokenSet ? t('export.token.placeholderSet') : t('export.token.placeholderUnset')}
              aria-invalid={lock.token === null && !tokenCheck.ok}
              onChange={(e) => {
                setStatus(undefined);
                setToken(e.target.value);
              }}
              data-testid="export-token"
            />
            <span className={state.tokenSet ? 'badge badge--ok' : 'badge badge--neutral'} data-testid="export-token-state" data-set={state.tokenSet}>
              {state.tokenSet ? t('export.token.set') : t('export.token.unset')}
            </span>
            {state.tokenSet && lock.token === null && (
              <button type="button" className="btn btn--small" onClick={() => void submit({ token: null })} data-testid="export-token-remove">
                {t('export.token.remove')}
              </button>
            )}
          </div>
        </Field>
        <SecretStorageNote />
        <div className="form-actions">
          <button type="submit" className="btn" disabled={!valid || status?.kind === 'saving'} data-testid="export-save">
            {t('settings.save')}
          </button>
          <SaveStatusText status={status} testId="export" />
        </div>
      </form>
    </Card>
  );
}

// ------------------------------------------------------------ storage and provisioning

function StorageCard({ info }: { info: AppInfo }) {
  const { t, locale } = useI18n();
  return (
    <Card title={t('settings.storage.title')} testId="settings-storage">
      {info.store.writeError && (
        <div className="settings-alert settings-alert--bad" role="alert" data-testid="db-write-error">
          <strong>{t('settings.storage.writeError', { since: formatDateTime(info.store.writeError.since, locale) })}</strong>
          <span className="settings-alert-detail mono">{info.store.writeError.message}</span>
        </div>
      )}
      <dl className="facts">
        <div>
          <dt>{t('settings.storage.size')}</dt>
          <dd className="num" data-testid="db-size">
          {formatBytes(info.store.sizeBytes, locale)}
        </dd>
        </div>
        <div>
          <dt>{t('settings.storage.series')}</dt>
          <dd className="num" data-testid="db-series">
          {formatCount(info.store.series, locale)}
        </dd>
        </div>
        {info.store.samplesLost > 0 && (
          <div>
            <dt>{t('settings.storage.lost')}</dt>
            <dd className="num" data-testid="db-lost">
              {formatCount(info.store.samplesLost, locale)}
            </dd>
          </div>
        )}
        {info.store.droppedSamples > 0 && (
          <div title={t('settings.storage.dropped.hint')}>
            <dt>{t('settings.storage.dropped')}</dt>
            <dd className="num" data-testid="db-dropped">
              {formatCount(info.store.droppedSamples, locale)}
            </dd>
          </div>
        )}
        <div>
          <dt>{t('settings.storage.version')}</dt>
          <dd className="mono">
          {info.version} · {t('settings.storage.agent', { version: info.agentVersion })}
        </dd>
        </div>
      </dl>
    </Card>
  );
}

// ------------------------------------------------------------ secrets

/** Where passwords, passphrases, tokens and cloud keys are kept; the desktop app without a keychain says why and how to get one. */
function SecretsCard({ info }: { info: AppInfo }) {
  const { t } = useI18n();
  const { kind, reason, keyFile, backend } = info.secretStorage;
  const badge = reason ? (
    <span className="badge badge--warn" data-testid="secrets-status" data-kind={kind}>
      {t('secrets.file')}
    </span>
  ) : (
    <span className="badge badge--ok" data-testid="secrets-status" data-kind={kind}>
      {kind === 'keychain' ? t('secrets.keychain') : t('secrets.file')}
    </span>
  );
  return (
    <Card title={t('secrets.title')} testId="settings-secrets" badge={badge}>
      {reason && (
        <p className="settings-alert settings-alert--warn" role="alert" data-testid="secrets-fallback" data-reason={reason}>
          {t(reason === 'basic_text' ? 'secrets.basicText' : 'secrets.noKeychain')}
        </p>
      )}
      <dl className="facts">
        <div>
          <dt>{t('secrets.keptIn')}</dt>
          <dd data-testid="secrets-kind">{kind === 'keychain' ? (backend ? t('secrets.keychain.backend', { backend }) : t('secrets.keychain')) : t('secrets.file')}</dd>
        </div>
        {keyFile && (
          <div>
            <dt>{t('secrets.keyFile')}</dt>
            <dd className="mono" title={keyFile} data-testid="secrets-key-file">
              {keyFile}
            </dd>
          </div>
        )}
      </dl>
      <p className="field-hint">{t(kind === 'keychain' ? 'secrets.keychain.hint' : 'secrets.file.hint')}</p>
    </Card>
  );
}

function ProvisioningCard({ info }: { info: AppInfo }) {
  const { t, locale } = useI18n();
  const { file, problems, loadedAt } = info.config;
  const badge = !file ? (
    <span className="badge badge--neutral">{t('settings.config.none')}</span>
  ) : problems.length ? (
    <span className="badge badge--warn" data-testid="config-status">
      {t('settings.config.problems', { count: problems.length })}
    </span>
  ) : (
    <span className="badge badge--ok" data-testid="config-status">
      {t('settings.config.ok')}
    </span>
  );
  return (
    <Card title={t('settings.config.title')} testId="settings-config" badge={badge}>
      {!file ? (
        <p className="field-hint">{t('settings.config.noneHint')}</p>
      ) : (
        <>
          <dl className="facts">
            <div>
              <dt>{t('settings.config.file')}</dt>
              <dd className="mono" title={file}>{file}</dd>
            </div>
            <div>
              <dt>{t('settings.config.loadedAt')}</dt>
              <dd>{loadedAt === null ? t('settings.config.neverLoaded') : formatDateTime(loadedAt, locale)}</dd>
            </div>
          </dl>
          {problems.length > 0 && (
            <ul className="problem-list" data-testid="config-problems">
              {problems.map((p, i) => (
                <li key={i}>
                  <span className="mono">
                    {p.file}
                    {p.line !== undefined ? `:${p.line}` : ''}
                    {p.column !== undefined ? `:${p.column}` : ''}
                  </span>
                  {p.field && <code className="mono problem-field">{p.field}</code>}
                  <span>{p.message}</span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </Card>
  );
}
