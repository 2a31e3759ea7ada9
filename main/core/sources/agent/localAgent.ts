// The machine the console runs on, watched by the same agent script as every
// SSH host, run through child_process in paced mode: a request line on its
// stdin every interval (pacer.ts), so a sample forks nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import { ContainerTracker } from '../../containers/containerTracker.js';
import { localEngineConnector, type LocalEngineOptions } from '../../containers/localEngine.js';
import type { HostObservation } from '../../model/observation.js';
import type { HostSource, SourceEvents } from '../../model/hostSource.js';
import { loadAgentScript } from './agentScript.js';
import { createAgentDecoder } from '../../parse/agentDecoder.js';
import { DEFAULT_PROCESS_EVERY, pacedAgentArgs, startAgentPacer } from './pacer.js';
import type { ParseResult } from '../../parse/agentFrame.js';

export interface LocalAgentOptions {
  /** Sample interval: the console sends the agent a request line this often. */
  readonly intervalMs: number;
  /** Per-process stats in every Nth sample (default DEFAULT_PROCESS_EVERY; deriveSamples bridges the others). */
  readonly processEvery?: number;
  /** Defaults to the script shipped with the core (loadAgentScript()). */
  readonly scriptPath?: string;
  /** The shell to run it with; `sh` by default (dash, bash or busybox ash all work). */
  readonly shell?: string;
  /** Added to the inherited environment (PROC_ROOT, SYS_ROOT for tests). */
  readonly env?: Readonly<Record<string, string>>;
  /** Delays before each restart after the agent died, the last one repeating. */
  readonly restartDelaysMs?: readonly number[];
  /** The container engine's socket (issue 4); false leaves names out (containers named by id). */
  readonly engine?: LocalEngineOptions | false;
}

const DEFAULT_RESTART_DELAYS_MS = [1_000, 2_000, 5_000, 10_000, 30_000, 60_000];
const STDERR_KEPT_CHARS = 2_000;
const KILL_GRACE_MS = 2_000;

export function intervalSeconds(intervalMs: number): number {
  return Math.max(1, Math.round(intervalMs / 1000));
}

interface RunningAgent {
  readonly child: ChildProcess;
  /** Resolves once the agent and everything it started are gone. */
  readonly exited: Promise<void>;
  kill(): Promise<void>;
}

/**
 * Starts `SHELL SCRIPT paced N` in its own process group, so stopping it also
 * ends any `df` or `tail` it is waiting on, and paces it
 * through stdin; when this process dies, stdin closes and the agent exits.
 */
function startAgent(
  options: Omit<LocalAgentOptions, 'restartDelaysMs' | 'engine'> & { readonly engineSocket?: string },
  onResult: (result: ParseResult) => void,
  onExit: (detail: string) => void,
  words?: () => readonly string[],
): RunningAgent {
  const script = options.scriptPath ?? loadAgentScript().path;
  const child = spawn(options.shell ?? 'sh', [script, ...pacedAgentArgs(options.processEvery ?? DEFAULT_PROCESS_EVERY)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, ...options.env, ...(options.engineSocket ? { OVERLOOK_ENGINE_SOCKET: options.engineSocket } : {}) },
  });
  const pacer = startAgentPacer((line) => child.stdin!.writable && child.stdin!.write(line), {
    intervalMs: options.intervalMs,
    ...(words ? { words } : {}),
  });
  const decoder = createAgentDecoder();
  let stderr = '';
  let done = false;
  let resolveExited!: () => void;
  const exited = new Promise<void>((resolve) => (resolveExited = resolve));
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    for (const result of decoder.push(chunk, Date.now())) onResult(result);
  });
  child.stderr!.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEPT_CHARS);
  });
  // A write to stdin after the agent died raises EPIPE here; exit is reported below.
  child.stdin!.on('error', () => {});
  const finish = (detail: string) => {
    if (done) return;
    done = true;
    pacer.stop();
    for (const result of decoder.end(Date.now())) onResult(result);
    resolveExited();
    onExit(detail);
  };
  child.on('error', (err) => finish(`cannot run ${options.shell ?? 'sh'}: ${err.message}`));
  child.on('close', (code, signal) => {
    const why = signal ? `killed by ${signal}` : `exited with code ${code}`;
    const tail = stderr.trim().split('\n').slice(-3).join(' / ');
    finish(tail ? `agent ${why}: ${tail}` : `agent ${why}`);
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  return {
    child,
    exited,
    async kill() {
      if (done) return;
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS);
      await exited;
      clearTimeout(timer);
      // The shell may be gone while a child it started (sleep) still runs.
      signalGroup('SIGKILL');
    },
  };
}

