// One remote host as a HostSource: one persistent SSH connection, the agent
// in paced mode on one exec channel, frames → parser → observations. The
// agent dies with its channel (it exits on the first write to a closed
// stdout), so stop() leaves nothing running on the host. A cut link cannot
// close the channel: the reconnecting source ends the agent the lost session
// started (previousAgent.ts), and the agent gives up by itself after a few
// silent intervals where the host's sh has `read -t`.
import type { Duplex } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import type { HostStatus } from '../../common/contract.js';
import { loadAgentScript } from '../sources/agent/agentScript.js';
import { noSampleFor } from '../ingest/hostRegistry.js';
import { startAgentSession, type AgentSession } from '../sources/agent/agentSession.js';
import { agentIdleSeconds, pacedAgentCommand } from '../sources/agent/pacer.js';
import { endPreviousAgent, type AgentProcess } from './previousAgent.js';
import type { Logger } from '../log.js';
import type { HostSource, SourceEvents } from '../model/hostSource.js';
import { ContainerTracker } from '../containers/containerTracker.js';
import { sshEngineConnector } from './sshEngine.js';
import { deployAgent, type DeployableAgent } from './deployAgent.js';
import { sharedHandshakeLimiter, type HandshakeLimiter } from './handshakeLimiter.js';
import type { HostKeyStore } from './knownHosts.js';
import { DEFAULT_RECONNECT_POLICY, reconnectDelayMs, type ReconnectPolicy } from './reconnectPolicy.js';
import { probeRemoteOs } from './remoteOs.js';
import { connectSsh, whenExited, type SshConnection, type SshEndpoint } from './sshConnection.js';
import { SshError, classifyConnectError, statusForError } from './sshErrors.js';

export interface SshHostSourceOptions {
  /** For log lines only. */
  readonly name: string;
  readonly target: SshEndpoint;
  readonly jumps?: readonly SshEndpoint[];
  readonly intervalMs: number;
  readonly hostKeys: HostKeyStore;
  /** Defaults to the shipped agent (loadAgentScript). */
  readonly agent?: DeployableAgent;
  readonly limiter?: HandshakeLimiter;
  readonly log?: Logger;
  /** Remote directory for the agent, relative to $HOME. */
  readonly agentDir?: string;
  readonly reconnect?: Partial<ReconnectPolicy>;
  readonly keepaliveIntervalMs?: number;
  readonly keepaliveCountMax?: number;
  readonly readyTimeoutMs?: number;
  readonly random?: () => number;
  /** The container engine's socket on the host when it is not where the agent looks. */
  readonly engineSocket?: string;
  /** No sample for this long and the agent is restarted (default: agentSession.ts's STUCK_AFTER_INTERVALS). */
  readonly stuckAfterMs?: number;
  /** False: no names from the engine (containers named by id). */
  readonly engine?: boolean;
  /** Time box for each engine request. */
  readonly engineTimeoutMs?: number;
  /** How often the engine is asked (default DEFAULT_ENGINE_REFRESH_MS). */
  readonly engineRefreshMs?: number;
}

export interface SshHostSourceStats {
  readonly status: HostStatus;
  readonly detail?: string;
  /** Connection attempts made (handshakes started). */
  readonly connectAttempts: number;
  readonly sessions: number;
  readonly observations: number;
  /** Agent output that was not a whole, parsable frame (a truncated sample, stray lines): dropped and counted. */
  readonly framesDropped: number;
  readonly lastError?: SshError;
  /** ms from the start of the latest attempt to its first observation. */
  readonly timeToFirstObservationMs?: number;
  /** Agents of earlier sessions that were still running on the host when the console reconnected, and were ended. */
  readonly previousAgentsEnded: number;
  /** Agent output received, bytes (all sessions). */
  readonly bytesReceived: number;
  /** Time spent splitting and parsing agent output in this process, ms (the rest of the CPU is SSH transport). */
  readonly decodeMs: number;
}

export class SshHostSource implements HostSource {
  private events: SourceEvents | undefined;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private conn: SshConnection | undefined;
  private channel: ClientChannel | undefined;
  private wake: (() => void) | undefined;
  private readonly abort = new AbortController();
  private readonly policy: ReconnectPolicy;
  private readonly limiter: HandshakeLimiter;
  private readonly random: () => number;
  private readonly tracker: ContainerTracker;

