// Top-K ranking over bucketed range results: pure, so ties, gaps and series
// that vanished mid-window are tested without a store.
import type { Point, TopKAggregate, TopKRow } from '../../common/contract.js';
import type { Labels } from '../../common/series.js';

export interface RankableSeries {
  readonly labels: Labels;
  /** [bucket start, avg, min, max], ascending; missing buckets absent. */
  readonly points: readonly Point[];
}

export interface RankOptions {
  readonly aggregate: TopKAggregate;
  readonly k: number;
  readonly order: 'desc' | 'asc';
  /** The label naming the ranked entity (`host` for hosts). Series without it are skipped. */
  readonly entityLabel: string;
  /** Names the entity from several labels (a container is host + namespace + pod + container); wins over entityLabel. */
  readonly entityOf?: (labels: Labels) => string | undefined;
}

export interface Ranking {
  readonly total: number;
  readonly rows: TopKRow[];
}

const naturalOrder = new Intl.Collator('en', { numeric: true });

/**
 * The value of one series over the window. avg is the mean of the bucket
 * averages: buckets are equal in length, and weighting by sample count would
 * let a host that reported more often outweigh one that reported less.
 */
export function aggregatePoints(points: readonly Point[], aggregate: TopKAggregate): number | undefined {
  let sum = 0;
  let n = 0;
  let max = -Infinity;
  let last: number | undefined;
  for (const [, avg, , hi] of points) {
    if (!Number.isFinite(avg)) continue;
    sum += avg;
    n++;
    if (Number.isFinite(hi) && hi > max) max = hi;
    last = avg;
  }
  if (n === 0) return undefined;
  if (aggregate === 'avg') return sum / n;
  if (aggregate === 'max') return max === -Infinity ? undefined : max;
  return last;
}

/**
 * Ranks entities by their aggregate. An entity with several series of the
 * metric (one per mount, per core) takes its worst one (the highest for a
 * descending ranking, the lowest for an ascending one), so "fullest disk"
 * ranks hosts by their fullest mount. Entities without data in the window
 * are left out (not ranked as zero); ties break by entity name, naturally,
 * so the order is stable between refreshes.
 */
export function rankSeries(series: readonly RankableSeries[], options: RankOptions): Ranking {
  const better = (a: number, b: number) => (options.order === 'desc' ? a > b : a < b);
  const best = new Map<string, { value: number; s: RankableSeries }>();
  for (const s of series) {
    const entity = options.entityOf ? options.entityOf(s.labels) : s.labels[options.entityLabel];
    if (entity === undefined) continue;
    const value = aggregatePoints(s.points, options.aggregate);
    if (value === undefined) continue;
    const current = best.get(entity);
    if (!current || better(value, current.value)) best.set(entity, { value, s });
  }
  const ranked = [...best.entries()].sort(
    ([ea, a], [eb, b]) => (a.value === b.value ? naturalOrder.compare(ea, eb) : better(a.value, b.value) ? -1 : 1),
  );
  const rows = ranked.slice(0, options.k).map(([entity, { value, s }]): TopKRow => {
    const finite = s.points.filter((p) => Number.isFinite(p[1]));
    return {
      entity,
      labels: { ...s.labels },
      value,
      lastT: finite[finite.length - 1]![0],
      points: finite.map((p) => [p[0], options.aggregate === 'max' ? p[3] : p[1]]),
    };
  });
  return { total: ranked.length, rows };
}
