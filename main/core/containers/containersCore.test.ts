// The whole path with real parts: a real dockerd, the local agent source as
// the console runs it, the real core (store, features, exporter on loopback):
// the containers table, the overview's counts, stored history, Top-K by
// container, and /metrics under cAdvisor's names and labels — which
// promtool, Prometheus's own linter, accepts.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostContainers } from '../../common/contract.js';
import { createLocalAgentHost } from '../localHost.js';
import { createCore, type Core } from '../createCore.js';
import { defaultFeatures } from '../features.js';
import { createMemoryLogger } from '../log.js';
import { createEncryptedFileSecretStore } from '../secrets/encryptedFileSecretStore.js';
import { formatSnapshot, takeSnapshot } from '../snapshot.js';
import { freePort } from '../../testing/freePort.js';
import { kubernetesLabelArgs, startTestDockerd, type TestDockerd } from '../../testing/containerEngines.js';

let d: TestDockerd;
let core: Core;
let dataDir: string;
let metricsUrl: string;

beforeAll(async () => {
  d = await startTestDockerd('core');
  await d.docker('run', '-d', '--name', 'web', '-m', '96m', '--cpus', '0.4', d.image, 'sh', '-c', 'while :; do :; done');
  await d.docker('run', '-d', '--name', 'k8s_app_app-1_shop_0', ...kubernetesLabelArgs('app-1', 'shop', 'app'), d.image, 'sleep', '3600');
  await d.docker('run', '--name', 'once', d.image, 'true');
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-ctr-core-'));
  const port = await freePort();
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  core = createCore({
    dataDir,
    shell: 'headless',
    secrets: createEncryptedFileSecretStore(dataDir),
    log: createMemoryLogger(),
    version: 'test',
    createLocalSource: () => createLocalAgentHost({ intervalMs: 1000, engine: { socketPath: d.socket, refreshMs: 1000 } }),
    features: defaultFeatures({ metricsListen: `127.0.0.1:${port}` }),
  });
  await core.start();
});

