// Hash routes, so the same build works from file:// in Electron and from the
// headless server without server-side routing: `#/` and `#/hosts/<id>`.
import { useSyncExternalStore } from 'react';

export type Route =
  | { screen: 'overview' }
  | { screen: 'host'; hostId: string; from?: number; to?: number }
  /** One container's detail, named by its series labels so history opens after it is gone. */
  | { screen: 'container'; hostId: string; container: string; namespace?: string; pod?: string; from?: number; to?: number }
  | { screen: 'topk' }
  | { screen: 'alerts' }
  | { screen: 'settings' }
  // cloud accounts, one account, one cloud instance
  | { screen: 'clouds' }
  | { screen: 'cloud-account'; account: string }
  | { screen: 'cloud-instance'; account: string; instanceId: string; from?: number; to?: number };

/** `?from=&to=` (ms): a fixed window, when both are there and in order. */
function windowOf(search: string): { from?: number; to?: number } {
  const params = new URLSearchParams(search);
  const from = Number(params.get('from'));
  const to = Number(params.get('to'));
  return params.has('from') && params.has('to') && Number.isFinite(from) && Number.isFinite(to) && to > from ? { from, to } : {};
}

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?', 2);
  if (path === '/topk') return { screen: 'topk' };
  if (path === '/alerts') return { screen: 'alerts' };
  if (path === '/settings') return { screen: 'settings' };
  if (path === '/clouds') return { screen: 'clouds' };
  const cloud = /^\/clouds\/([^/?#]+)(?:\/([^/?#]+))?\/?$/.exec(path);
  if (cloud) {
    try {
      const account = decodeURIComponent(cloud[1]!);
      if (cloud[2] === undefined) return { screen: 'cloud-account', account };
      return { screen: 'cloud-instance', account, instanceId: decodeURIComponent(cloud[2]), ...windowOf(search) };
    } catch {
      // A malformed escape: fall through to the overview.
    }
  }
  const host = /^\/hosts\/([^/?#]+)\/?$/.exec(path);
  const container = /^\/hosts\/([^/?#]+)\/containers\/([^/?#]+)\/?$/.exec(path);
  if (host || container) {
    try {
      // `?from=&to=` (ms) opens the host at a fixed window: Top-K's click-through and shared links.
      const params = new URLSearchParams(search);
      const from = Number(params.get('from'));
      const to = Number(params.get('to'));
      const window = params.has('from') && params.has('to') && Number.isFinite(from) && Number.isFinite(to) && to > from ? { from, to } : {};
      if (host) return { screen: 'host', hostId: decodeURIComponent(host[1]!), ...window };
      const namespace = params.get('namespace');
      const pod = params.get('pod');
      return {
        screen: 'container',
        hostId: decodeURIComponent(container![1]!),
        container: decodeURIComponent(container![2]!),
        ...(namespace ? { namespace } : {}),
        ...(pod ? { pod } : {}),
        ...window,
      };
    } catch {
      // A malformed escape in a hand-typed URL: fall through to the overview.
    }
  }
  return { screen: 'overview' };
}

export function hrefFor(route: Route): string {
  if (route.screen === 'topk') return '#/topk';
  if (route.screen === 'alerts') return '#/alerts';
  if (route.screen === 'settings') return '#/settings';
  if (route.screen === 'clouds') return '#/clouds';
  if (route.screen === 'cloud-account') return `#/clouds/${encodeURIComponent(route.account)}`;
  if (route.screen === 'cloud-instance') {
    const base = `#/clouds/${encodeURIComponent(route.account)}/${encodeURIComponent(route.instanceId)}`;
    return route.from !== undefined && route.to !== undefined ? `${base}?from=${Math.round(route.from)}&to=${Math.round(route.to)}` : base;
  }
  if (route.screen === 'host') {
    const base = `#/hosts/${encodeURIComponent(route.hostId)}`;
    return route.from !== undefined && route.to !== undefined ? `${base}?from=${Math.round(route.from)}&to=${Math.round(route.to)}` : base;
  }
  if (route.screen === 'container') {
    const params = new URLSearchParams();
    if (route.namespace) params.set('namespace', route.namespace);
    if (route.pod) params.set('pod', route.pod);
    if (route.from !== undefined && route.to !== undefined) {
      params.set('from', String(Math.round(route.from)));
      params.set('to', String(Math.round(route.to)));
    }
    const query = params.toString();
    return `#/hosts/${encodeURIComponent(route.hostId)}/containers/${encodeURIComponent(route.container)}${query ? `?${query}` : ''}`;
  }
  return '#/';
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseRoute(hash);
}
