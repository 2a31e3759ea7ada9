import { describe, expect, it } from 'vitest';
import { ExportUpdate, Settings } from '../../../../main/common/contract';
import { en, zhCN } from '../../i18n/catalogue';
import { checkListen, checkPollSeconds, checkRetention, checkToken } from './validation';

describe('settings field checks', () => {
  it('take the poll interval in seconds and hand the core milliseconds it accepts', () => {
    const ok = checkPollSeconds('2.5');
    expect(ok).toEqual({ ok: true, value: 2500 });
    expect(Settings.partial().safeParse({ pollIntervalMs: (ok as { value: number }).value }).success).toBe(true);
    expect(checkPollSeconds('0.5')).toEqual({ ok: false, message: 'settings.error.range', params: { min: 1, max: 3600 } });
    expect(checkPollSeconds('')).toMatchObject({ ok: false, message: 'settings.error.required' });
    expect(checkPollSeconds('1e3')).toMatchObject({ ok: false, message: 'settings.error.notNumber' });
  });

  it('bound retention tiers by the contract', () => {
    expect(checkRetention('rawHours', '48')).toEqual({ ok: true, value: 48 });
    expect(checkRetention('rawHours', '721')).toMatchObject({ ok: false, params: { min: 1, max: 720 } });
    expect(checkRetention('hourDays', '3650')).toEqual({ ok: true, value: 3650 });
    expect(checkRetention('minuteDays', '-3')).toMatchObject({ ok: false, message: 'settings.error.notNumber' });
  });

  it('agree with the contract on listen addresses and flag every interface', () => {
    for (const text of ['127.0.0.1:9309', '[::1]:9309', 'localhost:9309', '0.0.0.0:9309', '1.2.3.4:65535', '127.0.0.1:0', '127.0.0.1', ':9309', '::1:9309', '300.1.1.1:80', 'bad host:80', '[::1]9309']) {
      expect(checkListen(text).ok, text).toBe(ExportUpdate.safeParse({ listen: text }).success);
    }
    expect(checkListen('0.0.0.0:9309')).toEqual({ ok: true, allInterfaces: true });
    expect(checkListen('[::]:9309')).toEqual({ ok: true, allInterfaces: true });
    expect(checkListen('127.0.0.1:9309')).toEqual({ ok: true, allInterfaces: false });
    expect(checkListen('127.0.0.1:99999')).toEqual({ ok: false, message: 'settings.error.listenPort' });
    expect(checkListen('127.0.0.1')).toEqual({ ok: false, message: 'settings.error.listenFormat' });
    expect(checkListen('exa mple:80')).toEqual({ ok: false, message: 'settings.error.listenHost' });
  });

  it('agree with the contract on tokens', () => {
    for (const text of ['short', 'x'.repeat(16), 'with space 0123456789', '令牌令牌令牌令牌令牌令牌令牌令牌', 'A-token_0123456789~!']) {
      expect(checkToken(text).ok, text).toBe(ExportUpdate.safeParse({ token: text }).success);
    }
    expect(checkToken('')).toEqual({ ok: true });
  });

  it('have every message in both languages', () => {
    for (const key of ['settings.error.required', 'settings.error.notNumber', 'settings.error.range', 'settings.error.listenFormat', 'settings.error.listenPort', 'settings.error.listenHost', 'settings.error.tokenShort', 'settings.error.tokenChars'] as const) {
      expect(en[key]).toBeTruthy();
      expect(zhCN[key]).toBeTruthy();
    }
  });
});
