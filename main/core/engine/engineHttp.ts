// HTTP to the engines a team runs (VictoriaMetrics, Prometheus, Mimir,
// Thanos, Alertmanager): one client per endpoint with its own keep-alive
// agent, the endpoint's headers and authentication, an optional CA to trust,
// a hard timeout per request and a cap on what an answer may cost. Errors are
// worded here and never carry a secret: the URL shows scheme, host and path
// (no query, no user info), and the token or password is scrubbed from
// anything the server sends back. node:http(s) rather than fetch, so the
// errors are ours to word and the CA is the endpoint's alone.
import http from 'node:http';
import https from 'node:https';

export type EngineAuth =
  | { readonly kind: 'none' }
  | { readonly kind: 'bearer'; readonly token: string }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string };

export interface EngineEndpoint {
  /** Where requests go; a request's `path` is appended to this URL's path. */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly auth?: EngineAuth;
  /** PEM of the certificate authorities to trust instead of the system's (https). */
  readonly caPem?: string;
  readonly timeoutMs: number;
}

export interface EngineRequest {
  readonly method: 'GET' | 'POST';
  /** Appended to the endpoint URL's path (`/api/v1/query_range`); empty for the URL itself. */
  readonly path?: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
  /** Bytes of the answer kept; more fails the request (default 64 MiB). */
  readonly maxResponseBytes?: number;
  /** Overrides the endpoint's timeout. */
  readonly timeoutMs?: number;
  /** Aborts the request (a target being stopped): it fails at once with kind `aborted`. */
  readonly signal?: AbortSignal;
}

export interface EngineResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** A request that did not get a 2xx answer. `message` is safe to show and log. */
export class EngineHttpError extends Error {
  constructor(
    message: string,
    readonly kind: 'network' | 'timeout' | 'status' | 'too_large' | 'config' | 'aborted',
    readonly status?: number,
    /** The server's Retry-After, ms. */
    readonly retryAfterMs?: number,
    /** The server's answer (scrubbed, one line, shortened). */
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'EngineHttpError';
  }
}

export interface EngineClient {
  /** `http://vm.example:8428/api/v1/write`: what messages name. */
  readonly where: string;
  request(request: EngineRequest): Promise<EngineResponse>;
  /** Ends the keep-alive connections. */
  close(): void;
}

const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** Scheme, host and path: never the query or user info, where credentials may sit. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/** Replace each secret (as is, URL-encoded and base64 of basic credentials) with ***. */
function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].filter((x) => x.length >= 4).sort((a, b) => b.length - a.length)) {
    for (const form of [s, encodeURIComponent(s)]) out = out.split(form).join('***');
  }
  return out;
}

function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** Retry-After as RFC 9110 §10.2.3 allows: delay-seconds or an HTTP-date. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export function createEngineClient(endpoint: EngineEndpoint): EngineClient {
  const where = describeUrl(endpoint.url);
  let base: URL;
  try {
    base = new URL(endpoint.url);
  } catch {
    base = new URL('http://invalid.invalid/');
  }
  const secure = base.protocol === 'https:';
  const agent = secure
    ? new https.Agent({ keepAlive: true, maxSockets: 8, ...(endpoint.caPem ? { ca: endpoint.caPem } : {}) })
    : new http.Agent({ keepAlive: true, maxSockets: 8 });
  const auth = endpoint.auth ?? { kind: 'none' };
  const secrets =
    auth.kind === 'bearer'
      ? [auth.token]
      : auth.kind === 'basic'
        ? [auth.password, Buffer.from(`${auth.username}:${auth.password}`).toString('base64')]
        : [];
  const authHeader =
    auth.kind === 'bearer' ? `Bearer ${auth.token}` : auth.kind === 'basic' ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` : undefined;

  return {
    where,
    request(request) {
      const fail = (message: string, kind: EngineHttpError['kind'], status?: number, retryAfterMs?: number, detail?: string) =>
        new EngineHttpError(`${request.method} ${where}${request.path ?? ''}: ${scrub(message, secrets)}`, kind, status, retryAfterMs, detail && scrub(detail, secrets));
      if (base.protocol !== 'http:' && base.protocol !== 'https:') return Promise.reject(fail('the URL must start with http:// or https://', 'config'));
      const target = new URL(base.href);
      if (request.path) target.pathname = `${target.pathname.replace(/\/$/, '')}${request.path}`;
      for (const [k, v] of Object.entries(request.query ?? {})) target.searchParams.set(k, v);
      const timeoutMs = request.timeoutMs ?? endpoint.timeoutMs;
      const maxBytes = request.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
      const headers: Record<string, string | number> = {
        'user-agent': 'Overlook',
        ...endpoint.headers,
        ...request.headers,
        ...(authHeader ? { authorization: authHeader } : {}),
        ...(request.body ? { 'content-length': request.body.length } : {}),
      };
      const lib = secure ? https : http;
      return new Promise<EngineResponse>((resolve, reject) => {
        let settled = false;
        const finish = (fn: () => void) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          fn();
        };
        const req = lib.request(target, { method: request.method, headers, agent }, (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) {
              finish(() => reject(fail(`the answer is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB`, 'too_large')));
              req.destroy();
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', (err) => finish(() => reject(fail(`the answer broke off (${(err as NodeJS.ErrnoException).code ?? err.message})`, 'network'))));
          res.on('aborted', () => finish(() => reject(fail('the answer broke off', 'network'))));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const body = Buffer.concat(chunks);
            finish(() => {
              if (status >= 200 && status < 300) return resolve({ status, headers: res.headers, body });
              const text = oneLine(body.subarray(0, 4096).toString('utf8'));
              reject(fail(`HTTP ${status}${text ? ` ${text}` : ''}`, 'status', status, parseRetryAfter(res.headers['retry-after']), text));
            });
          });
        });
        const timer = setTimeout(() => {
          finish(() => reject(fail(`no answer within ${timeoutMs} ms`, 'timeout')));
          req.destroy();
        }, timeoutMs);
        req.on('error', (err: NodeJS.ErrnoException) => finish(() => reject(fail(describeNetworkError(err), 'network'))));
        if (request.signal) {
          const onAbort = () => {
            finish(() => reject(fail('stopped', 'aborted')));
            req.destroy();
          };
          if (request.signal.aborted) onAbort();
          else request.signal.addEventListener('abort', onAbort, { once: true });
          req.on('close', () => request.signal!.removeEventListener('abort', onAbort));
        }
        req.end(request.body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}

function describeNetworkError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the engine running on that port?)';
    case 'ECONNRESET':
      return 'the connection was reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    case 'ETIMEDOUT':
      return 'the connection timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'the host is unreachable';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return `the server's certificate is not trusted (${err.code}); give the CA that signed it`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return 'the server\'s certificate is not for this host name';
    case 'CERT_HAS_EXPIRED':
      return 'the server\'s certificate has expired';
    default:
      return err.code ?? err.message;
  }
}
