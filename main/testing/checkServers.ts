// For service-check tests: certificates made with openssl (a test CA; a
// valid leaf, one expiring in 3 days, an expired one, one for the wrong
// name, a self-signed one) and HTTP/HTTPS servers on loopback whose answers
// the test can change (status, body, redirects, a trickle, a huge body).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface TestCerts {
  readonly dir: string;
  readonly caFile: string;
  readonly ca: string;
  readonly leaf: Record<'valid' | 'expiring' | 'expired' | 'wrongName' | 'selfSigned', { key: string; cert: string; certFile: string; notAfter: number }>;
}

const run = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
}

/** A CA and leaves for `localhost`/127.0.0.1 (the wrong-name one for wrong.example). */
export function makeTestCerts(dir: string): TestCerts {
  fs.mkdirSync(dir, { recursive: true });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=Overlook Test CA'], dir);
  fs.writeFileSync(path.join(dir, 'index.txt'), '');
  fs.writeFileSync(path.join(dir, 'serial'), '1000\n');
  const conf = `[ca]\ndefault_ca=test\n[test]\ndir=${dir}\ndatabase=${dir}/index.txt\nserial=${dir}/serial\nnew_certs_dir=${dir}\ndefault_md=sha256\npolicy=any\ncopy_extensions=copy\nunique_subject=no\n[any]\ncommonName=supplied\n`;
  fs.writeFileSync(path.join(dir, 'ca.cnf'), conf);
  const now = Date.now();
  const make = (name: string, cn: string, sans: string, start: Date, end: Date) => {
    run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`, '-addext', `subjectAltName=${sans}`], dir);
    run(['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', `${name}.csr`, '-out', `${name}.pem`, '-startdate', stamp(start), '-enddate', stamp(end), '-notext'], dir);
  };
  const day = 86_400_000;
  const localSans = 'DNS:localhost,IP:127.0.0.1';
  make('valid', 'localhost', localSans, new Date(now - day), new Date(now + 200 * day));
  make('expiring', 'localhost', localSans, new Date(now - day), new Date(now + 3 * day));
  make('expired', 'localhost', localSans, new Date(now - 30 * day), new Date(now - 2 * day));
  make('wrongName', 'wrong.example', 'DNS:wrong.example', new Date(now - day), new Date(now + 200 * day));
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'selfSigned.key', '-out', 'selfSigned.pem', '-days', '30', '-subj', '/CN=localhost', '-addext', `subjectAltName=${localSans}`], dir);
  const leaf = (name: string) => {
    const cert = fs.readFileSync(path.join(dir, `${name}.pem`), 'utf8');
    const end = run(['x509', '-in', `${name}.pem`, '-noout', '-enddate'], dir).toString().trim().replace('notAfter=', '');
    return { key: fs.readFileSync(path.join(dir, `${name}.key`), 'utf8'), cert, certFile: path.join(dir, `${name}.pem`), notAfter: Date.parse(end) / 1000 };
  };
  return {
    dir,
    caFile: path.join(dir, 'ca.pem'),
    ca: fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8'),
    leaf: { valid: leaf('valid'), expiring: leaf('expiring'), expired: leaf('expired'), wrongName: leaf('wrongName'), selfSigned: leaf('selfSigned') },
  };
}

export interface Behaviour {
  status: number;
  body: string;
  /** /auth answers 200 only to a request whose Authorization is exactly this (401 otherwise). */
  authorization?: string;
}

/**
 * A server whose routes the test changes: /ok (the behaviour), /loop (redirects to itself), /redirect (to /ok),
 * /trickle (a byte a second), /huge (64 MiB of x), /auth (needs behaviour.authorization), /away?to=URL (302 to URL).
 * Every request's path and headers are recorded in `requests`.
 */
export async function startTestWebServer(options: { tls?: { key: string; cert: string }; host?: string } = {}) {
  const behaviour: Behaviour = { status: 200, body: 'all good: overlook-ready' };
  let hugeBytesSent = 0;
  const requests: { url: string; headers: http.IncomingHttpHeaders }[] = [];
  const handler: http.RequestListener = (req, res) => {
    const url = req.url ?? '/';
    requests.push({ url, headers: { ...req.headers } });
    if (url.startsWith('/auth')) {
      const ok = behaviour.authorization !== undefined && req.headers.authorization === behaviour.authorization;
      res.writeHead(ok ? 200 : 401, { 'content-type': 'text/plain', ...(ok ? {} : { 'www-authenticate': 'Basic realm="test"' }) }).end(ok ? 'welcome' : 'who are you');
    } else if (url.startsWith('/away')) {
      res.writeHead(302, { location: new URL(url, 'http://x').searchParams.get('to') ?? '/ok' }).end();
    } else if (url.startsWith('/loop')) {
      res.writeHead(302, { location: '/loop' }).end();
    } else if (url.startsWith('/redirect')) {
      res.writeHead(301, { location: '/ok' }).end();
    } else if (url.startsWith('/trickle')) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const t = setInterval(() => res.write('.'), 200);
      res.on('close', () => clearInterval(t));
    } else if (url.startsWith('/slow-headers')) {
      const t = setTimeout(() => res.writeHead(200).end('late'), 60_000);
      res.on('close', () => clearTimeout(t));
    } else if (url.startsWith('/huge')) {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(64 * 1024 * 1024) });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      let left = 1024;
      const pump = () => {
        while (left > 0) {
          left--;
          hugeBytesSent += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      res.on('close', () => (left = 0));
      pump();
    } else {
      res.writeHead(behaviour.status, { 'content-type': 'text/plain' }).end(behaviour.body);
    }
  };
  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, options.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    behaviour,
    requests,
    hugeBytesSent: () => hugeBytesSent,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
