// Each host as its own target, over HTTP: the discovery answer in
// Prometheus's http_sd format, the per-host exposition without the `host`
// label, 503 for a host that is down, 404 for one the console does not have,
// and the export's auth in front of both. promtool checks a per-host answer.
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../log.js';
import { EMPTY_CONSOLE_HEALTH } from './consoleHealth.js';
import { startMetricsExporter, type ExportSource, type MetricsExporter } from './exporter.js';
import { parseExposition, testHost } from '../../testing/exporterHosts.js';
import type { ExportedHost } from './hostFamilies.js';
import { hostIdOfPath, hostMetricsHref, hostMetricsPath, targetAddress, targetGroups, type ExportTarget } from './hostTargets.js';

interface Fleet {
  target: ExportTarget;
  exported: ExportedHost;
  status: string;
}

const ODD_ID = 'db/主 1';
function fleet(): Fleet[] {
  return [
    { target: { id: 'local', name: 'laptop', source: 'local', os: 'Debian GNU/Linux 12 (bookworm)', tags: [] }, exported: testHost('laptop', 10), status: 'online' },
    { target: { id: 'web-1', name: 'web 1', source: 'ssh', tags: ['prod', 'eu-west'] }, exported: testHost('web 1', 20), status: 'online' },
    { target: { id: ODD_ID, name: '数据库', source: 'node_exporter', tags: ['数据'] }, exported: testHost('数据库', 30), status: 'online' },
    { target: { id: 'gone', name: 'gone', source: 'ssh', tags: [] }, exported: { ...testHost('gone', 40), up: false }, status: 'offline' },
    { target: { id: 'quiet', name: 'quiet', source: 'pushed', tags: [] }, exported: { ...testHost('quiet', 50), lastSampleAt: Date.now() - 600_000 }, status: 'online' },
  ];
}

function sourceOf(hosts: Fleet[]): ExportSource {
  return {
    hosts: () => hosts.map((h) => h.exported),
    health: () => EMPTY_CONSOLE_HEALTH,
    targets: () => hosts.map((h) => h.target),
    host: (id) => {
      const h = hosts.find((x) => x.target.id === id);
      return h && { exported: h.exported, status: h.status };
    },
  };
}

const exporters: MetricsExporter[] = [];
async function start(source: ExportSource, auth: { bearerToken?: string; basicAuth?: { username: string; password: string } } = {}) {
  const exporter = await startMetricsExporter({ host: '127.0.0.1', port: 0, log: createMemoryLogger(), processMetrics: false, source, ...auth });
  exporters.push(exporter);
  return exporter;
}
afterEach(async () => {
  await Promise.all(exporters.splice(0).map((e) => e.close()));
});

const base = (e: MetricsExporter) => e.url.replace(/\/metrics$/, '');

describe('host paths', () => {
  it('gives Prometheus the id unescaped (it escapes the path itself) and decodes what arrives, "/" included', () => {
    expect(hostMetricsPath(ODD_ID)).toBe('/metrics/host/db/主 1');
    // What Go's url.URL{Path: …}.String() sends for that path.
    expect(hostIdOfPath('/metrics/host/db/%E4%B8%BB%201')).toBe(ODD_ID);
    expect(hostIdOfPath(hostMetricsHref(ODD_ID))).toBe(ODD_ID);
    expect(hostIdOfPath('/metrics/host/')).toBeUndefined();
    expect(hostIdOfPath('/metrics/host/%E4%B8')).toBeUndefined();
    expect(hostIdOfPath('/metrics')).toBeUndefined();
  });

  it('takes the target address from a plain Host header, else from the listener', () => {
    expect(targetAddress('console.lan:9309', '0.0.0.0', 9309)).toBe('console.lan:9309');
    expect(targetAddress('[::1]:9309', '::1', 9309)).toBe('[::1]:9309');
    expect(targetAddress('evil"host/x', '127.0.0.1', 9309)).toBe('127.0.0.1:9309');
    expect(targetAddress(undefined, '::1', 9309)).toBe('[::1]:9309');
  });

  it('labels each group with instance, the path and __meta_overlook_* (tags joined and one per tag)', () => {
    const [local, web, db] = targetGroups(
      fleet().map((h) => h.target),
      '127.0.0.1:9309',
    );
    expect(local).toEqual({
      targets: ['127.0.0.1:9309'],
      labels: {
        instance: 'laptop',
        __metrics_path__: '/metrics/host/local',
        __meta_overlook_host_id: 'local',
        __meta_overlook_host_name: 'laptop',
        __meta_overlook_source: 'local',
        __meta_overlook_os: 'Debian GNU/Linux 12 (bookworm)',
        __meta_overlook_tags: '',
      },
    });
    expect(web!.labels).toMatchObject({ __meta_overlook_tags: ',prod,eu-west,', __meta_overlook_tagpresent_prod: 'true', __meta_overlook_tagpresent_eu_west: 'true', __meta_overlook_os: '' });
    expect(db!.labels).toMatchObject({ instance: '数据库', __metrics_path__: '/metrics/host/db/主 1', __meta_overlook_tagpresent___: 'true' });
    for (const group of [local, web, db]) for (const name of Object.keys(group!.labels)) expect(name).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]*$/);
  });

  it('leaves out a host whose name an earlier host has (one instance, one host), as /metrics does with its host label', () => {
    const groups = targetGroups(
      [
        { id: 'a', name: 'twin', source: 'ssh', tags: [] },
        { id: 'b', name: 'twin', source: 'pushed', tags: [] },
        { id: 'c', name: 'other', source: 'ssh', tags: [] },
      ],
      '127.0.0.1:9309',
    );
    expect(groups.map((g) => g.labels.__meta_overlook_host_id)).toEqual(['a', 'c']);
  });
});

