// Each host its own Prometheus target, with real parts: a headless core
// watching this machine through the real agent, an SSH host (OpenSSH's sshd
// on loopback, the agent deployed over it), node_exporters (Debian's) on
// loopback and a host pushed by a Prometheus agent, its export behind a token, and a real Prometheus (Debian's)
// configured with the two scrape configurations the README shows — read from
// the README itself, so the README cannot drift from what is tested.
// Prometheus discovers each host through /sd/hosts with instance = the host,
// sees a host added and a host removed, records up == 0 for a host whose
// node_exporter stopped, and the whole-fleet job with its relabelling gives
// the same instances.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExportFeature } from './feature.js';
import { createScrapeTargetsFeature } from '../scrapeTargets/feature.js';
import { createLocalAgentHost } from '../localHost.js';
import { freePort } from '../../testing/freePort.js';
import { makePromTempDir, promtoolRemarksBeyondNodeExporter, startNodeExporter, startPrometheusAgent, startPrometheusServer, type RunningProcess } from '../../testing/promServers.js';
import { startTestCore } from '../../testing/testCore.js';
import { createPushReceiverFeature } from '../pushReceiver/feature.js';
import { createSshFeature } from '../ssh/feature.js';
import { sha256Fingerprint } from '../ssh/knownHosts.js';
import { ensureTestUser, makeTempDir, removeTempDir, startSshd, type SshServer } from '../../testing/sshServers.js';

const README = fs.readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** The YAML block after `<!-- marker -->` in the README. */
function readmeBlock(marker: string): string {
  const match = new RegExp(`<!-- ${marker} -->\\n\`\`\`yaml\\n([\\s\\S]*?)\`\`\``).exec(README);
  if (!match) throw new Error(`README.md has no yaml block after <!-- ${marker} -->`);
  return match[1]!;
}

/** Replaces each `from` (which must be in the text, or the README changed under the test) with its `to`. */
function substitute(text: string, pairs: readonly (readonly [string, string])[]): string {
  let out = text;
  for (const [from, to] of pairs) {
    if (!out.includes(from)) throw new Error(`the README's Prometheus block no longer contains ${JSON.stringify(from)}; update this test with it`);
    out = out.split(from).join(to);
  }
  return out;
}

const TOKEN = 'sd-token-for-prometheus';
const SSH_REQUESTS = new Set(['hosts/add', 'hosts/update', 'hosts/remove', 'hosts/set-enabled', 'hosts/definition', 'hosts/test', 'hosts/accept-key', 'hosts/ssh-config', 'hosts/import']);
const cleanups: (() => Promise<void> | void)[] = [];
let dir: string;
let exportBase: string;
let prom: RunningProcess & { url: string };
let call: Awaited<ReturnType<typeof startTestCore>>['call'];
let neA: RunningProcess & { url: string };
let neB: RunningProcess & { url: string };
let sshd: SshServer;
let receiverPort: number;
const PUSH_TOKEN = 'push-token-0123456789abcdef';

interface ActiveTarget {
  labels: Record<string, string>;
  discoveredLabels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  health: string;
  lastError: string;
}

async function targets(job: string): Promise<ActiveTarget[]> {
  const body = (await (await fetch(`${prom.url}/api/v1/targets?state=active`)).json()) as { data: { activeTargets: ActiveTarget[] } };
  return body.data.activeTargets.filter((t) => t.scrapePool === job);
}

async function query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  if (body.status !== 'success') throw new Error(`query ${promql} failed: ${JSON.stringify(body)}`);
  return body.data.result;
}

