// Paced mode: the console, not the agent, keeps time. `sh overlook-agent.sh
// paced N` takes one sample per line it reads on stdin, waiting with a shell
// builtin (`read`) that forks nothing in dash, bash or busybox ash, so a
// sample costs one `tail`; stream mode also forks `sleep` every sample under
// dash. EOF on stdin ends the agent, so it
// dies with its console process or SSH channel. The local source and the SSH
// source both drive it with startAgentPacer.

import type { HostObservation } from '../../model/observation.js';

/**
 * Per-process stats in every Nth sample (the agent always reads them in its
 * first two). Reading each /proc/PID/stat costs the kernel ~10 us, the
 * largest per-sample cost left once nothing forks; deriveSamples pairs
 * process CPU with the last observation that had processes, so the rates stay
 * right and the table is at most N-1 intervals old.
 */
export const DEFAULT_PROCESS_EVERY = 3;
// Containers' limits, peak and cgroup.procs come every 4 x PROCESS_EVERY
// samples (the agent's default for LIMITS_EVERY, 12 here: a minute at 5 s),
// and at once for a container the tracker has not seen them for.

/** The word in a request line that makes that sample include per-process stats (and containers' OOM and freezer files). */
export const PROCESSES_REQUEST = 'processes';

/** The word in a request line that makes that sample include containers' limits, peak and cgroup.procs. */
export const LIMITS_REQUEST = 'limits';

/** A container init pid whose network the console wants, as the tracker words it. */
export const NET_WORD_PREFIX = 'net:';

/**
 * The agent's word for the pids whose /proc/PID/net/dev it reads
 * (`net=PID,PID,…`, `net=` for none), or undefined when `previous` (the
 * last such word sent to the same agent) already says it. The agent keeps
 * the list between samples because a shell reads its request line one byte
 * per read(2): 50 containers' pids sent every sample cost the host ~500
 * system calls a sample. Order does not matter to the agent; the pids are
 * sorted so that the same set is the same word.
 */
export function netListWord(pids: readonly string[], previous: string): string | undefined {
  const word = `net=${[...new Set(pids.filter((p) => /^\d+$/.test(p)))].sort().join(',')}`;
  if (word === previous || (previous === '' && word === 'net=')) return undefined;
  return word;
}

/**
 * How many processes by CPU, and as many by memory, the console names to the
 * agent to re-read between full reads ("top=PID,…"): the derived table's
 * DEFAULT_TOP_PROCESSES (20) each, so every row it shows stays fresh, plus
 * as many again by CPU, so that the next-busiest are there when one of them
 * ends or calms down.
 */
export const NAMED_BUSIEST = 40;

/**
 * The pids to name in the agent's "top=" word, chosen at each full read of
 * every process (an observation with processes and no processesOnly): the
 * busiest by CPU since the previous full read (by their average since they
 * started at the first) and the largest by RSS. Between full reads the list
 * stands, so the word changes at most once a full read (the agent's ~60 s).
 */
export function createBusiestTracker(byCpu = NAMED_BUSIEST, byRss = NAMED_BUSIEST / 2) {
  let last = new Map<string, { cpuSeconds: number; uptime: number | undefined }>();
  let pids: number[] = [];
  return {
    observe(obs: HostObservation): void {
      if (obs.processesOnly !== undefined || obs.processes.length === 0) return;
      const uptime = obs.monotonicSeconds;
      const next = new Map<string, { cpuSeconds: number; uptime: number | undefined }>();
      const scored = obs.processes.map((p) => {
        const key = `${p.pid}/${p.startTime ?? ''}`;
        next.set(key, { cpuSeconds: p.cpuSeconds, uptime });
        const was = last.get(key);
        const since = was ? (uptime ?? 0) - (was.uptime ?? 0) : (uptime ?? 0) - (p.startTime ?? 0);
        const used = was ? p.cpuSeconds - was.cpuSeconds : p.cpuSeconds;
        return { pid: p.pid, cpu: since > 0 ? used / since : used, rss: p.rssBytes };
      });
      last = next;
      const chosen = new Set<number>();
      for (const s of [...scored].sort((a, b) => b.cpu - a.cpu || a.pid - b.pid).slice(0, byCpu)) chosen.add(s.pid);
      for (const s of [...scored].sort((a, b) => b.rss - a.rss || a.pid - b.pid).slice(0, byRss)) chosen.add(s.pid);
      pids = [...chosen];
    },
    /** The pids to name, in no particular order (the pacer sorts them). */
    pids(): readonly number[] {
      return pids;
    },
  };
}

/** The agent's "top=PID,…" word, or undefined when `previous` already says it (see netListWord). */
export function topListWord(pids: readonly number[], previous: string): string | undefined {
  const word = `top=${[...new Set(pids)].sort((a, b) => a - b).join(',')}`;
  if (word === previous || (previous === '' && word === 'top=')) return undefined;
  return word;
}

/**
 * Arguments after the script path: `paced N`, or with an idle limit
 * `paced N 4N IDLE` (the agent's default LIMITS_EVERY spelled out, as the
 * arguments are positional).
 */
