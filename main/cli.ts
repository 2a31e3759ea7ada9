// `overlook` — the command-line shell of the core:
//   overlook serve      the headless console (UI in a browser on 127.0.0.1)
//   overlook snapshot   one metrics snapshot of this machine
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createCore } from './core/createCore.js';
import { defaultFeatures } from './core/features.js';
import { LISTEN_ADDRESS_MESSAGES, parseListenAddress } from './common/listenAddress.js';
import { createStderrLogger } from './core/log.js';
import { defaultDataDir } from './core/paths.js';
import { appFile } from './core/appFiles.js';
import { consoleVersion } from './core/version.js';
import { createEncryptedFileSecretStore } from './core/secrets/encryptedFileSecretStore.js';
import { startHeadlessServer, isLoopbackHost } from './headless/server.js';
import { loadServeToken, SERVE_TOKEN_FILE } from './headless/serveToken.js';
import { takeSnapshot, formatSnapshot, SNAPSHOT_FORMATS, type SnapshotFormat } from './core/snapshot.js';

const USAGE = `Usage: overlook <command> [options]

Commands:
  serve      Start the headless console and print its URL (with its access token)
  snapshot   Print one metrics snapshot of this machine

serve options:
  --port N          port to listen on (default 7300; 0 picks a free one)
  --host ADDR       address to bind (default 127.0.0.1)
  --data DIR        data directory (default: $OVERLOOK_DATA_DIR or the OS user-data dir)
  --config FILE     provisioning file (YAML), hot-reloaded
  --metrics-listen ADDR
                    serve the fleet's metrics for Prometheus at http://ADDR/metrics
                    (e.g. 127.0.0.1:9309; off by default; 0.0.0.0:PORT exposes it
                    to the network, with a warning). Overrides the file and the UI.
  --engine-socket PATH
                    this machine's Docker or Podman API socket, for container names
                    (default: $OVERLOOK_ENGINE_SOCKET, else the first of
                    /var/run/docker.sock, /run/podman/podman.sock and the rootless
                    sockets in $XDG_RUNTIME_DIR that this user may open)
  --rotate-token    replace the access token kept in the data directory
                    (${SERVE_TOKEN_FILE}): open tabs and old URLs stop working

snapshot options:
  --format F        table (default), json or prom
  --interval S      seconds between the two samples rates are computed from (default 1)

  -h, --help        show this help
  -v, --version     show the version
`;

class UsageError extends Error {}

function parsePort(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, got "${text}"`);
  return n;
}

async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '7300' },
      host: { type: 'string', default: '127.0.0.1' },
      data: { type: 'string' },
      config: { type: 'string' },
      'metrics-listen': { type: 'string' },
      'engine-socket': { type: 'string' },
      'rotate-token': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const port = parsePort(values.port);
  const metricsListen = values['metrics-listen'];
  if (metricsListen !== undefined) {
    const parsed = parseListenAddress(metricsListen);
    if (!parsed.ok) throw new UsageError(`--metrics-listen "${metricsListen}": ${LISTEN_ADDRESS_MESSAGES[parsed.problem]}`);
  }
  const engineSocket = values['engine-socket'] ?? (process.env.OVERLOOK_ENGINE_SOCKET || undefined);
  if (engineSocket !== undefined && !path.isAbsolute(engineSocket)) throw new UsageError(`--engine-socket must be an absolute path, got "${engineSocket}"`);
  const host = values.host;
  const dataDir = values.data ? path.resolve(values.data) : defaultDataDir();
  const log = createStderrLogger();
  // The token survives restarts, so open tabs reconnect to a restarted console.
  const served = loadServeToken(dataDir, { rotate: values['rotate-token'] === true });
  if (served.made === 'rotated') log.info('access token rotated: tabs and URLs with the old one no longer work');
  if (served.made === 'replaced') log.warn(`a new access token was made: ${served.problem}`);
  const core = createCore({
    dataDir,
    shell: 'headless',
    configFile: values.config ? path.resolve(values.config) : undefined,
    secrets: createEncryptedFileSecretStore(dataDir),
    log,
    version: consoleVersion(),
    features: defaultFeatures({ metricsListen }),
    ...(engineSocket ? { localEngineSocket: engineSocket } : {}),
  });
  await core.start();
  let server;
  try {
    server = await startHeadlessServer({
      core,
      log,
      host,
      port,
      token: served.token,
      rendererDir: appFile(path.join('dist', 'renderer'), 'read'),
    });
  } catch (err) {
    await core.stop();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`port ${port} on ${host} is already in use; pick another with --port`);
    if (code === 'EADDRNOTAVAIL') throw new UsageError(`cannot bind ${host}: no such address on this machine`);
    throw err;
  }
  if (!isLoopbackHost(host)) {
    log.warn(`listening on ${host}: the console is reachable from other machines (the token is still required)`);
  }
  process.stdout.write(`Overlook ${consoleVersion()} headless console — data in ${dataDir}\n${server.url}\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: shutting down`);
    await server.close();
    await core.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

async function snapshot(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      format: { type: 'string', default: 'table' },
      interval: { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const format = values.format as SnapshotFormat;
  if (!SNAPSHOT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${SNAPSHOT_FORMATS.join(', ')}, got "${values.format}"`);
  const seconds = Number(values.interval);
  if (!Number.isFinite(seconds) || seconds < 0.2 || seconds > 60) throw new UsageError(`--interval must be a number of seconds from 0.2 to 60, got "${values.interval}"`);
  const engineSocket = process.env.OVERLOOK_ENGINE_SOCKET || undefined;
  const snap = await takeSnapshot({ intervalMs: Math.round(seconds * 1000), host: 'local', ...(engineSocket ? { engineSocket } : {}) });
  process.stdout.write(formatSnapshot(snap, format, { columns: process.stdout.columns ?? 100, locale: Intl.DateTimeFormat().resolvedOptions().locale }));
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        await serve(rest);
        return -1; // keeps running
      case 'snapshot':
        await snapshot(rest);
        return 0;
      case '-v':
      case '--version':
        process.stdout.write(`${consoleVersion()}\n`);
        return 0;
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    const e = err as Error & { code?: string };
    if (err instanceof UsageError || e.code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`overlook: ${e.message}${os.EOL}Run "overlook --help" for usage.${os.EOL}`);
      return 2;
    }
    process.stderr.write(`overlook: ${e.message}${os.EOL}`);
    return 1;
  }
}
