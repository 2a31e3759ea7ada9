import { describe, expect, it } from 'vitest';
import { checkForm, draftFromForm, emptyForm, formFromDefinition, nameFromAddress } from './hostForm';

const filled = { ...emptyForm(), name: 'web-1', host: '10.0.0.5', user: 'deploy', password: 'pw' };

describe('the host form', () => {
  it('turns inputs into a draft: seconds to ms, comma lists to arrays', () => {
    expect(draftFromForm({ ...filled, interval: '2.5', jump: 'bastion, ops@gw:2222', tags: 'web, prod,' })).toMatchObject({
      intervalMs: 2500,
      jump: ['bastion', 'ops@gw:2222'],
      tags: ['web', 'prod'],
      port: 22,
      auth: { type: 'password', password: 'pw' },
    });
  });

  it('names each wrong field', () => {
    const check = checkForm({ ...filled, name: 'web 1', port: '99999', interval: 'soon', host: '' }, false);
    expect(check.ok).toBe(false);
    expect(!check.ok && [...check.fields].sort()).toEqual(['host', 'interval', 'name', 'port']);
  });

  it('needs a password when adding, not when editing (the stored one is kept)', () => {
    const noPassword = { ...filled, password: '' };
    expect(checkForm(noPassword, false)).toEqual({ ok: false, fields: ['password'] });
    expect(checkForm(noPassword, true).ok).toBe(true);
  });

  it('maps key auth problems to the key file field', () => {
    expect(checkForm({ ...filled, authType: 'key', keyFile: ' ' }, false)).toEqual({ ok: false, fields: ['keyFile'] });
  });

  it('fills the form from a stored definition without secrets', () => {
    const form = formFromDefinition({ name: 'a', host: 'h', port: 2222, user: 'u', auth: { type: 'key', keyFile: '/k', passphraseSet: true }, jump: ['j1', 'j2'], intervalMs: 10_000, tags: ['x'], enabled: false, provisioned: false });
    expect(form).toMatchObject({ port: '2222', authType: 'key', keyFile: '/k', passphrase: '', jump: 'j1, j2', interval: '10', tags: 'x', enabled: false });
  });

  it('sends an engine socket only when one is given, and refuses one that is not an absolute path', () => {
    expect(draftFromForm(filled)).not.toHaveProperty('engineSocket');
    expect(draftFromForm({ ...filled, engineSocket: '  ' })).not.toHaveProperty('engineSocket');
    const given = checkForm({ ...filled, engineSocket: ' /run/user/1000/docker.sock ' }, false);
    expect(given.ok && given.draft.engineSocket).toBe(' /run/user/1000/docker.sock ');
    expect(checkForm({ ...filled, engineSocket: 'docker.sock' }, false)).toEqual({ ok: false, fields: ['engineSocket'] });
    const back = formFromDefinition({ name: 'a', host: 'h', port: 22, user: 'u', auth: { type: 'agent' }, jump: [], intervalMs: 5000, tags: [], enabled: true, engineSocket: '/srv/podman.sock', provisioned: false });
    expect(back.engineSocket).toBe('/srv/podman.sock');
  });
});

describe('the name a new host gets from its address', () => {
  it('is the address where a name allows it, other characters made into "-"', () => {
    expect(nameFromAddress('web-1.example.com')).toBe('web-1.example.com');
    expect(nameFromAddress(' 10.0.0.5 ')).toBe('10.0.0.5');
    expect(nameFromAddress('[fe80::1]')).toBe('fe80-1');
    expect(nameFromAddress('ops@db.internal')).toBe('db.internal');
    expect(nameFromAddress('-x_y')).toBe('x_y');
    expect(nameFromAddress('localhost')).toBe('localhost');
    expect(nameFromAddress('local')).toBe('');
    expect(nameFromAddress('')).toBe('');
    expect(nameFromAddress('a'.repeat(80))).toHaveLength(63);
  });
  it('passes the form\'s own check', () => {
    for (const address of ['web-1.example.com', '10.0.0.5', '[fe80::1]', 'ops@db.internal']) {
      expect(checkForm({ ...filled, host: address.replace(/^ops@|\[|\]/g, ''), name: nameFromAddress(address) }, false)).toMatchObject({ ok: true });
    }
  });
});
