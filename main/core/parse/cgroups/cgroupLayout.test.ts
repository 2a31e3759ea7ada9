import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectCgroupLayout, detectDriver } from './cgroupLayout.js';

const fixture = (path: string) => readFileSync(new URL(`./fixtures/${path}`, import.meta.url), 'utf8');
/** A host tree the agent tests also run on (its mountinfo as the agent captures it). */
const hostTree = (path: string) => readFileSync(new URL(`../../sources/agent/fixtures/${path}`, import.meta.url), 'utf8');

describe('detectCgroupLayout', () => {
  it('reads this machine (captured mountinfo): hybrid, cpu and cpuacct as separate hierarchies', () => {
    const layout = detectCgroupLayout(fixture('layouts/debian12-vm-hybrid-mountinfo.txt'), ['process_api', 'cgroup.procs']);
    expect(layout.mode).toBe('hybrid');
    expect(layout.unifiedMount).toBe('/sys/fs/cgroup/unified');
    expect(layout.v1Controllers).toEqual({
      cpu: '/sys/fs/cgroup/cpu',
      cpuacct: '/sys/fs/cgroup/cpuacct',
      cpuset: '/sys/fs/cgroup/cpuset',
      memory: '/sys/fs/cgroup/memory',
      devices: '/sys/fs/cgroup/devices',
      freezer: '/sys/fs/cgroup/freezer',
      blkio: '/sys/fs/cgroup/blkio',
      pids: '/sys/fs/cgroup/pids',
    });
    expect(layout.v1Named).toEqual({ systemd: '/sys/fs/cgroup/systemd' });
    expect(layout.driver).toBe('unknown');
    expect(layout.problems).toEqual([]);
  });

  it('gives the same answer from /proc/mounts of the same machine', () => {
    const fromInfo = detectCgroupLayout(fixture('layouts/debian12-vm-hybrid-mountinfo.txt'), []);
    const fromMounts = detectCgroupLayout(fixture('layouts/debian12-vm-hybrid-mounts.txt'), []);
    expect(fromMounts).toEqual(fromInfo);
  });

  it('hybrid systemd host with co-mounted cpu,cpuacct', () => {
    const layout = detectCgroupLayout(fixture('layouts/ubuntu2004-hybrid-systemd-mountinfo.txt'), ['init.scope', 'system.slice', 'user.slice']);
    expect(layout.mode).toBe('hybrid');
    expect(layout.v1Controllers.cpu).toBe('/sys/fs/cgroup/cpu,cpuacct');
    expect(layout.v1Controllers.cpuacct).toBe('/sys/fs/cgroup/cpu,cpuacct');
    expect(layout.v1Controllers.net_prio).toBe('/sys/fs/cgroup/net_cls,net_prio');
    expect(layout.v1Controllers.xattr).toBeUndefined();
    expect(layout.driver).toBe('systemd');
  });

  it('pure v2 systemd host', () => {
    const layout = detectCgroupLayout(hostTree('ubuntu2204-v2-systemd-docker-k8s/proc-self-mountinfo.txt'), ['init.scope', 'system.slice', 'kubepods.slice', 'user.slice']);
    expect(layout).toEqual({ mode: 'v2', unifiedMount: '/sys/fs/cgroup', v1Controllers: {}, v1Named: {}, driver: 'systemd', problems: [] });
  });

  it('pure v1 host with Docker on cgroupfs (also under systemd)', () => {
    const layout = detectCgroupLayout(hostTree('rhel8-v1-cgroupfs-docker/proc-self-mountinfo.txt'), ['docker', 'system.slice', 'user.slice']);
    expect(layout.mode).toBe('v1');
    expect(layout.unifiedMount).toBeUndefined();
    expect(layout.v1Controllers.memory).toBe('/sys/fs/cgroup/memory');
    expect(layout.v1Controllers.cpuacct).toBe('/sys/fs/cgroup/cpu,cpuacct');
    expect(layout.v1Named.systemd).toBe('/sys/fs/cgroup/systemd');
    // release_agent=… is an option, not a controller
    expect(Object.keys(layout.v1Controllers).some((c) => c.includes('='))).toBe(false);
    expect(layout.driver).toBe('cgroupfs');
  });

  it('no cgroup mounts at all, and broken lines counted as problems', () => {
    const layout = detectCgroupLayout('24 30 0:22 / /sys rw - sysfs sysfs rw\ngarbage\n', []);
    expect(layout.mode).toBe('none');
    expect(layout.problems).toHaveLength(1);
    expect(layout.problems[0]).toContain('garbage');
  });

  it('decodes octal escapes in mount points', () => {
    const layout = detectCgroupLayout('35 24 0:30 / /mnt/my\\040cgroup rw - cgroup2 cgroup2 rw\n', []);
    expect(layout.unifiedMount).toBe('/mnt/my cgroup');
  });
});

describe('detectDriver', () => {
  it.each([
    [['kubepods'], 'cgroupfs'],
    [['libpod_parent', 'system.slice'], 'cgroupfs'],
    [['kubepods.slice', 'system.slice'], 'systemd'],
    [['machine.slice'], 'systemd'],
    [['system.slice/'], 'systemd'],
    [['process_api'], 'unknown'],
    [[], 'unknown'],
  ] as const)('%j → %s', (listing, driver) => {
    expect(detectDriver(listing)).toBe(driver);
  });
});
