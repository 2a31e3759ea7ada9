import { describe, expect, it } from 'vitest';
import { absentLookbackMs, aggregateWindow, cachedSeriesKey, closeAlerts, evaluateRule, observeThreshold, type HostStatusEntry, type SeriesWindow } from './evaluate.js';
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

describe('evaluateRule: every comparison, at its boundary', () => {
  const now = 1_700_000_000_000;
  const holds = (op: ThresholdRule['op'], value: number) => {
    const rule = thresholdRule({ op, threshold: 0.5, for: 0 });
    return evaluateRule(rule, { series: [{ labels: { host: 'a' }, points: [[now - S, value]] }] }, new Map(), now).states.size === 1;
  };
  it.each([
    ['>', [false, false, true]],
    ['>=', [false, true, true]],
    ['<', [true, false, false]],
    ['<=', [true, true, false]],
    ['==', [false, true, false]],
    ['!=', [true, false, true]],
  ] as const)('%s holds for below / equal / above the threshold as %j', (op, expected) => {
    expect([0.4, 0.5, 0.6].map((v) => holds(op, v))).toEqual(expected);
  });
});

describe('aggregateWindow: the edges of the window', () => {
  it('leaves out a point exactly at the start and one after the end, for every aggregate', () => {
    const pts: [number, number][] = [
      [10, 100],
      [20, 2],
      [30, 4],
      [40, -100],
    ];
    expect(aggregateWindow(pts, 'last', 10, 30)).toBe(4);
    expect(aggregateWindow([[10, 7]], 'last', 10, 30)).toBeUndefined();
    expect(aggregateWindow(pts, 'max', 10, 30)).toBe(4);
    expect(aggregateWindow(pts, 'min', 10, 30)).toBe(2);
    expect(aggregateWindow(pts, 'avg', 10, 30)).toBe(3);
  });
});

describe('cachedSeriesKey', () => {
  it('keys the same label set apart under two metric names', () => {
    const labels = { host: 'a' };
    expect(cachedSeriesKey('m1', labels)).toBe('m1{host="a"}');
    expect(cachedSeriesKey('m2', labels)).toBe('m2{host="a"}');
    expect(cachedSeriesKey('m1', labels)).toBe('m1{host="a"}');
  });
});

describe('observeThreshold with a keep filter', () => {
  const now = 1_700_000_000_000;
  const rule = thresholdRule({ for: 0 });
  const series: SeriesWindow[] = [
    { labels: { host: 'hot' }, points: [[now - S, 0.95]] },
    { labels: { host: 'cool' }, points: [[now - S, 0.1]] },
    { labels: { host: 'alerting' }, points: [[now - S, 0.1]] },
  ];
  it('observes the series that hold and those the filter keeps (their alerts), no others', () => {
    const kept = observeThreshold(rule, series, now, (key) => key.includes('alerting'));
    expect(kept.map((o) => [o.labels.host, o.met])).toEqual([
      ['hot', true],
      ['alerting', false],
    ]);
    expect(observeThreshold(rule, series, now, () => false, false).map((o) => o.labels.host)).toEqual(['hot']);
    expect(observeThreshold(rule, series, now).map((o) => o.labels.host)).toEqual(['hot', 'cool', 'alerting']);
  });
});

