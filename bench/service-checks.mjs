// Service-check cost: this process plays the console running N checks
// (HTTP, every intervalSeconds, first runs spread over the first interval),
// half of them from the console and half through SSH hosts (direct-tcpip
// channels over persistent connections to a real sshd on loopback, five
// connections), with the real probes (main/core/checks/probes.ts). In the
// same run Debian's blackbox_exporter probes the same N targets at the same
// cadence, driven by a child process that plays Prometheus (one /probe
// request per target per interval). The targets are HTTP servers in another
// child. Prints each side's CPU (% of one core) and RSS over the measured
// window. Asserts nothing (shared, noisy machines). Root, like CI.
//   node bench/service-checks.mjs [checks=500] [seconds=90] [intervalSeconds=30]
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadAverage } from './lib.mjs';

const checks = Number(process.argv[2] ?? 500);
const seconds = Number(process.argv[3] ?? 90);
const intervalSeconds = Number(process.argv[4] ?? 30);
const root = fileURLToPath(new URL('..', import.meta.url));
const TARGET_PORTS = [28401, 28402, 28403, 28404, 28405];
const BB_PORT = 28410;
const SSH_PORT = 22285;

// ------------------------------------------------------------ children
if (process.argv[2] === '--targets') {
  const http = await import('node:http');
  for (const port of TARGET_PORTS) http.createServer((q, s) => s.end('ok overlook-ready')).listen(port, '127.0.0.1');
  console.log('ready');
  await new Promise(() => {});
}
if (process.argv[2] === '--driver') {
  // Plays Prometheus: each target's /probe once per interval, spread evenly.
  const [, , , n, interval] = process.argv;
  const every = (Number(interval) * 1000) / Number(n);
  let i = 0;
  setInterval(() => {
    const k = i++ % Number(n);
    const target = `http://127.0.0.1:${TARGET_PORTS[k % TARGET_PORTS.length]}/ok?i=${k}`;
    fetch(`http://127.0.0.1:${BB_PORT}/probe?module=http_2xx&target=${encodeURIComponent(target)}`).then((r) => r.text()).catch(() => {});
  }, every);
  await new Promise(() => {});
}

const out = path.join(root, 'dist-test', 'bench-checks');
execFileSync(
  process.execPath,
  [
    path.join(root, 'node_modules/typescript/bin/tsc'),
    '--outDir', out, '--rootDir', root, '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022',
    '--strict', '--skipLibCheck', '--types', 'node', '--declaration', 'false', '--sourceMap', 'false',
    path.join(root, 'main/core/checks/probes.ts'),
    path.join(root, 'main/core/ssh/sshConnection.ts'),
    path.join(root, 'main/testing/sshServers.ts'),
  ],
  { stdio: 'inherit' },
);
const load = (rel) => import(pathToFileURL(path.join(out, rel)).href);
const { runProbe, consoleDial } = await load('main/core/checks/probes.js');
const { connectSsh } = await load('main/core/ssh/sshConnection.js');
const { HostKeyStore } = await load('main/core/ssh/knownHosts.js');
const { HttpSpecField } = await load('main/common/checks.js');
const servers = await load('main/testing/sshServers.js');

const mb = (b) => (b / 1048576).toFixed(1);
const procStat = (pid) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(f[11]) + Number(f[12]);
  const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
  return { cpuMs: ticks * 10, rss };
};

