// Puts the agent script on the host at ~/<dir>/agent-<version>.sh and proves
// it is byte-for-byte ours. Upload by SFTP, or where the server has no SFTP
// subsystem (a bare Dropbear) by `cat` on an exec channel. Verification reads
// the file back with `cat` and hashes it here: cat exists on every host the
// agent can run on (a busybox-only box has no sha256sum applet in some
// builds, and `cksum` is CRC-32, too weak to detect tampering), and the
// script is a few KiB.
import crypto from 'node:crypto';
import type { SFTPWrapper } from 'ssh2';
import type { SshConnection } from './sshConnection.js';
import { SshError } from './sshErrors.js';

/** What deploy needs of the agent (the shape of loadAgentScript() in ../agent). */
export interface DeployableAgent {
  readonly text: string;
  readonly version: string | number;
  readonly sha256: string;
}

export interface DeployOptions {
  /** Directory relative to the remote home. */
  readonly dir?: string;
  /** Skip SFTP even where the server offers it (tests of the fallback). */
  readonly method?: 'auto' | 'exec';
  readonly timeoutMs?: number;
}

export interface DeployResult {
  /** Path relative to the remote home, as the exec channel (which starts in $HOME) uses it. */
  readonly path: string;
  readonly uploaded: boolean;
  readonly method: 'already-present' | 'sftp' | 'exec';
  /** Why SFTP was not used, when it was not. */
  readonly sftpProblem?: string;
}

export const DEFAULT_AGENT_DIR = '.cache/overlook';

const SAFE_PATH = /^[A-Za-z0-9._/-]+$/;

export function agentRemotePath(version: string | number, dir = DEFAULT_AGENT_DIR): string {
  const file = `${dir}/agent-${version}.sh`;
  // Interpolated into shell command lines below: only plain path characters.
  if (!SAFE_PATH.test(file) || file.split('/').includes('..') || file.startsWith('/')) {
    throw new SshError('config', `Unsafe agent path ${JSON.stringify(file)}.`);
  }
  return file;
}

function sha256(data: Buffer | string): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** Reads a remote file back; undefined when it is not there. */
async function readBack(conn: SshConnection, file: string, timeoutMs: number): Promise<Buffer | undefined> {
  const result = await conn.run(`cat -- '${file}' 2>/dev/null`, { timeoutMs });
  return result.code === 0 ? result.stdout : undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

function sftpCall(fn: (cb: (err?: Error | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));
}

/**
 * Ends the SFTP channel and waits for the server's close. Opening the next
 * channel before that lets ssh2 reuse the channel number while the server's
 * close for the old one is still in flight; the late close then kills the new
 * channel ("Unable to exec", seen with Dropbear 2022.83).
 */
function closeSftp(sftp: SFTPWrapper): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 5000);
    sftp.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    sftp.end();
  });
}

async function uploadBySftp(sftp: SFTPWrapper, dir: string, file: string, text: string): Promise<void> {
  // mkdir -p, one level at a time; "already exists" is fine and shows up as a
  // failure code we do not need to tell apart: the write below fails clearly
  // if the directory is really missing.
  let current = '';
  for (const part of dir.split('/')) {
    current = current ? `${current}/${part}` : part;
    await sftpCall((cb) => sftp.mkdir(current, { mode: 0o700 }, cb)).catch(() => undefined);
  }
  const tmp = `${file}.tmp-${crypto.randomBytes(4).toString('hex')}`;
  await sftpCall((cb) => sftp.writeFile(tmp, text, { mode: 0o600 }, cb));
  try {
    // SFTPv3 rename refuses an existing target; OpenSSH's posix-rename
    // extension replaces atomically. Elsewhere remove first.
    await sftpCall((cb) => sftp.ext_openssh_rename(tmp, file, cb)).catch(async () => {
      await sftpCall((cb) => sftp.unlink(file, cb)).catch(() => undefined);
      await sftpCall((cb) => sftp.rename(tmp, file, cb));
    });
  } catch (err) {
    await sftpCall((cb) => sftp.unlink(tmp, cb)).catch(() => undefined);
    throw err;
  }
}

async function uploadByExec(conn: SshConnection, dir: string, file: string, text: string, timeoutMs: number): Promise<void> {
  // One sh -c whatever the login shell is (fish, csh): arguments by position,
  // never pasted into the script. The temp name carries sh's PID so parallel
  // deploys do not clobber each other; mv makes the final name appear whole.
  const script = 'umask 077 && mkdir -p "$1" && cat > "$2.tmp.$$" && mv -f "$2.tmp.$$" "$2"';
  const result = await conn.run(`sh -c '${script}' overlook-deploy '${dir}' '${file}'`, { stdin: text, timeoutMs });
  if (result.code !== 0) {
    throw new SshError('agent_error', `Could not write the agent to ~/${file} (exit ${result.code ?? result.signal}): ${result.stderr.trim().slice(0, 300) || 'no error output'}`);
  }
}

/**
 * Makes sure ~/<dir>/agent-<version>.sh holds exactly `agent.text`. A
 * different version lives at a different path, so a version change always
 * deploys; the same version with other bytes (edited, truncated) is replaced.
 */
export async function deployAgent(conn: SshConnection, agent: DeployableAgent, options: DeployOptions = {}): Promise<DeployResult> {
  const dir = options.dir ?? DEFAULT_AGENT_DIR;
  const file = agentRemotePath(agent.version, dir);
  const timeoutMs = options.timeoutMs ?? 20_000;
  if (sha256(agent.text) !== agent.sha256) {
    throw new SshError('agent_error', `The local agent script does not match its own checksum (version ${agent.version}); refusing to deploy it.`);
  }
  const existing = await readBack(conn, file, timeoutMs);
  if (existing && sha256(existing) === agent.sha256) {
    return { path: file, uploaded: false, method: 'already-present' };
  }

  let method: 'sftp' | 'exec' = 'exec';
  let sftpProblem: string | undefined;
  if (options.method !== 'exec') {
    let sftp: SFTPWrapper | undefined;
    try {
      sftp = await withTimeout(conn.sftp(), 10_000, 'opening SFTP');
    } catch (err) {
      sftpProblem = `no SFTP subsystem (${(err as Error).message.slice(0, 120)})`;
    }
    if (sftp) {
      try {
        await withTimeout(uploadBySftp(sftp, dir, file, agent.text), timeoutMs, 'SFTP upload');
        method = 'sftp';
      } catch (err) {
        sftpProblem = `SFTP upload failed (${(err as Error).message.slice(0, 120)})`;
      } finally {
        await closeSftp(sftp);
      }
    }
  } else {
    sftpProblem = 'exec upload requested';
  }
  if (method === 'exec') await uploadByExec(conn, dir, file, agent.text, timeoutMs);

  const written = await readBack(conn, file, timeoutMs);
  if (!written || sha256(written) !== agent.sha256) {
    throw new SshError(
      'agent_error',
      `The agent written to ~/${file} does not match its checksum after upload (${written ? `${written.length} bytes read back, expected ${Buffer.byteLength(agent.text)}` : 'file not readable'}). Is the disk full or the home directory read-only?`,
    );
  }
  return { path: file, uploaded: true, method, ...(sftpProblem ? { sftpProblem } : {}) };
}
