// A cloud account's stored keys sign requests only for the address they were
// stored with (provider, regions, endpoint): Test or an update that points the
// account elsewhere must carry the keys again, and a listener of the caller's
// choosing receives nothing signed with the stored ones. And Test against
// something that is not the cloud says what came back (status, content type).
// A real core with the clouds feature, the cloud emulators through the real
// SDKs, and plain HTTP listeners that record every request they get.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { RpcError } from '../../common/contract.js';
import { startTestCore } from '../../testing/testCore.js';
import { startEmulatedCloud, type EmulatedCloud } from '../../testing/emulatedAccounts.js';
import type { CloudProvider } from './collector/types.js';
import { createCloudsFeature } from './feature.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A listener that is not a cloud: answers every request with `status` and an HTML page, and keeps what it was sent. */
async function notTheCloud(status = 200): Promise<{ endpoint: string; received: string[] }> {
  const received: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push(`${req.method} ${req.url}\n${JSON.stringify(req.headers)}\n${body}`);
      res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<html><body>It works!</body></html>');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { endpoint: `127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

async function startCore() {
  return startTestCore(
    { prefix: 'ovl-cloudkeys-', features: [createCloudsFeature({ env: {}, mappingsPollMs: 60_000, tuning: { retry: { baseDelayMs: 1, maxDelayMs: 5 } } })], answers: (name) => name.startsWith('clouds/') },
    cleanups,
  );
}

async function emulated(provider: CloudProvider): Promise<EmulatedCloud> {
  const cloud = await startEmulatedCloud(provider, 'k', { qps: 1000, products: { ecs: 2 } });
  cleanups.push(() => cloud.emulator.close());
  return cloud;
}

const draftFor = (cloud: EmulatedCloud, name: string) => ({
  name,
  provider: cloud.account.provider,
  regions: [...cloud.account.regions],
  accessKeyId: cloud.account.accessKeyId,
  accessKeySecret: cloud.account.accessKeySecret,
  endpoint: cloud.account.endpoint,
  ...(cloud.account.projectIds ? { projectIds: { ...cloud.account.projectIds } } : {}),
});

const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as RpcError);

describe('stored cloud keys stay with their address', () => {
  it('Test with another endpoint and no keys is refused, and the other listener receives nothing', async () => {
    const cloud = await emulated('aliyun');
    const c = await startCore();
    await c.call('clouds/add', draftFor(cloud, 'prod'));
    const listener = await notTheCloud();
    const { accessKeyId: _id, accessKeySecret: _secret, ...withoutKeys } = draftFor(cloud, 'prod');

    const elsewhere = await failure(c.call('clouds/test', { ...withoutKeys, endpoint: listener.endpoint }));
    expect(elsewhere?.code).toBe('invalid_input');
    expect(elsewhere?.message).toMatch(/endpoint differ from what prod's keys were stored for.*enter the key id and secret again/);
    const otherRegion = await failure(c.call('clouds/test', { ...withoutKeys, regions: ['cn-beijing'] }));
    expect(otherRegion?.message).toMatch(/regions differ/);
    const otherProvider = await failure(c.call('clouds/test', { ...withoutKeys, provider: 'tencent', endpoint: listener.endpoint }));
    expect(otherProvider?.message).toMatch(/provider, endpoint differ/);
    // Only the id typed again is not enough either: the stored secret would sign.
    const idOnly = await failure(c.call('clouds/test', { ...withoutKeys, accessKeyId: cloud.account.accessKeyId, endpoint: listener.endpoint }));
    expect(idOnly?.code).toBe('invalid_input');
    expect(listener.received).toEqual([]);

    // The same address with the stored keys still tests fine.
    expect(await c.call('clouds/test', withoutKeys)).toMatchObject({ ok: true });
  });

  it('an update that moves the account elsewhere needs the keys again; with them it applies', async () => {
    const cloud = await emulated('tencent');
    const c = await startCore();
    await c.call('clouds/add', draftFor(cloud, 'gz'));
    const listener = await notTheCloud();
    const { accessKeyId: _id, accessKeySecret: _secret, ...withoutKeys } = draftFor(cloud, 'gz');
    const moved = await failure(c.call('clouds/update', { account: 'gz', draft: { ...withoutKeys, endpoint: listener.endpoint } }));
    expect(moved?.code).toBe('invalid_input');
    expect(moved?.message).toMatch(/endpoint differ from what gz's keys were stored for/);
    await new Promise((r) => setTimeout(r, 300));
    expect(listener.received).toEqual([]);
    // Same address, no keys: the stored ones stay (an interval change, say).
    await c.call('clouds/update', { account: 'gz', draft: { ...withoutKeys, intervalSeconds: 300 } });
  });
});

describe('Test against something that is not the cloud', () => {
  for (const provider of ['aliyun', 'tencent', 'huawei'] as const) {
    it(`${provider}: says the status and content type that came back`, async () => {
      const cloud = await emulated(provider);
      const c = await startCore();
      for (const status of [200, 404]) {
        const listener = await notTheCloud(status);
        const result = await c.call('clouds/test', { ...draftFor(cloud, `x-${provider}`), endpoint: listener.endpoint });
        expect(result.ok).toBe(false);
        expect(result.message).not.toMatch(/undefined/);
        expect(result.message).toContain(`HTTP ${status}`);
        expect(result.message).toContain('text/html');
        expect(listener.received.length).toBeGreaterThan(0);
      }
    });
  }
});
