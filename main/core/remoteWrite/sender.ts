// One remote-write target's sender: reads the outbox from the target's
// cursor, sends one request at a time (so each series' samples arrive in
// order), and moves the cursor only once the engine has answered — so a
// crash, a restart or an outage never loses what was logged, within the
// target's age limit.
//
// What the spec asks of a sender (https://prometheus.io/docs/specs/remote_write_spec/,
// "Retries & Backoff"): retry on 5xx and 429 with backoff, never on other
// 4xx. So: 5xx, 429, a dropped connection and a timeout are retried with
// exponential backoff and full jitter between half and the whole step
// (100 ms doubling to 5 s, as Prometheus's min_backoff and max_backoff), or after the server's Retry-After when it is
// longer (capped at 5 minutes); other 4xx are counted by status and the
// batch is skipped; a batch that waits past the age limit is counted as
// dropped. Nothing is dropped silently: every sample ends up sent, rejected
// (by reason) or dropped (too old), and the counters say which.
import type { RemoteWriteStatus } from '../../common/remoteWrite.js';
import { EngineHttpError, type EngineClient } from '../engine/engineHttp.js';
import type { Logger } from '../log.js';
import { encodeRemoteWriteBody, REMOTE_WRITE_HEADERS, type WireSample, type WireSeries } from '../prometheus/remoteWrite.js';
import type { MetricStore, OutboxBatch } from '../store/types.js';
import { targetSeries, type TargetSeries, type TargetSeriesOptions } from './targetSeries.js';

export interface SenderOptions {
  readonly name: string;
  readonly store: Pick<MetricStore, 'outboxRead' | 'outboxAck'>;
  /** Posts to the target's write URL. */
  readonly client: EngineClient;
  readonly series: TargetSeriesOptions;
  readonly maxAgeMs: number;
  readonly maxSamplesPerSend: number;
  readonly now: () => number;
  readonly log: Logger;
  /** How often an idle sender looks for new samples (default 500 ms; the core writes once a second). */
  readonly idlePollMs?: number;
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  /** Jitter in [0, 1) (default Math.random). */
  readonly random?: () => number;
  /** The status moved (a batch went out, a failure, a recovery). */
  readonly onChange?: () => void;
}

const DEFAULT_BACKOFF = { baseMs: 100, maxMs: 5_000 };
const MAX_RETRY_AFTER_MS = 5 * 60_000;

export function backoffMs(attempt: number, policy: { baseMs: number; maxMs: number }, random: () => number, retryAfterMs?: number): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  const jittered = exp / 2 + (exp / 2) * random();
  return retryAfterMs !== undefined ? Math.max(jittered, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS)) : jittered;
}

type Delivery = 'sent' | 'rejected' | 'expired' | 'stopped';

export class RemoteWriteSender {
  private stopped = false;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private readonly seriesCache = new Map<number, TargetSeries>();
  /** Per series id, the newest time the engine accepted: a later batch never sends one at or before it. */
  private readonly lastSent = new Map<number, number>();
  private cursor = 0;
  private state: RemoteWriteStatus['state'] = 'idle';
  private sentSamples = 0;
  private sentBytes = 0;
  private droppedSamples = 0;
  private readonly rejected: Record<string, number> = {};
  private retries = 0;
  private lastSuccessAt: number | null = null;
  private lastError: { message: string; at: number } | null = null;
  private failing = false;

  constructor(private readonly options: SenderOptions) {}

  /** Starts sending from `cursor` (the target's place in the outbox). */
  start(cursor: number): void {
    this.cursor = cursor;
    this.running ??= this.run().catch((err: unknown) => this.options.log.error(`remote write ${this.options.name}: the sender stopped`, { error: (err as Error).message }));
  }

  /** Stops at once: a request in flight is cut off and its batch stays unsent in the outbox (sent again next time). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.wakeUp?.();
    await this.running;
  }

  /** Where the sender is in the outbox. */
  position(): number {
    return this.cursor;
  }

  status(): Omit<RemoteWriteStatus, 'pendingSamples' | 'oldestPendingAgeMs'> {
    return {
      state: this.state,
      sentSamples: this.sentSamples,
      sentBytes: this.sentBytes,
      droppedSamples: this.droppedSamples,
      rejectedSamples: { ...this.rejected },
      retries: this.retries,
      lastSuccessAt: this.lastSuccessAt,
      lastError: this.lastError?.message ?? null,
      lastErrorAt: this.lastError?.at ?? null,
    };
  }

  private changed(): void {
    this.options.onChange?.();
  }

  private async run(): Promise<void> {
    const { store, now, maxAgeMs, maxSamplesPerSend, log, name } = this.options;
    while (!this.stopped) {
      let batch: OutboxBatch;
      try {
        batch = await store.outboxRead({ from: this.cursor, maxSamples: maxSamplesPerSend, minAt: now() - maxAgeMs });
      } catch (err) {
        if (this.stopped) return;
        this.fail(`cannot read the outbox: ${(err as Error).message}`);
        await this.sleep(this.options.idlePollMs ?? 500);
        continue;
      }
      if (batch.dropped > 0) {
        this.droppedSamples += batch.dropped;
        log.warn(`remote write ${name}: ${batch.dropped} samples were older than ${Math.round(maxAgeMs / 60_000)} min and were dropped unsent`);
        this.changed();
      }
      if (batch.ids.length === 0) {
        if (batch.from !== this.cursor) await this.ack(batch.from);
        if (this.state !== 'idle' && !this.failing) {
          this.state = 'idle';
          this.changed();
        }
        await this.sleep(this.options.idlePollMs ?? 500);
        continue;
      }
      const request = this.build(batch);
      if (request.samples > 0) {
        const outcome = await this.deliver(request.series, request.samples, batch);
        if (outcome === 'stopped') return;
        if (outcome === 'sent') for (const s of request.newest) this.lastSent.set(s[0], s[1]);
      }
      await this.ack(batch.to);
    }
  }

