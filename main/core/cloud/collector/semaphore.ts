// A counting semaphore with first-come order, for the collector's bounded
// concurrency per account, region, product and metric.
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new Error(`a concurrency limit must be at least 1 (got ${limit})`);
  }

  async acquire(): Promise<() => void> {
    if (this.active < this.limit) {
      this.active++;
      return this.releaser();
    }
    // The releasing holder hands its slot over (see releaser), so the count
    // never drops in between for another acquire() to slip in.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return this.releaser();
  }

  get inUse(): number {
    return this.active;
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
  }
}

/** Semaphores made on first use per key, all with the same limit. */
export class SemaphorePool {
  private readonly byKey = new Map<string, Semaphore>();
  constructor(private readonly limit: number) {}

  get(key: string): Semaphore {
    let s = this.byKey.get(key);
    if (!s) this.byKey.set(key, (s = new Semaphore(this.limit)));
    return s;
  }
}
