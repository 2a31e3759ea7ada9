// The engine of the machine the console runs on: its unix socket, opened
// directly. Which socket: the one configured (OVERLOOK_ENGINE_SOCKET,
// `overlook serve --engine-socket`, tests), else the first the agent found
// this user may open (Docker's, then Podman's rootful, then rootless).
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { EngineAccess } from '../model/containers.js';
import type { EngineConnection, EngineConnector } from './containerTracker.js';
import { apiEngineClient, DEFAULT_ENGINE_TIMEOUT_MS } from './engineClient.js';
import { EngineRequestError } from './engineHttp.js';

export interface LocalEngineOptions {
  /** A socket to use instead of looking (a test's own dockerd, a rootless engine in an odd place). */
  readonly socketPath?: string;
  readonly timeoutMs?: number;
  /** How often the engine is asked (default DEFAULT_ENGINE_REFRESH_MS). */
  readonly refreshMs?: number;
}

export function openUnixSocket(path: string): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(path);
    socket.once('connect', () => resolve(socket));
    socket.once('error', (err: NodeJS.ErrnoException) =>
      reject(new EngineRequestError('connect', `${path}: ${err.code === 'EACCES' ? 'permission denied (EACCES)' : err.code ?? err.message}`, err.code === 'EACCES' ? 403 : undefined)),
    );
  });
}

/** The note for sockets that exist but are not ours to open (only `socket` when one was configured). */
export function deniedNote(access: EngineAccess | undefined, socket?: string): EngineConnection {
  const denied = access?.sockets.find((s) => !s.writable && (socket === undefined || s.path === socket));
  return denied ? { note: { code: 'socket_denied', socket: denied.path, ...(access?.user ? { user: access.user } : {}) } } : {};
}

/**
 * The sockets to try: the configured one (unless the agent found it is not
 * ours to open), else the ones the agent found this user may open.
 */
export function socketsToTry(access: EngineAccess | undefined, configured: string | undefined): string[] {
  if (configured) return access?.sockets.some((s) => s.path === configured && !s.writable) ? [] : [configured];
  return (access?.sockets ?? []).filter((s) => s.writable).map((s) => s.path);
}

export function localEngineConnector(options: LocalEngineOptions = {}): EngineConnector {
  return {
    async connect(access) {
      const socket = socketsToTry(access, options.socketPath)[0];
      if (!socket) return deniedNote(access, options.socketPath);
      return {
        client: apiEngineClient({ open: () => openUnixSocket(socket), via: 'socket', target: socket, timeoutMs: options.timeoutMs ?? DEFAULT_ENGINE_TIMEOUT_MS }),
      };
    },
  };
}
