// The link to the core: whether it is up, and an epoch that increases on
// every (re)connection so screens know to refresh what they show.
import { create } from 'zustand';

/** `unauthorized`: the console answers but refuses this tab's token (restarted with a new one, or rotated). */
export type ConnectionStatus = 'connecting' | 'open' | 'lost' | 'unauthorized';

export interface ConnectionState {
  status: ConnectionStatus;
  /** Incremented on each successful (re)connection; 0 before the first. */
  epoch: number;
  /** When the next reconnect attempt happens (ms since the epoch), while lost or unauthorized. */
  retryAt?: number;
  /** Ask the transport to try now instead of waiting for the backoff. */
  retryNow: () => void;
}

export const useConnection = create<ConnectionState>()(() => ({
  status: 'connecting',
  epoch: 0,
  retryNow: () => {},
}));

/**
 * Runs `refresh` on every (re)connection from now on, and at once when the
 * link is already up: events missed while it was down are only caught up by
 * asking again.
 */
export function onEachConnection(refresh: () => void): void {
  let lastEpoch = useConnection.getState().epoch;
  if (lastEpoch > 0) refresh();
  useConnection.subscribe((state) => {
    if (state.epoch !== lastEpoch) {
      lastEpoch = state.epoch;
      refresh();
    }
  });
}
