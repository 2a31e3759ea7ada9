// Pushed samples of one host → whole scrapes ("frames"), the unit an
// observation is made of. Prometheus and vmagent stamp every sample of one
// scrape with the scrape's time, but deliver a scrape in pieces: a shard sends
// when its batch is full or its deadline passes (queue_config
// max_samples_per_send, batch_send_deadline), shards run in parallel, and one
// request may hold the end of one scrape and the start of the next. So
// samples are gathered by timestamp, and a frame is handed on when it is
// complete: it holds as many series as the last frame handed on (a host's
// series rarely change between scrapes), or no sample joined it for
// `settleMs`. Frames go out in time order; a sample older than a frame
// already handed on is late and dropped (counted). Bounded: a host keeps at
// most `maxOpenFrames` open frames, the oldest is handed on early.
// Prometheus's staleness markers (a NaN with the bits 0x7ff0000000000002,
// sent when a series or a whole target disappears) are "no value" and never
// join a frame. No I/O, no timers: the caller passes the time.

export interface FrameSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Frame {
  /** The scrape's timestamp (sender's clock), ms since the epoch. */
  readonly t: number;
  readonly samples: readonly FrameSample[];
}

export interface FrameOptions {
  /** A frame nobody added to for this long is complete (default 6 s: above Prometheus's 5 s batch_send_deadline). */
  readonly settleMs?: number;
  readonly maxOpenFrames?: number;
  /** Samples whose timestamps differ by at most this much belong to one frame (senders that stamp each sample apart). */
  readonly toleranceMs?: number;
}

/** Prometheus's staleness marker (model/value/value.go StaleNaN). */
export const STALE_NAN_BITS = 0x7ff0000000000002n;
const scratch = new DataView(new ArrayBuffer(8));
export function isStaleMarker(v: number): boolean {
  if (!Number.isNaN(v)) return false;
  scratch.setFloat64(0, v);
  return scratch.getBigUint64(0) === STALE_NAN_BITS;
}

interface OpenFrame {
  t: number;
  readonly samples: Map<string, FrameSample>;
  lastArrival: number;
}

export class HostFrames {
  private readonly open: OpenFrame[] = [];
  private lastEmittedT = -Infinity;
  private expected = 0;
  /** Samples dropped because their frame had already been handed on. */
  late = 0;
  private readonly settleMs: number;
  private readonly maxOpenFrames: number;
  private readonly toleranceMs: number;

  constructor(options: FrameOptions = {}) {
    this.settleMs = options.settleMs ?? 6000;
    this.maxOpenFrames = options.maxOpenFrames ?? 16;
    this.toleranceMs = options.toleranceMs ?? 250;
  }

  /** Adds one sample taken at `t`, arriving at `now`; `key` identifies its series. */
  add(key: string, sample: FrameSample, t: number, now: number): void {
    if (isStaleMarker(sample.value)) return;
    if (t <= this.lastEmittedT) {
      this.late++;
      return;
    }
    let frame = this.open.find((f) => Math.abs(f.t - t) <= this.toleranceMs);
    if (!frame) {
      frame = { t, samples: new Map(), lastArrival: now };
      // Kept sorted by time: frames go out oldest first.
      let at = this.open.length;
      while (at > 0 && this.open[at - 1]!.t > t) at--;
      this.open.splice(at, 0, frame);
    }
    frame.t = Math.max(frame.t, t);
    frame.samples.set(key, sample);
    frame.lastArrival = now;
  }

  /** Frames complete at `now`, oldest first. */
  take(now: number): Frame[] {
    const out: Frame[] = [];
    while (this.open.length > 0) {
      const oldest = this.open[0]!;
      const complete = (this.expected > 0 && oldest.samples.size >= this.expected) || now - oldest.lastArrival >= this.settleMs || this.open.length > this.maxOpenFrames;
      if (!complete) break;
      this.open.shift();
      this.lastEmittedT = oldest.t;
      this.expected = oldest.samples.size;
      out.push({ t: oldest.t, samples: [...oldest.samples.values()] });
    }
    return out;
  }

  /** Samples waiting in open frames. */
  get pending(): number {
    let n = 0;
    for (const f of this.open) n += f.samples.size;
    return n;
  }
}
