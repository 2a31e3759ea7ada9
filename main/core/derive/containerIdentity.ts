// Who each container is: the cgroups the agent read joined with what the
// engine said (name, image, labels, state, restarts, pid), into one list
// with the labels its series carry. Running containers come from their
// cgroups (the truth for "is it running"), stopped ones from the engine (they
// have no cgroup). Pure.
import type { Labels } from '../../common/series.js';
import { shortId, type ContainerMeta, type ContainerObservation, type ContainerState, type RawContainer } from '../model/containers.js';

export interface ContainerIdentity {
  readonly id: string;
  readonly name: string;
  readonly image?: string;
  readonly runtime: string;
  readonly state: ContainerState;
  readonly restarts?: number;
  readonly pod?: string;
  readonly namespace?: string;
  readonly sandbox: boolean;
  readonly labels: Readonly<Record<string, string>>;
  /**
   * What every series of the container carries besides `host`: `container`
   * (the Kubernetes container name in a pod, else the engine's name, else the
   * short id) and `image`, `namespace`, `pod` where known — cAdvisor's labels
   * as the kubelet exposes them.
   */
  readonly seriesLabels: Labels;
  /** The pid whose /proc/<pid>/net/dev is the container's network: the engine's, else the cgroup's lowest. */
  readonly pid?: number;
  readonly startedAt?: number;
  readonly cgroup?: RawContainer;
  readonly meta?: ContainerMeta;
}

/**
 * A container with a cgroup is running, or paused when frozen, or what the
 * engine says when that is restarting or removing. The engine's snapshot may
 * be a refresh behind: its "created" or "exited" for a container whose cgroup
 * exists is old news.
 */
function stateWithCgroup(cgroup: RawContainer, meta: ContainerMeta | undefined): ContainerState {
  if (cgroup.frozen === true) return 'paused';
  // The freezer read "thawed": unpaused since the snapshot. Not read (no freezer controller): the engine knows.
  if (meta?.state === 'paused') return cgroup.frozen === false ? 'running' : 'paused';
  if (meta?.state === 'restarting' || meta?.state === 'removing') return meta.state;
  return 'running';
}

function labelsFor(name: string, meta: ContainerMeta | undefined): Labels {
  const k8s = meta ? kubernetesNames(meta.labels) : { sandbox: false };
  return {
    container: k8s.container ?? name,
    ...(meta?.image ? { image: meta.image } : {}),
    ...(k8s.namespace ? { namespace: k8s.namespace } : {}),
    ...(k8s.pod ? { pod: k8s.pod } : {}),
  };
}

function identity(id: string, runtime: string, state: ContainerState, meta: ContainerMeta | undefined, cgroup: RawContainer | undefined): ContainerIdentity {
  const name = meta?.name ?? shortId(id);
  const k8s = meta ? kubernetesNames(meta.labels) : { sandbox: false };
  const running = state === 'running' || state === 'paused' || state === 'restarting';
  const pid = running ? (meta?.pid ?? cgroup?.initPid) : undefined;
  return {
    id,
    name,
    ...(meta?.image ? { image: meta.image } : {}),
    runtime,
    state,
    ...(meta?.restarts !== undefined ? { restarts: meta.restarts } : {}),
    ...(k8s.pod ? { pod: k8s.pod } : {}),
    ...(k8s.namespace ? { namespace: k8s.namespace } : {}),
    sandbox: k8s.sandbox,
    labels: meta?.labels ?? {},
    seriesLabels: labelsFor(name, meta),
    ...(pid !== undefined ? { pid } : {}),
    ...(meta?.startedAt !== undefined ? { startedAt: meta.startedAt } : {}),
    ...(cgroup ? { cgroup } : {}),
    ...(meta ? { meta } : {}),
  };
}

// An observation is derived against the next one and exported at scrape
// time: its identities are computed once.
const cache = new WeakMap<ContainerObservation, ContainerIdentity[]>();

/** Every container of the observation: cgroup-backed ones first (sorted by id), then the engine's others. */
export function containerIdentities(obs: ContainerObservation): ContainerIdentity[] {
  let identities = cache.get(obs);
  if (!identities) {
    identities = computeIdentities(obs);
    cache.set(obs, identities);
  }
  return identities;
}

function computeIdentities(obs: ContainerObservation): ContainerIdentity[] {
  const metas = new Map((obs.engine?.containers ?? []).map((m) => [m.id, m]));
  const out: ContainerIdentity[] = [];
  const withCgroup = new Set<string>();
  for (const cgroup of obs.cgroups) {
    withCgroup.add(cgroup.id);
    const meta = metas.get(cgroup.id);
    const runtime = meta && cgroup.runtime === 'cri' ? (obs.engine?.engine ?? cgroup.runtime) : cgroup.runtime;
    out.push(identity(cgroup.id, runtime, stateWithCgroup(cgroup, meta), meta, cgroup));
  }
  for (const meta of metas.values()) {
    if (withCgroup.has(meta.id)) continue;
    // "running" without a cgroup: the engine is ahead of the agent (just
    // started) or the cgroup sits where the agent does not look; shown as the
    // engine says, without metrics.
    out.push(identity(meta.id, obs.engine?.engine ?? 'unknown', meta.state, meta, undefined));
  }
  return out;
}

/** Running counts paused and restarting containers too: they hold their resources. */
export function isRunningState(state: ContainerState): boolean {
  return state === 'running' || state === 'paused' || state === 'restarting';
}

/** Kubernetes names set by the kubelet on the containers it runs (dockershim / cri-dockerd, and Podman's `play kube`). */
export interface KubernetesNames {
  readonly pod?: string;
  readonly namespace?: string;
  readonly container?: string;
  /** The pod's sandbox ("pause") container rather than one of its own. */
  readonly sandbox: boolean;
}

export function kubernetesNames(labels: Readonly<Record<string, string>>): KubernetesNames {
  const pod = labels['io.kubernetes.pod.name'];
  const namespace = labels['io.kubernetes.pod.namespace'];
  const container = labels['io.kubernetes.container.name'];
  return {
    ...(pod ? { pod } : {}),
    ...(namespace ? { namespace } : {}),
    ...(container ? { container } : {}),
    sandbox: labels['io.kubernetes.docker.type'] === 'podsandbox' || container === 'POD',
  };
}
