import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../log.js';
import { EMPTY_CONSOLE_HEALTH, type ConsoleHealth } from './consoleHealth.js';
import { CloudApiStats } from '../cloud/apiStats.js';
import { cloudExposition, type CloudExportSource, type ExportedCloudValue } from '../cloud/exposition.js';
import { createMetricsExposition, startMetricsExporter, type ExportSource, type MetricsExporter } from './exporter.js';
import { nodeLikeSeries, parseExposition, testHost } from '../../testing/exporterHosts.js';
import type { ExportedHost } from './hostFamilies.js';
import { formatPrometheusText } from './promText.js';

function promtool(text: string): { code: number; output: string } {
  try {
    const output = execFileSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    return { code: 0, output };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, output: `${e.stdout}${e.stderr}` };
  }
}

function sourceOf(hosts: () => ExportedHost[], health: () => ConsoleHealth = () => EMPTY_CONSOLE_HEALTH, families?: ExportSource['families']): ExportSource {
  return { hosts, health, ...(families ? { families } : {}) };
}

const NO_CLOUD: CloudExportSource = { series: () => [], instances: () => [], help: new Map() };

/** The console's counters, and the cloud feature's API families as the core would add them. */
function withCloudApis(hosts: () => ExportedHost[]): ExportSource {
  const stats = new CloudApiStats();
  stats.record({ cloud: 'aliyun', account: 'prod', api: 'DescribeMetricList' }, { seconds: 0.08 });
  stats.record({ cloud: 'aliyun', account: 'prod', api: 'DescribeMetricList' }, { seconds: 0.3, errorCode: 'Throttling.User', throttled: true });
  stats.record({ cloud: 'tencent', account: 'gz', api: 'GetMonitorData' }, { seconds: 12 });
  const health = (): ConsoleHealth => ({ samplesIngested: 123_456, ingestFailures: 2, samplesLost: 6_498, samplesDropped: 17, sshReconnects: 3, agentErrors: 1, alertEvaluations: 999, dbSizeBytes: 52_428_800 });
  return sourceOf(hosts, health, (request) => cloudExposition(NO_CLOUD, stats.snapshot(), stats.cycleSnapshot(), request));
}

const NASTY_MOUNT = '/mnt/"quoted"\\back\nslash';
const exporters: MetricsExporter[] = [];
async function start(options: Partial<Parameters<typeof startMetricsExporter>[0]> & { source: ExportSource }) {
  const log = createMemoryLogger();
  const exporter = await startMetricsExporter({ host: '127.0.0.1', port: 0, log, processMetrics: false, ...options });
  exporters.push(exporter);
  return { exporter, log };
}
afterEach(async () => {
  await Promise.all(exporters.splice(0).map((e) => e.close()));
});

