// Rule evaluation as pure functions of (rule, data, previous states, now).
//
// States per (rule, series) follow Prometheus's alerting rules
// (https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/):
// - condition holds, no state → pending (or firing at once when `for` is 0);
// - pending and the condition has held for `for` (now - activeAt ≥ for) →
//   firing; pending and the condition fails once → back to normal: `for`
//   means "held at every evaluation", so one dip restarts the clock;
// - firing and the condition fails → with `keepFiringFor` > 0 the alert stays
//   firing until it has failed continuously for that long, measured from the
//   first evaluation where it failed (as Prometheus's keepFiringSince); a
//   return of the condition cancels that clock. Then → resolved.
// - resolved alerts are kept, unchanged, for `resolvedRetentionMs` (the
//   current list leaves them out: they are in the history); if the condition
//   returns meanwhile, a new episode starts at pending (normal → pending).
//
// Missing data is explicit: a series with no usable point in the window (none,
// or all NaN/±Infinity) has an *unknown* condition. Unknown never starts or
// advances an alert; it ends a pending one (continuity not shown) and counts
// as "not holding" for a firing one — so keepFiringFor also bridges short data
// gaps, and a series that vanished (a removed container) does not fire
// forever. The transition says `no_data`; the `absent` rule type is the one
// that alerts on missing data itself.
//
// After a long gap between evaluations (the laptop slept, the console was
// restarted), a pending alert's clock restarts: nothing shows the condition
// held while nobody looked. Firing alerts stay firing.
//
// "No data" (absent rules) counts only silence the console could have heard:
// from the newest point, but never from before the console started watching
// (a restart is not an outage of every host) nor from before the host last
// came online (a reconnected host gets a whole window to report). A host that
// is not online (connecting, stale, offline, paused…) is left to its status
// and the host-status rule ("Host offline"): its no-data alert does not
// start, a pending one ends, a firing one is held as it is until the host is
// back. A cut-off host so fires "Host offline" only.
import { matchesLabels, seriesKey, type Labels } from '../../common/series.js';
import type { HostStatus } from '../../common/contract.js';
import type { AlertState, AlertTransition, TransitionReason } from './model.js';
import { ruleSelector, DEFAULT_ANOMALY_MIN_RATE, type AbsentRule, type AlertRule, type AnomalousRule, type CompareOp, type HostStatusRule, type ThresholdRule, type WindowAggregate } from './rule.js';
import type { SeriesScore } from '../../common/anomalies.js';
import { encodeAnomalyEvidence, type AnomalyEvidence } from '../../common/alertSummary.js';

/** Points of one series over the window a rule asked for, ascending in time. */
export interface SeriesWindow {
  readonly labels: Labels;
  readonly points: readonly (readonly [t: number, v: number])[];
}

export interface HostStatusEntry {
  readonly status: HostStatus;
  /** When the host entered this status (ms). */
  readonly since: number;
}

/** What a rule is evaluated over: series windows for threshold/absent rules, host statuses for host and absent rules. */
export interface EvaluationData {
  readonly series?: readonly SeriesWindow[];
  readonly hosts?: ReadonlyMap<string, HostStatusEntry>;
  /** When the console began watching (the engine started): absent rules count no silence from before it. */
  readonly watchingSince?: number;
  /** Anomalous rules: the verdicts of the series the rule's selector matches, at its sensitivity (the last scoring cycle). */
  readonly anomalies?: readonly SeriesScore[];
}

export interface EvaluationOptions {
  /** Keep resolved alerts this long for the list (default 15 min, Prometheus's resolved retention). */
  readonly resolvedRetentionMs?: number;
  /** A pending alert not evaluated for longer than this restarts its `for` clock (default 5 min). */
  readonly maxEvalGapMs?: number;
}

export interface RuleEvaluation {
  /** Every alert of the rule that is not normal, keyed by series key. */
  readonly states: Map<string, AlertState>;
  readonly transitions: AlertTransition[];
}

