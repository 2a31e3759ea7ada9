// One HTTP(S) GET of a /metrics endpoint (node_exporter, cAdvisor), the way
// Prometheus scrapes: a timeout, a cap on the body (compressed and
// uncompressed), gzip, bearer or basic auth, TLS checked against the system's
// CAs or a custom CA file. Redirects are not followed: the credentials were
// given for this address, and a redirect could carry them elsewhere.
// Errors say what went wrong in words a user acts on, and never quote a
// credential (the URL cannot hold one: parseScrapeUrl refuses userinfo).
import http from 'node:http';
import https from 'node:https';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';

const gunzipAsync = promisify(gunzip);

export interface ScrapeRequest {
  readonly url: string;
  readonly bearerToken?: string;
  readonly basicAuth?: { readonly username: string; readonly password: string };
  /** PEM text of the CA certificates to trust instead of the system's. */
  readonly ca?: string;
  readonly timeoutMs: number;
  /** Body bytes, after decompression too (node_exporter serves ~60 KiB; cAdvisor on a busy host a few MiB). */
  readonly maxBytes: number;
}

export interface ScrapeResponse {
  readonly text: string;
  readonly contentType: string | undefined;
  readonly bytes: number;
  readonly durationMs: number;
}

export type ScrapeErrorKind = 'timeout' | 'refused' | 'unreachable' | 'dns' | 'tls' | 'auth' | 'http' | 'too_large' | 'protocol';

export class ScrapeError extends Error {
  constructor(
    readonly kind: ScrapeErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ScrapeError';
  }
}

/** What Prometheus asks for, minus OpenMetrics' exemplars it would drop anyway: the plain text format first. */
const ACCEPT = 'text/plain;version=0.0.4;q=1,application/openmetrics-text;version=1.0.0;q=0.5,*/*;q=0.1';

export function scrapeOnce(request: ScrapeRequest): Promise<ScrapeResponse> {
  const url = new URL(request.url);
  const started = Date.now();
  const headers: Record<string, string> = { Accept: ACCEPT, 'Accept-Encoding': 'gzip', 'User-Agent': 'overlook' };
  if (request.bearerToken) headers.Authorization = `Bearer ${request.bearerToken}`;
  else if (request.basicAuth) headers.Authorization = `Basic ${Buffer.from(`${request.basicAuth.username}:${request.basicAuth.password}`, 'utf8').toString('base64')}`;
  const where = `${url.protocol}//${url.host}`;

  return new Promise<ScrapeResponse>((resolve, reject) => {
    let settled = false;
    const fail = (err: ScrapeError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(err);
    };
    const options: https.RequestOptions = {
      method: 'GET',
      headers,
      // A fresh connection per scrape: nothing is kept open between them (and nothing to leak across targets).
      agent: false,
      ...(url.protocol === 'https:' ? { ca: request.ca, rejectUnauthorized: true, servername: url.hostname.replace(/^\[|\]$/g, '') } : {}),
    };
    const req = (url.protocol === 'https:' ? https : http).request(url, options, (res) => {
      const status = res.statusCode ?? 0;
      if (status === 401 || status === 403) {
        res.resume();
        return fail(new ScrapeError('auth', `${where} answered ${status} ${res.statusMessage ?? ''}: the ${request.bearerToken ? 'token' : request.basicAuth ? 'user or password' : 'endpoint needs a login that'} ${request.bearerToken || request.basicAuth ? 'was refused' : 'was not given'}`.replace(/\s+/g, ' '), status));
      }
      if (status >= 300 && status < 400) {
        res.resume();
        return fail(new ScrapeError('http', `${where} redirects (${status}) to ${String(res.headers.location ?? 'elsewhere').slice(0, 200)}; give the final URL (credentials are only sent where they were given for)`, status));
      }
      if (status !== 200) {
        res.resume();
        return fail(new ScrapeError('http', `${request.url} answered ${status} ${res.statusMessage ?? ''}`.trim(), status));
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > request.maxBytes) {
        res.resume();
        return fail(new ScrapeError('too_large', `${request.url} sends ${declared} bytes, more than the ${request.maxBytes} a scrape may take`));
      }
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > request.maxBytes) return fail(new ScrapeError('too_large', `${request.url} sent more than the ${request.maxBytes} bytes a scrape may take`));
        chunks.push(chunk);
      });
      res.on('error', (err) => fail(classify(err, where, request.url)));
      res.on('end', () => {
        if (settled) return;
        const body = Buffer.concat(chunks);
        const done = (text: string) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ text, contentType: res.headers['content-type'], bytes, durationMs: Date.now() - started });
        };
        if (/\bgzip\b/i.test(String(res.headers['content-encoding'] ?? ''))) {
          // maxOutputLength: a small gzip bomb must not become gigabytes here.
          gunzipAsync(body, { maxOutputLength: request.maxBytes }).then(
            (plain) => done(plain.toString('utf8')),
            (err: Error) =>
              fail(
                err instanceof RangeError || /maxOutputLength|buffer/i.test(err.message)
                  ? new ScrapeError('too_large', `${request.url} sent a body that uncompresses to more than ${request.maxBytes} bytes`)
                  : new ScrapeError('protocol', `${request.url} sent a gzip body that does not uncompress: ${err.message}`),
              ),
          );
        } else done(body.toString('utf8'));
      });
    });
    const timer = setTimeout(() => fail(new ScrapeError('timeout', `${request.url} did not answer within ${(request.timeoutMs / 1000).toFixed(1)} s`)), request.timeoutMs);
    req.on('error', (err) => fail(classify(err, where, request.url)));
    req.end();
  });
}

function classify(err: NodeJS.ErrnoException, where: string, url: string): ScrapeError {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return new ScrapeError('refused', `${where} refused the connection: is node_exporter running and listening there?`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new ScrapeError('dns', `${where}: the host name does not resolve`);
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ETIMEDOUT') return new ScrapeError('unreachable', `${where} cannot be reached (${code})`);
  if (code === 'ECONNRESET' || code === 'EPIPE') return new ScrapeError('protocol', `${where} closed the connection before answering (${code})`);
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO|ERR_TLS|EPROTO/.test(code) || /certificate|ssl|tls/i.test(err.message)) {
    return new ScrapeError('tls', `${where}: the TLS certificate is not trusted (${code || err.message}); give the CA that signed it`);
  }
  if (code === 'HPE_INVALID_CONSTANT' || code.startsWith('HPE_')) return new ScrapeError('protocol', `${url} did not answer in HTTP (${code}); is it the right port and scheme?`);
  return new ScrapeError('unreachable', `${where}: ${err.message}`);
}
