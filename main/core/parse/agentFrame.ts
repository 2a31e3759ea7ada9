// One agent frame (see agent/overlook-agent.sh for the format) → one
// HostObservation. Pure: the same code reads the local agent's pipe and every
// SSH host's channel, and is tested against captured frames in fixtures/.
import type { RawSeries } from '../../common/series.js';
import type { HostFacts, HostObservation, RawProcess } from '../model/observation.js';
import { parseContainerFiles } from './cgroups/containerFiles.js';
import { parseDiskstats, parseNetDev } from './devices.js';
import { parseDfGnu, parseDfPosix, parseMounts } from './filesystems.js';
import { AGENT_MARKER, linesOf } from './frames.js';
import {
  DEFAULT_CLK_TCK,
  DEFAULT_PAGE_SIZE,
  parseLoadavg,
  parseMeminfo,
  parseOsRelease,
  parsePidStat,
  parseProcStat,
  parseUptime,
} from './procfs.js';
import { parseHwmon, parseThermalZones } from './temperatures.js';
import { boundedProcesses, boundedSeries } from './sanityBounds.js';

export type ParseResult =
  | {
      readonly kind: 'observation';
      readonly observation: HostObservation;
      readonly agentVersion: string;
      readonly seq: number;
    }
  /** The agent ran on something that is not Linux (or has no /proc); `os` is its uname -s. */
  | { readonly kind: 'unsupported_os'; readonly os: string; readonly message: string }
  /** The agent reported a fatal error of its own (bad arguments…). */
  | { readonly kind: 'agent_error'; readonly message: string }
  /** Not a whole frame: truncated, or not agent output at all. Nothing of it is used. */
  | { readonly kind: 'invalid'; readonly problem: string; readonly sample?: string }
  /** Which process the agent is (its pid and start time, in clock ticks after boot): a console can end it later over another connection. */
  | { readonly kind: 'agent_process'; readonly pid: number; readonly startTime: string };

const BEGIN = /^@@overlook-agent (\S+) begin (\d+)$/;
const END = /^@@overlook-agent (\S+) end (\d+)$/;
const ERROR = /^@@overlook-agent (\S+) error (.*)$/;
/** Agent 3+ names cgroup files relative to the cgroup root; older agents under SYS_ROOT. */
const CGROUP_UNDER_SYS = 'fs/cgroup/';

interface ScannedFrame {
  readonly meta: Map<string, string>;
  readonly sections: Map<string, string[]>;
  /** `tail -n +1` output of the files section, in order: the path as printed and the content. */
  readonly files: [path: string, content: string][];
}

/**
 * A process's name (comm) is printed raw in /proc/PID/stat, between "(" and
 * ")", and any user may name a process anything of up to 15 bytes, newlines
 * included (prctl PR_SET_NAME; TASK_COMM_LEN is 16 with the NUL, proc(5)).
 * A name like "\n@@section x" must not open a section or a file inside the
 * frame, so after a `/proc/PID/stat` header no marker is looked for before
 * the ")" that closes the name.
 */
const COMM_MAX_BYTES = 15;

function isPidStatPath(path: string): boolean {
  if (!path.endsWith('/stat')) return false;
  const dir = path.lastIndexOf('/', path.length - 6);
  return isDigits(path.slice(dir + 1, path.length - 5));
}

/**
 * Where the ")" closing the process name is, for a /proc/PID/stat record
 * starting at `at` ("PID (NAME) S …"), or -1 when the content is not such a
 * record (empty: the process went between the glob and the read). The name
 * may hold ")" too: the closing one is the last within the 15 bytes a name
 * can have, since the fields after it are a state letter and numbers.
 */
