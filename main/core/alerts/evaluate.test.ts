import { describe, expect, it } from 'vitest';
import { aggregateWindow, evaluateRule, type HostStatusEntry, type SeriesWindow } from './evaluate.js';
import type { AlertState, AlertTransition } from './model.js';
import { AlertRule, builtinRules, parseProvisionedRule, parseRuleDraft, type AbsentRule, type HostStatusRule, type ThresholdRule } from './rule.js';
import { inhibitedAlerts } from './inhibit.js';

const S = 1000;
const M = 60 * S;

function thresholdRule(overrides: Partial<ThresholdRule> = {}): ThresholdRule {
  return AlertRule.parse({
    type: 'threshold',
    id: 'r1',
    origin: 'user',
    name: 'CPU high',
    selector: 'host:cpu_usage:ratio',
    aggregate: 'last',
    window: 60 * S,
    op: '>',
    threshold: 0.8,
    for: 2 * M,
    keepFiringFor: 0,
    ...overrides,
  }) as ThresholdRule;
}

/** Runs a rule over a scripted value per evaluation, 10 s apart, and records every transition. */
class Sim {
  states = new Map<string, AlertState>();
  transitions: AlertTransition[] = [];
  constructor(
    readonly rule: AlertRule,
    public now = 1_700_000_000_000,
  ) {}
  step(values: Record<string, number | undefined>, dt = 10 * S) {
    this.now += dt;
    const series: SeriesWindow[] = Object.entries(values)
      .filter(([, v]) => v !== undefined)
      .map(([host, v]) => ({ labels: { host }, points: [[this.now - 1000, v!]] }));
    const r = evaluateRule(this.rule, { series }, this.states, this.now);
    this.states = r.states;
    this.transitions.push(...r.transitions);
    return r;
  }
  status(host = 'a') {
    return this.states.get(`host:cpu_usage:ratio{host="${host}"}`)?.status ?? 'normal';
  }
  path() {
    return this.transitions.map((t) => `${t.from}>${t.to}`);
  }
}

describe('aggregateWindow', () => {
  const pts: [number, number][] = [
    [10, 1],
    [20, 5],
    [30, NaN],
    [40, 3],
  ];
  it('aggregates the finite points inside (from, to]', () => {
    expect(aggregateWindow(pts, 'avg', 10, 40)).toBe(4);
    expect(aggregateWindow(pts, 'max', 0, 40)).toBe(5);
    expect(aggregateWindow(pts, 'min', 0, 40)).toBe(1);
    expect(aggregateWindow(pts, 'last', 0, 40)).toBe(3);
    expect(aggregateWindow(pts, 'last', 0, 35)).toBe(5);
  });
  it('returns undefined when nothing usable is in the window', () => {
    expect(aggregateWindow(pts, 'avg', 40, 100)).toBeUndefined();
    expect(aggregateWindow([[5, NaN], [6, Infinity]], 'max', 0, 10)).toBeUndefined();
  });
});

describe('evaluateRule: for (pending period)', () => {
  it('goes pending at once and fires only after the condition held for `for`', () => {
    const sim = new Sim(thresholdRule({ for: 60 * S }));
    sim.step({ a: 0.9 });
    expect(sim.status()).toBe('pending');
    for (let i = 0; i < 5; i++) {
      sim.step({ a: 0.95 });
      expect(sim.status()).toBe('pending');
    }
    sim.step({ a: 0.95 }); // 60 s after the first breach
    expect(sim.status()).toBe('firing');
    expect(sim.path()).toEqual(['normal>pending', 'pending>firing']);
    expect(sim.transitions[1]!.durationMs).toBe(60 * S);
  });

  it('restarts the pending clock when the condition dips once', () => {
    const sim = new Sim(thresholdRule({ for: 30 * S }));
    sim.step({ a: 0.9 });
    sim.step({ a: 0.9 });
    sim.step({ a: 0.5 });
    expect(sim.status()).toBe('normal');
    sim.step({ a: 0.9 });
    sim.step({ a: 0.9 });
    sim.step({ a: 0.9 });
    expect(sim.status()).toBe('pending');
    sim.step({ a: 0.9 });
    expect(sim.status()).toBe('firing');
    expect(sim.path()).toEqual(['normal>pending', 'pending>normal', 'normal>pending', 'pending>firing']);
  });

  it('fires on the first evaluation when `for` is 0', () => {
    const sim = new Sim(thresholdRule({ for: 0 }));
    sim.step({ a: 0.9 });
    expect(sim.path()).toEqual(['normal>firing']);
  });

  it('restarts a pending clock after a long gap between evaluations', () => {
    const sim = new Sim(thresholdRule({ for: 2 * M }));
    sim.step({ a: 0.9 });
    sim.step({ a: 0.9 }, 30 * M); // the laptop slept
    expect(sim.status()).toBe('pending');
  });
});

