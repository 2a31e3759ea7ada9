// Every cloud API call of an account goes through its gate: wait for the
// API's token bucket, call, time it, count it (calls, throttles, errors by
// the cloud's code, latency), and retry within the cycle on throttling
// (exponential backoff with jitter, after the bucket slowed down) or a
// network error. Credential and request errors are not retried: they will
// not get better by themselves. Abortable: removing an account rejects the
// waits and backoffs at once.
import type { CloudProvider } from '../../../common/clouds.js';
import { CloudApiError } from '../clients/cloudErrors.js';
import type { CloudApiStats } from '../apiStats.js';
import { defaultLimit, RETRY } from './defaults.js';
import { AbortedError, TokenBucket } from './tokenBucket.js';
import type { ApiLimit } from './types.js';

export interface RetryPolicy {
  readonly throttledAttempts: number;
  readonly networkAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export interface CallGateOptions {
  readonly provider: CloudProvider;
  readonly account: string;
  readonly stats: CloudApiStats;
  /** Per-API overrides of the default budgets. */
  readonly limits?: Readonly<Record<string, ApiLimit>>;
  readonly retry?: Partial<RetryPolicy>;
  /** Jitter source (tests make it fixed). */
  readonly random?: () => number;
  /** Called for every failed attempt, retried or not (the collector keeps the recent ones). */
  readonly onError?: (api: string, error: CloudApiError, willRetry: boolean) => void;
}

/** Sleeps `ms`, or rejects with AbortedError when the signal aborts first. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new AbortedError());
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    timer.unref?.();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** "Full jitter" between half and all of the exponential step, so retries of parallel calls spread out. */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(step * (0.5 + 0.5 * random()));
}

export class CallGate {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly retry: RetryPolicy;
  private readonly random: () => number;
  /** Attempts made (every page and retry is a call the cloud counts). */
  calls = 0;
  throttles = 0;

  constructor(private readonly options: CallGateOptions) {
    this.retry = { ...RETRY, ...options.retry };
    this.random = options.random ?? Math.random;
  }

  bucket(api: string): TokenBucket {
    let b = this.buckets.get(api);
    if (!b) {
      b = new TokenBucket(this.options.limits?.[api] ?? defaultLimit(this.options.provider, api));
      this.buckets.set(api, b);
    }
    return b;
  }

  /** Runs one API call under the gate's budget and retry policy. */
  async call<T>(api: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const bucket = this.bucket(api);
    let throttledTries = 0;
    let networkTries = 0;
    for (;;) {
      await bucket.take(signal);
      const started = performance.now();
      this.calls++;
      try {
        const result = await fn();
        this.options.stats.record({ cloud: this.options.provider, account: this.options.account, api }, { seconds: (performance.now() - started) / 1000 });
        return result;
      } catch (err) {
        const seconds = (performance.now() - started) / 1000;
        const error = err instanceof CloudApiError ? err : new CloudApiError('network', 'network', (err as Error).message);
        const throttled = error.kind === 'throttled';
        this.options.stats.record({ cloud: this.options.provider, account: this.options.account, api }, { seconds, errorCode: error.code, throttled });
        if (signal?.aborted) throw new AbortedError();
        let retry = false;
        let attempt = 0;
        if (throttled) {
          this.throttles++;
          bucket.throttled();
          attempt = throttledTries++;
          retry = throttledTries < this.retry.throttledAttempts;
        } else if (error.kind === 'network') {
          attempt = networkTries++;
          retry = networkTries < this.retry.networkAttempts;
        }
        this.options.onError?.(api, error, retry);
        if (!retry) throw error;
        await abortableSleep(backoffDelayMs(attempt, this.retry, this.random), signal);
      }
    }
  }

  close(): void {
    for (const b of this.buckets.values()) b.close();
  }
}
