import { describe, expect, it } from 'vitest';
import { translate } from '../../i18n/catalogue';
import { channelTestText, checkChannelForm, channelFormFromView, emptyChannelForm } from './channelForm';

describe('channel form', () => {
  it('turns a filled form into the draft the contract takes', () => {
    const check = checkChannelForm({ ...emptyChannelForm('dingtalk'), name: 'ops-dd', url: ' https://oapi.dingtalk.com/robot/send?access_token=abc ', secret: 'SEC0123456789' }, false);
    expect(check).toEqual({ ok: true, draft: { name: 'ops-dd', type: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=abc', secret: 'SEC0123456789' } });
  });

  it('names the wrong fields: a new channel needs a URL, a name rules can use, not "desktop"', () => {
    expect(checkChannelForm({ ...emptyChannelForm(), name: 'has space', url: '' }, false)).toEqual({ ok: false, problems: ['name', 'url'] });
    expect(checkChannelForm({ ...emptyChannelForm(), name: 'desktop', url: 'ftp://x' }, false)).toEqual({ ok: false, problems: ['name', 'url'] });
    expect(checkChannelForm({ ...emptyChannelForm('dingtalk'), name: 'd', url: 'https://x.example.com', secret: 'short' }, false)).toEqual({ ok: false, problems: ['secret'] });
  });

  it('on an edit, empty secrets keep the stored ones, and the signing secret can be removed', () => {
    const form = channelFormFromView({ name: 'dd', type: 'dingtalk', origin: 'user', url: { set: true, origin: 'store', reference: null, host: 'oapi.dingtalk.com' }, secret: { set: true, origin: 'store', reference: null }, timeoutMs: 5000, usedBy: [] });
    expect(form).toMatchObject({ name: 'dd', url: '', secret: '', timeoutMs: 5000 });
    expect(checkChannelForm(form, true)).toEqual({ ok: true, draft: { name: 'dd', type: 'dingtalk', timeoutMs: 5000 } });
    expect(checkChannelForm({ ...form, removeSecret: true }, true)).toEqual({ ok: true, draft: { name: 'dd', type: 'dingtalk', secret: null, timeoutMs: 5000 } });
  });
});

describe('the Alertmanager channel form', () => {
  const am = (patch: Partial<ReturnType<typeof emptyChannelForm>>) => ({ ...emptyChannelForm('alertmanager'), name: 'team-am', ...patch });

  it('turns URLs (one per line), a resend interval and basic auth into the draft', () => {
    expect(checkChannelForm(am({ urls: 'http://am-1:9093\n  http://am-2:9093 \n', resend: '30s', auth: 'basic', username: 'ops', authSecret: 'pw' }), false)).toEqual({
      ok: true,
      draft: { name: 'team-am', type: 'alertmanager', urls: ['http://am-1:9093', 'http://am-2:9093'], resendMs: 30_000, auth: 'basic', username: 'ops', authSecret: 'pw' },
    });
    expect(checkChannelForm(am({ urls: 'http://am:9093' }), false)).toEqual({ ok: true, draft: { name: 'team-am', type: 'alertmanager', urls: ['http://am:9093'], auth: 'none' } });
  });

  it('names the wrong fields: no URL, a user in a URL, a bad interval, basic auth without a user or password', () => {
    expect(checkChannelForm(am({ urls: '' }), false)).toEqual({ ok: false, problems: ['urls'] });
    expect(checkChannelForm(am({ urls: 'http://ops:pw@am:9093' }), false)).toEqual({ ok: false, problems: ['urls'] });
    expect(checkChannelForm(am({ urls: 'http://am:9093', resend: 'soon' }), false)).toEqual({ ok: false, problems: ['resend'] });
    expect(checkChannelForm(am({ urls: 'http://am:9093', resend: '2h' }), false)).toEqual({ ok: false, problems: ['resend'] });
    const check = checkChannelForm(am({ urls: 'http://am:9093', auth: 'basic' }), false);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.problems.sort()).toEqual(['authSecret', 'username']);
  });

  it('on an edit, an empty password keeps the stored one only for the auth kind it was stored for', () => {
    const form = channelFormFromView({
      name: 'team-am',
      type: 'alertmanager',
      origin: 'user',
      url: { set: true, origin: 'inline', reference: null, host: 'am:9093' },
      secret: null,
      timeoutMs: null,
      alertmanager: { urls: ['http://am:9093'], resendMs: 60_000, auth: { kind: 'bearer', username: null, set: true, origin: 'store', reference: null } },
      usedBy: [],
    });
    expect(form).toMatchObject({ type: 'alertmanager', urls: 'http://am:9093', resend: '1m', auth: 'bearer', authSecret: '' });
    expect(checkChannelForm(form, true, true)).toEqual({ ok: true, draft: { name: 'team-am', type: 'alertmanager', urls: ['http://am:9093'], resendMs: 60_000, auth: 'bearer' } });
    expect(checkChannelForm({ ...form, auth: 'basic', username: 'ops' }, true, false)).toEqual({ ok: false, problems: ['authSecret'] });
  });
});

describe('a channel test in the UI language', () => {
  const en = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate('en', key, params);
  const zh = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate('zh-CN', key, params);
  const refused = { ok: false, error: 'DingTalk rejected the message: errcode 310000 sign not match', problem: { kind: 'refused', service: 'DingTalk', code: '310000', message: 'sign not match' }, durationMs: 3 } as const;

  it('words the core\'s problem in the language, keeping what the receiver said', () => {
    expect(channelTestText(refused, en)).toBe('Test failed: DingTalk refused the message: errcode 310000 sign not match');
    expect(channelTestText(refused, zh)).toBe('测试失败：钉钉 拒收了消息：errcode 310000 sign not match');
    expect(channelTestText({ ok: false, problem: { kind: 'timeout', ms: 10_000 }, durationMs: 10_000 }, zh)).toBe('测试失败：10 秒内无应答');
    expect(channelTestText({ ok: false, problem: { kind: 'network', code: 'ECONNREFUSED' }, durationMs: 1 }, zh)).toBe('测试失败：无法连接接收方（ECONNREFUSED）');
    expect(channelTestText({ ok: false, problem: { kind: 'notSet', what: 'secret' }, durationMs: 0 }, en)).toMatch(/^Test failed: the signing secret is not set/);
    expect(channelTestText({ ok: false, problem: { kind: 'notSet', what: 'auth' }, durationMs: 0 }, en)).toMatch(/^Test failed: the token or password is not set/);
    expect(channelTestText({ ok: true, durationMs: 5 }, zh)).toBe('测试消息已发送。');
  });

  it('shows the core\'s text for a failure it did not name', () => {
    expect(channelTestText({ ok: false, error: 'desktop notification failed: no display', durationMs: 1 }, en)).toBe('Test failed: desktop notification failed: no display');
  });
});
