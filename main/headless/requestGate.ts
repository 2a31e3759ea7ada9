// The headless console's gate: for any request a client can send (an HTTP
// request or a WebSocket upgrade), whether it is served, redirected or
// refused, and why. A pure function of what the client sent and what the
// server expects; server.ts does the I/O around it. Nothing a client sends
// can make it throw: a bad request target, bad percent-encoding, a cookie of
// another application, a NUL in a path all end in a refusal with a status.
//
// Rules, in order:
// 1. Method: GET and HEAD only (405 with Allow otherwise; an upgrade is GET, RFC 6455 §4.1).
// 2. Request target: origin-form only (RFC 9112 §3.2.1: "/" path ["?" query]);
//    absolute-form, authority-form and asterisk-form are for proxies (400).
// 3. Host: one of the names the server answers to (403 otherwise). A page on
//    another site that re-points its own name at 127.0.0.1 (DNS rebinding)
//    sends its own name as Host, so it is refused.
// 4. Origin, when sent: exactly http://<Host> (403 otherwise). Browsers send it
//    on every WebSocket handshake and cross-origin request (RFC 6454 §7.2).
// 5. Token: in the query (`?token=`), once, traded for a cookie by a redirect;
//    then the cookie named for this port, or `Authorization: Bearer`. A wrong
//    or missing token is 401. Cookies are compared as sent, never decoded:
//    cookies are per host name, not per port (RFC 6265 §8.5), so other
//    applications on 127.0.0.1 put theirs in the same header, in any
//    encoding; only ours is looked at, and ours is plain base64url.
// 6. Path: percent-decoded once (400 if the encoding is bad), no NUL or other
//    control character, no backslash, no `..` segment (400); the upgrade path
//    is /rpc (404 otherwise).
// 7. The redirect after the token swap goes to a path on this origin only:
//    `/.//evil.example/x` would otherwise become `Location: //evil.example/x`,
//    which a browser follows to another host (a scheme-relative reference,
//    RFC 3986 §4.2).
import crypto from 'node:crypto';
import path from 'node:path';

export interface GateExpectations {
  /** The access token (base64url in `overlook serve`). */
  readonly token: string;
  /** The cookie that carries it, named by port (overlook_token_<port>). */
  readonly cookieName: string;
  /** `host:port` values (lower case, IPv6 in brackets) the Host header may carry. */
  readonly allowedHosts: ReadonlySet<string>;
}

