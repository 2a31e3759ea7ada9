// The container engine of an SSH host, reached over the host's own
// connection: its API socket through a direct-streamlocal channel where the
// server allows one (OpenSSH by default), else its CLI on an exec channel
// (Dropbear has no stream-local forwarding; an OpenSSH server may forbid it).
// Which socket, and whether this user may open it, the agent tells in every
// sample (EngineAccess); a configured socket is tried first.
import type { EngineConnector } from '../containers/containerTracker.js';
import { apiEngineClient, cliEngineClient, type CommandRunner } from '../containers/engineClient.js';
import { EngineRequestError } from '../containers/engineHttp.js';
import { deniedNote, socketsToTry } from '../containers/localEngine.js';
import type { EngineAccess } from '../model/containers.js';
import { StreamLocalError, type SshConnection } from './sshConnection.js';

export interface SshEngineOptions {
  /** The engine socket on the host, when it is not one the agent looks for. */
  readonly socketPath?: string;
  readonly timeoutMs?: number;
}

function cliFor(access: EngineAccess | undefined, socket: string | undefined): 'docker' | 'podman' | undefined {
  const cli = access?.cli ?? [];
  // A podman socket (or no docker at all) means podman's CLI; else docker's.
  if (socket && /podman/.test(socket) && cli.includes('podman')) return 'podman';
  if (cli.includes('docker')) return 'docker';
  if (cli.includes('podman')) return 'podman';
  return undefined;
}

export function sshEngineConnector(conn: SshConnection, options: SshEngineOptions = {}): EngineConnector {
  const run: CommandRunner = async (command, timeoutMs) => {
    const r = await conn.run(command, { timeoutMs, maxOutputBytes: 32 * 1024 * 1024 });
    return { stdout: r.stdout.toString('utf8'), stderr: r.stderr, code: r.code };
  };
  return {
    async connect(access) {
      const sockets = socketsToTry(access, options.socketPath);
      let refused: StreamLocalError | undefined;
      for (const socket of sockets) {
        try {
          // One probe channel: tells a server that refuses stream-local apart
          // from one that forwards, before the API client relies on it.
          const probe = await conn.openStreamLocal(socket);
          probe.close();
          return {
            client: apiEngineClient({
              open: () => conn.openStreamLocal(socket).catch((err: unknown) => {
                throw new EngineRequestError('connect', (err as Error).message, /permission denied/i.test((err as Error).message) ? 403 : undefined);
              }),
              via: 'ssh-socket',
              target: socket,
              ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
            }),
          };
        } catch (err) {
          if (err instanceof StreamLocalError && err.kind === 'refused') {
            refused = err;
            break;
          }
          // connect_failed: this socket is gone or not ours; try the next.
        }
      }
      // No socket to forward to (none, not ours, or the server refuses):
      // the CLI works where the socket would (it opens the same socket) and
      // rootless Podman's CLI works with no socket at all.
      const configured = options.socketPath;
      const cli = cliFor(access, configured ?? sockets[0]);
      const noWritable = sockets.length === 0 && (access?.sockets.length ?? 0) > 0;
      if (cli && !(noWritable && cli === 'docker')) {
        return { client: cliEngineClient({ run, cli, ...(configured ? { socket: configured } : {}), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs * 2 } : {}) }) };
      }
      if (refused) return { note: { code: 'forwarding_refused', ...(sockets[0] ? { socket: sockets[0] } : {}), detail: refused.message } };
      return deniedNote(access, configured);
    },
  };
}
