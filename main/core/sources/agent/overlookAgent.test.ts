// The agent script run for real: under dash, bash and busybox ash, on this
// machine's /proc and on a fixture tree.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAgentScript } from './agentScript.js';
import { createFrameSplitter } from '../../parse/frames.js';
import { parseAgentFrame } from '../../parse/agentFrame.js';
import { createAgentDecoder } from '../../parse/agentDecoder.js';

const script = loadAgentScript();
const tree = new URL('./fixtures/tree-two-cpus-hwmon-thermal/', import.meta.url).pathname;
const SHELLS: ReadonlyArray<readonly [string, string[]]> = [
  ['dash', ['dash']],
  ['bash', ['bash']],
  ['busybox ash', ['busybox', 'ash']],
];

for (const [, cmd] of SHELLS) {
  if (spawnSync(cmd[0]!, [...cmd.slice(1), '-c', 'exit 0']).status !== 0) {
    throw new Error(`${cmd.join(' ')} is missing: apt-get install -y dash bash busybox-static`);
  }
}

function runOnce(cmd: readonly string[], env: Record<string, string> = {}) {
  const run = spawnSync(cmd[0]!, [...cmd.slice(1), script.path, 'once'], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { ...run, result: parseAgentFrame(run.stdout, Date.now()) };
}

describe('agentScript', () => {
  it('finds the script and reads its version and checksum', () => {
    expect(script.version).toBe('5');
    expect(script.path.endsWith(join('agent', 'overlook-agent.sh'))).toBe(true);
    expect(script.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(script.text).toBe(readFileSync(script.path, 'utf8'));
  });
});

describe.each(SHELLS)('overlook-agent.sh under %s', (_name, cmd) => {
  it('reads this machine sanely', () => {
    const { result, status } = runOnce(cmd);
    expect(status).toBe(0);
    if (result.kind !== 'observation') throw new Error(JSON.stringify(result));
    const obs = result.observation;
    expect(obs.problems).toEqual([]);
    expect(obs.facts.cpus).toBe(os.cpus().length);
    expect(obs.facts.hostname).toBe(os.hostname());
    expect(obs.facts.kernel).toBe(os.release());
    const memTotalKiB = Number(/^MemTotal:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]);
    expect(obs.series.find((s) => s.name === 'node_memory_MemTotal_bytes')?.value).toBe(memTotalKiB * 1024);
    expect(obs.series.some((s) => s.name === 'node_network_receive_bytes_total' && s.labels.device === 'lo')).toBe(true);
    expect(obs.series.some((s) => s.name === 'node_filesystem_size_bytes' && s.labels.mountpoint === '/')).toBe(true);
    expect(obs.processes.some((p) => p.pid === process.pid)).toBe(true);
    expect(obs.monotonicSeconds).toBeCloseTo(os.uptime(), -1);
  });

  it('a process that names itself like a frame marker is one process, not a new section', async () => {
    // Any user may rename a process (its /proc/PID/comm, 15 bytes, newlines allowed);
    // the names below would open a section or a file in the middle of the frame.
    const names = ['\n@@section x', 'a)\n==> /x <==', '\n@@meta cgroup'];
    const hostile = names.map((name) =>
      spawn('sh', ['-c', 'printf "%s" "$1" > /proc/$$/comm && while :; do sleep 1; done', 'sh', name], { stdio: 'ignore' }),
    );
    try {
      const pids = hostile.map((c) => c.pid!);
      const renamed = () => pids.every((pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith(names[pids.indexOf(pid)]!.slice(0, 3)));
      for (let i = 0; i < 50 && !renamed(); i++) await new Promise((r) => setTimeout(r, 20));
      expect(renamed()).toBe(true);
      const { result } = runOnce(cmd);
      if (result.kind !== 'observation') throw new Error(JSON.stringify(result));
      const obs = result.observation;
      expect(obs.problems.filter((p) => p.startsWith('pid stat'))).toEqual([]);
      // Each is there under its name with control characters shown as "?", as ps shows them…
      expect(pids.map((pid) => obs.processes.find((p) => p.pid === pid)?.comm)).toEqual(names.map((n) => n.replace(/\n/g, '?')));
      // …and so is everything the frame holds after them: the other processes and the files read last.
      expect(obs.processes.some((p) => p.pid === process.pid)).toBe(true);
      expect(obs.processes.length).toBeGreaterThan(pids.length + 5);
      expect(obs.containers?.layout.mode).toBe(existsSync('/sys/fs/cgroup/cgroup.controllers') ? 'v2' : existsSync('/sys/fs/cgroup/unified') ? 'hybrid' : 'v1');
    } finally {
      for (const c of hostile) c.kill('SIGKILL');
    }
  });

  it('reads a fixture tree through PROC_ROOT, SYS_ROOT and ETC_ROOT, temperatures included', () => {
    const { result } = runOnce(cmd, { PROC_ROOT: join(tree, 'proc'), SYS_ROOT: join(tree, 'sys'), ETC_ROOT: join(tree, 'etc') });
    if (result.kind !== 'observation') throw new Error(JSON.stringify(result));
    const obs = result.observation;
    expect(obs.facts).toMatchObject({ hostname: 'web-1', kernel: '6.1.0-13-amd64', cpus: 2, os: 'Debian GNU/Linux 12 (bookworm)' });
    const temps = obs.series.filter((s) => s.name.includes('temp')).map((s) => [s.name, s.labels, s.value]);
    expect(temps).toEqual([
      ['node_hwmon_temp_celsius', { chip: 'coretemp', sensor: 'temp1', label: 'Package id 0' }, 45],
      ['node_hwmon_temp_celsius', { chip: 'nvme', sensor: 'temp1' }, 38.85],
      ['node_thermal_zone_temp', { type: 'x86_pkg_temp', zone: '0' }, 46],
    ]);
    expect(obs.processes.map((p) => p.comm).sort()).toEqual(['kthreadd', 'my (odd) app', 'systemd']);
    expect(obs.series.find((s) => s.name === 'node_network_receive_bytes_total' && s.labels.device === 'eth0')?.value).toBe(4294000000);
  });

  it('reads the host name, kernel, os-release and which sensors exist on the slow cadence only; the console carries them in between', () => {
    // The fixture's uptime stands still, so only the first of three samples is due for the slow files.
    const run = spawnSync(cmd[0]!, [...cmd.slice(1), script.path, 'paced', '1'], {
      encoding: 'utf8',
      input: '\n\n\n',
      env: { ...process.env, PROC_ROOT: join(tree, 'proc'), SYS_ROOT: join(tree, 'sys'), ETC_ROOT: join(tree, 'etc') },
    });
    const decoder = createAgentDecoder();
    const results = [...decoder.push(run.stdout, Date.now()), ...decoder.end(Date.now())].filter((r) => r.kind === 'observation');
    expect(results).toHaveLength(3);
    const frames = run.stdout.split(/(?<=^@@overlook-agent \S+ end \d+\n)/m).filter((f) => f.includes(' begin '));
    const headers = (frame: string) => [...frame.matchAll(/^==> (.*) <==$/gm)].map((m) => m[1]!);
    // Later frames name none of them, and no glob that matched nothing reaches tail.
    for (const frame of frames.slice(1)) {
      expect(headers(frame).filter((h) => /hostname|osrelease|os-release|\*/.test(h))).toEqual([]);
      expect(headers(frame).filter((h) => h.includes('/class/hwmon/') || h.includes('/class/thermal/')).length).toBeGreaterThan(0);
    }
    expect(headers(frames[0]!).some((h) => h.endsWith('os-release'))).toBe(true);
    for (const r of results) {
      if (r.kind !== 'observation') throw new Error(JSON.stringify(r));
      expect(r.observation.facts).toMatchObject({ hostname: 'web-1', kernel: '6.1.0-13-amd64', os: 'Debian GNU/Linux 12 (bookworm)' });
      // The temperatures themselves move: every sample reads them.
      expect(r.observation.series.filter((s) => s.name === 'node_hwmon_temp_celsius').map((s) => s.value)).toEqual([45, 38.85]);
    }
  });

  it("reads node_exporter's default families from a fixture tree (pressure, conntrack, links that are down) without losing the rest", () => {
    const { result } = runOnce(cmd, { PROC_ROOT: join(tree, 'proc'), SYS_ROOT: join(tree, 'sys'), ETC_ROOT: join(tree, 'etc') });
    if (result.kind !== 'observation') throw new Error(JSON.stringify(result));
    const obs = result.observation;
    const value = (name: string, labels: Record<string, string> = {}) =>
      obs.series.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    // (df reads this machine's filesystems, not the tree's: busybox's joins them with the tree's mounts.)
    expect(obs.problems.filter((p) => !p.startsWith('df:'))).toEqual([]);
    expect(value('node_pressure_cpu_waiting_seconds_total')).toBeCloseTo(123.456789, 6);
    expect(value('node_pressure_io_stalled_seconds_total')).toBeCloseTo(45.678901, 6);
    expect(value('node_pressure_memory_stalled_seconds_total')).toBe(1.5);
    expect(value('node_nf_conntrack_entries')).toBe(42);
    expect(value('node_nf_conntrack_entries_limit')).toBe(262144);
    expect(value('node_vmstat_oom_kill')).toBe(2);
    expect(value('node_vmstat_nr_free_pages')).toBeUndefined();
    expect(value('node_filefd_maximum')).toBe(9223372036854775807);
    expect(value('node_sockstat_TCP_mem_bytes')).toBe(3 * 4096);
    expect(value('node_netstat_Tcp_CurrEstab')).toBe(6);
    expect(value('node_netstat_Ip6_InOctets')).toBe(8000);
    expect(value('node_softnet_processed_total', { cpu: '1' })).toBe(0xc3d4);
    expect(value('node_arp_entries', { device: 'eth0' })).toBe(2);
    expect(obs.series.find((s) => s.name === 'node_uname_info')?.labels).toEqual({
      sysname: 'Linux', release: '6.1.0-13-amd64', version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)',
      machine: os.machine(), nodename: 'web-1', domainname: '(none)',
    });
    expect(obs.series.filter((s) => s.name === 'node_network_info').map((s) => s.labels)).toEqual([
      { address: '52:54:00:ab:cd:ef', broadcast: 'ff:ff:ff:ff:ff:ff', device: 'eth0', duplex: 'full', ifalias: 'uplink to rack 3', operstate: 'up' },
      { address: '52:54:00:ab:cd:f0', broadcast: 'ff:ff:ff:ff:ff:ff', device: 'eth1', duplex: '', ifalias: '', operstate: 'down' },
      { address: '00:00:00:00:00:00', broadcast: '00:00:00:00:00:00', device: 'lo', duplex: '', ifalias: '', operstate: 'unknown' },
    ].sort((a, b) => a.device.localeCompare(b.device)));
    expect(value('node_network_speed_bytes', { device: 'eth0' })).toBe(125_000_000);
    expect(value('node_network_up', { device: 'eth1' })).toBe(0);
    // eth1's speed cannot be read (a directory here, EINVAL on a real link
    // that is down): it is left out, and nothing read after it is lost.
    expect(value('node_network_speed_bytes', { device: 'eth1' })).toBeUndefined();
    expect(value('node_network_mtu_bytes', { device: 'lo' })).toBe(65536);
    expect(obs.processes.map((p) => p.comm).sort()).toEqual(['kthreadd', 'my (odd) app', 'systemd']);
    expect(value('node_filesystem_readonly', { mountpoint: '/' })).toBe(0);
  });

  it('says "unsupported os" where there is no /proc/stat', () => {
    const empty = mkdtempSync(join(os.tmpdir(), 'ovl-noproc-'));
    try {
      const { result, status } = runOnce(cmd, { PROC_ROOT: empty });
      expect(status).toBe(3);
      expect(result).toMatchObject({ kind: 'unsupported_os', os: 'Linux' });
    } finally {
      rmSync(empty, { recursive: true });
    }
  });

  it('in paced mode samples once per request line, processes every Nth or on request, and exits at EOF', async () => {
    const child = spawn(cmd[0]!, [...cmd.slice(1), script.path, 'paced', '3'], { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    const splitter = createFrameSplitter();
    // Sample 4 is not due (3 would be the first after 2): the request alone must bring processes.
    const requests = ['', '', '', 'processes', '', '', ''];
    const processCounts: number[] = [];
    const groupsBetween: string[] = [];
    let sent = 0;
    const next = () => child.stdin.write(`${requests[sent++]}\n`);
    const done = new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        for (const item of splitter.push(chunk)) {
          if (item.kind !== 'frame') continue;
          const result = parseAgentFrame(item.text, Date.now());
          if (result.kind !== 'observation') throw new Error(JSON.stringify(result));
          processCounts.push(result.observation.processes.length);
          // The end line follows the shell's wait for its tail (and df): between
          // requests nothing of the agent runs but the shell.
          groupsBetween.push(spawnSync('pgrep', ['-g', String(child.pid)], { encoding: 'utf8' }).stdout.trim());
          // One request at a time: a frame per line, none without one.
          if (sent < requests.length) next();
          else resolve();
        }
      });
    });
    next();
    await done;
    // 1, 2: always; 3: not due; 4: asked for, which restarts the count; 5, 6: not due; 7: due.
    expect(processCounts.map((n) => n > 0)).toEqual([true, true, false, true, false, false, true]);
    expect(groupsBetween).toEqual(requests.map(() => String(child.pid)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stdin.end();
    expect(await exited).toBe(0);
    expect(spawnSync('pgrep', ['-g', String(child.pid)], { encoding: 'utf8' }).stdout.trim()).toBe('');
  });

  it('in paced mode first names its process: its pid and its start time from /proc', async () => {
    const child = spawn(cmd[0]!, [...cmd.slice(1), script.path, 'paced', '1'], { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    const splitter = createFrameSplitter();
    const first = await new Promise<unknown>((resolve) => {
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        const [item] = splitter.push(chunk);
        if (item) resolve(item);
      });
    });
    // proc(5): field 22 of /proc/PID/stat is the start time; the comm in parentheses may hold spaces.
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    const startTime = stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[19];
    expect(first).toEqual({ kind: 'agent_process', version: script.version, pid: child.pid, startTime });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stdin.end();
    expect(await exited).toBe(0);
  });

  it('in paced mode with an idle limit gives up when no request comes, where the shell has a bounded read', async () => {
    // stdin stays open and silent, as on a cut link: only the idle limit can end it.
    const child = spawn(cmd[0]!, [...cmd.slice(1), script.path, 'paced', '1', '4', '2'], { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    const frames: number[] = [];
    const splitter = createFrameSplitter();
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      for (const item of splitter.push(chunk)) if (item.kind === 'frame') frames.push(Date.now());
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stdin.write('\n');
    const started = Date.now();
    const outcome = await Promise.race([exited.then((code) => ({ code, after: Date.now() - started })), new Promise<'running'>((r) => setTimeout(() => r('running'), 6000))]);
    try {
      if (cmd[0] === 'dash') {
        // dash's read has no -t: it waits for EOF (or the console's kill), as the README says.
        expect(outcome).toBe('running');
      } else {
        expect(outcome).toMatchObject({ code: 0 });
        expect((outcome as { after: number }).after).toBeGreaterThan(1500);
        expect((outcome as { after: number }).after).toBeLessThan(5000);
      }
      expect(frames).toHaveLength(1);
    } finally {
      child.stdin.end();
      await exited;
    }
    expect(spawnSync('pgrep', ['-g', String(child.pid)], { encoding: 'utf8' }).stdout.trim()).toBe('');
  });

  it('streams a frame per interval and exits when its stdout is closed', async () => {
    // stdin open and silent: bash and busybox ash wait on it with `read -t`, dash sleeps.
    const child = spawn(cmd[0]!, [...cmd.slice(1), script.path, 'stream', '2'], { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    const splitter = createFrameSplitter();
    const seqs: number[] = [];
    const times: number[] = [];
    const gotThree = new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        for (const item of splitter.push(chunk)) {
          if (item.kind === 'frame') {
            seqs.push(item.seq);
            times.push(Date.now());
            if (seqs.length === 3) resolve();
          }
        }
      });
    });
    await gotThree;
    expect(seqs).toEqual([1, 2, 3]);
    expect(times[2]! - times[0]!).toBeGreaterThan(3600);
    // One interval each, the first included (busybox's `read -t` timeout once looked like a closed stdin: 4 s, then 2).
    expect(times[1]! - times[0]!).toBeLessThan(3500);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stdout.destroy();
    const started = Date.now();
    await exited;
    expect(Date.now() - started).toBeLessThan(5000);
    // Nothing it started survives it (it leads its own process group).
    const leftovers = spawnSync('pgrep', ['-g', String(child.pid)], { encoding: 'utf8' }).stdout.trim();
    expect(leftovers).toBe('');
  });
});
