import { describe, expect, it } from 'vitest';
import { hrefFor, parseRoute, screenShowsTime, splitHash, type Route } from './router';
import { timeSelectionFromQuery, type TimeSelection } from './timeRange';

/** The time selection a link carries, as the app reads it back. */
const timeOf = (href: string) => timeSelectionFromQuery(new URLSearchParams(splitHash(href).search));

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

describe('the time selection in the URL', () => {
  const live: TimeSelection = { range: '6h', fixed: null };
  const zoomed: TimeSelection = { range: '24h', fixed: { from: 1_700_000_000_000, to: 1_700_003_600_000 } };
  const timeScreens: Route[] = [
    { screen: 'host', hostId: 'web 1' },
    { screen: 'container', hostId: 'node-3', container: 'api', namespace: 'prod', pod: 'api-7d9f&x' },
    { screen: 'cloud-instance', account: 'hw', instanceId: '0000-4000/8000' },
    { screen: 'topk' },
    { screen: 'alerts' },
  ];

  it('round-trips a live range and a fixed window on every screen that shows time, the route unchanged', () => {
    for (const route of timeScreens) {
      expect(screenShowsTime(route)).toBe(true);
      for (const time of [live, zoomed]) {
        const href = hrefFor(route, time);
        expect(parseRoute(href), href).toEqual(route);
        expect(timeOf(href), href).toEqual(time);
      }
    }
  });

  it('leaves it out of screens that show no time', () => {
    for (const route of [{ screen: 'overview' }, { screen: 'clouds' }, { screen: 'cloud-account', account: 'a' }, { screen: 'settings' }] as Route[]) {
      expect(screenShowsTime(route)).toBe(false);
      expect(hrefFor(route, zoomed)).not.toContain('range=');
    }
  });

  it('carries none when a link is made without one (the screen keeps the current selection)', () => {
    expect(timeOf(hrefFor({ screen: 'host', hostId: 'a' }))).toBeNull();
  });

  it('ignores a window that is missing a bound, runs backwards or is not whole milliseconds, and an unknown range', () => {
    expect(timeOf('#/hosts/a?from=5')).toBeNull();
    expect(timeOf('#/hosts/a?range=1h&from=9&to=5')).toEqual({ range: '1h', fixed: null });
    expect(timeOf('#/hosts/a?from=1.5&to=9000')).toBeNull();
    expect(timeOf('#/hosts/a?range=2y')).toBeNull();
    expect(timeOf('#/hosts/a?range=2y&from=5&to=9')).toEqual({ fixed: { from: 5, to: 9 } });
    expect(parseRoute('#/clouds/hw/i-1?from=9&to=5')).toEqual({ screen: 'cloud-instance', account: 'hw', instanceId: 'i-1' });
    expect(parseRoute('#/clouds/%E0%A4%A')).toEqual({ screen: 'overview' });
  });

  it('writes a fractional window (a zoom drawn by the mouse) as whole milliseconds that still cover it', () => {
    const href = hrefFor({ screen: 'host', hostId: 'a' }, { range: '1h', fixed: { from: 1000.7, to: 20_000.2 } });
    expect(timeOf(href)).toEqual({ range: '1h', fixed: { from: 1000, to: 20_001 } });
  });
});

describe('cloud routes', () => {
  it('round-trip the checks screen', () => {
    expect(hrefFor({ screen: 'checks' })).toBe('#/checks');
    expect(parseRoute(hrefFor({ screen: 'checks' }))).toEqual({ screen: 'checks' });
  });

  it('round-trip the clouds screen and an account', () => {
    expect(parseRoute(hrefFor({ screen: 'clouds' }))).toEqual({ screen: 'clouds' });
    expect(parseRoute(hrefFor({ screen: 'cloud-account', account: 'prod aliyun' }))).toEqual({ screen: 'cloud-account', account: 'prod aliyun' });
  });
});

describe('container routes', () => {
  it('round-trip a container by its labels', () => {
    const plain = { screen: 'container' as const, hostId: 'web 1', container: 'nginx/1' };
    expect(parseRoute(hrefFor(plain))).toEqual(plain);
    const pod = { screen: 'container' as const, hostId: 'node-3', container: 'api', namespace: 'prod', pod: 'api-7d9f&x' };
    expect(parseRoute(hrefFor(pod))).toEqual(pod);
  });
  it('a container route with a malformed escape goes to the overview', () => {
    expect(parseRoute('#/hosts/a/containers/%E0%A4%A')).toEqual({ screen: 'overview' });
  });
});