/** Polls `read` until `done` holds for what it returns; on timeout, fails with the last value and Prometheus's targets. */
async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let error: unknown;
  while (Date.now() < deadline) {
    try {
      last = await read();
      if (done(last)) return last;
    } catch (err) {
      error = err;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const all = await fetch(`${prom.url}/api/v1/targets`).then((r) => r.text(), (err: Error) => err.message);
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}; error: ${String(error)}\ntargets: ${all.slice(0, 3000)}\nprometheus: ${prom.output().slice(-2000)}`);
}

const byInstance = (rows: { metric: Record<string, string>; value: [number, string] }[]) => Object.fromEntries(rows.map((r) => [r.metric.instance, r.value[1]]));

beforeAll(async () => {
  dir = makePromTempDir('sd');
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const tokenFile = path.join(dir, 'overlook.token');
  fs.writeFileSync(tokenFile, TOKEN, { mode: 0o600 });
  const [exportPort, promPort, portA, portB] = [await freePort(), await freePort(), await freePort(), await freePort()];
  receiverPort = await freePort();
  exportBase = `http://127.0.0.1:${exportPort}`;

  neA = await startNodeExporter({ host: '127.0.0.1', port: portA });
  cleanups.push(() => neA.stop());
  neB = await startNodeExporter({ host: '127.0.0.1', port: portB });
  cleanups.push(() => neB.stop());

  // An SSH host, declared in the provisioning file with its key pinned.
  const user = await ensureTestUser();
  sshd = await startSshd({ port: await freePort() });
  cleanups.push(() => sshd.stop());
  const home = makeTempDir('sd-home');
  cleanups.push(() => removeTempDir(home));
  const agentDir = `.cache/overlook-sd-${crypto.randomBytes(3).toString('hex')}`;
  cleanups.push(() => fs.rmSync(path.join(user.home, agentDir), { recursive: true, force: true }));
  const sshHost = `  - name: lab-ssh\n    address: ${user.name}@127.0.0.1:${sshd.port}\n    password_env: LAB_PW\n    interval: 1s\n    host_key: ${sha256Fingerprint(sshd.hostKey().blob)}\n    tags: [edge]\n`;

  const t = await startTestCore(
    {
      prefix: 'ovl-sd-',
      features: [
        createExportFeature({ processMetrics: false }),
        createScrapeTargetsFeature(),
        createSshFeature({ home, agentDir, env: { LAB_PW: user.password }, readyTimeoutMs: 5000 }),
        createPushReceiverFeature({ env: { PUSH_TOKEN }, settleMs: 1500 }),
      ],
      answers: (r) => r.startsWith('targets/') || r.startsWith('export/') || r.startsWith('receiver/') || SSH_REQUESTS.has(r),
      config:
        `version: 1\nexport:\n  listen: 127.0.0.1:${exportPort}\n  token_file: ${tokenFile}\nhosts:\n${sshHost}` +
        `remote_write_receiver:\n  listen: 127.0.0.1:${receiverPort}\n  token_env: PUSH_TOKEN\n  interval: 2s\n`,
      localSource: createLocalAgentHost({ intervalMs: 1000, engine: false }),
    },
    cleanups,
  );
  call = t.call;
  await call('targets/add', { name: 'ne-a', nodeExporter: neA.url, intervalMs: 1000, tags: ['lab', 'web-tier'] });

  const perHost = substitute(readmeBlock('prometheus-per-host'), [
    ['http://127.0.0.1:9309', exportBase],
    ['/etc/prometheus/overlook.token', tokenFile],
    ['refresh_interval: 30s', 'refresh_interval: 1s'],
    ['scrape_interval: 15s', 'scrape_interval: 1s'],
  ]);
  const wholeFleet = substitute(readmeBlock('prometheus-whole-fleet'), [
    ["'127.0.0.1:9309'", `'127.0.0.1:${exportPort}'`],
    ['/etc/prometheus/overlook.token', tokenFile],
    ['scrape_interval: 15s', 'scrape_interval: 1s'],
  ]);
  // One Prometheus runs both jobs: the second block's list joins the first's.
  const config = `global:\n  evaluation_interval: 1s\n${perHost}${wholeFleet.replace(/^scrape_configs:\n/, '')}`;
  prom = await startPrometheusServer({ dir, config, listenPort: promPort });
  cleanups.push(() => prom.stop());
}, 90_000);

afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('Prometheus discovering the console’s hosts over HTTP SD', () => {
  it('scrapes each host as its own target, instance = the host’s name, up == 1, with the meta labels to relabel by', { timeout: 90_000 }, async () => {
    const up = await until('up == 1 for local, lab-ssh and ne-a', () => query('up{job="overlook-hosts"}'), (r) => byInstance(r).local === '1' && byInstance(r)['ne-a'] === '1' && byInstance(r)['lab-ssh'] === '1');
    expect(byInstance(up)).toEqual({ local: '1', 'lab-ssh': '1', 'ne-a': '1' });

    const found = await targets('overlook-hosts');
    const a = found.find((t) => t.labels.instance === 'ne-a')!;
    expect(a.scrapeUrl).toBe(`${exportBase}/metrics/host/${a.discoveredLabels.__meta_overlook_host_id}`);
    expect(a.discoveredLabels).toMatchObject({
      __meta_overlook_host_name: 'ne-a',
      __meta_overlook_source: 'node_exporter',
      __meta_overlook_tags: ',lab,web-tier,',
      __meta_overlook_tagpresent_lab: 'true',
      __meta_overlook_tagpresent_web_tier: 'true',
      __meta_url: `${exportBase}/sd/hosts`,
    });
    const local = found.find((t) => t.labels.instance === 'local')!;
    expect(local.discoveredLabels).toMatchObject({ __meta_overlook_host_id: 'local', __meta_overlook_source: 'local' });
    // The SSH host's OS is known once its agent reported it; discovery carries it from the next refresh.
    const ssh = await until('lab-ssh discovered with its OS', () => targets('overlook-hosts'), (ts) => (ts.find((t) => t.labels.instance === 'lab-ssh')?.discoveredLabels.__meta_overlook_os ?? '') !== '');
    expect(ssh.find((t) => t.labels.instance === 'lab-ssh')!.discoveredLabels).toMatchObject({
      __meta_overlook_host_id: 'lab-ssh',
      __meta_overlook_source: 'ssh',
      __meta_overlook_tags: ',edge,',
      __meta_overlook_os: expect.stringMatching(/Linux/),
    });
    // The meta labels are for relabelling only: none reaches the stored series.
    expect(Object.keys(a.labels).sort()).toEqual(['instance', 'job']);

    // The hosts' series carry instance = host and no host label; counters come through as counters.
    const load = await until('node_load1 of every host', () => query('node_load1{job="overlook-hosts"}'), (r) => r.length === 3);
    expect(load.map((r) => r.metric.instance).sort()).toEqual(['lab-ssh', 'local', 'ne-a']);
    for (const r of load) expect(r.metric.host).toBeUndefined();
    const cpu = await until('a CPU rate for ne-a', () => query('sum by (instance) (rate(node_cpu_seconds_total{job="overlook-hosts",instance="ne-a"}[5s]))'), (r) => r.length === 1);
    expect(Number(cpu[0]!.value[1])).toBeGreaterThan(0);

    // The whole-fleet job with the README's relabelling gives the same hosts as instances.
    const fleet = await until('node_load1 from the whole-fleet job', () => query('node_load1{job="overlook"}'), (r) => r.length === 3);
    expect(fleet.map((r) => r.metric.instance).sort()).toEqual(['lab-ssh', 'local', 'ne-a']);
    for (const r of fleet) expect(r.metric.host).toBeUndefined();
    const hostUp = await query('overlook_host_up{job="overlook"}');
    expect(byInstance(hostUp)).toEqual({ local: '1', 'lab-ssh': '1', 'ne-a': '1' });
  });

  it('gives per-host expositions of real hosts that promtool finds nothing in that it does not find in node_exporter’s own', async () => {
    const theirs = await (await fetch(neA.url)).text();
    for (const id of ['local', 'lab-ssh']) {
      const res = await fetch(`${exportBase}/metrics/host/${id}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(res.status, id).toBe(200);
      const text = await res.text();
      expect(text).toMatch(/^node_cpu_seconds_total\{cpu="0",mode="idle"\} \d/m);
      expect(text).not.toMatch(/\bhost="/);
      expect(promtoolRemarksBeyondNodeExporter(text, theirs), id).toEqual([]);
    }
  });

  it('finds a host added in the console and drops a host removed', { timeout: 90_000 }, async () => {
    const added = await call('targets/add', { name: 'ne-b', nodeExporter: neB.url, intervalMs: 1000, tags: [] });
    const withB = await until('ne-b discovered and up', () => query('up{job="overlook-hosts"}'), (r) => byInstance(r)['ne-b'] === '1');
    expect(byInstance(withB)).toMatchObject({ local: '1', 'lab-ssh': '1', 'ne-a': '1', 'ne-b': '1' });
    expect((await targets('overlook-hosts')).find((t) => t.labels.instance === 'ne-b')?.scrapeUrl).toBe(`${exportBase}/metrics/host/${added.id}`);

    const hostA = (await call('hosts/list')).find((h) => h.name === 'ne-a')!;
    await call('targets/remove', { hostId: hostA.id });
    const left = await until('ne-a gone from the targets', () => targets('overlook-hosts'), (ts) => !ts.some((t) => t.labels.instance === 'ne-a'));
    expect(left.map((t) => t.labels.instance).sort()).toEqual(['lab-ssh', 'local', 'ne-b']);
  });

  it('records up == 0 for a host whose node_exporter stopped (its path answers 503), its series going stale, and for an SSH host whose server died', { timeout: 90_000 }, async () => {
    await until('ne-b up', () => query('up{job="overlook-hosts",instance="ne-b"}'), (r) => r[0]?.value[1] === '1');
    await neB.stop();
    const down = await until('up == 0 for ne-b', () => query('up{job="overlook-hosts"}'), (r) => byInstance(r)['ne-b'] === '0');
    expect(byInstance(down)).toMatchObject({ local: '1', 'ne-b': '0' });
    const target = (await targets('overlook-hosts')).find((t) => t.labels.instance === 'ne-b')!;
    expect(target.health).toBe('down');
    expect(target.lastError).toContain('503');
    // Its series go stale rather than repeating the last value.
    await until('ne-b’s series marked stale', () => query('node_load1{job="overlook-hosts",instance="ne-b"}'), (r) => r.length === 0);

    // An SSH host whose server dies with every session under it.
    await sshd.crash();
    const sshDown = await until('up == 0 for lab-ssh', () => query('up{job="overlook-hosts"}'), (r) => byInstance(r)['lab-ssh'] === '0');
    expect(byInstance(sshDown)).toMatchObject({ local: '1', 'lab-ssh': '0', 'ne-b': '0' });
  });

  it('asks for the export’s token on discovery and on each host', async () => {
    for (const p of ['/sd/hosts', '/metrics/host/local']) {
      expect((await fetch(`${exportBase}${p}`)).status, p).toBe(401);
      expect((await fetch(`${exportBase}${p}`, { headers: { Authorization: 'Bearer not-it' } })).status, p).toBe(401);
    }
    const sd = await fetch(`${exportBase}/sd/hosts`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(sd.status).toBe(200);
    expect(((await sd.json()) as unknown[]).length).toBe(3);
  });

  it('discovers a host pushed by a Prometheus agent as a target of its own', { timeout: 120_000 }, async () => {
    // ne-a's node_exporter still runs (only the console forgot it): a Prometheus agent scrapes it and pushes to the console.
    const agentDir = makePromTempDir('sd-agent');
    cleanups.push(() => fs.rmSync(agentDir, { recursive: true, force: true }));
    const agent = await startPrometheusAgent({
      scrape: neA.url.replace(/^http:\/\//, '').replace(/\/metrics$/, ''),
      remoteWriteUrl: `http://127.0.0.1:${receiverPort}/api/v1/write`,
      token: PUSH_TOKEN,
      scrapeIntervalSeconds: 1,
      dir: agentDir,
      listenPort: await freePort(),
    });
    cleanups.push(() => agent.stop());
    const withPushed = await until('the pushed host discovered and up', () => targets('overlook-hosts'), (ts) => ts.some((t) => t.discoveredLabels.__meta_overlook_source === 'pushed' && t.health === 'up'), 90_000);
    const pushed = withPushed.find((t) => t.discoveredLabels.__meta_overlook_source === 'pushed')!;
    expect(pushed.labels.instance).toBe(pushed.discoveredLabels.__meta_overlook_host_name);
    const up = await until('up == 1 for the pushed host', () => query(`up{job="overlook-hosts",instance="${pushed.labels.instance}"}`), (r) => r[0]?.value[1] === '1');
    expect(up).toHaveLength(1);
  });
});
