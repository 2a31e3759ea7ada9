// The built-in collector for "local" on macOS and Windows, where
// there is no /proc for the agent. It reads through the `systeminformation`
// library and Node's `os`/`fs`, maps with systemInformationMapping.ts, and
// hands the core the same HostObservation the agent does.
//
// Cost (it runs every interval on the user's own laptop). Which calls spawn
// what, from the library's source (node_modules/systeminformation/lib):
//
//   call               Linux                      macOS                        Windows
//   os.cpus/loadavg    none (libuv)               none                         none
//   si.mem             none (reads /proc/meminfo) sysctl + vm_stat + sysctl    1 PowerShell query (page file)
//   fs.statfs          none (syscall)             none                         none
//   si.fsSize          cat /proc/mounts + df      diskutil list + mount + df   1 PowerShell query
//                      (cat is execSync)          (two execSync: block the loop)
//   si.fsStats         lsblk + cat /proc/diskstats ioreg|sed|grep|tr           — (null)
//   si.disksIO         lsblk pipeline + diskstats ioreg|sed|grep|tr           — (null)
//   si.networkStats    sh + 7 cat per interface   ifconfig|grep + netstat      1 PowerShell query
//                                                 per interface                per interface
//   si.cpuTemperature  sensors, hwmon loop, …     none (optional native pkg)   1 PowerShell query
//   si.processes       ps + one cat per pid       ps                           1 PowerShell query (Win32_Process)
//
// Hence:
// - CPU, load and boot time come from Node's `os` (no process at all).
// - Filesystem sizes come from statfs(2) every interval; the mount list (the
//   only thing si.fsSize adds) is refreshed every `mountRefreshMs` (60 s), so
//   macOS's blocking diskutil/mount calls run once a minute, not per sample.
// - Network stats are read only for interfaces that have a routable address
//   (Node's os.networkInterfaces()), not for every tunnel/AWDL/bridge a Mac
//   lists, because each interface costs two processes on macOS. si itself
//   only ever sees interfaces os.networkInterfaces() lists.
// - Temperatures are read every `slowEveryMs` (15 s), and so are processes
//   (`processEveryMs`): one `ps` on macOS, one Win32_Process query on Windows.
// - On Windows one persistent PowerShell (si.powerShellStart) serves every
//   query instead of a new powershell.exe per call; stop() releases it.
// Measured on Linux by bench/collector-cost.mjs.
import { statfs } from 'node:fs/promises';
import os from 'node:os';
import si from 'systeminformation';
import type { Systeminformation } from 'systeminformation';
import type { Logger } from '../../log.js';
import {
  accumulateProcessCpu,
  isReportedLocalFilesystem,
  mapSystemReadings,
  type ProcessCpuLedger,
  type StatFsReading,
  type SystemReadings,
} from './systemInformationMapping.js';
import type { HostFacts, HostObservation, RawProcess } from '../../model/observation.js';
import type { HostSource, SourceEvents } from '../../model/hostSource.js';

export interface SystemCollectorOptions {
  readonly intervalMs: number;
  /** Temperatures at most this often (default 15 s). */
  readonly slowEveryMs?: number;
  /**
   * Process list at most this often (default 15 s). deriveSamples pairs
   * process CPU with the last observation that carried processes and shows
   * its rows in between, so a sparser list costs only freshness.
   */
  readonly processEveryMs?: number;
  /** Mount list (si.fsSize) at most this often (default 60 s). */
  readonly mountRefreshMs?: number;
  /** Longest a single library call may take before its part of the sample is dropped (default: min(interval, 10 s)). */
  readonly callTimeoutMs?: number;
  readonly log?: Logger;
  /** Sees each collection's raw readings and process list before mapping: how the fixtures in fixtures/ were recorded. */
  readonly onReadings?: (readings: SystemReadings, processes: Systeminformation.ProcessesData | undefined) => void;
}

export interface SystemCollector extends HostSource {
  /** One collection now, outside the timer (tests, bench, `overlook snapshot`). */
  collect(): Promise<HostObservation>;
}

/**
 * Interfaces worth reading: those with at least one address that is not
 * link-local. Loopback stays (the agent reports it too); macOS's utun/awdl/llw
 * interfaces with only fe80:: addresses drop out until they carry a real one.
 */
