// The probes a service check runs: HTTP(S), TCP connect (with an optional
// banner) and TLS (handshake, chain, expiry, hostname). Each takes a `dial`
// that opens a byte stream to host:port — a TCP socket from the console, or
// a direct-tcpip channel over an SSH host's connection (RFC 4254 §7.2) — and
// speaks HTTP and TLS over whatever stream it gets. Every probe is bounded by
// its timeout as a whole (a server that trickles its answer is cut off),
// reads at most what its match needs (a huge body is never held), and turns
// every failure — a name that does not resolve, a refused port, a bad
// certificate, a redirect loop — into a down result with a reason, never a throw.
//
// Names and phases follow blackbox_exporter (prober/http.go): resolve,
// connect, tls, processing (request written → response headers), transfer
// (body read); probe_ssl_earliest_cert_expiry is the earliest notAfter of the
// chain the server sent.
import { execFile } from 'node:child_process';
import dns from 'node:dns/promises';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { RE2JS } from 're2js';
import { BODY_READ_MAX_BYTES_DEFAULT, isSecretHeader, type BodyMatch, type CheckKind, type CheckPhases, type CheckReason, type HttpSpec } from '../../common/checks.js';

/** A failure with its reason code; the message is the English detail (no secret in it). */
export class ProbeFailure extends Error {
  constructor(
    readonly reason: CheckReason,
    message: string,
  ) {
    super(message);
  }
}

const reasonOf = (err: unknown, fallback: CheckReason): CheckReason => (err instanceof ProbeFailure ? err.reason : fallback);

export interface Dialed {
  readonly stream: Duplex;
  /** Seconds spent resolving the name (0 when the far end resolves it: an SSH host). */
  readonly resolveSeconds: number;
  readonly connectSeconds: number;
}

/** Opens a stream to host:port; rejects with an Error whose message says why (no secret in it). */
export type Dial = (host: string, port: number) => Promise<Dialed>;

/** Runs `ping` (argv, no shell) where the vantage point is; resolves with its exit code and output (stdout then stderr). */
export type RunPing = (args: readonly string[], timeoutMs: number) => Promise<{ code: number | null; stdout: string }>;

/** The console's own ping (iputils: -n numeric, -c count, -W seconds to wait for the reply). */
export const consolePing: RunPing = (args, timeoutMs) =>
  new Promise((resolve, reject) => {
    execFile('ping', [...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 }, (err, stdout, stderr) => {
      const code = err ? ((err as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null) : 0;
      if (code === undefined) reject(new ProbeFailure('ping_unavailable', 'this machine has no ping command'));
      else resolve({ code, stdout: `${String(stdout)}${String(stderr)}` });
    });
  });

export function pingArgs(host: string, timeoutMs: number): string[] {
  return ['-n', '-c', '1', '-W', String(Math.max(1, Math.ceil(timeoutMs / 1000))), '--', host];
}

/** One echo request: up when a reply came, with its round-trip time. */
export async function pingProbe(host: string, timeoutMs: number, run: RunPing): Promise<ProbeOutcome> {
  const started = performance.now();
  try {
    const r = await run(pingArgs(host, timeoutMs), timeoutMs + 1000);
    const rtt = /time[=<]([0-9.]+) ?ms/.exec(r.stdout);
    if (r.code === 0) return { up: true, durationSeconds: rtt ? Number(rtt[1]) / 1000 : seconds(started), phases: {}, reason: 'ok', detail: rtt ? `reply in ${rtt[1]} ms` : 'reply' };
    if (r.code === 2 && /unknown host|Name or service not known|Temporary failure/i.test(r.stdout)) return { up: false, durationSeconds: seconds(started), phases: {}, reason: 'unresolvable', detail: `cannot resolve ${host}` };
    const said = r.stdout.split('\n').find((l) => l.startsWith('ping:'))?.slice(0, 200);
    if (r.code === 1) return { up: false, durationSeconds: seconds(started), phases: {}, reason: 'ping_no_reply', detail: `no reply from ${host} within ${timeoutMs} ms` };
    return { up: false, durationSeconds: seconds(started), phases: {}, reason: 'ping_failed', detail: said ?? `ping failed (exit ${r.code ?? 'killed'})` };
  } catch (err) {
    return { up: false, durationSeconds: seconds(started), phases: {}, reason: reasonOf(err, 'ping_unavailable'), detail: (err as Error).message };
  }
}

export interface ProbeSpec {
  readonly kind: CheckKind;
  /** http: the URL; tcp/tls: host:port. */
  readonly target: string;
  readonly http?: HttpSpec;
  readonly banner?: string;
  readonly serverName?: string;
  readonly timeoutMs: number;
  /** PEM CA bundle trusted instead of the system's. */
  readonly ca?: string;
  /** The Authorization header's value, resolved from its reference; never logged, sent only to the check's own origin. */
  readonly authorization?: string;
  /** Headers whose values were resolved from the secret store: merged over http.headers, and like Authorization never sent to another origin. */
  readonly secretHeaders?: Readonly<Record<string, string>>;
  readonly maxBodyBytes?: number;
}

export interface ProbeOutcome {
  readonly up: boolean;
  readonly durationSeconds: number;
  readonly phases: CheckPhases;
  readonly statusCode?: number;
  readonly certExpiry?: number;
  readonly reason: CheckReason;
  readonly detail: string;
}

const seconds = (fromMs: number) => (performance.now() - fromMs) / 1000;

/** A dial from the console: the system resolver, then a TCP connect. */
export const consoleDial: Dial = async (host, port) => {
  const t0 = performance.now();
  let address: string;
  if (net.isIP(host)) address = host;
  else {
    try {
      address = (await dns.lookup(host)).address;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new ProbeFailure('unresolvable', code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? `cannot resolve ${host}` : `cannot resolve ${host} (${code ?? 'error'})`);
    }
  }
  const resolveSeconds = seconds(t0);
  const t1 = performance.now();
  const socket = net.connect({ host: address, port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', (err) => {
      socket.destroy();
      reject(new ProbeFailure(connectReason(err), connectMessage(err, host, port)));
    });
  });
  return { stream: socket, resolveSeconds, connectSeconds: seconds(t1) };
};

