import { describe, expect, it } from 'vitest';
import { reconnectDelayMs, websocketUrl } from './transport';

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
