import { describe, expect, it } from 'vitest';
import { hrefFor, parseRoute } from './router';

describe('routes', () => {
  it('round-trip host ids with characters that need escaping', () => {
    for (const hostId of ['local', 'web-1', 'db/primary', 'a b', '主机']) {
      expect(parseRoute(hrefFor({ screen: 'host', hostId }))).toEqual({ screen: 'host', hostId });
    }
  });
  it('send anything unknown or malformed to the overview', () => {
    expect(parseRoute('')).toEqual({ screen: 'overview' });
    expect(parseRoute('#/')).toEqual({ screen: 'overview' });
    expect(parseRoute('#/nowhere')).toEqual({ screen: 'overview' });
    expect(parseRoute('#/hosts/%E0%A4%A')).toEqual({ screen: 'overview' });
  });
});
