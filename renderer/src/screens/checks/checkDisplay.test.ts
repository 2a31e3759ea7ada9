import { describe, expect, it } from 'vitest';
import type { CheckResult, CheckView } from '../../../../main/common/checks';
import { catalogues } from '../../i18n/catalogue';
import { CHECK_REASONS } from '../../../../main/common/checks';
import { certDaysLeft, certWarnDays, checkState, lastRun, reasonKey, sortChecks, vantageRows } from './checkDisplay';

const result = (vantage: string, up: boolean, extra: Partial<CheckResult> = {}): CheckResult => ({ vantage, at: 1_000, up, durationSeconds: 0.01, phases: {}, detail: up ? '' : 'connection refused', ...extra });
const check = (name: string, results: CheckResult[], extra: Partial<CheckView> = {}): CheckView => ({
  name,
  kind: 'http',
  target: 'http://127.0.0.1:1/',
  vantages: ['console', 'bastion'],
  intervalMs: 30_000,
  timeoutMs: 10_000,
  enabled: true,
  provisioned: false,
  draft: {},
  results,
  secrets: { headers: [], auth: false },
  ...extra,
});

describe('check display', () => {
  it('gives each vantage point its own state, pending until it has run', () => {
    expect(vantageRows(check('a', [result('bastion', false)])).map((r) => [r.vantage, r.state])).toEqual([
      ['console', 'pending'],
      ['bastion', 'down'],
    ]);
  });

  it('is down when any vantage point sees it down, up only when all do, paused when paused', () => {
    expect(checkState(check('a', [result('console', true), result('bastion', false)]))).toBe('down');
    expect(checkState(check('a', [result('console', true)]))).toBe('pending');
    expect(checkState(check('a', [result('console', true), result('bastion', true)]))).toBe('up');
    expect(checkState(check('a', [result('console', false)], { enabled: false }))).toBe('paused');
  });

  it('counts whole days to the certificate expiry, negative once expired', () => {
    const now = Date.UTC(2026, 11, 7);
    expect(certDaysLeft(result('console', true, { certExpiry: now / 1000 + 3.5 * 86_400 }), now)).toBe(3);
    expect(certDaysLeft(result('console', false, { certExpiry: now / 1000 - 3600 }), now)).toBe(-1);
    expect(certDaysLeft(result('console', true), now)).toBeUndefined();
  });

  it('puts checks that are down first, then by name, and knows the last run', () => {
    const up = check('a', [result('console', true), result('bastion', true, { at: 5_000 })]);
    const down = check('z', [result('console', false)]);
    expect(sortChecks([up, down]).map((c) => c.name)).toEqual(['z', 'a']);
    expect(lastRun(up)).toBe(5_000);
    expect(lastRun(check('b', []))).toBeUndefined();
  });

  it('warns at the check’s own days (14 when its draft has none), and says every reason code in both languages', () => {
    expect(certWarnDays(check('a', []))).toBe(14);
    expect(certWarnDays(check('a', [], { draft: { certWarnDays: 30 } }))).toBe(30);
    expect(reasonKey(result('console', false))).toBeUndefined();
    expect(reasonKey(result('console', false, { reason: 'refused' }))).toBe('checks.reason.refused');
    for (const code of CHECK_REASONS) {
      for (const lang of ['en', 'zh-CN'] as const) expect((catalogues[lang] as Record<string, string>)[`checks.reason.${code}`], `${lang} ${code}`).toBeTruthy();
    }
  });
});
