// Headers and basic/bearer auth of checks added in the UI, against real
// servers on loopback: the password, token and secret-looking header values
// go to the console's secret store — never into checks.json, a checks/list
// payload, an event, the log or an error — and are sent only to the check's
// own origin: a redirect to a second server (another origin) that records
// what it was sent gets no Authorization, Cookie or X-Api-Key.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckDraft, type CheckView } from '../../common/checks.js';
import { startTestWebServer } from '../../testing/checkServers.js';
import { startTestCore } from '../../testing/testCore.js';
import { createEncryptedFileSecretStore } from '../secrets/encryptedFileSecretStore.js';
import { createChecksFeature } from './feature.js';

const cleanups: (() => Promise<void> | void)[] = [];
const web: Record<string, Awaited<ReturnType<typeof startTestWebServer>>> = {};
const PASSWORD = 'pw-Zq81-never-shown';
const TOKEN = 'tok-Xy44-never-shown';
const API_KEY = 'key-Mm07-never-shown';
const COOKIE = 'session=ck-Pp55-never-shown';
const SECRETS = [PASSWORD, TOKEN, API_KEY, 'ck-Pp55-never-shown', Buffer.from(`probe:${PASSWORD}`).toString('base64')];

beforeAll(async () => {
  web.site = await startTestWebServer();
  // Another origin: another loopback address and port.
  web.other = await startTestWebServer({ host: '127.0.0.2' });
}, 30_000);
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  for (const s of Object.values(web)) await s.close();
});

const draft = (input: Record<string, unknown>) => CheckDraft.parse({ kind: 'http', vantages: ['console'], intervalMs: 3_600_000, timeoutMs: 5000, ...input });

function expectNoSecret(text: string, where: string) {
  for (const secret of SECRETS) expect(text.includes(secret), `${where} holds a secret`).toBe(false);
}

