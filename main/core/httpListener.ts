// Starting and stopping the HTTP listeners the console runs for others (the
// /metrics export, the remote-write receiver): the same listen, the same
// error wording, the same URL for an IPv6 address, the same prompt close.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Listening {
  /** The bound port (the one asked for, or the kernel's pick for port 0). */
  readonly port: number;
  /** `http://host:port` with an IPv6 host in brackets (RFC 3986 §3.2.2). */
  readonly origin: string;
}

/** Listens, or rejects with "<what> cannot listen on host:port: EADDRINUSE". */
export async function listenOn(server: Server, host: string, port: number, what: string): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(new Error(`${what} cannot listen on ${host}:${port}: ${err.code ?? err.message}`));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const hostForUrl = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return { port: bound, origin: `http://${hostForUrl}:${bound}` };
}

/**
 * Stops listening and drops open connections: Prometheus and remote-write
 * senders keep theirs alive, and server.close() alone waits for them to time out.
 */
export function closeListener(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
