// Picks how frames reach the core. In the desktop shell the preload script
// exposes `window.overlook` (Electron IPC); in the headless console the page
// opens a WebSocket back to the server that served it. Transports only move
// frames: requests, replies and events are main/common/rpc.ts's business.
import { parseFrame, type Frame, type Port } from '../../main/common/rpc';

declare global {
  interface Window {
    /** The preload bridge of the desktop shell; absent in a browser. */
    overlook?: Port;
  }
}

export type SocketState =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'open' }
  | { kind: 'lost'; attempt: number; retryAt: number }
  /** The console answers but refuses this tab's token: it was restarted with a new one, or rotated. */
  | { kind: 'unauthorized'; retryAt: number };

/** What the console says about this tab's credentials: its answer to the page's own address. */
export type AuthProbe = 'ok' | 'unauthorized' | 'unreachable';

/**
 * Asks the console whether it still accepts this tab: a HEAD of the page's
 * address with the cookie. A browser does not tell a page why a WebSocket
 * handshake failed, and "the console is restarting" (no answer) and "the
 * console no longer knows this token" (401) need different words.
 */
export async function probeAuth(origin: string, fetchImpl: typeof fetch = fetch): Promise<AuthProbe> {
  try {
    // Bounded: a black-holed network must not hold the reconnect loop.
    const res = await fetchImpl(`${origin}/`, { method: 'HEAD', cache: 'no-store', credentials: 'same-origin', redirect: 'manual', signal: AbortSignal.timeout(3000) });
    return res.status === 401 ? 'unauthorized' : 'ok';
  } catch {
    return 'unreachable';
  }
}

/** How often a tab whose token is refused asks again (the operator may open the new address in another tab, which sets the cookie). */
export const UNAUTHORIZED_RETRY_MS = 10_000;

export interface ReconnectingPort extends Port {
  /** Skip the remaining backoff and try to connect now. */
  retryNow(): void;
  dispose(): void;
}

/**
 * The WebSocket URL for a page served by the headless console. The server
 * authenticates the socket by the HttpOnly cookie it set when the page was
 * opened with `?token=`; while the page URL still carries the token it is
 * passed on too, for browsers that withhold the cookie.
 */
export function websocketUrl(location: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const token = new URLSearchParams(location.search).get('token');
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return `${scheme}://${location.host}/rpc${query}`;
}

/**
 * Delay before reconnect attempt `attempt` (0-based): doubling from 0.5 s up
 * to 10 s, with ±20 % jitter so many consoles do not knock at once after a
 * server restart. `random` is injectable for tests.
 */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(10_000, 500 * 2 ** Math.min(attempt, 10));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * A frame port over a WebSocket that reconnects with backoff when the socket
 * drops. After a drop it asks `probe` whether the console refuses this tab's
 * token; if so it says `unauthorized` and tries again slowly.
 */
export function createReconnectingWebSocketPort(url: string, onState: (state: SocketState) => void, probe: () => Promise<AuthProbe> = async () => 'unreachable'): ReconnectingPort {
  const listeners = new Set<(frame: Frame) => void>();
  let socket: WebSocket | undefined;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  /** Drops so far: a probe's answer counts only for the latest. */
  let closes = 0;
  /** The last probe said the console refuses this tab's token. */
  let refused = false;

  const connect = () => {
    timer = undefined;
    if (disposed) return;
    onState({ kind: 'connecting', attempt });
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      refused = false;
      onState({ kind: 'open' });
    };
    ws.onmessage = (event: MessageEvent) => {
      if (typeof event.data !== 'string') return;
      let data: unknown;
      try {
        data = JSON.parse(event.data);
      } catch {
        return; // Not JSON: not ours to act on.
      }
      const frame = parseFrame(data);
      if (!frame) return;
      for (const l of listeners) l(frame);
    };
    // A failed handshake fires error then close; close alone drives the retry.
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = undefined;
      if (disposed) return;
      const mine = ++closes;
      // Down from this moment (nothing may look live), refused or not: the probe says which.
      if (!refused) onState({ kind: 'lost', attempt, retryAt: Date.now() });
      void probe().then((answer) => {
        // A newer drop, or a retry already under way, has the say.
        if (mine !== closes || disposed || socket) return;
        refused = answer === 'unauthorized';
        if (refused) {
          onState({ kind: 'unauthorized', retryAt: Date.now() + UNAUTHORIZED_RETRY_MS });
          timer = setTimeout(connect, UNAUTHORIZED_RETRY_MS);
          return;
        }
        const delay = reconnectDelayMs(attempt++);
        onState({ kind: 'lost', attempt, retryAt: Date.now() + delay });
        timer = setTimeout(connect, delay);
      });
    };
  };

  const retryNow = () => {
    if (disposed || socket) return;
    if (timer) clearTimeout(timer);
    connect();
  };
  // Coming back online or to a hidden tab is the moment a retry is likely to work.
  window.addEventListener('online', retryNow);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') retryNow();
  });

  connect();

  return {
    send(frame) {
      if (!socket || socket.readyState !== WebSocket.OPEN) throw new Error('not connected to the console');
      socket.send(JSON.stringify(frame));
    },
    onFrame(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    retryNow,
    dispose() {
      disposed = true;
      if (timer) clearTimeout(timer);
      window.removeEventListener('online', retryNow);
      socket?.close();
    },
  };
}

export type PickedTransport =
  | { kind: 'ipc'; port: Port }
  | { kind: 'websocket'; port: ReconnectingPort };

/** The preload bridge when there is one, else a WebSocket to the server that served this page. */
export function pickTransport(onState: (state: SocketState) => void): PickedTransport {
  const bridge = window.overlook;
  if (bridge && typeof bridge.send === 'function' && typeof bridge.onFrame === 'function') {
    return { kind: 'ipc', port: bridge };
  }
  return { kind: 'websocket', port: createReconnectingWebSocketPort(websocketUrl(window.location), onState, () => probeAuth(window.location.origin)) };
}
