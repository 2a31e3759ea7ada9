// Service checks and their latest result from each vantage point, kept
// current by `checks/changed` (the core sends the whole list, at most four
// times a second); refreshed from scratch on every (re)connection.
import { create } from 'zustand';
import type { CheckView } from '../../../main/common/checks';
import { core } from '../coreClient';
import { onEachConnection, useConnection } from './connection';

export interface ChecksState {
  phase: 'loading' | 'ready' | 'error';
  error?: string;
  checks: CheckView[];
}

export const useChecks = create<ChecksState>()(() => ({ phase: 'loading', checks: [] }));

export async function refreshChecks(): Promise<void> {
  try {
    useChecks.setState({ phase: 'ready', error: undefined, checks: await core.call('checks/list') });
  } catch (err) {
    if (useConnection.getState().status !== 'open' && useChecks.getState().phase === 'ready') return;
    useChecks.setState({ phase: 'error', error: (err as Error).message });
  }
}

/** Puts one check's fresh view in the list (after test now, pause, an edit) without waiting for the event. */
export function putCheck(view: CheckView): void {
  const checks = useChecks.getState().checks;
  useChecks.setState({ checks: checks.some((c) => c.name === view.name) ? checks.map((c) => (c.name === view.name ? view : c)) : [...checks, view] });
}

export function startChecksSync(): void {
  core.on('checks/changed', (checks) => useChecks.setState({ checks, phase: 'ready', error: undefined }));
  onEachConnection(() => void refreshChecks());
}