export function createLocalAgentSource(options: LocalAgentOptions): HostSource {
  const delays = options.restartDelaysMs ?? DEFAULT_RESTART_DELAYS_MS;
  let events: SourceEvents | undefined;
  let running: RunningAgent | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  let stopped = true;
  let unsupported = false;
  let lastStatus: string | undefined;
  // Without an engine it still carries the containers' init pids, so their network is read.
  const tracker = new ContainerTracker({
    ...(options.engine !== false ? { connector: localEngineConnector(options.engine ?? {}) } : {}),
    ...(options.engine && options.engine.refreshMs ? { refreshMs: options.engine.refreshMs } : {}),
    hostName: 'local',
  });

  const status = (s: Parameters<SourceEvents['status']>[0], detail?: string) => {
    const key = `${s}\u0000${detail ?? ''}`;
    if (key === lastStatus) return;
    lastStatus = key;
    events?.status(s, detail);
  };

  const onResult = (result: ParseResult) => {
    switch (result.kind) {
      case 'observation':
        failures = 0;
        status('online');
        events?.observation(tracker.enrich(result.observation));
        break;
      case 'unsupported_os':
        unsupported = true;
        status('unsupported_os', result.message);
        break;
      case 'agent_error':
        status('agent_error', result.message);
        break;
      case 'invalid':
        status('agent_error', `unreadable agent output: ${result.problem}`);
        break;
    }
  };

  const launch = () => {
    restartTimer = undefined;
    if (stopped) return;
    running = startAgent(
      { ...options, ...(options.engine && options.engine.socketPath ? { engineSocket: options.engine.socketPath } : {}) },
      onResult,
      (detail) => {
        running = undefined;
        if (stopped || unsupported) return;
        status('agent_error', detail);
        const delay = delays[Math.min(failures, delays.length - 1)] ?? 1_000;
        failures++;
        restartTimer = setTimeout(launch, delay);
      },
      () => tracker.requestWords(),
    );
  };

  return {
    start(e: SourceEvents) {
      if (!stopped) return;
      events = e;
      stopped = false;
      unsupported = false;
      failures = 0;
      lastStatus = undefined;
      status('connecting');
      launch();
    },
    async stop() {
      stopped = true;
      if (restartTimer) clearTimeout(restartTimer);
      restartTimer = undefined;
      const agent = running;
      running = undefined;
      if (agent) await agent.kill();
      await tracker.idle();
    },
  };
}

export interface RunAgentOnceOptions extends Omit<Partial<LocalAgentOptions>, 'restartDelaysMs' | 'engine'> {
  /** Give up after this long (default: three intervals plus 10 s). */
  readonly timeoutMs?: number;
}

/**
 * Two observations one interval apart (so rates can be derived), from the
 * agent in stream mode; for `overlook snapshot`. Rejects with the agent's
 * own message on an unsupported OS or error.
 */
export async function runAgentOnce(options: RunAgentOnceOptions = {}): Promise<[HostObservation, HostObservation]> {
  const intervalMs = options.intervalMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 3 * intervalSeconds(intervalMs) * 1000 + 10_000;
  const observations: HostObservation[] = [];
  let settle!: (error?: Error) => void;
  const settled = new Promise<void>((resolve, reject) => {
    settle = (error) => (error ? reject(error) : resolve());
  });
  const agent = startAgent(
    { ...options, intervalMs },
    (result) => {
      if (result.kind === 'observation') {
        observations.push(result.observation);
        if (observations.length === 2) settle();
      } else if (result.kind === 'unsupported_os') settle(new Error(result.message));
      else if (result.kind === 'agent_error') settle(new Error(`agent error: ${result.message}`));
    },
    (detail) => settle(new Error(`${detail} after ${observations.length} sample(s)`)),
  );
  const timer = setTimeout(() => settle(new Error(`no two samples from the agent within ${timeoutMs} ms`)), timeoutMs);
  try {
    await settled;
  } finally {
    clearTimeout(timer);
    await agent.kill();
  }
  return [observations[0]!, observations[1]!];
}
