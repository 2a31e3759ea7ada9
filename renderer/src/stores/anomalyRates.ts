// Anomaly rate per host (the share of its scored series flagged now), for the
// overview's "unusual" column: read with `anomalies/rates` on each
// (re)connection, then kept current by `anomalies/changed` (once per scoring
// cycle). A console whose core has no rates yet shows none.
import { create } from 'zustand';
import type { EntityRate } from '../../../main/common/anomalies';
import { core } from '../coreClient';
import { onEachConnection } from './connection';

export interface AnomalyRatesState {
  /** By host id. */
  byHost: Readonly<Record<string, EntityRate>>;
}

export const useAnomalyRates = create<AnomalyRatesState>()(() => ({ byHost: {} }));

export function ratesByHost(rates: readonly EntityRate[]): Record<string, EntityRate> {
  const out: Record<string, EntityRate> = {};
  for (const r of rates) if (r.entity.kind === 'host') out[r.entity.id] = r;
  return out;
}

export function startAnomalyRatesSync(): void {
  core.on('anomalies/changed', (rates) => useAnomalyRates.setState({ byHost: ratesByHost(rates) }));
  onEachConnection(() => {
    core.call('anomalies/rates', { kind: 'host' }).then(
      (rates) => useAnomalyRates.setState({ byHost: ratesByHost(rates) }),
      () => undefined, // the column shows "—" until the next scoring cycle says more
    );
  });
}
