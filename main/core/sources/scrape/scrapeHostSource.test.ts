// node_exporter hosts with real parts. Debian's node_exporter on loopback,
// scraped between two samples of the agent on the same machine: every
// counter lies between the agent's two readings (CPU seconds per CPU and
// mode, disk and network bytes) and every gauge within their spread (memory,
// filesystems), so the two kinds of host agree within what one interval
// allows. Then a node_exporter inside a network namespace, declared under
// `hosts:` in the provisioning file, becomes a host whose network counters
// are the namespace's own. And the scrape's own failures: a refused token,
// an untrusted certificate (trusted with the CA file), a redirect, a body
// too large, an HTML page.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawSeries } from '../../../common/series.js';
import { createScrapeTargetsFeature } from '../../scrapeTargets/feature.js';
import { runAgentOnce } from '../agent/localAgent.js';
import { observationFromSamples } from '../../prometheus/hostObservation.js';
import type { HostObservation } from '../../model/observation.js';
import { freePort } from '../../../testing/freePort.js';
import { startNodeExporter } from '../../../testing/promServers.js';
import { createNetnsHost } from '../../../testing/sshServers.js';
import { startTestCore } from '../../../testing/testCore.js';
import { scrapeExposition } from './scrapeHostSource.js';
import { ScrapeError } from './scrapeClient.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const valueOf = (obs: HostObservation, name: string, labels: Record<string, string> = {}) =>
  obs.series.find((s: RawSeries) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

/** `ne` lies between the agent's readings a and b, widened by `slack` (tick rounding, pages moving between reads). */
function between(what: string, ne: number | undefined, a: number | undefined, b: number | undefined, slack: number) {
  expect(ne, `${what}: node_exporter has it`).toBeDefined();
  expect(a, `${what}: the agent has it`).toBeDefined();
  const lo = Math.min(a!, b!) - slack;
  const hi = Math.max(a!, b!) + slack;
  expect(ne! >= lo && ne! <= hi, `${what}: ${ne} not within [${lo}, ${hi}]`).toBe(true);
}

/** Two agent samples `intervalMs` apart with one node_exporter scrape in between. */
async function bracketed(url: string, agent: { shell?: string } = {}) {
  const intervalMs = 3000;
  const agentRun = runAgentOnce({ intervalMs, ...agent });
  await new Promise((r) => setTimeout(r, intervalMs / 2));
  const scraped = await scrapeExposition({ url, timeoutMs: 5000, maxBytes: 16 << 20 });
  const t = Date.now();
  const [first, second] = await agentRun;
  expect(first.t < t && t < second.t, 'the scrape fell between the two agent samples').toBe(true);
  return { first, second, ne: observationFromSamples(scraped.samples, { t, types: scraped.types }) };
}

describe('a node_exporter host next to the agent on the same machine', () => {
  it('agrees with the agent within one interval: CPU, memory, filesystems, disks and network', async () => {
    const port = await freePort();
    const ne = await startNodeExporter({ host: '127.0.0.1', port });
    cleanups.push(() => ne.stop());
    const { first, second, ne: obs } = await bracketed(ne.url);

    expect(obs.facts.hostname).toBe(first.facts.hostname);
    expect(obs.facts.kernel).toBe(first.facts.kernel);
    expect(obs.facts.cpus).toBe(first.facts.cpus);
    expect(obs.processes).toEqual([]);
    // Uptime from node_time − node_boot_time; the agent reads /proc/uptime.
    between('uptime', obs.monotonicSeconds, first.monotonicSeconds, second.monotonicSeconds, 2);

    // /proc/stat ticks are 1/100 s; node_exporter and the agent read the same counters.
    for (const s of obs.series.filter((x) => x.name === 'node_cpu_seconds_total')) {
      between(`cpu ${s.labels.cpu} ${s.labels.mode}`, s.value, valueOf(first, s.name, s.labels), valueOf(second, s.name, s.labels), 0.05);
    }
    expect(obs.series.filter((x) => x.name === 'node_cpu_seconds_total').length).toBe(first.series.filter((x) => x.name === 'node_cpu_seconds_total').length);
    const mib = 1024 * 1024;
    expect(valueOf(obs, 'node_memory_MemTotal_bytes')).toBe(valueOf(first, 'node_memory_MemTotal_bytes'));
    between('MemAvailable', valueOf(obs, 'node_memory_MemAvailable_bytes'), valueOf(first, 'node_memory_MemAvailable_bytes'), valueOf(second, 'node_memory_MemAvailable_bytes'), 64 * mib);
    // The same filesystems (pseudo ones filtered the same way), the same sizes; free space moves a little.
    // node_exporter lists the mounts of pid 1's namespace (/proc/1/mounts), the agent its own (df): every one node_exporter lists, the agent lists too.
    const mounts = (o: HostObservation) => o.series.filter((s) => s.name === 'node_filesystem_size_bytes').map((s) => s.labels.mountpoint).sort();
    expect(mounts(obs)).toContain('/');
    expect(mounts(first)).toEqual(expect.arrayContaining(mounts(obs)));
    for (const mp of mounts(obs)) {
      // df reports KiB; node_exporter bytes from statfs.
      between(`size of ${mp}`, valueOf(obs, 'node_filesystem_size_bytes', { mountpoint: mp! }), valueOf(first, 'node_filesystem_size_bytes', { mountpoint: mp! }), valueOf(second, 'node_filesystem_size_bytes', { mountpoint: mp! }), 1024);
      between(`avail on ${mp}`, valueOf(obs, 'node_filesystem_avail_bytes', { mountpoint: mp! }), valueOf(first, 'node_filesystem_avail_bytes', { mountpoint: mp! }), valueOf(second, 'node_filesystem_avail_bytes', { mountpoint: mp! }), 256 * mib);
    }
    const disks = (o: HostObservation) => o.series.filter((s) => s.name === 'node_disk_read_bytes_total').map((s) => s.labels.device).sort();
    expect(disks(obs)).toEqual(disks(first));
    for (const d of disks(obs)) {
      between(`read bytes of ${d}`, valueOf(obs, 'node_disk_read_bytes_total', { device: d! }), valueOf(first, 'node_disk_read_bytes_total', { device: d! }), valueOf(second, 'node_disk_read_bytes_total', { device: d! }), 0);
    }
    for (const s of obs.series.filter((x) => x.name === 'node_network_receive_bytes_total' && x.labels.device !== 'lo')) {
      between(`rx of ${s.labels.device}`, s.value, valueOf(first, s.name, s.labels), valueOf(second, s.name, s.labels), 0);
    }
  }, 60_000);
});

describe('a node_exporter inside a network namespace, from the provisioning file', () => {
  it('becomes a node_exporter host whose network is the namespace’s own, agreeing with the agent run in the namespace; offline while its link is cut', async () => {
    const netns = await createNetnsHost(81);
    cleanups.push(() => netns.remove());
    const ne = await startNodeExporter({ host: netns.address, port: 9100, netns: netns.name });
    cleanups.push(() => ne.stop());
    const t = await startTestCore(
      {
        prefix: 'ovl-scrape-',
        features: [createScrapeTargetsFeature()],
        answers: (r) => r.startsWith('targets/'),
        config: `version: 1\nhosts:\n  - name: lab-ne\n    node_exporter: ${netns.address}:9100\n    interval: 1s\n    tags: [lab]\n`,
      },
      cleanups,
    );
    const deadline = Date.now() + 30_000;
    let host;
    while (Date.now() < deadline && (host = (await t.call('hosts/list')).find((h) => h.id === 'lab-ne'))?.status !== 'online') await new Promise((r) => setTimeout(r, 200));
    expect(host).toMatchObject({ kind: 'node_exporter', status: 'online', provisioned: true, address: `http://${netns.address}:9100/metrics`, tags: ['lab'] });
    expect((await t.call('targets/definition', { hostId: 'lab-ne' })).provisioned).toBe(true);
    await expect(t.call('targets/remove', { hostId: 'lab-ne' })).rejects.toThrow(/provisioning file/);

    // The agent in the same namespace (its /proc/net/dev is the namespace's).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-nsagent-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const wrapper = path.join(dir, 'sh-in-netns');
    fs.writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${netns.name} sh "$@"\n`, { mode: 0o755 });
    const { first, second, ne: obs } = await bracketed(ne.url, { shell: wrapper });
    const devices = (o: HostObservation) => o.series.filter((s) => s.name === 'node_network_receive_bytes_total').map((s) => s.labels.device).sort();
    // node_exporter 1.5 leaves lo out of its netdev series; the agent keeps it (host totals leave it out on both).
    expect(devices(obs)).toEqual(['eth0']);
    expect(devices(first)).toEqual(['eth0', 'lo']);
    // eth0 carries the scrapes themselves: both sides count the same bytes.
    for (const name of ['node_network_receive_bytes_total', 'node_network_transmit_bytes_total', 'node_network_receive_packets_total']) {
      between(`${name} eth0`, valueOf(obs, name, { device: 'eth0' }), valueOf(first, name, { device: 'eth0' }), valueOf(second, name, { device: 'eth0' }), 0);
    }

    // A real network fault: the link cut, the host is offline with the URL and the reason; back, it is online again.
    const statusOf = async () => (await t.call('hosts/list')).find((h) => h.id === 'lab-ne');
    const until = async (status: string) => {
      const end = Date.now() + 30_000;
      let h = await statusOf();
      while (h?.status !== status && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 200));
        h = await statusOf();
      }
      return h;
    };
    await netns.cut();
    const offline = await until('offline');
    expect(offline?.status).toBe('offline');
    expect(offline?.statusDetail).toContain(`http://${netns.address}:9100/metrics`);
    await netns.restore();
    expect((await until('online'))?.status).toBe('online');
  }, 120_000);
});

describe('what a scrape refuses, in words', () => {
  it('a refused token, an untrusted certificate (trusted with its CA), a redirect, a body too large, an HTML page', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-scrape-tls-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Test CA');
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=127.0.0.1');
    fs.writeFileSync(path.join(dir, 'ext'), 'subjectAltName=IP:127.0.0.1\n');
    openssl('x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.pem', '-days', '2', '-extfile', 'ext');
    const exposition = fs.readFileSync(new URL('../../prometheus/fixtures/node-exporter-1.5.0-debian12.txt', import.meta.url), 'utf8');
    const server = https.createServer({ key: fs.readFileSync(path.join(dir, 'srv.key')), cert: fs.readFileSync(path.join(dir, 'srv.pem')) }, (req, res) => {
      if (req.url === '/redirect') return res.writeHead(302, { Location: 'https://elsewhere.example/metrics' }).end();
      if (req.url === '/html') return res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><body>Sign in</body></html>');
      if (req.headers.authorization !== 'Bearer right-token') return res.writeHead(401).end();
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(exposition);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const ca = fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8');
    const req = (pathPart: string, extra: object = {}) => ({ url: `${base}${pathPart}`, timeoutMs: 5000, maxBytes: 1 << 20, ca, bearerToken: 'right-token', ...extra });

    const untrusted = await scrapeExposition({ ...req('/metrics'), ca: undefined }).catch((e: unknown) => e);
    expect(untrusted).toBeInstanceOf(ScrapeError);
    expect((untrusted as ScrapeError).kind).toBe('tls');
    expect((await scrapeExposition(req('/metrics'))).samples.length).toBeGreaterThan(500);
    const refused = (await scrapeExposition(req('/metrics', { bearerToken: 'wrong-token' })).catch((e: unknown) => e)) as ScrapeError;
    expect(refused.kind).toBe('auth');
    expect(refused.message).not.toContain('wrong-token');
    const redirect = (await scrapeExposition(req('/redirect')).catch((e: unknown) => e)) as ScrapeError;
    expect(redirect.message).toMatch(/redirects \(302\) to https:\/\/elsewhere\.example\/metrics/);
    expect(((await scrapeExposition(req('/metrics', { maxBytes: 1000 })).catch((e: unknown) => e)) as ScrapeError).kind).toBe('too_large');
    await expect(scrapeExposition(req('/html'))).rejects.toThrow(/not a Prometheus exposition: line 1/);
  }, 30_000);
});
