// Hash routes, so the same build works from file:// in Electron and from the
// headless server without server-side routing: `#/` and `#/hosts/<id>`. A
// screen that shows time carries the time selection in its query
// (`#/hosts/web-1?range=1h&from=…&to=…`, see timeRange.ts), so a view can be
// shared and reloaded.
import { useSyncExternalStore } from 'react';
import { writeTimeSelection, type TimeSelection } from './timeRange';

export type Route =
  | { screen: 'overview' }
  | { screen: 'host'; hostId: string }
  /** One container's detail, named by its series labels so history opens after it is gone. */
  | { screen: 'container'; hostId: string; container: string; namespace?: string; pod?: string }
  | { screen: 'topk' }
  | { screen: 'alerts' }
  | { screen: 'settings' }
  // cloud accounts, one account, one cloud instance
  | { screen: 'clouds' }
  /** Service checks */
  | { screen: 'checks' }
  | { screen: 'cloud-account'; account: string }
  | { screen: 'cloud-instance'; account: string; instanceId: string };

/** Screens that show time follow the header's range; the others hide it. */
export function screenShowsTime(route: Route): boolean {
  return route.screen === 'host' || route.screen === 'container' || route.screen === 'cloud-instance' || route.screen === 'topk' || route.screen === 'alerts';
}

/** The hash's path and its query (`#/hosts/a?range=1h` → `/hosts/a`, `range=1h`). */
export function splitHash(hash: string): { path: string; search: string } {
  const body = hash.replace(/^#/, '');
  const q = body.indexOf('?');
  return q < 0 ? { path: body, search: '' } : { path: body.slice(0, q), search: body.slice(q + 1) };
}

export function parseRoute(hash: string): Route {
  const { path, search } = splitHash(hash);
  if (path === '/topk') return { screen: 'topk' };
  if (path === '/alerts') return { screen: 'alerts' };
  if (path === '/settings') return { screen: 'settings' };
  if (path === '/clouds') return { screen: 'clouds' };
  if (path === '/checks') return { screen: 'checks' };
  const cloud = /^\/clouds\/([^/?#]+)(?:\/([^/?#]+))?\/?$/.exec(path);
  if (cloud) {
    try {
      const account = decodeURIComponent(cloud[1]!);
      if (cloud[2] === undefined) return { screen: 'cloud-account', account };
      return { screen: 'cloud-instance', account, instanceId: decodeURIComponent(cloud[2]) };
    } catch {
      // A malformed escape: fall through to the overview.
    }
  }
  const host = /^\/hosts\/([^/?#]+)\/?$/.exec(path);
  const container = /^\/hosts\/([^/?#]+)\/containers\/([^/?#]+)\/?$/.exec(path);
  if (host || container) {
    try {
      if (host) return { screen: 'host', hostId: decodeURIComponent(host[1]!) };
      const params = new URLSearchParams(search);
      const namespace = params.get('namespace');
      const pod = params.get('pod');
      return {
        screen: 'container',
        hostId: decodeURIComponent(container![1]!),
        container: decodeURIComponent(container![2]!),
        ...(namespace ? { namespace } : {}),
        ...(pod ? { pod } : {}),
      };
    } catch {
      // A malformed escape in a hand-typed URL: fall through to the overview.
    }
  }
  return { screen: 'overview' };
}

function pathFor(route: Route): string {
  switch (route.screen) {
    case 'topk':
      return '#/topk';
    case 'alerts':
      return '#/alerts';
    case 'settings':
      return '#/settings';
    case 'clouds':
      return '#/clouds';
    case 'checks':
      return '#/checks';
    case 'cloud-account':
      return `#/clouds/${encodeURIComponent(route.account)}`;
    case 'cloud-instance':
      return `#/clouds/${encodeURIComponent(route.account)}/${encodeURIComponent(route.instanceId)}`;
    case 'host':
      return `#/hosts/${encodeURIComponent(route.hostId)}`;
    case 'container':
      return `#/hosts/${encodeURIComponent(route.hostId)}/containers/${encodeURIComponent(route.container)}`;
    default:
      return '#/';
  }
}

/**
 * The link to a screen; with `time`, at that time selection (Top-K's
 * click-through, the header's range). Without it, the screen opens at the
 * current selection (stores/timeSelection.ts fills it in).
 */
export function hrefFor(route: Route, time?: TimeSelection): string {
  const params = new URLSearchParams();
  if (route.screen === 'container') {
    if (route.namespace) params.set('namespace', route.namespace);
    if (route.pod) params.set('pod', route.pod);
  }
  if (time && screenShowsTime(route)) writeTimeSelection(params, time);
  const query = params.toString();
  return `${pathFor(route)}${query ? `?${query}` : ''}`;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  // Only the path and the container's labels make the route; the time query is the time selection's.
  const { path, search } = splitHash(hash);
  const params = new URLSearchParams(search);
  const key = `${path}?${params.get('namespace') ?? ''}&${params.get('pod') ?? ''}`;
  return routeFor(key, hash);
}

// The same route object while only the time query changes, so screens keyed
// on it are not remounted by a zoom.
let lastKey = '';
let lastRoute: Route = { screen: 'overview' };
function routeFor(key: string, hash: string): Route {
  if (key !== lastKey) {
    lastKey = key;
    lastRoute = parseRoute(hash);
  }
  return lastRoute;
}