describe('over HTTP', () => {
  it('answers discovery with JSON, one group per host, the address as the client reached it; [] with no host', async () => {
    const e = await start(sourceOf(fleet()));
    const res = await fetch(`${base(e)}/sd/hosts`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const groups = (await res.json()) as { targets: string[]; labels: Record<string, string> }[];
    expect(groups.map((g) => g.labels.__meta_overlook_host_id)).toEqual(['local', 'web-1', ODD_ID, 'gone', 'quiet']);
    expect(new Set(groups.flatMap((g) => g.targets))).toEqual(new Set([`127.0.0.1:${e.port}`]));
    expect(e.sdUrl).toBe(`${base(e)}/sd/hosts`);

    const empty = await start(sourceOf([]));
    const none = await fetch(empty.sdUrl);
    expect(none.status).toBe(200);
    expect(await none.text()).toBe('[]');
  });

  it('serves a host’s series alone, without the host label, as the whole-fleet scrape has them with it', async () => {
    const e = await start(sourceOf(fleet()));
    const one = await fetch(`${base(e)}/metrics/host/web-1`);
    expect(one.status).toBe(200);
    expect(one.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const mine = parseExposition(await one.text());
    const all = parseExposition(await (await fetch(e.url)).text());
    const fromFleet = all.samples.filter((s) => s.labels.host === 'web 1').map((s) => {
      const { host: _host, ...labels } = s.labels;
      return { ...s, labels };
    });
    expect(mine.samples.length).toBeGreaterThan(20);
    expect(mine.samples).toEqual(fromFleet.filter((s) => s.name !== 'overlook_host_up'));
    expect(mine.samples.some((s) => 'host' in s.labels)).toBe(false);
    expect(mine.type.get('node_cpu_seconds_total')).toBe('counter');
    // An id Prometheus escapes, as it sends it.
    const odd = await fetch(`${base(e)}/metrics/host/db/%E4%B8%BB%201`);
    expect(odd.status).toBe(200);
    expect(await odd.text()).toContain('node_load1 0.42');
  });

  it('answers 503 with the reason for a host that is offline or stale, and 404 for one it does not have', async () => {
    const e = await start(sourceOf(fleet()));
    const offline = await fetch(`${base(e)}/metrics/host/gone`);
    expect(offline.status).toBe(503);
    expect(await offline.text()).toMatch(/^host gone is offline; latest sample \d+ s ago\n$/);
    const stale = await fetch(`${base(e)}/metrics/host/quiet`);
    expect(stale.status).toBe(503);
    expect(await stale.text()).toMatch(/^host quiet is stale; latest sample 600 s ago\n$/);
    const unknown = await fetch(`${base(e)}/metrics/host/nobody`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe('no host with id "nobody"\n');
    expect((await fetch(`${base(e)}/metrics/host/%E4%B8`)).status).toBe(404);
    expect((await fetch(`${base(e)}/metrics/host/`)).status).toBe(404);
    expect((await fetch(`${base(e)}/sd/hosts`, { method: 'POST' })).status).toBe(405);
  });

  it('requires the export’s bearer token or basic auth on discovery and on every host', async () => {
    const bearer = await start(sourceOf(fleet()), { bearerToken: 'sd-token' });
    for (const path of ['/sd/hosts', '/metrics/host/local', '/metrics/host/nobody']) {
      const none = await fetch(`${base(bearer)}${path}`);
      expect(none.status, path).toBe(401);
      expect(await none.text()).toBe('unauthorized\n');
      expect((await fetch(`${base(bearer)}${path}`, { headers: { Authorization: 'Bearer wrong' } })).status, path).toBe(401);
    }
    expect((await fetch(`${base(bearer)}/sd/hosts`, { headers: { Authorization: 'Bearer sd-token' } })).status).toBe(200);
    expect((await fetch(`${base(bearer)}/metrics/host/local`, { headers: { Authorization: 'Bearer sd-token' } })).status).toBe(200);

    const basic = await start(sourceOf(fleet()), { basicAuth: { username: 'prometheus', password: 'pw' } });
    expect((await fetch(`${base(basic)}/sd/hosts`)).status).toBe(401);
    const good = 'Basic ' + Buffer.from('prometheus:pw').toString('base64');
    expect((await fetch(`${base(basic)}/sd/hosts`, { headers: { Authorization: good } })).status).toBe(200);
    expect((await fetch(`${base(basic)}/metrics/host/local`, { headers: { Authorization: good } })).status).toBe(200);
  });

  it('passes promtool check metrics on a host’s own exposition', async () => {
    const e = await start(sourceOf(fleet()));
    const text = await (await fetch(`${base(e)}/metrics/host/local`)).text();
    let output: string;
    let code = 0;
    try {
      output = execFileSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
      const x = err as { status: number; stdout: string; stderr: string };
      code = x.status;
      output = `${x.stdout}${x.stderr}`;
    }
    // node_exporter's own camelCase memory names are the only remarks promtool has, as on the whole-fleet scrape.
    const remarks = output.trim().split('\n').filter((l) => l && !/^node_memory_\w+ metric names should be written in 'snake_case' not 'camelCase'$/.test(l));
    expect(remarks, output).toEqual([]);
    expect(code === 0 || remarks.length === 0).toBe(true);
  });
});