describe('evaluateRule: keepFiringFor (hysteresis)', () => {
  it('does not flap while the value oscillates around the threshold', () => {
    const sim = new Sim(thresholdRule({ for: 0, keepFiringFor: 2 * M }));
    sim.step({ a: 0.9 });
    // Above and below the threshold every 10 s, for 10 minutes.
    for (let i = 0; i < 60; i++) sim.step({ a: i % 2 ? 0.81 : 0.79 });
    expect(sim.status()).toBe('firing');
    expect(sim.path()).toEqual(['normal>firing']);
  });

  it('without keepFiringFor the same signal flaps', () => {
    const sim = new Sim(thresholdRule({ for: 0, keepFiringFor: 0 }));
    sim.step({ a: 0.9 });
    for (let i = 0; i < 10; i++) sim.step({ a: i % 2 ? 0.81 : 0.79 });
    expect(sim.path().filter((p) => p === 'firing>resolved').length).toBe(5);
  });

  it('resolves once the condition stayed false for keepFiringFor, measured from the first false evaluation', () => {
    const sim = new Sim(thresholdRule({ for: 0, keepFiringFor: 60 * S }));
    sim.step({ a: 0.9 });
    sim.step({ a: 0.5 }); // keep-firing clock starts here
    for (let i = 0; i < 5; i++) {
      sim.step({ a: 0.5 });
      expect(sim.status()).toBe('firing');
    }
    sim.step({ a: 0.5 });
    expect(sim.status()).toBe('resolved');
    const resolved = sim.transitions.at(-1)!;
    expect(resolved).toMatchObject({ from: 'firing', to: 'resolved', reason: 'condition', durationMs: 70 * S, value: 0.5 });
  });

  it('a resolved alert keeps the value it resolved with', () => {
    const sim = new Sim(thresholdRule({ for: 0 }));
    sim.step({ a: 0.9 });
    sim.step({ a: 0.5 });
    sim.step({ a: 0.1 });
    sim.step({ a: 0.2 });
    expect([...sim.states.values()][0]).toMatchObject({ status: 'resolved', value: 0.5 });
  });

  it('keeps a resolved alert for the list, then forgets it; a new breach starts a new episode', () => {
    const sim = new Sim(thresholdRule({ for: 0 }));
    sim.step({ a: 0.9 });
    sim.step({ a: 0.1 });
    expect(sim.status()).toBe('resolved');
    sim.step({ a: 0.1 }, 16 * M);
    expect(sim.status()).toBe('normal');
    sim.step({ a: 0.9 });
    expect(sim.path()).toEqual(['normal>firing', 'firing>resolved', 'normal>firing']);
  });
});

