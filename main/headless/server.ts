// The headless console: the built renderer and the core's RPC over HTTP +
// WebSocket. Which request is served, redirected or refused is decided by the
// gate (requestGate.ts, pure): the per-launch token (query string once, then
// an HttpOnly cookie), an allowed Host and Origin (which also defeats DNS
// rebinding), a clean path. This file is the I/O around it: files, the
// WebSocket and its backpressure.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseFrame, serveRpc, type Frame, type Port } from '../common/rpc.js';
import { allowedHostNames, decideRequest, type GateDecision, type GateExpectations } from './requestGate.js';
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
  /** Bytes of replies a connection may leave unread before it is closed (default 16 MiB). */
  readonly maxBufferedBytes?: number;
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

/**
 * The CSP for a response. renderer/index.html carries the same policy in a
 * meta tag (both apply: a browser enforces every policy it is given);
 * the header also covers responses that are not the page, and names the one
 * WebSocket origin the page may open (its own /rpc), not "any ws: host".
 */
function contentSecurityPolicy(origin: string | undefined): string {
  const ws = origin === undefined ? '' : ` ${origin.replace(/^http:/, 'ws:')}`;
  return (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    `connect-src 'self'${ws}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'`
  );
}

function securityHeaders(origin?: string): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(origin),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

const MAX_FRAME_BYTES = 1 << 20;
/** Replies waiting for a client that does not read them: past this the connection is closed (a browser reads as fast as replies come). */
export const DEFAULT_MAX_BUFFERED_BYTES = 16 << 20;
/** Requests of one connection being answered at once; past this the server stops reading it until some are answered. */
const MAX_IN_FLIGHT = 64;

export function isLoopbackHost(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** This machine's own names and addresses, which a Host header may carry when the console listens on every address. */
function machineNames(): { hostname: string; addresses: string[] } {
  const addresses: string[] = [];
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) addresses.push(a.address);
  return { hostname: os.hostname(), addresses };
}

export async function startHeadlessServer(options: HeadlessServerOptions): Promise<HeadlessServer> {
  const { core, log } = options;
  const token = options.token ?? crypto.randomBytes(32).toString('base64url');
  const rendererDir = path.resolve(options.rendererDir);
  const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  let port = options.port;
  // Known once listening (port 0 picks one). Cookies are per host name, not per
  // port: the cookie is named by port so two consoles on one machine don't collide.
  let expectations: GateExpectations = { token, cookieName: `overlook_token_${port}`, allowedHosts: new Set() };

  function refuse(res: http.ServerResponse, status: number, reason: string) {
    const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8', ...securityHeaders() };
    if (status === 405) headers.Allow = 'GET, HEAD';
    res.writeHead(status, headers);
    res.end(
      status === 401
        ? `Overlook: ${reason}. Open the URL that "overlook serve" printed; it carries the access token.\n`
        : `Overlook: request refused (${reason}).\n`,
    );
  }

  function serveStatic(decision: Extract<GateDecision, { kind: 'serve' }>, res: http.ServerResponse) {
    const file = path.resolve(rendererDir, '.' + decision.file);
    if (!file.startsWith(rendererDir + path.sep)) return refuse(res, 403, 'path outside the UI');
    const headers = securityHeaders(decision.origin);
    fs.readFile(file, (err, body) => {
      if (res.destroyed) return;
      if (err) {
        if (decision.file === '/index.html') {
          res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
          res.end('Overlook: the UI is not built. Run "npm run build" and reload.\n');
          return;
        }
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
        res.end('not found\n');
        return;
      }
      const type = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
      const cache = decision.file === '/index.html' ? 'no-cache' : 'private, max-age=3600';
      res.writeHead(200, { 'Content-Type': type, 'Cache-Control': cache, ...headers });
      res.end(decision.headOnly ? undefined : body);
    });
  }

  const server = http.createServer((req, res) => {
    try {
      const decision = decideRequest({ method: req.method, target: req.url, headers: req.headers, upgrade: false }, expectations);
      switch (decision.kind) {
        case 'refuse':
          return refuse(res, decision.status, decision.reason);
        case 'redirect':
          // The token leaves the address bar (and history) for an HttpOnly cookie.
          res.writeHead(302, { 'Set-Cookie': decision.setCookie, Location: decision.location, ...securityHeaders(decision.origin) });
          res.end();
          return;
        case 'serve':
          return serveStatic(decision, res);
        case 'upgrade':
          return refuse(res, 400, 'not a WebSocket upgrade');
      }
    } catch (err) {
      // The gate is built not to throw; should it ever, the request fails, not the console.
      log.error('HTTP request failed', { error: (err as Error).message });
      if (!res.headersSent) res.writeHead(500, securityHeaders());
      res.end();
    }
  });
  // A malformed request line or header (Node's parser refuses it) gets 400 and the connection closes.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    // Until ws takes the socket over, a reset by the client must not become an uncaught 'error'.
    socket.on('error', () => socket.destroy());
    try {
      const decision = decideRequest({ method: req.method, target: req.url, headers: req.headers, upgrade: true }, expectations);
      if (decision.kind !== 'upgrade') {
        const status = decision.kind === 'refuse' ? decision.status : 400;
        socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
    } catch (err) {
      log.error('WebSocket upgrade failed', { error: (err as Error).message });
      socket.destroy();
    }
  });

  function attach(ws: WebSocket) {
    const frameListeners = new Set<(f: Frame) => void>();
    let inFlight = 0;
    let dropped = false;
    const drop = () => {
      if (dropped) return;
      dropped = true;
      stopServing();
      unsubscribe();
      log.warn('closed a WebSocket client that does not read its replies', { bufferedBytes: ws.bufferedAmount, limitBytes: maxBufferedBytes });
      // 1008 policy violation (RFC 6455 §7.4.1). The close frame waits behind what the client has not read, so the socket is ended too.
      ws.close(1008, 'not reading replies');
      setTimeout(() => ws.terminate(), 1000).unref();
    };
    const port: Port = {
      send: (frame) => {
        if (frame.kind === 'res' && --inFlight < MAX_IN_FLIGHT && ws.isPaused) ws.resume();
        if (dropped || ws.readyState !== ws.OPEN) return;
        if (ws.bufferedAmount > maxBufferedBytes) return drop();
        ws.send(JSON.stringify(frame));
      },
      onFrame: (l) => {
        frameListeners.add(l);
        return () => frameListeners.delete(l);
      },
    };
    ws.on('message', (data, isBinary) => {
      if (dropped) return;
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
      if (frame.kind === 'req' && ++inFlight >= MAX_IN_FLIGHT) ws.pause();
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
  expectations = { token, cookieName: `overlook_token_${port}`, allowedHosts: allowedHostNames(port, options.host, machineNames()) };
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