/** One series' condition at `now`: true, false, or undefined when there was no data to decide. */
export interface Observation {
  readonly key: string;
  readonly labels: Labels;
  readonly met: boolean | undefined;
  readonly value: number | null;
  /** When the condition began, if the data says (host status since); otherwise now. */
  readonly activeSince?: number;
  readonly detail?: string;
}

export const DEFAULT_RESOLVED_RETENTION_MS = 15 * 60_000;
export const DEFAULT_MAX_EVAL_GAP_MS = 5 * 60_000;

/**
 * Aggregate the finite points with from < t ≤ to; undefined when there are
 * none. Points must be ascending in time (the reader's contract): `last`
 * walks back from the end and stops at the window's start.
 */
export function aggregateWindow(points: SeriesWindow['points'], aggregate: WindowAggregate, from: number, to: number): number | undefined {
  // Indexed loops: the iterator protocol with destructuring costs several
  // times more, and this runs for every point of every series each cycle.
  if (aggregate === 'last') {
    for (let i = points.length - 1; i >= 0; i--) {
      const p = points[i]!;
      if (p[0] > to) continue;
      if (p[0] <= from) break;
      if (Number.isFinite(p[1])) return p[1];
    }
    return undefined;
  }
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    const t = p[0];
    const v = p[1];
    if (t <= from || t > to || !Number.isFinite(v)) continue;
    count++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (count === 0) return undefined;
  return aggregate === 'avg' ? sum / count : aggregate === 'max' ? max : min;
}

export function compare(value: number, op: CompareOp, threshold: number): boolean {
  switch (op) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
}

// Series keys are built once per label set: readers that hand out the same
// label objects each cycle (the store's series cache) pay for the sort and
// escaping only once. Keyed by name too, since a label set may serve several.
const keyCache = new WeakMap<Labels, { name: string; key: string }>();
export function cachedSeriesKey(name: string, labels: Labels): string {
  const hit = keyCache.get(labels);
  if (hit && hit.name === name) return hit.key;
  const key = seriesKey(name, labels);
  keyCache.set(labels, { name, key });
  return key;
}

/**
 * One observation per series. With `keep`, series whose condition does not
 * hold (or has no data) are left out unless `keep(key)` — the evaluator only
 * needs those that hold or that already have an alert, and at 50,000 series
 * not allocating the rest is most of the cost.
 */
export function observeThreshold(
  rule: ThresholdRule,
  series: readonly SeriesWindow[],
  now: number,
  keep?: (key: string) => boolean,
  /** False when `keep` is false for every key (no alerts yet): skips building keys. */
  keepAny = true,
): Observation[] {
  const name = ruleSelector(rule).name;
  const from = now - rule.window;
  const out: Observation[] = [];
  for (const s of series) {
    const value = aggregateWindow(s.points, rule.aggregate, from, now);
    const met = value === undefined ? undefined : compare(value, rule.op, rule.threshold);
    if (keep && met !== true && !keepAny) continue;
    const key = cachedSeriesKey(name, s.labels);
    if (keep && met !== true && !keep(key)) continue;
    out.push({ key, labels: s.labels, met, value: value ?? null });
  }
  return out;
}

/**
 * A series is absent when nothing was heard from it for `window`: counted
 * from its newest finite point, but not from before `watchingSince` nor from
 * before its host last came online (see the header). The reader is asked for
 * a longer lookback (see absentLookbackMs) so series that had data are known;
 * a series already alerting that dropped out of the lookback stays absent.
 * Series of a host that is not online are left to the host's status. Value:
 * seconds since the last point, or null.
 */
