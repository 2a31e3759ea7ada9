// A counting semaphore for SSH handshakes, shared by every host: adding 300
// hosts at once queues their key exchanges instead of firing 300 (each costs a
// few ms of CPU here and a process fork on the server; OpenSSH's default
// MaxStartups 10:30:100 starts dropping unauthenticated connections past 10).

export class HandshakeLimiter {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(readonly max = 16) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`handshake limit must be a whole number >= 1, got ${max}`);
  }

  get running(): number {
    return this.active;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Runs fn when a slot is free; the slot is released when fn settles. */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new Error('aborted'));
    if (this.active < this.max) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        this.active++;
        resolve();
      };
      const onAbort = () => {
        const i = this.queue.indexOf(grant);
        if (i >= 0) this.queue.splice(i, 1);
        reject(new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(grant);
    });
  }

  private release(): void {
    this.active--;
    const next = this.queue.shift();
    if (next) next();
  }
}

/** The one limiter for the whole console unless a caller passes its own. */
export const sharedHandshakeLimiter = new HandshakeLimiter(16);
