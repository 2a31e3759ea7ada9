// Secrets encrypted at rest in one JSON file, with the cipher plugged in:
// AES-256-GCM with a key file for the headless console (here, and the desktop
// app on a machine without a usable keychain), or Electron's safeStorage for
// the desktop shell (main/electron passes its encryptStringAsync /
// decryptStringAsync as the cipher). Both write the same file format:
//
//   { "format": "overlook-secrets", "version": 1, "cipher": "aes-256-gcm",
//     "secrets": { "<ref>": "<base64 of the cipher's blob>" } }
//
// Each plaintext is an envelope {"ref","value"}, so a blob copied from one ref
// to another is refused even by a cipher that cannot bind associated data
// (safeStorage cannot); AES-GCM also binds the ref as AAD. Every operation
// re-reads the file and writes are serialized, then made atomic by writing a
// temporary file and renaming it over the old one.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { SecretStoreError, type SecretStore } from './secretStore.js';

export interface SecretCipher {
  /** Recorded in the file so a file written with one cipher is not fed to another; defaults to `external`. */
  readonly id?: string;
  /**
   * `associatedData` is the ref; a cipher that cannot bind it may ignore it (the envelope binds the ref too).
   * Either may be asynchronous (the OS keychain answers asynchronously) and may throw a SecretStoreError
   * whose message is shown; any other error is reported as the cipher failing.
   */
  encrypt(plain: Buffer, associatedData: Buffer): Buffer | Promise<Buffer>;
  decrypt(blob: Buffer, associatedData: Buffer): Buffer | Promise<Buffer>;
}

