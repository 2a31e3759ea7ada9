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
import { parseFileNr, parsePressure, parseSingleValue, parseSoftnet, parseVmstat, unameInfo } from './kernelStats.js';
import { parseArp, parseNetstat, parseSnmp6, parseSockstat } from './netStats.js';
import { parseNetClass } from './netClass.js';
import { boundedProcesses, boundedSeries } from './sanityBounds.js';

/** "@@meta processes top PID,PID,…" (agent 5): only those pids were read. "full" or absent: every process. */
function processesOnly(value: string | undefined): { processesOnly?: readonly number[] } {
  if (value === undefined || !value.startsWith('top')) return {};
  const list = value.slice(3).trim();
  return { processesOnly: list === '' ? [] : list.split(',').filter(isDigits).map(Number) };
}

/**
 * The slow-changing files (uname, the host name, os-release, limits, mount
 * options, the interfaces' sysfs attributes) of the latest frame that carried them ("@@meta slow 1"):
 * the agent reads them about every 30 s, and the decoder hands them to the
 * frames in between, so each observation is whole.
 */
export interface SlowFiles {
  /** Paths relative to the proc root, with their content's lines. */
  readonly proc: ReadonlyMap<string, string[]>;
  /** Paths relative to the sys root. */
  readonly sys: ReadonlyMap<string, string[]>;
  /** The os-release file's lines (its path is under neither root). */
  readonly osRelease?: string[];
}

const SLOW_PROC = new Set([
  'sys/kernel/hostname',
  'sys/kernel/osrelease',
  'sys/kernel/ostype',
  'sys/kernel/version',
  'sys/kernel/domainname',
  'sys/kernel/random/poolsize',
  'sys/net/netfilter/nf_conntrack_max',
  'mounts',
]);
const NET_CLASS = 'class/net/';

export type ParseResult =
  | {
      readonly kind: 'observation';
      readonly observation: HostObservation;
      readonly agentVersion: string;
      readonly seq: number;
      /** Present when this frame carried the slow-changing files: pass it to the next frames' parse. */
      readonly slowFiles?: SlowFiles;
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

export function parseAgentFrame(text: string, receivedAtMs: number, carried?: SlowFiles): ParseResult {
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
  // The slow-changing files: this frame's when it has them, else the last
  // ones carried (a file this frame has wins: in df's POSIX mode mounts come
  // every frame).
  const hasSlow = meta.get('slow') === '1';
  let slowFiles: SlowFiles | undefined;
  if (hasSlow) {
    const slowProc = new Map<string, string[]>();
    const slowSys = new Map<string, string[]>();
    for (const [path, lines] of proc) if (SLOW_PROC.has(path)) slowProc.set(path, lines);
    for (const [path, lines] of sys) if (path.startsWith(NET_CLASS)) slowSys.set(path, lines);
    slowFiles = { proc: slowProc, sys: slowSys, ...(osRelease ? { osRelease } : {}) };
  } else if (carried) {
    for (const [path, lines] of carried.proc) if (!proc.has(path)) proc.set(path, lines);
    for (const [path, lines] of carried.sys) if (!sys.has(path)) sys.set(path, lines);
    osRelease ??= carried.osRelease;
  }

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
  series.push(...nodeExporterFamilies(proc, sys, pageSize, meta.get('arch'), problems));
  // node_exporter's time collector reads the wall clock; the agent forks
  // nothing to read it, but btime is "now - uptime" as the kernel computes
  // it on each read of /proc/stat (fs/proc/stat.c), so btime + uptime is the
  // host's clock at the time of the sample, to the second btime keeps.
  const bootTime = stat?.bootTime;
  if (bootTime !== undefined && uptime !== undefined) {
    series.push({ name: 'node_time_seconds', labels: {}, value: bootTime + uptime, kind: 'gauge' });
  }

  const dfGnu = sections.get('df-gnu');
  const dfPosix = sections.get('df-posix');
  const mounts = parseMounts(proc.get('mounts') ?? []);
  const fsSeries = dfGnu
    ? take(parseDfGnu(dfGnu))
    : dfPosix
      ? take(parseDfPosix(dfPosix, sections.get('df-posix-inodes'), mounts))
      : [];
  series.push(...fsSeries, ...filesystemStates(fsSeries, mounts));
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
    ...processesOnly(meta.get('processes')),
    facts,
    problems,
    ...(containers ? { containers } : {}),
  };
  return { kind: 'observation', observation, agentVersion: version, seq, ...(slowFiles ? { slowFiles } : {}) };
}

