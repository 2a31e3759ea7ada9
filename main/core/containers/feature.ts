// Containers: each host's containers from its latest observation —
// running ones from the cgroups the agent read, stopped ones from the
// engine — for the containers table. Their series go through the usual
// derive → store path (deriveSamples calls deriveContainers).
import { RpcError, type HostContainers } from '../../common/contract.js';
import type { CoreContext, CoreFeature } from '../coreContext.js';
import type { DerivedSamples } from '../derive/observation.js';
import type { HostObservation } from '../model/observation.js';

/** The table's view of one observation, or undefined when the source reads no cgroups. */
export function hostContainersFrom(hostId: string, obs: HostObservation, derived: DerivedSamples): HostContainers | undefined {
  const containers = obs.containers;
  if (!containers || !derived.containers) return undefined;
  const engine = containers.engine;
  return {
    hostId,
    t: obs.t,
    cgroupMode: containers.layout.mode,
    cgroupDriver: containers.layout.driver,
    engine: engine?.engine ?? null,
    engineVia: engine?.via ?? null,
    engineAt: engine && engine.at > 0 ? engine.at : null,
    note: engine?.note ? { ...engine.note } : null,
    containers: derived.containers.rows,
  };
}

export function containersFeature(ctx: CoreContext): CoreFeature {
  const latest = new Map<string, HostContainers>();
  return {
    name: 'containers',
    handlers: {
      /** The renderer names a host id; it cannot reach the engine or the cgroup files through this. */
      'containers/list': ({ hostId }) => {
        if (!ctx.host(hostId)) throw new RpcError('not_found', `no host with id "${hostId}"`);
        return latest.get(hostId) ?? null;
      },
    },
    onObservation(hostId, obs, derived) {
      const view = hostContainersFrom(hostId, obs, derived);
      if (view) latest.set(hostId, view);
      else latest.delete(hostId);
    },
    onHostRemoved(hostId) {
      latest.delete(hostId);
    },
  };
}
