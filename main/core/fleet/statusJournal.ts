// Each host's status changes, kept in memory (bounded per host) for the chart
// annotations: "offline from 03:02 to 03:09" drawn where the gap is.
import type { HostStatus, StatusTransition } from '../../common/contract.js';

export const MAX_TRANSITIONS_PER_HOST = 500;

export interface StatusJournal {
  record(hostId: string, t: number, status: HostStatus, previous: HostStatus | undefined, detail?: string): void;
  between(hostId: string, from: number, to: number): StatusTransition[];
  forget(hostId: string): void;
}

export function createStatusJournal(maxPerHost = MAX_TRANSITIONS_PER_HOST): StatusJournal {
  const byHost = new Map<string, StatusTransition[]>();
  return {
    record(hostId, t, status, previous, detail) {
      let list = byHost.get(hostId);
      if (!list) byHost.set(hostId, (list = []));
      list.push({ t, status, previous: previous ?? null, ...(detail ? { detail } : {}) });
      if (list.length > maxPerHost) list.splice(0, list.length - maxPerHost);
    },
    between(hostId, from, to) {
      return (byHost.get(hostId) ?? []).filter((x) => x.t >= from && x.t <= to);
    },
    forget(hostId) {
      byHost.delete(hostId);
    },
  };
}
