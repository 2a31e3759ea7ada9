import { describe, expect, it } from 'vitest';
import { checkChannelForm, channelFormFromView, emptyChannelForm } from './channelForm';

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