export function pacedAgentArgs(processEvery: number = DEFAULT_PROCESS_EVERY, idleSeconds?: number): string[] {
  if (!Number.isInteger(processEvery) || processEvery < 1) throw new Error(`processEvery must be a whole number >= 1, got ${processEvery}`);
  if (idleSeconds === undefined) return ['paced', String(processEvery)];
  if (!Number.isInteger(idleSeconds) || idleSeconds < 1) throw new Error(`idleSeconds must be a whole number >= 1, got ${idleSeconds}`);
  return ['paced', String(processEvery), String(processEvery * 4), String(idleSeconds)];
}

/**
 * How long an agent on a remote host waits for a request before it gives up
 * (where its shell can wait with a timeout): four intervals, and never less
 * than 30 s, so a console that is merely slow for a moment keeps its agent.
 */
export function agentIdleSeconds(intervalMs: number): number {
  return Math.max(30, Math.ceil((4 * intervalMs) / 1000));
}

/** A word for a POSIX shell, single-quoted. */
export const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The shell command for an exec channel: `exec sh 'PATH' paced N` (the path
 * single-quoted for the remote shell), through `env NAME=VALUE` when the agent
 * needs variables (OVERLOOK_ENGINE_SOCKET): a prefix assignment to `exec` is
 * not passed on by every shell.
 */
export function pacedAgentCommand(scriptPath: string, processEvery: number = DEFAULT_PROCESS_EVERY, env: Readonly<Record<string, string>> = {}, idleSeconds?: number): string {
  const vars = Object.entries(env).map(([k, v]) => {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(k)) throw new Error(`not an environment variable name: ${k}`);
    return `${k}=${shellQuote(v)}`;
  });
  return ['exec', ...(vars.length ? ['env', ...vars] : []), 'sh', shellQuote(scriptPath), ...pacedAgentArgs(processEvery, idleSeconds)].join(' ');
}

export interface AgentPacer {
  /** Ask for one sample now, off the schedule (e.g. with fresh processes when a detail screen opens). */
  requestNow(withProcesses?: boolean): void;
  /** No more requests. Does not close the agent's stdin: the caller owns it. */
  stop(): void;
}

export interface AgentPacerOptions {
  /** Time between requests. */
  readonly intervalMs: number;
  /** Send the first request at once (default) rather than after one interval. */
  readonly immediately?: boolean;
  /**
   * More words for each request line, asked for at send time: `processes`,
   * and the containers' init pids as `net:PID` words, which the pacer turns
   * into one `net=PID,PID,…` word sent only when the set changed since what
   * it last told this agent (the agent keeps the list; see netListWord).
   */
  readonly words?: () => readonly string[];
  /**
   * The processes the agent re-reads between its full reads of every process
   * (see createBusiestTracker), sent as one "top=PID,…" word when the set
   * changed since what this agent was last told.
   */
  readonly topPids?: () => readonly number[];
  /** Clock and timers, for tests. */
  readonly now?: () => number;
  readonly setTimer?: (fn: () => void, ms: number) => unknown;
  readonly clearTimer?: (handle: unknown) => void;
}

/**
 * Writes a request line ("\n", "processes\n", plus any `words`) through `write` every
 * interval, on a fixed schedule (start + k * interval) so timer lateness does
 * not accumulate; a tick that is more than an interval late is skipped rather
 * than sent twice. `write` is the agent's stdin: a pipe's or an SSH
 * channel's write.
 */
export function startAgentPacer(write: (line: string) => unknown, options: AgentPacerOptions): AgentPacer {
  const intervalMs = Math.max(1, options.intervalMs);
  const now = options.now ?? Date.now;
  const setTimer = options.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((handle: unknown) => clearTimeout(handle as NodeJS.Timeout));
  let stopped = false;
  let timer: unknown;
  let next = now();

  // What this agent process was last told to read the network of (it starts with none).
  let sentNetList = '';
  let sentTopList = '';
  const send = (withProcesses: boolean) => {
    if (stopped) return;
    const words = withProcesses ? [PROCESSES_REQUEST] : [];
    const pids: string[] = [];
    for (const word of options.words?.() ?? []) {
      if (word.startsWith(NET_WORD_PREFIX)) pids.push(word.slice(NET_WORD_PREFIX.length));
      else if (word !== PROCESSES_REQUEST || !withProcesses) words.push(word);
    }
    const netList = netListWord(pids, sentNetList);
    if (netList !== undefined) {
      words.push(netList);
      sentNetList = netList;
    }
    const topList = options.topPids ? topListWord(options.topPids(), sentTopList) : undefined;
    if (topList !== undefined) {
      words.push(topList);
      sentTopList = topList;
    }
    write(`${words.join(' ')}\n`);
  };
  const schedule = () => {
    if (stopped) return;
    const t = now();
    next += intervalMs;
    if (next <= t) next = t + intervalMs - ((t - next) % intervalMs);
    timer = setTimer(tick, next - t);
  };
  const tick = () => {
    timer = undefined;
    send(false);
    schedule();
  };

  if (options.immediately ?? true) send(false);
  schedule();
  return {
    requestNow(withProcesses = false) {
      send(withProcesses);
    },
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimer(timer);
      timer = undefined;
    },
  };
}