describe('evaluateRule: missing data and NaN', () => {
  it('never starts an alert without data, and ends a pending one', () => {
    const sim = new Sim(thresholdRule({ for: M }));
    sim.step({ a: undefined });
    expect(sim.states.size).toBe(0);
    sim.step({ a: 0.9 });
    sim.step({ a: undefined });
    expect(sim.status()).toBe('normal');
    expect(sim.transitions.at(-1)).toMatchObject({ from: 'pending', to: 'normal', reason: 'no_data', value: null });
  });

  it('treats a window of NaN points as no data', () => {
    const sim = new Sim(thresholdRule({ for: 0 }));
    sim.step({ a: NaN });
    expect(sim.states.size).toBe(0);
    sim.step({ a: 0.9 });
    sim.step({ a: NaN });
    expect(sim.transitions.at(-1)).toMatchObject({ from: 'firing', to: 'resolved', reason: 'no_data' });
  });

  it('bridges a short data gap of a firing alert with keepFiringFor', () => {
    const sim = new Sim(thresholdRule({ for: 0, keepFiringFor: M }));
    sim.step({ a: 0.9 });
    sim.step({ a: undefined });
    sim.step({ a: undefined });
    sim.step({ a: 0.9 });
    expect(sim.status()).toBe('firing');
    expect(sim.states.values().next().value!.keepFiringSince).toBeUndefined();
    expect(sim.path()).toEqual(['normal>firing']);
  });

  it('ignores points outside the window (a stale last point is no data)', () => {
    const rule = thresholdRule({ for: 0, window: 30 * S });
    const now = 1_000_000;
    const r = evaluateRule(rule, { series: [{ labels: { host: 'a' }, points: [[now - 31 * S, 0.99]] }] }, new Map(), now);
    expect(r.states.size).toBe(0);
  });
});

describe('evaluateRule: several series', () => {
  it('keeps one independent state per series', () => {
    const sim = new Sim(thresholdRule({ for: 20 * S }));
    sim.step({ a: 0.9, b: 0.1, c: 0.95 });
    sim.step({ a: 0.9, b: 0.9, c: 0.95 });
    sim.step({ a: 0.9, b: 0.9, c: 0.1 });
    expect([sim.status('a'), sim.status('b'), sim.status('c')]).toEqual(['firing', 'pending', 'normal']);
    const keys = new Set(sim.transitions.map((t) => t.key));
    expect(keys).toEqual(new Set(['host:cpu_usage:ratio{host="a"}', 'host:cpu_usage:ratio{host="b"}', 'host:cpu_usage:ratio{host="c"}']));
  });
});

describe('evaluateRule: host status rule with grace period', () => {
  const rule = builtinRules().find((r) => r.id === 'builtin:host-offline') as HostStatusRule;
  const t0 = 1_700_000_000_000;
  const run = (hosts: Record<string, HostStatusEntry>, prev: Map<string, AlertState>, now: number) => evaluateRule(rule, { hosts: new Map(Object.entries(hosts)) }, prev, now);

  it('stays pending inside the grace period, fires after it, counted from when the host went offline', () => {
    let r = run({ web: { status: 'offline', since: t0 } }, new Map(), t0 + 10 * S);
    expect([...r.states.values()][0]).toMatchObject({ status: 'pending', activeAt: t0, detail: 'offline' });
    r = run({ web: { status: 'offline', since: t0 } }, r.states, t0 + 59 * S);
    expect([...r.states.values()][0]!.status).toBe('pending');
    r = run({ web: { status: 'offline', since: t0 } }, r.states, t0 + 60 * S);
    expect([...r.states.values()][0]!.status).toBe('firing');
    expect(r.transitions[0]).toMatchObject({ from: 'pending', to: 'firing', durationMs: 60 * S });
  });

  it('a host back online inside the grace period never fires', () => {
    let r = run({ web: { status: 'stale', since: t0 } }, new Map(), t0 + 10 * S);
    r = run({ web: { status: 'online', since: t0 + 20 * S } }, r.states, t0 + 30 * S);
    expect(r.states.size).toBe(0);
    expect(r.transitions).toMatchObject([{ from: 'pending', to: 'normal' }]);
  });

  it('fires at once for a host already offline longer than the grace period, and resolves when it returns', () => {
    let r = run({ db: { status: 'offline', since: t0 - 5 * M }, web: { status: 'online', since: t0 } }, new Map(), t0);
    expect(r.transitions).toMatchObject([{ from: 'normal', to: 'firing', labels: { host: 'db' } }]);
    r = run({ db: { status: 'online', since: t0 + M }, web: { status: 'online', since: t0 } }, r.states, t0 + M);
    expect(r.transitions).toMatchObject([{ from: 'firing', to: 'resolved' }]);
  });

  it('ignores statuses not listed (paused, connecting)', () => {
    const r = run({ a: { status: 'paused', since: t0 - M * 10 }, b: { status: 'connecting', since: t0 - M * 10 } }, new Map(), t0);
    expect(r.states.size).toBe(0);
  });
});

