import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCipherSecretStore, createEncryptedFileSecretStore, type SecretCipher } from './encryptedFileSecretStore.js';
import { SecretStoreError } from './secretStore.js';

let dataDir: string;
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'overlook-secrets-'));
});
afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const secretsFile = () => path.join(dataDir, 'secrets.json');
const keyFile = () => path.join(dataDir, 'secret.key');
const readSecretsFile = () => JSON.parse(fs.readFileSync(secretsFile(), 'utf8')) as { cipher: string; secrets: Record<string, string> };
const writeSecretsFile = (contents: unknown) => fs.writeFileSync(secretsFile(), JSON.stringify(contents));
const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

/** Asserts the promise rejects with a SecretStoreError whose message matches and does not contain `value`. */
async function expectRefusal(promise: Promise<unknown>, message: RegExp, value: string) {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(SecretStoreError);
  expect((error as Error).message).toMatch(message);
  expect((error as Error).message).not.toContain(value);
  expect(String((error as Error).stack)).not.toContain(value);
}

describe('createEncryptedFileSecretStore (AES-256-GCM, key file)', () => {
  it('round-trips values, lists refs and deletes', async () => {
    const store = createEncryptedFileSecretStore(dataDir);
    expect(await store.get('host:web-1:password')).toBeUndefined();
    expect(await store.list()).toEqual([]);
    await store.set('host:web-1:password', 'pä$$ wörd 🔑');
    await store.set('cloud:prod:access_key_secret', 'x'.repeat(10_000));
    expect(await store.get('host:web-1:password')).toBe('pä$$ wörd 🔑');
    expect(await store.get('cloud:prod:access_key_secret')).toBe('x'.repeat(10_000));
    expect(await store.list()).toEqual(['cloud:prod:access_key_secret', 'host:web-1:password']);
    await store.set('host:web-1:password', 'rotated');
    expect(await store.get('host:web-1:password')).toBe('rotated');
    await store.delete('host:web-1:password');
    await store.delete('host:never-there:password');
    expect(await store.get('host:web-1:password')).toBeUndefined();
    expect(await store.list()).toEqual(['cloud:prod:access_key_secret']);
  });

  it('keeps nothing readable in the files and writes them 0600', async () => {
    const store = createEncryptedFileSecretStore(dataDir);
    await store.set('host:web-1:password', 'correct horse battery staple');
    const onDisk = fs.readFileSync(secretsFile(), 'utf8') + fs.readFileSync(keyFile()).toString('latin1');
    expect(onDisk).not.toContain('correct horse');
    expect(fs.statSync(keyFile()).size).toBe(32);
    expect(modeOf(keyFile())).toBe(0o600);
    expect(modeOf(secretsFile())).toBe(0o600);
    expect(readSecretsFile().cipher).toBe('aes-256-gcm');
    // Each value: 12-byte IV + ciphertext + 16-byte tag, a fresh IV each time.
    const blob = Buffer.from(readSecretsFile().secrets['host:web-1:password']!, 'base64');
    await store.set('host:web-1:password', 'correct horse battery staple');
    const again = Buffer.from(readSecretsFile().secrets['host:web-1:password']!, 'base64');
    expect(again.length).toBe(blob.length);
    expect(again.subarray(0, 12).equals(blob.subarray(0, 12))).toBe(false);
    expect(fs.readdirSync(dataDir).sort()).toEqual(['secret.key', 'secrets.json']);
  });

  it('persists across instances and keeps the same key', async () => {
    await createEncryptedFileSecretStore(dataDir).set('host:a:password', 'alpha');
    const key = fs.readFileSync(keyFile());
    const second = createEncryptedFileSecretStore(dataDir);
    expect(await second.get('host:a:password')).toBe('alpha');
    await second.set('host:b:password', 'beta');
    expect(fs.readFileSync(keyFile()).equals(key)).toBe(true);
    expect(await createEncryptedFileSecretStore(dataDir).list()).toEqual(['host:a:password', 'host:b:password']);
  });

  it('creates the data directory when it does not exist yet', async () => {
    const nested = path.join(dataDir, 'fresh', 'Overlook');
    await createEncryptedFileSecretStore(nested).set('r', 'v');
    expect(await createEncryptedFileSecretStore(nested).get('r')).toBe('v');
    expect(modeOf(path.join(nested, 'secret.key'))).toBe(0o600);
  });

  it('refuses a key file that group or others can read, and says how to fix it', async () => {
    const store = createEncryptedFileSecretStore(dataDir);
    await store.set('host:a:password', 'alpha');
    fs.chmodSync(keyFile(), 0o644);
    await expectRefusal(
      createEncryptedFileSecretStore(dataDir).get('host:a:password'),
      new RegExp(`can be read by other users \\(mode 0644\\); refusing to use it. Run: chmod 600 '${keyFile()}'`),
      'alpha',
    );
  });

  it('refuses a damaged key file', async () => {
    await createEncryptedFileSecretStore(dataDir).set('host:a:password', 'alpha');
    fs.writeFileSync(keyFile(), Buffer.alloc(16), { mode: 0o600 });
    await expectRefusal(createEncryptedFileSecretStore(dataDir).get('host:a:password'), /is 16 bytes, not 32; it is damaged/, 'alpha');
  });

  it('says the key is missing rather than making a new one when reading', async () => {
    await createEncryptedFileSecretStore(dataDir).set('host:a:password', 'alpha');
    fs.rmSync(keyFile());
    await expectRefusal(createEncryptedFileSecretStore(dataDir).get('host:a:password'), /host:a:password.*key file .* is missing/, 'alpha');
    expect(fs.existsSync(keyFile())).toBe(false);
  });

  it('refuses a tampered ciphertext with an error naming the ref, never the value', async () => {
    const store = createEncryptedFileSecretStore(dataDir);
    await store.set('host:web-1:password', 'tamper-me-secret');
    const contents = readSecretsFile();
    const blob = Buffer.from(contents.secrets['host:web-1:password']!, 'base64');
    blob[20] = blob[20]! ^ 0x01; // a bit inside the ciphertext
    contents.secrets['host:web-1:password'] = blob.toString('base64');
    writeSecretsFile(contents);
    await expectRefusal(store.get('host:web-1:password'), /cannot decrypt secret "host:web-1:password" in .*secrets\.json: the entry was altered or the key does not match/, 'tamper-me-secret');
  });

  it('refuses a truncated ciphertext', async () => {
    const store = createEncryptedFileSecretStore(dataDir);
    await store.set('r', 'value-1');
    const contents = readSecretsFile();
    contents.secrets.r = Buffer.from(contents.secrets.r!, 'base64').subarray(0, 10).toString('base64');
    writeSecretsFile(contents);
    await expectRefusal(store.get('r'), /"r".*truncated/, 'value-1');
  });

  it('refuses a ciphertext copied from one ref to another', async () => {
    const store = createEncryptedFileSecretStore(dataDir);
    await store.set('host:a:password', 'secret-of-a');
    await store.set('host:b:password', 'secret-of-b');
    const contents = readSecretsFile();
    contents.secrets['host:b:password'] = contents.secrets['host:a:password']!;
    writeSecretsFile(contents);
    await expectRefusal(store.get('host:b:password'), /cannot decrypt secret "host:b:password"/, 'secret-of-a');
    expect(await store.get('host:a:password')).toBe('secret-of-a');
  });

  it('refuses to decrypt with another key', async () => {
    await createEncryptedFileSecretStore(dataDir).set('host:a:password', 'alpha-secret');
    fs.writeFileSync(keyFile(), crypto.randomBytes(32), { mode: 0o600 });
    await expectRefusal(createEncryptedFileSecretStore(dataDir).get('host:a:password'), /the entry was altered or the key does not match/, 'alpha-secret');
  });

  it('loses nothing when secrets.json is damaged: reads and writes are refused and the file is left as it was', async () => {
    fs.writeFileSync(secretsFile(), '{"format":"overlook-secrets", "secrets": {"a": "hunter2"');
    const before = fs.readFileSync(secretsFile());
    const store = createEncryptedFileSecretStore(dataDir);
    await expectRefusal(store.list(), /secrets\.json is damaged \(not valid JSON\); it was left as it is/, 'hunter2');
    await expectRefusal(store.set('b', 'new'), /damaged/, 'hunter2');
    expect(fs.readFileSync(secretsFile()).equals(before)).toBe(true);
  });

  it('does not lose concurrent sets (writes are serialized)', async () => {
    const store = createEncryptedFileSecretStore(dataDir);
    const refs = Array.from({ length: 40 }, (_, i) => `host:h${String(i).padStart(2, '0')}:password`);
    await Promise.all(refs.map((ref, i) => store.set(ref, `value-${i}`)));
    expect(await store.list()).toEqual(refs);
    const values = await Promise.all(refs.map((ref) => store.get(ref)));
    expect(values).toEqual(refs.map((_, i) => `value-${i}`));
    expect(fs.readdirSync(dataDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps serving after a failed operation', async () => {
    const store = createEncryptedFileSecretStore(dataDir);
    await store.set('a', '1');
    fs.chmodSync(keyFile(), 0o640);
    const fresh = createEncryptedFileSecretStore(dataDir);
    await expect(fresh.get('a')).rejects.toThrow(SecretStoreError);
    fs.chmodSync(keyFile(), 0o600);
    expect(await fresh.get('a')).toBe('1');
  });
});

describe('createCipherSecretStore (the seam for Electron safeStorage)', () => {
  // A stand-in with safeStorage's shape: string in, opaque Buffer out, no associated data.
  const xorCipher = (id?: string): SecretCipher => ({
    id,
    encrypt: (plain) => Buffer.from(plain.map((byte) => byte ^ 0x5a)),
    decrypt: (blob) => Buffer.from(blob.map((byte) => byte ^ 0x5a)),
  });

  it('round-trips through any cipher in the same file format', async () => {
    const store = createCipherSecretStore(secretsFile(), xorCipher('electron-safe-storage'));
    await store.set('host:a:password', 'alpha');
    expect(await store.get('host:a:password')).toBe('alpha');
    expect(readSecretsFile()).toMatchObject({ format: 'overlook-secrets', version: 1, cipher: 'electron-safe-storage' });
    expect(modeOf(secretsFile())).toBe(0o600);
  });

  it('binds the ref even when the cipher cannot (a copied blob is refused)', async () => {
    const store = createCipherSecretStore(secretsFile(), xorCipher());
    await store.set('host:a:password', 'secret-of-a');
    const contents = readSecretsFile();
    contents.secrets['host:b:password'] = contents.secrets['host:a:password']!;
    writeSecretsFile(contents);
    await expectRefusal(store.get('host:b:password'), /"host:b:password".*belongs to another ref/, 'secret-of-a');
  });

  it('refuses a file written with another cipher instead of decrypting garbage', async () => {
    await createCipherSecretStore(secretsFile(), xorCipher('electron-safe-storage')).set('r', 'desktop-secret');
    await expectRefusal(
      createEncryptedFileSecretStore(dataDir).get('r'),
      /written with the electron-safe-storage cipher and this console uses aes-256-gcm/,
      'desktop-secret',
    );
  });

  it('reports a failing cipher (safeStorage unavailable) without the value', async () => {
    const failing: SecretCipher = {
      encrypt: () => {
        throw new Error('Encryption is not available: value=must-not-leak');
      },
      decrypt: () => Buffer.alloc(0),
    };
    await expectRefusal(createCipherSecretStore(secretsFile(), failing).set('r', 'must-not-leak'), /cannot encrypt secret "r": the cipher failed/, 'must-not-leak');
    expect(fs.existsSync(secretsFile())).toBe(false);
  });
});
