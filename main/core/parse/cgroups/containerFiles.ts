// The container part of one agent frame: every file the agent's globs found
// under the cgroup root, grouped by container, parsed into cAdvisor-named raw
// series; the network counters of the pids the console asked for; and what the
// agent saw of the engine's socket and CLI. Pure: the frame parser hands in
// the files (cgroup paths relative to the cgroup root, net/dev by pid) and the
// `@@meta` values. A host with 50 containers sends ~400 cgroup files per
// sample, so the per-file work is a few string slices and one map lookup.
import { parseNetDevCounters } from '../devices.js';
import type { NetDevCounters } from '../../model/netDev.js';
import { linesOf } from '../frames.js';
import { shortId, type CgroupDriver, type CgroupMode, type ContainerObservation, type EngineAccess, type RawContainer } from '../../model/containers.js';
import { parseCgroupStats, type CgroupFiles } from './cgroupStats.js';
import { parseContainerCgroupPath, type ContainerCgroupRef } from './containerPaths.js';
/** Where a Podman split container's processes are (its scope's container/ child). */
const CHILD_PROCS = 'container/cgroup.procs';
const MODES: readonly CgroupMode[] = ['v1', 'v2', 'hybrid', 'none'];

/** What the frame parser collected for this part. */
export interface ContainerFrameInput {
  /** `@@meta cgroup`: v1, v2, hybrid or none; absent from agents before version 2. */
  readonly cgroupMode: string | undefined;
  /** `@@meta cgroup_limits`: 1 when the sample read the limit files too. */
  readonly limitsRead?: string | undefined;
  /** `@@meta cgroup_events`: 1 when the sample read the OOM and freezer files too (agent 3+). */
  readonly eventsRead?: string | undefined;
  /** cgroup files by path relative to the cgroup root (`memory/docker/<id>/memory.stat`), with their content, in the agent's order. */
  readonly cgroupFiles: readonly (readonly [path: string, content: string])[];
  /** /proc/<pid>/net/dev content by pid (the containers' init processes the console asked for). */
  readonly netDevByPid: ReadonlyMap<string, string>;
  /** `@@meta engine_sockets`: `PATH=rw PATH=denied …`. */
  readonly engineSockets: string | undefined;
  /** `@@meta engine_cli`: `docker podman`. */
  readonly engineCli: string | undefined;
  /** `@@meta user`: `UID NAME`. */
  readonly user: string | undefined;
}

export interface ContainerFrameResult {
  readonly containers: ContainerObservation | undefined;
  readonly problems: string[];
}

interface Pending {
  readonly ref: ContainerCgroupRef;
  readonly files: Record<string, string>;
}

/**
 * Container directories recognised so far, across frames: the same few
 * hundred directories come back every sample, each with a dozen files, and
 * recognising one takes a handful of regexes. Pure memo (the answer depends
 * on the string alone), cleared when it grows past any real host's count.
 */
const refCache = new Map<string, ContainerCgroupRef | null>();
const REF_CACHE_MAX = 20_000;

function containerRefOf(dir: string): ContainerCgroupRef | undefined {
  let ref = refCache.get(dir);
  if (ref === undefined) {
    if (refCache.size >= REF_CACHE_MAX) refCache.clear();
    ref = parseContainerCgroupPath(dir) ?? null;
    refCache.set(dir, ref);
  }
  return ref ?? undefined;
}


