import { describe, expect, it } from 'vitest';
import { probeAuth, reconnectDelayMs, websocketUrl } from './transport';

describe('websocketUrl', () => {
  it('follows the page scheme and host', () => {
    expect(websocketUrl({ protocol: 'http:', host: '127.0.0.1:7300', search: '' })).toBe('ws://127.0.0.1:7300/rpc');
    expect(websocketUrl({ protocol: 'https:', host: 'jump.example:443', search: '' })).toBe('wss://jump.example:443/rpc');
  });
  it('passes the token on while the page URL has it, escaped', () => {
    expect(websocketUrl({ protocol: 'http:', host: 'h:1', search: '?token=a%2Bb/c&x=1' })).toBe('ws://h:1/rpc?token=a%2Bb%2Fc');
    expect(websocketUrl({ protocol: 'http:', host: 'h:1', search: '?x=1' })).toBe('ws://h:1/rpc');
  });
});

describe('reconnectDelayMs', () => {
  it('doubles from half a second and stops at ten', () => {
    const mid = () => 0.5; // no jitter
    expect([0, 1, 2, 3, 4, 5, 6, 20].map((a) => reconnectDelayMs(a, mid))).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]);
  });
  it('jitters within ±20 %', () => {
    expect(reconnectDelayMs(3, () => 0)).toBe(3200);
    expect(reconnectDelayMs(3, () => 1)).toBe(4800);
  });
});

describe('probeAuth', () => {
  const answer = (status: number) => (async () => new Response(null, { status })) as unknown as typeof fetch;
  it('tells a refused token (401) from a console that is down', async () => {
    expect(await probeAuth('http://h:1', answer(401))).toBe('unauthorized');
    expect(await probeAuth('http://h:1', answer(200))).toBe('ok');
    expect(await probeAuth('http://h:1', (async () => Promise.reject(new TypeError('Failed to fetch'))) as unknown as typeof fetch)).toBe('unreachable');
  });
  it('asks with the cookie, without following a redirect, and never from the cache', async () => {
    let seen: { url: string; init?: RequestInit } | undefined;
    await probeAuth('http://h:1', (async (url: string, init?: RequestInit) => {
      seen = { url, init };
      return new Response(null, { status: 200 });
    }) as unknown as typeof fetch);
    expect(seen?.url).toBe('http://h:1/');
    expect(seen?.init).toMatchObject({ method: 'HEAD', credentials: 'same-origin', redirect: 'manual', cache: 'no-store' });
  });
});
