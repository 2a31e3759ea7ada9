// The link to the core: whether it is up, and an epoch that increases on
// every (re)connection so screens know to refresh what they show.
import { create } from 'zustand';

export type ConnectionStatus = 'connecting' | 'open' | 'lost';

export interface ConnectionState {
  status: ConnectionStatus;
  /** Incremented on each successful (re)connection; 0 before the first. */
  epoch: number;
  /** When the next reconnect attempt happens (ms since the epoch), while lost. */
  retryAt?: number;
  /** Ask the transport to try now instead of waiting for the backoff. */
  retryNow: () => void;
}

export const useConnection = create<ConnectionState>()(() => ({
  status: 'connecting',
  epoch: 0,
  retryNow: () => {},
}));
