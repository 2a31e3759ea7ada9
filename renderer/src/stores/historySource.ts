// Where this console reads history from (its own store, or an engine's
// PromQL API), for the screens that show time: from `history/get` on every
// (re)connection, kept current by `history/changed`.
import { create } from 'zustand';
import type { HistoryState } from '../../../main/common/remoteWrite';
import { core } from '../coreClient';
import { onEachConnection } from './connection';

export const useHistorySource = create<{ state: HistoryState | null }>()(() => ({ state: null }));

async function refreshHistorySource(): Promise<void> {
  try {
    useHistorySource.setState({ state: await core.call('history/get') });
  } catch {
    // Shown from the last answer; the next connection asks again.
  }
}

export function startHistorySourceSync(): void {
  core.on('history/changed', (state) => useHistorySource.setState({ state }));
  onEachConnection(() => void refreshHistorySource());
}
