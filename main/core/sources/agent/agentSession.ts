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
import { startAgentPacer } from './pacer.js';

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
  /** Output that was not a whole frame (a truncated sample, stray lines): dropped, counted, reported. */
  invalid?(problem: string): void;
  /** The agent named its process (paced mode, before its first sample): pid and start time in clock ticks after boot. */
  agentProcess?(pid: number, startTime: string): void;
}

export interface AgentSessionOptions {
  readonly intervalMs: number;
  readonly enricher?: ObservationEnricher;
}

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

  const handle = (results: readonly ParseResult[]) => {
    for (const result of results) {
      switch (result.kind) {
        case 'observation':
          observations++;
          events.observation(options.enricher ? options.enricher.enrich(result.observation) : result.observation);
          break;
        case 'unsupported_os':
        case 'agent_error':
          events.problem(result.kind, result.message);
          break;
        case 'invalid':
          framesDropped++;
          events.invalid?.(result.problem);
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
    ...(options.enricher ? { words: () => options.enricher!.requestWords() } : {}),
  });

  return {
    get stats() {
      return { observations, framesDropped, bytesReceived, decodeMs };
    },
    stderrTail: () => stderr.trim(),
    end() {
      if (ended) return;
      pacer.stop();
      const tail = utf8.end();
      if (tail) handle(decoder.push(tail, Date.now()));
      handle(decoder.end(Date.now()));
      ended = true;
      streams.stdout.removeListener('data', onData);
      streams.stderr?.removeListener('data', onStderr);
    },
  };
}
