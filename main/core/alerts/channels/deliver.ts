// Delivery with bounded retries: exponential backoff with jitter, capped per
// wait and in attempts, honouring a server's Retry-After within the cap. A
// non-retryable failure (4xx, a robot's rejection) stops at once. Every
// attempt is reported so the journal shows what happened.
import type { PlannedNotification } from '../model.js';
import type { DeliveryProblem } from '../../../common/alertChannels.js';
import { DeliveryError, type NotificationChannel } from './types.js';

export interface RetryPolicy {
  /** Attempts in all, first included (default 5). */
  readonly maxAttempts?: number;
  /** Wait before the second attempt (default 1 s); doubles each time. */
  readonly baseDelayMs?: number;
  /** Longest single wait (default 60 s). */
  readonly maxDelayMs?: number;
}

export interface DeliveryOutcome {
  readonly ok: boolean;
  readonly attempts: number;
  /** Safe to show and log (see DeliveryError). */
  readonly error?: string;
  /** The last failure's problem, when the channel said what it was. */
  readonly problem?: DeliveryProblem;
}

export interface DeliverOptions extends RetryPolicy {
  readonly sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1) (default Math.random). */
  readonly random?: () => number;
  readonly onAttempt?: (attempt: number, error: string | undefined) => void;
}

export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number, retryAfterMs?: number): number {
  const base = policy.baseDelayMs ?? 1000;
  const cap = policy.maxDelayMs ?? 60_000;
  // Full jitter between half and the whole exponential step, so a fleet of
  // alerts failing together does not retry in lockstep.
  const exp = Math.min(cap, base * 2 ** (attempt - 1));
  const jittered = exp / 2 + (exp / 2) * random();
  return Math.min(cap, Math.max(jittered, retryAfterMs ?? 0));
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function deliverWithRetry(channel: NotificationChannel, n: PlannedNotification, options: DeliverOptions = {}): Promise<DeliveryOutcome> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  let lastError: string | undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    try {
      await channel.send(n);
      options.onAttempt?.(attempt, undefined);
      return { ok: true, attempts: attempt };
    } catch (err) {
      // Only DeliveryError messages are known to be scrubbed; anything else is reported by kind only.
      const safe = err instanceof DeliveryError ? err.message : `${channel.type} channel failed (${(err as Error)?.name ?? 'error'})`;
      lastError = safe;
      options.onAttempt?.(attempt, safe);
      const retryable = err instanceof DeliveryError ? err.retryable : false;
      const problem = err instanceof DeliveryError ? err.problem : undefined;
      if (!retryable || attempt === maxAttempts) return { ok: false, attempts: attempt, error: safe, ...(problem ? { problem } : {}) };
      await sleep(backoffDelay(attempt, options, random, err instanceof DeliveryError ? err.retryAfterMs : undefined));
    }
  }
  return { ok: false, attempts: maxAttempts, error: lastError };
}
