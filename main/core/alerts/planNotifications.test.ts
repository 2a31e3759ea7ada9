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
