// The renderer's one handle on the core: typed `call` and `on` from the
// contract, stable across reconnects. Each (re)connection gets a fresh
// RpcClient, so calls in flight when the socket drops fail at once with
// `unavailable` instead of waiting for their timeout; event subscriptions
// live here and survive the swap.
import { createRpcClient, type RpcClient } from '../../main/common/rpc';
import { events, RpcError, type EventName, type EventPayload } from '../../main/common/contract';
import { pickTransport } from './transport';
import { useConnection } from './stores/connection';

type Listener = (payload: unknown) => void;

let client: RpcClient | undefined;
const subscribers = new Map<EventName, Set<Listener>>();

function attach(next: RpcClient): void {
  client = next;
  for (const name of Object.keys(events) as EventName[]) {
    next.on(name, (payload) => {
      for (const l of subscribers.get(name) ?? []) l(payload);
    });
  }
}

function detach(): void {
  client?.close();
  client = undefined;
}

export const core: Pick<RpcClient, 'call' | 'on'> = {
  call: ((method: Parameters<RpcClient['call']>[0], ...input: unknown[]) => {
    if (!client) return Promise.reject(new RpcError('unavailable', 'not connected to the console'));
    return (client.call as (m: string, ...i: unknown[]) => Promise<unknown>)(method, ...input);
  }) as RpcClient['call'],
  on<K extends EventName>(event: K, listener: (payload: EventPayload<K>) => void) {
    let set = subscribers.get(event);
    if (!set) subscribers.set(event, (set = new Set()));
    const l = listener as Listener;
    set.add(l);
    return () => {
      set.delete(l);
    };
  },
};

/** Connect once at start-up; the connection store reports progress. */
export function startCore(): void {
  const transport = pickTransport((state) => {
    if (state.kind === 'open') {
      attach(createRpcClient(transport.port));
      useConnection.setState((s) => ({ status: 'open', epoch: s.epoch + 1, retryAt: undefined }));
    } else if (state.kind === 'lost' || state.kind === 'unauthorized') {
      detach();
      useConnection.setState({ status: state.kind, retryAt: state.retryAt });
    }
    // `connecting` (a retry under way) changes nothing: the banner keeps saying why the link is down.
  });
  if (transport.kind === 'ipc') {
    // The preload bridge lives as long as the window: no reconnects.
    attach(createRpcClient(transport.port));
    useConnection.setState((s) => ({ status: 'open', epoch: s.epoch + 1 }));
  } else {
    useConnection.setState({ retryNow: () => transport.port.retryNow() });
  }
}
