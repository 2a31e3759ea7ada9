import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RawSeries } from '../../common/series.js';
import type { HostObservation } from '../model/observation.js';
import { parseAgentFrame } from './agentFrame.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function observe(name: string): HostObservation {
  const result = parseAgentFrame(fixture(name), 1_700_000_000_000);
  if (result.kind !== 'observation') throw new Error(`${name}: ${JSON.stringify(result)}`);
  return result.observation;
}
const find = (obs: HostObservation, name: string, labels: Record<string, string> = {}): RawSeries | undefined =>
  obs.series.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
/** A frame's text parsed, failing the test unless it is an observation. */
function observeText(text: string): HostObservation {
  const result = parseAgentFrame(text, 0);
  if (result.kind !== 'observation') throw new Error(JSON.stringify(result));
  return result.observation;
}
const valueOf = (obs: HostObservation, name: string, labels: Record<string, string> = {}) => find(obs, name, labels)?.value;

/** Reads a field of a file inside a captured frame with a plain regex, independently of the parser. */
function capturedLine(text: string, pattern: RegExp): RegExpExecArray {
  const m = pattern.exec(text);
  if (!m) throw new Error(`fixture lacks ${pattern}`);
  return m;
}

describe('parseAgentFrame on real captures', () => {
  for (const name of ['debian12-vm-dash-once.txt', 'debian12-vm-busybox-ash-once.txt']) {
    it(`reads ${name} completely`, () => {
      const text = fixture(name);
      const obs = observe(name);
      expect(obs.problems).toEqual([]);
      const cpuLines = text.match(/^cpu\d+ /gm)!.length;
      expect(obs.facts.cpus).toBe(cpuLines);
      const modes = obs.series.filter((s) => s.name === 'node_cpu_seconds_total');
      expect(new Set(modes.map((s) => s.labels.cpu)).size).toBe(cpuLines);
      const user0 = Number(capturedLine(text, /^cpu0 (\d+)/m)[1]);
      expect(valueOf(obs, 'node_cpu_seconds_total', { cpu: '0', mode: 'user' })).toBeCloseTo(user0 / 100, 6);
      const memTotal = Number(capturedLine(text, /^MemTotal:\s+(\d+) kB/m)[1]);
      expect(valueOf(obs, 'node_memory_MemTotal_bytes')).toBe(memTotal * 1024);
      expect(valueOf(obs, 'node_boot_time_seconds')).toBe(Number(capturedLine(text, /^btime (\d+)/m)[1]));
      expect(obs.monotonicSeconds).toBe(Number(capturedLine(text, /^([\d.]+) [\d.]+$/m)[1]));
      expect(find(obs, 'node_network_receive_bytes_total', { device: 'lo' })).toBeDefined();
      expect(find(obs, 'node_disk_read_bytes_total', { device: 'vda' })).toBeDefined();
      // loop and zram devices are ignored like node_exporter does.
      expect(obs.series.some((s) => /^(loop|zram)/.test(s.labels.device ?? ''))).toBe(false);
      const root = find(obs, 'node_filesystem_size_bytes', { mountpoint: '/' });
      expect(root?.labels.fstype).toBe('ext4');
      expect(find(obs, 'node_filesystem_files', { mountpoint: '/' })?.value).toBeGreaterThan(0);
      // Pseudo filesystems and /dev, /sys mounts are filtered.
      expect(obs.series.some((s) => s.name.startsWith('node_filesystem') && /^\/(dev|sys)(\/|$)/.test(s.labels.mountpoint!))).toBe(false);
      expect(obs.facts).toMatchObject({
        hostname: capturedLine(text, /hostname <==\n(.*)\n/)[1],
        kernel: capturedLine(text, /osrelease <==\n(.*)\n/)[1],
        os: 'Debian GNU/Linux 12 (bookworm)',
        arch: 'x86_64',
      });
      const pids = text.match(/^==> \/proc\/\d+\/stat <==$/gm)!.length;
      expect(obs.processes).toHaveLength(pids);
      expect(obs.processes.find((p) => p.pid === 1)).toMatchObject({ comm: expect.any(String), startTime: expect.any(Number) });
    });
  }
});

