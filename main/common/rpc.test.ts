import { describe, expect, it } from 'vitest';
import { RpcError, type Handlers } from './contract.js';
import { createPortPair, createRpcClient, serveRpc, parseFrame } from './rpc.js';

/** The few handlers these tests call; the contract's other requests are never sent here. */
function fakeHandlers(overrides: Partial<Handlers> = {}): Handlers {
  const notUsed = () => {
    throw new Error('not used in this test');
  };
  const handlers: Partial<Handlers> = {
    'hosts/list': () => [],
    'hosts/inventory': ({ hostId }) => {
      throw new RpcError('not_found', `no host with id "${hostId}"`);
    },
    'series/query': (q) => q.selectors.map((s) => ({ name: s.name, labels: {}, tier: 'raw' as const, stepMs: 1000, points: [[q.from, 1, 0, 2]] })),
    'settings/update': notUsed,
    ...overrides,
  };
  return handlers as Handlers;
}

describe('RPC over a port pair', () => {
  it('round-trips a validated request', async () => {
    const [server, client] = createPortPair();
    serveRpc(fakeHandlers(), server);
    const rpc = createRpcClient(client);
    const out = await rpc.call('series/query', { selectors: [{ name: 'node_load1' }], from: 1000, to: 2000, maxPoints: 10 });
    expect(out).toEqual([{ name: 'node_load1', labels: {}, tier: 'raw', stepMs: 1000, points: [[1000, 1, 0, 2]] }]);
  });

  it('rejects invalid input with the offending field, without calling the handler', async () => {
    const [server, client] = createPortPair();
    let called = false;
    serveRpc(fakeHandlers({ 'series/query': () => ((called = true), []) }), server);
    const rpc = createRpcClient(client);
    const err = await rpc.call('series/query', { selectors: [{ name: 'bad name!' }], from: 2000, to: 1000, maxPoints: 10 }).catch((e) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect(err.code).toBe('invalid_input');
    expect(err.message).toMatch(/selectors\.0\.name/);
    expect(called).toBe(false);
  });

  it('passes handler RpcErrors through and hides unexpected errors behind "internal"', async () => {
    const [server, client] = createPortPair();
    const seen: string[] = [];
    serveRpc(
      fakeHandlers({
        'hosts/list': () => {
          throw new Error('secret-password-123 leaked in a stack');
        },
      }),
      server,
      { onInternalError: (m) => seen.push(m) },
    );
    const rpc = createRpcClient(client);
    const nf = await rpc.call('hosts/inventory', { hostId: 'nope' }).catch((e) => e);
    expect(nf.code).toBe('not_found');
    const internal = await rpc.call('hosts/list').catch((e) => e);
    expect(internal.code).toBe('internal');
    expect(internal.message).not.toContain('secret');
    expect(seen).toEqual(['hosts/list']);
  });

  it('answers unknown methods with unknown_method', async () => {
    const [server, client] = createPortPair();
    serveRpc(fakeHandlers(), server);
    const replies: unknown[] = [];
    client.onFrame((f) => replies.push(f));
    client.send({ kind: 'req', id: 7, method: 'hosts/drop-database', input: {} });
    await new Promise((r) => setTimeout(r, 10));
    expect(replies).toEqual([{ kind: 'res', id: 7, ok: false, error: { code: 'unknown_method', message: 'unknown method "hosts/drop-database"' } }]);
  });

  it('delivers events to subscribers only', async () => {
    const [server, client] = createPortPair();
    const rpc = createRpcClient(client);
    const got: unknown[] = [];
    const off = rpc.on('hosts/changed', (hosts) => got.push(hosts));
    server.send({ kind: 'evt', event: 'hosts/changed', payload: [] });
    server.send({ kind: 'evt', event: 'not/an-event', payload: 1 });
    await new Promise((r) => setTimeout(r, 10));
    off();
    server.send({ kind: 'evt', event: 'hosts/changed', payload: [] });
    await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual([[]]);
  });

  it('parseFrame refuses garbage', () => {
    expect(parseFrame(null)).toBeUndefined();
    expect(parseFrame({ kind: 'req', id: 'x', method: 'a' })).toBeUndefined();
    expect(parseFrame({ kind: 'boom' })).toBeUndefined();
    expect(parseFrame({ kind: 'req', id: 1, method: 'hosts/list' })).toEqual({ kind: 'req', id: 1, method: 'hosts/list' });
  });
});
