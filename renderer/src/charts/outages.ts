// A host's status changes as outage spans for its charts: from the moment it
// leaves "online" to the moment it is back, one shaded band with one label
// ("Offline · 1 min 30 s"), however many states it went through meanwhile (a
// cut link goes stale, offline, connecting, offline… every few seconds while
// the console retries). Pure.
import type { HostStatus, StatusTransition } from '../../../main/common/contract';

export interface Outage {
  from: number;
  to: number;
  /** The worst status it went through. */
  status: Exclude<HostStatus, 'online' | 'paused'>;
  /** Still going at the end of the window. */
  ongoing: boolean;
}

/** How bad a status is while out, worst last: the band is named by the worst. */
const SEVERITY: readonly Outage['status'][] = ['connecting', 'stale', 'host_key_unknown', 'unsupported_os', 'agent_error', 'auth_failed', 'host_key_changed', 'offline'];
const worse = (a: Outage['status'], b: Outage['status']) => (SEVERITY.indexOf(b) > SEVERITY.indexOf(a) ? b : a);
const isUp = (s: HostStatus): boolean => s === 'online' || s === 'paused';

/**
 * Outages within [from, to] from a host's status changes (all the console
 * has, oldest first: the state when the window opens is the last change
 * before it). Before the first change the host was not watched: no outage.
 * Connecting is an outage only after the host was up (a reconnect), not when
 * it starts or resumes from a pause. One still going at the window's end runs
 * to its end. Outages closer than `mergeGapMs` are one: a link that flaps is
 * one bad stretch.
 */
export function outageSpans(transitions: readonly StatusTransition[], from: number, to: number, mergeGapMs = 0): Outage[] {
  const sorted = [...transitions].sort((a, b) => a.t - b.t);
  const all: Outage[] = [];
  let open: { from: number; status: Outage['status'] } | null = null;
  for (const tr of sorted) {
    if (tr.t > to) break;
    if (isUp(tr.status)) {
      if (open) all.push({ from: open.from, to: tr.t, status: open.status, ongoing: false });
      open = null;
      continue;
    }
    const status = tr.status as Outage['status'];
    if (open) open.status = worse(open.status, status);
    else if (status !== 'connecting' || tr.previous === 'online') open = { from: tr.t, status };
  }
  if (open) all.push({ from: open.from, to, status: open.status, ongoing: true });

  const out: Outage[] = [];
  for (const o of all) {
    const span = { ...o, from: Math.max(from, o.from), to: Math.min(to, o.to) };
    if (span.to <= span.from) continue;
    const last = out.at(-1);
    if (last && span.from - last.to <= mergeGapMs) {
      last.to = span.to;
      last.status = worse(last.status, span.status);
      last.ongoing = span.ongoing;
    } else out.push(span);
  }
  return out;
}
