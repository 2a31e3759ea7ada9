// The alert engine's window reader over the history store. The store only
// answers bucketed range queries ([t, avg, min, max] per bucket), so the
// reader asks for buckets narrower than the poll interval: each bucket then
// holds one raw sample (the store serves windows of hours from its raw tier),
// and its avg is that sample. When two samples share a bucket (poll jitter)
// a `max` rule reads the bucket's max and a `min` rule its min, so a spike is
// never averaged away. Windows too long for that many buckets fall to the
// store's minute/hour rollups, which is what a rule over days wants anyway.
import type { LabelMatcher, Labels, SeriesSelector } from '../../common/series.js';
import type { WindowAggregate } from '../../common/alertRules.js';
import type { MetricStore } from '../store/types.js';
import type { SeriesWindowReader } from './engine.js';

/** Upper bound on buckets per series per read: bounds a rule's cost whatever its window. */
export const MAX_BUCKETS_PER_READ = 2000;

/**
 * `watchedHosts` names the hosts the console watches now: series of a host that
 * exists only in history (removed, or never configured here) are not evaluated,
 * or every such host would raise "no data" forever.
 */
export function storeWindowReader(store: MetricStore, pollIntervalMs: () => number, watchedHosts?: () => ReadonlySet<string>): SeriesWindowReader {
  return {
    async read(selector: SeriesSelector, from: number, to: number, aggregate?: WindowAggregate) {
      if (!(to > from)) return [];
      const watched = watchedHosts?.();
      // At most half the poll interval per bucket, so one sample per bucket even
      // when a poll runs late. The store rounds the width up to a "nice" step,
      // and nice steps are at most 2.5× apart: asking for a fifth stays under half.
      const wanted = Math.max(1, Math.floor(pollIntervalMs() / 5));
      const maxPoints = Math.min(MAX_BUCKETS_PER_READ, Math.max(2, Math.ceil((to - from) / wanted)));
      // The store's range is [from, to); the engine's window is (from, to].
      const ranges = await store.query({ selector: { name: selector.name, matchers: selector.matchers as LabelMatcher[] | undefined }, from: from + 1, to: to + 1, maxPoints });
      const column = aggregate === 'max' ? 3 : aggregate === 'min' ? 2 : 1;
      const out: { labels: Labels; points: [number, number][] }[] = [];
      for (const range of ranges) {
        if (range.points.length === 0) continue;
        if (watched && range.labels.host !== undefined && !watched.has(range.labels.host)) continue;
        const points: [number, number][] = [];
        for (const p of range.points) {
          // The store answers whole buckets: one starting before the window may
          // hold a sample from before it, so it is left out (at most one bucket
          // width, a fraction of a poll, is lost at the window's old edge).
          if (p[0] <= from) continue;
          points.push([Math.min(to, p[0]), p[column]!]);
        }
        if (points.length) out.push({ labels: range.labels, points });
      }
      return out;
    },
  };
}