export function interfacesToRead(ifaces: NodeJS.Dict<os.NetworkInterfaceInfo[]>): string[] {
  const names: string[] = [];
  for (const [name, addrs] of Object.entries(ifaces)) {
    if (!addrs) continue;
    const routable = addrs.some((a) => !(a.family === 'IPv6' && /^fe[89ab]/i.test(a.address)) && !a.address.startsWith('169.254.'));
    if (routable) names.push(name);
  }
  return names;
}

function statfsPath(mount: string, platform: string): string {
  // si reports Windows drives as "C:"; "C:" alone means the current directory
  // on drive C, so ask for the root.
  return platform === 'win32' && /^[A-Za-z]:$/.test(mount) ? `${mount}\\` : mount;
}

const NOT_READ = Symbol('not read');
const TIMED_OUT = Symbol('timed out');

export function createSystemCollector(options: SystemCollectorOptions): SystemCollector {
  const platform = process.platform;
  const slowEveryMs = options.slowEveryMs ?? 15_000;
  const processEveryMs = options.processEveryMs ?? 15_000;
  const mountRefreshMs = options.mountRefreshMs ?? 60_000;
  const callTimeoutMs = options.callTimeoutMs ?? Math.min(Math.max(options.intervalMs, 1000), 10_000);

  let mounts: readonly Systeminformation.FsSizeData[] | null = null;
  let mountsReadAt = -Infinity;
  let slowReadAt = -Infinity;
  let processReads = 0;
  let processesReadAt: number | undefined;
  let ledger: ProcessCpuLedger = new Map();
  let facts: HostFacts | undefined;
  /** Mounts whose statfs did not answer in time: never asked again (a hung call holds a libuv thread). */
  const slowMounts = new Set<string>();

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;
  let powerShellStarted = false;

  /** A library call bounded in time; a failure or timeout becomes a problem line, never a throw. */
  async function call<T>(name: string, problems: string[], run: () => Promise<T>): Promise<T | typeof NOT_READ | typeof TIMED_OUT> {
    let deadline: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        run(),
        new Promise<typeof TIMED_OUT>((resolve) => {
          deadline = setTimeout(() => {
            problems.push(`${name}: no answer within ${callTimeoutMs} ms`);
            resolve(TIMED_OUT);
          }, callTimeoutMs);
        }),
      ]);
    } catch (err) {
      problems.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      return NOT_READ;
    } finally {
      clearTimeout(deadline);
    }
  }
  const value = <T>(v: T | typeof NOT_READ | typeof TIMED_OUT): T | undefined => (v === NOT_READ || v === TIMED_OUT ? undefined : v);

  async function readFacts(problems: string[]): Promise<HostFacts> {
    if (facts) return facts;
    const info = value(await call('si.osInfo', problems, () => si.osInfo()));
    facts = {
      hostname: os.hostname(),
      kernel: os.release(),
      ...(info ? { os: `${info.distro} ${info.release}`.trim() } : {}),
      arch: os.machine(),
      cpus: os.cpus().length,
      platform: process.platform,
    };
    return facts;
  }

  async function readStatfs(list: readonly Systeminformation.FsSizeData[], problems: string[]): Promise<Record<string, StatFsReading>> {
    const out: Record<string, StatFsReading> = {};
    await Promise.all(
      list
        .filter((fs) => isReportedLocalFilesystem(fs) && !slowMounts.has(fs.mount))
        .map(async (fs) => {
          const answer = await call(`statfs ${fs.mount}`, problems, () => statfs(statfsPath(fs.mount, platform)));
          // Unmounted since the last mount refresh, no permission, or a mapped
          // network drive that hangs: fsSize's figures stand in.
          if (answer === TIMED_OUT) slowMounts.add(fs.mount);
          const st = value(answer);
          if (st === undefined) return;
          out[fs.mount] = { bsize: st.bsize, blocks: st.blocks, bfree: st.bfree, bavail: st.bavail, files: st.files, ffree: st.ffree };
        }),
    );
    return out;
  }

  async function collect(): Promise<HostObservation> {
    const problems: string[] = [];
    const nowMs = Date.now();
    const monotonicSeconds = Number(process.hrtime.bigint()) / 1e9;
    const readMounts = nowMs - mountsReadAt >= mountRefreshMs || mounts === null;
    const readSlow = nowMs - slowReadAt >= slowEveryMs;
    // The first two collections always read processes, so process CPU shows after one interval.
    const readProcesses = processReads < 2 || processesReadAt === undefined || nowMs - processesReadAt >= processEveryMs;

    // os.cpus() first and alone: the CPU counters and the monotonic clock
    // should be read as close together as possible.
    const cpus = os.cpus();
    const loadavg = os.loadavg();
    const uptime = os.uptime();
    const ifaces = interfacesToRead(os.networkInterfaces());

    const [mem, fsSize, fsStats, disksIO, networkStats, cpuTemperature, procs, hostFacts] = await Promise.all([
      call('si.mem', problems, () => si.mem()),
      readMounts ? call('si.fsSize', problems, () => si.fsSize()) : Promise.resolve(NOT_READ),
      platform === 'win32' ? Promise.resolve(NOT_READ) : call('si.fsStats', problems, () => si.fsStats()),
      platform === 'win32' ? Promise.resolve(NOT_READ) : call('si.disksIO', problems, () => si.disksIO()),
      ifaces.length ? call('si.networkStats', problems, () => si.networkStats(ifaces.join(','))) : Promise.resolve([]),
      readSlow ? call('si.cpuTemperature', problems, () => si.cpuTemperature()) : Promise.resolve(NOT_READ),
      readProcesses ? call('si.processes', problems, () => si.processes()) : Promise.resolve(NOT_READ),
      readFacts(problems),
    ]);

    const freshMounts = value(fsSize);
    if (freshMounts) {
      mounts = freshMounts;
      mountsReadAt = nowMs;
    }
    const mountList = freshMounts ?? mounts ?? [];
    const statfsByMount = await readStatfs(mountList, problems);

    const readings: SystemReadings = {
      platform,
      nowMs,
      os: { cpus, loadavg, uptime },
      si: {
        mem: value(mem) ?? null,
        fsSize: mountList,
        fsStats: value(fsStats) ?? null,
        disksIO: value(disksIO) ?? null,
        networkStats: value(networkStats) ?? null,
        cpuTemperature: value(cpuTemperature) ?? null,
      },
      statfs: statfsByMount,
    };
    options.onReadings?.(readings, value(procs));
    const mapped = mapSystemReadings(readings);
    problems.push(...mapped.problems);

    if (readSlow) slowReadAt = nowMs;
    if (readProcesses) processReads++;
    const processList = value(procs);
    let processes: RawProcess[] = [];
    if (processList) {
      const elapsedSeconds = processesReadAt === undefined ? 0 : (nowMs - processesReadAt) / 1000;
      const result = accumulateProcessCpu(ledger, processList.list ?? [], {
        platform,
        logicalCpus: cpus.length,
        elapsedSeconds,
        bootTimeSeconds: nowMs / 1000 - uptime,
      });
      ledger = result.ledger;
      processesReadAt = nowMs;
      processes = result.processes;
      problems.push(...result.problems);
    }

    return {
      t: nowMs,
      monotonicSeconds,
      series: mapped.series,
      // Between process reads the observation carries no processes rather
      // than the last list re-sent with counters that did not move.
      processes,
      facts: hostFacts,
      problems,
    };
  }

  function schedule(events: SourceEvents, delayMs: number): void {
    timer = setTimeout(() => {
      timer = undefined;
      const startedAt = Date.now();
      running = collect()
        .then(
          (obs) => {
            if (stopped) return;
            events.observation(obs);
            events.status('online');
          },
          (err: unknown) => {
            // collect() turns every library failure into a problem line; this is a bug in our code.
            if (stopped) return;
            const message = err instanceof Error ? err.message : String(err);
            options.log?.error('local collector failed', { error: message });
            events.status('agent_error', `local collector: ${message}`);
          },
        )
        .finally(() => {
          running = undefined;
          if (!stopped) schedule(events, Math.max(0, startedAt + options.intervalMs - Date.now()));
        });
    }, delayMs);
  }

  return {
    collect,
    start(events: SourceEvents): void {
      if (!stopped) return;
      stopped = false;
      if (platform === 'win32' && !powerShellStarted) {
        si.powerShellStart();
        powerShellStarted = true;
      }
      events.status('connecting');
      schedule(events, 0);
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
      if (powerShellStarted) {
        si.powerShellRelease();
        powerShellStarted = false;
      }
    },
  };
}
