// One SSH host as the core runs it: a HostSource that resolves the host's
// secrets and jump hosts when it starts (ResolvedEndpoints), then runs an
// SshHostSource and adds the host-key details to its statuses, so the UI
// can show the fingerprint to trust. `pending` is the key waiting for the
// user's decision; only `hosts/accept-key` with that same fingerprint
// records it.
import type { Duplex } from 'node:stream';
import type { HostSource, SourceEvents } from '../model/hostSource.js';
import { hostKeyPrompt, isPendingHostKey, type PendingHostKey } from './hostKeyReview.js';
import type { SshEndpoint } from './sshConnection.js';
import type { SshHostSource } from './sshHostSource.js';

export type BuiltSource = { source: SshHostSource; endpoints: SshEndpoint[] } | { status: 'auth_failed' | 'offline' | 'paused'; message?: string };

/**
 * The core's HostSource for one SSH host: resolves secrets and jump hosts when
 * it starts (so a rotated secret file takes effect on the next start), then
 * runs an SshHostSource and adds the host-key details to its statuses.
 */
export class SshHostRuntime implements HostSource {
  private inner: SshHostSource | undefined;
  private starting: Promise<void> | undefined;
  private stopped = false;
  pending: PendingHostKey | undefined;

  constructor(
    private readonly build: () => Promise<BuiltSource>,
    private readonly files: { consoleFile: string; userFiles: readonly string[] },
  ) {}

  start(events: SourceEvents): void {
    if (this.starting) return;
    this.starting = this.build().then(
      (built) => {
        if (this.stopped) return;
        if (!('source' in built)) {
          events.status(built.status, built.message);
          return;
        }
        const inner = built.source;
        const [target] = built.endpoints;
        this.inner = inner;
        inner.start({
          observation: (obs) => events.observation(obs),
          status: (status, detail) => {
            const err = inner.stats.lastError;
            if ((status === 'host_key_unknown' || status === 'host_key_changed') && isPendingHostKey(err)) {
              this.pending = err;
              const pin = built.endpoints.find((e) => e.host === err.host && e.port === err.port)?.hostKeyPin;
              events.status(status, detail, { hostKey: hostKeyPrompt(err, target!, this.files, pin) });
            } else {
              if (status !== 'connecting') this.pending = undefined;
              events.status(status, detail);
            }
          },
        });
      },
      (err: unknown) => {
        if (!this.stopped) events.status('offline', `could not prepare the connection: ${(err as Error).message}`);
      },
    );
  }

  /** A TCP stream to host:port from this host (direct-tcpip over its connection). */
  openTcpStream(host: string, port: number): Promise<Duplex> {
    if (!this.inner) return Promise.reject(new Error('the host is not connected'));
    return this.inner.openTcpStream(host, port);
  }

  runCommand(command: string, timeoutMs: number): Promise<{ code: number | null; stdout: string }> {
    if (!this.inner) return Promise.reject(new Error('the host is not connected'));
    return this.inner.runCommand(command, timeoutMs);
  }

  retryNow(): void {
    this.pending = undefined;
    this.inner?.retryNow();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.starting;
    await this.inner?.stop();
  }
}