describe('evaluateRule: absent rule edges', () => {
  const rule = AlertRule.parse({ type: 'absent', id: 'nd', origin: 'user', name: 'No data', selector: 'host:cpu_usage:ratio', window: 30 * S }) as AbsentRule;
  const now = 1_700_000_000_000;
  const key = 'host:cpu_usage:ratio{host="web"}';

  it('reads an hour more than the window to learn which series had data', () => {
    expect(absentLookbackMs(rule)).toBe(30 * S + 3_600_000);
  });

  it('is silent for exactly the window: fires; a millisecond less: does not', () => {
    const at = (last: number) => evaluateRule(rule, { series: [{ labels: { host: 'web' }, points: [[last, 1]] }] }, new Map(), now).states.size;
    expect(at(now - 30 * S)).toBe(1);
    expect(at(now - 30 * S + 1)).toBe(0);
  });

  it('takes the newest usable point wherever it is in the list, and ignores points after now and non-finite ones', () => {
    const points: [number, number][] = [
      [now - 5 * S, 1],
      [now - 40 * S, 1],
      [now - 2 * S, NaN],
      [now + 60 * S, 1],
    ];
    const r = evaluateRule(rule, { series: [{ labels: { host: 'web' }, points }] }, new Map(), now);
    expect(r.states.size).toBe(0);
    const late = evaluateRule(rule, { series: [{ labels: { host: 'web' }, points }] }, new Map(), now + 30 * S);
    expect([...late.states.values()][0]).toMatchObject({ status: 'firing', value: 35, activeAt: now + 25 * S });
  });

  it('a series in the lookback with no usable point keeps its firing alert, and starts none', () => {
    const nanOnly: SeriesWindow[] = [{ labels: { host: 'web' }, points: [[now - 5 * S, NaN]] }];
    expect(evaluateRule(rule, { series: nanOnly }, new Map(), now).states.size).toBe(0);
    const firing = evaluateRule(rule, { series: [{ labels: { host: 'web' }, points: [[now - M, 1]] }] }, new Map(), now);
    expect(firing.states.get(key)?.status).toBe('firing');
    const held = evaluateRule(rule, { series: nanOnly }, firing.states, now + 10 * S);
    expect(held.states.get(key)).toMatchObject({ status: 'firing', value: 60 });
    expect(held.transitions).toEqual([]);
  });

  it('an alert whose series left the lookback keeps counting seconds of silence; a resolved one stays resolved', () => {
    const firing = evaluateRule(rule, { series: [{ labels: { host: 'web' }, points: [[now - M, 1]] }] }, new Map(), now);
    const later = evaluateRule(rule, { series: [] }, firing.states, now + 20 * S);
    expect(later.states.get(key)).toMatchObject({ status: 'firing', value: 80 });
    const resolved = new Map([[key, { ...later.states.get(key)!, status: 'resolved' as const, resolvedAt: now + 20 * S }]]);
    const after = evaluateRule(rule, { series: [] }, resolved, now + 30 * S);
    expect(after.transitions).toEqual([]);
    expect(after.states.get(key)?.status).toBe('resolved');
  });
});

describe('evaluateRule: host status rule scoped by a host pattern', () => {
  const base = builtinRules().find((r) => r.id === 'builtin:host-offline') as HostStatusRule;
  const t0 = 1_700_000_000_000;
  const hosts = new Map<string, HostStatusEntry>([
    ['web-1', { status: 'offline', since: t0 - 10 * M }],
    ['db-1', { status: 'offline', since: t0 - 10 * M }],
  ]);
  it('alerts only for the hosts the pattern names; without one, for every host', () => {
    const scoped = { ...base, hostPattern: 'web-.*' } as HostStatusRule;
    expect([...evaluateRule(scoped, { hosts }, new Map(), t0).states.values()].map((s) => s.labels)).toEqual([{ host: 'web-1' }]);
    expect([...evaluateRule(base, { hosts }, new Map(), t0).states.values()].map((s) => s.labels.host).sort()).toEqual(['db-1', 'web-1']);
  });
  it('keys the alert by host and counts its time from when the host went down, not from a future since', () => {
    const r = evaluateRule(base, { hosts: new Map([['web-1', { status: 'offline', since: t0 + M }]]) }, new Map(), t0);
    expect([...r.states.entries()]).toMatchObject([['host{host="web-1"}', { status: 'pending', activeAt: t0 }]]);
  });
});