describe('exposition', () => {
  const hosts = () => [
    testHost('local', 10),
    testHost('web-1', 20, { cpus: 4, extraMounts: [{ device: '/dev/vdc', fstype: 'xfs', mountpoint: NASTY_MOUNT }] }),
    testHost('数据库-主', 30),
  ];

  it('keeps counters counters and gauges gauges, with HELP from the catalogue and a host label on every series', async () => {
    const text = await createMetricsExposition({ source: withCloudApis(hosts), log: createMemoryLogger(), processMetrics: false }).render();
    const parsed = parseExposition(text);
    expect(parsed.type.get('node_cpu_seconds_total')).toBe('counter');
    expect(parsed.type.get('node_network_receive_bytes_total')).toBe('counter');
    expect(parsed.type.get('node_filesystem_avail_bytes')).toBe('gauge');
    expect(parsed.type.get('node_load1')).toBe('gauge');
    expect(parsed.type.get('overlook_host_up')).toBe('gauge');
    expect(parsed.type.get('overlook_samples_ingested_total')).toBe('counter');
    expect(parsed.type.get('overlook_db_size_bytes')).toBe('gauge');
    expect(parsed.type.get('overlook_cloud_api_latency_seconds')).toBe('histogram');
    expect(parsed.help.get('node_cpu_seconds_total')).toBe('Seconds the CPUs spent in each mode.');
    for (const s of parsed.samples.filter((x) => x.name.startsWith('node_'))) expect(s.labels.host).toBeDefined();
    const webCpu = parsed.samples.find((s) => s.name === 'node_cpu_seconds_total' && s.labels.host === 'web-1' && s.labels.cpu === '3' && s.labels.mode === 'user');
    expect(webCpu?.value).toBe(nodeLikeSeries(20, { cpus: 4 }).find((s) => s.labels.cpu === '3' && s.labels.mode === 'user')?.value);
    expect(parsed.samples.filter((s) => s.name === 'overlook_host_up').map((s) => [s.labels.host, s.value])).toEqual([
      ['local', 1],
      ['web-1', 1],
      ['数据库-主', 1],
    ]);
    // The raw monotonic value, not an increment from zero.
    expect(parsed.samples.find((s) => s.name === 'overlook_samples_ingested_total')?.value).toBe(123_456);
    // A full disk shows on /metrics, not only in the log.
    expect(['overlook_ingest_failures_total', 'overlook_samples_lost_total', 'overlook_samples_dropped_total'].map((n) => [parsed.type.get(n), parsed.samples.find((s) => s.name === n)?.value])).toEqual([
      ['counter', 2],
      ['counter', 6_498],
      ['counter', 17],
    ]);
    const latency = parsed.samples.filter((s) => s.name.startsWith('overlook_cloud_api_latency_seconds') && s.labels.cloud === 'tencent');
    expect(latency.find((s) => s.labels.le === '10')?.value).toBe(0);
    expect(latency.find((s) => s.labels.le === '+Inf')?.value).toBe(1);
    expect(parsed.samples.find((s) => s.name === 'overlook_cloud_api_errors_total')?.labels).toEqual({ cloud: 'aliyun', account: 'prod', api: 'DescribeMetricList', code: 'Throttling.User' });
  });

  it('round-trips quotes, backslashes, newlines and non-ASCII in label values', async () => {
    const text = await createMetricsExposition({ source: sourceOf(hosts), log: createMemoryLogger(), processMetrics: false }).render();
    const parsed = parseExposition(text);
    expect(text).toContain('mountpoint="/mnt/\\"quoted\\"\\\\back\\nslash"');
    expect(parsed.samples.some((s) => s.name === 'node_filesystem_avail_bytes' && s.labels.mountpoint === NASTY_MOUNT && s.labels.host === 'web-1')).toBe(true);
    expect(parsed.samples.some((s) => s.name === 'node_load1' && s.labels.host === '数据库-主')).toBe(true);
  });

  it('prints the same names, labels, values, HELP and TYPE as `overlook snapshot --format prom` for the same host', async () => {
    const series = nodeLikeSeries(42, { extraMounts: [{ device: 'tmpfs', fstype: 'tmpfs', mountpoint: NASTY_MOUNT }] });
    const fromExporter = parseExposition(
      await createMetricsExposition({
        source: sourceOf(() => [{ host: 'local', up: true, lastSampleAt: Date.now(), series }]),
        log: createMemoryLogger(),
        processMetrics: false,
      }).render(),
    );
    const fromSnapshot = parseExposition(formatPrometheusText(series.map((s) => ({ ...s, labels: { host: 'local', ...s.labels } }))));
    const canonical = (p: typeof fromSnapshot) =>
      p.samples
        .filter((s) => s.name.startsWith('node_'))
        .map((s) => `${s.name} ${JSON.stringify(Object.entries(s.labels).sort())} ${s.value} ${p.type.get(s.name)} ${p.help.get(s.name)}`)
        .sort();
    expect(canonical(fromExporter)).toEqual(canonical(fromSnapshot));
    expect(canonical(fromExporter)).toHaveLength(series.length);
  });

  it('drops a stale host’s series after the grace period but keeps overlook_host_up at 0', async () => {
    const now = Date.now();
    const source = sourceOf(() => [
      { ...testHost('fresh', 1), lastSampleAt: now - 1_000 },
      { ...testHost('stale', 1), up: false, lastSampleAt: now - 10_000 },
      { ...testHost('just-offline', 1), up: false, lastSampleAt: now - 1_000 },
      { ...testHost('never-sampled', 1), up: false, lastSampleAt: undefined },
    ]);
    const parsed = parseExposition(await createMetricsExposition({ source, staleGraceMs: 5_000, now: () => now, log: createMemoryLogger(), processMetrics: false }).render());
    const hostsWith = (name: string) => [...new Set(parsed.samples.filter((s) => s.name === name).map((s) => s.labels.host))];
    expect(hostsWith('node_cpu_seconds_total')).toEqual(['fresh', 'just-offline']);
    expect(Object.fromEntries(parsed.samples.filter((s) => s.name === 'overlook_host_up').map((s) => [s.labels.host, s.value]))).toEqual({
      fresh: 1,
      stale: 0,
      'just-offline': 0,
      'never-sampled': 0,
    });
  });

  it('stops exporting a host that keeps claiming up but whose last sample ages past the grace period', async () => {
    let now = 1_000_000;
    const host = { ...testHost('quiet', 1), lastSampleAt: now };
    const exposition = createMetricsExposition({ source: sourceOf(() => [host]), staleGraceMs: 120_000, now: () => now, log: createMemoryLogger(), processMetrics: false });
    expect(parseExposition(await exposition.render()).samples.filter((s) => s.name === 'node_load1')).toHaveLength(1);
    now += 120_001;
    const later = parseExposition(await exposition.render());
    expect(later.samples.filter((s) => s.name === 'node_load1')).toHaveLength(0);
    expect(later.samples.find((s) => s.name === 'overlook_host_up')).toEqual({ name: 'overlook_host_up', labels: { host: 'quiet' }, value: 0 });
  });

  it('leaves out series with invalid names or a kind that disagrees, logs once, and keeps the rest', async () => {
    const log = createMemoryLogger();
    const bad: ExportedHost = {
      host: 'odd',
      up: true,
      lastSampleAt: Date.now(),
      series: [
        { name: 'node load', labels: {}, value: 1, kind: 'gauge' },
        { name: 'node_load1', labels: { 'bad-label': 'x' }, value: 1, kind: 'gauge' },
        { name: 'node_load5', labels: { host: 'spoofed' }, value: 1, kind: 'gauge' },
        { name: 'overlook_host_up', labels: {}, value: 1, kind: 'gauge' },
        { name: 'node_cpu_seconds_total', labels: { cpu: '0', mode: 'idle' }, value: 5, kind: 'gauge' },
        { name: 'node_load15', labels: {}, value: 0.5, kind: 'gauge' },
      ],
    };
    const exposition = createMetricsExposition({ source: sourceOf(() => [testHost('good', 1, { withMemory: false }), bad]), log, processMetrics: false });
    const text = await exposition.render();
    await exposition.render();
    const odd = parseExposition(text).samples.filter((s) => s.labels.host === 'odd');
    expect(odd.map((s) => s.name).sort()).toEqual(['node_load15', 'overlook_host_up']);
    expect(odd.find((s) => s.name === 'overlook_host_up')?.value).toBe(1);
    expect(log.lines.filter((l) => l.includes('left series out'))).toHaveLength(5);
    expect(promtool(text)).toEqual({ code: 0, output: '' });
  });

  it('leaves out series carrying a label Prometheus reserves (__name__, __meta_*), so no source can rename or relabel what the scrape stores', async () => {
    // Label names beginning with "__" are reserved for Prometheus's internal use
    // (https://prometheus.io/docs/concepts/data_model/#metric-names-and-labels):
    // a `__name__` label would override the metric name at ingestion.
    const log = createMemoryLogger();
    const pushed: ExportedHost = {
      host: 'pushed',
      up: true,
      lastSampleAt: Date.now(),
      series: [
        { name: 'node_load1', labels: { __name__: 'spoof' }, value: 1, kind: 'gauge' },
        { name: 'node_load5', labels: { __meta_kubernetes_pod_name: 'api-0' }, value: 2, kind: 'gauge' },
        { name: 'node_load15', labels: { job: 'node', __address__: '10.0.0.1:9100' }, value: 3, kind: 'gauge' },
        { name: 'node_procs_running', labels: { job: 'node' }, value: 4, kind: 'gauge' },
      ],
    };
    const text = await createMetricsExposition({ source: sourceOf(() => [pushed]), log, processMetrics: false }).render();
    expect(text).not.toMatch(/[{,]__/);
    expect(parseExposition(text).samples.filter((s) => s.labels.host === 'pushed')).toEqual([
      { name: 'overlook_host_up', labels: { host: 'pushed' }, value: 1 },
      { name: 'node_procs_running', labels: { job: 'node', host: 'pushed' }, value: 4 },
    ]);
    expect(log.lines.filter((l) => l.includes('left series out'))).toHaveLength(3);
  });

  it('formats a family bigger than one formatting slice with HELP and TYPE once and every series', async () => {
    const modes = ['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user'];
    const series = Array.from({ length: 2500 * modes.length }, (_, i) => ({
      name: 'node_cpu_seconds_total',
      labels: { cpu: String(Math.floor(i / modes.length)), mode: modes[i % modes.length]! },
      value: i,
      kind: 'counter' as const,
    }));
    const text = await createMetricsExposition({
      source: sourceOf(() => [{ host: 'big', up: true, lastSampleAt: Date.now(), series }]),
      log: createMemoryLogger(),
      processMetrics: false,
    }).render();
    expect(text.match(/^# TYPE node_cpu_seconds_total counter$/gm)).toHaveLength(1);
    expect(text.match(/^# HELP node_cpu_seconds_total /gm)).toHaveLength(1);
    const values = parseExposition(text).samples.filter((s) => s.name === 'node_cpu_seconds_total').map((s) => s.value);
    expect(values).toEqual(series.map((s) => s.value));
    expect(promtool(text)).toEqual({ code: 0, output: '' });
  });

  it('shares one rendering between concurrent scrapes', async () => {
    let calls = 0;
    const exposition = createMetricsExposition({
      source: sourceOf(() => (calls++, [testHost('local', 1)])),
      log: createMemoryLogger(),
      processMetrics: false,
    });
    const [a, b] = await Promise.all([exposition.render(), exposition.render()]);
    expect(a).toBe(b);
    expect(calls).toBe(1);
    await exposition.render();
    expect(calls).toBe(2);
  });
});

describe('promtool check metrics', () => {
  let nodeExporter: ChildProcess | undefined;
  afterAll(() => {
    nodeExporter?.kill('SIGTERM');
  });

  it('finds no error and no style problem in a scrape with several hosts, health, cloud APIs and process metrics', async () => {
    // node_exporter's memory names are camelCase (node_memory_MemAvailable_bytes) and promtool's
    // lint flags that; those are checked against node_exporter itself in the next test.
    const hosts = () => [testHost('local', 1, { withMemory: false }), testHost('web-1', 2, { withMemory: false, cpus: 8 }), testHost('容器-1', 3, { withMemory: false })];
    const { exporter } = await start({ source: withCloudApis(hosts), processMetrics: true });
    const text = await (await fetch(exporter.url)).text();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('overlook_cloud_api_latency_seconds_bucket{cloud="aliyun",account="prod",api="DescribeMetricList",le="0.1"} 1');
    const result = promtool(text);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('flags nothing in a full scrape but the camelCase memory names that node_exporter itself exports', async () => {
    const hosts = () => [testHost('local', 1), testHost('web-1', 2, { extraMounts: [{ device: '/dev/x', fstype: 'ext4', mountpoint: NASTY_MOUNT }] })];
    const { exporter } = await start({ source: withCloudApis(hosts), processMetrics: true });
    const ours = promtool(await (await fetch(exporter.url)).text());
    const ourProblems = ours.output.trim().split('\n');
    expect(ours.code).toBe(3); // 3 = lint problems only, no parse error (promtool exits 1 for those)
    expect(ourProblems.sort()).toEqual(
      [...new Set(nodeLikeSeries(1).map((s) => s.name))]
        // promlint's camelCase rule: a lower-case letter followed by an upper-case one.
        .filter((n) => /[a-z][A-Z]/.test(n))
        .map((n) => `${n} metric names should be written in 'snake_case' not 'camelCase'`)
        .sort(),
    );

    nodeExporter = spawn('/usr/bin/prometheus-node-exporter', ['--web.listen-address=127.0.0.1:19391'], { stdio: 'ignore' });
    let theirs = '';
    for (let i = 0; i < 50 && !theirs; i++) {
      await new Promise((r) => setTimeout(r, 100));
      theirs = await fetch('http://127.0.0.1:19391/metrics').then((r) => r.text(), () => '');
    }
    const theirProblems = new Set(promtool(theirs).output.trim().split('\n'));
    for (const problem of ourProblems) expect(theirProblems).toContain(problem);
  });
});

describe('HTTP endpoint', () => {
  const source = sourceOf(() => [testHost('local', 1)]);

  it('requires the bearer token when one is set', async () => {
    const { exporter } = await start({ source, bearerToken: 's3cret-token' });
    const none = await fetch(exporter.url);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect((await fetch(exporter.url, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(exporter.url, { headers: { Authorization: 'Bearer s3cret-token-longer' } })).status).toBe(401);
    expect((await fetch(exporter.url, { headers: { Authorization: 'Basic ' + Buffer.from('x:s3cret-token').toString('base64') } })).status).toBe(401);
    const ok = await fetch(exporter.url, { headers: { Authorization: 'Bearer s3cret-token' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await ok.text()).toContain('node_load1{host="local"} 0.42');
  });

  it('compares a non-ASCII token byte for byte, as Prometheus sends it (UTF-8)', async () => {
    const { exporter } = await start({ source, bearerToken: 'jeton-Ω-令牌' });
    const statusWith = (token: string) =>
      new Promise<number>((resolve, reject) => {
        // fetch() refuses non-latin1 header values; node:http writes the raw UTF-8 bytes like Go's client.
        const req = request(exporter.url, { headers: { Authorization: Buffer.from(`Bearer ${token}`, 'utf8').toString('latin1') } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await statusWith('jeton-Ω-令牌')).toBe(200);
    expect(await statusWith('jeton-Ω-令')).toBe(401);
  });

  it('gzips the exposition when the scraper accepts it, and only then', async () => {
    const { exporter } = await start({ source });
    const raw = (headers: Record<string, string>) =>
      new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
        const req = request(exporter.url, { headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
        });
        req.on('error', reject);
        req.end();
      });
    const plain = await raw({});
    expect(plain.encoding).toBeUndefined();
    const zipped = await raw({ 'Accept-Encoding': 'gzip' });
    expect(zipped.encoding).toBe('gzip');
    expect(gunzipSync(zipped.body).toString('utf8')).toBe(plain.body.toString('utf8'));
    expect(plain.body.toString('utf8')).toContain('node_load1{host="local"} 0.42');
  });

  it('requires basic auth when it is set', async () => {
    const { exporter } = await start({ source, basicAuth: { username: 'prom', password: 'pä:ss' } });
    const basic = (user: string, password: string) => ({ Authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64') });
    const none = await fetch(exporter.url);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Basic realm="overlook"');
    expect((await fetch(exporter.url, { headers: basic('prom', 'wrong') })).status).toBe(401);
    expect((await fetch(exporter.url, { headers: basic('other', 'pä:ss') })).status).toBe(401);
    expect((await fetch(exporter.url, { headers: basic('prom', 'pä:ss') })).status).toBe(200);
  });

  it('serves a landing page, answers 404 elsewhere and 405 to other methods', async () => {
    const { exporter } = await start({ source, bearerToken: 't' });
    const auth = { Authorization: 'Bearer t' };
    const base = exporter.url.replace(/metrics$/, '');
    const landing = await fetch(base, { headers: auth });
    expect(landing.status).toBe(200);
    expect(await landing.text()).toContain('<a href="metrics">');
    expect((await fetch(base + 'metrics/extra', { headers: auth })).status).toBe(404);
    expect((await fetch(base + 'debug/pprof', { headers: auth })).status).toBe(404);
    expect((await fetch(base + 'nothing')).status).toBe(401);
    expect((await fetch(exporter.url, { method: 'POST', headers: auth })).status).toBe(405);
    expect((await fetch(exporter.url + '?x=1', { headers: auth })).status).toBe(200);
  });

  it('removes a host from the output once the source no longer lists it', async () => {
    let hosts = [testHost('keep', 1), testHost('gone', 1)];
    const { exporter } = await start({ source: sourceOf(() => hosts) });
    expect(await (await fetch(exporter.url)).text()).toContain('host="gone"');
    hosts = [testHost('keep', 2)];
    const after = await (await fetch(exporter.url)).text();
    expect(after).not.toContain('host="gone"');
    expect(after).toContain('overlook_host_up{host="keep"} 1');
  });

  it('drops a stale host’s series after a real grace period', async () => {
    const host = { ...testHost('fading', 1), lastSampleAt: Date.now() };
    const { exporter } = await start({ source: sourceOf(() => [host]), staleGraceMs: 300 });
    expect(await (await fetch(exporter.url)).text()).toContain('node_load1{host="fading"}');
    await new Promise((r) => setTimeout(r, 400));
    const later = await (await fetch(exporter.url)).text();
    expect(later).not.toContain('node_load1{host="fading"}');
    expect(later).toContain('overlook_host_up{host="fading"} 0');
  });

  it('answers 500 when the source throws, and keeps serving', async () => {
    let broken = true;
    const { exporter, log } = await start({
      source: sourceOf(() => {
        if (broken) throw new Error('store closed');
        return [testHost('local', 1)];
      }),
    });
    const failed = await fetch(exporter.url);
    expect(failed.status).toBe(500);
    expect(await failed.text()).toContain('store closed');
    expect(log.lines.some((l) => l.includes('scrape failed'))).toBe(true);
    broken = false;
    expect((await fetch(exporter.url)).status).toBe(200);
  });

  it('refuses a foreign Host header while bound to loopback (DNS rebinding)', async () => {
    const { exporter } = await start({ source });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(exporter.url, { headers: { Host: 'attacker.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
    expect((await fetch(exporter.url.replace('127.0.0.1', 'localhost'))).status).toBe(200);
  });

  it('warns when bound to every interface', async () => {
    const { exporter, log } = await start({ source, host: '0.0.0.0', port: 19392 });
    expect(exporter.url).toBe('http://0.0.0.0:19392/metrics');
    expect(log.lines.some((l) => l.includes(' warn ') && l.includes('every network interface'))).toBe(true);
    expect((await fetch('http://127.0.0.1:19392/metrics')).status).toBe(200);
  });

  it('rejects bad options and a busy port with a clear error', async () => {
    const log = createMemoryLogger();
    await expect(startMetricsExporter({ host: '127.0.0.1', port: 70000, source, log })).rejects.toThrow(/port must be an integer/);
    await expect(startMetricsExporter({ host: '127.0.0.1', port: 0, bearerToken: '', source, log })).rejects.toThrow(/bearer token is empty/);
    const { exporter } = await start({ source, port: 19393 });
    expect(exporter.port).toBe(19393);
    await expect(startMetricsExporter({ host: '127.0.0.1', port: 19393, source, log })).rejects.toThrow(/cannot listen on 127.0.0.1:19393: EADDRINUSE/);
  });
});

beforeAll(() => {
  // The suite runs real promtool; say what to install rather than fail obscurely.
  try {
    execFileSync('/usr/bin/promtool', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('promtool missing: apt-get install -y prometheus prometheus-node-exporter');
  }
});

describe('cloud series', () => {
  const now = Date.now();
  const cloud: CloudExportSource = {
    help: new Map([['cloud_cpu_utilization_ratio', "Share of the instance's vCPUs in use"]]),
    series: (): ExportedCloudValue[] => [
      { name: 'cloud_cpu_utilization_ratio', labels: { cloud: 'aliyun', account: 'prod', region: 'cn-hangzhou', instance: 'i-1', product: 'ecs' }, value: 0.42, t: now - 3 * 60_000 },
      { name: 'cloud_filesystem_used_ratio', labels: { cloud: 'huawei', account: 'hw', region: 'cn-north-4', instance: 'u-1', product: 'ecs', mountpoint: '/data "x"' }, value: 0.9, t: now - 60_000 },
      // Older than the cloud grace: left out, so Prometheus shows a gap instead of a flat line.
      { name: 'cloud_cpu_utilization_ratio', labels: { cloud: 'aliyun', account: 'prod', region: 'cn-hangzhou', instance: 'i-gone', product: 'ecs' }, value: 0.1, t: now - 45 * 60_000 },
    ],
    instances: () => [{ cloud: 'aliyun', account: 'prod', region: 'cn-hangzhou', product: 'ecs', instance: 'i-1', name: '网站-01' }],
  };
  const stats = new CloudApiStats();
  stats.record({ cloud: 'aliyun', account: 'prod', api: 'DescribeMetricList' }, { seconds: 0.1 });
  stats.recordCycle({ cloud: 'aliyun', account: 'prod', lastDurationSeconds: 2.5, lastCalls: 102, lastMinimumCalls: 100, lastSamples: 5000, instances: 1000, laggingSeries: 0 });
  const families: ExportSource['families'] = (request) => cloudExposition(cloud, stats.snapshot(), stats.cycleSnapshot(), request);

  it('exports canonical names with cloud, account, region, product and instance_id, an info metric with names, and cycle figures; promtool finds nothing', async () => {
    const text = await createMetricsExposition({ source: sourceOf(() => [], undefined, families), log: createMemoryLogger(), processMetrics: false }).render();
    const parsed = parseExposition(text);
    expect(parsed.type.get('cloud_cpu_utilization_ratio')).toBe('gauge');
    expect(text).toContain("# HELP cloud_cpu_utilization_ratio Share of the instance's vCPUs in use");
    expect(parsed.samples.filter((s) => s.name === 'cloud_cpu_utilization_ratio')).toEqual([
      { name: 'cloud_cpu_utilization_ratio', labels: { cloud: 'aliyun', account: 'prod', region: 'cn-hangzhou', instance_id: 'i-1', product: 'ecs' }, value: 0.42 },
    ]);
    expect(parsed.samples.find((s) => s.name === 'cloud_filesystem_used_ratio')?.labels.mountpoint).toBe('/data "x"');
    expect(parsed.samples.find((s) => s.name === 'overlook_cloud_instance_info')?.labels).toEqual({ cloud: 'aliyun', account: 'prod', region: 'cn-hangzhou', product: 'ecs', instance_id: 'i-1', name: '网站-01' });
    expect(parsed.samples.find((s) => s.name === 'overlook_cloud_cycle_api_calls_minimum')).toMatchObject({ labels: { cloud: 'aliyun', account: 'prod' }, value: 100 });
    expect(parsed.samples.find((s) => s.name === 'overlook_cloud_cycle_duration_seconds')?.value).toBe(2.5);
    expect(promtool(text)).toEqual({ code: 0, output: '' });
  });
});