const children = [];
const startChild = (args) => {
  const c = spawn(process.execPath, [fileURLToPath(import.meta.url), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(c);
  return c;
};
const dir = servers.makeTempDir('bench-checks');
let sshd;
let bb;
try {
  const targets = startChild(['--targets']);
  await new Promise((r) => targets.stdout.once('data', r));

  const user = await servers.ensureTestUser();
  const key = await servers.makeKeyPair(dir, 'id');
  sshd = await servers.startSshd({ port: SSH_PORT, authorizedKeys: [key.publicKey], extraConfig: ['MaxSessions 200', 'LogLevel ERROR'] });
  const knownHosts = path.join(dir, 'known_hosts');
  fs.writeFileSync(knownHosts, sshd.knownHostsLine() + '\n');
  const hostKeys = new HostKeyStore({ consoleFile: path.join(dir, 'console_known_hosts'), userFiles: [knownHosts] });
  const conns = [];
  for (let i = 0; i < 5; i++) conns.push(await connectSsh({ target: { host: '127.0.0.1', port: SSH_PORT, username: user.name, auth: { type: 'key', keyFile: key.privateKeyPath } }, hostKeys }));

  fs.writeFileSync(path.join(dir, 'blackbox.yml'), 'modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n    http: { preferred_ip_protocol: ip4 }\n');
  bb = spawn('/usr/bin/prometheus-blackbox-exporter', [`--config.file=${path.join(dir, 'blackbox.yml')}`, `--web.listen-address=127.0.0.1:${BB_PORT}`, '--log.level=warn'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 1000));

  // The console's side: N checks, each on its own timer with a jittered first run.
  let runs = 0;
  let up = 0;
  const timers = [];
  for (let k = 0; k < checks; k++) {
    const url = `http://127.0.0.1:${TARGET_PORTS[k % TARGET_PORTS.length]}/ok?i=${k}`;
    const spec = { kind: 'http', target: url, http: HttpSpecField.parse({ url }), timeoutMs: 5000 };
    const viaSsh = k % 2 === 1;
    const conn = conns[k % conns.length];
    const dial = viaSsh
      ? async (host, port) => {
          const t0 = performance.now();
          const stream = await conn.openTcpStream(host, port);
          return { stream, resolveSeconds: 0, connectSeconds: (performance.now() - t0) / 1000 };
        }
      : consoleDial;
    const once = () =>
      runProbe(spec, dial).then((r) => {
        runs++;
        if (r.up) up++;
      });
    timers.push(
      setTimeout(() => {
        void once();
        timers.push(setInterval(once, intervalSeconds * 1000));
      }, Math.random() * intervalSeconds * 1000),
    );
  }
  const driver = startChild(['--driver', String(checks), String(intervalSeconds)]);

  // Warm up one interval, then measure.
  await new Promise((r) => setTimeout(r, intervalSeconds * 1000));
  const c0 = process.cpuUsage();
  const b0 = procStat(bb.pid);
  const t0 = Date.now();
  const runs0 = runs;
  let rssMax = 0;
  let bbRssMax = 0;
  const sampler = setInterval(() => {
    rssMax = Math.max(rssMax, process.memoryUsage().rss);
    bbRssMax = Math.max(bbRssMax, procStat(bb.pid).rss);
  }, 1000);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  clearInterval(sampler);
  const wall = Date.now() - t0;
  const c1 = process.cpuUsage(c0);
  const b1 = procStat(bb.pid);
  const load = loadAverage();
  console.log(`service checks: ${checks} HTTP checks every ${intervalSeconds}s (half through SSH: 5 connections to a loopback sshd), measured ${Math.round(wall / 1000)}s after ${intervalSeconds}s warm-up; load average ${load}`);
  console.log(`  console (this process): CPU ${(((c1.user + c1.system) / 1000 / wall) * 100).toFixed(1)}% of one core, RSS max ${mb(rssMax)} MiB, ${runs - runs0} probes run (${up} up in all)`);
  console.log(`  blackbox_exporter 0.23: CPU ${(((b1.cpuMs - b0.cpuMs) / wall) * 100).toFixed(1)}% of one core, RSS max ${mb(bbRssMax)} MiB (driven by a child playing Prometheus, same targets, same cadence)`);
  for (const t of timers) clearTimeout(t);
  for (const c of conns) c.close();
  driver.kill();
} finally {
  for (const c of children) c.kill();
  bb?.kill();
  await sshd?.stop();
  servers.removeTempDir(dir);
}
process.exit(0);
