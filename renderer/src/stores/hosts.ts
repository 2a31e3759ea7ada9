// Every watched host and its latest summary, kept current by events:
// `hosts/changed` replaces the list, `samples/appended` replaces one summary.
// Refreshed from scratch on every (re)connection, since events sent while the
// socket was down are gone.
import { create } from 'zustand';
import type { Host, HostSummary } from '../../../main/common/contract';
import { core } from '../core-client';
import { useConnection } from './connection';

export type HostsPhase = 'loading' | 'ready' | 'error';

export interface HostsState {
  phase: HostsPhase;
  error?: string;
  hosts: Host[];
  summaries: Record<string, HostSummary>;
}

export const useHosts = create<HostsState>()(() => ({ phase: 'loading', hosts: [], summaries: {} }));

let loadSeq = 0;

export async function refreshHosts(): Promise<void> {
  const seq = ++loadSeq;
  if (useHosts.getState().phase === 'error') useHosts.setState({ phase: 'loading', error: undefined });
  try {
    const [hosts, summaries] = await Promise.all([core.call('hosts/list'), core.call('hosts/summaries')]);
    if (seq !== loadSeq) return; // A newer refresh started; its answer wins.
    useHosts.setState({
      phase: 'ready',
      error: undefined,
      hosts,
      summaries: Object.fromEntries(summaries.map((s) => [s.hostId, s])),
    });
  } catch (err) {
    if (seq !== loadSeq) return;
    // While the connection is down the banner says so; keep showing what we had.
    if (useConnection.getState().status !== 'open' && useHosts.getState().phase === 'ready') return;
    useHosts.setState({ phase: 'error', error: (err as Error).message });
  }
}

/** Wire the store to the core's events and to reconnections. Call once at start-up. */
export function startHostsSync(): void {
  core.on('hosts/changed', (hosts) => useHosts.setState({ hosts }));
  core.on('samples/appended', ({ hostId, summary }) =>
    useHosts.setState((s) => ({ summaries: { ...s.summaries, [hostId]: summary } })),
  );
  let lastEpoch = useConnection.getState().epoch;
  if (lastEpoch > 0) void refreshHosts();
  useConnection.subscribe((state) => {
    if (state.epoch !== lastEpoch) {
      lastEpoch = state.epoch;
      void refreshHosts();
    }
  });
}
