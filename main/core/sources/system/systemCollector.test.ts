// The built-in collector run for real on this Linux machine, cross-checked
// against the agent reading the same machine: what a user would do to trust
// the numbers on their Mac or Windows laptop.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { rawMetrics } from '../../../common/metrics.js';
import type { RawSeries } from '../../../common/series.js';
import { parseAgentFrame } from '../../parse/agentFrame.js';
import { deriveSamples } from '../../derive/observation.js';
import { createSystemCollector, interfacesToRead } from './systemCollector.js';
import type { HostObservation } from '../../model/observation.js';

const agentScript = fileURLToPath(new URL('../../../../agent/overlook-agent.sh', import.meta.url));

async function agentObservation(): Promise<HostObservation> {
  const { stdout } = await promisify(execFile)('sh', [agentScript, 'once'], { maxBuffer: 64 * 1024 * 1024 });
  const parsed = parseAgentFrame(stdout, Date.now());
  if (parsed.kind !== 'observation') throw new Error(`agent frame did not parse: ${JSON.stringify(parsed)}`);
  return parsed.observation;
}

const pick = (series: readonly RawSeries[], name: string, labels: Record<string, string> = {}) =>
  series.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
const value = (series: readonly RawSeries[], name: string, labels: Record<string, string> = {}) => {
  const hits = pick(series, name, labels);
  if (hits.length !== 1) throw new Error(`${name} ${JSON.stringify(labels)}: ${hits.length} series`);
  return hits[0]!.value;
};

/** Children of this process still alive (the library spawns shells; none may outlive a collection or stop()). */
/** Live (not zombie) children of this test process. */
function childPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      if (ppid === process.pid && fields[0] !== 'Z') pids.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

/**
 * Children this test started that are still running once they had a moment to
 * exit: a library call already under way when stop() returns may take a few
 * hundred ms to finish on a loaded machine; a leaked process stays for good.
 */
