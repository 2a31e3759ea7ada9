// Runs a request now and again whenever the given host delivers a sample, at
// most once per `minIntervalMs`, never two at a time, and afresh after a
// reconnection. The shared engine behind live charts and the process table.
import { useEffect, useRef, useState } from 'react';
import { core } from '../coreClient';
import { useConnection } from '../stores/connection';

/** The `hostId` of a query about a cloud account's instances: `cloud:<account>`. */
export const CLOUD_ENTITY_PREFIX = 'cloud:';

export interface LiveQueryState<T> {
  data?: T;
  /** The message of the last failed attempt; cleared by the next success. Old data stays visible meanwhile. */
  error?: string;
  loading: boolean;
}

export function useLiveQuery<T>(
  hostId: string,
  /** Changes to this key restart the query (and show loading until it answers). */
  key: string,
  fetcher: () => Promise<T>,
  options: { minIntervalMs: number; enabled?: boolean; live?: boolean },
): LiveQueryState<T> {
  const epoch = useConnection((s) => s.epoch);
  const [state, setState] = useState<LiveQueryState<T>>({ loading: true });
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const enabled = options.enabled ?? true;
  const live = options.live ?? true;
  const { minIntervalMs } = options;

  useEffect(() => {
    if (!enabled || epoch === 0) return;
    let cancelled = false;
    let inFlight = false;
    let again = false;
    let lastStart = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const schedule = () => {
      if (timer || cancelled) return;
      if (inFlight) {
        again = true;
        return;
      }
      timer = setTimeout(
        () => {
          timer = undefined;
          void run();
        },
        Math.max(0, lastStart + minIntervalMs - Date.now()),
      );
    };

    const run = async () => {
      inFlight = true;
      lastStart = Date.now();
      try {
        const data = await fetcherRef.current();
        if (!cancelled) setState({ data, loading: false });
      } catch (err) {
        if (!cancelled) setState((s) => ({ ...s, loading: false, error: (err as Error).message }));
      } finally {
        inFlight = false;
        if (again) {
          again = false;
          schedule();
        }
      }
    };

    setState((s) => ({ ...s, loading: true }));
    void run();
    // A cloud instance's charts (entity `cloud:<account>`) follow its account's stored datapoints.
    const cloudAccount = hostId.startsWith(CLOUD_ENTITY_PREFIX) ? hostId.slice(CLOUD_ENTITY_PREFIX.length) : undefined;
    const off = !live
      ? () => {}
      : cloudAccount !== undefined
        ? core.on('clouds/samples', (e) => e.account === cloudAccount && schedule())
        : core.on('samples/appended', (e) => e.hostId === hostId && schedule());
    return () => {
      cancelled = true;
      off();
      if (timer) clearTimeout(timer);
    };
  }, [hostId, key, enabled, live, minIntervalMs, epoch]);

  return state;
}
