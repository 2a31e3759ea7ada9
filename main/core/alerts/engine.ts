// The alert engine: ties the pure parts (evaluateRule, planNotifications,
// silences) to the journal, the series reader and the channels. The core
// calls evaluate() (or evaluateInSlices()) on its schedule and feeds host
// status changes; the contract's handlers are thin calls onto this class.
//
// It does not know the history store: data comes through SeriesWindowReader,
// which the core implements over the store (raw points of the window).
import { provisionedEntryMessage } from '../config/provisionedError.js';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { labelPatternProblem, type Labels, type SeriesSelector } from '../../common/series.js';
import type { HostStatus } from '../../common/contract.js';
import type { AnomalySensitivity, SeriesScore } from '../../common/anomalies.js';
import type { Logger } from '../log.js';
import {
  absentLookbackMs,
  closeAlerts,
  evaluateRule,
  observeAbsent,
  observeAnomalous,
  observeHostStatus,
  observeThreshold,
  type EvaluationData,
  type EvaluationOptions,
  type HostStatusEntry,
  type Observation,
  type SeriesWindow,
} from './evaluate.js';
import { AlertJournal, type DeliveryFilter } from './journal.js';
import {
  SilenceDraft,
  alertId,
  type AlertState,
  type AlertTransition,
  type AlertView,
  type DeliveryRecord,
  type HistoryFilter,
  type PlannedNotification,
  type Silence,
  type TransitionReason,
  type TransitionRecord,
} from './model.js';
import { planNotifications, type DeliveryState, type PlanOptions } from './planNotifications.js';
import { builtinRules, conditionChanged, describeIssues, parseRuleDraft, ruleSelector, type AlertRule, type BuiltinRuleOptions, type WindowAggregate } from './rule.js';
import { mutingSilences, silenceFromAlert, isSilenceActive, type SilenceScope } from './silences.js';
import { inhibitedAlerts } from './inhibit.js';
import { formatRuleValue, renderSummary } from '../../common/alertSummary.js';
import type { AlertLang } from '../../common/alertTexts.js';
import { deliverWithRetry, type DeliverOptions } from './channels/deliver.js';
import type { NotificationChannel } from './channels/types.js';

/**
 * Raw points of the series matching `selector` with from < t ≤ to. Implemented
 * by the core over the history store (alerts/storeReader.ts). `aggregate`
 * says what the rule will do with them, so a reader that has to bucket can
 * keep each bucket's max for a `max` rule (a spike is not averaged away).
 */
export interface SeriesWindowReader {
  read(selector: SeriesSelector, from: number, to: number, aggregate?: WindowAggregate): Promise<{ labels: Labels; points: [t: number, v: number][] }[]>;
}

export type AlertEngineEvent =
  /** Alert states changed: the UI refreshes listAlerts(). */
  | { readonly type: 'alerts'; readonly transitions: readonly AlertTransition[] }
  /** A notification was planned (the headless console's in-app toast listens to this). */
  | { readonly type: 'notification'; readonly notification: PlannedNotification }
  /** A delivery finished or made an attempt; `delivery.lastError` is redacted. */
  | { readonly type: 'delivery'; readonly delivery: DeliveryRecord }
  | { readonly type: 'rules' }
  | { readonly type: 'silences' };

export interface AlertEngineOptions {
  readonly journal: AlertJournal;
  readonly reader: SeriesWindowReader;
  /** Anomalous rules' verdicts (the core context's anomalyVerdicts); without it those rules see no series. */
  readonly anomalies?: (selector: SeriesSelector, sensitivity: AnomalySensitivity) => SeriesScore[];
  readonly now?: () => number;
  readonly channels?: readonly NotificationChannel[];
  readonly evaluation?: EvaluationOptions;
  readonly plan?: PlanOptions;
  readonly delivery?: Omit<DeliverOptions, 'onAttempt'>;
  readonly builtin?: BuiltinRuleOptions;
  readonly log?: Logger;
  readonly onEvent?: (event: AlertEngineEvent) => void;
  readonly newId?: () => string;
}

