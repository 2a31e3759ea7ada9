import { describe, expect, it } from 'vitest';
import { ThresholdRuleDraft } from '../../../../main/common/alertRules';
import { draftFromForm, emptyRuleForm, formFromRule } from './ruleForm';

describe('rule editor form', () => {
  it('turns filled fields into a draft the rule schema accepts, durations in ms', () => {
    const { draft, problems } = draftFromForm({ ...emptyRuleForm(), name: 'cpu', selector: 'host:cpu_usage:ratio{host="local"}', threshold: '0.0001', window: '30s', for: '1m30s', keepFiringFor: '5m' });
    expect(problems).toEqual({});
    const parsed = ThresholdRuleDraft.parse(draft);
    expect(parsed).toMatchObject({ window: 30_000, for: 90_000, keepFiringFor: 300_000, threshold: 0.0001, op: '>' });
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

  it('round-trips a stored rule through the form', () => {
    const rule = { id: 'x', origin: 'user' as const, ...ThresholdRuleDraft.parse({ type: 'threshold', name: 'load', selector: 'node_load1', window: 300_000, op: '>=', threshold: 4, for: 120_000 }) };
    const { draft } = draftFromForm(formFromRule(rule));
    expect(draft).toMatchObject({ name: 'load', selector: 'node_load1', window: 300_000, op: '>=', threshold: 4, for: 120_000 });
  });
});
