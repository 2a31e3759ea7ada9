// The composition root with a scripted source in place of the agent: samples
// flow into the real store and out through the handlers, status changes are
// events, and the provisioning file's settings win over the UI's.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventName } from '../common/contract.js';
import type { RawSeries } from '../common/series.js';
import { createCore, type Core } from './createCore.js';
import { defaultFeatures } from './features.js';
import { createMemoryLogger } from './log.js';
import { createEncryptedFileSecretStore } from './secrets/encryptedFileSecretStore.js';
import type { HostObservation } from './model/observation.js';
import type { HostSource, SourceEvents } from './model/hostSource.js';

function observation(i: number, t: number): HostObservation {
  const cpu = (mode: string, v: number): RawSeries => ({ name: 'node_cpu_seconds_total', labels: { cpu: '0', mode }, value: v, kind: 'counter' });
  return {
    t,
    monotonicSeconds: 1000 + i * 5,
    // 5 s per interval: 2 s user, 3 s idle → 40 % busy
    series: [
      cpu('user', 100 + i * 2),
      cpu('idle', 500 + i * 3),
      { name: 'node_load1', labels: {}, value: 0.5 + i, kind: 'gauge' },
      { name: 'node_memory_MemTotal_bytes', labels: {}, value: 8e9, kind: 'gauge' },
      { name: 'node_memory_MemAvailable_bytes', labels: {}, value: 6e9, kind: 'gauge' },
      { name: 'node_boot_time_seconds', labels: {}, value: 1.7e9, kind: 'gauge' },
    ],
    processes: [],
    facts: { hostname: 'box', cpus: 1 },
    problems: [],
  };
}