export interface RuleHealth {
  readonly lastEvalAt?: number;
  readonly lastDurationMs?: number;
  readonly series?: number;
  /** Why the last evaluation of this rule failed (the reader threw); the other rules ran. */
  readonly lastError?: string;
}

export interface RuleView {
  readonly rule: AlertRule;
  readonly health: RuleHealth;
  /** Alerts of the rule now: pending and firing counts. */
  readonly pending: number;
  readonly firing: number;
}

export interface EvaluationReport {
  readonly at: number;
  readonly rules: number;
  readonly series: number;
  readonly transitions: number;
  readonly notifications: number;
  readonly durationMs: number;
  /**
   * Of durationMs: time spent awaiting the reader after it returned its
   * promise. With the history store on its own thread this is time the event
   * loop was free; with a reader that answers synchronously it is ~0.
   */
  readonly readWaitMs: number;
  /**
   * Longest run of evaluation work without giving the event loop back: the
   * engine's own code and the synchronous part of each read, not the time
   * awaiting reads. For evaluateInSlices it is the longest slice; for
   * evaluate, which never yields on its own, all of that work together.
   */
  readonly longestSliceMs: number;
  /** Of durationMs: journal write, notification planning and dispatch (one synchronous step). */
  readonly settleMs: number;
}

export interface PreviewSeries {
  readonly labels: Labels;
  readonly value: number | null;
  readonly valueText: string;
  /** Condition holds now (true), does not (false), or no data (null). */
  readonly met: boolean | null;
}

export interface PreviewResult {
  /** Series for which the condition holds now (ignoring `for`). */
  readonly wouldFire: number;
  readonly total: number;
  readonly noData: number;
  /** Up to `limit` series, those meeting the condition first, then by value descending. */
  readonly series: PreviewSeries[];
}

/** A request the engine refuses: bad input or a forbidden change. The message is for the user. */
export class AlertRuleError extends Error {
  constructor(
    message: string,
    readonly code: 'invalid' | 'not_found' | 'read_only' | 'provisioned',
  ) {
    super(message);
    this.name = 'AlertRuleError';
  }
}

export class AlertEngine {
  private readonly journal: AlertJournal;
  private readonly reader: SeriesWindowReader;
  private readonly now: () => number;
  private readonly log?: Logger;
  private readonly onEvent?: (event: AlertEngineEvent) => void;
  private readonly newId: () => string;
  private readonly options: AlertEngineOptions;
  /** Stored (builtin + user) and provisioned rules, by id. */
  private readonly rules = new Map<string, AlertRule>();
  private readonly states = new Map<string, Map<string, AlertState>>();
  private readonly health = new Map<string, RuleHealth>();
  private readonly hosts = new Map<string, HostStatusEntry>();
  private silences: Silence[];
  private delivery: DeliveryState;
  private channels = new Map<string, NotificationChannel>();
  private readonly inFlight = new Set<Promise<void>>();
  private evaluating = false;
  /** When this engine started: no-data rules count no silence from before it (a restart is not an outage). */
  private readonly watchingSince: number;
  /** The language notifications are written in (the UI's). */
  private lang: AlertLang;