export function observeAbsent(
  rule: AbsentRule,
  series: readonly SeriesWindow[],
  previous: ReadonlyMap<string, AlertState>,
  now: number,
  context: Pick<EvaluationData, 'hosts' | 'watchingSince'> = {},
): Observation[] {
  const name = ruleSelector(rule).name;
  const seen = new Set<string>();
  const out: Observation[] = [];
  /** The host's status entry when it is known and not online: its silence is the host rule's to report. */
  const downHost = (labels: Labels): HostStatusEntry | undefined => {
    const host = labels.host === undefined ? undefined : context.hosts?.get(labels.host);
    return host && host.status !== 'online' ? host : undefined;
  };
  const hold = (key: string, labels: Labels) => {
    // A firing no-data alert stays as it is while its host is down; anything else does not start or ends.
    const prev = previous.get(key);
    if (prev?.status === 'firing') out.push({ key, labels, met: true, value: prev.value });
  };
  for (const s of series) {
    const key = cachedSeriesKey(name, s.labels);
    seen.add(key);
    if (downHost(s.labels)) {
      hold(key, s.labels);
      continue;
    }
    let lastT = -Infinity;
    for (const [t, v] of s.points) if (t <= now && Number.isFinite(v) && t > lastT) lastT = t;
    if (lastT === -Infinity) {
      // In the lookback but never a usable point: nothing shows it ever had data.
      const prev = previous.get(key);
      if (prev && prev.status !== 'resolved') out.push({ key, labels: s.labels, met: true, value: prev.value });
      continue;
    }
    const onlineSince = s.labels.host === undefined ? undefined : context.hosts?.get(s.labels.host)?.since;
    const heardFrom = Math.max(lastT, context.watchingSince ?? -Infinity, onlineSince ?? -Infinity);
    const met = now - heardFrom >= rule.window;
    out.push({ key, labels: s.labels, met, value: (now - lastT) / 1000, activeSince: met ? heardFrom + rule.window : undefined });
  }
  for (const [key, prev] of previous) {
    if (seen.has(key) || prev.status === 'resolved') continue;
    if (downHost(prev.labels)) {
      hold(key, prev.labels);
      continue;
    }
    out.push({ key, labels: prev.labels, met: true, value: prev.value === null ? null : prev.value + (now - prev.lastEvalAt) / 1000 });
  }
  return out;
}

function evidenceOf(s: SeriesScore): AnomalyEvidence {
  const b = s.baseline;
  return {
    series: `${s.name}{${Object.entries(s.labels).map(([k, v]) => `${k}="${v}"`).join(',')}}`,
    value: s.value,
    low: b.low,
    high: b.high,
    z: s.z,
    kind: b.kind === 'hour_of_week' ? 'hour_of_week' : 'hour_of_day',
    hour: b.hour ?? 0,
    ...(b.weekday === undefined ? {} : { weekday: b.weekday }),
    learnedFromMs: b.learnedFromMs,
  };
}

/**
 * Anomalous rules: a series is unusual when its last-cycle z is past the
 * rule's sensitivity in the rule's direction (the verdicts come at that
 * sensitivity). Series scope: one observation per series, value z. Entity
 * scope: one per entity (host, container, instance, check), its labels those
 * the anomaly rate is stored with, value the share of its scored series that
 * are unusual, met at ≥ minRate. The detail carries the evidence of the
 * (most) unusual series for the notification. Series or entities with no
 * verdict this cycle (no data, still learning) are unknown, as with no data.
 */