describe('evaluateRule: absent (no data) rule', () => {
  const rule = AlertRule.parse({ type: 'absent', id: 'nd', origin: 'user', name: 'No data', selector: 'host:cpu_usage:ratio', window: 30 * S }) as AbsentRule;
  const now = 1_700_000_000_000;

  it('fires for a series whose last point is older than the window, not for fresh ones', () => {
    const series: SeriesWindow[] = [
      { labels: { host: 'quiet' }, points: [[now - 10 * M, 0.2], [now - 45 * S, 0.3]] },
      { labels: { host: 'fresh' }, points: [[now - 5 * S, 0.3]] },
    ];
    const r = evaluateRule(rule, { series }, new Map(), now);
    expect([...r.states.values()].map((s) => [s.labels.host, s.status, s.value])).toEqual([['quiet', 'firing', 45]]);
  });

  it('counts no silence from before the console started watching: a restart fires nothing while hosts report again', () => {
    // The console was closed for 10 minutes; it started 5 s ago.
    const series: SeriesWindow[] = [{ labels: { host: 'web' }, points: [[now - 10 * M, 0.2]] }];
    let r = evaluateRule(rule, { series, watchingSince: now - 5 * S }, new Map(), now);
    expect(r.states.size).toBe(0);
    // Within the window after the start the host reports again: nothing ever fires.
    r = evaluateRule(rule, { series: [{ labels: { host: 'web' }, points: [[now + 10 * S, 0.3]] }], watchingSince: now - 5 * S }, r.states, now + 20 * S);
    expect([r.states.size, r.transitions]).toEqual([0, []]);
    // A host that stays quiet for a whole window after the start does fire, counted from the start.
    r = evaluateRule(rule, { series, watchingSince: now - 5 * S }, new Map(), now + 25 * S);
    expect(r.transitions).toMatchObject([{ from: 'normal', to: 'firing' }]);
    expect([...r.states.values()][0]).toMatchObject({ activeAt: now + 25 * S, value: 10 * 60 + 25 });
  });

  it('gives a host that just came back online a whole window to report', () => {
    const hosts = new Map([['web', { status: 'online' as const, since: now - 10 * S }]]);
    const series: SeriesWindow[] = [{ labels: { host: 'web' }, points: [[now - 5 * M, 0.2]] }];
    expect(evaluateRule(rule, { series, hosts }, new Map(), now).states.size).toBe(0);
    expect(evaluateRule(rule, { series, hosts }, new Map(), now + 20 * S).transitions).toMatchObject([{ from: 'normal', to: 'firing' }]);
  });

  it('leaves a host that is not online to its status: no new alert, a pending one ends, a firing one is held', () => {
    const quiet: SeriesWindow[] = [{ labels: { host: 'web' }, points: [[now - 5 * M, 0.2]] }];
    const down = new Map([['web', { status: 'stale' as const, since: now - M }]]);
    expect(evaluateRule(rule, { series: quiet, hosts: down }, new Map(), now).states.size).toBe(0);
    const pendingRule = { ...rule, for: 10 * M } as AbsentRule;
    let r = evaluateRule(pendingRule, { series: quiet, hosts: new Map([['web', { status: 'online' as const, since: now - 10 * M }]]) }, new Map(), now);
    expect([...r.states.values()][0]!.status).toBe('pending');
    r = evaluateRule(pendingRule, { series: quiet, hosts: down }, r.states, now + 10 * S);
    expect(r.states.size).toBe(0);
    expect(r.transitions).toMatchObject([{ from: 'pending', to: 'normal' }]);

    r = evaluateRule(rule, { series: quiet, hosts: new Map([['web', { status: 'online' as const, since: now - 10 * M }]]) }, new Map(), now);
    expect([...r.states.values()][0]!.status).toBe('firing');
    r = evaluateRule(rule, { series: quiet, hosts: new Map([['web', { status: 'offline' as const, since: now }]]) }, r.states, now + 10 * M);
    expect([...r.states.values()].map((s) => s.status)).toEqual(['firing']);
    expect(r.transitions).toEqual([]);
    // Dropped out of the lookback while the host is down: still held, not resolved.
    r = evaluateRule(rule, { series: [], hosts: new Map([['web', { status: 'offline' as const, since: now }]]) }, r.states, now + 2 * 3_600_000);
    expect([r.states.size, r.transitions]).toEqual([1, []]);
  });

  it('keeps firing when the series drops out of the lookback entirely, resolves when data returns', () => {
    let r = evaluateRule(rule, { series: [{ labels: { host: 'q' }, points: [[now - 40 * S, 1]] }] }, new Map(), now);
    r = evaluateRule(rule, { series: [] }, r.states, now + 2 * 3_600_000);
    expect([...r.states.values()][0]!.status).toBe('firing');
    r = evaluateRule(rule, { series: [{ labels: { host: 'q' }, points: [[now + 2 * 3_600_000 + 5 * S, 1]] }] }, r.states, now + 2 * 3_600_000 + 10 * S);
    expect(r.transitions).toMatchObject([{ from: 'firing', to: 'resolved' }]);
  });
});