/** What the client sent, as Node's parser hands it over (header values may be arrays or absent). */
export interface GateRequest {
  readonly method: string | undefined;
  readonly target: string | undefined;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** A WebSocket upgrade (the server's 'upgrade' event) rather than a plain request. */
  readonly upgrade: boolean;
}

export type GateDecision =
  /** Serve the UI file at `file` (a clean absolute path inside the UI, e.g. /index.html). */
  | { readonly kind: 'serve'; readonly file: string; readonly headOnly: boolean; readonly origin: string }
  /** The token came in the query: set the cookie and send the browser to `location` (same origin, token removed). */
  | { readonly kind: 'redirect'; readonly location: string; readonly setCookie: string; readonly origin: string }
  /** Accept the WebSocket on /rpc. */
  | { readonly kind: 'upgrade'; readonly origin: string }
  | { readonly kind: 'refuse'; readonly status: 400 | 401 | 403 | 404 | 405; readonly reason: string };

/** The cookie as the redirect sets it: HttpOnly (no script reads it), SameSite=Strict (no other site sends it). */
export function tokenCookie(cookieName: string, token: string): string {
  return `${cookieName}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}

function header(req: GateRequest, name: string): string | undefined {
  const v = req.headers[name];
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v.join(', ');
}

/** Every value the request's cookies give `name`, as sent (not decoded). */
function cookieValues(cookieHeader: string | undefined, name: string): string[] {
  const out: string[] = [];
  if (cookieHeader === undefined) return out;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0 || part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    // RFC 6265 §4.1.1: a cookie-value may be wrapped in double quotes.
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    out.push(value);
  }
  return out;
}

const CONTROL = /[\u0000-\u001f\u007f]/;

type Target = { ok: true; pathname: string; search: URLSearchParams } | { ok: false };

/** Splits an origin-form target without URL's host parsing or normalisation: what we check is what was sent. */
function splitTarget(target: string | undefined): Target {
  if (target === undefined || !target.startsWith('/') || target.startsWith('//') || CONTROL.test(target)) return { ok: false };
  const hash = target.indexOf('#');
  const noFragment = hash < 0 ? target : target.slice(0, hash);
  const q = noFragment.indexOf('?');
  const pathname = q < 0 ? noFragment : noFragment.slice(0, q);
  // URLSearchParams decodes leniently (a bad %XX stays as it is); it never throws.
  const search = new URLSearchParams(q < 0 ? '' : noFragment.slice(q + 1));
  return { ok: true, pathname, search };
}

/** The decoded, checked file path for a request path, or the reason it is refused. */
function cleanPath(pathname: string): { ok: true; file: string } | { ok: false; reason: string } {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { ok: false, reason: 'bad percent-encoding in the path' };
  }
  if (CONTROL.test(decoded) || decoded.includes('\\')) return { ok: false, reason: 'bad character in the path' };
  if (decoded.split('/').includes('..')) return { ok: false, reason: 'path outside the UI' };
  const normal = path.posix.normalize(decoded);
  return { ok: true, file: normal === '/' ? '/index.html' : normal };
}

/** Where the browser goes after the token swap: this origin's path (leading slashes collapsed), the other query parameters kept. */
function sameOriginLocation(pathname: string, search: URLSearchParams): string {
  search.delete('token');
  const rest = search.toString();
  // Collapsing every leading slash and backslash keeps the reference path-absolute (RFC 3986 §4.2), never scheme-relative.
  const local = '/' + pathname.replace(/^[/\\]+/, '');
  return local + (rest ? `?${rest}` : '');
}

export function decideRequest(req: GateRequest, expect: GateExpectations): GateDecision {
  const method = req.method ?? '';
  if (method !== 'GET' && (req.upgrade || method !== 'HEAD')) return { kind: 'refuse', status: 405, reason: 'method not allowed' };

  const target = splitTarget(req.target);
  if (!target.ok) return { kind: 'refuse', status: 400, reason: 'bad request target' };

  const host = (header(req, 'host') ?? '').toLowerCase();
  if (!expect.allowedHosts.has(host)) return { kind: 'refuse', status: 403, reason: 'unexpected Host header' };
  const origin = `http://${host}`;
  const sentOrigin = header(req, 'origin');
  if (sentOrigin !== undefined && sentOrigin.toLowerCase() !== origin) return { kind: 'refuse', status: 403, reason: 'foreign Origin' };

  const fromQuery = target.search.get('token');
  let viaQuery = false;
  if (fromQuery !== null) {
    if (!safeEqual(fromQuery, expect.token)) return { kind: 'refuse', status: 401, reason: 'wrong token' };
    viaQuery = true;
  } else {
    const sentCookie = encodeURIComponent(expect.token);
    const cookies = cookieValues(header(req, 'cookie'), expect.cookieName);
    const bearer = /^bearer +(\S+) *$/i.exec(header(req, 'authorization') ?? '')?.[1];
    const ok = cookies.some((c) => safeEqual(c, sentCookie)) || (bearer !== undefined && safeEqual(bearer, expect.token));
    if (!ok) return { kind: 'refuse', status: 401, reason: cookies.length > 0 || bearer !== undefined ? 'wrong token' : 'missing token' };
  }

  if (req.upgrade) {
    return target.pathname === '/rpc' ? { kind: 'upgrade', origin } : { kind: 'refuse', status: 404, reason: 'no such endpoint' };
  }
  const clean = cleanPath(target.pathname);
  if (!clean.ok) return { kind: 'refuse', status: 400, reason: clean.reason };
  if (viaQuery) {
    return { kind: 'redirect', location: sameOriginLocation(target.pathname, target.search), setCookie: tokenCookie(expect.cookieName, expect.token), origin };
  }
  return { kind: 'serve', file: clean.file, headOnly: method === 'HEAD', origin };
}

/** The names the console answers to on `port`: loopback, the bound address, and for a wildcard bind the machine's own names and addresses. */
export function allowedHostNames(port: number, bind: string, machine: { hostname: string; addresses: readonly string[] }): Set<string> {
  const withPort = (h: string) => {
    const name = h.includes(':') ? `[${h.replace(/%.*$/, '')}]` : h;
    return port === 80 ? [`${name}:80`, name] : [`${name}:${port}`];
  };
  const names = ['127.0.0.1', 'localhost', '::1', bind];
  if (bind === '0.0.0.0' || bind === '::') {
    names.push(machine.hostname, ...machine.addresses);
  }
  return new Set(names.filter((n) => n !== '0.0.0.0' && n !== '::' && n !== '').flatMap(withPort).map((n) => n.toLowerCase()));
}
