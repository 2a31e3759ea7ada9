// The container part of one agent frame: every file the agent's globs found
// under the cgroup root, grouped by container, parsed into cAdvisor-named raw
// series; the network counters of the pids the console asked for; and what the
// agent saw of the engine's socket and CLI. Pure: the frame parser hands in
// the files (paths relative to SYS_ROOT / PROC_ROOT) and the `@@meta` values.
import type { RawSeries } from '../../common/series.js';
import { parseNetDev } from '../agent/devices.js';
import type { ContainerObservation, EngineAccess, RawContainer } from '../sources/types.js';
import type { CgroupDriver, CgroupMode } from './cgroupLayout.js';
import { cgroupStatsToSeries, parseCgroupStats, type CgroupFiles } from './cgroupStats.js';
import { parseContainerCgroupPath, type ContainerCgroupRef } from './containerPaths.js';

const CGROUP_PREFIX = 'fs/cgroup/';
/** Where a Podman split container's processes are (its scope's container/ child). */
const CHILD_PROCS = 'container/cgroup.procs';
const MODES: readonly CgroupMode[] = ['v1', 'v2', 'hybrid', 'none'];

/** What the frame parser collected for this part. */
export interface ContainerFrameInput {
  /** `@@meta cgroup`: v1, v2, hybrid or none; absent from agents before version 2. */
  readonly cgroupMode: string | undefined;
  /** `@@meta cgroup_limits`: 1 when the sample read the limit files too. */
  readonly limitsRead?: string | undefined;
  /** Files under SYS_ROOT, by relative path (`fs/cgroup/memory/docker/<id>/memory.stat`). */
  readonly sys: ReadonlyMap<string, readonly string[]>;
  /** Files under PROC_ROOT, by relative path (`1234/net/dev`). */
  readonly proc: ReadonlyMap<string, readonly string[]>;
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

/** The short id people know from `docker ps`, used to name a container in problems. */
export const shortId = (id: string) => id.slice(0, 12);

export function parseContainerFiles(input: ContainerFrameInput): ContainerFrameResult {
  if (input.cgroupMode === undefined) return { containers: undefined, problems: [] };
  const problems: string[] = [];
  const mode: CgroupMode = (MODES as readonly string[]).includes(input.cgroupMode) ? (input.cgroupMode as CgroupMode) : 'none';
  if (mode === 'none' && input.cgroupMode !== 'none') problems.push(`cgroup: unknown mode "${input.cgroupMode.slice(0, 20)}"`);
  const version = mode === 'v2' ? 'v2' : 'v1';

  const byId = new Map<string, Pending>();
  // A container's dozen files share a directory: recognise each directory once.
  const refOf = new Map<string, ContainerCgroupRef | undefined>();
  for (const [path, lines] of input.sys) {
    if (!path.startsWith(CGROUP_PREFIX)) continue;
    let rel = path.slice(CGROUP_PREFIX.length);
    // v1 and hybrid: the first segment is the controller's hierarchy (memory, cpu,cpuacct…).
    if (version === 'v1') rel = rel.slice(rel.indexOf('/') + 1);
    const slash = rel.lastIndexOf('/');
    if (slash <= 0) continue;
    const dir = rel.slice(0, slash);
    const file = rel.slice(slash + 1);
    let ref = refOf.get(dir);
    if (ref === undefined && !refOf.has(dir)) {
      ref = parseContainerCgroupPath(dir);
      refOf.set(dir, ref);
    }
    if (!ref) continue;
    // The globs name containers' own cgroups, and for cgroup.procs Podman's
    // container/ child (v2 keeps a split container's processes there);
    // anything else (a decoy directory) is not read as a container.
    const own = ref.cgroupPath === `/${dir}`;
    const child = ref.cgroupPath === `/${dir.slice(0, dir.lastIndexOf('/'))}` && dir.endsWith('/container') && file === 'cgroup.procs';
    if (!own && !child) continue;
    const pending = byId.get(ref.id) ?? { ref, files: {} };
    pending.files[child ? CHILD_PROCS : file] = lines.join('\n');
    byId.set(ref.id, pending);
  }

  const cgroups: RawContainer[] = [];
  let driver: CgroupDriver = 'unknown';
  for (const { ref, files } of byId.values()) {
    const { procs, frozen, statFiles } = splitSideFiles(files, version);
    const parsed = parseCgroupStats(version, statFiles);
    for (const p of parsed.problems) problems.push(`container ${shortId(ref.id)}: ${p}`);
    if (procs.problem) problems.push(`container ${shortId(ref.id)}: ${procs.problem}`);
    driver = driver === 'unknown' || driver === ref.driver ? ref.driver : driver;
    cgroups.push({
      id: ref.id,
      runtime: ref.runtime,
      cgroupPath: ref.cgroupPath,
      driver: ref.driver,
      ...(ref.podUid !== undefined ? { podUid: ref.podUid } : {}),
      ...(ref.qos !== undefined ? { qos: ref.qos } : {}),
      ...(ref.rootlessUid !== undefined ? { rootlessUid: ref.rootlessUid } : {}),
      series: cgroupStatsToSeries(parsed.stats),
      ...(parsed.stats.cpuLimitCores !== undefined ? { cpuLimitCores: parsed.stats.cpuLimitCores } : {}),
      ...(parsed.stats.ioDevices !== undefined
        ? {
            blockIo: {
              readBytes: parsed.stats.ioReadBytes ?? 0,
              writeBytes: parsed.stats.ioWriteBytes ?? 0,
              reads: parsed.stats.ioReads ?? 0,
              writes: parsed.stats.ioWrites ?? 0,
            },
          }
        : {}),
      ...(procs.initPid !== undefined ? { initPid: procs.initPid, processes: procs.count } : {}),
      ...(frozen !== undefined ? { frozen } : {}),
    });
  }
  cgroups.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const networkByPid: Record<string, RawSeries[]> = {};
  for (const [path, lines] of input.proc) {
    const m = /^(\d+)\/net\/dev$/.exec(path);
    if (!m) continue;
    const parsed = parseNetDev(lines);
    for (const p of parsed.problems) problems.push(`pid ${m[1]} ${p}`);
    networkByPid[m[1]!] = parsed.value;
  }

  const access = parseEngineAccess(input, problems);
  return {
    containers: {
      layout: { mode, driver },
      cgroups,
      networkByPid,
      ...(input.limitsRead === '0' ? { limitsRead: false } : {}),
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
