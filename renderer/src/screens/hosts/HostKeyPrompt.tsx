import { useState } from 'react';
import type { Host } from '../../../../main/common/contract';
import { core } from '../../coreClient';
import { useI18n } from '../../i18n/useI18n';

/** The algorithm part of `ssh_host_<algo>_key.pub` for a key type, for the hint to compare on the server. */
export function hostKeyFileAlgo(keyType: string): string {
  if (keyType === 'ssh-ed25519') return 'ed25519';
  if (keyType.startsWith('ecdsa-')) return 'ecdsa';
  if (keyType === 'ssh-rsa') return 'rsa';
  return '*';
}

/**
 * A host waiting on a host key: unknown → show the fingerprint and "Trust this
 * key"; changed → a blocking warning with old and new fingerprints, accepted
 * only after an explicit confirmation. The fingerprint sent back is the one
 * shown, so a key that changed again meanwhile is refused by the core.
 */
export function HostKeyPrompt({ host }: { host: Host }) {
  const { t } = useI18n();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const key = host.hostKey;
  if (!key) return null;
  const where = key.hop ? t('hostKey.hop', { hop: key.hop }) : (host.address ?? host.name);

  const accept = async () => {
    setBusy(true);
    setError(null);
    try {
      await core.call('hosts/accept-key', { hostId: host.id, fingerprint: key.fingerprint });
      setConfirming(false);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const fingerprints = (
    <dl className="hostkey-facts">
      <div>
        <dt>{t('hostKey.keyType')}</dt>
        <dd className="mono">{key.keyType}</dd>
      </div>
      {key.state === 'changed' && (
        <div>
          <dt>{t('hostKey.changed.old')}</dt>
          <dd className="mono" data-testid="hostkey-old">
            {key.knownFingerprint ?? t('hostKey.changed.unknownOld')}
          </dd>
        </div>
      )}
      <div>
        <dt>{key.state === 'changed' ? t('hostKey.changed.new') : t('hostKey.fingerprint')}</dt>
        <dd className="mono hostkey-fingerprint" data-testid="hostkey-fingerprint">
          {key.fingerprint}
        </dd>
      </div>
    </dl>
  );
  const hint = <p className="field-hint mono">{t('hostKey.compareHint', { algo: hostKeyFileAlgo(key.keyType) })}</p>;

  if (key.state === 'unknown') {
    return (
      <section className="panel panel--warning hostkey" data-testid="hostkey-prompt" data-state="unknown" data-host-id={host.id} aria-live="polite">
        <h2 className="panel-title">
          {host.name}: {t('hostKey.unknown.title')}
        </h2>
        <p>{t('hostKey.unknown.body', { host: where, keyType: key.keyType })}</p>
        {fingerprints}
        {hint}
        {error && <p className="form-error">{error}</p>}
        <button type="button" className="btn btn--primary" data-testid="hostkey-trust" disabled={busy} onClick={() => void accept()}>
          {t('hostKey.trust')}
        </button>
      </section>
    );
  }

  return (
    <section className="panel panel--danger hostkey" role="alert" data-testid="hostkey-prompt" data-state="changed" data-host-id={host.id}>
      <h2 className="panel-title">{t('hostKey.changed.title', { host: `${host.name} (${where})` })}</h2>
      <p>{t('hostKey.changed.body')}</p>
      {fingerprints}
      {hint}
      {key.pinned ? (
        <p className="form-error">{t('hostKey.pinned')}</p>
      ) : !confirming ? (
        <button type="button" className="btn btn--danger" data-testid="hostkey-review" onClick={() => setConfirming(true)}>
          {t('hostKey.changed.review')}
        </button>
      ) : (
        <div className="hostkey-confirm">
          <p>
            <strong>{t('hostKey.changed.confirm', { fingerprint: key.fingerprint })}</strong>
          </p>
          <div className="form-actions">
            <button type="button" className="btn btn--danger-solid" data-testid="hostkey-accept-changed" disabled={busy} onClick={() => void accept()}>
              {t('hostKey.changed.accept')}
            </button>
            <button type="button" className="btn btn--plain" onClick={() => setConfirming(false)}>
              {t('hostKey.cancel')}
            </button>
          </div>
        </div>
      )}
      {error && <p className="form-error">{error}</p>}
    </section>
  );
}