/**
 * The families of node_exporter's default collectors beyond stat, meminfo,
 * the devices and filesystems, from whichever of their files the frame has
 * (a kernel without PSI or conntrack has none of those files: no series).
 */
function nodeExporterFamilies(
  proc: ReadonlyMap<string, string[]>,
  sys: ReadonlyMap<string, string[]>,
  pageSize: number,
  arch: string | undefined,
  problems: string[],
): RawSeries[] {
  const series: RawSeries[] = [];
  const add = (parsed: { value: RawSeries[]; problems: string[] }) => {
    series.push(...parsed.value);
    problems.push(...parsed.problems);
  };
  const file = (path: string, parse: (lines: string[]) => { value: RawSeries[]; problems: string[] }) => {
    const lines = proc.get(path);
    if (lines) add(parse(lines));
  };
  file('vmstat', parseVmstat);
  file('sys/fs/file-nr', parseFileNr);
  file('sys/kernel/random/entropy_avail', (l) => parseSingleValue('entropy_avail', 'node_entropy_available_bits', l));
  file('sys/kernel/random/poolsize', (l) => parseSingleValue('poolsize', 'node_entropy_pool_size_bits', l));
  file('net/sockstat', (l) => parseSockstat('sockstat', l, pageSize));
  file('net/sockstat6', (l) => parseSockstat('sockstat6', l, pageSize));
  file('net/netstat', (l) => parseNetstat('netstat', l));
  file('net/snmp', (l) => parseNetstat('snmp', l));
  file('net/snmp6', parseSnmp6);
  for (const resource of ['cpu', 'io', 'memory']) file(`pressure/${resource}`, (l) => parsePressure(resource, l));
  file('net/softnet_stat', parseSoftnet);
  file('sys/net/netfilter/nf_conntrack_count', (l) => parseSingleValue('nf_conntrack_count', 'node_nf_conntrack_entries', l));
  file('sys/net/netfilter/nf_conntrack_max', (l) => parseSingleValue('nf_conntrack_max', 'node_nf_conntrack_entries_limit', l));
  file('net/arp', parseArp);
  const first = (path: string) => proc.get(path)?.[0]?.trim();
  series.push(
    ...unameInfo({
      sysname: first('sys/kernel/ostype'),
      release: first('sys/kernel/osrelease'),
      version: first('sys/kernel/version'),
      machine: arch || undefined,
      nodename: first('sys/kernel/hostname'),
      domainname: first('sys/kernel/domainname'),
    }),
  );
  const netClass = new Map<string, string>();
  for (const [path, lines] of sys) if (path.startsWith(NET_CLASS)) netClass.set(path.slice(NET_CLASS.length), lines.join('\n'));
  if (netClass.size > 0) add(parseNetClass(netClass));
  return series;
}

/**
 * node_filesystem_readonly (the mount's "ro" option, from /proc/mounts) and
 * node_filesystem_device_error for each filesystem df reported: 0, since df
 * could stat it (a filesystem whose statfs fails is not in df's output, so
 * the 1 node_exporter would export for it cannot be had here).
 */
function filesystemStates(fsSeries: readonly RawSeries[], mounts: ReturnType<typeof parseMounts>): RawSeries[] {
  const out: RawSeries[] = [];
  for (const s of fsSeries) {
    if (s.name !== 'node_filesystem_size_bytes') continue;
    const mount = mounts.get(s.labels.mountpoint ?? '');
    if (mount) out.push({ name: 'node_filesystem_readonly', labels: s.labels, value: mount.readOnly ? 1 : 0, kind: 'gauge' });
    out.push({ name: 'node_filesystem_device_error', labels: s.labels, value: 0, kind: 'gauge' });
  }
  return out;
}
