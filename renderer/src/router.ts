// Hash routes, so the same build works from file:// in Electron and from the
// headless server without server-side routing: `#/` and `#/hosts/<id>`.
import { useSyncExternalStore } from 'react';

export type Route = { screen: 'overview' } | { screen: 'host'; hostId: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const host = /^\/hosts\/([^/?#]+)\/?$/.exec(path);
  if (host) {
    try {
      return { screen: 'host', hostId: decodeURIComponent(host[1]!) };
    } catch {
      // A malformed escape in a hand-typed URL: fall through to the overview.
    }
  }
  return { screen: 'overview' };
}

export function hrefFor(route: Route): string {
  return route.screen === 'host' ? `#/hosts/${encodeURIComponent(route.hostId)}` : '#/';
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseRoute(hash);
}