class ScriptedSource implements HostSource {
  events?: SourceEvents;
  stopped = false;
  start(events: SourceEvents) {
    this.events = events;
    events.status('connecting');
  }
  async stop() {
    this.stopped = true;
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function makeCore(extra: { configFile?: string; features?: Parameters<typeof createCore>[0]['features'] } = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-core-'));
  const sources: ScriptedSource[] = [];
  const log = createMemoryLogger();
  const core = createCore({
    dataDir,
    shell: 'headless',
    secrets: createEncryptedFileSecretStore(dataDir),
    log,
    version: 'test',
    createLocalSource: () => {
      const s = new ScriptedSource();
      sources.push(s);
      return s;
    },
    ...extra,
    // Every request of the contract needs an answer; the default features (off by default) give the rest.
    features: [...defaultFeatures(), ...(extra.features ?? [])],
  });
  const events: { event: EventName; payload: unknown }[] = [];
  core.subscribe((event, payload) => events.push({ event, payload }));
  cleanups.push(async () => {
    await core.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return { core, sources, events, dataDir, log };
}

const until = async (cond: () => boolean | Promise<boolean>, ms = 5000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('createCore', () => {
  it('shows local as connecting, then online with stored, queryable rates', async () => {
    const { core, sources, events } = makeCore();
    await core.start();
    expect((await core.handlers['hosts/list']())[0]).toMatchObject({ id: 'local', name: 'local', status: 'connecting' });
    const now = Date.now();
    sources[0]!.events!.observation(observation(0, now - 10_000));
    sources[0]!.events!.observation(observation(1, now - 5_000));
    sources[0]!.events!.observation(observation(2, now));
    await until(() => events.some((e) => e.event === 'samples/appended'));
    const hosts = await core.handlers['hosts/list']();
    expect(hosts[0]).toMatchObject({ status: 'online', lastSampleAt: now, info: { hostname: 'box' } });

    const [summary] = await core.handlers['hosts/summaries']();
    expect(summary!.cpuUsage).toBeCloseTo(0.4, 5);
    expect(summary!.memoryUsed).toBe(2e9);

    const series = await core.handlers['series/query']({
      selectors: [{ name: 'host:cpu_usage:ratio', matchers: [{ label: 'host', op: '=', value: 'local' }] }],
      from: now - 60_000,
      to: now + 1000,
      maxPoints: 100,
    });
    expect(series).toHaveLength(1);
    expect(series[0]!.points.length).toBeGreaterThanOrEqual(2);
    for (const [, avg] of series[0]!.points) expect(avg).toBeCloseTo(0.4, 5);

    // The rule editor's picker: stored names first with their unit and series count, and a metric's label values.
    const names = await core.handlers['series/names']();
    expect(names.find((n) => n.name === 'host:cpu_usage:ratio')).toMatchObject({ unit: 'ratio', series: 1 });
    expect(names.findIndex((n) => n.series === 0)).toBeGreaterThan(names.findIndex((n) => n.name === 'host:cpu_usage:ratio'));
    expect(await core.handlers['series/labels']({ name: 'host:cpu_usage:ratio' })).toEqual({ host: ['local'] });
  });

  it('marks a silent host stale and back online when samples resume', async () => {
    const { core, sources } = makeCore();
    await core.start();
    const source = sources[0]!;
    // The sample is 11 s old at a 5 s interval: two intervals missed.
    source.events!.observation(observation(0, Date.now() - 11_000));
    await until(() => true);
    await until(() => (core.handlers['hosts/list']() as { status: string }[])[0]!.status === 'stale', 3000);
    source.events!.observation(observation(1, Date.now()));
    expect((core.handlers['hosts/list']() as { status: string }[])[0]!.status).toBe('online');
  });

  it('passes source statuses and their reasons through', async () => {
    const { core, sources, events } = makeCore();
    await core.start();
    sources[0]!.events!.status('agent_error', 'agent exited with code 2');
    const last = events.filter((e) => e.event === 'hosts/changed').at(-1)!.payload as { status: string; statusDetail: string }[];
    expect(last[0]).toMatchObject({ status: 'agent_error', statusDetail: 'agent exited with code 2' });
  });

  it('keeps settings from the provisioning file read-only and applies saved ones', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-cfg-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'overlook.yaml');
    fs.writeFileSync(file, 'settings:\n  poll_interval: 10s\n');
    const { core, sources } = makeCore({ configFile: file });
    await core.start();
    await until(async () => (await core.handlers['app/info']()).settings.pollIntervalMs === 10_000);
    const info = await core.handlers['app/info']();
    expect(info.provisionedSettings).toContain('pollIntervalMs');
    await expect(core.handlers['settings/update']({ pollIntervalMs: 2000 })).rejects.toMatchObject({ code: 'provisioned' });
    const updated = await core.handlers['settings/update']({ retention: { rawHours: 12, minuteDays: 7, hourDays: 90 } });
    expect(updated.retention.rawHours).toBe(12);
    expect(updated.pollIntervalMs).toBe(10_000);
    expect(sources.length).toBeGreaterThanOrEqual(1);
  });

  it('reports an unknown host as not_found', async () => {
    const { core } = makeCore();
    await core.start();
    expect(() => core.handlers['hosts/inventory']({ hostId: 'nope' })).toThrow(/no host/);
  });
});

describe('createCore features', () => {
  it('routes a feature\'s handlers and tells it about host status changes', async () => {
    const seen: string[] = [];
    const { core, sources } = makeCore({
      features: [
        () => ({
          name: 'probe',
          onHostStatus: (host, previous) => void seen.push(`${host.id}:${previous}->${host.status}`),
        }),
      ],
    });
    await core.start();
    sources[0]!.events!.status('offline', 'link down');
    expect(seen).toContain('local:connecting->offline');
  });

  it('refuses two features answering the same request', () => {
    expect(() =>
      makeCore({
        features: [() => ({ name: 'thief', handlers: { 'hosts/list': () => [] } })],
      }),
    ).toThrow(/thief answers "hosts\/list"/);
  });

  it('lets a feature add and remove hosts that then report like the local one', async () => {
    const extra = new ScriptedSource();
    let ctxRef: import('./coreContext.js').CoreContext | undefined;
    const { core } = makeCore({ features: [(ctx) => ((ctxRef = ctx), { name: 'adder' })] });
    await core.start();
    ctxRef!.addHost({ id: 'web-1', name: 'web-1', kind: 'ssh', pollIntervalMs: 5000, tags: ['web'], provisioned: false }, extra);
    expect((await core.handlers['hosts/list']()).map((h) => h.id)).toEqual(['local', 'web-1']);
    extra.events!.observation(observation(0, Date.now()));
    expect(ctxRef!.host('web-1')!.host.status).toBe('online');
    // The link drops and the source reconnects: counted for overlook_ssh_reconnects_total.
    expect(ctxRef!.health.sshReconnects).toBe(0);
    extra.events!.status('offline', 'connection lost');
    extra.events!.status('connecting');
    expect(ctxRef!.health.sshReconnects).toBe(1);
    await ctxRef!.removeHost('web-1');
    expect(extra.stopped).toBe(true);
    expect((await core.handlers['hosts/list']()).map((h) => h.id)).toEqual(['local']);
  });
});
