// The hosts that push: the receiver's sink. Each valid series of a request
// is given to its host (named by its host label, see pushedHostNames.ts),
// gathered into whole scrapes (sources/push/pushFrames.ts), and every
// complete scrape becomes an observation of that host (node_* and
// container_* series, prometheus/hostObservation.ts), so a pushed host is
// the same kind of host as an SSH one. A host appears with its first
// complete scrape; the registry marks it stale after two intervals without
// one, this module marks it offline after `offlineAfterMs`, and the next
// scrape brings it back. Limits per host (series) and in all (hosts) are
// checked before anything of a request is applied, so a refused request can
// be retried whole.
import type { CoreContext } from '../coreContext.js';
import type { HostSource, SourceEvents } from '../model/hostSource.js';
import { observationFromSamples } from '../prometheus/hostObservation.js';
import type { WireSeries } from '../prometheus/remoteWrite.js';
import { HostFrames, isStaleMarker, type Frame, type FrameSample } from '../sources/push/pushFrames.js';
import type { ReceiverSink, ReceiverToken, SinkVerdict } from '../sources/push/remoteWriteReceiver.js';
import { hostPatternMatcher, pushedHostName } from './pushedHostNames.js';

export interface PushedHostsOptions {
  readonly hostLabel: string;
  readonly allowedHosts: readonly string[];
  readonly intervalMs: number;
  readonly offlineAfterMs: number;
  readonly maxSeriesPerHost: number;
  readonly maxHosts: number;
  /** Frame assembly (tests shorten it). */
  readonly settleMs?: number;
}

export const DEFAULT_PUSH_INTERVAL_MS = 15_000;
export const DEFAULT_OFFLINE_AFTER_MS = 120_000;

/** A series not pushed for this long is forgotten (and stops counting toward its host's limit): Prometheus's lookback delta. */
const SERIES_FORGET_MS = 5 * 60_000;

/** What a pushed host's source is: the feature feeds it; start and stop only connect it to the registry. */
class PushedHostSource implements HostSource {
  private events: SourceEvents | undefined;
  start(events: SourceEvents): void {
    this.events = events;
  }
  async stop(): Promise<void> {
    this.events = undefined;
  }
  observation(...args: Parameters<SourceEvents['observation']>): void {
    this.events?.observation(...args);
  }
  status(...args: Parameters<SourceEvents['status']>): void {
    this.events?.status(...args);
  }
}

interface PushedHost {
  readonly name: string;
  readonly frames: HostFrames;
  /** Series key → when it was last pushed (console clock). */
  readonly series: Map<string, number>;
  source?: PushedHostSource;
  lastArrival: number;
  /** When its series were last swept for ones not pushed for SERIES_FORGET_MS. */
  sweptAt: number;
  offline: boolean;
  address: string;
}

/** Names a series is kept for: node_exporter's and cAdvisor's; `up` tells whether the sender reached the host. */
const KEPT = /^(?:node_|container_)/;

export class PushedHosts implements ReceiverSink {
  private readonly hosts = new Map<string, PushedHost>();
  private allowed: (name: string) => boolean;
  /** Samples of accepted requests that no host took (not a kept name, no host label, a host not allowed or taken). */
  ignored = 0;
  private readonly warned = new Set<string>();

  constructor(
    private readonly ctx: CoreContext,
    private options: PushedHostsOptions,
  ) {
    this.allowed = hostPatternMatcher(options.allowedHosts);
  }

  configure(options: PushedHostsOptions): void {
    this.options = options;
    this.allowed = hostPatternMatcher(options.allowedHosts);
  }