describe('parseAgentFrame on hand-made frames', () => {
  it('converts units and names like node_exporter', () => {
    const obs = observe('handmade-base.txt');
    expect(obs.problems).toEqual([]);
    expect(valueOf(obs, 'node_cpu_seconds_total', { cpu: '1', mode: 'iowait' })).toBe(2.5);
    expect(find(obs, 'node_cpu_seconds_total', { mode: 'guest' })).toBeUndefined();
    expect(valueOf(obs, 'node_memory_Active_anon_bytes')).toBe(500000 * 1024);
    expect(valueOf(obs, 'node_memory_HugePages_Total')).toBe(0);
    expect(valueOf(obs, 'node_load15')).toBe(0.3);
    // 512-byte sectors whatever the device (iostats.rst); ms → s.
    expect(valueOf(obs, 'node_disk_read_bytes_total', { device: 'sda' })).toBe(200000 * 512);
    expect(valueOf(obs, 'node_disk_io_time_seconds_total', { device: 'sda' })).toBe(3);
    expect(valueOf(obs, 'node_disk_flush_requests_total', { device: 'nvme0n1' })).toBe(10);
    // A kernel without discard/flush fields still gives the classic ones.
    expect(valueOf(obs, 'node_disk_written_bytes_total', { device: 'dm-0' })).toBe(350000 * 512);
    expect(find(obs, 'node_disk_discards_completed_total', { device: 'dm-0' })).toBeUndefined();
    expect(find(obs, 'node_disk_read_bytes_total', { device: 'sda1' })).toBeUndefined();
    expect(find(obs, 'node_disk_read_bytes_total', { device: 'loop0' })).toBeUndefined();
    expect(valueOf(obs, 'node_network_receive_bytes_total', { device: 'eth0' })).toBe(4294000000);
    expect(valueOf(obs, 'node_network_transmit_drop_total', { device: 'eth0' })).toBe(1);
    expect(valueOf(obs, 'node_network_receive_multicast_total', { device: 'eth0' })).toBe(5);
    expect(valueOf(obs, 'node_hwmon_temp_celsius', { chip: 'coretemp', sensor: 'temp1', label: 'Package id 0' })).toBe(45);
    expect(valueOf(obs, 'node_hwmon_temp_celsius', { chip: 'nvme', sensor: 'temp1' })).toBe(38.85);
    expect(valueOf(obs, 'node_thermal_zone_temp', { zone: '0', type: 'x86_pkg_temp' })).toBe(46);
    const mounts = new Set(obs.series.filter((s) => s.name === 'node_filesystem_size_bytes').map((s) => s.labels.mountpoint));
    expect(mounts).toEqual(new Set(['/', '/boot/efi', '/run', '/srv/my data']));
    expect(valueOf(obs, 'node_filesystem_free_bytes', { mountpoint: '/' })).toBe(40000000 * 1024);
    expect(valueOf(obs, 'node_filesystem_avail_bytes', { mountpoint: '/' })).toBe(35000000 * 1024);
    expect(find(obs, 'node_filesystem_files', { mountpoint: '/boot/efi' })).toBeUndefined();
    expect(obs.processes).toEqual([
      { pid: 1, comm: 'systemd', state: 'S', cpuSeconds: 4, rssBytes: 3000 * 4096, startTime: 0.1 },
      { pid: 2, comm: 'kthreadd', state: 'S', cpuSeconds: 0.1, rssBytes: 0, startTime: 0.01 },
      { pid: 4242, comm: 'my (odd) app', state: 'R', cpuSeconds: 60, rssBytes: 100000 * 4096, startTime: 500 },
    ]);
    expect(obs.facts).toEqual({ hostname: 'web-1', kernel: '6.1.0-13-amd64', os: 'Debian GNU/Linux 12 (bookworm)', arch: 'x86_64', cpus: 2 });
  });

  it('counts each unreadable line as a problem and keeps everything else', () => {
    const good = observe('handmade-base.txt');
    const obs = observe('handmade-missing-fields.txt');
    expect(obs.problems).toEqual([
      'stat: cpu1 has a non-numeric field',
      'meminfo: cannot read "Buffers:          lots kB"',
      'diskstats: line 3 (sdb) has 7 fields, expected at least 14',
      'net/dev: line 5 (eth9) has 2 counters, expected 16',
      'hwmon: hwmon0/temp1_input is not a number: "n/a"',
      'df: cannot read line 3 "/dev/sda1        vfat        523248"',
      'pid stat: process 4242 has 10 fields, expected at least 24',
    ]);
    // Only the broken parts are missing.
    // (the df line: its three usage series and its device_error)
    expect(good.series.length - obs.series.length).toBe(8 + 1 + 1 + 3 + 1);
    expect(find(obs, 'node_cpu_seconds_total', { cpu: '0', mode: 'user' })).toBeDefined();
    expect(obs.facts.cpus).toBe(1);
    expect(obs.processes.map((p) => p.pid)).toEqual([1, 2]);
  });

  it('rejects a truncated frame as a whole', () => {
    expect(parseAgentFrame(fixture('handmade-truncated.txt'), 0)).toEqual({ kind: 'invalid', problem: 'frame 7 is truncated: no end line' });
    expect(parseAgentFrame('hello\n', 0)).toEqual({ kind: 'invalid', problem: 'not agent output: no begin line' });
  });

  it('tells an unsupported OS apart from other agent errors', () => {
    expect(parseAgentFrame('@@overlook-agent 1 error unsupported os: Darwin (no readable /proc/stat)\n', 0)).toEqual({
      kind: 'unsupported_os',
      os: 'Darwin',
      message: 'unsupported os: Darwin (no readable /proc/stat)',
    });
    expect(parseAgentFrame('@@overlook-agent 1 error usage: overlook-agent.sh once | stream SECONDS\n', 0)).toEqual({
      kind: 'agent_error',
      message: 'usage: overlook-agent.sh once | stream SECONDS',
    });
  });

  it('names each missing /proc file instead of failing, and reads the rest', () => {
    for (const file of ['stat', 'uptime', 'loadavg', 'diskstats', 'net/dev']) {
      const text = fixture('handmade-base.txt').replace(new RegExp(`==> /proc/${file} <==\\n[\\s\\S]*?\\n\\n`), '');
      const obs = observeText(text);
      expect(obs.problems).toEqual([`${file}: missing from the sample`]);
      expect(find(obs, 'node_memory_MemTotal_bytes')).toBeDefined();
      if (file === 'stat') expect(obs.facts.cpus).toBeUndefined();
      if (file === 'uptime') expect(obs.monotonicSeconds).toBeUndefined();
    }
  });

  it('tells a read of the named processes only from a full one ("@@meta processes")', () => {
    const base = fixture('handmade-base.txt');
    const withMeta = (value: string) => base.replace('@@section files', `@@meta processes ${value}\n@@section files`);
    expect(base).toContain('@@section files');
    expect(observeText(base).processesOnly).toBeUndefined();
    expect(observeText(withMeta('full')).processesOnly).toBeUndefined();
    expect(observeText(withMeta('top 4242,1')).processesOnly).toEqual([4242, 1]);
    expect(observeText(withMeta('top ')).processesOnly).toEqual([]);
    // Something that is no pid is left out, not read as one.
    expect(observeText(withMeta('top 7,x,')).processesOnly).toEqual([7]);
  });

  it('names a missing file instead of failing', () => {
    const text = fixture('handmade-base.txt').replace(/==> \/proc\/meminfo <==\n[\s\S]*?\n\n/, '');
    const result = parseAgentFrame(text, 0);
    expect(result.kind).toBe('observation');
    if (result.kind === 'observation') {
      expect(result.observation.problems).toEqual(['meminfo: missing from the sample']);
      expect(find(result.observation, 'node_memory_MemTotal_bytes')).toBeUndefined();
    }
  });

  /** handmade-base.txt with `files` put first in its files section. */
  const withFilesFirst = (files: string) => fixture('handmade-base.txt').replace('@@section files\n', `@@section files\n${files}`);
  const statRest = 'S 0 0 0 0 -1 2129984 0 0 0 0 7 3 0 0 20 0 1 0 1 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0';

  it('reads a process named like a frame marker as one process, and every file after it', () => {
    // Any user may name a process (15 bytes, newlines allowed; proc(5)), and /proc/PID/stat prints it raw.
    const names = ['\n@@section x', 'a)\n==> /x <==', '\n@@meta cgroup', 'x) (y'];
    const files = names.map((name, i) => `==> /proc/${501 + i}/stat <==\n${501 + i} (${name}) ${statRest}\n\n`).join('');
    const result = parseAgentFrame(withFilesFirst(files), 0);
    if (result.kind !== 'observation') throw new Error(JSON.stringify(result));
    const obs = result.observation;
    expect(obs.problems).toEqual([]);
    expect(obs.processes.map((p) => [p.pid, p.comm])).toEqual([
      [501, '?@@section x'],
      [502, 'a)?==> /x <=='],
      [503, '?@@meta cgroup'],
      [504, 'x) (y'],
      [1, 'systemd'],
      [2, 'kthreadd'],
      [4242, 'my (odd) app'],
    ]);
    // The files after them were read as files, not as a process name's continuation.
    expect(valueOf(obs, 'node_load15')).toBe(0.3);
    expect(obs.facts).toEqual({ hostname: 'web-1', kernel: '6.1.0-13-amd64', os: 'Debian GNU/Linux 12 (bookworm)', arch: 'x86_64', cpus: 2 });
    expect(obs.containers).toBeUndefined();
  });

  it('skips a process that ended between listing and reading, and reads /proc/<not a pid>/stat as no process', () => {
    const files = `==> /proc/600/stat <==\n\n==> /proc/60x/stat <==\n60 (fake) ${statRest}\n\n==> /proc/601/stat <==\n601 (kworker) ${statRest}\n\n`;
    const result = parseAgentFrame(withFilesFirst(files), 0);
    if (result.kind !== 'observation') throw new Error(JSON.stringify(result));
    expect(result.observation.problems).toEqual([]);
    expect(result.observation.processes.map((p) => p.pid)).toEqual([601, 1, 2, 4242]);
    expect(result.observation.processes[0]).toMatchObject({ comm: 'kworker', cpuSeconds: 0.1 });
  });

  it('reads versions and sequence numbers of any length, and a section name with blanks around it', () => {
    const text = fixture('handmade-base.txt')
      .replace('@@overlook-agent 1 begin 7', '@@overlook-agent 12 begin 1234')
      .replace('@@overlook-agent 1 end 7', '@@overlook-agent 12 end 1234')
      .replace('@@section df-gnu', '@@section   df-gnu  ');
    const result = parseAgentFrame(text, 0);
    expect(result).toMatchObject({ kind: 'observation', agentVersion: '12', seq: 1234 });
    if (result.kind === 'observation') expect(find(result.observation, 'node_filesystem_size_bytes', { mountpoint: '/' })).toBeDefined();
  });

  it('takes only exact begin, end and error lines', () => {
    const base = fixture('handmade-base.txt');
    expect(parseAgentFrame(base.replace('@@overlook-agent 1 begin 7', '@@overlook-agent 1 begin 7 x'), 0)).toEqual({ kind: 'invalid', problem: 'unexpected first line "@@overlook-agent 1 begin 7 x"' });
    expect(parseAgentFrame(base.replace('@@overlook-agent 1 end 7', '@@overlook-agent 1 end 7 x'), 0)).toEqual({ kind: 'invalid', problem: 'frame 7 is truncated: no end line' });
    expect(parseAgentFrame(base.replace('@@overlook-agent 1 end 7', '@@overlook-agent 2 end 7'), 0)).toEqual({ kind: 'invalid', problem: 'frame 7 is truncated: no end line' });
    expect(parseAgentFrame('motd @@overlook-agent 1 error boom\n', 0)).toEqual({ kind: 'invalid', problem: 'not agent output: no begin line' });
    expect(parseAgentFrame('@@overlook-agent 12 error boom', 0)).toEqual({ kind: 'agent_error', message: 'boom' });
    // A frame without its final newline is still whole.
    expect(parseAgentFrame(base.replace(/\n$/, ''), 0).kind).toBe('observation');
  });


  it('reads /proc and /sys where the agent says they are (a container or chroot sees the host under another root)', () => {
    const base = observeText(fixture('handmade-base.txt'));
    const moved = observeText(
      fixture('handmade-base.txt')
        .replace('@@meta proc_root /proc', '@@meta proc_root /host/proc')
        .replace('@@meta sys_root /sys', '@@meta sys_root /host/sys/')
        .replace(/^==> \/(proc|sys)\//gm, '==> /host/$1/'),
    );
    expect(moved.problems).toEqual([]);
    expect(moved.series).toEqual(base.series);
    expect(moved.processes).toEqual(base.processes);
    expect(moved.facts).toEqual(base.facts);
  });

  it('falls back to /proc and /sys, 100 ticks a second and 4 KiB pages when the agent leaves them out or sends nonsense', () => {
    const base = observeText(fixture('handmade-base.txt'));
    const bare = observeText(
      fixture('handmade-base.txt')
        .replace('@@meta proc_root /proc', '@@meta proc_root')
        .replace('@@meta sys_root /sys\n', '')
        .replace('@@meta clk_tck 100', '@@meta clk_tck 0')
        .replace('@@meta page_size 4096', '@@meta page_size -4096'),
    );
    expect(bare.problems).toEqual([]);
    expect(bare.series).toEqual(base.series);
    expect(bare.processes).toEqual(base.processes);
    // A meta line with no value reads as empty: no architecture rather than a wrong one.
    expect(observeText(fixture('handmade-base.txt').replace('@@meta arch x86_64', '@@meta arch')).facts.arch).toBeUndefined();
  });

  it('counts clock ticks and pages as the agent reports them', () => {
    const base = observeText(fixture('handmade-base.txt'));
    const fast = observeText(fixture('handmade-base.txt').replace('@@meta clk_tck 100', '@@meta clk_tck 250').replace('@@meta page_size 4096', '@@meta page_size 65536'));
    const app = (o: HostObservation) => o.processes.find((p) => p.pid === 4242)!;
    expect(app(fast).cpuSeconds).toBeCloseTo((app(base).cpuSeconds * 100) / 250, 9);
    expect(app(fast).rssBytes).toBe(app(base).rssBytes * 16);
  });

  it('says when df printed nothing (it timed out or failed), and trims the hostname and kernel', () => {
    const text = fixture('handmade-base.txt').replace(/@@section df-gnu\n[\s\S]*?(?=@@overlook-agent 1 end)/, '@@section df-gnu\n\n');
    expect(observeText(text).problems).toEqual(['df: no output (timed out or failed)']);
    const padded = observeText(fixture('handmade-base.txt').replace(/(==> \/proc\/sys\/kernel\/hostname <==\n)(\S+)/, '$1  $2  ').replace(/(==> \/proc\/sys\/kernel\/osrelease <==\n)(\S+)/, '$1$2 '));
    expect(padded.facts).toMatchObject({ hostname: 'web-1', kernel: '6.1.0-13-amd64' });
  });

  it('reads an error line only at the start, and quotes at most 80 characters of an odd first line', () => {
    expect(parseAgentFrame('@@overlook-agent 1 error disk full: unsupported os: Darwin\n', 0)).toEqual({ kind: 'agent_error', message: 'disk full: unsupported os: Darwin' });
    const odd = `@@overlook-agent 1 hello ${'x'.repeat(200)}`;
    expect(parseAgentFrame(`${odd}\n`, 0)).toEqual({ kind: 'invalid', problem: `unexpected first line "${odd.slice(0, 80)}"` });
  });
});
