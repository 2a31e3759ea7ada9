import { describe, expect, it } from 'vitest';
import { evaluateRule, type SeriesWindow } from './evaluate.js';
import type { AlertState, PlannedNotification, Silence } from './model.js';
import { EMPTY_DELIVERY_STATE, planNotifications, type DeliveryState, type PlanOptions } from './planNotifications.js';
import { AlertRule, builtinRules, type ThresholdRule } from './rule.js';
import { ruleDisplayName } from '../../common/alertTexts.js';
import { isSilenceActive, silenceFromAlert, silenceMatches } from './silences.js';
import { renderSummary } from '../../common/alertSummary.js';

const S = 1000;
const M = 60 * S;

const rule = AlertRule.parse({
  type: 'threshold',
  id: 'disk',
  origin: 'user',
  name: 'Disk nearly full',
  selector: 'host:filesystem_used:ratio',
  aggregate: 'last',
  window: M,
  op: '>',
  threshold: 0.9,
  for: 0,
  keepFiringFor: 0,
  severity: 'warning',
  summary: '{{mountpoint}} on {{host}} is {{value}} full (limit {{threshold}})',
  channels: ['desktop', 'team'],
}) as ThresholdRule;

/** Evaluation + planning with a fake clock, the way the engine chains them. */
class Pipeline {
  states = new Map<string, AlertState>();
  delivery: DeliveryState = EMPTY_DELIVERY_STATE;
  sent: PlannedNotification[] = [];
  muted: string[] = [];
  silences: Silence[] = [];
  constructor(
    readonly options: PlanOptions,
    public now = 1_700_000_000_000,
  ) {}
  step(values: Record<string, number>, dt = 10 * S) {
    this.now += dt;
    const series: SeriesWindow[] = Object.entries(values).map(([host, v]) => ({ labels: { host, mountpoint: '/' }, points: [[this.now, v]] }));
    const ev = evaluateRule(rule, { series }, this.states, this.now);
    this.states = ev.states;
    const plan = planNotifications(
      { alerts: [...this.states.values()], transitions: ev.transitions, rules: new Map([[rule.id, rule]]), silences: this.silences, delivery: this.delivery, now: this.now },
      this.options,
    );
    this.delivery = plan.delivery;
    this.muted = plan.muted;
    this.sent.push(...plan.notifications);
    return plan.notifications;
  }
  titles() {
    return this.sent.map((n) => n.title);
  }
}

