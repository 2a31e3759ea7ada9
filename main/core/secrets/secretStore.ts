// Where the console keeps passwords, passphrases and cloud keys: one interface,
// one implementation per shell, picked at the composition root — Electron's
// safeStorage (the OS keychain) on the desktop, AES-256-GCM with a key file in
// headless mode (encryptedFileSecretStore.ts). Values leave the store only to
// the code that uses them (an SSH login, a signed cloud request), never to the
// renderer or the log.

/** Refs are opaque ids chosen by the owner of the secret, e.g. `host:web-1:password`, `cloud:prod-aliyun:access_key_secret`. */
export interface SecretStore {
  /** The value stored under `ref`, or undefined when there is none. Rejects when it exists but cannot be decrypted. */
  get(ref: string): Promise<string | undefined>;
  set(ref: string, value: string): Promise<void>;
  /** Removing a ref that is not there is not an error. */
  delete(ref: string): Promise<void>;
  /** Every stored ref (not the values), sorted. */
  list(): Promise<string[]>;
}

/** Errors name the ref and the file, never the value. */
export class SecretStoreError extends Error {
  constructor(
    message: string,
    readonly ref?: string,
  ) {
    super(message);
    this.name = 'SecretStoreError';
  }
}