function pidStatNameClose(text: string, at: number, end: number): number {
  let i = at;
  while (i < end && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  if (i === at || text.charCodeAt(i) !== 32 || text.charCodeAt(i + 1) !== 40 /* ( */) return -1;
  const open = i + 1;
  const close = text.lastIndexOf(')', Math.min(end - 1, open + 1 + COMM_MAX_BYTES));
  return close > open ? close : -1;
}

/**
 * One pass over the frame's body with indexOf, no regex and no line array
 * for the files section (most of a frame): `@@meta` lines anywhere, `@@section`
 * lines start a section, and inside `files` every "==> PATH <==" line starts a
 * file whose content runs to the next such line (tail separates files with one
 * blank line, dropped here) or the next `@@` line.
 */
function scanFrame(text: string, bodyStart: number, bodyEnd: number): ScannedFrame {
  const meta = new Map<string, string>();
  const sections = new Map<string, string[]>();
  const files: [string, string][] = [];
  let section: string[] | undefined;
  let inFiles = false;
  let path: string | undefined;
  let contentStart = 0;
  const closeFile = (at: number) => {
    if (path === undefined) return;
    let content = text.slice(contentStart, at);
    if (content === '\n' || content.endsWith('\n\n')) content = content.slice(0, -1);
    files.push([path, content]);
    path = undefined;
  };
  let pos = bodyStart;
  let header = -1;
  let marker = -1;
  while (pos < bodyEnd) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0 || nl > bodyEnd) nl = bodyEnd;
    const c = text.charCodeAt(pos);
    if (c === 64 /* @ */ && text.startsWith('@@meta ', pos)) {
      if (inFiles) closeFile(pos);
      const space = text.indexOf(' ', pos + 7);
      if (space < 0 || space >= nl) meta.set(text.slice(pos + 7, nl), '');
      else meta.set(text.slice(pos + 7, space), text.slice(space + 1, nl));
    } else if (c === 64 && text.startsWith('@@section ', pos)) {
      if (inFiles) closeFile(pos);
      const name = text.slice(pos + 10, nl).trim();
      inFiles = name === 'files';
      section = inFiles ? undefined : [];
      if (section) sections.set(name, section);
    } else if (inFiles) {
      if (c === 61 /* = */ && text.startsWith('==> ', pos) && nl - pos >= 8 && text.startsWith(' <==', nl - 4)) {
        closeFile(pos);
        path = text.slice(pos + 4, nl - 4);
        contentStart = nl + 1;
        const close = isPidStatPath(path) ? pidStatNameClose(text, contentStart, bodyEnd) : -1;
        if (close >= 0) {
          // Markers inside a process name are content (see COMM_MAX_BYTES).
          const from = close;
          header = text.indexOf('\n==> ', from);
          marker = text.indexOf('\n@@', from);
          if (header < 0) header = Infinity;
          if (marker < 0) marker = Infinity;
          const next = Math.min(header, marker);
          pos = next >= bodyEnd ? bodyEnd + 1 : next + 1;
          continue;
        }
      }
      // Skip the content lines in between at native speed: the next line that
      // may matter starts with "==> " or "@@".
      // (Both searches only move forward: each part of the text is scanned about once.)
      if (header < nl) header = text.indexOf('\n==> ', nl);
      if (marker < nl) marker = text.indexOf('\n@@', nl);
      if (header < 0) header = Infinity;
      if (marker < 0) marker = Infinity;
      const next = Math.min(header, marker);
      pos = next >= bodyEnd ? bodyEnd + 1 : next + 1;
      continue;
    } else if (section) section.push(text.slice(pos, nl));
    pos = nl + 1;
  }
  if (inFiles) closeFile(Math.min(pos, bodyEnd + 1));
  return { meta, sections, files };
}