describe('planNotifications', () => {
  it('sends one firing notification per alert episode, then a resolved one', () => {
    const p = new Pipeline({ groupWindowMs: 0, repeatIntervalMs: 0 });
    p.step({ a: 0.95 });
    for (let i = 0; i < 20; i++) p.step({ a: 0.96 });
    p.step({ a: 0.5 });
    expect(p.titles()).toEqual(['[FIRING:1] Disk nearly full', '[RESOLVED] Disk nearly full']);
    expect(p.sent[0]!.channels).toEqual(['desktop', 'team']);
    expect(p.sent[0]!.alerts[0]).toMatchObject({ status: 'firing', summary: '/ on a is 95% full (limit 90%)', labels: { host: 'a', mountpoint: '/' } });
    expect(p.sent[1]!.alerts[0]).toMatchObject({ status: 'resolved', resolvedAt: p.now });
  });

  it('repeats a still-firing alert every repeat interval, and only then', () => {
    const p = new Pipeline({ groupWindowMs: 0, repeatIntervalMs: 5 * M });
    p.step({ a: 0.95 });
    const times: number[] = [];
    for (let i = 0; i < 66; i++) {
      // 11 minutes at 10 s
      if (p.step({ a: 0.95 }).length) times.push(p.now);
    }
    expect(p.sent.length).toBe(3);
    expect(p.sent.slice(1).every((n) => n.alerts[0]!.repeat)).toBe(true);
    expect(times[1]! - times[0]!).toBe(5 * M);
  });

  it('groups alerts of one rule that fire within the group window into one message', () => {
    const p = new Pipeline({ groupWindowMs: 30 * S, repeatIntervalMs: 0 });
    expect(p.step({ a: 0.95, b: 0.5, c: 0.5 })).toEqual([]);
    expect(p.step({ a: 0.95, b: 0.97, c: 0.5 })).toEqual([]);
    expect(p.step({ a: 0.95, b: 0.97, c: 0.99 })).toEqual([]);
    const out = p.step({ a: 0.95, b: 0.97, c: 0.99 }); // 30 s after the first
    expect(out).toHaveLength(1);
    expect(out[0]!.title).toBe('[FIRING:3] Disk nearly full');
    expect(out[0]!.alerts.map((a) => a.labels.host)).toEqual(['a', 'b', 'c']);
    // Nothing more while they keep firing (no repeat interval).
    for (let i = 0; i < 10; i++) p.step({ a: 0.95, b: 0.97, c: 0.99 });
    expect(p.sent).toHaveLength(1);
  });

  it('an alert that fires and resolves inside the group window sends nothing: no resolve for a firing never sent', () => {
    const p = new Pipeline({ groupWindowMs: 30 * S, repeatIntervalMs: 0 });
    p.step({ a: 0.95 });
    p.step({ a: 0.1 });
    for (let i = 0; i < 10; i++) p.step({ a: 0.1 });
    expect(p.titles()).toEqual([]);
    // The next episode is told from its firing on.
    for (let i = 0; i < 4; i++) p.step({ a: 0.95 });
    p.step({ a: 0.1 });
    for (let i = 0; i < 4; i++) p.step({ a: 0.1 });
    expect(p.titles()).toEqual(['[FIRING:1] Disk nearly full', '[RESOLVED] Disk nearly full']);
  });

  it('a silence suppresses the firing notification, lists the alert as muted, and expires by itself', () => {
    const p = new Pipeline({ groupWindowMs: 0, repeatIntervalMs: 0 });
    p.silences = [{ ...silenceFromAlert({ ruleId: 'disk', labels: { host: 'a', mountpoint: '/' } }, 'host', 2 * M, p.now), id: 's1', createdAt: p.now }];
    p.step({ a: 0.95 });
    expect(p.sent).toEqual([]);
    expect(p.muted).toEqual(['disk|host:filesystem_used:ratio{host="a",mountpoint="/"}']);
    for (let i = 0; i < 10; i++) p.step({ a: 0.95 }); // 1 min 50 s
    expect(p.sent).toEqual([]);
    p.step({ a: 0.95 }); // 2 min: the silence has ended
    expect(p.titles()).toEqual(['[FIRING:1] Disk nearly full']);
    expect(p.muted).toEqual([]);
  });

  it('sends no resolved for an alert that was silenced the whole time', () => {
    const p = new Pipeline({ groupWindowMs: 0, repeatIntervalMs: 0 });
    p.silences = [{ id: 's', ruleId: 'disk', startsAt: p.now, endsAt: p.now + 60 * M, createdAt: p.now }];
    p.step({ a: 0.95 });
    p.step({ a: 0.1 });
    expect(p.sent).toEqual([]);
  });

  it('a silenced alert sends neither repeats nor its resolve, though its firing went out before the silence', () => {
    const p = new Pipeline({ groupWindowMs: 0, repeatIntervalMs: M });
    p.step({ a: 0.95 });
    p.silences = [{ id: 's', ruleId: 'disk', startsAt: p.now, endsAt: p.now + 60 * M, createdAt: p.now }];
    for (let i = 0; i < 30; i++) p.step({ a: 0.95 });
    p.step({ a: 0.1 });
    for (let i = 0; i < 10; i++) p.step({ a: 0.1 });
    expect(p.titles()).toEqual(['[FIRING:1] Disk nearly full']);
  });

  it('a resolve waiting out the group window is dropped when a silence starts meanwhile', () => {
    const p = new Pipeline({ groupWindowMs: 30 * S, repeatIntervalMs: 0 });
    for (let i = 0; i < 4; i++) p.step({ a: 0.95 });
    expect(p.titles()).toEqual(['[FIRING:1] Disk nearly full']);
    p.step({ a: 0.1 });
    p.silences = [{ id: 's', ruleId: 'disk', startsAt: p.now, endsAt: p.now + 60 * M, createdAt: p.now }];
    for (let i = 0; i < 5; i++) p.step({ a: 0.1 });
    expect(p.titles()).toEqual(['[FIRING:1] Disk nearly full']);
  });

  it('holds back inhibited alerts like silenced ones, without listing them as muted, and sends them when the inhibition ends', () => {
    const p = new Pipeline({ groupWindowMs: 0, repeatIntervalMs: 0 });
    const id = 'disk|host:filesystem_used:ratio{host="a",mountpoint="/"}';
    const plan = (inhibited: Set<string>) => {
      p.now += 10 * S;
      const series: SeriesWindow[] = [{ labels: { host: 'a', mountpoint: '/' }, points: [[p.now, 0.95]] }];
      const ev = evaluateRule(rule, { series }, p.states, p.now);
      p.states = ev.states;
      const out = planNotifications({ alerts: [...p.states.values()], transitions: ev.transitions, rules: new Map([[rule.id, rule]]), silences: [], inhibited, delivery: p.delivery, now: p.now }, p.options);
      p.delivery = out.delivery;
      p.sent.push(...out.notifications);
      return out;
    };
    expect(plan(new Set([id])).muted).toEqual([]);
    plan(new Set([id]));
    expect(p.sent).toEqual([]);
    plan(new Set());
    expect(p.titles()).toEqual(['[FIRING:1] Disk nearly full']);
  });
});