  private status: HostStatus = 'connecting';
  private detail: string | undefined;
  private connectAttempts = 0;
  private sessions = 0;
  private observations = 0;
  private framesDropped = 0;
  private lastError: SshError | undefined;
  private timeToFirstObservationMs: number | undefined;
  private sessionProduced = false;
  private bytesReceived = 0;
  /** Decode time of the sessions that ended; the live one's is added when asked. */
  private decodeMsBefore = 0;
  private agentSession: AgentSession | undefined;
  /** The agent the latest session started, as it named itself: ended over the next connection if it still runs. */
  private lastAgent: AgentProcess | undefined;
  private previousAgentsEnded = 0;

  constructor(private readonly options: SshHostSourceOptions) {
    this.policy = { ...DEFAULT_RECONNECT_POLICY, ...options.reconnect };
    this.limiter = options.limiter ?? sharedHandshakeLimiter;
    this.random = options.random ?? Math.random;
    this.tracker = new ContainerTracker({
      ...(options.log ? { log: options.log } : {}),
      ...(options.engineRefreshMs ? { refreshMs: options.engineRefreshMs } : {}),
      hostName: options.name,
    });
  }

  get stats(): SshHostSourceStats {
    return {
      status: this.status,
      ...(this.detail !== undefined ? { detail: this.detail } : {}),
      connectAttempts: this.connectAttempts,
      sessions: this.sessions,
      observations: this.observations,
      framesDropped: this.framesDropped,
      ...(this.lastError ? { lastError: this.lastError } : {}),
      ...(this.timeToFirstObservationMs !== undefined ? { timeToFirstObservationMs: this.timeToFirstObservationMs } : {}),
      bytesReceived: this.bytesReceived,
      decodeMs: this.decodeMsBefore + (this.agentSession?.stats.decodeMs ?? 0),
      previousAgentsEnded: this.previousAgentsEnded,
    };
  }

  start(events: SourceEvents): void {
    if (this.loop) throw new Error('SshHostSource already started');
    this.events = events;
    this.loop = this.run();
  }

  /** Try again now (the user accepted a host key, fixed a password, pressed Retry). */
  /** A TCP stream to host:port from this host, over the connection it holds (direct-tcpip); rejects while it is not connected. */
  openTcpStream(host: string, port: number): Promise<Duplex> {
    const conn = this.conn;
    if (!conn || conn.isClosed) return Promise.reject(new Error(`${this.options.name} is not connected (${this.status})`));
    return conn.openTcpStream(host, port);
  }

  /** Runs a command over the connection this host holds (64 KiB of output at most); rejects while it is not connected. */
  async runCommand(command: string, timeoutMs: number): Promise<{ code: number | null; stdout: string }> {
    const conn = this.conn;
    if (!conn || conn.isClosed) throw new Error(`${this.options.name} is not connected (${this.status})`);
    const r = await conn.run(command, { timeoutMs, maxOutputBytes: 64 * 1024 });
    return { code: r.code, stdout: `${r.stdout.toString('utf8')}${r.stderr}` };
  }

  retryNow(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.closeSession();
    this.wake?.();
    await this.loop;
    await this.tracker.idle();
  }

  private setStatus(status: HostStatus, detail?: string): void {
    if (this.stopped) return;
    if (status === this.status && detail === this.detail) return;
    this.status = status;
    this.detail = detail;
    this.events?.status(status, detail);
  }

