// One agent frame (see agent/overlook-agent.sh for the format) → one
// HostObservation. Pure: the same code reads the local agent's pipe and every
// SSH host's channel, and is tested against captured frames in fixtures/.
import type { RawSeries } from '../../common/series.js';
import type { HostFacts, HostObservation, RawProcess } from '../sources/types.js';
import { parseContainerFiles } from '../containers/parseContainerFiles.js';
import { parseDiskstats, parseNetDev } from './devices.js';
import { parseDfGnu, parseDfPosix, parseMounts } from './filesystems.js';
import { AGENT_MARKER } from './frames.js';
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
  | { readonly kind: 'invalid'; readonly problem: string };

const BEGIN = /^@@overlook-agent (\S+) begin (\d+)$/;
const END = /^@@overlook-agent (\S+) end (\d+)$/;
const ERROR = /^@@overlook-agent (\S+) error (.*)$/;
const TAIL_HEADER = /^==> (.*) <==$/;

/** Splits `tail -n +1 f1 f2 …` output back into files. */
function splitTailOutput(lines: readonly string[]): Map<string, string[]> {
  const files = new Map<string, string[]>();
  let current: string[] | undefined;
  const close = () => {
    // tail separates files with one blank line.
    if (current && current.length > 0 && current[current.length - 1] === '') current.pop();
  };
  for (const line of lines) {
    const header = TAIL_HEADER.exec(line);
    if (header) {
      close();
      current = [];
      files.set(header[1]!, current);
    } else if (current) current.push(line);
  }
  close();
  return files;
}

function relativeTo(root: string, path: string): string | undefined {
  const prefix = root.endsWith('/') ? root : `${root}/`;
  return path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
}

export function parseAgentFrame(text: string, receivedAtMs: number): ParseResult {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const first = lines[0] ?? '';

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
  const end = END.exec(lines[lines.length - 1] ?? '');
  if (!end || Number(end[2]) !== seq || end[1] !== version) {
    return { kind: 'invalid', problem: `frame ${seq} is truncated: no end line` };
  }

  const meta = new Map<string, string>();
  const sections = new Map<string, string[]>();
  let section: string[] | undefined;
  for (const line of lines.slice(1, -1)) {
    if (line.startsWith('@@meta ')) {
      const rest = line.slice(7);
      const space = rest.indexOf(' ');
      meta.set(space < 0 ? rest : rest.slice(0, space), space < 0 ? '' : rest.slice(space + 1));
    } else if (line.startsWith('@@section ')) {
      section = [];
      sections.set(line.slice(10).trim(), section);
    } else if (section) section.push(line);
  }

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
  let osRelease: string[] | undefined;
  for (const [path, content] of splitTailOutput(sections.get('files') ?? [])) {
    const inProc = relativeTo(procRoot, path);
    const inSys = inProc === undefined ? relativeTo(sysRoot, path) : undefined;
    if (inProc !== undefined) proc.set(inProc, content);
    else if (inSys !== undefined) sys.set(inSys, content);
    else if (path.endsWith('os-release')) osRelease = content;
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
  for (const [file, content] of proc) {
    const m = /^(\d+)\/stat$/.exec(file);
    if (!m || content.length === 0) continue;
    const p = take(parsePidStat(content[0]!, clkTck, pageSize));
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
    sys,
    proc,
    engineSockets: meta.get('engine_sockets'),
    engineCli: meta.get('engine_cli'),
    user: meta.get('user'),
  });
  problems.push(...containerProblems);

  const observation: HostObservation = {
    t: receivedAtMs,
    ...(uptime !== undefined ? { monotonicSeconds: uptime } : {}),
    series,
    processes,
    facts,
    problems,
    ...(containers ? { containers } : {}),
  };
  return { kind: 'observation', observation, agentVersion: version, seq };
}