export function connectReason(err: unknown): CheckReason {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ECONNREFUSED' ? 'refused' : code === 'EHOSTUNREACH' || code === 'ENETUNREACH' ? 'unreachable' : code === 'ECONNRESET' ? 'reset' : 'connect_failed';
}

export function connectMessage(err: unknown, host: string, port: number): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return `connection refused at ${host}:${port}`;
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `${host}:${port} is unreachable`;
  if (code === 'ECONNRESET') return `connection to ${host}:${port} reset`;
  return `cannot connect to ${host}:${port}${code ? ` (${code})` : (err as Error)?.message ? `: ${(err as Error).message}` : ''}`;
}

/** host:port → parts ([v6]:port too). */
export function splitHostPort(target: string): { host: string; port: number } {
  const i = target.lastIndexOf(':');
  let host = target.slice(0, i);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return { host, port: Number(target.slice(i + 1)) };
}

class ProbeTimeout extends Error {}

/** Tracks the streams a probe opened, so the deadline can close them all. */
class Bounds {
  private readonly streams: (Duplex | http.IncomingMessage)[] = [];
  expired = false;
  phase = 'connect';
  track<T extends Duplex | http.IncomingMessage>(s: T): T {
    this.streams.push(s);
    s.on('error', () => {}); // reported through the awaited step, never as an uncaught error
    if (this.expired) s.destroy();
    return s;
  }
  /**
   * Outermost first: a TLS socket before the stream under it. Node 20 crashes
   * (SIGSEGV in its TLS wrap) when the stream under a TLS socket is destroyed
   * before the TLS socket itself.
   */
  closeAll(): void {
    for (const s of [...this.streams].reverse()) s.destroy();
  }
}