  private closeSession(): void {
    const channel = this.channel;
    this.channel = undefined;
    if (channel) {
      // OpenSSH ≥ 8.1 delivers the signal to the agent at once; elsewhere
      // (Dropbear) closing the channel ends it at its next write.
      try {
        channel.signal('TERM');
      } catch {
        // channel already gone
      }
      channel.close();
    }
    this.conn?.close();
    this.conn = undefined;
    // Names already known stay until the next session's engine answers.
    this.tracker.setConnector(undefined);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  private async run(): Promise<void> {
    let failures = 0;
    this.events?.status('connecting');
    while (!this.stopped) {
      this.setStatus('connecting', this.lastError ? `reconnecting after: ${this.lastError.message}` : undefined);
      this.sessionProduced = false;
      try {
        await this.session();
        if (this.stopped) break;
        throw new SshError('closed', 'The agent stream ended.');
      } catch (raw) {
        this.closeSession();
        if (this.stopped) break;
        const err = classifyConnectError(raw, `${this.options.target.host}:${this.options.target.port}`, this.options.target.username);
        this.lastError = err;
        // A session that delivered samples was a success: back off from scratch.
        if (this.sessionProduced) failures = 0;
        failures++;
        this.setStatus(statusForError(err), err.message);
        const delay = reconnectDelayMs(err.kind, failures, this.random(), this.policy);
        this.options.log?.warn('ssh host unavailable', { host: this.options.name, kind: err.kind, retryInMs: delay });
        await this.sleep(delay);
      }
    }
  }

  /** One connection, from handshake to the end of the agent stream. Resolves true if it produced an observation. */
  private async session(): Promise<boolean> {
    const startedAt = Date.now();
    this.connectAttempts++;
    const conn = await this.limiter.run(() =>
      connectSsh({
        target: this.options.target,
        ...(this.options.jumps ? { jumps: this.options.jumps } : {}),
        hostKeys: this.options.hostKeys,
        ...(this.options.log ? { log: this.options.log } : {}),
        ...(this.options.keepaliveIntervalMs !== undefined ? { keepaliveIntervalMs: this.options.keepaliveIntervalMs } : {}),
        ...(this.options.keepaliveCountMax !== undefined ? { keepaliveCountMax: this.options.keepaliveCountMax } : {}),
        ...(this.options.readyTimeoutMs !== undefined ? { readyTimeoutMs: this.options.readyTimeoutMs } : {}),
      }),
      // stop() while queued behind other hosts' handshakes: leave the queue.
      this.abort.signal,
    );
    if (this.stopped) {
      conn.close();
      return false;
    }
    this.conn = conn;
    this.sessions++;
    await probeRemoteOs(conn);
    await this.endPreviousAgent(conn);
    const deployed = await deployAgent(conn, this.options.agent ?? loadAgentScript(), this.options.agentDir ? { dir: this.options.agentDir } : {});
    if (this.stopped) return false;
    // Paced mode: the console writes a line per interval on the agent's stdin and
    // the agent waits with the shell's `read`, so a sample costs one `tail` and
    // no `sleep` even under dash; the channel's EOF ends the agent.
    const channel = await conn.exec(
      pacedAgentCommand(
        deployed.path,
        undefined,
        this.options.engineSocket ? { OVERLOOK_ENGINE_SOCKET: this.options.engineSocket } : {},
        // Where the host's sh can wait with a timeout, an agent no console talks to any more gives up by itself.
        agentIdleSeconds(this.options.intervalMs),
      ),
    );
    if (this.stopped) {
      channel.close();
      return false;
    }
    this.channel = channel;
    if (this.options.engine !== false) {
      this.tracker.setConnector(
        sshEngineConnector(conn, {
          ...(this.options.engineSocket ? { socketPath: this.options.engineSocket } : {}),
          ...(this.options.engineTimeoutMs ? { timeoutMs: this.options.engineTimeoutMs } : {}),
        }),
      );
    }
    return this.consume(conn, channel, startedAt, this.options.intervalMs);
  }

  /**
   * The agent of the previous session may still run on the host (a cut link
   * leaves its sshd session waiting for TCP keepalive): end it now, over the
   * new connection. Forgotten once asked; kept if the question could not be
   * put (this connection failed too), for the next one.
   */
  private async endPreviousAgent(conn: SshConnection): Promise<void> {
    const previous = this.lastAgent;
    if (!previous) return;
    try {
      const outcome = await endPreviousAgent(conn, previous);
      this.lastAgent = undefined;
      if (outcome === 'ended') {
        this.previousAgentsEnded++;
        this.options.log?.info('ended the agent an earlier connection left running', { host: this.options.name, pid: previous.pid });
      } else if (outcome === 'denied') {
        this.options.log?.warn('could not end the agent an earlier connection left running', { host: this.options.name, pid: previous.pid });
      }
    } catch (err) {
      if (conn.isClosed) throw err;
      // The host answered oddly (a shell without /proc?): nothing more to do about that agent.
      this.lastAgent = undefined;
      this.options.log?.warn('could not check for an earlier agent', { host: this.options.name, error: (err as Error).message.slice(0, 200) });
    }
  }

  private consume(conn: SshConnection, channel: ClientChannel, startedAt: number, periodMs: number): Promise<boolean> {
    return new Promise((resolve, reject) => {
      let produced = false;
      let agentError: { kind: 'unsupported_os' | 'agent_error'; message: string } | undefined;
      let stuck: string | undefined;
      let exitCode: number | null | undefined;
      let exitSignal: string | undefined;
      let staleTimer: NodeJS.Timeout | undefined;
      let finished = false;

      // Stale: no sample for two intervals while the connection still looks up
      // (a cut link is noticed by keepalives only later).
      const armStale = () => {
        clearTimeout(staleTimer);
        staleTimer = setTimeout(() => this.setStatus('stale', noSampleFor(2 * periodMs + 500)), 2 * periodMs + 500);
      };

      const session = startAgentSession(
        { stdin: channel, stdout: channel, stderr: channel.stderr },
        { intervalMs: periodMs, enricher: this.tracker, ...(this.options.stuckAfterMs ? { stuckAfterMs: this.options.stuckAfterMs } : {}) },
        {
          observation: (observation) => {
            if (!produced) {
              produced = true;
              this.sessionProduced = true;
              this.timeToFirstObservationMs = Date.now() - startedAt;
              this.lastError = undefined;
            }
            this.observations++;
            armStale();
            this.setStatus('online');
            this.events?.observation(observation);
          },
          problem: (kind, message) => {
            agentError = { kind, message };
          },
          invalid: (problem) => {
            this.framesDropped++;
            this.options.log?.warn('agent output dropped', { host: this.options.name, reason: problem.slice(0, 300) });
          },
          stuck: (detail) => {
            // Closing the channel ends the agent (and finish() below reports why); the session starts again at once.
            stuck = detail;
            this.options.log?.warn('agent restarted', { host: this.options.name, reason: detail });
            try {
              channel.signal('TERM');
            } catch {
              // channel already gone
            }
            channel.close();
          },
          agentProcess: (pid, startTime) => {
            this.lastAgent = { pid, startTime };
          },
        },
      );
      const countBytes = (chunk: Buffer) => {
        this.bytesReceived += chunk.length;
      };
      channel.on('data', countBytes);

      const finish = (connectionError?: SshError) => {
        if (finished) return;
        finished = true;
        clearTimeout(staleTimer);
        session.end();
        this.decodeMsBefore += session.stats.decodeMs;
        if (this.agentSession === session) this.agentSession = undefined;
        channel.removeListener('data', countBytes);
        if (this.stopped) {
          resolve(produced);
          return;
        }
        const stderr = session.stderrTail();
        const foreign = session.firstForeignOutput();
        if (stuck !== undefined) {
          // 'closed': reconnect with the short backoff, not the agent error's long one.
          reject(new SshError('closed', `On ${conn.target}, ${stuck}.`, conn.target));
        } else if (agentError !== undefined) {
          reject(new SshError(agentError.kind, `The agent reported: ${agentError.message.slice(0, 300)}`, conn.target));
        } else if (connectionError || conn.isClosed) {
          reject(connectionError ?? new SshError('closed', `The connection to ${conn.target} was lost.`, conn.target));
        } else {
          const how = exitSignal ? `was killed by ${exitSignal}` : exitCode !== undefined && exitCode !== null ? `exited with status ${exitCode}` : 'stopped';
          const why = stderr ? `: ${stderr.split('\n').slice(-3).join(' | ').slice(0, 300)}` : '';
          const seen = foreign !== undefined ? `; it printed output that is not agent frames, starting "${foreign}"` : '';
          // Blame the shell only on the shell's own evidence: a syntax error or a missing command on stderr.
          const shell = /syntax error|unexpected|not found|bad substitution|illegal option/i.test(stderr) ? " The host's sh may not be POSIX enough (dash, bash and busybox ash work)." : '';
          reject(
            new SshError(
              'agent_error',
              produced ? `The agent ${how} unexpectedly${why}${seen}` : `The agent could not run on ${conn.target}: it ${how} before its first sample${why}${seen}.${shell}`,
              conn.target,
            ),
          );
        }
      };

      armStale();
      this.agentSession = session;
      whenExited(
        channel,
        (code, signal) => {
          exitCode = code;
          if (signal) exitSignal = signal;
          finish();
        },
        300,
      );
      conn.onClose((err) => finish(err ?? new SshError('closed', `The connection to ${conn.target} was lost.`, conn.target)));
    });
  }
}
