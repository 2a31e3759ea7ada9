// Where the headless console's access token comes from: a file in the data
// directory (`serve-token`, 0600), made on first start and kept across
// restarts, so a restarted `overlook serve` still accepts the cookie every
// open tab holds. `--rotate-token` replaces it (the old one stops working at
// once). A token file other users could read is treated as leaked and
// replaced, as OpenSSH refuses a private key with loose permissions.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const SERVE_TOKEN_FILE = 'serve-token';

/** 32 random bytes, base64url: what the URL, the cookie and the file carry. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface ServeToken {
  readonly token: string;
  /** Why a new token was made: first start, asked to rotate, or the old file was unusable (and why). */
  readonly made?: 'first' | 'rotated' | 'replaced';
  readonly problem?: string;
}

function freshToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

function writeToken(file: string, token: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
  // writeFileSync's mode is masked by the umask and ignored for an existing file.
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

/** The token to serve with: the kept one, or a new one (written before it is used). */
export function loadServeToken(dataDir: string, options: { rotate?: boolean; platform?: NodeJS.Platform } = {}): ServeToken {
  const file = path.join(dataDir, SERVE_TOKEN_FILE);
  fs.mkdirSync(dataDir, { recursive: true });
  const make = (made: NonNullable<ServeToken['made']>, problem?: string): ServeToken => {
    const token = freshToken();
    writeToken(file, token);
    return { token, made, ...(problem ? { problem } : {}) };
  };
  if (options.rotate) return make('rotated');
  let text: string;
  let mode: number;
  try {
    text = fs.readFileSync(file, 'utf8');
    mode = fs.statSync(file).mode;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return make('first');
    return make('replaced', `${file} could not be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  // Windows has no such mode bits; the data dir's ACL is the user's.
  if ((options.platform ?? process.platform) !== 'win32' && (mode & 0o077) !== 0) {
    return make('replaced', `${file} was readable by other users (mode ${(mode & 0o777).toString(8)})`);
  }
  const token = text.trim();
  if (!TOKEN_SHAPE.test(token)) return make('replaced', `${file} did not hold a token`);
  return { token };
}
