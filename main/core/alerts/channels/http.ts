// One JSON POST with a hard timeout, for every webhook channel. node:http(s)
// rather than fetch so the errors are ours to word: undici's can carry the
// request URL, and a webhook URL is a credential (DingTalk's access_token and
// WeCom's key sit in the query, Slack's token in the path).
import http from 'node:http';
import https from 'node:https';
import type { DeliveryProblem } from '../../../common/alertChannels.js';
import { DeliveryError } from './types.js';

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
  readonly headers: http.IncomingHttpHeaders;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * `https://hooks.slack.com/services/…`: scheme, host and the first path
 * segment; never the query or the rest of the path, where tokens live.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const segments = u.pathname.split('/').filter(Boolean);
    const first = segments[0] ? `/${segments[0]}` : '';
    const rest = segments.length > 1 ? '/…' : u.search !== '' ? '?…' : '';
    return `${u.protocol}//${u.host}${first}${rest}`;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * Parts of a URL that may be credentials, to scrub from text a server sends
 * back: query values, user info, and token-like path segments after the
 * first (Slack's `/services/T…/B…/<token>`). Words like `webhook` stay.
 */
export function urlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    const out: string[] = [];
    for (const v of u.searchParams.values()) out.push(v);
    for (const seg of u.pathname.split('/').filter(Boolean).slice(1)) {
      if (seg.length >= 20 || (seg.length >= 8 && /\d/.test(seg))) out.push(seg);
    }
    if (u.username) out.push(u.username);
    if (u.password) out.push(u.password);
    return out.filter((s) => s.length >= 4);
  } catch {
    return [];
  }
}

/** Replace each secret (as is and URL-encoded) with `***`; longest first so a part never survives its whole. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  const all = new Set<string>();
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    all.add(s);
    all.add(encodeURIComponent(s));
  }
  for (const s of [...all].sort((a, b) => b.length - a.length)) out = out.split(s).join('***');
  return out;
}

export interface PostOptions {
  readonly timeoutMs: number;
  /** Values that must never appear in an error (the signing secret, …); the URL's parts are added. */
  readonly secrets?: readonly string[];
  readonly headers?: Record<string, string>;
}

/** POST `body` as JSON. Rejects with DeliveryError on network error, timeout or a non-2xx status. */
export function postJson(url: string, body: unknown, options: PostOptions): Promise<HttpResponse> {
  const where = redactUrl(url);
  const secrets = [...urlSecrets(url), ...(options.secrets ?? [])];
  // `where` is redacted by construction; only the detail (which may quote the server) is scrubbed.
  const fail = (detail: string, retryable: boolean, retryAfterMs?: number, problem?: DeliveryProblem) =>
    new DeliveryError(`POST ${where}: ${scrubSecrets(detail, secrets)}`, retryable, retryAfterMs, problem);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return Promise.reject(fail('the webhook URL is not a valid URL', false, undefined, { kind: 'badUrl' }));
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return Promise.reject(fail(`the webhook URL must be http or https, not ${u.protocol}`, false, undefined, { kind: 'badUrl' }));
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const req = lib.request(
      u,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': payload.length, 'user-agent': 'Overlook', ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_RESPONSE_BYTES) chunks.push(c);
        });
        res.on('error', (err) => finish(() => reject(fail(`response failed: ${err.message}`, true, undefined, { kind: 'network', code: (err as NodeJS.ErrnoException).code ?? 'response failed' }))));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          finish(() => {
            if (status >= 200 && status < 300) return resolve({ status, body: text, headers: res.headers });
            const retryable = status >= 500 || status === 429 || status === 408;
            const retryAfter = parseRetryAfter(res.headers['retry-after']);
            reject(fail(`HTTP ${status}${text ? ` ${oneLine(text)}` : ''}`, retryable, retryAfter, { kind: 'http', status, body: scrubSecrets(oneLine(text), secrets) }));
          });
        });
      },
    );
    const timer = setTimeout(() => {
      finish(() => reject(fail(`no answer within ${options.timeoutMs} ms`, true, undefined, { kind: 'timeout', ms: options.timeoutMs })));
      req.destroy();
    }, options.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => finish(() => reject(fail(err.code ?? err.message, true, undefined, { kind: 'network', code: scrubSecrets(err.code ?? err.message, secrets) }))));
    req.end(payload);
  });
}

function parseRetryAfter(v: string | string[] | undefined): number | undefined {
  const text = Array.isArray(v) ? v[0] : v;
  if (!text) return undefined;
  const seconds = Number(text);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** A server's error body, shortened to one line for the delivery record. */
export function oneLine(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
