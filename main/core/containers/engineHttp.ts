// One HTTP/1.1 GET to a container engine over any byte stream: a local unix
// socket, or an SSH channel forwarded to the remote socket
// (direct-streamlocal@openssh.com). Node's HTTP client does the protocol
// (chunked bodies, keep-alive headers) on the stream it is given; this adds
// the time box and the size cap, so a socket that accepts and never answers,
// or answers forever, costs one bounded request and never a hang.
import { request } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export class EngineRequestError extends Error {
  constructor(
    readonly kind: 'timeout' | 'connect' | 'http' | 'too_large' | 'protocol',
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'EngineRequestError';
  }
}

export interface EngineGetOptions {
  /** The whole request, connecting included. */
  readonly timeoutMs: number;
  /** Answers larger than this are cut off and refused. */
  readonly maxBytes: number;
  /** For messages: `/var/run/docker.sock`, `/run/podman/podman.sock over SSH`. */
  readonly target: string;
}

/** Opens a fresh stream to the engine for one request; the caller's transport (net.connect, ssh2 forwardOutStreamLocal). */
export type StreamOpener = () => Promise<Duplex>;

/** GET `path` and parse the JSON body. Non-2xx statuses reject with the engine's own `message` when it sent one. */
export async function engineGetJson(open: StreamOpener, path: string, options: EngineGetOptions): Promise<unknown> {
  const text = await engineGet(open, path, options);
  try {
    return JSON.parse(text);
  } catch {
    throw new EngineRequestError('protocol', `${options.target} answered ${path} with something that is not JSON`);
  }
}

export function engineGet(open: StreamOpener, path: string, options: EngineGetOptions): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let stream: Duplex | undefined;
    let settled = false;
    const finish = (err: EngineRequestError | undefined, body?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stream?.destroy();
      if (err) reject(err);
      else resolve(body!);
    };
    const timer = setTimeout(
      () => finish(new EngineRequestError('timeout', `${options.target} did not answer ${path} within ${Math.round(options.timeoutMs / 100) / 10} s`)),
      options.timeoutMs,
    );
    open().then(
      (s) => {
        if (settled) {
          s.destroy();
          return;
        }
        stream = s;
        // A stream error before the HTTP client attached its own listener would be unhandled.
        s.on('error', (err) => finish(new EngineRequestError('connect', `${options.target}: ${err.message}`)));
        const req = request({
          method: 'GET',
          path,
          // Docker and Podman ignore the host; HTTP/1.1 requires one.
          headers: { Host: 'localhost', Accept: 'application/json', Connection: 'close' },
          createConnection: () => s as Socket,
        });
        req.on('error', (err) => finish(new EngineRequestError('connect', `${options.target}: ${err.message}`)));
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          let bytes = 0;
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (bytes > options.maxBytes) {
              finish(new EngineRequestError('too_large', `${options.target} answered ${path} with more than ${options.maxBytes} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', (err) => finish(new EngineRequestError('protocol', `${options.target}: ${err.message}`)));
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) return finish(undefined, body);
            let message = '';
            try {
              const parsed = JSON.parse(body) as { message?: unknown };
              if (typeof parsed.message === 'string') message = `: ${parsed.message.slice(0, 200)}`;
            } catch {
              // not a JSON error body
            }
            finish(new EngineRequestError('http', `${options.target} answered ${path} with HTTP ${status}${message}`, status));
          });
        });
        req.end();
      },
      (err: unknown) => finish(err instanceof EngineRequestError ? err : new EngineRequestError('connect', `${options.target}: ${(err as Error).message}`)),
    );
  });
}