/** Runs one probe; always resolves. */
export async function runProbe(spec: ProbeSpec, dial: Dial): Promise<ProbeOutcome> {
  const started = performance.now();
  const bounds = new Bounds();
  const phases: { -readonly [K in keyof CheckPhases]: number } = {};
  const state: { statusCode?: number; certExpiry?: number } = {};
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      bounds.expired = true;
      bounds.closeAll();
      reject(new ProbeTimeout());
    }, spec.timeoutMs);
  });
  const trackedDial: Dial = async (host, port) => {
    bounds.phase = 'connect';
    const d = await dial(host, port);
    bounds.track(d.stream);
    phases.resolve = (phases.resolve ?? 0) + d.resolveSeconds;
    phases.connect = (phases.connect ?? 0) + d.connectSeconds;
    return d;
  };
  let result: Verdict;
  try {
    if (spec.kind === 'ping') throw new Error('ping runs through pingProbe');
    const body = spec.kind === 'http' ? httpProbe(spec, trackedDial, bounds, phases, state) : spec.kind === 'tcp' ? tcpProbe(spec, trackedDial, bounds) : tlsProbe(spec, trackedDial, bounds, phases, state);
    body.catch(() => {});
    result = await Promise.race([body, deadline]);
  } catch (err) {
    result = err instanceof ProbeTimeout ? { up: false, reason: 'timeout', detail: `no answer within ${spec.timeoutMs} ms (${bounds.phase})` } : { up: false, reason: reasonOf(err, 'connect_failed'), detail: (err as Error).message };
  } finally {
    clearTimeout(timer);
    bounds.closeAll();
  }
  return {
    up: result.up,
    durationSeconds: seconds(started),
    phases,
    ...(state.statusCode !== undefined ? { statusCode: state.statusCode } : {}),
    ...(state.certExpiry !== undefined ? { certExpiry: state.certExpiry } : {}),
    reason: result.reason,
    detail: result.detail,
  };
}

type Verdict = { up: boolean; reason: CheckReason; detail: string };

interface TlsFacts {
  readonly socket: tls.TLSSocket;
  /** Why the certificate is not trusted (expired, self-signed, wrong name), if it is not. */
  readonly problem?: { reason: CheckReason; detail: string };
  readonly certExpiry?: number;
}

/** A TLS handshake over `stream`; the certificate is checked after it, so a bad one is reported with its expiry rather than only refused. */
async function handshake(stream: Duplex, host: string, spec: ProbeSpec, bounds: Bounds, phases: { tls?: number }): Promise<TlsFacts> {
  bounds.phase = 'tls';
  const t0 = performance.now();
  const servername = spec.serverName ?? host;
  const socket = bounds.track(
    tls.connect({ socket: stream, ...(net.isIP(servername) ? {} : { servername }), rejectUnauthorized: false, ...(spec.ca ? { ca: spec.ca } : {}), ALPNProtocols: ['http/1.1'] }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', (err) => reject(new ProbeFailure('tls_handshake_failed', `TLS handshake with ${host} failed: ${(err as Error).message}`)));
    socket.once('close', () => reject(new ProbeFailure('tls_handshake_failed', `TLS handshake with ${host} failed: the connection closed`)));
  });
  phases.tls = (phases.tls ?? 0) + seconds(t0);
  const cert = socket.getPeerCertificate(true);
  const certExpiry = earliestExpiry(cert);
  let problem: { reason: CheckReason; detail: string } | undefined;
  if (!socket.authorized) problem = certificateProblem(String(socket.authorizationError ?? 'not trusted'), servername);
  else {
    const mismatch = tls.checkServerIdentity(servername, cert);
    if (mismatch) problem = { reason: 'tls_name_mismatch', detail: `certificate is not valid for ${servername}` };
  }
  return { socket, ...(problem ? { problem } : {}), ...(certExpiry !== undefined ? { certExpiry } : {}) };
}