afterAll(async () => {
  await core?.stop();
  await d?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The sample lines of an exposition (label values here have no escapes). */
function samplesOf(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(l)!;
      const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
}

/** Only the container families of an exposition, for a lint of what this issue adds. */
function containerFamilies(text: string): string {
  const nameOf = (line: string) => (line.startsWith('# ') ? line.split(' ')[2] : line.split(/[{ ]/)[0]) ?? '';
  return text.split('\n').filter((l) => l !== '' && nameOf(l).startsWith('container_')).join('\n') + '\n';
}

describe('containers through the real core', () => {
  it('the table, the counts, the history, Top-K and /metrics all see the same containers', async () => {
    const list = await until('web with a CPU rate', async () => {
      const l = (await core.handlers['containers/list']({ hostId: 'local' })) as HostContainers | null;
      return l?.containers.some((c) => c.name === 'web' && c.cpuCores !== null && c.cpuThrottledRatio !== null) ? l : undefined;
    });
    expect(list).toMatchObject({ hostId: 'local', engine: 'docker', engineVia: 'socket', note: null });
    // The local agent sees every container cgroup on this machine, so another
    // test file's dockerd running at the same time adds rows (named by id,
    // since this engine does not know them): compare this engine's own.
    const ours = new Set((await d.docker('ps', '-aq', '--no-trunc')).split('\n').filter(Boolean));
    expect(ours.size).toBe(3);
    expect(list.containers.filter((c) => ours.has(c.id)).map((c) => [c.name, c.state]).sort()).toEqual([
      ['k8s_app_app-1_shop_0', 'running'],
      ['once', 'exited'],
      ['web', 'running'],
    ]);
    expect(list.containers.filter((c) => !ours.has(c.id)).every((c) => c.name === c.id.slice(0, 12))).toBe(true);

    // The overview's counts are the table's, read at the same moment.
    await until('counts matching the table', async () => {
      const summary = (await core.handlers['hosts/summaries']()).find((s) => s.hostId === 'local')!;
      const l = (await core.handlers['containers/list']({ hostId: 'local' })) as HostContainers;
      const running = l.containers.filter((c) => c.state === 'running').length;
      if (summary.containersTotal !== l.containers.length || summary.containersRunning !== running) return undefined;
      expect(running).toBeGreaterThanOrEqual(2);
      return summary;
    });

    const now = Date.now();
    const stored = await until('stored CPU of web', async () => {
      const r = await core.handlers['series/query']({
        selectors: [{ name: 'container:cpu_usage:cores', matchers: [{ label: 'host', op: '=', value: 'local' }, { label: 'container', op: '=', value: 'web' }] }],
        from: now - 600_000,
        to: now + 60_000,
        maxPoints: 100,
      });
      return r[0]?.points.length ? r : undefined;
    });
    expect(stored[0]!.labels).toEqual({ host: 'local', container: 'web', image: 'ovl/busybox' });
    // Held to its 0.4-core quota however busy the machine is.
    expect(stored[0]!.points.at(-1)![1]).toBeGreaterThan(0);
    expect(stored[0]!.points.at(-1)![1]).toBeLessThan(0.4 * 1.25);

    const topk = await core.handlers['topk/query']({ kind: 'container', metric: 'container:cpu_usage:cores', aggregate: 'avg', from: now - 600_000, to: now + 60_000, k: 5, order: 'desc', points: 10 });
    expect(topk.rows.find((r) => r.entity === 'local/web')).toMatchObject({ labels: { host: 'local', container: 'web' } });
    const pod = await core.handlers['topk/query']({ kind: 'container', metric: 'container_memory_working_set_bytes', aggregate: 'last', from: now - 600_000, to: now + 60_000, k: 5, order: 'desc', points: 10 });
    expect(pod.rows.map((r) => r.entity)).toContain('local/shop/app-1/app');

    const text = await (await fetch(metricsUrl)).text();
    const web = list.containers.find((c) => c.name === 'web')!;
    const exposed = samplesOf(text);
    const find = (name: string, labels: Record<string, string>) =>
      exposed.filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
    expect(find('container_cpu_usage_seconds_total', { name: 'web' }).map((x) => x.labels)).toEqual([
      { container: 'web', host: 'local', id: `/docker/${web.id}`, image: 'ovl/busybox', name: 'web' },
    ]);
    expect(find('container_spec_memory_limit_bytes', { name: 'web' })[0]?.value).toBe(96 * 1024 * 1024);
    expect(find('container_memory_working_set_bytes', { pod: 'app-1' }).map((x) => x.labels)).toEqual([
      { container: 'app', host: 'local', id: expect.stringMatching(/^\/docker\/[0-9a-f]{64}$/), image: 'ovl/busybox', name: 'k8s_app_app-1_shop_0', namespace: 'shop', pod: 'app-1' },
    ]);
    expect(text).toMatch(/# TYPE container_cpu_cfs_throttled_periods_total counter/);
    expect(find('container_cpu_cfs_throttled_periods_total', { name: 'web' })[0]?.value).toBeGreaterThan(0);
    // Exited containers have no cgroup and no series, as in cAdvisor.
    expect(find('container_memory_usage_bytes', { name: 'once' })).toEqual([]);
    // What this issue adds lints clean; promtool exits 1 on a parse error and 3 on style problems.
    const families = containerFamilies(text);
    expect(families.length).toBeGreaterThan(1000);
    expect(() => execFileSync('promtool', ['check', 'metrics'], { input: families, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] })).not.toThrow();
  });

  it('`overlook snapshot --format prom` prints the same container series, named by the engine', async () => {
    const snap = await takeSnapshot({ intervalMs: 1000, host: 'local', engineSocket: d.socket });
    const text = formatSnapshot(snap, 'prom');
    const web = samplesOf(text).filter((x) => x.name === 'container_cpu_usage_seconds_total' && x.labels.name === 'web');
    expect(web).toHaveLength(1);
    expect(web[0]!.labels).toMatchObject({ host: 'local', container: 'web', image: 'ovl/busybox' });
    expect(() => execFileSync('promtool', ['check', 'metrics'], { input: containerFamilies(text), encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] })).not.toThrow();
  });
});
