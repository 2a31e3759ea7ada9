// Secrets named by the provisioning file (`password_env: WEB1_PASSWORD`,
// `passphrase_file: ~/.ssh/web1.pass`) are resolved when they are needed, not
// when the file is parsed: the environment of a long-running console does not
// change, but a secret file can be rotated, and a missing one should fail the
// host or account that needs it, not the whole file. Problems name the
// variable or the path, never the value.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface SecretRef {
  /** Name of an environment variable holding the secret. */
  env?: string;
  /** Path of a file holding the secret; relative paths are relative to `baseDir`. */
  file?: string;
}

export type SecretResolution = { value: string } | { problem: string };

export interface SecretResolveOptions {
  /** Defaults to process.env. */
  environment?: NodeJS.ProcessEnv;
  /** Directory relative `file` paths start from: the provisioning file's directory. Defaults to the working directory. */
  baseDir?: string;
}

// Secret files are a password or a token; anything bigger is a wrong path
// (a key archive, /dev/zero) and would otherwise be read whole into memory.
const MAX_SECRET_FILE_BYTES = 64 * 1024;

export function resolveSecretRef(ref: SecretRef, options: SecretResolveOptions = {}): SecretResolution {
  if (ref.env !== undefined && ref.file !== undefined) {
    return { problem: 'a secret reference names both an environment variable and a file; give one' };
  }
  if (ref.env !== undefined) {
    const value = (options.environment ?? process.env)[ref.env];
    if (value === undefined) return { problem: `environment variable ${ref.env} is not set` };
    if (value === '') return { problem: `environment variable ${ref.env} is set but empty` };
    return { value };
  }
  if (ref.file !== undefined) return readSecretFile(secretFilePath(ref.file, options.baseDir));
  return { problem: 'no secret given (expected an environment variable or a file)' };
}

/** `~/x` is the user's home, as a shell would read it; other relative paths start at `baseDir`. */
export function secretFilePath(file: string, baseDir: string = process.cwd()): string {
  if (file === '~' || file.startsWith('~/')) return path.join(os.homedir(), file.slice(1));
  return path.resolve(baseDir, file);
}

function readSecretFile(file: string): SecretResolution {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { problem: `secret file ${file} does not exist` };
    if (code === 'EACCES') return { problem: `secret file ${file} cannot be read (permission denied)` };
    return { problem: `secret file ${file} cannot be read (${code ?? 'error'})` };
  }
  if (!stat.isFile()) return { problem: `secret file ${file} is not a regular file` };
  if (stat.size > MAX_SECRET_FILE_BYTES) return { problem: `secret file ${file} is larger than ${MAX_SECRET_FILE_BYTES / 1024} KiB; is it the right file?` };
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    return { problem: `secret file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  // `echo secret > file` and most editors end the file with a newline that is
  // not part of the secret; only that one line ending is dropped.
  const value = text.replace(/\r?\n$/, '');
  if (value === '') return { problem: `secret file ${file} is empty` };
  return { value };
}
