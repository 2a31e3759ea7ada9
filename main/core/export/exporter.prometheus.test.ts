// A real Prometheus (Debian's package) scrapes the exporter every second with
// a bearer token; PromQL and the series API must see what the exporter wrote.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../log.js';
import { EMPTY_CONSOLE_HEALTH } from './consoleHealth.js';
import { cloudExposition } from '../cloud/exposition.js';
import { startMetricsExporter, type MetricsExporter } from './exporter.js';
import { nodeLikeSeries } from '../../testing/exporterHosts.js';
import { containerExportSeries } from '../containers/exportContainers.js';
import type { ContainerObservation } from '../model/containers.js';
import type { ExportedHost } from './hostFamilies.js';

const EXPORTER_PORT = 19394;
const PROMETHEUS_PORT = 19395;
const TOKEN = 'scrape-token-Ω';
const NASTY_MOUNT = '/srv/"data"\\share\nline two';
const CHINESE_HOST = '数据库-主节点';
const CHINESE_CONTAINER = '网站-前端 "v2"';
const PROM = `http://127.0.0.1:${PROMETHEUS_PORT}`;

let dir: string;
let exporter: MetricsExporter | undefined;
let prometheus: ChildProcess | undefined;
const startedAt = Date.now();

const WEB = 'a'.repeat(64);
const API = 'b'.repeat(64);

/** Two containers as the agent and the engine would describe them: one plain, one a Kubernetes pod's. */
function containersOf(t: number): ContainerObservation {
  const cgroup = (id: string, cores: number) => ({
    id,
    runtime: 'docker' as const,
    cgroupPath: `/docker/${id}`,
    driver: 'cgroupfs' as const,
    stats: { cpuUsageSeconds: 100 + t * cores, memoryWorkingSetBytes: 100_000_000, memoryLimitBytes: 268_435_456 },
  });
  return {
    layout: { mode: 'v1', driver: 'cgroupfs' },
    cgroups: [cgroup(WEB, 0.5), cgroup(API, 0.1)],
    networkByPid: {},
    engine: {
      engine: 'docker',
      via: 'socket',
      at: 1,
      containers: [
        { id: WEB, name: 'web', image: 'nginx:1.27', state: 'running', labels: {} },
        {
          id: API,
          name: 'k8s_api_api-0_prod_0',
          image: 'registry.example/api:3',
          state: 'running',
          labels: { 'io.kubernetes.pod.name': 'api-0', 'io.kubernetes.pod.namespace': 'prod', 'io.kubernetes.container.name': 'api' },
        },
      ],
    },
  };
}

function hosts(): ExportedHost[] {
  // Counters move with wall-clock time, as a busy host's would.
  const t = (Date.now() - startedAt) / 1000;
  return [
    { host: 'local', up: true, lastSampleAt: Date.now(), series: [...nodeLikeSeries(t * 10), ...containerExportSeries(containersOf(t))] },
    {
      host: CHINESE_HOST,
      up: true,
      lastSampleAt: Date.now(),
      series: [
        ...nodeLikeSeries(t, { extraMounts: [{ device: '/dev/vdz', fstype: 'ext4', mountpoint: NASTY_MOUNT }] }),
        { name: 'container_memory_working_set_bytes', labels: { name: CHINESE_CONTAINER, image: 'nginx:1.27' }, value: 52_000_000, kind: 'gauge' },
      ],
    },
  ];
}

async function query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${PROM}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  if (body.status !== 'success') throw new Error(`query ${promql} failed: ${JSON.stringify(body)}`);
  return body.data.result;
}

async function series(match: string): Promise<Record<string, string>[]> {
  const res = await fetch(`${PROM}/api/v1/series?match[]=${encodeURIComponent(match)}`);
  const body = (await res.json()) as { status: string; data: Record<string, string>[] };
  if (body.status !== 'success') throw new Error(`series ${match} failed: ${JSON.stringify(body)}`);
  return body.data;
}

