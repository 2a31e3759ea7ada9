import { describe, expect, it } from 'vitest';
import { ThresholdRuleDraft } from '../../../../main/common/alertRules';
import { draftFromForm, emptyRuleForm, formFromRule, withSelector } from './ruleForm';

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