  get count(): number {
    return this.hosts.size;
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key) || this.warned.size > 1000) return;
    this.warned.add(key);
    this.ctx.log.warn(message);
  }

  /** The host a host label's value names, or null when it may not be one (not allowed, or the name of another kind of host). */
  private hostFor(hostValue: string, token: ReceiverToken, seen: Map<string, string | null>): string | null {
    const known = seen.get(hostValue);
    if (known !== undefined) return known;
    let host: string | null = pushedHostName(hostValue, token.hostPrefix ?? '') ?? null;
    if (host && !this.allowed(host)) {
      this.warnOnce(`allow:${host}`, `remote write: host ${host} is not in allowed_hosts; its series are ignored`);
      host = null;
    }
    const existing = host ? this.ctx.host(host) : undefined;
    if (host && existing && existing.host.kind !== 'pushed') {
      this.warnOnce(`taken:${host}`, `remote write: ${host} is the name of a ${existing.host.kind} host; series pushed under that name are ignored (give the sender's token a host_prefix)`);
      host = null;
    }
    seen.set(hostValue, host);
    return host;
  }

  accept(series: readonly WireSeries[], sender: { readonly token: ReceiverToken; readonly remoteAddress: string }): SinkVerdict {
    const now = this.ctx.now();
    const { hostLabel } = this.options;
    // First pass: which host each series goes to, and whether that fits the limits. Nothing is applied yet.
    const routed: { host: string; key: string; name: string; labels: Record<string, string>; samples: WireSeries['samples'] }[] = [];
    const newSeries = new Map<string, Set<string>>();
    // A request carries a few hosts' series: each host's name and checks are worked out once per request, not per series.
    const hostsSeen = new Map<string, string | null>();
    for (const s of series) {
      let name = '';
      let hostValue: string | undefined;
      const labels: Record<string, string> = {};
      for (const [k, v] of s.labels) {
        if (k === '__name__') name = v;
        else {
          labels[k] = v;
          if (k === hostLabel) hostValue = v;
        }
      }
      const kept = KEPT.test(name) || name === 'up';
      const host = kept && hostValue !== undefined ? this.hostFor(hostValue, sender.token, hostsSeen) : undefined;
      if (!host) {
        this.ignored += s.samples.length;
        continue;
      }
      const key = s.labels.map(([k, v]) => `${k}\u0001${v}`).join('\u0000');
      routed.push({ host, key, name, labels, samples: s.samples });
      const known = this.hosts.get(host)?.series;
      if (!known?.has(key)) {
        let set = newSeries.get(host);
        if (!set) newSeries.set(host, (set = new Set()));
        set.add(key);
      }
    }
    const newHosts = [...newSeries.keys()].filter((h) => !this.hosts.has(h)).length;
    if (newHosts > 0 && this.hosts.size + newHosts > this.options.maxHosts) {
      return { ok: false, status: 429, retryAfterSeconds: 60, reason: `more than ${this.options.maxHosts} pushed hosts (max_hosts); nothing of this request was applied` };
    }
    for (const [host, added] of newSeries) {
      const known = this.hosts.get(host)?.series.size ?? 0;
      if (known + added.size > this.options.maxSeriesPerHost) {
        return { ok: false, status: 429, retryAfterSeconds: 60, reason: `host ${host} would have more than ${this.options.maxSeriesPerHost} series (max_series_per_host); nothing of this request was applied` };
      }
    }
    // Second pass: apply.
    const touched = new Set<PushedHost>();
    for (const r of routed) {
      let host = this.hosts.get(r.host);
      if (!host) {
        host = { name: r.host, frames: new HostFrames(this.options.settleMs !== undefined ? { settleMs: this.options.settleMs } : {}), series: new Map(), lastArrival: now, sweptAt: now, offline: false, address: sender.remoteAddress };
        this.hosts.set(r.host, host);
      }
      host.series.set(r.key, now);
      host.lastArrival = now;
      host.address = sender.remoteAddress;
      touched.add(host);
      const sample: Omit<FrameSample, 'value'> = { name: r.name, labels: r.labels };
      for (const { t, v } of r.samples) host.frames.add(r.key, { ...sample, value: v }, t, now);
    }
    // Only the hosts this request fed: with hundreds of hosts, visiting every one after every request costs more than the request.
    for (const host of touched) this.flushHost(host, now);
    return { ok: true };
  }

  /** Hands complete scrapes on as observations; marks silent hosts offline; forgets old series. Called every second (and, for the hosts it fed, after each request). */
  flush(now: number): void {
    for (const host of this.hosts.values()) this.flushHost(host, now);
  }

  private flushHost(host: PushedHost, now: number): void {
    for (const frame of host.frames.take(now)) this.observe(host, frame, now);
    if (!host.offline && host.source && now - host.lastArrival > this.options.offlineAfterMs) {
      host.offline = true;
      host.source.status('offline', `nothing pushed for ${Math.round((now - host.lastArrival) / 1000)} s`);
    }
    // A sweep visits every series of the host: once a minute is often enough to forget after five.
    if (host.series.size > 0 && now - host.sweptAt >= 60_000) {
      host.sweptAt = now;
      for (const [key, at] of host.series) if (now - at > SERIES_FORGET_MS) host.series.delete(key);
    }
  }

  private observe(host: PushedHost, frame: Frame, now: number): void {
    const node = frame.samples.filter((s) => KEPT.test(s.name) && Number.isFinite(s.value));
    if (node.length === 0) {
      // The sender's own verdict on its scrape: `up` 0 means it could not reach the host's exporter.
      const up = frame.samples.find((s) => s.name === 'up');
      if (up && up.value === 0 && host.source && !host.offline) host.source.status('offline', 'the sender could not scrape its node_exporter (up = 0)');
      return;
    }
    if (!host.source) {
      host.source = new PushedHostSource();
      this.ctx.addHost({ id: host.name, name: host.name, kind: 'pushed', pollIntervalMs: this.options.intervalMs, tags: [], provisioned: false, address: host.address }, host.source);
      this.ctx.log.info(`host ${host.name}: pushed by ${host.address || 'a sender'}`);
    }
    host.offline = false;
    // The sender's clock stamps the scrape; one far ahead of this machine's would have its samples refused as "in the future".
    const t = frame.t > now + 60_000 ? now : frame.t;
    host.source.observation(observationFromSamples(node, { t, dropLabels: [this.options.hostLabel] }));
  }

  /** Forgets every pushed host (the receiver was turned off): they leave the fleet, their history stays. */
  async clear(): Promise<void> {
    const names = [...this.hosts.values()].filter((h) => h.source).map((h) => h.name);
    this.hosts.clear();
    for (const name of names) await this.ctx.removeHost(name);
  }
}

export { isStaleMarker };
