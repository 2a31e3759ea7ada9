// The listener that hosts push to: Prometheus remote write 1.0 at POST
// /api/v1/write (https://prometheus.io/docs/specs/remote_write_spec/), on an
// address of its own, never the console's UI server. Every request needs one
// of the configured bearer tokens; a request with an `Origin` header comes
// from a browser (remote-write senders never send one) and is refused, as is
// a Host header that is not a loopback name while bound to loopback (DNS
// rebinding). What a sender may cost is bounded before anything is applied:
// the body's size (413), the bodies in flight and the samples per second
// (429 with Retry-After: the spec tells senders to retry 429 and 5xx and to
// drop other 4xx, so a sender keeps its data while the console is busy),
// and what the body may hold once decoded (the codec's limits). A body that is
// not remote write is a 400 with the reason. Each refusal is counted by kind;
// nothing a request holds can stop the listener or the console.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeListener, listenOn } from '../../httpListener.js';
import type { Logger } from '../../log.js';
import { DEFAULT_DECODE_LIMITS, decodeRemoteWriteBody, RemoteWriteDecodeError, seriesProblem, type DecodeLimits, type WireSeries } from '../../prometheus/remoteWrite.js';

export const REMOTE_WRITE_PATH = '/api/v1/write';

export interface ReceiverToken {
  readonly token: string;
  /** Pushed hosts of this token are named `<prefix><host>`: one sender cannot pose as another's hosts. */
  readonly hostPrefix?: string;
}

export interface ReceiverLimits {
  /** Compressed body bytes (default 16 MiB: vmagent's blocks are at most 8 MiB before compression). */
  readonly maxRequestBytes: number;
  /** Bodies being read and decoded at once, in bytes (default 64 MiB). */
  readonly maxInflightBytes: number;
  /** Samples accepted per second over every sender, with two seconds' worth of burst. */
  readonly maxSamplesPerSecond: number;
  readonly decode: DecodeLimits;
}

export const DEFAULT_RECEIVER_LIMITS: ReceiverLimits = {
  maxRequestBytes: 16 * 1024 * 1024,
  maxInflightBytes: 64 * 1024 * 1024,
  maxSamplesPerSecond: 200_000,
  decode: DEFAULT_DECODE_LIMITS,
};

/** What the sink says about the valid series of one request. */
export type SinkVerdict =
  | { readonly ok: true }
  /** Nothing was applied; the sender should retry later (a host at its series limit, too many hosts). */
  | { readonly ok: false; readonly status: 429; readonly retryAfterSeconds: number; readonly reason: string };

export interface ReceiverSink {
  /** The request's valid series, from a sender holding `token`. Must not throw; a throw is a 500. */
  accept(series: readonly WireSeries[], sender: { readonly token: ReceiverToken; readonly remoteAddress: string }): SinkVerdict;
}

export type RefusalKind = 'unauthorized' | 'forbidden' | 'badRequest' | 'tooLarge' | 'rateLimited' | 'unsupported';

export interface ReceiverCounters {
  requestsAccepted: number;
  samplesAccepted: number;
  /** Series the spec does not allow (a bad name, unsorted labels…), skipped from requests otherwise applied. */
  seriesInvalid: number;
  refused: Record<RefusalKind, number>;
  lastRequestAt: number | null;
  lastRefusal: string | null;
}

export function newReceiverCounters(): ReceiverCounters {
  return {
    requestsAccepted: 0,
    samplesAccepted: 0,
    seriesInvalid: 0,
    refused: { unauthorized: 0, forbidden: 0, badRequest: 0, tooLarge: 0, rateLimited: 0, unsupported: 0 },
    lastRequestAt: null,
    lastRefusal: null,
  };
}

export interface RemoteWriteReceiverOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** At least one: the receiver never runs without a token. */
  readonly tokens: readonly ReceiverToken[];
  readonly limits?: Partial<ReceiverLimits>;
  readonly sink: ReceiverSink;
  readonly counters: ReceiverCounters;
  readonly log: Logger;
  readonly now?: () => number;
  /** Called after each request, accepted or not (the feature rate-limits its UI events). */
  readonly onRequest?: () => void;
}

export interface RemoteWriteReceiver {
  /** e.g. http://127.0.0.1:9091/api/v1/write */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);
const isLoopback = (host: string) => LOOPBACK_NAMES.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);

