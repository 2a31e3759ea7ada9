// Where the desktop app keeps secrets: the OS keychain through safeStorage
// when there is one that protects anything, else the headless console's
// AES-256-GCM store with its key in a 0600 file (encryptedFileSecretStore.ts),
// and the Settings screen and every secret field say so (app/info's
// secretStorage).
//
// "No keychain" is two cases (Electron's safeStorage documentation):
// - encryption is not available at all (no keyring answers, e.g. a bare window
//   manager without gnome-keyring or KWallet): encrypting would throw;
// - on Linux, Chromium picked its `basic_text` backend: it then "encrypts" with
//   a hard-coded password, so the secrets would be as good as plain text while
//   the UI claimed a keychain.
// The asynchronous safeStorage calls are used: the synchronous ones are
// deprecated in Electron 45 and removed in 46 (the same docs), and data
// written by either decrypts with decryptStringAsync.
import fs from 'node:fs';
import path from 'node:path';
import type { SecretStorage } from '../common/contract.js';
import type { Logger } from '../core/log.js';
import { createCipherSecretStore, createEncryptedFileSecretStore } from '../core/secrets/encryptedFileSecretStore.js';
import { createLayeredSecretStore } from '../core/secrets/layeredSecretStore.js';
import type { SecretStore } from '../core/secrets/secretStore.js';
import type { ElectronApi } from './electronApi.js';

export const KEYCHAIN_SECRETS_FILE = 'secrets-keychain.json';
export const KEYCHAIN_CIPHER_ID = 'electron-safe-storage';

export interface DesktopSecrets {
  readonly secrets: SecretStore;
  readonly storage: SecretStorage;
}

/** Picks the store after the app is ready (before it, safeStorage cannot answer on Linux). */
export async function openDesktopSecrets(
  safeStorage: ElectronApi['safeStorage'],
  platform: NodeJS.Platform,
  dataDir: string,
  log: Logger,
): Promise<DesktopSecrets> {
  let available: boolean;
  try {
    available = await safeStorage.isAsyncEncryptionAvailable();
  } catch (err) {
    log.warn('the OS keychain could not be asked whether it can encrypt', { error: (err as Error).message });
    available = false;
  }
  const backend = platform === 'linux' ? safeStorage.getSelectedStorageBackend() : undefined;
  const fileStore = createEncryptedFileSecretStore(dataDir);
  const keyFile = path.join(dataDir, 'secret.key');

  const reason: SecretStorage['reason'] = !available ? 'no_keychain' : backend === 'basic_text' ? 'basic_text' : undefined;
  if (reason) {
    log.warn(
      reason === 'basic_text'
        ? `no keyring service found (Chromium's basic_text backend encrypts with a hard-coded key): secrets are kept encrypted with the key in ${keyFile} instead`
        : `the OS keychain is not available: secrets are kept encrypted with the key in ${keyFile} instead`,
    );
    const stranded = keychainRefs(dataDir);
    if (stranded > 0) log.warn(`${stranded} secret(s) saved while the keychain was available cannot be read until it is back (${path.join(dataDir, KEYCHAIN_SECRETS_FILE)})`);
    return { secrets: fileStore, storage: { kind: 'file', reason, keyFile } };
  }

  const keychain = createCipherSecretStore(path.join(dataDir, KEYCHAIN_SECRETS_FILE), {
    id: KEYCHAIN_CIPHER_ID,
    encrypt: async (plain) => safeStorage.encryptStringAsync(plain.toString('utf8')),
    // `shouldReEncrypt` (a rotated key) is not acted on: the old blob still decrypts.
    decrypt: async (blob) => Buffer.from((await safeStorage.decryptStringAsync(blob)).result, 'utf8'),
  });
  return {
    // Secrets entered while there was no keychain (or by `overlook serve` on this data dir) stay readable.
    secrets: createLayeredSecretStore(keychain, fileStore),
    storage: { kind: 'keychain', ...(backend ? { backend } : {}) },
  };
}

/** How many refs the keychain-encrypted file holds (0 when there is none or it cannot be read). */
function keychainRefs(dataDir: string): number {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(dataDir, KEYCHAIN_SECRETS_FILE), 'utf8')) as { secrets?: Record<string, unknown> };
    return parsed.secrets && typeof parsed.secrets === 'object' ? Object.keys(parsed.secrets).length : 0;
  } catch {
    return 0;
  }
}
