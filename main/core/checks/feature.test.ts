// Service checks in a running console (real store, provisioning watcher and
// exporter) against real servers on loopback, side by side with Debian's
// blackbox_exporter probing the same targets in the same run: success,
// status codes and certificate expiry agree. The export's names pass
// `promtool check metrics` and a real Prometheus scrape; results reach the
// store like any series; UI checks can be added, run, paused and removed,
// provisioned ones cannot be edited.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckView } from '../../common/checks.js';
import { RpcError } from '../../common/contract.js';
import { makeTestCerts, startTestWebServer, type TestCerts } from '../../testing/checkServers.js';
import { parseExposition } from '../../testing/exporterHosts.js';
import { freePort } from '../../testing/freePort.js';
import { startBlackboxExporter, startPrometheusServer } from '../../testing/promServers.js';
import { startTestCore } from '../../testing/testCore.js';
import { createExportFeature } from '../export/feature.js';
import { topKFeature } from '../topk/feature.js';
import { createChecksFeature } from './feature.js';

const cleanups: (() => Promise<void> | void)[] = [];
let dir: string;
let certs: TestCerts;
const web: Record<string, Awaited<ReturnType<typeof startTestWebServer>>> = {};
let closedPort: number;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-checks-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  certs = makeTestCerts(path.join(dir, 'certs'));
  web.plain = await startTestWebServer();
  for (const k of ['valid', 'expiring', 'expired', 'wrongName'] as const) web[k] = await startTestWebServer({ tls: certs.leaf[k] });
  for (const s of Object.values(web)) cleanups.push(() => s.close());
  closedPort = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}, 60_000);
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Each target once: the check in the provisioning file, the blackbox module and target that probe the same. */
function targets() {
  return [
    { name: 'site-ok', yaml: `http: http://127.0.0.1:${web.plain!.port}/ok\n    body_contains: overlook-ready`, module: 'http_body', target: `http://127.0.0.1:${web.plain!.port}/ok` },
    { name: 'site-redirect', yaml: `http: http://127.0.0.1:${web.plain!.port}/redirect`, module: 'http_2xx', target: `http://127.0.0.1:${web.plain!.port}/redirect` },
    { name: 'site-https', yaml: `http: https://localhost:${web.valid!.port}/ok\n    ca_file: certs/ca.pem`, module: 'http_2xx', target: `https://localhost:${web.valid!.port}/ok` },
    { name: 'tls-expiring', yaml: `tls: localhost:${web.expiring!.port}\n    ca_file: certs/ca.pem`, module: 'tls', target: `localhost:${web.expiring!.port}` },
    { name: 'tls-expired', yaml: `tls: localhost:${web.expired!.port}\n    ca_file: certs/ca.pem`, module: 'tls', target: `localhost:${web.expired!.port}` },
    { name: 'https-wrong-name', yaml: `http: https://localhost:${web.wrongName!.port}/ok\n    ca_file: certs/ca.pem`, module: 'http_2xx', target: `https://localhost:${web.wrongName!.port}/ok` },
    { name: 'port-closed', yaml: `tcp: 127.0.0.1:${closedPort}`, module: 'tcp', target: `127.0.0.1:${closedPort}` },
    { name: 'site-loop', yaml: `http: http://127.0.0.1:${web.plain!.port}/loop\n    max_redirects: 5`, module: 'http_2xx', target: `http://127.0.0.1:${web.plain!.port}/loop` },
  ];
}

const BLACKBOX_MODULES = (caFile: string) => `modules:
  http_2xx:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
      tls_config: { ca_file: ${caFile} }
  http_body:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
      fail_if_body_not_matches_regexp: ['overlook-ready']
  tls:
    prober: tcp
    timeout: 5s
    tcp:
      preferred_ip_protocol: ip4
      tls: true
      tls_config: { ca_file: ${caFile} }
  tcp:
    prober: tcp
    timeout: 5s
    tcp: { preferred_ip_protocol: ip4 }
`;

