// Recognise a container's cgroup from its path (relative to the hierarchy
// root, as in /proc/<pid>/cgroup or a directory walk) and pull out the
// runtime, the container id and, under Kubernetes, the pod uid and QoS class.
// Pure: no Node, no I/O.
//
// Forms handled (the runtimes' naming, as seen on real hosts):
//   Docker, cgroupfs driver         /docker/<id>
//   Docker, systemd driver          /system.slice/docker-<id>.scope
//   Podman, cgroupfs manager        /libpod_parent/libpod-<id>
//   Podman, systemd manager         /machine.slice/libpod-<id>.scope
//   Podman rootless                 /user.slice/user-1000.slice/user@1000.service/user.slice/libpod-<id>.scope
//   Kubernetes, cgroupfs driver     /kubepods/burstable/pod<uid>/<id>   (runtime not named by the path)
//   Kubernetes, systemd driver      /kubepods.slice/kubepods-burstable.slice/
//                                     kubepods-burstable-pod<uid_with_underscores>.slice/cri-containerd-<id>.scope
//                                   (crio-<id>.scope for CRI-O, docker-<id>.scope for dockershim/cri-dockerd)
// Guaranteed pods sit directly under kubepods (no QoS level).
//
// Not containers: the runtimes' own services and monitors
// (docker.service, containerd.service, libpod-conmon-<id>.scope,
// crio-conmon-<id>.scope), slices, init.scope.
import type { ContainerRuntime, KubernetesQos } from '../../model/containers.js';


export interface ContainerCgroupRef {
  /** `cri` when the path is a Kubernetes container whose runtime the cgroupfs form does not name. */
  readonly runtime: ContainerRuntime;
  /** The full 64-hex container id. */
  readonly id: string;
  /** The container's own cgroup: the path up to and including the container's segment (sub-cgroups inside the container are cut off). */
  readonly cgroupPath: string;
  readonly driver: 'systemd' | 'cgroupfs';
  /** Kubernetes pod uid in its API form, with dashes (the systemd form's underscores turned back). */
  readonly podUid?: string;
  readonly qos?: KubernetesQos;
  /** Uid of the user whose systemd instance owns the container (rootless Podman / Docker). */
  readonly rootlessUid?: number;
}

// Docker, containerd, CRI-O and Podman ids are 256-bit hex digests. Requiring
// the full form keeps directories such as /docker/buildkit or a user's
// "docker-compose.scope" from being taken for containers.
const ID = '[0-9a-f]{64}';

const SCOPE_FORMS: ReadonlyArray<{ re: RegExp; runtime: ContainerRuntime }> = [
  { re: new RegExp(`^docker-(${ID})\\.scope$`), runtime: 'docker' },
  { re: new RegExp(`^libpod-(${ID})\\.scope$`), runtime: 'podman' },
  { re: new RegExp(`^cri-containerd-(${ID})\\.scope$`), runtime: 'containerd' },
  { re: new RegExp(`^crio-(${ID})\\.scope$`), runtime: 'cri-o' },
];
const PLAIN_ID = new RegExp(`^(${ID})$`);
const LIBPOD_PLAIN = new RegExp(`^libpod-(${ID})$`);

// Pod uids are RFC 4122 UUIDs for API pods; static (mirror) pods use a
// 32-hex config hash. The systemd driver cannot have dashes inside a unit
// name part, so the kubelet writes them as underscores.
const POD_CGROUPFS = /^pod([0-9a-f][0-9a-f-]{15,})$/;
const POD_SYSTEMD = /^kubepods(?:-(burstable|besteffort))?-pod([0-9a-f][0-9a-f_]{15,})\.slice$/;
const QOS_CGROUPFS = new Set(['burstable', 'besteffort']);
const USER_SERVICE = /^user@(\d+)\.service$/;

interface PodInfo {
  podUid?: string;
  qos?: KubernetesQos;
  kubepods: boolean;
}

