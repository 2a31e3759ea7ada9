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

describe('Top-K and fixed-window routes', () => {
  it('round-trip Top-K and a host at a fixed window', () => {
    expect(parseRoute(hrefFor({ screen: 'topk' }))).toEqual({ screen: 'topk' });
    const at = { screen: 'host' as const, hostId: 'web 1', from: 1_700_000_000_000, to: 1_700_003_600_000 };
    expect(parseRoute(hrefFor(at))).toEqual(at);
  });
  it('ignore a window that is missing a bound or runs backwards', () => {
    expect(parseRoute('#/hosts/a?from=5')).toEqual({ screen: 'host', hostId: 'a' });
    expect(parseRoute('#/hosts/a?from=9&to=5')).toEqual({ screen: 'host', hostId: 'a' });
  });
});

describe('cloud routes', () => {
  it('round-trip the clouds screen, an account and an instance at a fixed window', () => {
    expect(parseRoute(hrefFor({ screen: 'clouds' }))).toEqual({ screen: 'clouds' });
    expect(parseRoute(hrefFor({ screen: 'cloud-account', account: 'prod aliyun' }))).toEqual({ screen: 'cloud-account', account: 'prod aliyun' });
    const at = { screen: 'cloud-instance' as const, account: 'hw', instanceId: '0000-4000/8000', from: 1_700_000_000_000, to: 1_700_003_600_000 };
    expect(parseRoute(hrefFor(at))).toEqual(at);
    expect(parseRoute('#/clouds/hw/i-1?from=9&to=5')).toEqual({ screen: 'cloud-instance', account: 'hw', instanceId: 'i-1' });
    expect(parseRoute('#/clouds/%E0%A4%A')).toEqual({ screen: 'overview' });
  });
});

describe('container routes', () => {
  it('round-trip a container by its labels, with a window', () => {
    const plain = { screen: 'container' as const, hostId: 'web 1', container: 'nginx/1' };
    expect(parseRoute(hrefFor(plain))).toEqual(plain);
    const pod = { screen: 'container' as const, hostId: 'node-3', container: 'api', namespace: 'prod', pod: 'api-7d9f&x', from: 1_700_000_000_000, to: 1_700_000_600_000 };
    expect(parseRoute(hrefFor(pod))).toEqual(pod);
  });
  it('a container route with a malformed escape goes to the overview', () => {
    expect(parseRoute('#/hosts/a/containers/%E0%A4%A')).toEqual({ screen: 'overview' });
  });
});