describe('silences', () => {
  const target = { ruleId: 'cpu', labels: { host: 'web-1', env: 'prod' } };
  it('match on every given field', () => {
    const base = { id: 'x', startsAt: 0, endsAt: 10, createdAt: 0 };
    expect(silenceMatches({ ...base, ruleId: 'cpu' }, target)).toBe(true);
    expect(silenceMatches({ ...base, ruleId: 'cpu', host: 'web-2' }, target)).toBe(false);
    expect(silenceMatches({ ...base, matchers: [{ label: 'env', op: '=~', value: 'pr.*' }] }, target)).toBe(true);
    expect(silenceMatches({ ...base, matchers: [{ label: 'env', op: '!=', value: 'prod' }] }, target)).toBe(false);
  });
  it('are active from startsAt until (not including) endsAt', () => {
    expect([9, 10, 19, 20].map((t) => isSilenceActive({ startsAt: 10, endsAt: 20 }, t))).toEqual([false, true, true, false]);
  });
  it('from an alert: scope alert matches that alert only', () => {
    const d = silenceFromAlert(target, 'alert', 1000, 5);
    const s = { ...d, id: 'a', createdAt: 5 };
    expect(silenceMatches(s, target)).toBe(true);
    expect(silenceMatches(s, { ruleId: 'cpu', labels: { host: 'web-1', env: 'dev' } })).toBe(false);
    expect(silenceMatches(s, { ruleId: 'mem', labels: target.labels })).toBe(false);
    expect(() => silenceFromAlert({ ruleId: 'x', labels: {} }, 'host', 1000, 0)).toThrow(/no host label/);
  });
  it('from a cloud alert: scope instance mutes every rule on that instance of that account, and nothing else', () => {
    const cloud = (instance: string, account = 'prod', ruleId = 'cpu') => ({ ruleId, labels: { cloud: 'aliyun', account, region: 'cn-hangzhou', product: 'ecs', instance } });
    const s = { ...silenceFromAlert(cloud('i-1'), 'instance', 1000, 5), id: 'i', createdAt: 5 };
    expect(s.host).toBeUndefined();
    expect(silenceMatches(s, cloud('i-1'))).toBe(true);
    expect(silenceMatches(s, cloud('i-1', 'prod', 'disk'))).toBe(true);
    expect(silenceMatches(s, { ruleId: 'cpu', labels: { ...cloud('i-1').labels, product: 'rds', device: 'vda' } })).toBe(true);
    expect(silenceMatches(s, cloud('i-2'))).toBe(false);
    expect(silenceMatches(s, cloud('i-1', 'staging'))).toBe(false);
    expect(silenceMatches(s, { ruleId: 'cpu', labels: { host: 'i-1' } })).toBe(false);
    expect(() => silenceFromAlert(target, 'instance', 1000, 0)).toThrow(/not on a cloud instance/);
  });
});

