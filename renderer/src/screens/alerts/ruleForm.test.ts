import { describe, expect, it } from 'vitest';
import { AnomalousRuleDraft, ThresholdRuleDraft } from '../../../../main/common/alertRules';
import { draftFromForm, emptyRuleForm, formFromAnomalousRule, formFromRule, parseMinRate, withRuleType, withSelector } from './ruleForm';

describe('rule editor form', () => {
  it('turns filled fields into a draft the rule schema accepts, durations in ms', () => {
    const { draft, problems } = draftFromForm({ ...emptyRuleForm(), name: 'cpu', selector: 'host:cpu_usage:ratio{host="local"}', threshold: '85%', window: '30s', for: '1m30s', keepFiringFor: '5m' });
    expect(problems).toEqual({});
    const parsed = ThresholdRuleDraft.parse(draft);
    expect(parsed).toMatchObject({ window: 30_000, for: 90_000, keepFiringFor: 300_000, threshold: 0.85, op: '>' });
  });

  it('names every bad field with its own message', () => {
    const { draft, problems } = draftFromForm({ ...emptyRuleForm(), name: ' ', selector: 'cpu{host=', threshold: 'abc', window: '500ms', for: 'soon', channels: [] });
    expect(draft).toBeUndefined();
    expect(problems.name?.key).toBe('alerts.editor.error.required');
    expect(problems.selector?.key).toBe('alerts.editor.error.selector');
    expect(problems.selector?.detail).toBeTruthy();
    expect(problems.threshold?.key).toBe('alerts.editor.error.number');
    expect(problems.window?.key).toBe('alerts.editor.error.windowMin');
    expect(problems.for?.key).toBe('alerts.editor.error.duration');
    expect(problems.channels?.key).toBe('alerts.editor.error.channels');
  });

  it('takes the threshold in the metric display unit: 1% and 1 are a percent on a ratio, 0.01 is 0.01 %', () => {
    const threshold = (text: string, selector = 'host:cpu_usage:ratio') => draftFromForm({ ...emptyRuleForm(), name: 'r', selector, threshold: text }).draft?.threshold;
    expect(threshold('1%')).toBeCloseTo(0.01, 12);
    expect(threshold('1')).toBeCloseTo(0.01, 12);
    expect(threshold('0.01')).toBeCloseTo(0.0001, 12);
    expect(threshold('2 GiB', 'host:memory_used:bytes{host="db"}')).toBe(2 * 2 ** 30);
    expect(threshold('4', 'node_load1')).toBe(4);
    const bad = (text: string, selector = 'host:memory_used:bytes') => draftFromForm({ ...emptyRuleForm(), name: 'r', selector, threshold: text }).problems.threshold;
    expect(bad('2G')).toEqual({ key: 'alerts.editor.error.bytePrefix' });
    expect(bad('2 apples')).toEqual({ key: 'alerts.editor.error.unit', detail: expect.stringContaining('GiB') });
    expect(bad('2%', 'node_load1')).toEqual({ key: 'alerts.editor.error.plainNumber' });
  });

  it('shows a stored threshold in the display unit, so editing never changes its meaning', () => {
    const rule = { id: 'x', origin: 'user' as const, ...ThresholdRuleDraft.parse({ type: 'threshold', name: 'cpu', selector: 'host:cpu_usage:ratio', window: 60_000, op: '>', threshold: 0.0001 }) };
    expect(formFromRule(rule).threshold).toBe('0.01%');
    expect(draftFromForm(formFromRule(rule)).draft?.threshold).toBeCloseTo(0.0001, 12);
  });

  it('gives a cloud metric a window that holds its late data, until the user writes one', () => {
    const accounts = [{ name: 'prod', provider: 'aliyun' as const, periodSeconds: 60, intervalSeconds: 60, delaySeconds: 120 }];
    let form = withSelector(emptyRuleForm(), 'cloud_cpu_utilization_ratio{account="prod"}', accounts);
    expect(form.window).toBe('6m');
    form = withSelector(form, 'host:cpu_usage:ratio', accounts);
    expect(form.window).toBe('1m');
    form = withSelector({ ...form, window: '15m', windowEdited: true }, 'cloud_cpu_utilization_ratio', accounts);
    expect(form.window).toBe('15m');
  });

  it('round-trips a stored rule through the form', () => {
    const rule = { id: 'x', origin: 'user' as const, ...ThresholdRuleDraft.parse({ type: 'threshold', name: 'load', selector: 'node_load1', window: 300_000, op: '>=', threshold: 4, for: 120_000 }) };
    const { draft } = draftFromForm(formFromRule(rule));
    expect(draft).toMatchObject({ name: 'load', selector: 'node_load1', window: 300_000, op: '>=', threshold: 4, for: 120_000 });
  });
});

describe('anomalous rules in the form', () => {
  const anomalous = () => ({ ...withRuleType(emptyRuleForm(), 'anomalous'), name: 'Unusual CPU' });
  it('starts on every learned series and builds a draft the schema takes, min rate as a share', () => {
    const form = { ...anomalous(), minRate: '25 %', direction: 'up' as const, sensitivity: 'high' as const, for: '2m' };
    expect(form.selector).toBe('*');
    const { draft, problems } = draftFromForm(form);
    expect(problems).toEqual({});
    expect(draft).toMatchObject({ type: 'anomalous', selector: '*', scope: 'entity', direction: 'up', sensitivity: 'high', minRate: 0.25, for: 120_000 });
    expect(AnomalousRuleDraft.safeParse(draft).success).toBe(true);
  });
  it('series scope sends no min rate; a bad selector, min rate or duration is a field problem', () => {
    expect(draftFromForm({ ...anomalous(), scope: 'series', minRate: 'nonsense' }).draft).not.toHaveProperty('minRate');
    const { draft, problems } = draftFromForm({ ...anomalous(), selector: 'cpu{', minRate: '0', for: 'soon' });
    expect(draft).toBeUndefined();
    expect(problems.selector?.key).toBe('alerts.editor.error.selector');
    expect(problems.minRate?.key).toBe('anomaly.rule.error.minRate');
    expect(problems.for?.key).toBe('alerts.editor.error.duration');
    expect(parseMinRate('100')).toBe(1);
    expect(parseMinRate('100.5')).toBeUndefined();
    expect(parseMinRate('12.5%')).toBe(0.125);
  });
  it('a saved anomalous rule comes back to the same form, and switching back to threshold drops the *', () => {
    const { draft } = draftFromForm({ ...anomalous(), selector: 'host:cpu_usage:ratio', scope: 'series', keepFiringFor: '5m' });
    const rule = AnomalousRuleDraft.parse(draft);
    const form = formFromAnomalousRule({ ...rule, id: 'x', origin: 'user' });
    expect(draftFromForm(form).draft).toEqual(draft);
    expect(withRuleType(anomalous(), 'threshold').selector).toBe('');
  });
});