describe('provisioned thresholds', () => {
  const rule = (selector: string, threshold: unknown) => parseProvisionedRule({ name: 'r', selector, window: '1m', op: '>', threshold });
  it('read text in the metric display unit, and numbers in the series own unit as before', () => {
    expect(rule('host:cpu_usage:ratio', '90%')).toMatchObject({ ok: true, value: { threshold: 0.9 } });
    expect(rule('host:cpu_usage:ratio', 0.9)).toMatchObject({ ok: true, value: { threshold: 0.9 } });
    expect(rule('host:memory_used:bytes{host="db"}', '12 GiB')).toMatchObject({ ok: true, value: { threshold: 12 * 2 ** 30 } });
    expect(rule('host:network_receive_bytes:rate', '100 Mbit/s')).toMatchObject({ ok: true, value: { threshold: 12.5e6 } });
    expect(rule('cloud_memory_used_ratio{account="prod"}', '85%')).toMatchObject({ ok: true, value: { threshold: 0.85 } });
  });
  it('name the entry and the field when the text does not fit the metric', () => {
    expect(rule('host:memory_used:bytes', '12G')).toEqual({ ok: false, field: 'threshold', error: 'alert "r": threshold: `12G`: K, M, G or T alone could mean 1000 or 1024; write kB or KiB, MB or MiB, GB or GiB, TB or TiB' });
    expect(rule('host:cpu_usage:ratio', '90 MiB')).toEqual({ ok: false, field: 'threshold', error: 'alert "r": threshold: `90 MiB`: write a number, optionally with one of %' });
    expect(rule('node_load1', 'lots')).toMatchObject({ ok: false, field: 'threshold', error: 'alert "r": threshold: cannot read `lots` as a number' });
  });
});

describe('rule parsing', () => {
  it('defaults the type to threshold and reports bad selectors clearly', () => {
    const ok = parseRuleDraft({ name: 'x', selector: 'node_load1{host="a"}', window: 60000, op: '>', threshold: 2 });
    expect(ok.ok && ok.value.type).toBe('threshold');
    const bad = parseRuleDraft({ name: 'x', selector: 'node_load1{host=a}', window: 60000, op: '>', threshold: 2 });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/selector: expected a quoted value for "host"/);
  });
});

describe('inhibitedAlerts', () => {
  const rules = new Map<string, AlertRule>(builtinRules().map((r) => [r.id, r]));
  const state = (ruleId: string, host: string, status: AlertState['status']): AlertState => ({ ruleId, key: `k{host="${host}"}`, labels: { host }, status, activeAt: 0, value: null, lastEvalAt: 0 });
  it("holds back a host's no-data alerts while its offline alert is pending or firing, and nothing else", () => {
    const ids = inhibitedAlerts(
      [
        state('builtin:host-offline', 'cut', 'pending'),
        state('builtin:no-data', 'cut', 'firing'),
        state('builtin:disk-full', 'cut', 'firing'),
        state('builtin:host-offline', 'back', 'resolved'),
        state('builtin:no-data', 'back', 'firing'),
        state('builtin:no-data', 'other', 'pending'),
      ],
      rules,
    );
    expect([...ids]).toEqual(['builtin:no-data|k{host="cut"}']);
  });
});