describe('notifications in the UI language', () => {
  it('titles, built-in rule names and summaries, status words follow the language; a renamed built-in keeps its own name', () => {
    const [offline, disk] = builtinRules();
    const zh = { labels: { host: 'web-1' }, value: null, detail: 'offline' };
    expect(renderSummary(offline!, zh, 'zh-CN')).toBe('主机 web-1 状态：离线');
    expect(renderSummary(offline!, zh, 'en')).toBe('Host web-1 is offline');
    expect(renderSummary(disk!, { labels: { host: 'db', mountpoint: '/var' }, value: 0.934 }, 'zh-CN')).toBe('db 上的文件系统 /var 已用 93%');
    expect(renderSummary({ ...offline!, summary: 'custom {{host}}' }, zh, 'zh-CN')).toBe('custom web-1');
    expect(renderSummary({ ...rule, summary: '' }, { labels: { host: 'a' }, value: null }, 'zh-CN')).toBe('Disk nearly full：无数据 > 90%');

    const p = new Pipeline({ groupWindowMs: 0, repeatIntervalMs: 0, lang: 'zh-CN' });
    p.step({ a: 0.95 });
    p.step({ a: 0.5 });
    expect(p.titles()).toEqual(['【告警:1】Disk nearly full', '【已恢复】Disk nearly full']);
    expect(p.sent[0]).toMatchObject({ lang: 'zh-CN', alerts: [{ summary: '/ on a is 95% full (limit 90%)' }] });

    expect(ruleDisplayName(offline!, 'zh-CN')).toBe('主机离线');
    expect(ruleDisplayName({ ...offline!, name: 'Server gone' }, 'zh-CN')).toBe('Server gone');
    expect(ruleDisplayName({ id: 'user-1', name: 'Host offline' }, 'zh-CN')).toBe('Host offline');
  });
});

describe('renderSummary', () => {
  it('humanises values by the metric unit and leaves unknown placeholders visible', () => {
    const mem = AlertRule.parse({ type: 'threshold', id: 'm', origin: 'user', name: 'Mem', selector: 'host:memory_used:bytes', window: M, op: '>', threshold: 2 ** 30, summary: '{{host}} uses {{value}} > {{threshold}} {{nope}}' });
    expect(renderSummary(mem, { labels: { host: 'h' }, value: 3 * 2 ** 30 }, 'en')).toBe('h uses 3.00 GiB > 1.00 GiB {{nope}}');
    expect(renderSummary(mem, { labels: { host: 'h' }, value: null }, 'en')).toBe('h uses no data > 1.00 GiB {{nope}}');
  });
});

