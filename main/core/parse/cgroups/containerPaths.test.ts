import { describe, expect, it } from 'vitest';
import { containerOfProcCgroup, parseContainerCgroupPath, type ContainerCgroupRef } from './containerPaths.js';

const A = '3f6c2a9e1b7d4c8a0e5f92b1d6a4c7e8f0b3a5d9c2e6f1a4b8d7c0e3f5a9b2c6';
const B = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678abcdef0123456789abcdef01';
const UID = '6d1f0c3e-8b2a-4f7d-9e15-2c4b7a9d0e38';
const UID_ = UID.replace(/-/g, '_');
const STATIC_POD = 'd41d8cd98f00b204e9800998ecf8427e';

const matching: ReadonlyArray<[string, ContainerCgroupRef]> = [
  [`/docker/${A}`, { runtime: 'docker', id: A, cgroupPath: `/docker/${A}`, driver: 'cgroupfs' }],
  [`/system.slice/docker-${A}.scope`, { runtime: 'docker', id: A, cgroupPath: `/system.slice/docker-${A}.scope`, driver: 'systemd' }],
  [`/machine.slice/libpod-${A}.scope`, { runtime: 'podman', id: A, cgroupPath: `/machine.slice/libpod-${A}.scope`, driver: 'systemd' }],
  [`/machine.slice/libpod-${A}.scope/container`, { runtime: 'podman', id: A, cgroupPath: `/machine.slice/libpod-${A}.scope`, driver: 'systemd' }],
  [`/libpod_parent/libpod-${A}`, { runtime: 'podman', id: A, cgroupPath: `/libpod_parent/libpod-${A}`, driver: 'cgroupfs' }],
  [
    `/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${A}.scope`,
    { runtime: 'podman', id: A, cgroupPath: `/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${A}.scope`, driver: 'systemd', rootlessUid: 1000 },
  ],
  [
    `/user.slice/user-1001.slice/user@1001.service/docker.service/docker-${A}.scope`,
    { runtime: 'docker', id: A, cgroupPath: `/user.slice/user-1001.slice/user@1001.service/docker.service/docker-${A}.scope`, driver: 'systemd', rootlessUid: 1001 },
  ],
  [`/kubepods/burstable/pod${UID}/${B}`, { runtime: 'cri', id: B, cgroupPath: `/kubepods/burstable/pod${UID}/${B}`, driver: 'cgroupfs', podUid: UID, qos: 'burstable' }],
  [`/kubepods/besteffort/pod${UID}/${B}`, { runtime: 'cri', id: B, cgroupPath: `/kubepods/besteffort/pod${UID}/${B}`, driver: 'cgroupfs', podUid: UID, qos: 'besteffort' }],
  [`/kubepods/pod${UID}/${B}`, { runtime: 'cri', id: B, cgroupPath: `/kubepods/pod${UID}/${B}`, driver: 'cgroupfs', podUid: UID, qos: 'guaranteed' }],
  [`/kubepods/pod${STATIC_POD}/${B}`, { runtime: 'cri', id: B, cgroupPath: `/kubepods/pod${STATIC_POD}/${B}`, driver: 'cgroupfs', podUid: STATIC_POD, qos: 'guaranteed' }],
  [
    `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/cri-containerd-${B}.scope`,
    {
      runtime: 'containerd', id: B, driver: 'systemd', podUid: UID, qos: 'burstable',
      cgroupPath: `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/cri-containerd-${B}.scope`,
    },
  ],
  [
    `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/crio-${B}.scope`,
    {
      runtime: 'cri-o', id: B, driver: 'systemd', podUid: UID, qos: 'besteffort',
      cgroupPath: `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/crio-${B}.scope`,
    },
  ],
  [
    `/kubepods.slice/kubepods-pod${UID_}.slice/crio-${B}.scope`,
    { runtime: 'cri-o', id: B, driver: 'systemd', podUid: UID, qos: 'guaranteed', cgroupPath: `/kubepods.slice/kubepods-pod${UID_}.slice/crio-${B}.scope` },
  ],
  [
    `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/docker-${B}.scope`,
    {
      runtime: 'docker', id: B, driver: 'systemd', podUid: UID, qos: 'burstable',
      cgroupPath: `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/docker-${B}.scope`,
    },
  ],
  // Docker-in-Docker: the innermost container wins
  [`/docker/${A}/docker/${B}`, { runtime: 'docker', id: B, cgroupPath: `/docker/${A}/docker/${B}`, driver: 'cgroupfs' }],
  // No leading slash (directory walk relative paths)
  [`docker/${A}`, { runtime: 'docker', id: A, cgroupPath: `/docker/${A}`, driver: 'cgroupfs' }],
];

const notContainers = [
  '/',
  '',
  '/system.slice/sshd.service',
  '/user.slice',
  '/init.scope',
  '/system.slice/docker.service',
  '/system.slice/containerd.service',
  '/kubepods',
  '/kubepods/burstable',
  `/kubepods/burstable/pod${UID}`,
  `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice`,
  `/machine.slice/libpod-conmon-${A}.scope`,
  `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/crio-conmon-${B}.scope`,
  '/docker',
  '/docker/buildkit',
  `/docker/${A.slice(0, 12)}`,
  `/system.slice/docker-${A.slice(0, 12)}.scope`,
  `/user.slice/user-1000.slice/user@1000.service/app.slice/docker-compose.scope`,
  `/system.slice/${A}`,
  `/DOCKER/${A.toUpperCase()}`,
];

describe('parseContainerCgroupPath', () => {
  it.each(matching)('%s', (path, expected) => {
    expect(parseContainerCgroupPath(path)).toEqual(expected);
  });
  it.each(notContainers)('%j is not a container', (path) => {
    expect(parseContainerCgroupPath(path)).toBeUndefined();
  });
});

describe('containerOfProcCgroup', () => {
  it('reads a v2 /proc/<pid>/cgroup', () => {
    expect(containerOfProcCgroup(`0::/system.slice/docker-${A}.scope\n`)?.id).toBe(A);
  });
  it('reads a v1 /proc/<pid>/cgroup where only some hierarchies name the container', () => {
    const text = `12:pids:/docker/${A}\n11:memory:/docker/${A}\n1:name=systemd:/system.slice/docker.service\n0::/\n`;
    expect(containerOfProcCgroup(text)).toEqual({ runtime: 'docker', id: A, cgroupPath: `/docker/${A}`, driver: 'cgroupfs' });
  });
  it('returns undefined for a host process (this test runner)', () => {
    expect(containerOfProcCgroup('0::/init.scope\n9:name=systemd:/\n')).toBeUndefined();
  });
});
