// One error type for all three clouds, so the collector decides retry/backoff
// and the UI's "Test" message on `kind`, and still shows the cloud's own code.
// `permission_denied`: the key is valid but may not call this API (a RAM/IAM
// user granted CloudMonitor but not ECS read rights): not retried, and not a
// reason to stop collecting what the key may read.
export type CloudErrorKind = 'credentials_rejected' | 'permission_denied' | 'throttled' | 'invalid_request' | 'network';

export class CloudApiError extends Error {
  constructor(
    readonly kind: CloudErrorKind,
    /** The cloud's own error code (e.g. `SignatureDoesNotMatch`), or the socket error code. */
    readonly code: string,
    message: string,
    readonly httpStatus?: number,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'CloudApiError';
  }
}

export interface CloudCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  region: string;
  /** `host[:port]` override for private/proxied endpoints and the emulators (plain HTTP when it is loopback). */
  endpoint?: string;
}

/**
 * How a client makes each API call: the collector passes its gate (rate
 * limit, retries, counting); tests and one-off calls run them directly.
 * `fn` throws a CloudApiError for the cloud's errors, including those a cloud
 * reports in a 200 body, so the runner sees every throttling answer.
 */
export type CallRunner = <T>(api: string, fn: () => Promise<T>) => Promise<T>;
export const runDirectly: CallRunner = (_api, fn) => fn();

/** One normalised datapoint: `t` in epoch milliseconds. */
export interface CloudDatapoint {
  instanceId: string;
  metric: string;
  t: number;
  value: number;
}

/** SDK calls give up after this long; a slow answer is retried by the next cycle's window. */
export const CALL_TIMEOUT_MS = 20_000;

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/** Finds a socket-level error code anywhere in an error's cause chain or message. */
export function networkCodeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    const message = String((current as { message?: unknown }).message ?? '');
    const found = [...NETWORK_CODES].find((c) => message.includes(c));
    if (found) return found;
    if (/fetch failed|socket hang up|timeout|timed out/i.test(message)) return 'network';
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Plain HTTP only for loopback overrides (the emulators); everything else is HTTPS. */
export function protocolFor(endpoint: string): 'http' | 'https' {
  return /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(endpoint) ? 'http' : 'https';
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * An error message fit for logs and the UI: the cloud's text, cut short,
 * with anything that looks like the secret removed (an SDK that echoes a
 * signed request or a credential into its message must not leak it).
 */
export function safeMessage(message: string, secret: string | undefined): string {
  let text = message.split('\n')[0]!.slice(0, 300);
  if (secret && secret.length >= 4) text = text.split(secret).join('[secret]');
  return text;
}
