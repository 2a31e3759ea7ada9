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
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
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
      this.active--;
      this.waiting.shift()?.();
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
