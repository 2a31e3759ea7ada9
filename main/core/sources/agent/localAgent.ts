// The machine the console runs on, watched by the same agent script as every
// SSH host, run through child_process in paced mode: a request line on its
// stdin every interval (pacer.ts), so a sample forks nothing. The agent
// session (agentSession.ts) is the same one SSH hosts run over their channel.
import { spawn, type ChildProcess } from 'node:child_process';
import type { HostObservation } from '../../model/observation.js';
import type { HostSource, SourceEvents } from '../../model/hostSource.js';
import { loadAgentScript } from './agentScript.js';
import { startAgentSession, type AgentSessionEvents, type ObservationEnricher } from './agentSession.js';
import { DEFAULT_PROCESS_EVERY, pacedAgentArgs } from './pacer.js';

export interface LocalAgentOptions {
  /** Sample interval: the console sends the agent a request line this often. */
  readonly intervalMs: number;
  /** Per-process stats in every Nth sample (default DEFAULT_PROCESS_EVERY; derivation bridges the others). */
  readonly processEvery?: number;
  /** Defaults to the script shipped with the core (loadAgentScript()). */
  readonly scriptPath?: string;
  /** The shell to run it with; `sh` by default (dash, bash or busybox ash all work). */
  readonly shell?: string;
  /** Added to the inherited environment (PROC_ROOT, SYS_ROOT for tests). */
  readonly env?: Readonly<Record<string, string>>;
  /** Delays before each restart after the agent died, the last one repeating. */
  readonly restartDelaysMs?: readonly number[];
  /** The container engine's socket, passed to the agent (OVERLOOK_ENGINE_SOCKET) so it reports on that one. */
  readonly engineSocket?: string;
  /** Adds engine names to each observation and words the agent's requests (the container tracker). */
  readonly enricher?: ObservationEnricher & { idle?(): Promise<void> };
  /** No sample for this long and the agent is restarted (default: agentSession.ts's STUCK_AFTER_INTERVALS). */
  readonly stuckAfterMs?: number;
}

const DEFAULT_RESTART_DELAYS_MS = [1_000, 2_000, 5_000, 10_000, 30_000, 60_000];
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
 * ends any `df` or `tail` it is waiting on, and runs an agent session on its
 * pipes; when this process dies, stdin closes and the agent exits.
 */
function startAgent(
  options: Omit<LocalAgentOptions, 'restartDelaysMs'>,
  events: AgentSessionEvents,
  onExit: (detail: string) => void,
): RunningAgent {
  const script = options.scriptPath ?? loadAgentScript().path;
  const child = spawn(options.shell ?? 'sh', [script, ...pacedAgentArgs(options.processEvery ?? DEFAULT_PROCESS_EVERY)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, ...options.env, ...(options.engineSocket ? { OVERLOOK_ENGINE_SOCKET: options.engineSocket } : {}) },
  });
  const session = startAgentSession(
    { stdin: child.stdin!, stdout: child.stdout!, stderr: child.stderr! },
    { intervalMs: options.intervalMs, ...(options.enricher ? { enricher: options.enricher } : {}), ...(options.stuckAfterMs ? { stuckAfterMs: options.stuckAfterMs } : {}) },
    events,
  );
  let done = false;
  let resolveExited!: () => void;
  const exited = new Promise<void>((resolve) => (resolveExited = resolve));
  // A write to stdin after the agent died raises EPIPE here; exit is reported below.
  child.stdin!.on('error', () => {});
  const finish = (detail: string) => {
    if (done) return;
    done = true;
    session.end();
    resolveExited();
    onExit(detail);
  };
  child.on('error', (err) => finish(`cannot run ${options.shell ?? 'sh'}: ${err.message}`));
  child.on('close', (code, signal) => {
    const why = signal ? `killed by ${signal}` : `exited with code ${code}`;
    const tail = session.stderrTail().split('\n').slice(-3).join(' / ');
    const foreign = session.firstForeignOutput();
    finish(`agent ${why}${tail ? `: ${tail}` : ''}${foreign !== undefined ? `; it printed output that is not agent frames, starting "${foreign}"` : ''}`);
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
  /** Why the running agent is being restarted by the console (it stopped sending samples), shown instead of "killed by SIGTERM". */
  let restartReason: string | undefined;

  const status = (s: Parameters<SourceEvents['status']>[0], detail?: string) => {
    const key = `${s}\u0000${detail ?? ''}`;
    if (key === lastStatus) return;
    lastStatus = key;
    events?.status(s, detail);
  };

  const sessionEvents: AgentSessionEvents = {
    observation(observation) {
      failures = 0;
      status('online');
      events?.observation(observation);
    },
    problem(kind, message) {
      if (kind === 'unsupported_os') unsupported = true;
      status(kind, message);
    },
    invalid(problem) {
      status('agent_error', `unreadable agent output: ${problem}`);
    },
    stuck(detail) {
      restartReason = detail;
      status('agent_error', detail);
      void running?.kill();
    },
  };

  const launch = () => {
    restartTimer = undefined;
    if (stopped) return;
    running = startAgent(options, sessionEvents, (detail) => {
      running = undefined;
      if (stopped || unsupported) return;
      const restarted = restartReason;
      restartReason = undefined;
      status('agent_error', restarted ?? detail);
      // A stuck agent is started again at once; one that died waits, longer each time.
      const delay = restarted !== undefined ? 0 : (delays[Math.min(failures, delays.length - 1)] ?? 1_000);
      failures++;
      restartTimer = setTimeout(launch, delay);
    });
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
      await options.enricher?.idle?.();
    },
  };
}

export interface RunAgentOnceOptions extends Omit<Partial<LocalAgentOptions>, 'restartDelaysMs' | 'enricher'> {
  /** Give up after this long (default: three intervals plus 10 s). */
  readonly timeoutMs?: number;
}

/**
 * Two observations one interval apart (so rates can be derived), from the
 * agent in paced mode; for `overlook snapshot`. Rejects with the agent's
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
    {
      observation(observation) {
        observations.push(observation);
        if (observations.length === 2) settle();
      },
      problem(kind, message) {
        settle(new Error(kind === 'unsupported_os' ? message : `agent error: ${message}`));
      },
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
