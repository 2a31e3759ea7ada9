// One error type for all three clouds, so the collector decides retry/backoff
// and the UI's "Test" message on `kind`, and still shows the cloud's own code.
export type CloudErrorKind = 'credentials_rejected' | 'throttled' | 'invalid_request' | 'network';

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

/** One normalised datapoint: `t` in epoch milliseconds. */
export interface CloudDatapoint {
  instanceId: string;
  metric: string;
  t: number;
  value: number;
}

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
    if (/fetch failed|socket hang up|timeout/i.test(message)) return 'network';
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