const SecretsFile = z.object({
  format: z.literal('overlook-secrets'),
  version: z.literal(1),
  cipher: z.string(),
  secrets: z.record(z.string(), z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64')),
});
type SecretsFile = z.infer<typeof SecretsFile>;

const Envelope = z.object({ ref: z.string(), value: z.string() });

const KEY_BYTES = 32;
const IV_BYTES = 12; // the GCM nonce size NIST SP 800-38D recommends
const TAG_BYTES = 16;

// POSIX mode bits mean nothing on NTFS (access is by ACL), so the
// permission checks and chmods are skipped on Windows.
const POSIX = process.platform !== 'win32';

/** The headless store: `<dataDir>/secrets.json` encrypted with the key in `<dataDir>/secret.key` (created on first write). */
export function createEncryptedFileSecretStore(dataDir: string): SecretStore {
  return createCipherSecretStore(path.join(dataDir, 'secrets.json'), createAesGcmFileCipher(path.join(dataDir, 'secret.key')));
}

export function createCipherSecretStore(file: string, cipher: SecretCipher): SecretStore {
  const cipherId = cipher.id ?? 'external';
  let queue: Promise<unknown> = Promise.resolve();
  // One operation at a time: two concurrent `set`s would otherwise each read
  // the file, add their ref and write, and the second would drop the first.
  const serialized = <T>(operation: () => Promise<T>): Promise<T> => {
    const run = queue.then(operation, operation);
    queue = run.catch(() => undefined);
    return run;
  };

  const read = async (): Promise<SecretsFile> => {
    let text: string;
    try {
      text = await fsp.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { format: 'overlook-secrets', version: 1, cipher: cipherId, secrets: {} };
      throw new SecretStoreError(`cannot read the secret store ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    let parsed: SecretsFile;
    try {
      const result = SecretsFile.safeParse(JSON.parse(text));
      if (!result.success) throw new Error(result.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; '));
      parsed = result.data;
    } catch (err) {
      // JSON.parse's message can quote the text around the fault; say only that it is broken.
      const detail = err instanceof SyntaxError ? 'not valid JSON' : (err as Error).message;
      throw new SecretStoreError(`the secret store ${file} is damaged (${detail}); it was left as it is`);
    }
    if (parsed.cipher !== cipherId) {
      throw new SecretStoreError(
        `the secret store ${file} was written with the ${parsed.cipher} cipher and this console uses ${cipherId}; it cannot read those secrets`,
      );
    }
    return parsed;
  };

  const write = async (contents: SecretsFile): Promise<void> => {
    const directory = path.dirname(file);
    const temporary = `${file}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`;
    try {
      await fsp.mkdir(directory, { recursive: true, mode: 0o700 });
      const handle = await fsp.open(temporary, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify(contents, null, 2) + '\n');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fsp.rename(temporary, file);
    } catch (err) {
      await fsp.rm(temporary, { force: true });
      throw new SecretStoreError(`cannot write the secret store ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (POSIX) syncDirectory(directory);
  };

  return {
    get: (ref) =>
      serialized(async () => {
        const blob = (await read()).secrets[ref];
        if (blob === undefined) return undefined;
        const fail = (why: string) => new SecretStoreError(`cannot decrypt secret "${ref}" in ${file}: ${why}`, ref);
        let plain: Buffer;
        try {
          plain = await cipher.decrypt(Buffer.from(blob, 'base64'), Buffer.from(ref, 'utf8'));
        } catch (err) {
          throw fail(err instanceof SecretStoreError ? err.message : 'the entry was altered or the key does not match');
        }
        let envelope: z.infer<typeof Envelope>;
        try {
          envelope = Envelope.parse(JSON.parse(plain.toString('utf8')));
        } catch {
          throw fail('the decrypted entry is not in the expected form');
        }
        if (envelope.ref !== ref) throw fail('the entry belongs to another ref (copied between refs?)');
        return envelope.value;
      }),
    set: (ref, value) =>
      serialized(async () => {
        const contents = await read();
        const plain = Buffer.from(JSON.stringify({ ref, value }), 'utf8');
        let blob: Buffer;
        try {
          blob = await cipher.encrypt(plain, Buffer.from(ref, 'utf8'));
        } catch (err) {
          throw new SecretStoreError(
            `cannot encrypt secret "${ref}": ${err instanceof SecretStoreError ? err.message : 'the cipher failed'}`,
            ref,
          );
        } finally {
          plain.fill(0);
        }
        contents.secrets[ref] = blob.toString('base64');
        await write(contents);
      }),
    delete: (ref) =>
      serialized(async () => {
        const contents = await read();
        if (!Object.hasOwn(contents.secrets, ref)) return;
        delete contents.secrets[ref];
        await write(contents);
      }),
    list: () => serialized(async () => Object.keys((await read()).secrets).sort()),
  };
}

/**
 * AES-256-GCM with a 32-byte random key kept in `keyFile` (mode 0600). The key
 * is read on first use and created by the first encryption; a key file that
 * group or others can read is refused, as ssh refuses such a private key.
 * Blob layout: 12-byte IV | ciphertext | 16-byte auth tag.
 */
export function createAesGcmFileCipher(keyFile: string): SecretCipher {
  let key: Buffer | undefined;
  const keyFor = (create: boolean): Buffer => {
    key ??= loadKey(keyFile, create);
    return key;
  };
  return {
    id: 'aes-256-gcm',
    encrypt(plain, associatedData) {
      const iv = crypto.randomBytes(IV_BYTES);
      const cipher = crypto.createCipheriv('aes-256-gcm', keyFor(true), iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(associatedData);
      const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
      return Buffer.concat([iv, ciphertext, cipher.getAuthTag()]);
    },
    decrypt(blob, associatedData) {
      const secretKey = keyFor(false);
      if (blob.length < IV_BYTES + TAG_BYTES) throw new SecretStoreError('the entry is truncated');
      const decipher = crypto.createDecipheriv('aes-256-gcm', secretKey, blob.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(associatedData);
      decipher.setAuthTag(blob.subarray(blob.length - TAG_BYTES));
      // final() throws when the tag does not verify, so nothing unauthenticated is returned.
      return Buffer.concat([decipher.update(blob.subarray(IV_BYTES, blob.length - TAG_BYTES)), decipher.final()]);
    },
  };
}

function loadKey(keyFile: string, create: boolean): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(keyFile, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new SecretStoreError(`cannot open the key file ${keyFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (!create) throw new SecretStoreError(`the key file ${keyFile} is missing, so the stored secrets cannot be decrypted`);
    return createKey(keyFile);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new SecretStoreError(`the key file ${keyFile} is not a regular file`);
    if (POSIX && (stat.mode & 0o077) !== 0) {
      throw new SecretStoreError(
        `the key file ${keyFile} can be read by other users (mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}); refusing to use it. Run: chmod 600 '${keyFile}'`,
      );
    }
    if (POSIX && process.getuid && stat.uid !== process.getuid()) {
      throw new SecretStoreError(`the key file ${keyFile} belongs to another user (uid ${stat.uid}); refusing to use it`);
    }
    if (stat.size !== KEY_BYTES) throw new SecretStoreError(`the key file ${keyFile} is ${stat.size} bytes, not ${KEY_BYTES}; it is damaged`);
    const key = Buffer.alloc(KEY_BYTES);
    fs.readSync(fd, key, 0, KEY_BYTES, 0);
    return key;
  } finally {
    fs.closeSync(fd);
  }
}

// The key is written to a temporary file and hard-linked into place: link()
// fails if the name exists, so two consoles starting at once agree on one key,
// and a crash never leaves a short key file behind.
function createKey(keyFile: string): Buffer {
  const directory = path.dirname(keyFile);
  const key = crypto.randomBytes(KEY_BYTES);
  const temporary = `${keyFile}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  try {
    fs.mkdirSync(directory, { recursive: true, mode: 0o700 });
    const fd = fs.openSync(temporary, 'wx', 0o600);
    try {
      fs.writeSync(fd, key);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.linkSync(temporary, keyFile);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadKey(keyFile, false);
      throw err;
    }
  } catch (err) {
    if (err instanceof SecretStoreError) throw err;
    throw new SecretStoreError(`cannot create the key file ${keyFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  } finally {
    fs.rmSync(temporary, { force: true });
  }
  if (POSIX) syncDirectory(directory);
  return key;
}

/** Makes a rename or link in `directory` durable; best effort, some file systems refuse fsync on a directory. */
function syncDirectory(directory: string): void {
  try {
    const fd = fs.openSync(directory, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Durability is best effort here; the data is already in place.
  }
}
