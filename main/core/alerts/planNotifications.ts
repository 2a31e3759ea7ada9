// Notification planning, pure: from the transitions of one evaluation, the
// current alerts, the silences and what was already sent, decide what to send
// now. The rules it keeps (users of older tools complain of alert storms and
// of problems that never say "resolved"):
//
// - Dedup: one firing notification per alert episode (normal → firing →
//   resolved); a still-firing alert is repeated every `repeatIntervalMs`
//   (0: never).
// - Grouping: notifications wait in an outbox; a rule's items go out together
//   once the oldest has waited `groupWindowMs`, as one message listing every
//   alert (ten disks filling at once → one message, not ten).
// - A resolved notification only follows a firing notification that went
//   out: an alert whose firing was never sent (it fired and resolved inside
//   one group window — a console restart, a blip — or was silenced the whole
//   time) sends nothing at all; nobody heard of it.
// - Silences: a muted alert sends nothing — not its firing, not its repeats,
//   not its resolve (as Alertmanager's mute stage drops a silenced alert's
//   resolved notification too: the silence says "don't tell me about this").
//   A muted firing alert is listed in `muted`; if the silence ends while it
//   still fires, it is sent then.
// - Inhibition: alerts in `inhibited` (a no-data alert while its host's
//   offline alert is pending or firing, see inhibit.ts) are held back like
//   muted ones, without being listed as muted.
//
// Every structure here is plain JSON so the journal can store it as is.
import type { AlertRule, Severity } from './rule.js';
import { alertId, type AlertState, type AlertTransition, type NotifiedAlert, type PlannedNotification, type Silence } from './model.js';
import { mutingSilences } from './silences.js';
import { renderSummary } from '../../common/alertSummary.js';
import { alertText, ruleDisplayName, type AlertLang } from '../../common/alertTexts.js';

/** Per alert episode: what was sent. */
export interface AlertDelivery {
  readonly alertId: string;
  readonly episodeFiredAt: number;
  readonly firingSentAt?: number;
  readonly lastSentAt?: number;
}

export interface RuleSnapshot {
  readonly id: string;
  readonly name: string;
  readonly severity: Severity;
  readonly channels: readonly string[];
}

export interface OutboxItem {
  readonly alertId: string;
  readonly ruleId: string;
  readonly kind: 'firing' | 'resolved';
  readonly repeat: boolean;
  readonly queuedAt: number;
  readonly rule: RuleSnapshot;
  readonly alert: NotifiedAlert;
}

export interface DeliveryState {
  readonly alerts: Readonly<Record<string, AlertDelivery>>;
  readonly outbox: readonly OutboxItem[];
}

export const EMPTY_DELIVERY_STATE: DeliveryState = { alerts: {}, outbox: [] };

export interface PlanOptions {
  /** How long a rule's first queued item waits for others (default 10 s; 0 sends at once). */
  readonly groupWindowMs?: number;
  /** Resend still-firing alerts this often (default 4 h; 0 never). */
  readonly repeatIntervalMs?: number;
  /** The language of titles and summaries (the UI's); default English. */
  readonly lang?: AlertLang;
}

export interface PlanInput {
  /** Every current alert state of every rule (pending, firing, resolved). */
  readonly alerts: readonly AlertState[];
  /** The transitions of this evaluation. */
  readonly transitions: readonly AlertTransition[];
  /** Rules by id, including one just deleted whose alerts are resolving. */
  readonly rules: ReadonlyMap<string, AlertRule>;
  readonly silences: readonly Silence[];
  /** Alert ids inhibited at `now` (inhibitedAlerts): held back like silenced ones. */
  readonly inhibited?: ReadonlySet<string>;
  readonly delivery: DeliveryState;
  readonly now: number;
}

export interface Plan {
  readonly notifications: PlannedNotification[];
  readonly delivery: DeliveryState;
  /** False when `delivery` equals the input (the journal can skip the write). */
  readonly changed: boolean;
  /** Firing alerts held back by a silence at `now`. */
  readonly muted: string[];
}

export const DEFAULT_GROUP_WINDOW_MS = 10_000;
export const DEFAULT_REPEAT_INTERVAL_MS = 4 * 3_600_000;

