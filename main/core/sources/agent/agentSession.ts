// One running agent, whatever carries its bytes: the local host's child
// process (stdin/stdout pipes) or an SSH exec channel (one duplex stream).
// Written once for both: the pacer sends a request line per interval, the
// decoder turns output into frames and observations, an enricher (the
// container tracker) adds what the agent cannot know (engine names) and asks
// for the words of the next request, and each result becomes an observation
// or an agent problem for the source to report. The source keeps only what
// differs: how the agent is started, and what an exit means.
import { StringDecoder } from 'node:string_decoder';
import type { HostObservation } from '../../model/observation.js';
import { createAgentDecoder } from '../../parse/agentDecoder.js';
import type { ParseResult } from '../../parse/agentFrame.js';
import { createBusiestTracker, startAgentPacer } from './pacer.js';

/** Adds to each observation what the console knows beyond the frame, and words the next request (ContainerTracker does both). */
export interface ObservationEnricher {
  requestWords(): readonly string[];
  enrich(observation: HostObservation): HostObservation;
}

/** The three streams of a running agent; an SSH channel is `stdin` and `stdout` at once. */
export interface AgentStreams {
  readonly stdin: NodeJS.WritableStream;
  readonly stdout: NodeJS.ReadableStream;
  readonly stderr?: NodeJS.ReadableStream;
}

export interface AgentSessionEvents {
  observation(observation: HostObservation): void;
  /** The agent reported that it cannot run here (not Linux) or a fatal error of its own. */
  problem(kind: 'unsupported_os' | 'agent_error', message: string): void;
  /**
   * Output that was not a whole frame (a truncated sample, stray lines):
   * dropped and counted every time, reported at most `problemBurst` times per
   * `problemSummaryMs`, then once more as a summary of the rest.
   */
  invalid?(problem: string): void;
  /** The agent named its process (paced mode, before its first sample): pid and start time in clock ticks after boot. */
  agentProcess?(pid: number, startTime: string): void;
  /** No sample for `stuckAfterMs`: the agent is stuck (silent, or printing what is not frames). The source restarts it. */
  stuck?(detail: string): void;
}

export interface AgentSessionOptions {
  readonly intervalMs: number;
  readonly enricher?: ObservationEnricher;
  /** Output problems reported one by one in each summary period before the rest are summed up (default 3). */
  readonly problemBurst?: number;
  /** The summary period for output problems (default 60 s). */
  readonly problemSummaryMs?: number;
  /** No sample for this long and the agent is stuck (default: STUCK_AFTER_INTERVALS intervals, at least MIN_STUCK_MS). */
  readonly stuckAfterMs?: number;
}

/** An agent that misses this many intervals in a row is restarted. */
export const STUCK_AFTER_INTERVALS = 5;
/** …but never sooner than this: the first sample of a host with many containers can take a while. */
export const MIN_STUCK_MS = 20_000;

export interface AgentSessionStats {
  readonly observations: number;
  /** Agent output that was not a whole, parsable frame. */
  readonly framesDropped: number;
  /** Agent output received, bytes. */
  readonly bytesReceived: number;
  /** Time spent splitting and parsing agent output in this process, ms. */
  readonly decodeMs: number;
}

export interface AgentSession {
  readonly stats: AgentSessionStats;
  /** The last lines the agent wrote to stderr, for the message when it exits (never more than a few KiB). */
  stderrTail(): string;
  /** Stops pacing and parses what is left of the output (a frame cut off by the end is reported as invalid). */
  end(): void;
  /** The start of the first output that was not agent frames, printable, if there was any: what the agent's host actually sent. */
  firstForeignOutput(): string | undefined;
}

/** How much of the agent's stderr is kept: the tail is what explains an exit. */
const MAX_STDERR_KEPT = 2048;