  constructor(options: AlertEngineOptions) {
    this.options = options;
    this.journal = options.journal;
    this.reader = options.reader;
    this.now = options.now ?? Date.now;
    this.log = options.log;
    this.onEvent = options.onEvent;
    this.newId = options.newId ?? randomUUID;
    const now = this.now();
    this.watchingSince = now;
    this.lang = options.plan?.lang ?? 'en';

    const stored = new Map(this.journal.loadRules().map((r) => [r.id, r]));
    for (const b of builtinRules(options.builtin)) {
      if (!stored.has(b.id)) {
        this.journal.saveRule(b, now);
        stored.set(b.id, b);
      }
    }
    for (const r of stored.values()) this.rules.set(r.id, r);
    for (const s of this.journal.loadStates()) this.stateMap(s.ruleId).set(s.key, s);
    this.silences = this.journal.loadSilences();
    this.delivery = this.journal.loadDeliveryState();
    const abandoned = this.journal.abandonUnfinishedDeliveries(now);
    for (const p of this.journal.readProblems()) this.log?.warn(`alerts journal: ${p}`);
    if (abandoned) this.log?.warn(`alerts: ${abandoned} notification deliveries were cut off by the last shutdown`);
    for (const ch of options.channels ?? []) this.channels.set(ch.name, ch);
  }

  // ---------------------------------------------------------------- evaluation

  /** Evaluate every enabled rule at `now` in one go. */
  async evaluate(now: number = this.now()): Promise<EvaluationReport> {
    const start = performance.now();
    const batch = new EvaluationBatch();
    let waited = 0;
    for (const rule of [...this.rules.values()]) {
      if (!rule.enabled || this.rules.get(rule.id) !== rule) continue; // edited or removed while a read was awaited
      waited += await this.evaluateOne(rule, now, batch);
    }
    const settleStart = performance.now();
    const notifications = this.settle(batch, now);
    const end = performance.now();
    const ms = end - start;
    return {
      at: now, rules: batch.rules, series: batch.series, transitions: batch.transitions.length, notifications,
      durationMs: ms, readWaitMs: waited, longestSliceMs: ms - waited, settleMs: end - settleStart,
    };
  }

  /**
   * The same, giving the event loop back whenever a slice has run for
   * `budgetMs`, so sample ingest never waits on a long evaluation. All rules
   * see the same `now`. A call while one is running returns undefined.
   */
  async evaluateInSlices(now: number = this.now(), budgetMs = 8): Promise<EvaluationReport | undefined> {
    if (this.evaluating) return undefined;
    this.evaluating = true;
    try {
      const start = performance.now();
      // Work since the last yield, not counting time awaiting reads: that time
      // does not hold the loop (see readWaitMs), so it neither ends a slice
      // nor counts toward one.
      let busy = 0;
      let longest = 0;
      let waitedTotal = 0;
      const batch = new EvaluationBatch();
      for (const rule of [...this.rules.values()]) {
        if (!rule.enabled || this.rules.get(rule.id) !== rule) continue; // edited or removed while we yielded
        const ruleStart = performance.now();
        const waited = await this.evaluateOne(rule, now, batch);
        waitedTotal += waited;
        busy += performance.now() - ruleStart - waited;
        if (busy >= budgetMs) {
          longest = Math.max(longest, busy);
          await new Promise<void>((r) => setImmediate(r));
          busy = 0;
        }
      }
      longest = Math.max(longest, busy);
      // Settle in a slice of its own, so its cost is not added to a full rule slice.
      await new Promise<void>((r) => setImmediate(r));
      const settleStart = performance.now();
      const notifications = this.settle(batch, now);
      const end = performance.now();
      longest = Math.max(longest, end - settleStart);
      return {
        at: now, rules: batch.rules, series: batch.series, transitions: batch.transitions.length, notifications,
        durationMs: end - start, readWaitMs: waitedTotal, longestSliceMs: longest, settleMs: end - settleStart,
      };
    } finally {
      this.evaluating = false;
    }
  }