describe('planNotifications: defaults, grouping and bookkeeping', () => {
  const idOf = (host: string) => `disk|host:filesystem_used:ratio{host="${host}",mountpoint="/"}`;
  const firingState = (host: string, at: number): AlertState => ({
    ruleId: 'disk',
    key: `host:filesystem_used:ratio{host="${host}",mountpoint="/"}`,
    labels: { host, mountpoint: '/' },
    status: 'firing',
    activeAt: at - M,
    firedAt: at,
    value: 0.95,
    lastEvalAt: at,
  });

  it('by default waits 10 s to group, and repeats a still-firing alert after 4 hours, not before', () => {
    const p = new Pipeline({});
    p.step({ a: 0.95 });
    p.step({ a: 0.95 }, 5 * S);
    expect(p.sent).toEqual([]);
    p.step({ a: 0.95 }, 5 * S);
    expect(p.titles()).toEqual(['[FIRING:1] Disk nearly full']);
    const firstAt = p.now;
    while (p.now - firstAt < 4 * 3_600_000 - 30 * M) p.step({ a: 0.95 }, 30 * M);
    expect(p.sent).toHaveLength(1);
    p.step({ a: 0.95 }, 30 * M); // 4 h after the first: queued for its group window
    p.step({ a: 0.95 }, 10 * S);
    expect(p.sent).toHaveLength(2);
    expect(p.sent[1]!.alerts[0]!.repeat).toBe(true);
  });

  it('lists a group firing first, then resolved, each by key, and titles it with both counts', () => {
    const p = new Pipeline({ groupWindowMs: 30 * S, repeatIntervalMs: 0 });
    for (let i = 0; i < 4; i++) p.step({ a: 0.95, b: 0.95, c: 0.1, d: 0.1 });
    expect(p.titles()).toEqual(['[FIRING:2] Disk nearly full']);
    p.step({ a: 0.1, b: 0.95, c: 0.1, d: 0.97 });
    p.step({ a: 0.1, b: 0.95, c: 0.99, d: 0.97 });
    for (let i = 0; i < 3; i++) p.step({ a: 0.1, b: 0.95, c: 0.99, d: 0.97 });
    const mixed = p.sent[1]!;
    expect(mixed.title).toBe('[FIRING:2, RESOLVED:1] Disk nearly full');
    expect(mixed.status).toBe('firing');
    expect(mixed.alerts.map((a) => [a.labels.host, a.status])).toEqual([
      ['c', 'firing'],
      ['d', 'firing'],
      ['a', 'resolved'],
    ]);
    expect(mixed.id).toBe(`disk@${mixed.createdAt}`);
    for (let i = 0; i < 4; i++) p.step({ a: 0.1, b: 0.1, c: 0.1, d: 0.99 });
    for (let i = 0; i < 4; i++) p.step({ a: 0.1, b: 0.1, c: 0.1, d: 0.1 });
    expect(p.sent.slice(2).map((n) => [n.title, n.status])).toEqual([
      ['[RESOLVED:2] Disk nearly full', 'resolved'],
      ['[RESOLVED] Disk nearly full', 'resolved'],
    ]);
  });

  it('a resolve drops its firing still waiting in the outbox, and forgets the alert', () => {
    const p = new Pipeline({ groupWindowMs: 30 * S, repeatIntervalMs: 0 });
    p.step({ a: 0.95 });
    expect(p.delivery.outbox.map((i) => [i.alertId, i.kind])).toEqual([[idOf('a'), 'firing']]);
    expect(p.delivery.alerts[idOf('a')]).toMatchObject({ episodeFiredAt: p.now });
    p.step({ a: 0.1 });
    expect(p.delivery).toEqual({ alerts: {}, outbox: [] });
  });

  it('lists muted alerts sorted, whatever order they fired in', () => {
    const p = new Pipeline({ groupWindowMs: 0, repeatIntervalMs: 0 });
    p.silences = [{ id: 's', ruleId: 'disk', startsAt: p.now, endsAt: p.now + 60 * M, createdAt: p.now }];
    p.step({ b: 0.95, a: 0.95 });
    expect(p.muted).toEqual([idOf('a'), idOf('b')]);
  });

  it('a firing alert with no delivery record (a fresh journal) is told once, its episode dated from when it fired', () => {
    const now = 1_700_000_000_000;
    const state = firingState('a', now - 5 * M);
    const input = { alerts: [state], transitions: [], rules: new Map([[rule.id, rule]]), silences: [], delivery: EMPTY_DELIVERY_STATE, now };
    const first = planNotifications(input, { groupWindowMs: 0, repeatIntervalMs: 0 });
    expect(first.notifications.map((n) => n.title)).toEqual(['[FIRING:1] Disk nearly full']);
    expect(first.delivery.alerts[idOf('a')]).toEqual({ alertId: idOf('a'), episodeFiredAt: now - 5 * M, firingSentAt: now, lastSentAt: now });
    const again = planNotifications({ ...input, delivery: first.delivery, now: now + 10 * S }, { groupWindowMs: 0, repeatIntervalMs: 0 });
    expect(again).toMatchObject({ notifications: [], changed: false });
    expect(again.delivery).toBe(first.delivery);
  });

  it('ignores transitions of a rule it does not know', () => {
    const now = 1_700_000_000_000;
    const plan = planNotifications(
      {
        alerts: [],
        transitions: [{ ruleId: 'gone', key: 'k', labels: { host: 'a' }, from: 'normal', to: 'firing', at: now, value: 1, durationMs: 0, reason: 'condition' }],
        rules: new Map([[rule.id, rule]]),
        silences: [],
        delivery: EMPTY_DELIVERY_STATE,
        now,
      },
      { groupWindowMs: 0 },
    );
    expect(plan).toMatchObject({ notifications: [], changed: false });
  });

  it('a firing transition whose alert state is not at hand queues it from the transition: began at `at − duration`', () => {
    const now = 1_700_000_000_000;
    const plan = planNotifications(
      {
        alerts: [],
        transitions: [{ ruleId: 'disk', key: 'k', labels: { host: 'a' }, from: 'pending', to: 'firing', at: now, value: 0.97, durationMs: 2 * M, reason: 'condition' }],
        rules: new Map([[rule.id, rule]]),
        silences: [],
        delivery: EMPTY_DELIVERY_STATE,
        now,
      },
      { groupWindowMs: 30 * S },
    );
    expect(plan.delivery.outbox).toHaveLength(1);
    expect(plan.delivery.outbox[0]!.alert).toMatchObject({ key: 'k', status: 'firing', value: 0.97, activeAt: now - 2 * M, firedAt: now });
  });

  it('the resolve of a deleted rule (its alert state already gone) says when it fired and resolved', () => {
    const p = new Pipeline({ groupWindowMs: 0, repeatIntervalMs: 0 });
    p.step({ a: 0.95 });
    const firedAt = p.now;
    p.now += 3 * M;
    const plan = planNotifications(
      {
        alerts: [],
        transitions: [{ ruleId: 'disk', key: 'host:filesystem_used:ratio{host="a",mountpoint="/"}', labels: { host: 'a', mountpoint: '/' }, from: 'firing', to: 'resolved', at: p.now, value: 0.95, durationMs: 3 * M, reason: 'rule_deleted' }],
        rules: new Map([[rule.id, rule]]),
        silences: [],
        delivery: p.delivery,
        now: p.now,
      },
      p.options,
    );
    expect(plan.notifications.map((n) => n.title)).toEqual(['[RESOLVED] Disk nearly full']);
    expect(plan.notifications[0]!.alerts[0]).toMatchObject({ status: 'resolved', activeAt: firedAt, firedAt, resolvedAt: p.now });
    expect(plan.delivery.alerts).toEqual({});
  });

  it('a firing queued before its rule was deleted goes out under the rule name it was queued with', () => {
    const now = 1_700_000_000_000;
    const state = firingState('a', now);
    const queued = planNotifications(
      {
        alerts: [state],
        transitions: [{ ruleId: 'disk', key: state.key, labels: state.labels, from: 'normal', to: 'firing', at: now, value: 0.95, durationMs: 0, reason: 'condition' }],
        rules: new Map([[rule.id, rule]]),
        silences: [],
        delivery: EMPTY_DELIVERY_STATE,
        now,
      },
      { groupWindowMs: 30 * S, repeatIntervalMs: 0 },
    );
    expect(queued.notifications).toEqual([]);
    const flushed = planNotifications({ alerts: [state], transitions: [], rules: new Map(), silences: [], delivery: queued.delivery, now: now + 30 * S }, { groupWindowMs: 30 * S, repeatIntervalMs: 0 });
    expect(flushed.notifications).toHaveLength(1);
    expect(flushed.notifications[0]).toMatchObject({ title: '[FIRING:1] Disk nearly full', ruleName: 'Disk nearly full', channels: ['desktop', 'team'], severity: 'warning' });
    expect(flushed.notifications[0]!.alerts[0]).toMatchObject({ summary: 'Disk nearly full', status: 'firing' });
  });
});

