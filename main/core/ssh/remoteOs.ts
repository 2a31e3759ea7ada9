// Asks the host what it is before deploying a script that reads /proc: macOS,
// the BSDs and Windows (OpenSSH for Windows runs cmd.exe or PowerShell) get a
// clear "unsupported OS" instead of garbage metrics.
import type { SshConnection } from './sshConnection.js';
import { SshError } from './sshErrors.js';

export interface RemoteOs {
  readonly kernel: string; // uname -s
  readonly arch: string; // uname -m
}

/** Pure: what `uname -s; uname -m` printed (and its exit code) → the OS, or why it is unsupported. */
export function interpretUname(stdout: string, code: number | null): RemoteOs | { unsupported: string } {
  const lines = stdout.replace(/\r/g, '').split('\n').map((l) => l.trim()).filter(Boolean);
  const kernel = lines[0] ?? '';
  // null: the server sent no exit status (it need not); the output decides.
  if ((code !== 0 && code !== null) || !kernel) {
    if (/is not recognized|CommandNotFoundException|not recognized as/i.test(stdout)) {
      return { unsupported: 'the remote shell is Windows (cmd.exe or PowerShell); the agent needs a Linux /proc' };
    }
    return { unsupported: `uname failed on the host (exit ${code ?? 'signal'}): not a POSIX system the agent can read` };
  }
  if (kernel !== 'Linux') {
    const name = /^Darwin$/.test(kernel) ? 'macOS (Darwin)' : /BSD$/i.test(kernel) ? kernel : /^(MINGW|MSYS|CYGWIN)/i.test(kernel) ? `Windows (${kernel})` : kernel;
    return { unsupported: `${name} is not supported: the agent reads Linux /proc and /sys` };
  }
  return { kernel, arch: lines[1] ?? '' };
}

export async function probeRemoteOs(conn: SshConnection, timeoutMs = 15_000): Promise<RemoteOs> {
  // 2>&1 so a Windows shell's complaint reaches interpretUname.
  const result = await conn.run('uname -s 2>&1; uname -m 2>&1', { timeoutMs, maxOutputBytes: 4096 });
  const os = interpretUname(result.stdout.toString('utf8') + result.stderr, result.code);
  if ('unsupported' in os) throw new SshError('unsupported_os', os.unsupported, conn.target);
  return os;
}