async function poll<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await read();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const log = dir ? readFileSync(join(dir, 'prometheus.log'), 'utf8').slice(-2000) : '';
  const targets = await fetch(`${PROM}/api/v1/targets`).then((r) => r.text(), (err: Error) => err.message);
  throw new Error(`timed out waiting for ${what}; last error: ${String(last)}\ntargets: ${targets.slice(0, 2000)}\nprometheus log tail:\n${log}`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ovl-prom-'));
  exporter = await startMetricsExporter({
    host: '127.0.0.1',
    port: EXPORTER_PORT,
    bearerToken: TOKEN,
    source: {
      hosts,
      health: () => EMPTY_CONSOLE_HEALTH,
      families: (request) =>
        cloudExposition(
          {
            help: new Map([['cloud_cpu_utilization_ratio', 'CPU in use']]),
            series: () => [{ name: 'cloud_cpu_utilization_ratio', labels: { cloud: 'tencent', account: 'gz', region: 'ap-guangzhou', instance: 'ins-1', product: 'ecs' }, value: 0.37, t: Date.now() - 120_000 }],
            instances: () => [{ cloud: 'tencent', account: 'gz', region: 'ap-guangzhou', product: 'ecs', instance: 'ins-1', name: '订单服务-1' }],
          },
          [],
          [],
          request,
        ),
    },
    log: createMemoryLogger(),
  });
  writeFileSync(join(dir, 'token'), TOKEN);
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: overlook',
      '    authorization:',
      `      credentials_file: ${join(dir, 'token')}`,
      '    static_configs:',
      `      - targets: ['127.0.0.1:${EXPORTER_PORT}']`,
      '',
    ].join('\n'),
  );
  const logFile = join(dir, 'prometheus.log');
  writeFileSync(logFile, '');
  prometheus = spawn(
    '/usr/bin/prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${PROMETHEUS_PORT}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  prometheus.stderr?.on('data', (chunk: Buffer) => writeFileSync(logFile, chunk, { flag: 'a' }));
  prometheus.on('error', (err) => writeFileSync(logFile, `spawn failed: ${err.message} (apt-get install -y prometheus)\n`, { flag: 'a' }));
});

