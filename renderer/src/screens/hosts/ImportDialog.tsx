import { useEffect, useState } from 'react';
import type { ImportResult, SshConfigView } from '../../../../main/common/sshHosts';
import { core } from '../../coreClient';
import { useI18n } from '../../i18n/useI18n';
import { Modal } from '../../components/Modal';

/** Pick Host entries of ~/.ssh/config to add; entries already added or with unusable names cannot be picked. */
export function ImportDialog({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  const [view, setView] = useState<SshConfigView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [result, setResult] = useState<ImportResult | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    core.call('hosts/ssh-config').then(setView, (err: Error) => setError(err.message));
  }, []);

  const toggle = (name: string) =>
    setPicked((p) => {
      const next = new Set(p);
      if (next.has(name)) next.delete(name);
      else next.add(name);
      return next;
    });

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await core.call('hosts/import', { names: [...picked] }));
      setPicked(new Set());
      setView(await core.call('hosts/ssh-config'));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={t('importDialog.title')} onClose={onClose} testId="import-dialog" wide>
      {!view && !error && <p className="muted">{t('importDialog.loading')}</p>}
      {view && view.entries.length === 0 && <p className="muted">{t('importDialog.empty', { file: view.file })}</p>}
      {view && view.entries.length > 0 && (
        <>
          <p className="muted small">{t('importDialog.file', { file: view.file })}</p>
          <ul className="import-list">
            {view.entries.map((e) => {
              const disabled = e.alreadyAdded || e.problem !== undefined;
              return (
                <li key={e.name} className={disabled ? 'muted' : undefined}>
                  <label className="toggle">
                    <input type="checkbox" disabled={disabled} checked={picked.has(e.name)} data-testid={`import-${e.name}`} onChange={() => toggle(e.name)} />
                    <span className="mono">{e.name}</span>
                  </label>
                  <span className="mono small">
                    {e.user ? `${e.user}@` : ''}
                    {e.hostName}:{e.port}
                  </span>
                  <span className="small muted">{e.identityFile ? t('importDialog.key', { file: e.identityFile }) : t('importDialog.agentAuth')}</span>
                  {e.proxyJump.length > 0 && <span className="small muted">{t('importDialog.via', { jump: e.proxyJump.join(' → ') })}</span>}
                  {e.alreadyAdded && <span className="badge badge--neutral">{t('importDialog.alreadyAdded')}</span>}
                  {e.problem && <span className="field-problem">{e.problem}</span>}
                  {e.notes.map((n, i) => (
                    <span key={i} className="field-hint import-note">
                      {n}
                    </span>
                  ))}
                </li>
              );
            })}
          </ul>
          {view.notes.length > 0 && (
            <details className="small">
              <summary>{t('importDialog.notes')}</summary>
              <ul>
                {view.notes.map((n, i) => (
                  <li key={i}>{n}</li>
                ))}
              </ul>
            </details>
          )}
        </>
      )}
      {result && (
        <div role="status" data-testid="import-result">
          <p>{t('importDialog.result', { count: result.added.length })}</p>
          {result.problems.map((p) => (
            <p key={p.name} className="form-error">
              {t('importDialog.problem', { name: p.name, message: p.message })}
            </p>
          ))}
        </div>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions modal-actions">
        <span className="spacer" />
        <button type="button" className="btn btn--plain" onClick={onClose}>
          {t('importDialog.close')}
        </button>
        <button type="button" className="btn btn--primary" data-testid="import-run" disabled={busy || picked.size === 0} onClick={() => void run()}>
          {t('importDialog.import', { count: picked.size })}
        </button>
      </div>
    </Modal>
  );
}