describe('evaluateRule: lifecycle edges', () => {
  const now = 1_700_000_000_000;
  const key = 'host:cpu_usage:ratio{host="a"}';
  const at = (t: number, v: number | null) => (v === null ? [] : [{ labels: { host: 'a' }, points: [[t - S, v]] as [number, number][] }]);

  it('keeps a resolved alert for 15 minutes by default, then forgets it', () => {
    const rule = thresholdRule({ for: 0 });
    let r = evaluateRule(rule, { series: at(now, 0.9) }, new Map(), now);
    r = evaluateRule(rule, { series: at(now + 10 * S, 0.1) }, r.states, now + 10 * S);
    expect(r.states.get(key)?.status).toBe('resolved');
    const kept = evaluateRule(rule, { series: at(now + 10 * S + 15 * M - 1, 0.1) }, r.states, now + 10 * S + 15 * M - 1);
    expect(kept.states.get(key)).toMatchObject({ status: 'resolved', value: 0.1 });
    const gone = evaluateRule(rule, { series: at(now + 10 * S + 15 * M, 0.1) }, r.states, now + 10 * S + 15 * M);
    expect(gone.states.size).toBe(0);
  });

  it('resolves with the last value it had when the data is gone, and times the episode from when it fired', () => {
    const rule = thresholdRule({ for: 20 * S });
    let r = evaluateRule(rule, { series: at(now, 0.9) }, new Map(), now);
    r = evaluateRule(rule, { series: at(now + 20 * S, 0.95) }, r.states, now + 20 * S);
    expect(r.transitions).toMatchObject([{ from: 'pending', to: 'firing', durationMs: 20 * S }]);
    r = evaluateRule(rule, { series: [] }, r.states, now + 50 * S);
    expect(r.transitions).toMatchObject([{ from: 'firing', to: 'resolved', durationMs: 30 * S, reason: 'no_data', value: 0.95 }]);
    expect(r.states.get(key)).toMatchObject({ status: 'resolved', value: 0.95, resolvedAt: now + 50 * S });
  });

  it('a pending alert that dips ends with the time it was pending, and says why', () => {
    const rule = thresholdRule({ for: M });
    let r = evaluateRule(rule, { series: at(now, 0.9) }, new Map(), now);
    r = evaluateRule(rule, { series: at(now + 30 * S, 0.1) }, r.states, now + 30 * S);
    expect(r.transitions).toMatchObject([{ from: 'pending', to: 'normal', durationMs: 30 * S, reason: 'condition' }]);
    expect(r.states.size).toBe(0);
  });

  it('a pending alert keeps its clock across a gap up to the limit, and restarts it past the limit', () => {
    const rule = thresholdRule({ for: 6 * M });
    const start = evaluateRule(rule, { series: at(now, 0.9) }, new Map(), now);
    const within = evaluateRule(rule, { series: at(now + 5 * M, 0.9) }, start.states, now + 5 * M);
    expect(within.states.get(key)).toMatchObject({ status: 'pending', activeAt: now });
    const past = evaluateRule(rule, { series: at(now + 5 * M + 1, 0.9) }, start.states, now + 5 * M + 1);
    expect(past.states.get(key)).toMatchObject({ status: 'pending', activeAt: now + 5 * M + 1 });
  });

  it('with keepFiringFor 0 a firing alert resolves on the first evaluation without the condition', () => {
    const rule = thresholdRule({ for: 0, keepFiringFor: 0 });
    let r = evaluateRule(rule, { series: at(now, 0.9) }, new Map(), now);
    r = evaluateRule(rule, { series: at(now + 10 * S, 0.1) }, r.states, now + 10 * S);
    expect(r.transitions).toMatchObject([{ from: 'firing', to: 'resolved', reason: 'condition' }]);
  });

  it('the first of two observations of one series wins', () => {
    const rule = thresholdRule({ for: 0 });
    const series: SeriesWindow[] = [
      { labels: { host: 'a' }, points: [[now - S, 0.9]] },
      { labels: { host: 'a' }, points: [[now - S, 0.1]] },
    ];
    const r = evaluateRule(rule, { series }, new Map(), now);
    expect(r.states.get(key)).toMatchObject({ status: 'firing', value: 0.9 });
    expect(r.transitions).toHaveLength(1);
  });
});

