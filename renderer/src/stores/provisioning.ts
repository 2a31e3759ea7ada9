// The provisioning file's state for screens other than Settings: which file,
// and its problems (a broken file, entries left out). From `app/info` on
// every (re)connection, kept current by `config/changed`.
import { create } from 'zustand';
import type { AppInfo } from '../../../main/common/contract';
import { core } from '../coreClient';
import { onEachConnection } from './connection';

export type ProvisioningState = AppInfo['config'];

export const useProvisioning = create<ProvisioningState>()(() => ({ file: null, problems: [], loadedAt: null }));

async function refreshProvisioning(): Promise<void> {
  try {
    useProvisioning.setState((await core.call('app/info')).config);
  } catch {
    // Shown from the last answer; the next connection asks again.
  }
}

export function startProvisioningSync(): void {
  core.on('config/changed', (config) => useProvisioning.setState(config));
  onEachConnection(() => void refreshProvisioning());
}
