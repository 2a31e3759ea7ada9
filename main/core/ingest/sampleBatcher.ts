// Between derivation and the history store: samples of every host join one
// batch, written once a second (or sooner when it grows large) in one call to
// the store's worker, and the UI is told which hosts got samples only after
// the write, so a screen that re-queries on that event sees them. Late
// samples (clouds) are written in batches of their own, because the store
// keeps their windows open longer. Samples only for the remote-write outbox
// (raw counters, staleness markers) are written right after the batch they
// came with, so a series' marker is logged after its last sample.
import type { HostSummary } from '../../common/contract.js';
import type { Sample } from '../../common/series.js';
import type { CoreHealth } from '../coreContext.js';
import type { Logger } from '../log.js';
import type { AppendOptions, MetricStore } from '../store/types.js';

/** Samples are written in one transaction per flush. */
export const FLUSH_INTERVAL_MS = 1000;
const FLUSH_EARLY_AT_SAMPLES = 20_000;

export interface SampleBatcherOptions {
  readonly store: MetricStore;
  readonly health: CoreHealth;
  readonly log: Logger;
  /** After each written batch: the summary of each host's newest observation in it. */
  readonly onWritten: (summaries: readonly HostSummary[]) => void;
}

export class SampleBatcher {
  private pending: Sample[] = [];
  private pendingOutbox: Sample[] = [];
  /** Host id → the summary of its newest observation in `pending`. */
  private pendingHosts = new Map<string, HostSummary>();

  constructor(private readonly options: SampleBatcherOptions) {}

  /** Adds one observation's derived samples to the next batch. */
  add(summary: HostSummary, samples: readonly Sample[]): void {
    for (const s of samples) this.pending.push(s);
    this.pendingHosts.set(summary.hostId, summary);
    if (this.pending.length >= FLUSH_EARLY_AT_SAMPLES) void this.flush();
  }

  /**
   * Samples that come from no host observation (cloud collectors). Without
   * options they join the next batch; with `maxDelayMs` they are written as a
   * batch of their own that may reach that far into the past.
   */
  ingest(samples: readonly Sample[], appendOptions?: AppendOptions): Promise<void> {
    if (samples.length === 0) return Promise.resolve();
    if (appendOptions?.outboxOnly) {
      for (const s of samples) this.pendingOutbox.push(s);
      if (this.pendingOutbox.length >= FLUSH_EARLY_AT_SAMPLES) return this.flush();
      return Promise.resolve();
    }
    if (appendOptions?.maxDelayMs) return this.write(samples, appendOptions);
    for (const s of samples) this.pending.push(s);
    if (this.pending.length >= FLUSH_EARLY_AT_SAMPLES) return this.flush();
    return Promise.resolve();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0 && this.pendingOutbox.length === 0) return;
    const batch = this.pending;
    const outbox = this.pendingOutbox;
    const hosts = this.pendingHosts;
    this.pending = [];
    this.pendingOutbox = [];
    this.pendingHosts = new Map();
    // Both calls are queued on the store's thread in this order before either is awaited.
    const written = batch.length > 0 ? this.write(batch) : Promise.resolve();
    const logged = outbox.length > 0 ? this.logForOutbox(outbox) : Promise.resolve();
    await written;
    if (hosts.size > 0) this.options.onWritten([...hosts.values()]);
    await logged;
  }

  /** Outbox-only samples: not history, so a failure is logged but not counted as lost history. */
  private async logForOutbox(batch: readonly Sample[]): Promise<void> {
    try {
      await this.options.store.append(batch, { outboxOnly: true });
    } catch (err) {
      this.options.log.error('could not log samples for remote write', { samples: batch.length, error: (err as Error).message });
    }
  }

  /**
   * Writes one batch; a failure (a full disk, a locked database) is logged,
   * counted and shown (Settings, /metrics) until a write succeeds again, and
   * the next batch tries again. The failed batch is not kept: a disk that
   * stays full would grow the console's memory without bound.
   */
  private async write(batch: readonly Sample[], appendOptions?: AppendOptions): Promise<void> {
    const { store, health, log } = this.options;
    try {
      await store.append(batch, appendOptions);
      health.samplesIngested += batch.length;
      if (health.ingestError) {
        log.info('writing history again', { since: new Date(health.ingestError.since).toISOString() });
        health.ingestError = undefined;
      }
    } catch (err) {
      const message = (err as Error).message;
      const at = Date.now();
      health.ingestFailures++;
      health.samplesLost += batch.length;
      health.ingestError = { message, since: health.ingestError?.since ?? at, at };
      log.error('could not write samples to history', { samples: batch.length, error: message });
    }
  }
}
