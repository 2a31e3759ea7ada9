// `overlook serve` as a real process, sent what anyone on the machine can
// send: requests that used to throw out of the request handler and end the
// process (bad percent-encoding in a cookie, a bad request target, the same
// on a WebSocket upgrade, a NUL or bad encoding in the path), an open
// redirect, a wildcard bind, and a fuzz over request lines, headers, cookies,
// paths and upgrades. The process must stay up and answer every request with
// a valid HTTP status. Also key files a provisioning file may name: a named
// pipe and /dev/zero are refused while HTTP keeps answering. Runs the built
// CLI (dist/): `npm run build` first.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const cli = path.join(repoRoot, 'scripts', 'overlook.js');

interface Serve {
  child: ChildProcess;
  port: number;
  token: string;
  output: () => string;
  dataDir: string;
}

const running: Serve[] = [];
const cleanupDirs: string[] = [];

async function serve(args: string[] = [], files: Record<string, string> = {}): Promise<Serve> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-hostile-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dataDir, name), text.replaceAll('$DATA', dataDir));
  args = args.map((a) => a.replace('$DATA', dataDir));
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--data', dataDir, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const [port, token] = await new Promise<[number, string]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`overlook serve printed no URL within 30 s:\n${out}`)), 30_000);
    child.stdout!.on('data', () => {
      const m = /http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve([Number(m[1]), m[2]!]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`overlook serve exited with ${code}:\n${out}`));
    });
  });
  const s = { child, port, token, output: () => out, dataDir };
  running.push(s);
  return s;
}

function alive(s: Serve): boolean {
  return s.child.exitCode === null && s.child.signalCode === null;
}

/** Sends raw bytes, returns what came back before the server closed (or 3 s passed). */
function raw(port: number, bytes: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let got = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(got);
    };
    const timer = setTimeout(done, 3000);
    socket.on('data', (d) => {
      got += d.toString('latin1');
      // One answer is enough: a response's head plus its body, if any, arrive together for these small replies.
      if (/\r\n\r\n/.test(got)) setTimeout(done, 20);
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.write(bytes);
  });
}

const statusOf = (answer: string) => /^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1];

beforeAll(() => {
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'main', 'cli.js'))) throw new Error('dist/main/cli.js is missing: run `npm run build` before this test');
});