export function planNotifications(input: PlanInput, options: PlanOptions = {}): Plan {
  const groupWindow = options.groupWindowMs ?? DEFAULT_GROUP_WINDOW_MS;
  const lang = options.lang ?? 'en';
  const repeatInterval = options.repeatIntervalMs ?? DEFAULT_REPEAT_INTERVAL_MS;
  const { now, rules, silences } = input;
  const alerts: Record<string, AlertDelivery> = { ...input.delivery.alerts };
  let outbox: OutboxItem[] = [...input.delivery.outbox];
  const muted = new Set<string>();
  const current = new Map<string, AlertState>();
  for (const s of input.alerts) current.set(alertId(s.ruleId, s.key), s);

  const isMuted = (ruleId: string, labels: AlertState['labels']) => mutingSilences(silences, { ruleId, labels }, now).length > 0;
  const isInhibited = (id: string) => input.inhibited?.has(id) === true;
  /** Held back now: silenced (listed in `muted`) or inhibited. */
  const isHeld = (id: string, ruleId: string, labels: AlertState['labels']) => {
    if (isMuted(ruleId, labels)) {
      muted.add(id);
      return true;
    }
    return isInhibited(id);
  };
  const snapshotRule = (rule: AlertRule): RuleSnapshot => ({ id: rule.id, name: rule.name, severity: rule.severity, channels: [...rule.channels] });
  const notified = (
    rule: AlertRule,
    s: Pick<AlertState, 'key' | 'labels' | 'value' | 'activeAt' | 'firedAt' | 'resolvedAt' | 'detail'>,
    status: 'firing' | 'resolved',
    repeat: boolean,
    withSummary = true,
  ): NotifiedAlert => ({
    alertId: alertId(rule.id, s.key),
    key: s.key,
    labels: { ...s.labels },
    status,
    repeat,
    summary: withSummary ? renderSummary(rule, { labels: s.labels, value: s.value, detail: s.detail }, lang) : pendingSummary,
    value: s.value,
    activeAt: s.activeAt,
    ...(s.firedAt !== undefined ? { firedAt: s.firedAt } : {}),
    ...(s.resolvedAt !== undefined ? { resolvedAt: s.resolvedAt } : {}),
  });
  let changed = false;
  const queuedIds = new Set(outbox.map((i) => i.alertId));
  const enqueue = (item: OutboxItem) => {
    outbox.push(item);
    queuedIds.add(item.alertId);
    changed = true;
  };
  // Firing items are re-rendered at flush with the value of that moment, so
  // queueing them skips the (Intl-heavy) summary; resolved ones render now,
  // while their rule is surely known.
  const pendingSummary = '';

  const firedNow = new Set<string>();
  for (const t of input.transitions) {
    const id = alertId(t.ruleId, t.key);
    const rule = rules.get(t.ruleId);
    if (!rule) continue;
    if (t.to === 'firing') {
      firedNow.add(id);
      alerts[id] = { alertId: id, episodeFiredAt: t.at };
      changed = true;
      const state = current.get(id);
      if (isHeld(id, t.ruleId, t.labels)) continue;
      const snapshot = state ?? { key: t.key, labels: t.labels, value: t.value, activeAt: t.at - t.durationMs, firedAt: t.at };
      enqueue({ alertId: id, ruleId: rule.id, kind: 'firing', repeat: false, queuedAt: now, rule: snapshotRule(rule), alert: notified(rule, snapshot, 'firing', false, false) });
    } else if (t.from === 'firing' && t.to === 'resolved') {
      const sent = alerts[id]?.firingSentAt !== undefined;
      // A firing still waiting in the outbox was never sent: it is dropped, and no resolve follows.
      if (queuedIds.has(id)) outbox = outbox.filter((i) => !(i.alertId === id && i.kind === 'firing'));
      if (alerts[id]) delete alerts[id];
      changed = true;
      if (!sent) continue;
      // Silenced or inhibited as it resolves: its resolve is held back too, and nothing will send it later.
      if (isMuted(t.ruleId, t.labels) || isInhibited(id)) continue;
      const state = current.get(id);
      const snapshot = state ?? {
        key: t.key,
        labels: t.labels,
        value: t.value,
        activeAt: t.at - t.durationMs,
        firedAt: t.at - t.durationMs,
        resolvedAt: t.at,
      };
      enqueue({ alertId: id, ruleId: rule.id, kind: 'resolved', repeat: false, queuedAt: now, rule: snapshotRule(rule), alert: notified(rule, { ...snapshot, resolvedAt: t.at }, 'resolved', false) });
    }
  }

  for (const [id, state] of current) {
    if (state.status !== 'firing' || firedNow.has(id)) continue;
    const rule = rules.get(state.ruleId);
    if (!rule) continue;
    let d = alerts[id];
    if (!d) {
      d = alerts[id] = { alertId: id, episodeFiredAt: state.firedAt ?? state.activeAt };
      changed = true;
    }
    if (isHeld(id, state.ruleId, state.labels)) continue;
    if (queuedIds.has(id)) continue;
    if (d.firingSentAt === undefined) {
      enqueue({ alertId: id, ruleId: rule.id, kind: 'firing', repeat: false, queuedAt: now, rule: snapshotRule(rule), alert: notified(rule, state, 'firing', false, false) });
    } else if (repeatInterval > 0 && now - (d.lastSentAt ?? d.firingSentAt) >= repeatInterval) {
      enqueue({ alertId: id, ruleId: rule.id, kind: 'firing', repeat: true, queuedAt: now, rule: snapshotRule(rule), alert: notified(rule, state, 'firing', true, false) });
    }
  }

  // Flush the rules whose oldest item has waited out the group window.
  const oldest = new Map<string, number>();
  for (const i of outbox) oldest.set(i.ruleId, Math.min(oldest.get(i.ruleId) ?? Infinity, i.queuedAt));
  const notifications: PlannedNotification[] = [];
  const kept: OutboxItem[] = [];
  const flushing = new Map<string, OutboxItem[]>();
  for (const i of outbox) {
    if (now - (oldest.get(i.ruleId) ?? now) >= groupWindow) {
      changed = true;
      const list = flushing.get(i.ruleId) ?? [];
      list.push(i);
      flushing.set(i.ruleId, list);
    } else {
      kept.push(i);
    }
  }
  for (const [ruleId, items] of flushing) {
    const rule = rules.get(ruleId);
    const sendable: NotifiedAlert[] = [];
    for (const item of items) {
      if (item.kind === 'firing') {
        const state = current.get(item.alertId);
        // Silenced, inhibited or gone since it was queued: hold back (an ended silence queues it again).
        if (!state || state.status !== 'firing') continue;
        if (isHeld(item.alertId, ruleId, state.labels)) continue;
        sendable.push(rule ? notified(rule, state, 'firing', item.repeat) : { ...item.alert, summary: item.alert.summary || item.rule.name });
        const d = alerts[item.alertId] ?? { alertId: item.alertId, episodeFiredAt: state.firedAt ?? now };
        alerts[item.alertId] = { ...d, firingSentAt: d.firingSentAt ?? now, lastSentAt: now };
      } else {
        // A resolve whose alert was silenced while it waited goes the way of its firing.
        if (isMuted(ruleId, item.alert.labels) || isInhibited(item.alertId)) continue;
        sendable.push(item.alert);
      }
    }
    if (sendable.length === 0) continue;
    sendable.sort((a, b) => (a.status === b.status ? a.key.localeCompare(b.key) : a.status === 'firing' ? -1 : 1));
    const meta = rule ? snapshotRule(rule) : items[0]!.rule;
    const firing = sendable.filter((a) => a.status === 'firing').length;
    const resolved = sendable.length - firing;
    const name = ruleDisplayName(meta, lang);
    const title =
      firing && resolved
        ? alertText(lang, 'notify.title.mixed', { firing, resolved, rule: name })
        : firing
          ? alertText(lang, 'notify.title.firing', { count: firing, rule: name })
          : resolved > 1
            ? alertText(lang, 'notify.title.resolvedCount', { count: resolved, rule: name })
            : alertText(lang, 'notify.title.resolved', { rule: name });
    notifications.push({
      id: `${ruleId}@${now}`,
      ruleId,
      ruleName: meta.name,
      severity: meta.severity,
      channels: [...meta.channels],
      status: firing > 0 ? 'firing' : 'resolved',
      title,
      alerts: sendable,
      createdAt: now,
      lang,
    });
  }
  // Bookkeeping only for alerts still firing: the rest ended (resolved, rule gone).
  for (const id of Object.keys(alerts)) {
    if (current.get(id)?.status !== 'firing') {
      delete alerts[id];
      changed = true;
    }
  }
  return { notifications, delivery: changed ? { alerts, outbox: kept } : input.delivery, changed, muted: [...muted].sort() };
}
