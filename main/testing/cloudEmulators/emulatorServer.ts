// Shared plumbing for the cloud API emulators: a loopback HTTP server on a
// free port, whole-body reads, a per-second request window, what each
// emulator saw (so tests can tell a recomputed-and-different signature from a
// missing key), and faults a test can inject: throttle the next N calls, an
// outage (every connection reset, as when the cloud is unreachable), a key
// rotated on the cloud's side.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { EmulatedFleet } from './emulatedFleet.js';

export interface EmulatorStats {
  requests: number;
  accepted: number;
  /** Signature recomputed with the shared secret and found different. */
  signatureMismatches: number;
  /** Access key id not known to the emulator. */
  unknownKeys: number;
  throttled: number;
  batchRejected: number;
  /** Requests refused by an injected outage (connection reset). */
  outageResets: number;
  /** Accepted calls per API action. */
  byAction: Record<string, number>;
  /** Datapoints returned, all calls. */
  pointsServed: number;
}

export interface EmulatorFaults {
  /** The next `count` calls (of `action`, or any) get the cloud's throttling error, whatever the rate. */
  throttleNext(count: number, action?: string): void;
  /** While on, every connection is reset before an answer: the cloud is unreachable. */
  setOutage(on: boolean): void;
  /** The key's secret changes on the cloud's side: calls signed with the old one are refused. */
  setSecret(secret: string): void;
  /** The key's policy stops (or starts again) allowing an API action: a RAM/IAM user with monitoring rights only. */
  deny(action: string, denied?: boolean): void;
}

export interface RunningEmulator {
  /** `127.0.0.1:PORT`, the form the SDKs take as an endpoint override. */
  endpoint: string;
  port: number;
  stats: EmulatorStats;
  faults: EmulatorFaults;
  /** The emulated resources (a test renames an instance through it). */
  fleet?: EmulatedFleet;
  close(): Promise<void>;
}

export interface EmulatorRequest {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface EmulatorReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function emptyStats(): EmulatorStats {
  return { requests: 0, accepted: 0, signatureMismatches: 0, unknownKeys: 0, throttled: 0, batchRejected: 0, outageResets: 0, byAction: {}, pointsServed: 0 };
}

/**
 * Fixed one-second window: the clouds publish their quotas as calls per
 * second, and a fixed window is the strictest reading of that.
 */
export class PerSecondWindow {
  private windowStart = 0;
  private count = 0;
  constructor(
    private readonly limit: number,
    private readonly now: () => number = Date.now,
  ) {}

  admit(): boolean {
    const second = Math.floor(this.now() / 1000);
    if (second !== this.windowStart) {
      this.windowStart = second;
      this.count = 0;
    }
    this.count += 1;
    return this.count <= this.limit;
  }
}

/** Throttling per action: the published per-second quota plus injected throttles. */
export class Throttle {
  private readonly windows = new Map<string, PerSecondWindow>();
  private forced: { count: number; action?: string }[] = [];

  constructor(private readonly qpsOf: (action: string) => number) {}

  force(count: number, action?: string): void {
    this.forced.push({ count, ...(action ? { action } : {}) });
  }

  /** True when this call of `action` is to be refused. */
  refuse(action: string): boolean {
    const forced = this.forced.find((f) => f.count > 0 && (f.action === undefined || f.action === action));
    if (forced) {
      forced.count -= 1;
      this.forced = this.forced.filter((f) => f.count > 0);
      return true;
    }
    let w = this.windows.get(action);
    if (!w) this.windows.set(action, (w = new PerSecondWindow(this.qpsOf(action))));
    return !w.admit();
  }
}

export interface EmulatorHandlerContext {
  /** The secret the emulator currently accepts (a test may rotate it). */
  secret(): string;
}

export async function startEmulatorServer(
  stats: EmulatorStats,
  handle: (request: EmulatorRequest) => EmulatorReply,
  hooks: { onThrottleNext: (count: number, action?: string) => void; onSetSecret: (secret: string) => void; onDeny?: (action: string, denied: boolean) => void; fleet?: EmulatedFleet },
): Promise<RunningEmulator> {
  let outage = false;
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (outage) {
      stats.outageResets += 1;
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      stats.requests += 1;
      let reply: EmulatorReply;
      try {
        reply = handle({
          method: req.method ?? 'GET',
          url: new URL(req.url ?? '/', 'http://127.0.0.1'),
          headers: req.headers,
          body: Buffer.concat(chunks),
        });
      } catch (error) {
        reply = { status: 500, body: { message: (error as Error).message } };
      }
      const payload = JSON.stringify(reply.body);
      res.writeHead(reply.status, { 'content-type': 'application/json;charset=utf-8', ...reply.headers });
      res.end(payload);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `127.0.0.1:${port}`,
    port,
    stats,
    faults: {
      throttleNext: hooks.onThrottleNext,
      setOutage(on) {
        outage = on;
        // Kept-alive connections would otherwise still answer.
        if (on) for (const s of sockets) s.destroy();
      },
      setSecret: hooks.onSetSecret,
      deny: (action, denied = true) => hooks.onDeny?.(action, denied),
    },
    ...(hooks.fleet ? { fleet: hooks.fleet } : {}),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function headerValue(headers: IncomingMessage['headers'], name: string): string {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

/** Aligned timestamps in [start, end) at `periodSeconds`. */
export function alignedTimestamps(startMs: number, endMs: number, periodSeconds: number): number[] {
  const step = periodSeconds * 1000;
  const out: number[] = [];
  for (let t = Math.ceil(startMs / step) * step; t < endMs; t += step) out.push(t);
  return out;
}

/**
 * The timestamps a cloud has data for in a window: aligned to the period,
 * and only periods that ended at least `delayMs` before now (the cloud's own
 * aggregation lag, which is why collectors read the settled window).
 */
export function availableTimestamps(window: { startMs: number; endMs: number; inclusiveStart: boolean; inclusiveEnd: boolean }, periodSeconds: number, now: number, delayMs: number): number[] {
  const step = periodSeconds * 1000;
  const first = window.inclusiveStart ? Math.ceil(window.startMs / step) * step : Math.floor(window.startMs / step) * step + step;
  const newestReady = Math.floor((now - delayMs) / step) * step - step;
  const last = Math.min(newestReady, window.inclusiveEnd ? Math.floor(window.endMs / step) * step : Math.ceil(window.endMs / step) * step - step);
  const out: number[] = [];
  for (let t = first; t <= last; t += step) out.push(t);
  return out;
}
