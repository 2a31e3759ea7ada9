// Every watched host and its latest summary, kept current by events:
// `hosts/changed` replaces the list, `samples/appended` replaces one summary.
// Refreshed from scratch on every (re)connection, since events sent while the
// socket was down are gone.
import { create } from 'zustand';
import type { HistoryOnlyHost, Host, HostSummary } from '../../../main/common/contract';
import { core } from '../coreClient';
import { onEachConnection, useConnection } from './connection';

export type HostsPhase = 'loading' | 'ready' | 'error';

export interface HostsState {
  phase: HostsPhase;
  error?: string;
  hosts: Host[];
  summaries: Record<string, HostSummary>;
  /** Hosts with history but no source: listed read-only as "not configured". */
  historyOnly: HistoryOnlyHost[];
}

export const useHosts = create<HostsState>()(() => ({ phase: 'loading', hosts: [], summaries: {}, historyOnly: [] }));

async function refreshHistoryOnly(): Promise<void> {
  try {
    const historyOnly = await core.call('hosts/historyOnly');
    useHosts.setState({ historyOnly });
  } catch {
    // Secondary information: the overview works without it; the next refresh tries again.
  }
}

// Live summaries arrive one event per host per sample: with 500 hosts that is
// hundreds of events a second. Collect them and apply one store update per
// animation frame, so the overview re-renders once per frame, not per event.
let pendingSummaries: Record<string, HostSummary> | null = null;
const nextFrame: (cb: () => void) => void =
  typeof requestAnimationFrame === 'function' ? (cb) => requestAnimationFrame(cb) : (cb) => setTimeout(cb, 16);

function queueSummary(summary: HostSummary): void {
  if (!pendingSummaries) {
    pendingSummaries = {};
    nextFrame(() => {
      const batch = pendingSummaries!;
      pendingSummaries = null;
      useHosts.setState((s) => ({ summaries: { ...s.summaries, ...batch } }));
    });
  }
  pendingSummaries[summary.hostId] = summary;
}

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
    void refreshHistoryOnly();
  } catch (err) {
    if (seq !== loadSeq) return;
    // While the connection is down the banner says so; keep showing what we had.
    if (useConnection.getState().status !== 'open' && useHosts.getState().phase === 'ready') return;
    useHosts.setState({ phase: 'error', error: (err as Error).message });
  }
}

/** Wire the store to the core's events and to reconnections. Call once at start-up. */
export function startHostsSync(): void {
  core.on('hosts/changed', (hosts) => {
    const before = useHosts.getState().hosts.map((h) => h.id).join('\n');
    useHosts.setState({ hosts });
    if (hosts.map((h) => h.id).join('\n') !== before) void refreshHistoryOnly();
  });
  core.on('samples/appended', ({ summary }) => queueSummary(summary));
  onEachConnection(() => void refreshHosts());
}