export function parseContainerFiles(input: ContainerFrameInput): ContainerFrameResult {
  if (input.cgroupMode === undefined) return { containers: undefined, problems: [] };
  const problems: string[] = [];
  const mode: CgroupMode = (MODES as readonly string[]).includes(input.cgroupMode) ? (input.cgroupMode as CgroupMode) : 'none';
  if (mode === 'none' && input.cgroupMode !== 'none') problems.push(`cgroup: unknown mode "${input.cgroupMode.slice(0, 20)}"`);
  const version = mode === 'v2' ? 'v2' : 'v1';

  const byId = new Map<string, Pending>();
  for (const [path, content] of input.cgroupFiles) {
    // v1 and hybrid: the first segment is the controller's hierarchy (memory, cpu,cpuacct…).
    const rel = version === 'v1' ? path.slice(path.indexOf('/') + 1) : path;
    const slash = rel.lastIndexOf('/');
    if (slash <= 0) continue;
    const dir = rel.slice(0, slash);
    const ref = containerRefOf(dir);
    if (!ref) continue;
    const file = rel.slice(slash + 1);
    // The globs name containers' own cgroups, and for cgroup.procs Podman's
    // container/ child (v2 keeps a split container's processes there);
    // anything else (a decoy directory) is not read as a container.
    const own = ref.cgroupPath.length === dir.length + 1 && ref.cgroupPath.endsWith(dir);
    const child = !own && file === 'cgroup.procs' && dir.endsWith('/container') && ref.cgroupPath === `/${dir.slice(0, dir.lastIndexOf('/'))}`;
    if (!own && !child) continue;
    let pending = byId.get(ref.id);
    if (!pending) byId.set(ref.id, (pending = { ref, files: {} }));
    pending.files[child ? CHILD_PROCS : file] = content;
  }

  const cgroups: RawContainer[] = [];
  let driver: CgroupDriver = 'unknown';
  for (const { ref, files } of byId.values()) {
    const { procs, frozen, statFiles } = splitSideFiles(files, version);
    const parsed = parseCgroupStats(version, statFiles);
    for (const p of parsed.problems) problems.push(`container ${shortId(ref.id)}: ${p}`);
    if (procs.problem) problems.push(`container ${shortId(ref.id)}: ${procs.problem}`);
    driver = driver === 'unknown' || driver === ref.driver ? ref.driver : driver;
    // Built by assignment in one order (no conditional spreads): the source
    // copies each of these on every sample, which is cheap for objects of
    // one shape and slow for dictionary-mode ones.
    const c: { -readonly [K in keyof RawContainer]: RawContainer[K] } = { id: ref.id, runtime: ref.runtime, cgroupPath: ref.cgroupPath, driver: ref.driver, stats: parsed.stats };
    if (ref.podUid !== undefined) c.podUid = ref.podUid;
    if (ref.qos !== undefined) c.qos = ref.qos;
    if (ref.rootlessUid !== undefined) c.rootlessUid = ref.rootlessUid;
    const s = parsed.stats;
    if (s.cpuLimitCores !== undefined) c.cpuLimitCores = s.cpuLimitCores;
    if (s.ioDevices !== undefined) c.blockIo = { readBytes: s.ioReadBytes ?? 0, writeBytes: s.ioWriteBytes ?? 0, reads: s.ioReads ?? 0, writes: s.ioWrites ?? 0 };
    if (procs.initPid !== undefined) {
      c.initPid = procs.initPid;
      c.processes = procs.count;
    }
    if (frozen !== undefined) c.frozen = frozen;
    cgroups.push(c);
  }
  cgroups.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const networkByPid: Record<string, NetDevCounters[]> = {};
  for (const [pid, content] of input.netDevByPid) {
    const parsed = parseNetDevCounters(linesOf(content));
    for (const p of parsed.problems) problems.push(`pid ${pid} ${p}`);
    networkByPid[pid] = parsed.value;
  }

  const access = parseEngineAccess(input, problems);
  return {
    containers: {
      layout: { mode, driver },
      cgroups,
      networkByPid,
      ...(input.limitsRead === '0' ? { limitsRead: false } : {}),
      ...(input.eventsRead === '0' ? { eventsRead: false } : {}),
      ...(access ? { access } : {}),
    },
    problems,
  };
}

interface SideFiles {
  procs: { initPid?: number; count?: number; problem?: string };
  frozen?: boolean;
  statFiles: CgroupFiles;
}

/** cgroup.procs and the freezer state are not stats: taken out before parseCgroupStats sees the rest. */
function splitSideFiles(files: Record<string, string>, version: 'v1' | 'v2'): SideFiles {
  const { 'cgroup.procs': ownProcs, [CHILD_PROCS]: childProcs, 'freezer.state': freezerText, 'cgroup.events': eventsText, ...statFiles } = files;
  const procsText = ownProcs !== undefined && ownProcs.trim() !== '' ? ownProcs : (childProcs ?? ownProcs);
  const procs: SideFiles['procs'] = {};
  if (procsText !== undefined) {
    const pids = procsText.split('\n').filter((l) => l.trim() !== '');
    if (pids.every((p) => /^\d+$/.test(p.trim()))) {
      const numbers = pids.map((p) => Number(p.trim()));
      procs.count = numbers.length;
      // An empty cgroup.procs (a container between start and exec, or all
      // processes gone) has no init to read the network of.
      if (numbers.length > 0) procs.initPid = Math.min(...numbers);
    } else procs.problem = 'cgroup.procs: not one pid per line';
  }
  let frozen: boolean | undefined;
  // v1 freezer.state: THAWED, FREEZING or FROZEN (cgroup-v1/freezer-subsystem.rst);
  // FREEZING counts as paused: the engine asked for it and tasks are stopping.
  if (version === 'v1' && freezerText !== undefined) frozen = /^(FROZEN|FREEZING)$/.test(freezerText.trim());
  // v2 cgroup.events: "populated 0|1" and "frozen 0|1" (cgroup-v2.rst, "Core Interface Files").
  if (version === 'v2' && eventsText !== undefined) {
    const m = /^frozen (\d)$/m.exec(eventsText);
    if (m) frozen = m[1] === '1';
  }
  return { procs, ...(frozen !== undefined ? { frozen } : {}), statFiles };
}

function parseEngineAccess(input: ContainerFrameInput, problems: string[]): EngineAccess | undefined {
  if (input.engineSockets === undefined && input.engineCli === undefined) return undefined;
  const sockets: { path: string; writable: boolean }[] = [];
  for (const word of (input.engineSockets ?? '').trim().split(/\s+/)) {
    if (word === '') continue;
    const m = /^(\/.+)=(rw|denied)$/.exec(word);
    if (!m) {
      problems.push(`engine_sockets: cannot read "${word.slice(0, 80)}"`);
      continue;
    }
    sockets.push({ path: m[1]!, writable: m[2] === 'rw' });
  }
  const cli = (input.engineCli ?? '')
    .trim()
    .split(/\s+/)
    .filter((c): c is 'docker' | 'podman' => c === 'docker' || c === 'podman');
  const [uidText, user] = (input.user ?? '').trim().split(/\s+/);
  const uid = uidText !== undefined && /^\d+$/.test(uidText) ? Number(uidText) : undefined;
  return { sockets, cli, ...(uid !== undefined ? { uid } : {}), ...(user ? { user } : {}) };
}
