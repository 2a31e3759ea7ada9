// The exporter wired into a real core (real store, real secret store, real
// provisioning watcher, real HTTP listener on loopback); the hosts come from
// scripted sources so the scraped values are known.
import { freePort } from '../../testing/freePort.js';
import { otherRequestsStub, startTestCore } from '../../testing/testCore.js';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RpcError, type ExportState, type ExportUpdate } from '../../common/contract.js';
import { createCore } from '../createCore.js';
import type { CoreContext } from '../coreContext.js';
import { createMemoryLogger } from '../log.js';
import { createEncryptedFileSecretStore } from '../secrets/encryptedFileSecretStore.js';
import type { HostObservation } from '../model/observation.js';
import type { HostSource, SourceEvents } from '../model/hostSource.js';
import { effectiveExport } from './exportConfig.js';
import { createExportFeature } from './feature.js';

class ScriptedSource implements HostSource {
  events?: SourceEvents;
  start(events: SourceEvents) {
    this.events = events;
  }
  async stop() {}
}

function observation(t: number, load: number): HostObservation {
  return {
    t,
    series: [
      { name: 'node_load1', labels: {}, value: load, kind: 'gauge' },
      { name: 'node_cpu_seconds_total', labels: { cpu: '0', mode: 'idle' }, value: 1234.5, kind: 'counter' },
    ],
    processes: [],
    facts: { hostname: 'box', cpus: 1 },
    problems: [],
  };
}


async function scrape(url: string, token?: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, text: await res.text() };
}

/** Nothing accepts TCP connections at the URL's port (checked below HTTP, so no pooled keep-alive socket answers instead). */
function refused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startCore(options: { listen?: string; config?: string; staleGraceMs?: number } = {}) {
  const local = new ScriptedSource();
  let ctx: CoreContext | undefined;
  const c = await startTestCore(
    {
      prefix: 'ovl-export-',
      ...(options.config !== undefined ? { config: options.config } : {}),
      localSource: local,
      features: [createExportFeature({ listen: options.listen, processMetrics: false, staleGraceMs: options.staleGraceMs }), (cx) => ((ctx = cx), { name: 'probe' })],
      answers: (name) => name.startsWith('export/'),
    },
    cleanups,
  );
  const get = () => c.core.handlers['export/get']() as ExportState;
  const update = (patch: ExportUpdate) => c.core.handlers['export/update'](patch) as Promise<ExportState>;
  return { core: c.core, ctx: ctx!, local, log: c.log, events: c.events, dataDir: c.dataDir, get, update };
}