  private async ack(pos: number): Promise<void> {
    this.cursor = pos;
    try {
      await this.options.store.outboxAck(this.options.name, pos);
    } catch (err) {
      // The cursor in memory moved on; on disk it is behind, so a restart sends some samples again (an engine takes them or answers 400).
      if (!this.stopped) this.options.log.warn(`remote write ${this.options.name}: could not save its place in the outbox`, { error: (err as Error).message });
    }
  }

  /** The request for a batch: its samples grouped by series in time order, with this target's labels. */
  private build(batch: OutboxBatch): { series: WireSeries[]; samples: number; newest: [number, number][] } {
    const refs = new Map(batch.series.map((s) => [s.id, s]));
    const groups = new Map<number, { labels: [string, string][]; samples: WireSample[]; lastT: number | undefined }>();
    let samples = 0;
    const skipped: Record<string, number> = {};
    for (let i = 0; i < batch.ids.length; i++) {
      const id = batch.ids[i]!;
      let target = this.seriesCache.get(id);
      if (!target) {
        const ref = refs.get(id);
        target = ref ? targetSeries(ref.name, ref.labels, this.options.series) : { skip: 'invalid_series', problem: 'the series is unknown to the store' };
        this.seriesCache.set(id, target);
        if ('skip' in target && target.skip === 'invalid_series') this.options.log.warn(`remote write ${this.options.name}: ${ref?.name ?? `series ${id}`} is not sent: ${target.problem}`);
      }
      if ('skip' in target) {
        if (target.skip !== 'not_selected') skipped[target.skip] = (skipped[target.skip] ?? 0) + 1;
        continue;
      }
      let group = groups.get(id);
      if (!group) groups.set(id, (group = { labels: target.labels, samples: [], lastT: this.lastSent.get(id) }));
      const t = batch.t[i]!;
      if (group.lastT !== undefined && t <= group.lastT) {
        // Within a series the engine wants strictly increasing times; one that is not would fail the whole request.
        skipped.out_of_order = (skipped.out_of_order ?? 0) + 1;
        continue;
      }
      group.samples.push({ t, v: batch.v[i]! });
      group.lastT = t;
      samples++;
    }
    for (const [reason, n] of Object.entries(skipped)) this.rejected[reason] = (this.rejected[reason] ?? 0) + n;
    const series: WireSeries[] = [];
    const newest: [number, number][] = [];
    for (const [id, g] of groups) {
      if (g.samples.length === 0) continue;
      series.push({ labels: g.labels, samples: g.samples });
      newest.push([id, g.lastT!]);
    }
    return { series, samples, newest };
  }

  private async deliver(series: readonly WireSeries[], samples: number, batch: OutboxBatch): Promise<Delivery> {
    const { client, now, maxAgeMs, log, name } = this.options;
    const body = encodeRemoteWriteBody(series);
    for (let attempt = 1; ; attempt++) {
      if (this.stopped) return 'stopped';
      try {
        await client.request({ method: 'POST', headers: REMOTE_WRITE_HEADERS, body, signal: this.abort.signal });
        this.sentSamples += samples;
        this.sentBytes += body.length;
        this.lastSuccessAt = now();
        if (this.failing) log.info(`remote write ${name}: sending again`);
        this.failing = false;
        this.state = 'sending';
        this.changed();
        return 'sent';
      } catch (err) {
        if (this.stopped) return 'stopped';
        const e = err instanceof EngineHttpError ? err : undefined;
        const status = e?.kind === 'status' ? e.status : undefined;
        if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
          // Not retried (the spec): the engine will refuse these samples again. Counted by status, and the batch skipped.
          const reason = `http_${status}`;
          this.rejected[reason] = (this.rejected[reason] ?? 0) + samples;
          this.fail(e!.message, false);
          log.warn(`remote write ${name}: the engine refused ${samples} samples`, { error: e!.message });
          return 'rejected';
        }
        this.retries++;
        this.fail(e?.message ?? `the request failed (${(err as Error)?.name ?? 'error'})`);
        if (batch.oldestAt !== undefined && batch.oldestAt < now() - maxAgeMs) {
          this.droppedSamples += samples;
          log.warn(`remote write ${name}: ${samples} samples waited longer than ${Math.round(maxAgeMs / 60_000)} min and were dropped unsent`);
          return 'expired';
        }
        await this.sleep(backoffMs(attempt, this.options.backoff ?? DEFAULT_BACKOFF, this.options.random ?? Math.random, e?.retryAfterMs));
      }
    }
  }

  private fail(message: string, retrying = true): void {
    if (!this.failing) this.options.log.warn(`remote write ${this.options.name}: ${message}`);
    this.failing = retrying;
    this.state = retrying ? 'retrying' : 'sending';
    this.lastError = { message, at: this.options.now() };
    this.changed();
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    }).finally(() => {
      this.wakeUp = undefined;
    });
  }
}
