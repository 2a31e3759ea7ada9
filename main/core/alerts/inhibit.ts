// Inhibition, as Alertmanager's inhibit rules do it (a source alert that
// fires mutes target alerts with equal labels,
// https://prometheus.io/docs/alerting/latest/configuration/#inhibit_rule),
// fixed to the one pair a console needs: a host-status alert ("Host offline")
// inhibits the no-data (absent) alerts of the same `host`. A host that is cut
// off tells one thing — it is down — not also that its series went quiet.
// Pending counts as well as firing: the offline rule waits out a grace
// period, and the no-data alert must not slip out during it. Pure.
import { alertId, type AlertState } from './model.js';
import type { AlertRule } from './rule.js';

/** Ids of the alerts held back at this moment because their host's status alert is pending or firing. */
export function inhibitedAlerts(states: Iterable<AlertState>, rules: ReadonlyMap<string, AlertRule>): Set<string> {
  const all = [...states];
  const downHosts = new Set<string>();
  for (const s of all) {
    if (rules.get(s.ruleId)?.type !== 'host_status') continue;
    if ((s.status === 'pending' || s.status === 'firing') && s.labels.host !== undefined) downHosts.add(s.labels.host);
  }
  const out = new Set<string>();
  if (downHosts.size === 0) return out;
  for (const s of all) {
    if (rules.get(s.ruleId)?.type !== 'absent') continue;
    if (s.labels.host !== undefined && downHosts.has(s.labels.host)) out.add(alertId(s.ruleId, s.key));
  }
  return out;
}
