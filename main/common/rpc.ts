// One RPC layer over any transport that moves frames (Electron IPC through the
// preload bridge, a WebSocket in the headless console, an in-memory pair in
// tests). Transports only move frames; ids, validation, errors and events live
// here so every transport shares them.
import { z } from 'zod';
import {
  events,
  requests,
  RpcError,
  type EventName,
  type EventPayload,
  type Handlers,
  type RequestInput,
  type RequestName,
  type RequestOutput,
  type RpcErrorCode,
} from './contract.js';

export type Frame =
  | { kind: 'req'; id: number; method: string; input?: unknown }
  | { kind: 'res'; id: number; ok: true; output: unknown }
  | { kind: 'res'; id: number; ok: false; error: { code: RpcErrorCode; message: string } }
  | { kind: 'evt'; event: string; payload: unknown };

/** A bidirectional frame channel. */
export interface Port {
  send(frame: Frame): void;
  /** Returns an unsubscribe function. */
  onFrame(listener: (frame: Frame) => void): () => void;
}

const FrameSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('req'), id: z.number().int(), method: z.string().max(100), input: z.unknown().optional() }),
  z.object({
    kind: z.literal('res'),
    id: z.number().int(),
    ok: z.boolean(),
    output: z.unknown().optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  }),
  z.object({ kind: z.literal('evt'), event: z.string(), payload: z.unknown() }),
]);

/** Parse an untrusted frame (from a socket). Returns undefined for garbage. */
export function parseFrame(data: unknown): Frame | undefined {
  const r = FrameSchema.safeParse(data);
  return r.success ? (r.data as Frame) : undefined;
}

function describeZodError(err: z.ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

export interface RpcServerOptions {
  /** Called for unexpected handler errors (not RpcError): log them, the caller gets `internal`. */
  onInternalError?: (method: string, err: unknown) => void;
}

/**
 * Serve `handlers` on one port (one connection). Every input is validated
 * against the contract before the handler runs; a bad input gets
 * `invalid_input` with the offending fields, never a crash.
 */
export function serveRpc(handlers: Handlers, port: Port, options: RpcServerOptions = {}): () => void {
  return port.onFrame(async (frame) => {
    if (frame.kind !== 'req') return;
    const { id, method } = frame;
    const reply = (f: Frame) => {
      try {
        port.send(f);
      } catch {
        // The connection went away between request and reply; nothing to tell.
      }
    };
    if (!Object.prototype.hasOwnProperty.call(requests, method)) {
      reply({ kind: 'res', id, ok: false, error: { code: 'unknown_method', message: `unknown method "${method}"` } });
      return;
    }
    const name = method as RequestName;
    const parsed = requests[name].input.safeParse(frame.input);
    if (!parsed.success) {
      reply({
        kind: 'res',
        id,
        ok: false,
        error: { code: 'invalid_input', message: `${method}: ${describeZodError(parsed.error)}` },
      });
      return;
    }
    try {
      const handler = handlers[name] as (input: unknown) => unknown;
      const output = await handler(parsed.data);
      reply({ kind: 'res', id, ok: true, output });
    } catch (err) {
      if (err instanceof RpcError) {
        reply({ kind: 'res', id, ok: false, error: { code: err.code, message: err.message } });
      } else {
        options.onInternalError?.(method, err);
        reply({ kind: 'res', id, ok: false, error: { code: 'internal', message: `${method} failed; see the console log` } });
      }
    }
  });
}

/** Send a typed event on a port. */
export function emitEvent<K extends EventName>(port: Port, event: K, payload: EventPayload<K>): void {
  port.send({ kind: 'evt', event, payload });
}

export interface RpcClient {
  call<K extends RequestName>(method: K, ...input: RequestInput<K> extends void ? [] : [RequestInput<K>]): Promise<RequestOutput<K>>;
  on<K extends EventName>(event: K, listener: (payload: EventPayload<K>) => void): () => void;
  close(): void;
}

export function createRpcClient(port: Port, options: { timeoutMs?: number } = {}): RpcClient {
  const timeoutMs = options.timeoutMs ?? 30_000;
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();

  const unsubscribe = port.onFrame((frame) => {
    if (frame.kind === 'res') {
      const p = pending.get(frame.id);
      if (!p) return;
      pending.delete(frame.id);
      clearTimeout(p.timer);
      if (frame.ok) p.resolve(frame.output);
      else p.reject(new RpcError(frame.error.code, frame.error.message));
    } else if (frame.kind === 'evt') {
      const schema = (events as Record<string, z.ZodType>)[frame.event];
      const set = listeners.get(frame.event);
      if (!schema || !set) return;
      for (const l of set) l(frame.payload);
    }
  });

  return {
    call(method, ...rest) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new RpcError('unavailable', `${method}: no answer within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        try {
          port.send({ kind: 'req', id, method, input: rest[0] });
        } catch (err) {
          pending.delete(id);
          clearTimeout(timer);
          reject(new RpcError('unavailable', `${method}: ${(err as Error).message}`));
        }
      });
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const l = listener as (payload: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
    close() {
      unsubscribe();
      for (const [, p] of pending) {
        clearTimeout(p.timer);
        p.reject(new RpcError('unavailable', 'connection closed'));
      }
      pending.clear();
    },
  };
}

/** Two connected in-memory ports, for tests and for wiring in one process. */
export function createPortPair(): [Port, Port] {
  const a = new Set<(f: Frame) => void>();
  const b = new Set<(f: Frame) => void>();
  // Deliver asynchronously and through a JSON round-trip, like a real transport.
  const deliver = (targets: Set<(f: Frame) => void>, frame: Frame) => {
    const copy = JSON.parse(JSON.stringify(frame)) as Frame;
    queueMicrotask(() => targets.forEach((l) => l(copy)));
  };
  return [
    { send: (f) => deliver(b, f), onFrame: (l) => (a.add(l), () => a.delete(l)) },
    { send: (f) => deliver(a, f), onFrame: (l) => (b.add(l), () => b.delete(l)) },
  ];
}
