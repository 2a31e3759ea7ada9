// Shared plumbing for the cloud API emulators: a loopback HTTP server on a
// free port, whole-body reads, a per-second request window, and what each
// emulator saw (so tests can tell a recomputed-and-different signature from a
// missing key).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EmulatorStats {
  requests: number;
  accepted: number;
  /** Signature recomputed with the shared secret and found different. */
  signatureMismatches: number;
  /** Access key id not known to the emulator. */
  unknownKeys: number;
  throttled: number;
  batchRejected: number;
}

export interface RunningEmulator {
  /** `127.0.0.1:PORT`, the form the SDKs take as an endpoint override. */
  endpoint: string;
  port: number;
  stats: EmulatorStats;
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
  return { requests: 0, accepted: 0, signatureMismatches: 0, unknownKeys: 0, throttled: 0, batchRejected: 0 };
}

/**
 * Fixed one-second window: the clouds publish their quotas as calls per
 * second, and a fixed window is the strictest reading of that.
 */
export class PerSecondWindow {
  private windowStart = 0;
  private count = 0;
  constructor(private readonly limit: number, private readonly now: () => number = Date.now) {}

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

export async function startEmulatorServer(
  stats: EmulatorStats,
  handle: (request: EmulatorRequest) => EmulatorReply,
): Promise<RunningEmulator> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `127.0.0.1:${port}`,
    port,
    stats,
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

/**
 * Plausible, deterministic values: a per-instance baseline plus a slow wave,
 * so charts look alive and tests can recompute any point.
 */
export function syntheticValue(instanceId: string, metric: string, timestampMs: number): number {
  let seed = 0;
  for (const ch of `${instanceId}/${metric}`) seed = (seed * 31 + ch.charCodeAt(0)) >>> 0;
  const baseline = 10 + (seed % 60);
  const wave = 8 * Math.sin(timestampMs / 600_000 + (seed % 17));
  return Math.round((baseline + wave) * 100) / 100;
}

/** Aligned timestamps in [start, end) at `periodSeconds`. */
export function alignedTimestamps(startMs: number, endMs: number, periodSeconds: number): number[] {
  const step = periodSeconds * 1000;
  const out: number[] = [];
  for (let t = Math.ceil(startMs / step) * step; t < endMs; t += step) out.push(t);
  return out;
}
