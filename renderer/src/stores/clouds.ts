// Cloud accounts and their instances' latest values, kept current by events:
// `clouds/changed` replaces the account list, `clouds/samples` (an account
// stored datapoints, about once a minute) refreshes the instance rows.
// Refreshed from scratch on every (re)connection.
import { create } from 'zustand';
import type { CloudAccountView, CloudInstanceRow, CloudMappingsView } from '../../../main/common/clouds';
import { core } from '../coreClient';
import { onEachConnection, useConnection } from './connection';

export interface CloudsState {
  phase: 'loading' | 'ready' | 'error';
  error?: string;
  accounts: CloudAccountView[];
  instances: CloudInstanceRow[];
  mappings: CloudMappingsView | null;
}

export const useClouds = create<CloudsState>()(() => ({ phase: 'loading', accounts: [], instances: [], mappings: null }));

let instancesTimer: ReturnType<typeof setTimeout> | undefined;
let instancesInFlight = false;

async function refreshInstances(): Promise<void> {
  if (instancesInFlight) return;
  instancesInFlight = true;
  try {
    useClouds.setState({ instances: await core.call('clouds/instances', {}) });
  } catch {
    // Rows keep their last values; the next event or reconnection tries again.
  } finally {
    instancesInFlight = false;
  }
}

/** Several accounts finishing their cycles together: one refresh. */
function queueInstances(): void {
  if (instancesTimer) return;
  instancesTimer = setTimeout(() => {
    instancesTimer = undefined;
    void refreshInstances();
  }, 1000);
}

export async function refreshClouds(): Promise<void> {
  try {
    const [accounts, instances, mappings] = await Promise.all([core.call('clouds/list'), core.call('clouds/instances', {}), core.call('clouds/mappings')]);
    useClouds.setState({ phase: 'ready', error: undefined, accounts, instances, mappings });
  } catch (err) {
    if (useConnection.getState().status !== 'open' && useClouds.getState().phase === 'ready') return;
    useClouds.setState({ phase: 'error', error: (err as Error).message });
  }
}

export async function refreshCloudMappings(): Promise<void> {
  try {
    useClouds.setState({ mappings: await core.call('clouds/mappings') });
  } catch {
    // Shown from the last answer.
  }
}

export function startCloudsSync(): void {
  core.on('clouds/changed', (accounts) => {
    const before = useClouds.getState().accounts.map((a) => `${a.name}:${a.status.instances}`).join('\n');
    useClouds.setState({ accounts, phase: 'ready' });
    if (accounts.map((a) => `${a.name}:${a.status.instances}`).join('\n') !== before) queueInstances();
  });
  core.on('clouds/samples', () => queueInstances());
  onEachConnection(() => void refreshClouds());
}