describe('the export feature', () => {
  it('is off by default and says so', async () => {
    const { get } = await startCore();
    const state = get();
    expect(state).toMatchObject({ enabled: false, url: null, sdUrl: null, listen: '127.0.0.1:9309', auth: 'none', tokenSet: false, lastError: null });
    expect(state.lockedBy).toEqual({ enabled: null, listen: null, token: null });
  });

  it('serves the local host from the UI setting, and keeps the token out of every answer, event and log line', async () => {
    const { get, update, local, events, log } = await startCore();
    local.events!.observation(observation(Date.now(), 0.75));
    local.events!.status('online');
    const port = await freePort();
    const token = 'a-token-of-32-characters-0123456';
    const state = await update({ enabled: true, listen: `127.0.0.1:${port}`, token });
    expect(state).toMatchObject({ enabled: true, url: `http://127.0.0.1:${port}/metrics`, sdUrl: `http://127.0.0.1:${port}/sd/hosts`, auth: 'bearer', tokenSet: true, lastError: null });

    expect((await scrape(state.url!)).status).toBe(401);
    const ok = await scrape(state.url!, token);
    expect(ok.status).toBe(200);
    expect(ok.text).toMatch(/^node_load1\{host="local"\} 0\.75$/m);
    expect(ok.text).toMatch(/^overlook_host_up\{host="local"\} 1$/m);
    expect(ok.text).toMatch(/^node_cpu_seconds_total\{cpu="0",mode="idle",host="local"\} 1234\.5$/m);
    expect(get().lastScrapeAt).not.toBeNull();

    const everything = JSON.stringify([get(), state, events]) + log.lines.join('');
    expect(everything).not.toContain(token);
    // Stored under the secret store's encryption, not as text in the data dir.
    expect(events.some((e) => e.event === 'export/changed')).toBe(true);
  });

  it('persists the UI setting: a new core over the same data dir serves again with the stored token', async () => {
    const first = await startCore();
    const port = await freePort();
    const token = 'persisted-token-0123456789abcdef';
    await first.update({ enabled: true, listen: `127.0.0.1:${port}`, token });
    await first.core.stop();
    const dataDirFiles = fs.readdirSync(first.dataDir).map((f) => fs.readFileSync(path.join(first.dataDir, f)).toString('latin1')).join('');
    expect(dataDirFiles).not.toContain(token);

    const secondCore = createCore({
      dataDir: first.dataDir,
      shell: 'headless',
      secrets: createEncryptedFileSecretStore(first.dataDir),
      log: createMemoryLogger(),
      version: 'test',
      createLocalSource: () => new ScriptedSource(),
      features: [createExportFeature({ processMetrics: false }), otherRequestsStub((name) => name.startsWith('export/'))],
    });
    await secondCore.start();
    cleanups.push(() => secondCore.stop());
    const state = secondCore.handlers['export/get']() as ExportState;
    expect(state).toMatchObject({ enabled: true, url: `http://127.0.0.1:${port}/metrics`, tokenSet: true });
    expect((await scrape(state.url!, token)).status).toBe(200);
    expect((await scrape(state.url!, 'wrong-token-0123456789abcdef')).status).toBe(401);
  });

  it('restarts the listener when the address changes, and stops it when disabled', async () => {
    const { update } = await startCore();
    const [a, b] = [await freePort(), await freePort()];
    const first = await update({ enabled: true, listen: `127.0.0.1:${a}` });
    expect((await scrape(first.url!)).status).toBe(200);
    const second = await update({ listen: `127.0.0.1:${b}` });
    expect(second.url).toBe(`http://127.0.0.1:${b}/metrics`);
    expect(await refused(first.url!)).toBe(true);
    expect((await scrape(second.url!)).status).toBe(200);
    const off = await update({ enabled: false });
    expect(off.url).toBeNull();
    expect(await refused(second.url!)).toBe(true);
  });

  it('reports a port in use as a clear error and keeps the console running', async () => {
    const { update, core, get } = await startCore();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const port = (blocker.address() as net.AddressInfo).port;
    const state = await update({ enabled: true, listen: `127.0.0.1:${port}` });
    expect(state.url).toBeNull();
    expect(state.lastError).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}.*already in use`));
    expect(core.handlers['hosts/list']()).toBeTruthy();
    // Freeing the port and choosing it again clears the error.
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    const retried = await update({ listen: `127.0.0.1:${port}` });
    expect(retried).toMatchObject({ url: `http://127.0.0.1:${port}/metrics`, lastError: null });
    expect(get().lastError).toBeNull();
  });

  it('drops a removed host from the next scrape', async () => {
    const { ctx, update } = await startCore();
    const web = new ScriptedSource();
    ctx.addHost({ id: 'web-1', name: 'web-1', kind: 'ssh', pollIntervalMs: 5000, tags: [], provisioned: false }, web);
    web.events!.observation(observation(Date.now(), 2.5));
    const state = await update({ enabled: true, listen: `127.0.0.1:${await freePort()}` });
    const before = await scrape(state.url!);
    expect(before.text).toMatch(/^node_load1\{host="web-1"\} 2\.5$/m);
    expect(before.text).toMatch(/^overlook_host_up\{host="web-1"\} 1$/m);
    await ctx.removeHost('web-1');
    const after = await scrape(state.url!);
    expect(after.status).toBe(200);
    expect(after.text).not.toContain('host="web-1"');
    expect(after.text).toMatch(/^overlook_host_up\{host="local"\} 0$/m);
  });

  it('takes the provisioning file over the UI: its fields are locked, its token enforced', async () => {
    const port = await freePort();
    process.env.OVL_TEST_METRICS_TOKEN = 'file-token-0123456789abcdef';
    cleanups.push(() => void delete process.env.OVL_TEST_METRICS_TOKEN);
    const { get, update } = await startCore({ config: `version: 1\nexport:\n  listen: 127.0.0.1:${port}\n  token_env: OVL_TEST_METRICS_TOKEN\n` });
    const state = get();
    expect(state).toMatchObject({ enabled: true, url: `http://127.0.0.1:${port}/metrics`, auth: 'bearer', tokenSet: true });
    expect(state.lockedBy).toEqual({ enabled: 'file', listen: 'file', token: 'file' });
    expect((await scrape(state.url!)).status).toBe(401);
    expect((await scrape(state.url!, 'file-token-0123456789abcdef')).status).toBe(200);
    for (const patch of [{ listen: '127.0.0.1:1234' }, { enabled: false }, { token: 'ui-token-0123456789abcdef' }] satisfies ExportUpdate[]) {
      const err = await update(patch).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RpcError);
      expect((err as RpcError).code).toBe('provisioned');
      expect((err as RpcError).message).toMatch(/provisioning file/);
    }
  });

  it('stays off with a clear error when the file names a token variable that is not set', async () => {
    delete process.env.OVL_TEST_MISSING_TOKEN;
    const port = await freePort();
    const { get } = await startCore({ config: `export:\n  listen: 127.0.0.1:${port}\n  token_env: OVL_TEST_MISSING_TOKEN\n` });
    expect(get()).toMatchObject({ enabled: true, url: null });
    expect(get().lastError).toMatch(/OVL_TEST_MISSING_TOKEN is not set.*stays off/);
    expect(await refused(`http://127.0.0.1:${port}/metrics`)).toBe(true);
  });

  it('lets --metrics-listen win over the file, and warns for every interface', async () => {
    const [filePort, flagPort] = [await freePort(), await freePort()];
    const { get, update, log } = await startCore({ listen: `0.0.0.0:${flagPort}`, config: `export:\n  enabled: false\n  listen: 127.0.0.1:${filePort}\n` });
    const state = get();
    expect(state).toMatchObject({ enabled: true, listen: `0.0.0.0:${flagPort}`, allInterfaces: true, url: `http://0.0.0.0:${flagPort}/metrics` });
    expect(state.lockedBy).toMatchObject({ enabled: 'flag', listen: 'flag', token: null });
    expect(log.lines.join('')).toMatch(/warn metrics exporter listens on every network interface/);
    const err = await update({ listen: '127.0.0.1:1234' }).catch((e: unknown) => e);
    expect((err as RpcError).message).toMatch(/--metrics-listen/);
    expect((await scrape(`http://127.0.0.1:${flagPort}/metrics`)).status).toBe(200);
  });

  it('follows the file when it changes: removing the section hands control back to the UI', async () => {
    const port = await freePort();
    const { get, dataDir, events } = await startCore({ config: `export:\n  listen: 127.0.0.1:${port}\n` });
    expect(get().url).toBe(`http://127.0.0.1:${port}/metrics`);
    const changes = () => events.filter((e) => e.event === 'export/changed').length;
    const before = changes();
    fs.writeFileSync(path.join(dataDir, 'overlook.yaml'), 'settings:\n  poll_interval: 5s\n');
    const end = Date.now() + 10_000;
    while (get().url !== null && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(get()).toMatchObject({ enabled: false, url: null, lockedBy: { enabled: null, listen: null, token: null } });
    expect(changes()).toBeGreaterThan(before);
    expect(await refused(`http://127.0.0.1:${port}/metrics`)).toBe(true);
  });
});

