// A token bucket per cloud API, shared by every region of an account: the
// three clouds count their quotas per account and API (Alibaba: "an Alibaba
// Cloud account and the RAM users within the account share the quota";
// Tencent and Huawei per API per account), so the console keeps one budget
// per (account, API) below the published quota (defaults.ts).
//
// Waiters are served first come, first served, so one busy product cannot
// starve another. When the cloud throttles anyway (another tool using the
// same key, a quota lowered by the provider), the bucket halves its rate and
// empties, then earns the rate back step by step while calls go through
// (additive increase would take minutes at 40/s; ×1.25 every 10 s reaches the
// full rate from an eighth in ~1.5 min).
import type { ApiLimit } from './types.js';

/** Never slower than this share of the configured rate, however often the cloud throttles. */
const MIN_RATE_SHARE = 1 / 8;
const RECOVER_EVERY_MS = 10_000;
const RECOVER_FACTOR = 1.25;
const HALVE_AT_MOST_EVERY_MS = 1000;

export class AbortedError extends Error {
  constructor() {
    super('aborted');
    this.name = 'AbortedError';
  }
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class TokenBucket {
  private tokens: number;
  private rate: number;
  private lastRefill: number;
  private lastThrottleAt = -Infinity;
  private lastRecoverAt = -Infinity;
  private readonly queue: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly limit: ApiLimit,
    private readonly now: () => number = Date.now,
  ) {
    if (!(limit.ratePerSecond > 0) || !(limit.burst >= 1)) throw new Error(`a rate limit needs ratePerSecond > 0 and burst ≥ 1 (got ${limit.ratePerSecond}/s, burst ${limit.burst})`);
    this.rate = limit.ratePerSecond;
    this.tokens = limit.burst;
    this.lastRefill = now();
  }

  /** The rate in force now (below the configured one for a while after a throttle). */
  currentRate(): number {
    this.refill();
    return this.rate;
  }

  /** Takes a token now if one is there; else how many ms until one will be. */
  tryTake(): number {
    this.refill();
    if (this.queue.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return this.msUntilToken();
  }

  /** Resolves when a token is taken; rejects with AbortedError when the signal aborts first. */
  take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new AbortedError());
    if (this.tryTake() === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          reject(new AbortedError());
          if (this.queue.length === 0) this.clearTimer();
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
      this.schedule();
    });
  }

  /**
   * The cloud answered with its throttling error: drain, and halve the rate —
   * once per second at most, since the answers to calls already in flight
   * arrive together and say the same thing once.
   */
  throttled(): void {
    this.refill();
    const t = this.now();
    if (t - this.lastThrottleAt >= HALVE_AT_MOST_EVERY_MS) this.rate = Math.max(this.limit.ratePerSecond * MIN_RATE_SHARE, this.rate / 2);
    this.tokens = 0;
    this.lastThrottleAt = t;
    this.lastRecoverAt = t;
  }

  /** Waiters are rejected (the account is going away). */
  close(): void {
    this.clearTimer();
    for (const w of this.queue.splice(0)) {
      if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
      w.reject(new AbortedError());
    }
  }

  private refill(): void {
    const t = this.now();
    if (this.rate < this.limit.ratePerSecond && t - this.lastThrottleAt >= RECOVER_EVERY_MS) {
      const steps = Math.floor((t - this.lastRecoverAt) / RECOVER_EVERY_MS);
      if (steps > 0) {
        this.rate = Math.min(this.limit.ratePerSecond, this.rate * RECOVER_FACTOR ** steps);
        this.lastRecoverAt += steps * RECOVER_EVERY_MS;
      }
    }
    if (t > this.lastRefill) {
      this.tokens = Math.min(this.limit.burst, this.tokens + ((t - this.lastRefill) / 1000) * this.rate);
      this.lastRefill = t;
    } else if (t < this.lastRefill) {
      // The clock went back (NTP step): restart the accounting from here.
      this.lastRefill = t;
    }
  }

  private msUntilToken(): number {
    const missing = Math.max(0, this.queue.length + 1 - this.tokens);
    return Math.max(1, Math.ceil((missing / this.rate) * 1000));
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    this.refill();
    const wait = this.tokens >= 1 ? 0 : Math.max(1, Math.ceil(((1 - this.tokens) / this.rate) * 1000));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, wait);
    this.timer.unref?.();
  }

  private pump(): void {
    this.refill();
    while (this.queue.length > 0 && this.tokens >= 1) {
      this.tokens -= 1;
      const w = this.queue.shift()!;
      if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
      w.resolve();
    }
    this.schedule();
  }
}
