// Shown beside a secret field when the desktop app has no keychain to keep it
// in (it then uses an encrypted key file): the user learns it where they type.
import { useI18n } from '../i18n/useI18n';
import { useSecretStorage } from '../stores/secretStorage';

export function SecretStorageNote({ className = '' }: { className?: string }) {
  const { t } = useI18n();
  const storage = useSecretStorage((s) => s.storage);
  if (!storage?.reason) return null;
  return (
    <p className={`settings-alert settings-alert--warn ${className}`} role="note" data-testid="secret-storage-note" data-reason={storage.reason}>
      {t('secrets.note', { keyFile: storage.keyFile ?? 'secret.key' })}
    </p>
  );
}
