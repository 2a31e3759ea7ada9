// The newest value of every cloud series, in memory: the overview's rows,
// the account screen's instance table and the /metrics exporter read it
// (never the database). Bounded by the fleet: one entry per series, removed
// with its instance or account.
import type { Labels, Sample } from '../../common/series.js';
import type { ExportedCloudInstance } from './exposition.js';

export interface LatestCloudValue {
  readonly name: string;
  /** The stored labels: cloud, account, region, instance, product, plus the mapping's (device…). */
  readonly labels: Labels;
  readonly value: number;
  readonly t: number;
}

/** Identifies one instance across accounts and regions. */
export function cloudInstanceKey(account: string, region: string, product: string, instance: string): string {
  return `${account}\u0000${region}\u0000${product}\u0000${instance}`;
}

/** One instance as the exporter's info metric names it. */
export type CloudInstanceInfo = ExportedCloudInstance;

export class CloudLatestValues {
  /** instance key → series key → value */
  private readonly byInstance = new Map<string, Map<string, LatestCloudValue>>();
  private readonly infos = new Map<string, CloudInstanceInfo>();
  /** Metric help texts by canonical name (from the mappings), for the exporter. */
  readonly help = new Map<string, string>();

  update(samples: readonly Sample[]): void {
    for (const s of samples) {
      const l = s.labels;
      const key = cloudInstanceKey(l.account ?? '', l.region ?? '', l.product ?? '', l.instance ?? '');
      let series = this.byInstance.get(key);
      if (!series) this.byInstance.set(key, (series = new Map()));
      const seriesKey = `${s.name}${JSON.stringify(l)}`;
      const prev = series.get(seriesKey);
      if (!prev || s.t >= prev.t) series.set(seriesKey, { name: s.name, labels: l, value: s.v, t: s.t });
    }
  }

  /** The instances an account has now (names included); values of instances no longer there are dropped. */
  setInstances(account: string, instances: readonly CloudInstanceInfo[]): void {
    const live = new Set(instances.map((i) => cloudInstanceKey(i.account, i.region, i.product, i.instance)));
    for (const [key, info] of this.infos) if (info.account === account && !live.has(key)) this.infos.delete(key);
    for (const key of [...this.byInstance.keys()]) if (key.startsWith(`${account}\u0000`) && !live.has(key)) this.byInstance.delete(key);
    for (const i of instances) this.infos.set(cloudInstanceKey(i.account, i.region, i.product, i.instance), i);
  }

  forgetAccount(account: string): void {
    this.setInstances(account, []);
  }

  /** The latest series of one instance. */
  ofInstance(key: string): readonly LatestCloudValue[] {
    return [...(this.byInstance.get(key)?.values() ?? [])];
  }

  instances(): readonly CloudInstanceInfo[] {
    return [...this.infos.values()];
  }

  /** Every series, for a /metrics scrape. */
  *series(): Iterable<LatestCloudValue> {
    for (const series of this.byInstance.values()) yield* series.values();
  }
}