export function observeAnomalous(rule: AnomalousRule, verdicts: readonly SeriesScore[]): Observation[] {
  const unusual = (s: SeriesScore) => s.anomalous && (rule.direction === 'both' || s.direction === rule.direction);
  const out: Observation[] = [];
  if (rule.scope === 'series') {
    for (const s of verdicts) out.push({ key: cachedSeriesKey(s.name, s.labels), labels: s.labels, met: unusual(s), value: s.z, detail: encodeAnomalyEvidence(evidenceOf(s)) });
    return out;
  }
  const minRate = rule.minRate ?? DEFAULT_ANOMALY_MIN_RATE;
  const groups = new Map<string, { labels: Labels; flagged: number; scored: number; worst: SeriesScore }>();
  for (const s of verdicts) {
    const key = `${s.entity.kind}\u0000${s.entity.id}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { labels: entityLabelsOf(s), flagged: 0, scored: 0, worst: s }));
    g.scored++;
    if (unusual(s)) g.flagged++;
    const better = unusual(s) && (!unusual(g.worst) || Math.abs(s.z) > Math.abs(g.worst.z));
    if (better || (!unusual(g.worst) && Math.abs(s.z) > Math.abs(g.worst.z))) g.worst = s;
  }
  for (const g of groups.values()) {
    const rate = g.flagged / g.scored;
    out.push({ key: seriesKey('anomalous', g.labels), labels: g.labels, met: rate >= minRate, value: rate, detail: encodeAnomalyEvidence({ ...evidenceOf(g.worst), flagged: g.flagged, scored: g.scored }) });
  }
  return out;
}

/** The labels that name an entity (as the anomaly rate series carries them): `host`, or host/namespace/pod/container, cloud/account/region/instance, check/vantage. */
function entityLabelsOf(s: SeriesScore): Labels {
  const keep: Record<SeriesScore['entity']['kind'], readonly string[]> = {
    host: ['host'],
    container: ['host', 'namespace', 'pod', 'container'],
    cloud: ['cloud', 'account', 'region', 'instance'],
    check: ['check', 'vantage'],
  };
  const out: Record<string, string> = {};
  for (const k of keep[s.entity.kind]) if (s.labels[k] !== undefined) out[k] = s.labels[k]!;
  return out;
}

/** How far back an absent rule reads to learn which series had data. */
export function absentLookbackMs(rule: AbsentRule): number {
  return rule.window + 3_600_000;
}

export function observeHostStatus(rule: HostStatusRule, hosts: ReadonlyMap<string, HostStatusEntry>, now: number): Observation[] {
  const pattern = rule.hostPattern === undefined ? undefined : [{ label: 'host', op: '=~' as const, value: rule.hostPattern }];
  const bad = new Set<string>(rule.statuses);
  const out: Observation[] = [];
  for (const [host, entry] of hosts) {
    const labels = { host };
    if (!matchesLabels(labels, pattern)) continue;
    const met = bad.has(entry.status);
    out.push({
      key: seriesKey('host', labels),
      labels,
      met,
      value: null,
      activeSince: met ? Math.min(entry.since, now) : undefined,
      detail: entry.status,
    });
  }
  return out;
}

/** Advance the alerts of one rule by one evaluation. */
export function advanceStates(
  rule: AlertRule,
  observations: readonly Observation[],
  previous: ReadonlyMap<string, AlertState>,
  now: number,
  options: EvaluationOptions = {},
): RuleEvaluation {
  const retention = options.resolvedRetentionMs ?? DEFAULT_RESOLVED_RETENTION_MS;
  const maxGap = options.maxEvalGapMs ?? DEFAULT_MAX_EVAL_GAP_MS;
  const states = new Map<string, AlertState>();
  const transitions: AlertTransition[] = [];
  const observed = new Set<string>();
  const move = (s: AlertState, from: AlertTransition['from'], to: AlertTransition['to'], durationMs: number, reason: TransitionReason) =>
    transitions.push({ ruleId: rule.id, key: s.key, labels: s.labels, from, to, at: now, value: s.value, durationMs: Math.max(0, durationMs), reason });

  const step = (obs: Observation | undefined, prev: AlertState | undefined, key: string) => {
    const met = obs?.met;
    const value = obs ? obs.value : null;
    const detail = obs?.detail ?? prev?.detail;
    if (!prev || prev.status === 'resolved') {
      if (met === true) {
        const activeAt = Math.min(obs?.activeSince ?? now, now);
        const labels = obs!.labels;
        if (now - activeAt >= rule.for) {
          const s: AlertState = { ruleId: rule.id, key, labels, status: 'firing', activeAt, firedAt: now, value, lastEvalAt: now, detail };
          states.set(key, s);
          move(s, 'normal', 'firing', now - activeAt, 'condition');
        } else {
          const s: AlertState = { ruleId: rule.id, key, labels, status: 'pending', activeAt, value, lastEvalAt: now, detail };
          states.set(key, s);
          move(s, 'normal', 'pending', 0, 'condition');
        }
        return;
      }
      // A resolved alert is history: it keeps the value and text it resolved with.
      if (prev && now - (prev.resolvedAt ?? now) < retention) states.set(key, prev);
      return;
    }
    if (prev.status === 'pending') {
      if (met !== true) {
        move({ ...prev, value }, 'pending', 'normal', now - prev.activeAt, met === undefined ? 'no_data' : 'condition');
        return;
      }
      // Host rules know when the status began; keep that start unless the
      // console itself looked away too long.
      const activeAt = now - prev.lastEvalAt > maxGap ? Math.min(obs?.activeSince ?? now, now) : prev.activeAt;
      if (now - activeAt >= rule.for) {
        const s: AlertState = { ...prev, status: 'firing', activeAt, firedAt: now, value, lastEvalAt: now, detail };
        states.set(key, s);
        move(s, 'pending', 'firing', now - activeAt, 'condition');
      } else {
        states.set(key, { ...prev, activeAt, value, lastEvalAt: now, detail });
      }
      return;
    }
    // firing
    if (met === true) {
      const s: AlertState = { ...prev, value, lastEvalAt: now, detail };
      delete (s as { keepFiringSince?: number }).keepFiringSince;
      states.set(key, s);
      return;
    }
    const since = prev.keepFiringSince ?? now;
    if (rule.keepFiringFor > 0 && now - since < rule.keepFiringFor) {
      states.set(key, { ...prev, keepFiringSince: since, value: obs ? value : prev.value, lastEvalAt: now, detail });
      return;
    }
    const s: AlertState = { ...prev, status: 'resolved', resolvedAt: now, value: obs ? value : prev.value, lastEvalAt: now, detail };
    delete (s as { keepFiringSince?: number }).keepFiringSince;
    states.set(key, s);
    move(s, 'firing', 'resolved', now - (prev.firedAt ?? prev.activeAt), met === undefined ? 'no_data' : 'condition');
  };

  for (const obs of observations) {
    if (observed.has(obs.key)) continue; // duplicate series from the reader: first wins
    observed.add(obs.key);
    step(obs, previous.get(obs.key), obs.key);
  }
  // Alerts whose series the data no longer mentions: no data.
  for (const [key, prev] of previous) if (!observed.has(key)) step(undefined, prev, key);
  return { states, transitions };
}

/**
 * Evaluate one rule at `now`. `data.series` must hold the windows the reader
 * returned for the rule's selector over [now - window, now] (absent rules:
 * [now - absentLookbackMs(rule), now]); `data.hosts` the host statuses.
 */
export function evaluateRule(
  rule: AlertRule,
  data: EvaluationData,
  previous: ReadonlyMap<string, AlertState>,
  now: number,
  options: EvaluationOptions = {},
): RuleEvaluation {
  let observations: Observation[];
  switch (rule.type) {
    case 'threshold':
      observations = observeThreshold(rule, data.series ?? [], now, (key) => previous.has(key), previous.size > 0);
      break;
    case 'absent':
      observations = observeAbsent(rule, data.series ?? [], previous, now, data);
      break;
    case 'host_status':
      observations = observeHostStatus(rule, data.hosts ?? new Map(), now);
      break;
    case 'anomalous':
      observations = observeAnomalous(rule, data.anomalies ?? []);
      break;
  }
  return advanceStates(rule, observations, previous, now, options);
}

/**
 * End every open alert of a rule (deleted, disabled, or its condition edited):
 * firing ones resolve (so their resolved notification goes out), pending ones
 * return to normal.
 */
export function closeAlerts(previous: ReadonlyMap<string, AlertState>, now: number, reason: TransitionReason): AlertTransition[] {
  const out: AlertTransition[] = [];
  for (const s of previous.values()) {
    if (s.status === 'firing') {
      out.push({ ruleId: s.ruleId, key: s.key, labels: s.labels, from: 'firing', to: 'resolved', at: now, value: s.value, durationMs: Math.max(0, now - (s.firedAt ?? s.activeAt)), reason });
    } else if (s.status === 'pending') {
      out.push({ ruleId: s.ruleId, key: s.key, labels: s.labels, from: 'pending', to: 'normal', at: now, value: s.value, durationMs: Math.max(0, now - s.activeAt), reason });
    }
  }
  return out;
}