async function startCore() {
  const config = `checks:\n${targets()
    .map((t) => `  - name: ${t.name}\n    ${t.yaml}\n    interval: 2s\n    timeout: 5s\n`)
    .join('')}  - name: bad-entry\n    http: not a url\n  - name: bad-warn-days\n    tls: localhost:1\n    cert_warn_days: 0\n`;
  return startTestCore(
    {
      prefix: 'ovl-checkfeat-',
      config,
      prepare: (dataDir) => fs.cpSync(path.join(dir, 'certs'), path.join(dataDir, 'certs'), { recursive: true }),
      features: [createExportFeature({ processMetrics: false }), topKFeature, createChecksFeature({ firstRunShare: () => 0 })],
      answers: (name) => name.startsWith('checks/') || name.startsWith('export/') || name === 'topk/query',
    },
    cleanups,
  );
}

const resultOf = (list: CheckView[], name: string) => list.find((c) => c.name === name)?.results[0];

describe('service checks in a running console', () => {
  it('runs the provisioned checks, agrees with blackbox_exporter on the same targets, exports blackbox names that promtool and Prometheus accept, and stores the history', async () => {
    const c = await startCore();
    // The bad entry is reported and left out; the others run.
    expect(c.log.lines.some((l) => l.includes('checks[8]') && l.includes('http'))).toBe(true);
    expect(c.log.lines.find((l) => l.includes('checks[9]'))).toMatch(/cert_warn_days.*1 to 365 days/);
    await expect.poll(async () => ((await c.call('checks/list')) as CheckView[]).filter((v) => v.results.length > 0).length, { timeout: 20_000 }).toBe(8);
    const list = (await c.call('checks/list')) as CheckView[];
    expect(list.map((v) => v.name).sort()).toEqual(targets().map((t) => t.name).sort());
    expect(list.every((v) => v.provisioned && v.vantages.join() === 'console')).toBe(true);
    expect(resultOf(list, 'site-ok')).toMatchObject({ vantage: 'console', up: true, statusCode: 200 });
    expect(resultOf(list, 'site-redirect')).toMatchObject({ up: true, statusCode: 200 });
    expect(resultOf(list, 'site-https')).toMatchObject({ up: true, statusCode: 200, certExpiry: certs.leaf.valid.notAfter });
    expect(resultOf(list, 'tls-expiring')).toMatchObject({ up: true, certExpiry: certs.leaf.expiring.notAfter });
    expect(resultOf(list, 'tls-expired')).toMatchObject({ up: false, detail: 'certificate has expired', certExpiry: certs.leaf.expired.notAfter });
    expect(resultOf(list, 'https-wrong-name')).toMatchObject({ up: false, detail: 'certificate is not valid for localhost' });
    expect(resultOf(list, 'port-closed')).toMatchObject({ up: false, detail: `connection refused at 127.0.0.1:${closedPort}` });
    expect(resultOf(list, 'site-loop')).toMatchObject({ up: false, detail: 'more than 5 redirects (a redirect loop?)' });

    // blackbox_exporter on the same targets, in the same run.
    const bbDir = path.join(dir, 'bb');
    fs.mkdirSync(bbDir, { recursive: true });
    const bb = await startBlackboxExporter({ dir: bbDir, config: BLACKBOX_MODULES(certs.caFile), listenPort: await freePort() });
    cleanups.push(() => bb.stop());
    for (const t of targets()) {
      const text = await (await fetch(`${bb.url}/probe?module=${t.module}&target=${encodeURIComponent(t.target)}`)).text();
      const samples = parseExposition(text).samples;
      const value = (name: string) => samples.find((s) => s.name === name)?.value;
      const ours = resultOf(list, t.name)!;
      expect({ check: t.name, success: value('probe_success') === 1 }).toEqual({ check: t.name, success: ours.up });
      if (t.module.startsWith('http') && ours.statusCode !== undefined && value('probe_http_status_code') !== 0) expect({ check: t.name, status: value('probe_http_status_code') }).toEqual({ check: t.name, status: ours.statusCode });
      const theirExpiry = value('probe_ssl_earliest_cert_expiry');
      if (theirExpiry !== undefined) expect({ check: t.name, expiry: theirExpiry }).toEqual({ check: t.name, expiry: ours.certExpiry });
    }

    // /metrics: blackbox's names with check and vantage labels; promtool has no remark.
    const port = await freePort();
    await c.call('export/update', { enabled: true, listen: `127.0.0.1:${port}` });
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).toContain('probe_success{check="site-ok",vantage="console"} 1');
    expect(text).toContain('probe_success{check="tls-expired",vantage="console"} 0');
    expect(text).toContain('probe_http_status_code{check="site-https",vantage="console"} 200');
    expect(text).toContain(`probe_ssl_earliest_cert_expiry{check="tls-expiring",vantage="console"} ${certs.leaf.expiring.notAfter}`);
    expect(text).toMatch(/probe_http_duration_seconds\{check="site-ok",vantage="console",phase="processing"\} [0-9.e-]+/);
    let promtool = '';
    try {
      promtool = execFileSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
      const e = err as { stdout: string; stderr: string };
      promtool = `${e.stdout}${e.stderr}`;
    }
    expect(promtool.split('\n').filter((l) => l.startsWith('probe_'))).toEqual([]);

    // A real Prometheus scrapes it.
    const promDir = path.join(dir, 'prom');
    fs.mkdirSync(promDir, { recursive: true });
    const prom = await startPrometheusServer({ dir: promDir, listenPort: await freePort(), config: `global: { scrape_interval: 1s }\nscrape_configs:\n  - job_name: overlook\n    static_configs: [{ targets: ['127.0.0.1:${port}'] }]\n` });
    cleanups.push(() => prom.stop());
    await expect
      .poll(
        async () => {
          const r = (await (await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent('probe_success{check="site-ok"}')}`)).json()) as { data?: { result: { value: [number, string] }[] } };
          return r.data?.result[0]?.value[1];
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe('1');

    // History like any series.
    const series = (await c.call('series/query', { selectors: [{ name: 'probe_success', matchers: [{ label: 'check', op: '=', value: 'tls-expired' }] }], from: 0, to: Date.now() + 60_000, maxPoints: 100 })) as unknown as { labels: Record<string, string>; points: number[][] }[];
    expect(series[0]?.labels).toMatchObject({ check: 'tls-expired', vantage: 'console' });
    expect(series[0]!.points.length).toBeGreaterThan(0);
    expect(series[0]!.points.map((p) => p[1])).toEqual(series[0]!.points.map(() => 0));

    // Top-K by latency: one row per check and vantage point.
    const top = (await c.call('topk/query', { kind: 'check', metric: 'probe_duration_seconds', aggregate: 'max', from: 0, to: Date.now() + 1000, k: 100, order: 'desc', points: 10 })) as { rows: { entity: string; labels: Record<string, string> }[] };
    expect(top.rows.map((r) => r.entity).sort()).toEqual(targets().map((t) => `${t.name}/console`).sort());

    // A provisioned check is read-only.
    await expect(c.call('checks/remove', { name: 'site-ok' })).rejects.toMatchObject({ code: 'provisioned' });
  }, 120_000);

  it('adds a check in the UI, runs it now, sees it go down when the server breaks, pauses and removes it', async () => {
    const c = await startCore();
    const url = `http://127.0.0.1:${web.plain!.port}/ok`;
    const added = (await c.call('checks/add', { name: 'ui-check', kind: 'http', target: url, http: { url }, intervalMs: 60_000 })) as CheckView;
    expect(added).toMatchObject({ name: 'ui-check', provisioned: false, enabled: true, vantages: ['console'] });
    expect(JSON.parse(fs.readFileSync(path.join(c.dataDir, 'checks.json'), 'utf8')).checks[0]).toMatchObject({ name: 'ui-check', target: url });
    expect(((await c.call('checks/run', { name: 'ui-check' })) as CheckView).results[0]).toMatchObject({ up: true, statusCode: 200 });
    web.plain!.behaviour.status = 500;
    try {
      expect(((await c.call('checks/run', { name: 'ui-check' })) as CheckView).results[0]).toMatchObject({ up: false, statusCode: 500, detail: 'status 500' });
    } finally {
      web.plain!.behaviour.status = 200;
    }
    await expect(c.call('checks/add', { name: 'ui-check', kind: 'tcp', target: '127.0.0.1:1' })).rejects.toBeInstanceOf(RpcError);
    await expect(c.call('checks/add', { name: 'via-nowhere', kind: 'tcp', target: '127.0.0.1:1', vantages: ['no-such-host'] })).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await c.call('checks/set-enabled', { name: 'ui-check', enabled: false })).toMatchObject({ enabled: false });
    expect(await c.call('checks/remove', { name: 'ui-check' })).toBe(true);
    expect(((await c.call('checks/list')) as CheckView[]).some((v) => v.name === 'ui-check')).toBe(false);
  }, 60_000);
});
