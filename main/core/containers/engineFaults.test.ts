// Engines that misbehave, on real unix sockets the test serves: one that
// accepts and never answers (the request is time-boxed, samples keep
// flowing, a note says so), one that answers garbage, one that hangs up
// mid-answer. None of them stops the host's samples or its cgroup metrics.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalAgentHost } from '../localHost.js';
import { watchContainers } from '../../testing/containerEngines.js';

let dir: string;
const servers: (net.Server | http.Server)[] = [];
const sockets = new Set<net.Socket>();

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-ctr-faults-'));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  fs.rmSync(dir, { recursive: true, force: true });
});

async function listen<T extends net.Server | http.Server>(server: T, name: string): Promise<string> {
  const socket = path.join(dir, name);
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  servers.push(server);
  return socket;
}

function engine(routes: Record<string, (res: http.ServerResponse) => void>): http.Server {
  return http.createServer((req, res) => {
    const route = routes[(req.url ?? '').split('?')[0]!];
    if (route) route(res);
    else res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"message":"page not found"}');
  });
}

const VERSION = JSON.stringify({ Version: '99.0', Components: [{ Name: 'Engine' }] });

describe('a misbehaving engine socket', () => {
  it('accepts and never answers: each request is time-boxed, samples keep coming, the note says it did not answer', async () => {
    const socket = await listen(net.createServer(() => {}), 'hang.sock');
    let observations = 0;
    const w = await watchContainers(
      createLocalAgentHost({ intervalMs: 1000, engine: { socketPath: socket, timeoutMs: 400, refreshMs: 1000 } }),
      (w) => ++observations >= 3 && w.observation.containers?.engine?.note !== undefined,
      { timeoutMs: 20_000 },
    );
    const engine = w.observation.containers!.engine!;
    expect(engine.note).toMatchObject({ code: 'engine_unreachable', socket });
    expect(engine.note!.detail).toMatch(/did not answer \/version within 0\.4 s/);
    expect(engine.pending).toBeUndefined();
    expect(w.observation.series.some((s) => s.name === 'node_load1')).toBe(true);
  });

  it('answers garbage: a list that is not a list', async () => {
    const socket = await listen(
      engine({
        '/version': (res) => res.end(VERSION),
        '/containers/json': (res) => res.end('{"not":"a list"}'),
      }),
      'garbage.sock',
    );
    const w = await watchContainers(
      createLocalAgentHost({ intervalMs: 1000, engine: { socketPath: socket, refreshMs: 1000 } }),
      (w) => w.observation.containers?.engine?.note !== undefined,
      { timeoutMs: 20_000 },
    );
    expect(w.observation.containers!.engine!.note).toMatchObject({ code: 'engine_garbage', detail: 'containers/json: the engine answered something that is not a list' });
  });

  it('answers what is not JSON, or hangs up halfway: said so, nothing thrown', async () => {
    const notJson = await listen(engine({ '/version': (res) => res.end('<html>hello</html>') }), 'html.sock');
    const cut = await listen(
      engine({
        '/version': (res) => res.end(VERSION),
        '/containers/json': (res) => {
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '1000' });
          res.write('[{"Id":"');
          res.socket?.destroy();
        },
      }),
      'cut.sock',
    );
    const a = await watchContainers(
      createLocalAgentHost({ intervalMs: 1000, engine: { socketPath: notJson, refreshMs: 1000 } }),
      (w) => w.observation.containers?.engine?.note !== undefined,
      { timeoutMs: 20_000 },
    );
    expect(a.observation.containers!.engine!.note).toMatchObject({ code: 'engine_garbage', detail: `${notJson} answered /version with something that is not JSON` });
    const b = await watchContainers(
      createLocalAgentHost({ intervalMs: 1000, engine: { socketPath: cut, refreshMs: 1000 } }),
      (w) => w.observation.containers?.engine?.note !== undefined,
      { timeoutMs: 20_000 },
    );
    expect(b.observation.containers!.engine!.note!.code).toMatch(/^engine_(unreachable|garbage)$/);
  });

  it('a socket path with nothing behind it: unreachable, with the reason', async () => {
    const w = await watchContainers(
      createLocalAgentHost({ intervalMs: 1000, engine: { socketPath: path.join(dir, 'nothing.sock'), refreshMs: 1000 } }),
      (w) => w.observation.containers?.engine?.note !== undefined,
      { timeoutMs: 20_000 },
    );
    expect(w.observation.containers!.engine!.note).toMatchObject({ code: 'engine_unreachable' });
    expect(w.observation.containers!.engine!.note!.detail).toContain('ENOENT');
  });
});