afterAll(async () => {
  for (const s of running.splice(0)) {
    if (alive(s)) {
      s.child.kill('SIGTERM');
      await new Promise((resolve) => s.child.once('exit', resolve));
    }
    fs.rmSync(s.dataDir, { recursive: true, force: true });
  }
  for (const dir of cleanupDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('overlook serve against hostile requests', () => {
  let s: Serve;
  beforeAll(async () => {
    s = await serve();
  });
  const cookie = () => `overlook_token_${s.port}=${s.token}`;
  const get = (target: string, headers: string[] = []) =>
    raw(s.port, [`GET ${target} HTTP/1.1`, `Host: 127.0.0.1:${s.port}`, 'Connection: close', ...headers, '', ''].join('\r\n'));

  it('survives the requests that used to end it, answering each with a status', async () => {
    const cases: Array<[string, string[], string]> = [
      ['/', ['Cookie: x=%E0%A4%A'], '401'],
      ['/', ['Cookie: progress=50%'], '401'],
      ['/', [`Cookie: progress=50%; x=%E0%A4%A; ${cookie()}`], '200'],
      ['http://[bad', [], '400'],
      ['/index.html%00', [`Cookie: ${cookie()}`], '400'],
      ['/%E0%A4%A', [`Cookie: ${cookie()}`], '400'],
    ];
    for (const [target, headers, status] of cases) {
      expect([target, statusOf(await get(target, headers))]).toEqual([target, status]);
    }
    const upgrade = (target: string) =>
      raw(s.port, [`GET ${target} HTTP/1.1`, `Host: 127.0.0.1:${s.port}`, 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', `Cookie: x=%E0%A4%A; ${cookie()}`, '', ''].join('\r\n'));
    expect(statusOf(await upgrade('//['))).toBe('400');
    expect(statusOf(await upgrade('http://[bad'))).toBe('400');
    expect(statusOf(await upgrade('/rpc'))).toBe('101');
    expect(alive(s)).toBe(true);
    expect(statusOf(await get('/', [`Cookie: ${cookie()}`]))).toBe('200');
  });

  it('redirects the token swap to a path on its own origin only', async () => {
    const answer = await get(`/.//evil.example/x?token=${s.token}`);
    expect(statusOf(answer)).toBe('302');
    const location = /\r\nLocation: ([^\r]*)\r\n/i.exec(answer)?.[1];
    expect(location).toBeDefined();
    expect(new URL(location!, `http://127.0.0.1:${s.port}`).origin).toBe(`http://127.0.0.1:${s.port}`);
    expect(location).not.toMatch(/^[/\\]{2}/);
  });

  it('names its own WebSocket origin in the CSP, not every ws: host', async () => {
    const answer = await get('/', [`Cookie: ${cookie()}`]);
    const csp = /\r\nContent-Security-Policy: ([^\r]*)\r\n/i.exec(answer)?.[1];
    expect(csp).toMatch(new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${s.port};`));
    expect(csp).not.toMatch(/ws: |wss:/);
  });

  it('fuzz: request lines, headers, cookies, paths and upgrades never stop it, and every answer has a valid status', async () => {
    const text = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.string({ unit: 'binary-ascii', maxLength: 12 }),
      fc.constantFrom('%', '%E0%A4%A', '%00', '%2e%2e', '..', '//', '\\', '[', ']', 'http://', ':', ';', '=', '"', '?token=', ' ', '\t'),
    );
    const piece = fc.array(text, { maxLength: 5 }).map((p) => p.join(''));
    const request = fc.record({
      method: fc.constantFrom('GET', 'HEAD', 'POST', 'OPTIONS', 'GET ', 'G\u00e9T', ''),
      target: fc.oneof(piece, piece.map((p) => '/' + p), piece.map((p) => `/${p}?token=${'T'}`), fc.constantFrom('/rpc', '//[', 'http://[bad', '*', '/index.html%00')),
      version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2', 'HTTP/1.1x', ''),
      host: fc.option(fc.oneof(fc.constant('127.0.0.1:PORT'), piece), { nil: undefined }),
      origin: fc.option(fc.oneof(fc.constant('http://127.0.0.1:PORT'), piece), { nil: undefined }),
      cookie: fc.option(fc.oneof(fc.constant('COOKIE'), piece, piece.map((p) => `${p}; COOKIE`)), { nil: undefined }),
      authorization: fc.option(fc.oneof(fc.constant('Bearer TOKEN'), piece), { nil: undefined }),
      extra: fc.array(fc.tuple(piece, piece), { maxLength: 3 }),
      upgrade: fc.boolean(),
    });
    const fill = (v: string) => v.replaceAll('PORT', String(s.port)).replaceAll('COOKIE', cookie()).replaceAll('TOKEN', s.token);
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const lines = [`${r.method} ${fill(r.target)} ${r.version}`];
        if (r.host !== undefined) lines.push(`Host: ${fill(r.host)}`);
        if (r.origin !== undefined) lines.push(`Origin: ${fill(r.origin)}`);
        if (r.cookie !== undefined) lines.push(`Cookie: ${fill(r.cookie)}`);
        if (r.authorization !== undefined) lines.push(`Authorization: ${fill(r.authorization)}`);
        for (const [k, v] of r.extra) lines.push(`${k}: ${v}`);
        if (r.upgrade) lines.push('Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==');
        else lines.push('Connection: close');
        const answer = await raw(s.port, Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'utf8'));
        expect(alive(s)).toBe(true);
        // An answer, when there is one, starts with a status line and a known status.
        if (answer !== '') {
          const status = Number(statusOf(answer));
          expect(status >= 100 && status <= 599, `answer: ${JSON.stringify(answer.slice(0, 120))}`).toBe(true);
        }
      }),
      { numRuns: 1000, interruptAfterTimeLimit: 60_000 },
    );
    expect(alive(s)).toBe(true);
    expect(statusOf(await get('/', [`Cookie: ${cookie()}`]))).toBe('200');
  }, 120_000);
});

describe('overlook serve --host 0.0.0.0', () => {
  it('keeps the Host check: the machine’s own names and addresses only', async () => {
    const s = await serve(['--host', '0.0.0.0']);
    const at = (host: string) => raw(s.port, [`GET /?token=${s.token} HTTP/1.1`, `Host: ${host}`, 'Connection: close', '', ''].join('\r\n'));
    expect(statusOf(await at(`evil.example:${s.port}`))).toBe('403');
    expect(statusOf(await at(`127.0.0.1:${s.port}`))).toBe('302');
    expect(statusOf(await at(`${os.hostname()}:${s.port}`))).toBe('302');
    const own = Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
    if (own) expect(statusOf(await at(`${own.address}:${s.port}`))).toBe('302');
    expect(s.output()).toMatch(/reachable from other machines/);
  });
});

describe('overlook serve with hostile key files', () => {
  it('a named pipe and /dev/zero as key_file are refused while HTTP keeps answering', async () => {
    const yaml = [
      'hosts:',
      '  - name: pipe-key',
      '    address: ovl@127.0.0.1:1',
      '    key_file: $DATA/key.fifo',
      '  - name: zero-key',
      '    address: ovl@127.0.0.1:1',
      '    key_file: /dev/zero',
      '',
    ].join('\n');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-hostile-fifo-'));
    const fifo = path.join(dataDir, 'key.fifo');
    await new Promise<void>((resolve, reject) => spawn('mkfifo', [fifo]).once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`mkfifo exited ${code}`)))));
    cleanupDirs.push(dataDir);
    const s = await serve(['--config', '$DATA/overlook.yaml'], { 'overlook.yaml': yaml.replace('$DATA/key.fifo', fifo) });
    const get = () => raw(s.port, [`GET / HTTP/1.1`, `Host: 127.0.0.1:${s.port}`, `Cookie: overlook_token_${s.port}=${s.token}`, 'Connection: close', '', ''].join('\r\n'));
    // Both hosts try to connect (and retry) meanwhile; every answer comes at once.
    const deadline = Date.now() + 20_000;
    while (!(/key file .*key\.fifo: not a regular file \(a named pipe\)/.test(s.output()) && /key file \/dev\/zero: not a regular file/.test(s.output()))) {
      if (Date.now() > deadline) throw new Error(`the key files were never refused:\n${s.output()}`);
      const started = Date.now();
      expect(statusOf(await get())).toBe('200');
      expect(Date.now() - started).toBeLessThan(2500);
      await new Promise((r) => setTimeout(r, 200));
    }
    for (let i = 0; i < 5; i++) expect(statusOf(await get())).toBe('200');
    expect(alive(s)).toBe(true);
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${s.child.pid}/status`, 'utf8'))?.[1]);
    // Reading /dev/zero to its end would have grown it by hundreds of MB a second.
    expect(rss).toBeLessThan(600 * 1024);
  }, 60_000);
});