function podInfo(segments: readonly string[], upTo: number): PodInfo {
  const info: PodInfo = { kubepods: false };
  for (let i = 0; i < upTo; i++) {
    const seg = segments[i]!;
    if (seg === 'kubepods' || seg === 'kubepods.slice') info.kubepods = true;
    if (!info.kubepods) continue;
    if (QOS_CGROUPFS.has(seg)) info.qos = seg as KubernetesQos;
    const cgroupfsPod = POD_CGROUPFS.exec(seg);
    if (cgroupfsPod) {
      info.podUid = cgroupfsPod[1]!;
      info.qos ??= 'guaranteed';
    }
    const systemdPod = POD_SYSTEMD.exec(seg);
    if (systemdPod) {
      info.podUid = systemdPod[2]!.replace(/_/g, '-');
      info.qos = (systemdPod[1] as KubernetesQos | undefined) ?? 'guaranteed';
    }
  }
  return info;
}

function rootlessUid(segments: readonly string[], upTo: number): number | undefined {
  for (let i = 0; i < upTo; i++) {
    const m = USER_SERVICE.exec(segments[i]!);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/**
 * The container a cgroup path belongs to, or undefined when the path is not a
 * container's. Nested containers (Docker-in-Docker) resolve to the innermost;
 * a path below a container's cgroup (e.g. `…/libpod-<id>.scope/container`)
 * resolves to that container.
 */
export function parseContainerCgroupPath(path: string): ContainerCgroupRef | undefined {
  const segments = path.split('/').filter((s) => s !== '');
  for (let i = segments.length - 1; i >= 0; i--) {
    const seg = segments[i]!;
    const parent = i > 0 ? segments[i - 1]! : '';
    let runtime: ContainerRuntime | undefined;
    let id: string | undefined;
    let driver: 'systemd' | 'cgroupfs' = 'cgroupfs';
    for (const form of SCOPE_FORMS) {
      const m = form.re.exec(seg);
      if (m) {
        runtime = form.runtime;
        id = m[1]!;
        driver = 'systemd';
        break;
      }
    }
    if (!id) {
      const libpod = LIBPOD_PLAIN.exec(seg);
      const plain = PLAIN_ID.exec(seg);
      if (libpod) {
        runtime = 'podman';
        id = libpod[1]!;
      } else if (plain && parent === 'docker') {
        runtime = 'docker';
        id = plain[1]!;
      } else if (plain && POD_CGROUPFS.test(parent)) {
        runtime = 'cri';
        id = plain[1]!;
      }
    }
    if (!id || !runtime) continue;
    const pod = podInfo(segments, i);
    const uid = rootlessUid(segments, i);
    return {
      runtime,
      id,
      cgroupPath: '/' + segments.slice(0, i + 1).join('/'),
      driver,
      ...(pod.podUid !== undefined ? { podUid: pod.podUid } : {}),
      ...(pod.qos !== undefined && pod.podUid !== undefined ? { qos: pod.qos } : {}),
      ...(uid !== undefined ? { rootlessUid: uid } : {}),
    };
  }
  return undefined;
}

/**
 * The container of a process, from the text of /proc/<pid>/cgroup
 * (`hierarchy-id:controllers:path` lines). Prefers the v2 line (`0::`), then
 * any v1 line that names a container; the first match wins.
 */
export function containerOfProcCgroup(procCgroupText: string): ContainerCgroupRef | undefined {
  const lines = procCgroupText.split('\n').filter((l) => l.trim() !== '');
  const paths = lines
    .map((l) => {
      const first = l.indexOf(':');
      const second = first < 0 ? -1 : l.indexOf(':', first + 1);
      return second < 0 ? undefined : { v2: l.startsWith('0::'), path: l.slice(second + 1) };
    })
    .filter((p): p is { v2: boolean; path: string } => p !== undefined);
  paths.sort((a, b) => Number(b.v2) - Number(a.v2));
  for (const p of paths) {
    const ref = parseContainerCgroupPath(p.path);
    if (ref) return ref;
  }
  return undefined;
}