async function childrenLeftSince(before: readonly number[], graceMs = 3000): Promise<number[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const left = childPids().filter((p) => !before.includes(p));
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}
// The runner keeps a timer of its own that may expire meanwhile: compare with <=.
const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('system collector on this Linux machine, against the agent', () => {
  it('agrees with the agent read just before and just after it', async () => {
    const collector = createSystemCollector({ intervalMs: 5000 });
    const before = await agentObservation();
    const mine = await collector.collect();
    const after = await agentObservation();
    const c = mine.series;

    expect(mine.problems).toEqual([]);
    for (const s of c) expect(Object.keys(rawMetrics)).toContain(s.name);

    // Memory: both read /proc/meminfo; the total does not move.
    expect(value(c, 'node_memory_MemTotal_bytes')).toBe(value(before.series, 'node_memory_MemTotal_bytes'));
    expect(value(c, 'node_memory_SwapTotal_bytes')).toBe(value(before.series, 'node_memory_SwapTotal_bytes'));
    const avail = value(c, 'node_memory_MemAvailable_bytes');
    expect(Math.abs(avail - value(after.series, 'node_memory_MemAvailable_bytes'))).toBeLessThan(0.02 * value(c, 'node_memory_MemTotal_bytes'));

    // CPU: same cores; each mode's counter lies between the two agent reads
    // (0.011 s of slack: libuv rounds to 10 ms ticks as well).
    const cores = (series: readonly RawSeries[]) => new Set(pick(series, 'node_cpu_seconds_total').map((s) => s.labels.cpu));
    expect(cores(c)).toEqual(cores(before.series));
    expect(mine.facts.cpus).toBe(before.facts.cpus ?? cores(before.series).size);
    for (const cpu of cores(c)) {
      for (const mode of ['user', 'nice', 'system', 'idle', 'irq']) {
        const labels = { cpu: cpu!, mode };
        const v = value(c, 'node_cpu_seconds_total', labels);
        expect(v, `${cpu}/${mode}`).toBeGreaterThanOrEqual(value(before.series, 'node_cpu_seconds_total', labels) - 0.011);
        expect(v, `${cpu}/${mode}`).toBeLessThanOrEqual(value(after.series, 'node_cpu_seconds_total', labels) + 0.011);
      }
    }

    // Load and boot time.
    const loads = [value(before.series, 'node_load1'), value(after.series, 'node_load1')];
    expect(value(c, 'node_load1')).toBeGreaterThanOrEqual(Math.min(...loads) - 0.01);
    expect(value(c, 'node_load1')).toBeLessThanOrEqual(Math.max(...loads) + 0.01);
    expect(Math.abs(value(c, 'node_boot_time_seconds') - value(before.series, 'node_boot_time_seconds'))).toBeLessThanOrEqual(2);

    // Filesystems: the root filesystem on both sides, same device and type,
    // sizes within 1 % (statfs here, df -k there).
    const mounts = (series: readonly RawSeries[]) => new Map(pick(series, 'node_filesystem_size_bytes').map((s) => [s.labels.mountpoint, s]));
    const mine_ = mounts(c);
    const theirs = mounts(before.series);
    expect(mine_.has('/')).toBe(true);
    for (const [mount, s] of mine_) {
      const other = theirs.get(mount);
      if (!other) continue;
      expect(s.labels.device, mount).toBe(other.labels.device);
      expect(s.labels.fstype, mount).toBe(other.labels.fstype);
      expect(Math.abs(s.value - other.value) / other.value, mount).toBeLessThan(0.01);
      const availMine = value(c, 'node_filesystem_avail_bytes', { mountpoint: mount! });
      const availAgent = value(before.series, 'node_filesystem_avail_bytes', { mountpoint: mount! });
      expect(Math.abs(availMine - availAgent) / other.value, mount).toBeLessThan(0.03);
    }

    // Network: the collector reads the interfaces Node lists with a routable
    // address; every other one the agent sees must be one Node does not list
    // that way. Byte counters lie between the two agent reads.
    const devices = (series: readonly RawSeries[]) => new Set(pick(series, 'node_network_receive_bytes_total').map((s) => s.labels.device!));
    const agentDevices = new Set([...devices(before.series), ...devices(after.series)]);
    const routable = new Set(interfacesToRead(os.networkInterfaces()));
    for (const d of devices(c)) expect(agentDevices, d).toContain(d);
    for (const d of agentDevices) {
      const moved = value(before.series, 'node_network_receive_bytes_total', { device: d }) + value(before.series, 'node_network_transmit_bytes_total', { device: d }) > 0;
      if (routable.has(d) && moved) expect(devices(c), d).toContain(d);
    }
    for (const d of devices(c)) {
      const v = value(c, 'node_network_receive_bytes_total', { device: d });
      expect(v, d).toBeGreaterThanOrEqual(value(before.series, 'node_network_receive_bytes_total', { device: d }));
      expect(v, d).toBeLessThanOrEqual(value(after.series, 'node_network_receive_bytes_total', { device: d }));
    }

    // Disks: the library's host-wide total against the agent's sum over whole disks.
    const sum = (series: readonly RawSeries[], name: string) => pick(series, name).reduce((a, s) => a + s.value, 0);
    const written = value(c, 'node_disk_written_bytes_total');
    expect(written).toBeGreaterThanOrEqual(sum(before.series, 'node_disk_written_bytes_total') * 0.99);
    expect(written).toBeLessThanOrEqual(sum(after.series, 'node_disk_written_bytes_total') * 1.01);

    expect(mine.facts.hostname).toBe(before.facts.hostname);
    expect(mine.facts.kernel).toBe(before.facts.kernel);
    // The renderer explains absent charts by platform ("not available on Windows").
    expect(mine.facts.platform).toBe(process.platform);
  });

  it('counts CPU a busy process burned between two process reads', async () => {
    const collector = createSystemCollector({ intervalMs: 5000, processEveryMs: 15_000 });
    const first = await collector.collect();
    expect(first.processes.find((p) => p.pid === process.pid)?.cpuSeconds).toBe(0);
    const used0 = process.cpuUsage();
    // Long enough that the library's per-process CPU shares (sampled between its
    // own reads) see it even when other suites load both cores.
    const until = Date.now() + 1500;
    while (Date.now() < until) Math.sqrt(Math.random());
    const second = await collector.collect(); // the second read always includes processes
    const used = process.cpuUsage(used0);
    const me = second.processes.find((p) => p.pid === process.pid);
    expect(me).toBeDefined();
    const burned = (used.user + used.system) / 1e6;
    expect(me!.cpuSeconds).toBeGreaterThan(burned * 0.3);
    expect(me!.cpuSeconds).toBeLessThan(burned * 1.5 + 0.1);
    expect(me!.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    // Keeps its start time, so the core pairs it across reads (pid + startTime).
    expect(me!.startTime).toBe(first.processes.find((p) => p.pid === process.pid)!.startTime);
    // And the core, pairing the two observations, sees this process busy.
    const derived = deriveSamples(first, second, 'local').processes.find((p) => p.pid === process.pid);
    expect(derived?.cpu).toBeGreaterThan(0.1);
    // With processEveryMs the third collection, 1 s later, reads no processes.
    expect((await collector.collect()).processes).toEqual([]);
  });

  it('runs on its timer and leaves no timer or process behind after stop()', async () => {
    const timersBefore = timeouts();
    const childrenBefore = childPids();
    const collector = createSystemCollector({ intervalMs: 300 });
    const observations: HostObservation[] = [];
    const statuses: string[] = [];
    collector.start({ observation: (o) => observations.push(o), status: (s) => statuses.push(s) });
    const deadline = Date.now() + 20_000;
    while (observations.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(observations.length).toBeGreaterThanOrEqual(3);
    expect(statuses).toEqual(expect.arrayContaining(['connecting', 'online']));
    await collector.stop();
    const count = observations.length;
    expect(timeouts()).toBeLessThanOrEqual(timersBefore);
    expect(await childrenLeftSince(childrenBefore)).toEqual([]);
    await new Promise((r) => setTimeout(r, 900));
    expect(observations.length).toBe(count);
  });

  it('stop() during the first collection waits for it and emits nothing after', async () => {
    const timersBefore = timeouts();
    const childrenBefore = childPids();
    const collector = createSystemCollector({ intervalMs: 200 });
    const observations: HostObservation[] = [];
    collector.start({ observation: (o) => observations.push(o), status: () => {} });
    await new Promise((r) => setTimeout(r, 5)); // the first collection is under way
    await collector.stop();
    expect(observations).toEqual([]);
    expect(timeouts()).toBeLessThanOrEqual(timersBefore);
    expect(await childrenLeftSince(childrenBefore)).toEqual([]);
  });
});
