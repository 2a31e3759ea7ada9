// Fleet-wide facts the operator's screens need beyond the live hosts: each
// host's status changes (chart annotations) and the hosts that only exist in
// the history (shown read-only as "not configured").
import type { HistoryOnlyHost } from '../../common/contract.js';
import type { CoreContext, CoreFeature } from '../coreContext.js';
import { findHistoryOnlyHosts } from './historyOnlyHosts.js';
import { createStatusJournal } from './statusJournal.js';

/** The store's series list is scanned at most this often; such hosts change rarely. */
const HISTORY_ONLY_CACHE_MS = 30_000;

export function fleetFeature(ctx: CoreContext): CoreFeature {
  const journal = createStatusJournal();
  let cached: { at: number; key: string; hosts: HistoryOnlyHost[] } | undefined;
  return {
    name: 'fleet',
    handlers: {
      'hosts/statusHistory': ({ hostId, from, to }) => journal.between(hostId, from, to),
      'hosts/historyOnly': async () => {
        const watched = new Set(ctx.hosts().flatMap((h) => [h.host.id, h.host.name]));
        const key = [...watched].sort().join('\n');
        const t = ctx.now();
        if (cached && cached.key === key && t - cached.at < HISTORY_ONLY_CACHE_MS) return cached.hosts;
        const hosts = await findHistoryOnlyHosts(ctx.history, watched);
        cached = { at: t, key, hosts };
        return hosts;
      },
    },
    onHostStatus(host, previous) {
      journal.record(host.id, ctx.now(), host.status, previous, host.statusDetail);
    },
    onHostRemoved(hostId) {
      journal.forget(hostId);
      cached = undefined;
    },
  };
}
