import { describe, expect, it } from 'vitest';
import { formatThreshold } from '../../../../main/common/format';
import { alertForMs, conditionText, formatAlertValue } from './alertValues';
import { parseRuleDraft } from '../../../../main/common/alertRules';
import { translate, type MessageKey, type MessageParams } from '../../i18n/catalogue';

describe('formatAlertValue', () => {
  it('shows a threshold alert in its metric unit', () => {
    expect(formatAlertValue('host:cpu_usage:ratio{host="a"}', 0.5, 'en')).toBe('50%');
  });
  it('shows a no-data alert as how long the series has been silent', () => {
    expect(formatAlertValue('host:cpu_usage:ratio{host="a"}', 16.55, 'en', { silence: true })).toMatch(/^16(\.\d+)?\s?s$/);
  });
  it('shows an anomalous alert\'s z (series scope) or share of unusual series (entity scope), not in the metric\'s unit', () => {
    expect(formatAlertValue('host:cpu_usage:ratio{host="a"}', 44.62, 'en', { anomaly: 'series' })).toBe('z = 44.6');
    expect(formatAlertValue('host:cpu_usage:ratio{host="a"}', 0.25, 'en', { anomaly: 'entity' })).toBe('25%');
  });
  it('has no value without data', () => {
    expect(formatAlertValue('node_load1', null, 'en')).toBeNull();
  });
});

describe('formatThreshold', () => {
  it('keeps the usual format when it shows the number', () => {
    expect(formatThreshold('host:cpu_usage:ratio', 0.9, 'en')).toBe('90%');
  });
  it('never shows a tiny threshold as zero', () => {
    expect(formatThreshold('host:cpu_usage:ratio', 0.00001, 'en')).toBe('0.001%');
    expect(formatThreshold('node_load1', 0.0001234, 'en')).toBe('0.000123');
    expect(formatThreshold('node_load1', 0, 'en')).toBe('0.00');
  });
});

describe('alertForMs', () => {
  const t0 = 1_700_000_000_000;
  it('counts a firing alert from when it fired, a pending one from when it began', () => {
    expect(alertForMs({ status: 'firing', activeAt: t0, firedAt: t0 + 60_000, lastEvalAt: t0 + 60_000 }, t0 + 90_000)).toBe(30_000);
    expect(alertForMs({ status: 'pending', activeAt: t0, lastEvalAt: t0 + 5_000 }, t0 + 20_000)).toBe(20_000);
  });
  it('is never negative when the screen clock is behind the console (a new alert, a slow tick, another machine)', () => {
    // Fired 2 s "after" the screen's last tick: the console evaluated it at firedAt.
    expect(alertForMs({ status: 'firing', activeAt: t0, firedAt: t0 + 2_000, lastEvalAt: t0 + 2_000 }, t0)).toBe(0);
    expect(alertForMs({ status: 'pending', activeAt: t0 + 5_000, lastEvalAt: t0 + 7_000 }, t0)).toBe(2_000);
  });
});

describe('conditionText', () => {
  const i18n = (lang: 'en' | 'zh-CN') => ({ lang, locale: lang, t: (key: MessageKey, params?: MessageParams) => translate(lang, key, params) });
  const rule = parseRuleDraft({ name: 'Unusual', type: 'anomalous', selector: '*', scope: 'entity', direction: 'both', sensitivity: 'medium' });

  it("says an anomalous rule's scope, direction and sensitivity in words of the UI's language, never as raw tokens", () => {
    if (!rule.ok || rule.value.type !== 'anomalous') throw new Error('not an anomalous rule');
    const full = { ...rule.value, id: 'builtin:unusual', origin: 'builtin' as const };
    expect(conditionText(full, i18n('en'))).toBe('* unusual against its learned normal (per host, container or instance, either way, sensitivity medium)');
    const zh = conditionText({ ...full, scope: 'series', direction: 'up', sensitivity: 'high' }, i18n('zh-CN'));
    expect(zh).toBe('* 偏离其学到的常态（按序列，高于正常，灵敏度 高）');
    expect(zh).not.toMatch(/series|up|high/);
  });
});
