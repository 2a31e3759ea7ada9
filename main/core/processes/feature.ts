// The process history as a core feature: fed by every observation's derived
// top processes, answers `processes/at`, writes once a minute and prunes to
// its retention (7 days) in <dataDir>/processes.sqlite.
import path from 'node:path';
import type { CoreContext, CoreFeature } from '../coreContext.js';
import { openProcessHistory, type ProcessHistory } from './processHistory.js';

const FLUSH_EVERY_MS = 15_000;
const PRUNE_EVERY_MS = 10 * 60_000;
const DEFAULT_TOLERANCE_MS = 10 * 60_000;

export function processHistoryFeature(ctx: CoreContext): CoreFeature {
  let history: ProcessHistory | undefined;
  const timers: NodeJS.Timeout[] = [];
  const open = (): ProcessHistory => (history ??= openProcessHistory({ file: path.join(ctx.dataDir, 'processes.sqlite') }));
  const guarded = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (err) {
      ctx.log.error(`process history: ${what} failed`, { error: (err as Error).message });
    }
  };
  return {
    name: 'process-history',
    handlers: {
      'processes/at': ({ hostId, t, toleranceMs }) => open().at(hostId, t, toleranceMs ?? DEFAULT_TOLERANCE_MS),
    },
    start() {
      open();
      timers.push(setInterval(() => guarded('write', () => history?.flush(false, ctx.now())), FLUSH_EVERY_MS));
      timers.push(setInterval(() => guarded('prune', () => history?.prune(ctx.now())), PRUNE_EVERY_MS));
      for (const t of timers) t.unref();
    },
    stop() {
      for (const t of timers) clearInterval(t);
      timers.length = 0;
      guarded('close', () => history?.close());
      history = undefined;
    },
    onObservation(hostId, obs, derived) {
      guarded('record', () => open().record(hostId, obs.t, derived.processes));
    },
  };
}