/** OpenSSL's verify codes as Node names them (X509_V_ERR_*, openssl-verify(1)). */
function certificateProblem(code: string, servername: string): { reason: CheckReason; detail: string } {
  if (code === 'CERT_HAS_EXPIRED') return { reason: 'tls_expired', detail: 'certificate has expired' };
  if (code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN') return { reason: 'tls_self_signed', detail: 'certificate is self-signed (not trusted)' };
  if (code === 'CERT_NOT_YET_VALID') return { reason: 'tls_not_yet_valid', detail: 'certificate is not valid yet' };
  if (code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY') return { reason: 'tls_unknown_ca', detail: 'certificate is signed by an unknown authority' };
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return { reason: 'tls_name_mismatch', detail: `certificate is not valid for ${servername}` };
  return { reason: 'tls_untrusted', detail: `certificate is not trusted (${code})` };
}

/** The earliest notAfter of the chain, seconds since the epoch. */
export function earliestExpiry(cert: tls.DetailedPeerCertificate | undefined): number | undefined {
  let earliest: number | undefined;
  const seen = new Set<unknown>();
  for (let c = cert; c && Object.keys(c).length > 0 && !seen.has(c); c = c.issuerCertificate) {
    seen.add(c);
    const t = Date.parse(c.valid_to);
    if (Number.isFinite(t)) earliest = earliest === undefined ? t / 1000 : Math.min(earliest, t / 1000);
    if (c.issuerCertificate === c) break;
  }
  return earliest;
}

async function tlsProbe(spec: ProbeSpec, dial: Dial, bounds: Bounds, phases: CheckPhases & { tls?: number }, state: { certExpiry?: number }): Promise<Verdict> {
  const { host, port } = splitHostPort(spec.target);
  const d = await dial(host, port);
  const facts = await handshake(d.stream, host, spec, bounds, phases);
  if (facts.certExpiry !== undefined) state.certExpiry = facts.certExpiry;
  if (facts.problem) return { up: false, ...facts.problem };
  const days = facts.certExpiry !== undefined ? Math.floor((facts.certExpiry * 1000 - Date.now()) / 86_400_000) : undefined;
  return { up: true, reason: 'ok', detail: days !== undefined ? `certificate valid, expires in ${days} days` : 'handshake ok' };
}

async function tcpProbe(spec: ProbeSpec, dial: Dial, bounds: Bounds): Promise<Verdict> {
  const { host, port } = splitHostPort(spec.target);
  const d = await dial(host, port);
  if (!spec.banner) return { up: true, reason: 'ok', detail: 'connected' };
  bounds.phase = 'banner';
  const want = spec.banner;
  const max = 64 * 1024;
  let seen = '';
  return new Promise((resolve) => {
    const done = (r: Verdict) => {
      d.stream.removeAllListeners('data');
      resolve(r);
    };
    d.stream.on('data', (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      if (seen.includes(want)) done({ up: true, reason: 'ok', detail: 'banner matched' });
      else if (seen.length > max) done({ up: false, reason: 'banner_mismatch', detail: `the banner does not hold "${want}" in its first ${max} bytes` });
    });
    d.stream.once('end', () => done({ up: false, reason: 'banner_mismatch', detail: `the banner does not hold "${want}"` }));
    d.stream.once('close', () => done({ up: false, reason: 'banner_mismatch', detail: `the connection closed before "${want}" arrived` }));
  });
}

const REDIRECT = new Set([301, 302, 303, 307, 308]);

/**
 * The headers a request carries. Credentials — the Authorization the check's
 * auth makes, and every secret-looking header (Cookie, X-Api-Key, *token*…) —
 * go only to the check's own origin (scheme, host, port: RFC 6454): a redirect
 * to another origin gets none of them, as browsers (Fetch §4.4 HTTP-redirect
 * fetch) and curl (without --location-trusted) do.
 */
export function requestHeaders(spec: ProbeSpec, url: URL, origin: string): Record<string, string> {
  const sameOrigin = url.origin === origin;
  const out: Record<string, string> = { host: url.host, 'user-agent': 'Overlook service check', accept: '*/*' };
  const add = (name: string, value: string) => {
    if (!sameOrigin && isSecretHeader(name)) return;
    out[name.toLowerCase()] = value;
  };
  for (const [name, value] of Object.entries(spec.http?.headers ?? {})) if (value !== '' || !isSecretHeader(name)) add(name, value);
  for (const [name, value] of Object.entries(spec.secretHeaders ?? {})) add(name, value);
  if (spec.authorization && sameOrigin) out.authorization = spec.authorization;
  out.connection = 'close';
  return out;
}

async function httpProbe(spec: ProbeSpec, dial: Dial, bounds: Bounds, phases: { -readonly [K in keyof CheckPhases]: number }, state: { statusCode?: number; certExpiry?: number }): Promise<Verdict> {
  const h = spec.http!;
  let url = new URL(spec.target);
  const origin = url.origin;
  let method = h.method;
  for (let hop = 0; ; hop++) {
    const https = url.protocol === 'https:';
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const port = url.port ? Number(url.port) : https ? 443 : 80;
    const d = await dial(host, port);
    let stream: Duplex = d.stream;
    if (https) {
      const facts = await handshake(d.stream, host, spec, bounds, phases);
      if (facts.certExpiry !== undefined) state.certExpiry = state.certExpiry === undefined ? facts.certExpiry : Math.min(state.certExpiry, facts.certExpiry);
      if (facts.problem) return { up: false, ...facts.problem };
      stream = facts.socket;
    }
    bounds.phase = 'processing';
    const t0 = performance.now();
    const requestUrl = url;
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request({
        createConnection: () => stream as net.Socket,
        method,
        path: `${requestUrl.pathname}${requestUrl.search}`,
        headers: requestHeaders(spec, requestUrl, origin),
      });
      req.on('response', resolve);
      req.on('error', (err) => reject(new ProbeFailure('no_answer', `${requestUrl.host} did not answer: ${(err as Error).message}`)));
      req.end();
    });
    bounds.track(res);
    phases.processing = (phases.processing ?? 0) + seconds(t0);
    const status = res.statusCode ?? 0;
    state.statusCode = status;
    const location = res.headers.location;
    if (h.followRedirects && REDIRECT.has(status) && location) {
      res.destroy();
      if (hop >= h.maxRedirects) return { up: false, reason: 'redirect_limit', detail: `more than ${h.maxRedirects} redirects (a redirect loop?)` };
      try {
        url = new URL(location, url);
      } catch {
        return { up: false, reason: 'redirect_invalid', detail: `a redirect to an invalid address` };
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return { up: false, reason: 'redirect_invalid', detail: `a redirect to ${url.protocol} is not followed` };
      if (status === 303) method = 'GET';
      continue;
    }
    const statusOk = h.expectStatus.length > 0 ? h.expectStatus.includes(status) : status >= 200 && status < 300;
    if (!statusOk) {
      res.destroy();
      return { up: false, reason: 'status_mismatch', detail: `status ${status}${h.expectStatus.length ? `, expected ${h.expectStatus.join(' or ')}` : ''}` };
    }
    if (!h.bodyMatch || method === 'HEAD') {
      res.destroy();
      return { up: true, reason: 'ok', detail: `status ${status}` };
    }
    bounds.phase = 'body';
    const t1 = performance.now();
    const matched = await matchBody(res, h.bodyMatch, spec.maxBodyBytes ?? BODY_READ_MAX_BYTES_DEFAULT);
    phases.transfer = (phases.transfer ?? 0) + seconds(t1);
    res.destroy();
    return matched.ok ? { up: true, reason: 'ok', detail: `status ${status}, body matched` } : { up: false, reason: matched.truncated ? 'body_too_large' : 'body_mismatch', detail: matched.detail };
  }
}

/** Compiles a body pattern with RE2 semantics (linear time in the body's length: no backtracking blowup). */
export function compileBodyPattern(pattern: string): RE2JS {
  return RE2JS.compile(pattern);
}

/** Reads the body until the match is found or `max` bytes were read; never more. */
async function matchBody(res: http.IncomingMessage, match: BodyMatch, max: number): Promise<{ ok: true } | { ok: false; truncated: boolean; detail: string }> {
  const re = match.type === 'regex' ? compileBodyPattern(match.pattern) : undefined;
  const chunks: Buffer[] = [];
  let bytes = 0;
  let truncated = false;
  await new Promise<void>((resolve, reject) => {
    let tail = '';
    const finish = () => {
      res.removeAllListeners('data');
      resolve();
    };
    res.on('data', (chunk: Buffer) => {
      const room = max - bytes;
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      bytes += part.length;
      if (re) chunks.push(part);
      else {
        // A substring is looked for as the body arrives, across chunk edges, and reading stops once it is seen.
        const text = tail + part.toString('utf8');
        if (text.includes(match.pattern)) {
          chunks.push(Buffer.from(match.pattern));
          finish();
          return;
        }
        tail = text.slice(-match.pattern.length);
      }
      if (chunk.length > room || bytes >= max) {
        truncated = true;
        finish();
      }
    });
    res.once('end', finish);
    res.once('close', finish);
    res.once('error', (err) => reject(new ProbeFailure('no_answer', `the body could not be read: ${err.message}`)));
  });
  const text = Buffer.concat(chunks).toString('utf8');
  const found = re ? re.matcher(text).find() : text.includes(match.pattern);
  if (found) return { ok: true };
  return { ok: false, truncated, detail: `the body does not ${re ? 'match' : 'hold'} "${match.pattern}"${truncated ? ` in its first ${max} bytes` : ''}` };
}