function hostnameOf(hostHeader: string | undefined): string {
  if (!hostHeader) return '';
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  const colon = hostHeader.lastIndexOf(':');
  return colon < 0 ? hostHeader : hostHeader.slice(0, colon);
}

/** A token bucket of samples: `rate` per second, holding at most two seconds' worth. */
class SampleBudget {
  private tokens: number;
  private at: number;
  constructor(
    private readonly rate: number,
    private readonly now: () => number,
  ) {
    this.tokens = rate * 2;
    this.at = now();
  }
  get capacity(): number {
    return this.rate * 2;
  }
  /** Takes `n` samples, or says how many seconds until they fit. */
  take(n: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.at) / 1000) * this.rate);
    this.at = t;
    if (n <= this.tokens) {
      this.tokens -= n;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.min(60, Math.max(1, Math.ceil((n - this.tokens) / this.rate))) };
  }
}

export async function startRemoteWriteReceiver(options: RemoteWriteReceiverOptions): Promise<RemoteWriteReceiver> {
  if (options.tokens.length === 0 || options.tokens.some((t) => t.token.length === 0)) throw new Error('the remote-write receiver needs a bearer token');
  const limits: ReceiverLimits = { ...DEFAULT_RECEIVER_LIMITS, ...options.limits };
  const now = options.now ?? Date.now;
  const counters = options.counters;
  const budget = new SampleBudget(limits.maxSamplesPerSecond, now);
  const tokenDigests = options.tokens.map((t) => ({ token: t, digest: digest(t.token) }));
  const checkHostHeader = isLoopback(options.host);
  let inflightBytes = 0;

  const tokenOf = (header: string | undefined): ReceiverToken | undefined => {
    if (!header || !/^bearer\s/i.test(header)) return undefined;
    // Node hands header values over as latin1; a UTF-8 token is compared byte for byte this way.
    const given = digest(Buffer.from(header.slice(7).trim(), 'latin1').toString('utf8'));
    let found: ReceiverToken | undefined;
    // Every token is compared (constant time each), so timing does not tell which one nearly matched.
    for (const t of tokenDigests) if (timingSafeEqual(given, t.digest)) found ??= t.token;
    return found;
  };

  const refuse = (res: ServerResponse, kind: RefusalKind, status: number, reason: string, headers: Record<string, string> = {}) => {
    counters.refused[kind]++;
    counters.lastRefusal = `${status} ${reason}`;
    const body = `${reason}\n`;
    const req = res.req;
    // A body not read yet is not read at all: the answer goes out and the connection closes after it.
    const unread = !req.readableEnded && !req.readableFlowing;
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'X-Content-Type-Options': 'nosniff', ...(unread ? { Connection: 'close' } : {}), ...headers });
    res.end(body);
  };

  const readBody = (req: IncomingMessage, max: number): Promise<Buffer | 'too_large'> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      req.on('data', (chunk: Buffer) => {
        if (done) return;
        size += chunk.length;
        if (size > max) {
          done = true;
          // Stop reading; the 413 goes out and the connection closes after it.
          req.pause();
          resolve('too_large');
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => {
        if (!done) {
          done = true;
          resolve(Buffer.concat(chunks));
        }
      });
      req.on('error', (err) => {
        if (!done) {
          done = true;
          reject(err);
        }
      });
    });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    counters.lastRequestAt = now();
    const path = (req.url ?? '/').split('?')[0];
    if (path !== REMOTE_WRITE_PATH) return refuse(res, 'badRequest', 404, `not found; remote write goes to ${REMOTE_WRITE_PATH}`);
    if (req.method !== 'POST') return refuse(res, 'badRequest', 405, 'remote write is a POST', { Allow: 'POST' });
    // A page in a browser could otherwise post here with the user's network position.
    if (req.headers.origin !== undefined) return refuse(res, 'forbidden', 403, 'requests from web pages are refused (remote-write senders send no Origin)');
    if (checkHostHeader && !isLoopback(hostnameOf(req.headers.host))) return refuse(res, 'forbidden', 403, 'forbidden Host header');
    const token = tokenOf(req.headers.authorization);
    if (!token) return refuse(res, 'unauthorized', 401, 'a bearer token is required (authorization: { credentials } in Prometheus, -remoteWrite.bearerToken in vmagent)', { 'WWW-Authenticate': 'Bearer realm="overlook remote write"' });
    const contentType = String(req.headers['content-type'] ?? '');
    // Remote write 2.0 names its message; 415 tells a 2.0 sender to fall back to 1.0 (spec, "Content-Type").
    if (/proto=io\.prometheus\.write\.v2/i.test(contentType)) return refuse(res, 'unsupported', 415, 'this receiver speaks remote write 1.0 (prometheus.WriteRequest)');
    if (String(req.headers['content-encoding'] ?? '').toLowerCase() !== 'snappy') return refuse(res, 'unsupported', 415, 'the body must be snappy-compressed (Content-Encoding: snappy)');
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limits.maxRequestBytes) {
      return refuse(res, 'tooLarge', 413, `the request is ${declared} bytes, more than the ${limits.maxRequestBytes} this receiver takes; send smaller batches`, { Connection: 'close' });
    }
    const reserve = Number.isFinite(declared) && declared > 0 ? declared : limits.maxRequestBytes;
    if (inflightBytes + reserve > limits.maxInflightBytes) return refuse(res, 'rateLimited', 429, 'too many requests at once; retry', { 'Retry-After': '1' });
    inflightBytes += reserve;
    let body: Buffer | 'too_large';
    try {
      body = await readBody(req, limits.maxRequestBytes);
    } finally {
      inflightBytes -= reserve;
    }
    if (body === 'too_large') return refuse(res, 'tooLarge', 413, `the request is larger than the ${limits.maxRequestBytes} bytes this receiver takes; send smaller batches`, { Connection: 'close' });

    let series: WireSeries[];
    try {
      series = decodeRemoteWriteBody(new Uint8Array(body.buffer, body.byteOffset, body.byteLength), limits.decode);
    } catch (err) {
      if (!(err instanceof RemoteWriteDecodeError)) throw err;
      const tooLarge = err.reason === 'too_large' || err.reason === 'limit';
      return refuse(res, tooLarge ? 'tooLarge' : 'badRequest', tooLarge ? 413 : 400, err.message);
    }
    const valid: WireSeries[] = [];
    let firstProblem: string | undefined;
    let samples = 0;
    for (const s of series) {
      const problem = seriesProblem(s);
      if (problem) {
        counters.seriesInvalid++;
        firstProblem ??= problem;
        continue;
      }
      valid.push(s);
      samples += s.samples.length;
    }
    if (samples > budget.capacity) {
      return refuse(res, 'tooLarge', 413, `the request holds ${samples} samples, more than the ${budget.capacity} this receiver takes at once; send smaller batches`);
    }
    const allowed = budget.take(samples);
    if (!allowed.ok) return refuse(res, 'rateLimited', 429, `more than ${limits.maxSamplesPerSecond} samples per second; retry`, { 'Retry-After': String(allowed.retryAfterSeconds) });
    const verdict = options.sink.accept(valid, { token, remoteAddress: req.socket.remoteAddress ?? '' });
    if (!verdict.ok) return refuse(res, 'rateLimited', verdict.status, verdict.reason, { 'Retry-After': String(verdict.retryAfterSeconds) });
    counters.requestsAccepted++;
    counters.samplesAccepted += samples;
    if (firstProblem) {
      // The valid series were applied; a 400 is not retried, so nothing is written twice.
      return refuse(res, 'badRequest', 400, `${series.length - valid.length} series left out: ${firstProblem}`);
    }
    res.writeHead(204);
    res.end();
  };

  const server = createServer((req, res) => {
    handle(req, res)
      .catch((err: unknown) => {
        options.log.error('remote-write receiver: a request failed', { error: (err as Error).message });
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end('internal error\n');
        } else res.destroy();
      })
      .finally(() => options.onRequest?.());
  });
  // A sender that trickles its body must not hold a connection for ever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.on('clientError', (_err, socket) => socket.destroy());

  const listening = await listenOn(server, options.host, options.port, 'remote-write receiver');
  server.on('error', (err) => options.log.error('remote-write receiver server error', { error: err.message }));
  const port = listening.port;
  const url = `${listening.origin}${REMOTE_WRITE_PATH}`;
  options.log.info('remote-write receiver listening', { url, tokens: options.tokens.length });
  return {
    url,
    port,
    close: () => closeListener(server),
  };
}
