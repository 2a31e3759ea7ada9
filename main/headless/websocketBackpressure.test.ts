// A WebSocket client that sends requests and never reads the replies: the
// console buffers at most its limit of unread replies for that connection,
// then closes it and logs the drop once, and keeps answering everyone else.
// A real headless server over a real core, a real TCP client speaking RFC 6455.
import crypto from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestCore } from '../testing/testCore.js';
import { startHeadlessServer, type HeadlessServer } from './server.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A client-to-server text frame (RFC 6455 §5.2), masked as a client must; a zero mask leaves the payload as it is. */
function textFrame(payload: string): Buffer {
  const body = Buffer.from(payload);
  const head = body.length < 126 ? Buffer.from([0x81, 0x80 | body.length]) : Buffer.from([0x81, 0x80 | 126, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([head, Buffer.alloc(4), body]);
}

/** Opens /rpc over a raw socket and returns it paused: it never reads a byte after the handshake. */
async function nonReadingClient(server: HeadlessServer): Promise<net.Socket> {
  const socket = net.connect(server.port, '127.0.0.1');
  const key = crypto.randomBytes(16).toString('base64');
  socket.write(
    [`GET /rpc?token=${server.token} HTTP/1.1`, `Host: 127.0.0.1:${server.port}`, 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${key}`, '', ''].join('\r\n'),
  );
  await new Promise<void>((resolve, reject) => {
    let head = '';
    const onData = (d: Buffer) => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      socket.pause();
      if (head.startsWith('HTTP/1.1 101')) resolve();
      else reject(new Error(`handshake refused: ${head}`));
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
  return socket;
}

describe('WebSocket backpressure', () => {
  it('closes a client that does not read, logs it once, and keeps serving others', async () => {
    const core = await startTestCore({ prefix: 'ovl-ws-backpressure-', features: [], answers: () => false }, cleanups);
    const limit = 256 * 1024;
    const server = await startHeadlessServer({ core: core.core, log: core.log, host: '127.0.0.1', port: 0, rendererDir: '/nonexistent', maxBufferedBytes: limit });
    cleanups.push(() => server.close());

    const socket = await nonReadingClient(server);
    let closed = false;
    socket.on('error', () => (closed = true));
    socket.on('close', () => (closed = true));
    const batch = Buffer.concat(Array.from({ length: 500 }, (_, i) => textFrame(JSON.stringify({ kind: 'req', id: i, method: 'app/info' }))));
    // Bounded: 400 batches of 500 requests (about 30 MB of replies at most), or until the server ends the connection.
    for (let i = 0; i < 400 && !closed; i++) {
      if (!socket.write(batch)) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 2000);
          socket.once('drain', () => (clearTimeout(timer), resolve()));
          socket.once('close', () => (clearTimeout(timer), resolve()));
        });
      }
    }
    // The server ends the connection: a write then fails (the paused socket sees no 'end').
    await expect
      .poll(
        () => {
          if (!closed) socket.write(textFrame('{"kind":"evt","event":"x","payload":null}'));
          return closed;
        },
        { timeout: 20_000, interval: 200 },
      )
      .toBe(true);

    const drops = core.log.lines.filter((l) => l.includes('closed a WebSocket client that does not read its replies'));
    expect(drops).toHaveLength(1);
    const fields = JSON.parse(drops[0]!.slice(drops[0]!.indexOf('{'))) as { bufferedBytes: number; limitBytes: number };
    expect(fields.limitBytes).toBe(limit);
    // What was buffered when it was dropped: the limit plus at most one reply.
    expect(fields.bufferedBytes).toBeGreaterThan(limit);
    expect(fields.bufferedBytes).toBeLessThan(limit + 64 * 1024);

    // Another client is served as before.
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/rpc?token=${server.token}`);
    cleanups.push(() => ws.terminate());
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    const reply = await new Promise<{ ok: boolean }>((resolve) => {
      ws.on('message', (d) => {
        const f = JSON.parse(d.toString()) as { kind: string; id?: number; ok: boolean };
        if (f.kind === 'res' && f.id === 1) resolve(f);
      });
      ws.send(JSON.stringify({ kind: 'req', id: 1, method: 'app/info' }));
    });
    expect(reply.ok).toBe(true);
  }, 90_000);
});