describe('planNotifications: alerts whose rule or episode is gone', () => {
  const now = 1_700_000_000_000;
  const key = 'host:filesystem_used:ratio{host="a",mountpoint="/"}';
  const state: AlertState = { ruleId: 'gone', key, labels: { host: 'a', mountpoint: '/' }, status: 'firing', activeAt: now - M, firedAt: now - M, value: 0.95, lastEvalAt: now };

  it('sends nothing for a firing alert whose rule is not known, and does not fail', () => {
    const plan = planNotifications({ alerts: [state], transitions: [], rules: new Map([[rule.id, rule]]), silences: [], delivery: EMPTY_DELIVERY_STATE, now }, { groupWindowMs: 0 });
    expect(plan).toMatchObject({ notifications: [], changed: false });
  });

  it('forgets what it sent for an alert that is no longer firing', () => {
    const id = `disk|${key}`;
    const delivery: DeliveryState = { alerts: { [id]: { alertId: id, episodeFiredAt: now - M, firingSentAt: now - M, lastSentAt: now - M } }, outbox: [] };
    const plan = planNotifications({ alerts: [], transitions: [], rules: new Map([[rule.id, rule]]), silences: [], delivery, now }, { groupWindowMs: 0 });
    expect(plan.changed).toBe(true);
    expect(plan.delivery.alerts).toEqual({});
  });
});