describe('UI checks with headers and auth', () => {
  it('sends basic and bearer auth and secret headers to the check origin only, and keeps them out of the file, payloads and log', async () => {
    const c = await startTestCore({ prefix: 'ovl-checksecrets-', features: [createChecksFeature({ firstRunShare: () => 0 })], answers: (n) => n.startsWith('checks/') }, cleanups);
    const site = `http://127.0.0.1:${web.site!.port}`;
    web.site!.behaviour.authorization = `Basic ${Buffer.from(`probe:${PASSWORD}`).toString('base64')}`;

    // Basic auth: up with the right password.
    const basic = draft({ name: 'basic', target: `${site}/auth`, http: { url: `${site}/auth`, headers: { 'X-Probe': 'overlook' } }, auth: { type: 'basic', username: 'probe', password: PASSWORD } });
    let view = await c.call('checks/add', basic);
    expect(view.secrets).toEqual({ headers: [], auth: true });
    view = await c.call('checks/run', { name: 'basic' });
    expect(view.results[0]).toMatchObject({ up: true, statusCode: 200, reason: 'ok' });

    // An edit without the password keeps the stored one.
    const { password: _kept, ...authNoPassword } = basic.auth as { type: 'basic'; username: string; password?: string };
    await c.call('checks/update', { name: 'basic', draft: { ...basic, auth: authNoPassword } });
    expect((await c.call('checks/run', { name: 'basic' })).results[0]).toMatchObject({ up: true, statusCode: 200 });
    // A wrong password replaces it and the server says 401.
    await c.call('checks/update', { name: 'basic', draft: { ...basic, auth: { ...authNoPassword, password: 'wrong-one' } } });
    expect((await c.call('checks/run', { name: 'basic' })).results[0]).toMatchObject({ up: false, statusCode: 401, reason: 'status_mismatch' });
    await c.call('checks/update', { name: 'basic', draft: basic });

    // Bearer auth and secret-looking headers, then a redirect to the other origin.
    web.site!.behaviour.authorization = `Bearer ${TOKEN}`;
    const away = `${site}/away?to=${encodeURIComponent(`http://127.0.0.2:${web.other!.port}/ok`)}`;
    const bearer = draft({ name: 'bearer', target: away, http: { url: away, headers: { 'X-Api-Key': API_KEY, Cookie: COOKIE, 'X-Probe': 'overlook' } }, auth: { type: 'bearer', token: TOKEN } });
    view = await c.call('checks/add', bearer);
    expect(view.secrets).toEqual({ headers: ['X-Api-Key', 'Cookie'], auth: true });
    expect((view.draft as CheckDraft).http!.headers).toEqual({ 'X-Api-Key': '', Cookie: '', 'X-Probe': 'overlook' });
    web.site!.requests.length = 0;
    web.other!.requests.length = 0;
    view = await c.call('checks/run', { name: 'bearer' });
    expect(view.results[0]).toMatchObject({ up: true, statusCode: 200 });
    // The check's own origin got every credential …
    expect(web.site!.requests[0]!.headers).toMatchObject({ authorization: `Bearer ${TOKEN}`, 'x-api-key': API_KEY, cookie: COOKIE, 'x-probe': 'overlook' });
    // … the other origin none of them (the plain header still goes).
    expect(web.other!.requests).toHaveLength(1);
    const there = web.other!.requests[0]!.headers;
    expect([there.authorization, there['x-api-key'], there.cookie]).toEqual([undefined, undefined, undefined]);
    expect(there['x-probe']).toBe('overlook');

    // A new secret header with no value is refused with a clear error (and no secret in it).
    await expect(c.call('checks/add', draft({ name: 'no-key', target: `${site}/ok`, http: { url: `${site}/ok`, headers: { 'X-Api-Key': '' } } }))).rejects.toThrow(/X-Api-Key: enter its value/);

    // Nowhere in plain text: the file, the list payload, the events, the log.
    const file = fs.readFileSync(path.join(c.dataDir, 'checks.json'), 'utf8');
    expect(JSON.parse(file).checks.find((x: { name: string }) => x.name === 'basic').auth).toEqual({ type: 'basic', username: 'probe' });
    expectNoSecret(file, 'checks.json');
    expectNoSecret(JSON.stringify(await c.call('checks/list')), 'checks/list');
    await new Promise((r) => setTimeout(r, 400)); // the debounced checks/changed
    expectNoSecret(JSON.stringify(c.events), 'events');
    expectNoSecret(c.log.lines.join('\n'), 'log');
    for (const f of fs.readdirSync(c.dataDir)) if (fs.statSync(path.join(c.dataDir, f)).isFile()) expectNoSecret(fs.readFileSync(path.join(c.dataDir, f), 'latin1'), f);

    // Removing a check deletes its secrets from the store.
    const refs = () => createEncryptedFileSecretStore(c.dataDir).list();
    expect((await refs()).filter((r) => r.startsWith('check:bearer:'))).toHaveLength(3);
    await c.call('checks/remove', { name: 'bearer' });
    expect((await refs()).filter((r) => r.startsWith('check:bearer:'))).toEqual([]);
    const list = (await c.call('checks/list')) as CheckView[];
    expect(list.map((x) => x.name)).toEqual(['basic']);
  }, 60_000);

  it('refuses hop-by-hop headers, line breaks and auth on a non-HTTP check', () => {
    const bad = (headers: Record<string, string>) => CheckDraft.safeParse({ name: 'x', kind: 'http', target: 'http://a/', http: { url: 'http://a/', headers } }).success;
    expect(bad({ Connection: 'close' })).toBe(false);
    expect(bad({ 'Transfer-Encoding': 'chunked' })).toBe(false);
    expect(bad({ Host: 'b' })).toBe(false);
    expect(bad({ 'X-A': 'one\r\nX-B: two' })).toBe(false);
    expect(bad({ 'X-A': '1', 'x-a': '2' })).toBe(false);
    expect(bad({ 'X-A': '1' })).toBe(true);
    const withUser = CheckDraft.safeParse({ name: 'x', kind: 'http', target: 'http://u:p@a/', http: { url: 'http://u:p@a/' } });
    expect(!withUser.success && withUser.error.issues[0]!.message).toBe('put credentials in the auth fields (or basic_auth), not in the URL');
    expect(CheckDraft.safeParse({ name: 'x', kind: 'tcp', target: 'a:1', auth: { type: 'bearer', token: 't' } }).success).toBe(false);
  });
});
