// Where charts, Top-K and range queries read history from: the console's own
// store (the default), or an engine's PromQL HTTP API (promqlHistory.ts),
// chosen at the composition root. Readers answer in the store's shapes, so
// the screens and Top-K do not know which one served them.
import { RpcError } from '../../common/contract.js';
import type { SeriesSelector } from '../../common/series.js';
import type { MetricStore, RangeRequest, SeriesInfo, StoredRange } from '../store/types.js';

export interface HistoryReader {
  /** Series matching a selector, with their newest sample time where the reader knows it. */
  series(selector: SeriesSelector): Promise<SeriesInfo[]>;
  /** Bucketed range query: [bucket start, avg, min, max] per bucket, about `maxPoints` buckets. */
  query(request: RangeRequest): Promise<StoredRange[]>;
}

/** The console's own history store. */
export function localHistory(store: MetricStore): HistoryReader {
  return {
    series: (selector) => store.series(selector),
    query: (request) => store.query(request),
  };
}

/**
 * A reader that could not answer (an engine that is down, slow or refuses):
 * `unavailable`, with a message the chart shows as it is. Never holds a secret.
 */
export function historyUnavailable(message: string): RpcError {
  return new RpcError('unavailable', message);
}