describe('closeAlerts', () => {
  const now = 1_700_000_000_000;
  it('resolves firing alerts (timed from when they fired), ends pending ones (timed from when they began), leaves resolved ones', () => {
    const s = (status: AlertState['status'], extra: Partial<AlertState> = {}): AlertState => ({
      ruleId: 'r1',
      key: `k-${status}`,
      labels: { host: status },
      status,
      activeAt: now - 10 * M,
      value: 1,
      lastEvalAt: now,
      ...extra,
    });
    const previous = new Map([
      ['f', s('firing', { firedAt: now - 4 * M })],
      ['g', s('firing')],
      ['p', s('pending')],
      ['r', s('resolved', { resolvedAt: now - M })],
    ]);
    expect(closeAlerts(previous, now, 'rule_deleted')).toEqual([
      { ruleId: 'r1', key: 'k-firing', labels: { host: 'firing' }, from: 'firing', to: 'resolved', at: now, value: 1, durationMs: 4 * M, reason: 'rule_deleted' },
      { ruleId: 'r1', key: 'k-firing', labels: { host: 'firing' }, from: 'firing', to: 'resolved', at: now, value: 1, durationMs: 10 * M, reason: 'rule_deleted' },
      { ruleId: 'r1', key: 'k-pending', labels: { host: 'pending' }, from: 'pending', to: 'normal', at: now, value: 1, durationMs: 10 * M, reason: 'rule_deleted' },
    ]);
    expect(closeAlerts(new Map([['x', s('firing', { firedAt: now + M })]]), now, 'rule_deleted')[0]!.durationMs).toBe(0);
  });
});

describe('evaluateRule: more edges the mutation run showed unchecked', () => {
  const now = 1_700_000_000_000;
  const absent = AlertRule.parse({ type: 'absent', id: 'nd', origin: 'user', name: 'No data', selector: 'host:cpu_usage:ratio', window: 30 * S }) as AbsentRule;
  const key = 'host:cpu_usage:ratio{host="web"}';

  it('of two observations of one series that both hold, the first is the alert, once', () => {
    const rule = thresholdRule({ for: 0 });
    const series: SeriesWindow[] = [
      { labels: { host: 'a' }, points: [[now - S, 0.9]] },
      { labels: { host: 'a' }, points: [[now - S, 0.95]] },
    ];
    const r = evaluateRule(rule, { series }, new Map(), now);
    expect(r.transitions).toMatchObject([{ from: 'normal', to: 'firing', value: 0.9, reason: 'condition' }]);
    expect([...r.states.values()].map((s) => s.value)).toEqual([0.9]);
  });

  it('an absent rule hears a point stamped exactly now', () => {
    const r = evaluateRule(absent, { series: [{ labels: { host: 'web' }, points: [[now - M, 1], [now, 1]] }] }, new Map(), now);
    expect(r.states.size).toBe(0);
  });

  it('a resolved no-data alert does not come back for a series that only has unusable points', () => {
    const resolved: AlertState = { ruleId: 'nd', key, labels: { host: 'web' }, status: 'resolved', activeAt: now - 5 * M, firedAt: now - 5 * M, resolvedAt: now - M, value: 40, lastEvalAt: now - M };
    const r = evaluateRule(absent, { series: [{ labels: { host: 'web' }, points: [[now - 5 * S, NaN]] }] }, new Map([[key, resolved]]), now);
    expect(r.transitions).toEqual([]);
    expect(r.states.get(key)?.status).toBe('resolved');
  });

  it('holds a firing no-data alert as it was while its host is down, even once its series left the lookback', () => {
    const firing = evaluateRule(absent, { series: [{ labels: { host: 'web' }, points: [[now - M, 1]] }] }, new Map(), now);
    const down = new Map([['web', { status: 'offline' as const, since: now }]]);
    const r = evaluateRule(absent, { series: [], hosts: down }, firing.states, now + 5 * M);
    expect(r.transitions).toEqual([]);
    expect(r.states.get(key)).toMatchObject({ status: 'firing', value: 60 });
  });

  it('a host rule that fires at once times the transition from when the host went down; after a long gap a pending one restarts from that time', () => {
    const rule = builtinRules().find((r) => r.id === 'builtin:host-offline') as HostStatusRule;
    const r = evaluateRule(rule, { hosts: new Map([['db', { status: 'offline', since: now - 5 * M }]]) }, new Map(), now);
    expect(r.transitions).toMatchObject([{ from: 'normal', to: 'firing', durationMs: 5 * M, reason: 'condition' }]);
    const slow = { ...rule, for: 20 * M } as HostStatusRule;
    const pending = evaluateRule(slow, { hosts: new Map([['db', { status: 'offline', since: now }]]) }, new Map(), now + S);
    const later = evaluateRule(slow, { hosts: new Map([['db', { status: 'offline', since: now }]]) }, pending.states, now + 10 * M);
    expect([...later.states.values()][0]).toMatchObject({ status: 'pending', activeAt: now });
  });
});
