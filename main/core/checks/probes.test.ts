// The probes against real servers on loopback: HTTP and HTTPS servers with
// certificates made by openssl (valid, expiring in 3 days, expired, wrong
// name, self-signed), and the bad inputs: a name that does not resolve, a
// port nothing listens on, a redirect loop, a server that trickles, a huge body.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSpecField } from '../../common/checks.js';
import { makeTestCerts, startTestWebServer, type TestCerts } from '../../testing/checkServers.js';
import { consoleDial, consolePing, pingProbe, runProbe, type ProbeSpec } from './probes.js';

let certs: TestCerts;
const servers: Record<string, Awaited<ReturnType<typeof startTestWebServer>>> = {};
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-probes-'));
  certs = makeTestCerts(dir);
  servers.plain = await startTestWebServer();
  for (const k of ['valid', 'expiring', 'expired', 'wrongName', 'selfSigned'] as const) servers[k] = await startTestWebServer({ tls: certs.leaf[k] });
}, 60_000);
afterAll(async () => {
  for (const s of Object.values(servers)) await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const httpSpec = (url: string, http: Partial<ReturnType<typeof HttpSpecField.parse>> = {}, extra: Partial<ProbeSpec> = {}): ProbeSpec => ({
  kind: 'http',
  target: url,
  http: HttpSpecField.parse({ url, ...http }),
  timeoutMs: 3000,
  ...extra,
});

describe('HTTP probe', () => {
  it('is up on a 200 with the body matched (substring and RE2 pattern), with its phases and status', async () => {
    const url = `http://127.0.0.1:${servers.plain!.port}/ok`;
    const r = await runProbe(httpSpec(url, { bodyMatch: { type: 'substring', pattern: 'overlook-ready' } }), consoleDial);
    expect(r).toMatchObject({ up: true, statusCode: 200 });
    expect(r.phases.connect).toBeGreaterThanOrEqual(0);
    expect(r.phases.processing).toBeGreaterThan(0);
    expect((await runProbe(httpSpec(url, { bodyMatch: { type: 'regex', pattern: 'overlook-(ready|steady)' } }), consoleDial)).up).toBe(true);
    const miss = await runProbe(httpSpec(url, { bodyMatch: { type: 'regex', pattern: 'overlook-broken' } }), consoleDial);
    expect(miss).toMatchObject({ up: false, statusCode: 200, reason: 'body_mismatch', detail: 'the body does not match "overlook-broken"' });
  });

  it('is down on an unexpected status, up when that status is the expected one', async () => {
    const url = `http://127.0.0.1:${servers.plain!.port}/ok`;
    servers.plain!.behaviour.status = 503;
    try {
      expect(await runProbe(httpSpec(url), consoleDial)).toMatchObject({ up: false, statusCode: 503, reason: 'status_mismatch', detail: 'status 503' });
      expect(await runProbe(httpSpec(url, { expectStatus: [503] }), consoleDial)).toMatchObject({ up: true, statusCode: 503 });
    } finally {
      servers.plain!.behaviour.status = 200;
    }
  });

  it('follows a redirect, or not; a redirect loop stops at the limit', async () => {
    const base = `http://127.0.0.1:${servers.plain!.port}`;
    expect(await runProbe(httpSpec(`${base}/redirect`), consoleDial)).toMatchObject({ up: true, statusCode: 200 });
    expect(await runProbe(httpSpec(`${base}/redirect`, { followRedirects: false, expectStatus: [301] }), consoleDial)).toMatchObject({ up: true, statusCode: 301 });
    expect(await runProbe(httpSpec(`${base}/loop`, { maxRedirects: 5 }), consoleDial)).toMatchObject({ up: false, reason: 'redirect_limit', detail: 'more than 5 redirects (a redirect loop?)' });
  });

  it('bounds a trickling server and headers that never come by the timeout', async () => {
    const base = `http://127.0.0.1:${servers.plain!.port}`;
    const t0 = Date.now();
    const r = await runProbe(httpSpec(`${base}/trickle`, { bodyMatch: { type: 'substring', pattern: 'never' } }, { timeoutMs: 1000 }), consoleDial);
    expect(r).toMatchObject({ up: false, reason: 'timeout', detail: 'no answer within 1000 ms (body)' });
    const s = await runProbe(httpSpec(`${base}/slow-headers`, {}, { timeoutMs: 800 }), consoleDial);
    expect(s).toMatchObject({ up: false, reason: 'timeout', detail: 'no answer within 800 ms (processing)' });
    expect(Date.now() - t0).toBeLessThan(4000);
  });

  it('reads at most the byte cap of a huge body', async () => {
    const before = servers.plain!.hugeBytesSent();
    const r = await runProbe(httpSpec(`http://127.0.0.1:${servers.plain!.port}/huge`, { bodyMatch: { type: 'regex', pattern: 'y' } }, { maxBodyBytes: 256 * 1024, timeoutMs: 5000 }), consoleDial);
    expect(r).toMatchObject({ up: false, statusCode: 200, reason: 'body_too_large', detail: `the body does not match "y" in its first ${256 * 1024} bytes` });
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The server stops once the probe hangs up: far less than its 64 MiB were sent (socket buffers hold a few MiB at most).
    expect(servers.plain!.hugeBytesSent() - before).toBeLessThan(16 * 1024 * 1024);
  });

  it('says an unresolvable name and a closed port plainly', async () => {
    expect(await runProbe(httpSpec('http://no-such-host.invalid/'), consoleDial)).toMatchObject({ up: false, reason: 'unresolvable', detail: 'cannot resolve no-such-host.invalid' });
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    expect(await runProbe(httpSpec(`http://127.0.0.1:${closed}/`), consoleDial)).toMatchObject({ up: false, reason: 'refused', detail: `connection refused at 127.0.0.1:${closed}` });
    expect(await runProbe({ kind: 'tcp', target: `127.0.0.1:${closed}`, timeoutMs: 2000 }, consoleDial)).toMatchObject({ up: false, reason: 'refused', detail: `connection refused at 127.0.0.1:${closed}` });
  });
});

describe('TLS and HTTPS probes', () => {
  const days = (t: number | undefined) => Math.round(((t ?? 0) * 1000 - Date.now()) / 86_400_000);

  it('a valid certificate: up, with its expiry', async () => {
    const r = await runProbe({ kind: 'tls', target: `localhost:${servers.valid!.port}`, timeoutMs: 3000, ca: certs.ca }, consoleDial);
    expect(r).toMatchObject({ up: true, certExpiry: certs.leaf.valid.notAfter });
    const h = await runProbe(httpSpec(`https://localhost:${servers.valid!.port}/ok`, {}, { ca: certs.ca }), consoleDial);
    expect(h).toMatchObject({ up: true, statusCode: 200, certExpiry: certs.leaf.valid.notAfter });
    expect(h.phases.tls).toBeGreaterThan(0);
  });

  it('a certificate expiring in 3 days is up and says so; expired, wrong-name and self-signed are down with their reason and expiry', async () => {
    const expiring = await runProbe({ kind: 'tls', target: `localhost:${servers.expiring!.port}`, timeoutMs: 3000, ca: certs.ca }, consoleDial);
    expect(expiring.up).toBe(true);
    expect(days(expiring.certExpiry)).toBe(3);
    const expired = await runProbe({ kind: 'tls', target: `localhost:${servers.expired!.port}`, timeoutMs: 3000, ca: certs.ca }, consoleDial);
    expect(expired).toMatchObject({ up: false, reason: 'tls_expired', detail: 'certificate has expired', certExpiry: certs.leaf.expired.notAfter });
    const wrong = await runProbe(httpSpec(`https://localhost:${servers.wrongName!.port}/ok`, {}, { ca: certs.ca }), consoleDial);
    expect(wrong).toMatchObject({ up: false, reason: 'tls_name_mismatch', detail: 'certificate is not valid for localhost' });
    expect(wrong.statusCode).toBeUndefined();
    const self = await runProbe({ kind: 'tls', target: `localhost:${servers.selfSigned!.port}`, timeoutMs: 3000, ca: certs.ca }, consoleDial);
    expect(self).toMatchObject({ up: false, reason: 'tls_self_signed', detail: 'certificate is self-signed (not trusted)' });
    // Without the test CA the valid one is signed by an unknown authority.
    expect(await runProbe({ kind: 'tls', target: `localhost:${servers.valid!.port}`, timeoutMs: 3000 }, consoleDial)).toMatchObject({ up: false, reason: 'tls_unknown_ca', detail: 'certificate is signed by an unknown authority' });
  });

  it('TLS to a plain HTTP port fails the handshake with a reason', async () => {
    const r = await runProbe({ kind: 'tls', target: `127.0.0.1:${servers.plain!.port}`, timeoutMs: 3000 }, consoleDial);
    expect(r.up).toBe(false);
    expect(r.detail).toMatch(/^TLS handshake with 127.0.0.1 failed/);
    expect(r.reason).toBe('tls_handshake_failed');
  });
});

describe('ping', () => {
  it('the console’s own ping: a reply from loopback, an unresolvable name said plainly', async () => {
    const up = await pingProbe('127.0.0.1', 2000, consolePing);
    expect(up).toMatchObject({ up: true });
    expect(up.detail).toMatch(/^reply in [0-9.]+ ms$/);
    expect(await pingProbe('no-such-host.invalid', 1000, consolePing)).toMatchObject({ up: false, reason: 'unresolvable', detail: 'cannot resolve no-such-host.invalid' });
  });
});

describe('TCP probe', () => {
  it('connects, and checks a banner', async () => {
    const server = net.createServer((s) => {
      s.on('error', () => {});
      s.end('SSH-2.0-Test\r\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      expect(await runProbe({ kind: 'tcp', target: `127.0.0.1:${port}`, timeoutMs: 2000 }, consoleDial)).toMatchObject({ up: true, reason: 'ok', detail: 'connected' });
      expect(await runProbe({ kind: 'tcp', target: `127.0.0.1:${port}`, banner: 'SSH-2.0', timeoutMs: 2000 }, consoleDial)).toMatchObject({ up: true });
      expect((await runProbe({ kind: 'tcp', target: `127.0.0.1:${port}`, banner: 'SMTP', timeoutMs: 2000 }, consoleDial)).up).toBe(false);
    } finally {
      server.close();
    }
  });
});