  /** Evaluates one rule; returns the ms spent awaiting the reader after it returned its promise. */
  private async evaluateOne(rule: AlertRule, now: number, batch: EvaluationBatch): Promise<number> {
    const t0 = performance.now();
    let waited = 0;
    const previous = this.states.get(rule.id) ?? new Map<string, AlertState>();
    let seriesCount = 0;
    try {
      let data: EvaluationData;
      if (rule.type === 'host_status') {
        data = { hosts: this.hosts };
        seriesCount = this.hosts.size;
      } else if (rule.type === 'anomalous') {
        const anomalies = this.options.anomalies?.(ruleSelector(rule), rule.sensitivity) ?? [];
        data = { anomalies };
        seriesCount = anomalies.length;
      } else {
        const from = rule.type === 'absent' ? now - absentLookbackMs(rule) : now - rule.window;
        const reading = this.reader.read(ruleSelector(rule), from, now, rule.type === 'threshold' ? rule.aggregate : 'last');
        const waitStart = performance.now();
        let series: SeriesWindow[];
        try {
          series = await reading;
        } finally {
          waited = performance.now() - waitStart;
        }
        seriesCount = series.length;
        data = rule.type === 'absent' ? { series, hosts: this.hosts, watchingSince: this.watchingSince } : { series };
      }
      const result = evaluateRule(rule, data, previous, now, this.options.evaluation);
      batch.collect(rule.id, previous, result.states, result.transitions);
      this.states.set(rule.id, result.states);
      this.health.set(rule.id, { lastEvalAt: now, lastDurationMs: performance.now() - t0, series: seriesCount });
    } catch (err) {
      const message = (err as Error).message;
      const before = this.health.get(rule.id);
      if (before?.lastError !== message) this.log?.warn(`alert rule "${rule.name}" could not be evaluated`, { error: message });
      this.health.set(rule.id, { lastEvalAt: now, lastDurationMs: performance.now() - t0, lastError: message });
    }
    batch.rules++;
    batch.series += seriesCount;
    return waited;
  }

  /** Journal the changes, plan notifications, send them. Returns how many notifications were planned. */
  private settle(batch: EvaluationBatch, now: number, extraRules?: ReadonlyMap<string, AlertRule>): number {
    const names = new Map<string, string>();
    for (const [id, r] of this.rules) names.set(id, r.name);
    for (const [id, r] of extraRules ?? []) names.set(id, r.name);
    this.journal.commitEvaluation(batch.changed, batch.removed, batch.transitions, names);
    const rules = extraRules ? new Map([...this.rules, ...extraRules]) : this.rules;
    const alerts = this.allStates();
    const plan = planNotifications(
      { alerts, transitions: batch.transitions, rules, silences: this.silences, inhibited: inhibitedAlerts(alerts, rules), delivery: this.delivery, now },
      { ...this.options.plan, lang: this.lang },
    );
    if (plan.changed) this.journal.saveDeliveryState(this.delivery, plan.delivery);
    this.delivery = plan.delivery;
    if (batch.transitions.length) this.emit({ type: 'alerts', transitions: batch.transitions });
    for (const n of plan.notifications) {
      this.emit({ type: 'notification', notification: n });
      for (const channel of n.channels) this.dispatch(n, channel, now);
    }
    return plan.notifications.length;
  }