afterAll(async () => {
  if (prometheus?.pid && prometheus.exitCode === null) {
    prometheus.kill('SIGTERM');
    await new Promise((r) => {
      const timer = setTimeout(() => (prometheus?.kill('SIGKILL'), r(undefined)), 5_000);
      prometheus?.once('exit', () => (clearTimeout(timer), r(undefined)));
    });
  }
  await exporter?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a real Prometheus scraping the exporter', () => {
  it('computes rate(node_cpu_seconds_total{host="local"}[10s])', { timeout: 60_000 }, async () => {
    const result = await poll('a rate over the scraped counters', async () => {
      const r = await query('rate(node_cpu_seconds_total{host="local"}[10s])');
      return r.length > 0 ? r : undefined;
    });
    // 2 CPUs × 8 modes, each labelled as node_exporter labels them.
    expect(result).toHaveLength(16);
    const idle = result.find((r) => r.metric.cpu === '0' && r.metric.mode === 'idle');
    expect(idle?.metric).toMatchObject({ host: 'local', job: 'overlook', instance: `127.0.0.1:${EXPORTER_PORT}` });
    expect(Number(idle?.value[1])).toBeGreaterThan(0);
    // rate() extrapolates over a window that is not full yet; irate() reads the last two
    // samples exactly. nodeLikeSeries moves idle by 0.8 per t, and t runs 10× wall-clock for "local".
    const [irate] = await query('irate(node_cpu_seconds_total{host="local",cpu="0",mode="idle"}[10s])');
    expect(Number(irate?.value[1])).toBeGreaterThan(6);
    expect(Number(irate?.value[1])).toBeLessThan(10);
    const up = await query('up{job="overlook"}');
    expect(up.map((r) => r.value[1])).toEqual(['1']);
  });

  it('keeps quotes, backslashes, newlines and Chinese in label values intact', { timeout: 60_000 }, async () => {
    const filesystems = await poll('the filesystem series of the Chinese-named host', async () => {
      const s = await series(`node_filesystem_avail_bytes{host="${CHINESE_HOST}"}`);
      return s.length > 0 ? s : undefined;
    });
    expect(filesystems.map((s) => s.mountpoint).sort()).toEqual(['/', '/boot/efi', NASTY_MOUNT].sort());
    const containers = await series(`container_memory_working_set_bytes{host="${CHINESE_HOST}"}`);
    expect(containers).toEqual([
      expect.objectContaining({ __name__: 'container_memory_working_set_bytes', host: CHINESE_HOST, name: CHINESE_CONTAINER, image: 'nginx:1.27' }),
    ]);
    const byQuery = await query(`node_filesystem_avail_bytes{mountpoint=${JSON.stringify(NASTY_MOUNT)}}`);
    expect(byQuery.map((r) => r.metric.host)).toEqual([CHINESE_HOST]);
  });

  it('computes a container\'s CPU in cores, labelled as cAdvisor labels it (host, container, image, namespace, pod)', { timeout: 60_000 }, async () => {
    const web = await poll('the rate of a container\'s CPU', async () => {
      const r = await query('irate(container_cpu_usage_seconds_total{host="local",container="web"}[10s])');
      return r.length > 0 ? r : undefined;
    });
    expect(web[0]!.metric).toEqual({ host: 'local', container: 'web', name: 'web', image: 'nginx:1.27', id: `/docker/${WEB}`, job: 'overlook', instance: `127.0.0.1:${EXPORTER_PORT}` });
    expect(Number(web[0]!.value[1])).toBeGreaterThan(0.4);
    expect(Number(web[0]!.value[1])).toBeLessThan(0.6);
    const byPod = await query('sum by (namespace, pod, container) (container_memory_working_set_bytes{namespace="prod"}) / sum by (namespace, pod, container) (container_spec_memory_limit_bytes{namespace="prod"})');
    expect(byPod).toHaveLength(1);
    expect(byPod[0]!.metric).toEqual({ namespace: 'prod', pod: 'api-0', container: 'api' });
    expect(Number(byPod[0]!.value[1])).toBeCloseTo(100_000_000 / 268_435_456, 5);
  });

  it('sees overlook_host_up for each host and no scrape errors', { timeout: 60_000 }, async () => {
    const up = await poll('overlook_host_up', async () => {
      const r = await query('overlook_host_up');
      return r.length === 2 ? r : undefined;
    });
    expect(Object.fromEntries(up.map((r) => [r.metric.host, r.value[1]]))).toEqual({ local: '1', [CHINESE_HOST]: '1' });
    const targets = (await (await fetch(`${PROM}/api/v1/targets`)).json()) as { data: { activeTargets: { health: string; lastError: string }[] } };
    expect(targets.data.activeTargets.map((t) => [t.health, t.lastError])).toEqual([['up', '']]);
  });

  it('keeps a cloud instance’s id next to the scrape target’s `instance`, and joins its name from the info metric', { timeout: 60_000 }, async () => {
    const joined = await poll('the cloud series joined with its name', async () => {
      const r = await query('cloud_cpu_utilization_ratio * on(instance_id) group_left(name) overlook_cloud_instance_info');
      return r.length > 0 ? r : undefined;
    });
    expect(joined[0]!.metric).toMatchObject({ cloud: 'tencent', account: 'gz', instance_id: 'ins-1', name: '订单服务-1', instance: `127.0.0.1:${EXPORTER_PORT}` });
    expect(joined[0]!.metric.exported_instance).toBeUndefined();
    expect(Number(joined[0]!.value[1])).toBeCloseTo(0.37);
  });
});