function isDigits(s: string): boolean {
  if (s === '') return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function relativeTo(root: string, path: string): string | undefined {
  const prefix = root.endsWith('/') ? root : `${root}/`;
  return path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
}

export function parseAgentFrame(text: string, receivedAtMs: number): ParseResult {
  const firstEnd = text.indexOf('\n');
  const first = firstEnd < 0 ? text : text.slice(0, firstEnd);

  const error = ERROR.exec(first);
  if (error) {
    const message = error[2]!;
    const unsupported = /^unsupported os: (\S+)/.exec(message);
    return unsupported ? { kind: 'unsupported_os', os: unsupported[1]!, message } : { kind: 'agent_error', message };
  }
  const begin = BEGIN.exec(first);
  if (!begin) {
    return {
      kind: 'invalid',
      problem: first.startsWith(AGENT_MARKER) ? `unexpected first line "${first.slice(0, 80)}"` : 'not agent output: no begin line',
    };
  }
  const version = begin[1]!;
  const seq = Number(begin[2]);
  // The last line (the end line), whether or not the frame ends with a newline.
  const trimmedEnd = text.endsWith('\n') ? text.length - 1 : text.length;
  const lastStart = text.lastIndexOf('\n', trimmedEnd - 1) + 1;
  const end = firstEnd < 0 || lastStart <= firstEnd ? null : END.exec(text.slice(lastStart, trimmedEnd));
  if (!end || Number(end[2]) !== seq || end[1] !== version) {
    return { kind: 'invalid', problem: `frame ${seq} is truncated: no end line` };
  }

  // The body: after the begin line, up to (not including) the newline before the end line.
  const { meta, sections, files } = scanFrame(text, firstEnd + 1, lastStart - 1);

  const problems: string[] = [];
  const series: RawSeries[] = [];
  const positive = (key: string, fallback: number) => {
    const v = Number(meta.get(key));
    return Number.isFinite(v) && v > 0 ? v : fallback;
  };
  const clkTck = positive('clk_tck', DEFAULT_CLK_TCK);
  const pageSize = positive('page_size', DEFAULT_PAGE_SIZE);
  const procRoot = meta.get('proc_root') || '/proc';
  const sysRoot = meta.get('sys_root') || '/sys';

  const proc = new Map<string, string[]>();
  const sys = new Map<string, string[]>();
  const pidStats: string[] = [];
  const netDevByPid = new Map<string, string>();
  const cgroupFiles: [string, string][] = [];
  let osRelease: string[] | undefined;
  for (const [path, content] of files) {
    if (path.charCodeAt(0) !== 47 /* / */) {
      cgroupFiles.push([path, content]);
      continue;
    }
    const inProc = relativeTo(procRoot, path);
    if (inProc !== undefined) {
      // Per-process files (hundreds per frame) are told apart without a regex.
      const c = inProc.charCodeAt(0);
      if (c >= 48 && c <= 57) {
        const slash = inProc.indexOf('/');
        const pid = inProc.slice(0, slash);
        if (slash > 0 && isDigits(pid)) {
          const rest = inProc.slice(slash + 1);
          if (rest === 'stat') {
            pidStats.push(content);
            continue;
          }
          if (rest === 'net/dev') {
            netDevByPid.set(pid, content);
            continue;
          }
        }
      }
      proc.set(inProc, linesOf(content));
      continue;
    }
    const inSys = relativeTo(sysRoot, path);
    if (inSys !== undefined) {
      if (inSys.startsWith(CGROUP_UNDER_SYS)) cgroupFiles.push([inSys.slice(CGROUP_UNDER_SYS.length), content]);
      else sys.set(inSys, linesOf(content));
    } else if (path.endsWith('os-release')) osRelease = linesOf(content);
  }

  const take = <T>(parsed: { value: T; problems: string[] }): T => {
    problems.push(...parsed.problems);
    return parsed.value;
  };
  const required = (file: string): string[] | undefined => {
    const content = proc.get(file);
    if (!content) problems.push(`${file}: missing from the sample`);
    return content;
  };

  const statLines = required('stat');
  const stat = statLines ? take(parseProcStat(statLines, clkTck)) : undefined;
  if (stat) series.push(...stat.series);
  const uptimeLines = required('uptime');
  const uptime = uptimeLines ? take(parseUptime(uptimeLines)) : undefined;
  const loadavg = required('loadavg');
  if (loadavg) series.push(...take(parseLoadavg(loadavg)));
  const meminfo = required('meminfo');
  if (meminfo) series.push(...take(parseMeminfo(meminfo)));
  const diskstats = required('diskstats');
  if (diskstats) series.push(...take(parseDiskstats(diskstats)));
  const netdev = required('net/dev');
  if (netdev) series.push(...take(parseNetDev(netdev)));
  series.push(...take(parseHwmon(sys)), ...take(parseThermalZones(sys)));

  const dfGnu = sections.get('df-gnu');
  const dfPosix = sections.get('df-posix');
  if (dfGnu) series.push(...take(parseDfGnu(dfGnu)));
  else if (dfPosix) {
    series.push(...take(parseDfPosix(dfPosix, sections.get('df-posix-inodes'), parseMounts(proc.get('mounts') ?? []))));
  }
  if ((dfGnu ?? dfPosix)?.every((l) => l.trim() === '')) problems.push('df: no output (timed out or failed)');

  const processes: RawProcess[] = [];
  for (const content of pidStats) {
    if (content === '') continue;
    // One record; its name may hold newlines (see COMM_MAX_BYTES), so the record ends at the last one.
    const p = take(parsePidStat(content.endsWith('\n') ? content.slice(0, -1) : content, clkTck, pageSize));
    if (p) processes.push(p);
  }

  const facts: HostFacts = {
    hostname: proc.get('sys/kernel/hostname')?.[0]?.trim() || undefined,
    kernel: proc.get('sys/kernel/osrelease')?.[0]?.trim() || undefined,
    os: osRelease ? parseOsRelease(osRelease) : undefined,
    arch: meta.get('arch') || undefined,
    cpus: stat && stat.cpus > 0 ? stat.cpus : undefined,
  };

  // Containers (agent version 2+): cgroup files, the init pids' network, engine access.
  const { containers, problems: containerProblems } = parseContainerFiles({
    cgroupMode: meta.get('cgroup'),
    limitsRead: meta.get('cgroup_limits'),
    eventsRead: meta.get('cgroup_events'),
    cgroupFiles,
    netDevByPid,
    engineSockets: meta.get('engine_sockets'),
    engineCli: meta.get('engine_cli'),
    user: meta.get('user'),
  });
  problems.push(...containerProblems);

  const observation: HostObservation = {
    t: receivedAtMs,
    ...(uptime !== undefined ? { monotonicSeconds: uptime } : {}),
    // Values no real host can report are dropped here, each named in the problems (sanityBounds.ts).
    series: take(boundedSeries(series)),
    processes: take(boundedProcesses(processes)),
    facts,
    problems,
    ...(containers ? { containers } : {}),
  };
  return { kind: 'observation', observation, agentVersion: version, seq };
}