  private dispatch(n: PlannedNotification, channelName: string, now: number): void {
    const id = this.journal.startDelivery({ notificationId: n.id, ruleId: n.ruleId, channel: channelName, title: n.title, createdAt: now });
    const record = (status: DeliveryRecord['status'], attempts: number, lastError?: string, finishedAt?: number) => {
      this.journal.updateDelivery(id, { status, attempts, lastError, finishedAt });
      this.emit({
        type: 'delivery',
        delivery: { id, notificationId: n.id, ruleId: n.ruleId, channel: channelName, title: n.title, status, attempts, ...(lastError ? { lastError } : {}), createdAt: now, ...(finishedAt ? { finishedAt } : {}) },
      });
    };
    const channel = this.channels.get(channelName);
    if (!channel) {
      record('failed', 0, `no channel named "${channelName}" is configured`, this.now());
      return;
    }
    const task = deliverWithRetry(channel, n, {
      ...this.options.delivery,
      onAttempt: (attempt, error) => {
        if (error) this.journal.updateDelivery(id, { status: 'sending', attempts: attempt, lastError: error });
      },
    }).then(
      (outcome) => {
        if (outcome.ok) record('sent', outcome.attempts, undefined, this.now());
        else {
          record('failed', outcome.attempts, outcome.error, this.now());
          this.log?.warn(`alert notification to channel "${channelName}" failed`, { title: n.title, attempts: outcome.attempts, error: outcome.error });
        }
      },
      (err: unknown) => record('failed', 0, `delivery crashed (${(err as Error)?.name ?? 'error'})`, this.now()),
    );
    const tracked = task.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  /** Resolves when every delivery started so far has finished (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  // ---------------------------------------------------------------- host status

  /** A host's status changed (or was re-announced: the start time of an unchanged status is kept). */
  onHostStatus(host: string, status: HostStatus, at: number = this.now()): void {
    const prev = this.hosts.get(host);
    if (prev?.status === status) return;
    this.hosts.set(host, { status, since: at });
  }

  /** A host was removed: its host-status alerts end (firing ones resolve and say so). */
  forgetHost(host: string, now: number = this.now()): void {
    this.hosts.delete(host);
    const batch = new EvaluationBatch();
    for (const [ruleId, states] of this.states) {
      const rule = this.rules.get(ruleId);
      if (rule?.type !== 'host_status') continue;
      const gone = new Map([...states].filter(([, s]) => s.labels.host === host));
      if (gone.size === 0) continue;
      this.closeInto(batch, ruleId, gone, now, 'host_removed');
    }
    if (batch.transitions.length || batch.removed.length) this.settle(batch, now);
  }

  // ---------------------------------------------------------------- reading

  /** Pending and firing alerts; resolved ones are history (history()), not current. */
  listAlerts(now: number = this.now()): AlertView[] {
    const out: AlertView[] = [];
    const states = this.allStates();
    const inhibited = inhibitedAlerts(states, this.rules);
    for (const s of states) {
      const rule = this.rules.get(s.ruleId);
      if (!rule || s.status === 'resolved') continue;
      const silenceIds = mutingSilences(this.silences, { ruleId: s.ruleId, labels: s.labels }, now);
      out.push({
        ...s,
        alertId: alertId(s.ruleId, s.key),
        ruleName: rule.name,
        severity: rule.severity,
        summary: renderSummary(rule, { labels: s.labels, value: s.value, detail: s.detail }, this.lang),
        muted: silenceIds.length > 0,
        silenceIds,
        inhibited: inhibited.has(alertId(s.ruleId, s.key)),
      });
    }
    const rank = { firing: 0, pending: 1, resolved: 2 } as const;
    const sev = { critical: 0, warning: 1, info: 2 } as const;
    return out.sort((a, b) => rank[a.status] - rank[b.status] || sev[a.severity] - sev[b.severity] || a.activeAt - b.activeAt || a.alertId.localeCompare(b.alertId));
  }

  history(filter: HistoryFilter = {}): TransitionRecord[] {
    return this.journal.history(filter);
  }

  deliveries(filter: DeliveryFilter = {}): DeliveryRecord[] {
    return this.journal.deliveries(filter);
  }

  /** Delete history, finished deliveries and expired silences older than `before`. */
  prune(before: number): number {
    const n = this.journal.prune(before);
    this.silences = this.silences.filter((s) => s.endsAt >= before);
    return n;
  }

  // ---------------------------------------------------------------- rules

  listRules(): RuleView[] {
    return [...this.rules.values()]
      .map((rule) => {
        let pending = 0;
        let firing = 0;
        for (const s of this.states.get(rule.id)?.values() ?? []) {
          if (s.status === 'pending') pending++;
          else if (s.status === 'firing') firing++;
        }
        return { rule, health: this.health.get(rule.id) ?? {}, pending, firing };
      })
      .sort((a, b) => a.rule.name.localeCompare(b.rule.name));
  }

  getRule(id: string): AlertRule | undefined {
    return this.rules.get(id);
  }

  /** A rule from the UI. The input is parsed here (a missing `type` means threshold). */
  createRule(input: unknown, now: number = this.now()): AlertRule {
    const parsed = parseRuleDraft(input);
    if (!parsed.ok) throw new AlertRuleError(parsed.error, 'invalid');
    const rule: AlertRule = { ...parsed.value, id: this.newId(), origin: 'user' };
    this.journal.saveRule(rule, now);
    this.rules.set(rule.id, rule);
    this.emit({ type: 'rules' });
    return rule;
  }

  /** Replace a rule's definition. Built-in rules can be edited (not their type); provisioned ones are read-only. */
  updateRule(id: string, input: unknown, now: number = this.now()): AlertRule {
    const before = this.editable(id);
    const parsed = parseRuleDraft(input);
    if (!parsed.ok) throw new AlertRuleError(parsed.error, 'invalid');
    if (before.origin === 'builtin' && parsed.value.type !== before.type) throw new AlertRuleError(`built-in rule "${before.name}" must stay of type ${before.type}`, 'invalid');
    const after: AlertRule = { ...parsed.value, id, origin: before.origin };
    this.replaceRule(before, after, now);
    this.journal.saveRule(after, now);
    this.emit({ type: 'rules' });
    return after;
  }

  setRuleEnabled(id: string, enabled: boolean, now: number = this.now()): AlertRule {
    const before = this.editable(id);
    const after = { ...before, enabled } as AlertRule;
    this.replaceRule(before, after, now);
    this.journal.saveRule(after, now);
    this.emit({ type: 'rules' });
    return after;
  }

  deleteRule(id: string, now: number = this.now()): void {
    const rule = this.editable(id);
    if (rule.origin === 'builtin') throw new AlertRuleError(`built-in rule "${rule.name}" cannot be deleted; disable it instead`, 'read_only');
    this.rules.delete(id);
    this.journal.deleteRule(id);
    const batch = new EvaluationBatch();
    this.closeInto(batch, id, this.states.get(id) ?? new Map(), now, 'rule_deleted');
    this.states.delete(id);
    this.health.delete(id);
    this.settle(batch, now, new Map([[id, rule]]));
    this.emit({ type: 'rules' });
  }

  /**
   * The provisioning file's rules (already parsed with parseProvisionedRule).
   * Replaces the previous provisioned set: removed rules end their alerts,
   * changed conditions restart them, unchanged rules keep their state.
   */
  setProvisionedRules(rules: readonly AlertRule[], now: number = this.now()): void {
    const incoming = new Map(rules.map((r) => [r.id, { ...r, origin: 'provisioned' as const }]));
    const batch = new EvaluationBatch();
    const removed = new Map<string, AlertRule>();
    for (const [id, old] of this.rules) {
      if (old.origin !== 'provisioned') continue;
      const next = incoming.get(id);
      if (!next) {
        this.rules.delete(id);
        this.closeInto(batch, id, this.states.get(id) ?? new Map(), now, 'rule_deleted');
        this.states.delete(id);
        removed.set(id, old);
      } else if (conditionChanged(old, next as AlertRule) || (old.enabled && !next.enabled)) {
        this.closeInto(batch, id, this.states.get(id) ?? new Map(), now, next.enabled ? 'rule_changed' : 'rule_disabled');
        this.states.delete(id);
      }
    }
    for (const [id, r] of incoming) {
      const clash = this.rules.get(id);
      if (clash && clash.origin !== 'provisioned') {
        this.log?.warn(`provisioned alert "${r.name}" clashes with rule id ${id}; skipped`);
        continue;
      }
      this.rules.set(id, r as AlertRule);
    }
    this.settle(batch, now, removed);
    this.emit({ type: 'rules' });
  }

  private editable(id: string): AlertRule {
    const rule = this.rules.get(id);
    if (!rule) throw new AlertRuleError(`no alert rule with id ${id}`, 'not_found');
    if (rule.origin === 'provisioned') throw new AlertRuleError(provisionedEntryMessage(`rule "${rule.name}"`), 'provisioned');
    return rule;
  }

  private replaceRule(before: AlertRule, after: AlertRule, now: number): void {
    const batch = new EvaluationBatch();
    const states = this.states.get(before.id) ?? new Map<string, AlertState>();
    if (before.enabled && !after.enabled) {
      this.closeInto(batch, before.id, states, now, 'rule_disabled');
      this.states.delete(before.id);
    } else if (conditionChanged(before, after)) {
      this.closeInto(batch, before.id, states, now, 'rule_changed');
      this.states.delete(before.id);
    }
    this.rules.set(after.id, after);
    if (batch.transitions.length || batch.removed.length) this.settle(batch, now, new Map([[before.id, before]]));
  }

  /** End the given alerts of a rule: record transitions, mark firing ones resolved (for their notification) and drop the rest. */
  private closeInto(batch: EvaluationBatch, ruleId: string, states: ReadonlyMap<string, AlertState>, now: number, reason: TransitionReason): void {
    const transitions = closeAlerts(states, now, reason);
    const remaining = new Map(this.states.get(ruleId) ?? []);
    for (const key of states.keys()) remaining.delete(key);
    batch.collect(ruleId, this.states.get(ruleId) ?? new Map(), remaining, transitions);
    if (this.states.has(ruleId)) this.states.set(ruleId, remaining);
  }

  // ---------------------------------------------------------------- preview

  /**
   * What a draft rule would do now, for the editor's live preview ("would
   * fire now for 3 series"). The condition only: `for` is not applied.
   */
  async preview(input: unknown, now: number = this.now(), limit = 50): Promise<PreviewResult> {
    const parsed = parseRuleDraft(input);
    if (!parsed.ok) throw new AlertRuleError(parsed.error, 'invalid');
    const rule: AlertRule = { ...parsed.value, id: 'preview', origin: 'user' };
    let observations: Observation[];
    if (rule.type === 'host_status') observations = observeHostStatus(rule, this.hosts, now);
    else if (rule.type === 'anomalous') observations = observeAnomalous(rule, this.options.anomalies?.(ruleSelector(rule), rule.sensitivity) ?? []);
    else if (rule.type === 'absent')
      observations = observeAbsent(rule, await this.reader.read(ruleSelector(rule), now - absentLookbackMs(rule), now, 'last'), new Map(), now, { hosts: this.hosts, watchingSince: this.watchingSince });
    else observations = observeThreshold(rule, await this.reader.read(ruleSelector(rule), now - rule.window, now, rule.aggregate), now);
    let wouldFire = 0;
    let noData = 0;
    for (const o of observations) {
      if (o.met === true) wouldFire++;
      else if (o.met === undefined) noData++;
    }
    const order = (o: Observation) => (o.met === true ? 0 : o.met === false ? 1 : 2);
    const series = [...observations]
      .sort((a, b) => order(a) - order(b) || (b.value ?? -Infinity) - (a.value ?? -Infinity))
      .slice(0, limit)
      .map((o) => ({ labels: o.labels, value: o.value, valueText: o.detail ?? formatRuleValue(rule, o.value), met: o.met ?? null }));
    return { wouldFire, total: observations.length, noData, series };
  }

  // ---------------------------------------------------------------- silences

  listSilences(options: { includeExpired?: boolean } = {}, now: number = this.now()): Silence[] {
    return this.silences.filter((s) => options.includeExpired || s.endsAt > now);
  }

  silence(input: unknown, now: number = this.now()): Silence {
    const parsed = SilenceDraft.safeParse(input);
    if (!parsed.success) throw new AlertRuleError(describeIssues(parsed.error), 'invalid');
    for (const m of parsed.data.matchers ?? []) {
      if (m.op === '=~' || m.op === '!~') {
        const problem = labelPatternProblem(m.value);
        if (problem !== undefined) throw new AlertRuleError(`${problem} for "${m.label}"`, 'invalid');
      }
    }
    const s: Silence = { ...parsed.data, id: this.newId(), createdAt: now };
    this.journal.saveSilence(s);
    this.silences = [...this.silences, s];
    this.emit({ type: 'silences' });
    return s;
  }

  /** One click on an alert: silence this alert, its rule, or its host for `durationMs`. */
  silenceAlert(id: string, scope: SilenceScope, durationMs: number, comment?: string, now: number = this.now()): Silence {
    const state = this.allStates().find((s) => alertId(s.ruleId, s.key) === id);
    if (!state) throw new AlertRuleError(`no current alert with id ${id}`, 'not_found');
    let draft;
    try {
      draft = silenceFromAlert(state, scope, durationMs, now, comment);
    } catch (err) {
      throw new AlertRuleError((err as Error).message, 'invalid');
    }
    return this.silence(draft, now);
  }

  /** End a silence now. Alerts it held back that still fire are notified at once. */
  unsilence(id: string, now: number = this.now()): boolean {
    const existed = this.silences.some((s) => s.id === id && isSilenceActive(s, now));
    this.silences = this.silences.filter((s) => s.id !== id);
    const deleted = this.journal.deleteSilence(id);
    if (existed) this.settle(new EvaluationBatch(), now);
    if (deleted) this.emit({ type: 'silences' });
    return deleted;
  }

  // ---------------------------------------------------------------- channels

  /** Replace the channel set (the provisioning file and the settings screen build them with createChannel). */
  setChannels(channels: readonly NotificationChannel[]): void {
    this.channels = new Map(channels.map((c) => [c.name, c]));
  }

  channelNames(): string[] {
    return [...this.channels.keys()].sort();
  }

  /** Notifications from now on are written in `lang` (the UI's language setting). */
  setLanguage(lang: AlertLang): void {
    this.lang = lang;
  }

  get language(): AlertLang {
    return this.lang;
  }

  /** Waits for deliveries in flight, then closes the journal. */
  async close(): Promise<void> {
    await this.flush();
    this.journal.close();
  }

  // ---------------------------------------------------------------- internals

  private stateMap(ruleId: string): Map<string, AlertState> {
    let m = this.states.get(ruleId);
    if (!m) this.states.set(ruleId, (m = new Map()));
    return m;
  }

  private allStates(): AlertState[] {
    const out: AlertState[] = [];
    for (const m of this.states.values()) for (const s of m.values()) out.push(s);
    return out;
  }

  private emit(event: AlertEngineEvent): void {
    try {
      this.onEvent?.(event);
    } catch (err) {
      this.log?.warn('alert event listener threw', { error: (err as Error).message });
    }
  }
}

/** What one evaluation changed, for one journal transaction. */
class EvaluationBatch {
  rules = 0;
  series = 0;
  readonly changed: AlertState[] = [];
  readonly removed: { ruleId: string; key: string }[] = [];
  readonly transitions: AlertTransition[] = [];

  collect(ruleId: string, before: ReadonlyMap<string, AlertState>, after: ReadonlyMap<string, AlertState>, transitions: readonly AlertTransition[]): void {
    for (const [key, s] of after) {
      const old = before.get(key);
      // Value-only changes stay in memory: the journal needs what a restart
      // resumes from (status and clocks), not every evaluation's number.
      if (!old || old.status !== s.status || old.activeAt !== s.activeAt || old.firedAt !== s.firedAt || old.keepFiringSince !== s.keepFiringSince || old.resolvedAt !== s.resolvedAt) {
        this.changed.push(s);
      }
    }
    for (const key of before.keys()) if (!after.has(key)) this.removed.push({ ruleId, key });
    this.transitions.push(...transitions);
  }
}