describe('effectiveExport (precedence)', () => {
  const flag = { host: '127.0.0.1', port: 1001 };
  const fileListen = { host: '127.0.0.1', port: 1002 };
  it('flag over file over UI, field by field', () => {
    const ui = { enabled: false, listen: '127.0.0.1:1003', tokenSet: true };
    expect(effectiveExport({ ui }).listen.port).toBe(1003);
    expect(effectiveExport({ ui }).enabled).toBe(false);
    expect(effectiveExport({ ui, file: { enabled: true, listen: fileListen } })).toMatchObject({ enabled: true, listen: fileListen, auth: 'bearer', token: { from: 'ui' } });
    expect(effectiveExport({ ui, file: { enabled: false, listen: fileListen }, flag })).toMatchObject({ enabled: true, listen: flag });
    // A file without listen leaves the address to the UI (and unlocked).
    const noListen = effectiveExport({ ui, file: { enabled: true } });
    expect(noListen.listen.port).toBe(1003);
    expect(noListen.lockedBy).toEqual({ enabled: 'file', listen: null, token: null });
  });
  it('credentials from the file replace the UI token entirely', () => {
    const e = effectiveExport({ ui: { tokenSet: true }, file: { enabled: true, basicAuth: { username: 'prom', password: { env: 'P' } } } });
    expect(e.auth).toBe('basic');
    expect(e.token).toBeUndefined();
    expect(e.lockedBy.token).toBe('file');
  });
});
