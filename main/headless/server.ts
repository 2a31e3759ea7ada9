// The headless console: the built renderer and the core's RPC over HTTP +
// WebSocket. Every request must carry the per-launch token (query string once,
// then an HttpOnly cookie) and come from an allowed Host/Origin, which also
// defeats DNS rebinding: a page on another site cannot name our Host.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseFrame, serveRpc, type Frame, type Port } from '../common/rpc.js';
import type { Core } from '../core/createCore.js';
import type { Logger } from '../core/log.js';

export interface HeadlessServerOptions {
  readonly core: Core;
  readonly log: Logger;
  /** Directory with the built renderer (index.html and assets). */
  readonly rendererDir: string;
  readonly host: string;
  readonly port: number;
  /** Defaults to 32 random bytes. */
  readonly token?: string;
}

export interface HeadlessServer {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

// Mirrors renderer/index.html's meta CSP; sent as a header too so it also
// covers responses that are not the page itself.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

const SECURITY_HEADERS = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const MAX_FRAME_BYTES = 1 << 20;

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}

function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), decodeURIComponent(part.slice(eq + 1).trim()));
  }
  return out;
}

export function isLoopbackHost(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export async function startHeadlessServer(options: HeadlessServerOptions): Promise<HeadlessServer> {
  const { core, log } = options;
  const token = options.token ?? crypto.randomBytes(32).toString('base64url');
  const rendererDir = path.resolve(options.rendererDir);
  let port = options.port;
  // Cookies are per host name, not per port: name it by port so two consoles on one machine don't collide.
  const cookieName = () => `overlook_token_${port}`;

  /** Host names a browser may use to reach us; anything else is refused (DNS rebinding). */
  const allowedHosts = () => {
    const names = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
    const bind = options.host.includes(':') ? `[${options.host}]` : options.host;
    names.add(`${bind}:${port}`);
    return names;
  };

  type Verdict = { ok: true; viaQuery: boolean } | { ok: false; status: number; reason: string };
  function authorize(req: http.IncomingMessage): Verdict {
    const hostHeader = (req.headers.host ?? '').toLowerCase();
    if (!allowedHosts().has(hostHeader) && options.host !== '0.0.0.0' && options.host !== '::') {
      return { ok: false, status: 403, reason: 'unexpected Host header' };
    }
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host}`) {
      return { ok: false, status: 403, reason: 'foreign Origin' };
    }
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const fromQuery = url.searchParams.get('token');
    if (fromQuery !== null) {
      return safeEqual(fromQuery, token) ? { ok: true, viaQuery: true } : { ok: false, status: 401, reason: 'wrong token' };
    }
    const fromCookie = parseCookies(req.headers.cookie).get(cookieName());
    if (fromCookie !== undefined && safeEqual(fromCookie, token)) return { ok: true, viaQuery: false };
    const bearer = req.headers.authorization?.match(/^Bearer (.+)$/)?.[1];
    if (bearer !== undefined && safeEqual(bearer, token)) return { ok: true, viaQuery: false };
    return { ok: false, status: 401, reason: 'missing token' };
  }

  function refuse(res: http.ServerResponse, status: number, reason: string) {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
    res.end(
      status === 401
        ? `Overlook: ${reason}. Open the URL that "overlook serve" printed; it carries the access token.\n`
        : `Overlook: request refused (${reason}).\n`,
    );
  }

  function serveStatic(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    let rel = decodeURIComponent(url.pathname);
    if (rel === '/' || rel === '') rel = '/index.html';
    const file = path.resolve(rendererDir, '.' + rel);
    if (!file.startsWith(rendererDir + path.sep)) return refuse(res, 403, 'path outside the UI');
    fs.readFile(file, (err, body) => {
      if (err) {
        if (rel === '/index.html') {
          res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
          res.end('Overlook: the UI is not built. Run "npm run build" and reload.\n');
          return;
        }
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
        res.end('not found\n');
        return;
      }
      const type = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
      const cache = rel === '/index.html' ? 'no-cache' : 'private, max-age=3600';
      res.writeHead(200, { 'Content-Type': type, 'Cache-Control': cache, ...SECURITY_HEADERS });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  }

  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', ...SECURITY_HEADERS });
      res.end();
      return;
    }
    const verdict = authorize(req);
    if (!verdict.ok) return refuse(res, verdict.status, verdict.reason);
    if (verdict.viaQuery) {
      // Swap the token in the address bar for a cookie, so it does not linger in history.
      const url = new URL(req.url ?? '/', 'http://placeholder');
      url.searchParams.delete('token');
      res.writeHead(302, {
        'Set-Cookie': `${cookieName()}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
        Location: url.pathname + (url.search || ''),
        ...SECURITY_HEADERS,
      });
      res.end();
      return;
    }
    serveStatic(req, res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const verdict = authorize(req);
    if (url.pathname !== '/rpc' || !verdict.ok) {
      const status = url.pathname !== '/rpc' ? 404 : verdict.ok ? 200 : verdict.status;
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  function attach(ws: WebSocket) {
    const frameListeners = new Set<(f: Frame) => void>();
    const port: Port = {
      send: (frame) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
      },
      onFrame: (l) => {
        frameListeners.add(l);
        return () => frameListeners.delete(l);
      },
    };
    ws.on('message', (data, isBinary) => {
      let frame: Frame | undefined;
      try {
        frame = isBinary ? undefined : parseFrame(JSON.parse(data.toString()));
      } catch {
        frame = undefined;
      }
      if (!frame) {
        ws.close(1003, 'not a frame');
        return;
      }
      for (const l of frameListeners) l(frame);
    });
    const stopServing = serveRpc(core.handlers, port, {
      onInternalError: (method, err) => log.error(`request ${method} failed`, { error: (err as Error).message }),
    });
    const unsubscribe = core.subscribe((event, payload) => port.send({ kind: 'evt', event, payload }));
    ws.on('close', () => {
      stopServing();
      unsubscribe();
    });
    ws.on('error', () => ws.terminate());
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
