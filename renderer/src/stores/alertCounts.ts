// Firing alerts per host (by the alert's `host` label), for the overview's
// column, derived from the alerts store (kept current by the alerts screen's
// sync from `alerts/list` and `alerts/changed`).
import { useMemo } from 'react';
import type { AlertView } from '../../../main/common/alertModel';
import { useAlerts } from './alerts';

export function countFiring(alerts: readonly Pick<AlertView, 'status' | 'muted' | 'labels'>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of alerts) {
    const host = a.labels.host;
    if (a.status !== 'firing' || a.muted || host === undefined) continue;
    out[host] = (out[host] ?? 0) + 1;
  }
  return out;
}

export function useFiringByHost(): Record<string, number> {
  const alerts = useAlerts((s) => s.alerts);
  return useMemo(() => countFiring(alerts), [alerts]);
}
