// Ends the agent an earlier connection to the same host left behind. A cut
// link leaves the old sshd session and its agent (blocked on its stdin)
// alive on the host until TCP keepalive notices, hours later by default; the
// console that reconnects knows which process that was (the agent names its
// pid and start time when it starts, see agent/overlook-agent.sh) and ends it
// over the new connection, if it is still that process: a pid the kernel has
// since given to another process has another start time (proc(5), field 22
// of /proc/PID/stat, "starttime").
import type { SshConnection } from './sshConnection.js';

/** The process an agent said it is: its pid and its start time in clock ticks after boot. */
export interface AgentProcess {
  readonly pid: number;
  readonly startTime: string;
}

export type PreviousAgentOutcome = 'ended' | 'gone' | 'other' | 'denied';

// Arguments by position, never pasted into the script; one `sh -c` whatever
// the login shell is. Only builtins but `kill` (a builtin in dash, bash and
// busybox ash too). The start time is read as the agent reads its own.
export const END_AGENT_SCRIPT =
  'p=$1 s=$2; if read -r l </proc/$p/stat 2>/dev/null; then set -- ${l##*) }; ' +
  'if [ $# -ge 20 ] && shift 19 && [ "$1" = "$s" ]; then kill -TERM "$p" 2>/dev/null && echo ended || echo denied; else echo other; fi; ' +
  'else echo gone; fi';

/** The command line that ends `agent` if that process still runs. */
export function endPreviousAgentCommand(agent: AgentProcess): string {
  if (!Number.isInteger(agent.pid) || agent.pid < 2 || !/^\d{1,20}$/.test(agent.startTime)) {
    throw new Error(`not an agent process: pid ${agent.pid}, start time ${agent.startTime}`);
  }
  return `sh -c '${END_AGENT_SCRIPT}' overlook-end-agent ${agent.pid} ${agent.startTime}`;
}

/** What happened: ended it, it was gone already, the pid is another process now, or the kill was refused. */
export async function endPreviousAgent(conn: SshConnection, agent: AgentProcess, timeoutMs = 10_000): Promise<PreviousAgentOutcome> {
  const result = await conn.run(endPreviousAgentCommand(agent), { timeoutMs, maxOutputBytes: 256 });
  const said = result.stdout.toString('utf8').trim();
  return said === 'ended' || said === 'other' || said === 'denied' ? said : 'gone';
}