export function startAgentSession(streams: AgentStreams, options: AgentSessionOptions, events: AgentSessionEvents): AgentSession {
  const decoder = createAgentDecoder();
  const utf8 = new StringDecoder('utf8');
  let observations = 0;
  let framesDropped = 0;
  let bytesReceived = 0;
  let decodeMs = 0;
  let stderr = '';
  let ended = false;
  let foreign: string | undefined;

  // A host whose `sh` prints random bytes would otherwise report (and log) a
  // problem per chunk: tens of thousands of lines a minute. The first few of
  // each period are reported as they come, the rest as one summary.
  const burst = options.problemBurst ?? 3;
  const summaryMs = options.problemSummaryMs ?? 60_000;
  let periodStart = 0;
  let reported = 0;
  let held = 0;
  let lastHeld = '';
  let summaryTimer: NodeJS.Timeout | undefined;
  const flushHeld = () => {
    summaryTimer = undefined;
    if (held === 0) return;
    events.invalid?.(`${held} more piece(s) of output dropped in the last ${Math.round(summaryMs / 1000)} s; the last: ${lastHeld}`);
    held = 0;
  };
  const reportInvalid = (problem: string) => {
    const now = Date.now();
    if (now - periodStart >= summaryMs) {
      if (summaryTimer) clearTimeout(summaryTimer);
      flushHeld();
      periodStart = now;
      reported = 0;
    }
    if (reported < burst) {
      reported++;
      events.invalid?.(problem);
      return;
    }
    held++;
    lastHeld = problem;
    if (!summaryTimer) {
      summaryTimer = setTimeout(flushHeld, Math.max(0, periodStart + summaryMs - now));
      summaryTimer.unref?.();
    }
  };

  // A stuck agent: silent (a hung `df` on a dead NFS mount, a stopped process)
  // or printing what is not frames. Told once; the source restarts it.
  const stuckAfterMs = options.stuckAfterMs ?? Math.max(MIN_STUCK_MS, STUCK_AFTER_INTERVALS * options.intervalMs);
  let lastSampleAt = Date.now();
  let stuckTold = false;
  const watchdog = setInterval(() => {
    const silentMs = Date.now() - lastSampleAt;
    if (ended || stuckTold || silentMs < stuckAfterMs) return;
    stuckTold = true;
    const seen = foreign !== undefined ? `; it printed output that is not agent frames, starting "${foreign}"` : bytesReceived === 0 ? '; it printed nothing' : '';
    events.stuck?.(`the agent sent no sample for ${Math.round(silentMs / 1000)} s (${Math.floor(silentMs / options.intervalMs)} intervals)${seen}; restarting it`);
  }, Math.min(options.intervalMs, 1000));
  watchdog.unref?.();

  // The processes the agent re-reads between its full reads.
  const busiest = createBusiestTracker();
  const handle = (results: readonly ParseResult[]) => {
    for (const result of results) {
      switch (result.kind) {
        case 'observation':
          observations++;
          lastSampleAt = Date.now();
          busiest.observe(result.observation);
          events.observation(options.enricher ? options.enricher.enrich(result.observation) : result.observation);
          break;
        case 'unsupported_os':
        case 'agent_error':
          events.problem(result.kind, result.message);
          break;
        case 'invalid':
          framesDropped++;
          if (result.sample !== undefined) foreign ??= result.sample;
          reportInvalid(result.sample !== undefined ? `output is not agent frames (${result.problem}): first bytes "${result.sample}"` : result.problem);
          break;
        case 'agent_process':
          events.agentProcess?.(result.pid, result.startTime);
          break;
      }
    }
  };

  const onData = (chunk: Buffer | string) => {
    if (ended) return;
    const text = typeof chunk === 'string' ? chunk : utf8.write(chunk);
    bytesReceived += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    const started = performance.now();
    const results = decoder.push(text, Date.now());
    decodeMs += performance.now() - started;
    handle(results);
  };
  const onStderr = (chunk: Buffer | string) => {
    stderr = (stderr + chunk.toString()).slice(-MAX_STDERR_KEPT);
  };
  streams.stdout.on('data', onData);
  streams.stderr?.on('data', onStderr);

  const pacer = startAgentPacer((line) => streams.stdin.writable && streams.stdin.write(line), {
    intervalMs: options.intervalMs,
    topPids: () => busiest.pids(),
    ...(options.enricher ? { words: () => options.enricher!.requestWords() } : {}),
  });

  return {
    get stats() {
      return { observations, framesDropped, bytesReceived, decodeMs };
    },
    stderrTail: () => stderr.trim(),
    firstForeignOutput: () => foreign,
    end() {
      if (ended) return;
      pacer.stop();
      clearInterval(watchdog);
      const tail = utf8.end();
      if (tail) handle(decoder.push(tail, Date.now()));
      handle(decoder.end(Date.now()));
      ended = true;
      if (summaryTimer) clearTimeout(summaryTimer);
      flushHeld();
      streams.stdout.removeListener('data', onData);
      streams.stderr?.removeListener('data', onStderr);
    },
  };
}
