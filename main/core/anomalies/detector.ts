// The anomaly detector over a metric store: learns every series' baseline
// from the hour rollups in bounded slices (one metric name per slice), scores
// each learned series' last 5 minutes once per cycle, keeps the anomaly rate
// per entity, and answers the band, "unusual now" and "what happened here?"
// queries. No timers here: the feature drives it, tests call it directly with
// a fixed clock.
import type { AnomalyFamily, AnomalySensitivity, EntityRate, EntityRef, ExplainResult, ExplainRow, SeriesBand, SeriesScore, UnusualResult } from '../../common/anomalies.js';
import type { RangeQuery } from '../../common/contract.js';
import { matchesLabels, seriesKey, type Labels, type Sample, type SeriesSelector } from '../../common/series.js';
import type { MetricStore, StoredRange } from '../store/types.js';
import { ANOMALY_RATE_SERIES } from '../../common/anomalies.js';
import { HOUR_MS, LEARN_WINDOW_MS, Z_THRESHOLD, baselineBytes, baselineView, bucketAt, isAnomalous, learnBaseline, normalRange, zScore, type Baseline } from './baseline.js';
import { entityKey, entityLabels, entityOf, learnsName } from './entity.js';

/** The window each scoring cycle scores: the mean of the last 5 minutes (one odd sample does not flag, a sustained change shows within minutes). */
export const SCORE_WINDOW_MS = 5 * 60_000;
/** "What happened here?" compares at most this many series (the rest are counted as skipped) and gives up reading after this long. */
export const EXPLAIN_MAX_SERIES = 50_000;
export const EXPLAIN_BUDGET_MS = 10_000;
/** Steps a "what happened here?" window is cut into (each step's mean is scored). */
export const EXPLAIN_STEPS = 30;

export interface LearnedSeries {
  readonly name: string;
  readonly labels: Labels;
  readonly entity: EntityRef;
  readonly family: AnomalyFamily;
  baseline: Baseline;
  /** The last cycle's score. */
  value?: number;
  z?: number;
  scoredAt?: number;
}

export interface DetectorOptions {
  readonly store: Pick<MetricStore, 'names' | 'query'>;
  readonly now: () => number;
  readonly sensitivity: () => AnomalySensitivity;
  readonly families: () => readonly AnomalyFamily[];
}

export function createDetector(options: DetectorOptions) {
  const learned = new Map<string, LearnedSeries>();
  /** Metric names left in the current refresh sweep, and the hour it started in. */
  let queue: string[] = [];
  let sweepHour = -1;
  let sweepStartedAt = 0;
  let sweepMs = 0;
  let lastRefreshAt: number | undefined;
  let lastRefreshMs: number | undefined;
  let rates: EntityRate[] = [];
  let lastScoredAt: number | undefined;
  const cycleMs: number[] = [];

  const threshold = () => Z_THRESHOLD[options.sensitivity()];

  function learnRange(range: StoredRange, now: number): void {
    const owner = entityOf(range.labels);
    if (!owner || !options.families().includes(owner.family)) return;
    const key = seriesKey(range.name, range.labels);
    const baseline = learnBaseline(range.name, range.points, now);
    const prev = learned.get(key);
    if (prev) prev.baseline = baseline;
    else learned.set(key, { name: range.name, labels: range.labels, entity: owner.entity, family: owner.family, baseline });
  }

  /** Learns one metric name's series from the hour rollups of the last 4 weeks (complete hours only). */
  async function learnName(name: string): Promise<void> {
    const now = options.now();
    const to = Math.floor(now / HOUR_MS) * HOUR_MS;
    const ranges = await options.store.query({ selector: { name }, from: to - LEARN_WINDOW_MS, to: to - 1, maxPoints: LEARN_WINDOW_MS / HOUR_MS });
    const seen = new Set<string>();
    for (const r of ranges) {
      seen.add(seriesKey(r.name, r.labels));
      learnRange(r, now);
    }
    // Series of this name with no rollups left in the window have aged out.
    for (const [key, s] of learned) if (s.name === name && !seen.has(key)) learned.delete(key);
  }

  /**
   * One slice of background refresh: starts a sweep over every metric name
   * once per sealed hour (and at start), then learns one name per call.
   * Returns whether work is left in the sweep.
   */
  async function refreshSlice(): Promise<boolean> {
    const now = options.now();
    const hour = Math.floor(now / HOUR_MS);
    if (queue.length === 0) {
      if (hour === sweepHour) return false;
      const names = await options.store.names();
      queue = names.map((n) => n.name).filter(learnsName);
      sweepHour = hour;
      sweepStartedAt = now;
      sweepMs = 0;
      const known = new Set(queue);
      for (const [key, s] of learned) if (!known.has(s.name)) learned.delete(key);
      if (queue.length === 0) return false;
    }
    const started = performance.now();
    await learnName(queue.shift()!);
    sweepMs += performance.now() - started;
    if (queue.length === 0) {
      lastRefreshAt = sweepStartedAt;
      lastRefreshMs = sweepMs;
      return false;
    }
    return true;
  }

  /** A whole sweep at once (tests, the bench). */
  async function refreshAll(): Promise<void> {
    queue = [];
    sweepHour = -1;
    while (await refreshSlice());
  }

  function namesLearned(): Map<string, LearnedSeries[]> {
    const byName = new Map<string, LearnedSeries[]>();
    for (const s of learned.values()) {
      if (s.baseline.kind === 'learning') continue;
      let list = byName.get(s.name);
      if (!list) byName.set(s.name, (list = []));
      list.push(s);
    }
    return byName;
  }

  const meanOf = (points: readonly (readonly number[])[], from: number, to: number): number | undefined => {
    let sum = 0;
    let n = 0;
    for (const p of points) {
      if (p[0]! < from || p[0]! >= to || !Number.isFinite(p[1]!)) continue;
      sum += p[1]!;
      n++;
    }
    return n ? sum / n : undefined;
  };

  /** Scores every learned series' last 5 minutes; returns the anomaly rate samples to store. */
  async function score(): Promise<Sample[]> {
    const started = performance.now();
    const now = options.now();
    const from = now - SCORE_WINDOW_MS;
    const th = threshold();
    for (const [name, list] of namesLearned()) {
      const ranges = await options.store.query({ selector: { name }, from, to: now, maxPoints: SCORE_WINDOW_MS / 60_000 });
      const byKey = new Map(ranges.map((r) => [seriesKey(r.name, r.labels), r]));
      for (const s of list) {
        const r = byKey.get(seriesKey(s.name, s.labels));
        const value = r ? meanOf(r.points, from - 60_000, now + 1) : undefined;
        if (value === undefined) {
          s.value = undefined;
          s.z = undefined;
          continue;
        }
        s.value = value;
        s.z = zScore(s.baseline, now, value);
        s.scoredAt = now;
      }
    }
    const perEntity = new Map<string, { entity: EntityRef; labels: Record<string, string>; flagged: number; scored: number }>();
    for (const s of learned.values()) {
      if (s.scoredAt !== now || s.z === undefined || !bucketAt(s.baseline, now)) continue;
      const k = entityKey(s.entity);
      let e = perEntity.get(k);
      if (!e) perEntity.set(k, (e = { entity: s.entity, labels: entityLabels(s.labels, s.entity.kind), flagged: 0, scored: 0 }));
      e.scored++;
      if (isAnomalous(s.z, th)) e.flagged++;
    }
    rates = [...perEntity.values()].map((e) => ({ entity: e.entity, rate: e.flagged / e.scored, flagged: e.flagged, scored: e.scored })).sort((a, b) => b.rate - a.rate || a.entity.id.localeCompare(b.entity.id));
    lastScoredAt = now;
    cycleMs.push(performance.now() - started);
    if (cycleMs.length > 15) cycleMs.shift();
    return [...perEntity.values()].map((e) => ({ name: ANOMALY_RATE_SERIES, labels: e.labels, t: now, v: e.flagged / e.scored }));
  }

  function scoreOf(s: LearnedSeries, t: number, value: number, z: number, th: number): SeriesScore {
    return { name: s.name, labels: s.labels, entity: s.entity, value, baseline: baselineView(s.name, s.baseline, t, th), z, direction: z < 0 ? 'down' : 'up', anomalous: isAnomalous(z, th) };
  }

  function unusual(entity: EntityRef, limit: number): UnusualResult {
    const th = threshold();
    const at = lastScoredAt ?? options.now();
    let scored = 0;
    let learning = 0;
    const series: SeriesScore[] = [];
    for (const s of learned.values()) {
      if (s.entity.kind !== entity.kind || s.entity.id !== entity.id) continue;
      scored++;
      if (s.baseline.kind === 'learning' || s.z === undefined || s.value === undefined || !bucketAt(s.baseline, at)) {
        learning++;
        continue;
      }
      series.push(scoreOf(s, at, s.value, s.z, th));
    }
    series.sort((a, b) => Math.abs(b.z) - Math.abs(a.z));
    return { at, series: series.slice(0, limit), scored, learning };
  }

  /** Verdicts for alert rules: learned series matching a selector (name `*`: any), scored in the last cycle, at a sensitivity. */
  function verdicts(selector: SeriesSelector, sensitivity: AnomalySensitivity): SeriesScore[] {
    const th = Z_THRESHOLD[sensitivity];
    const at = lastScoredAt ?? options.now();
    const out: SeriesScore[] = [];
    for (const s of learned.values()) {
      if ((selector.name !== '*' && s.name !== selector.name) || !matchesLabels(s.labels, selector.matchers)) continue;
      if (s.z === undefined || s.value === undefined || s.scoredAt !== lastScoredAt || !bucketAt(s.baseline, at)) continue;
      out.push(scoreOf(s, at, s.value, s.z, th));
    }
    return out;
  }

  async function band(q: RangeQuery): Promise<SeriesBand[]> {
    const th = threshold();
    const out: SeriesBand[] = [];
    for (const selector of q.selectors) {
      const ranges = await options.store.query({ selector, from: q.from, to: q.to, maxPoints: q.maxPoints });
      for (const r of ranges) {
        const s = learned.get(seriesKey(r.name, r.labels));
        const kind = s?.baseline.kind ?? 'learning';
        const bandRows: [number, number, number, number][] = [];
        const flagged: [number, number][] = [];
        if (s && kind !== 'learning') {
          // The band at every step of the chart (not only where the line has points), so gaps in the line keep the band.
          const first = Math.floor(q.from / r.stepMs) * r.stepMs;
          for (let t = first; t < q.to; t += r.stepMs) {
            const b = bucketAt(s.baseline, t + r.stepMs / 2);
            if (b) bandRows.push([t, b.centre, ...normalRange(r.name, b.centre, b.spread, th)]);
          }
          for (const p of r.points) {
            const b = bucketAt(s.baseline, p[0] + r.stepMs / 2);
            if (!b || !isAnomalous((p[1] - b.centre) / b.spread, th)) continue;
            const last = flagged[flagged.length - 1];
            if (last && last[1] === p[0]) last[1] = p[0] + r.stepMs;
            else flagged.push([p[0], p[0] + r.stepMs]);
          }
        }
        out.push({ name: r.name, labels: r.labels, stepMs: r.stepMs, kind, band: bandRows, flagged });
      }
    }
    return out;
  }

  /**
   * "What happened here?": every learned series in scope (a host's own and
   * its containers' series, or the fleet's) scored over [from, to). The
   * window is cut into about 30 steps; each step's mean gets a z against its
   * bucket, and a series' score is the mean |z| over the steps it has data in
   * (a sustained shift outranks a lone spike of the same height; a spike of
   * height h over one step of 30 still scores h/30). The row's z and
   * baseline are those of its most unusual step; `value` is the window's
   * mean, `before` the mean over the same span just before the window.
   */
  async function explain(scope: { kind: 'fleet' } | { kind: 'host'; hostId: string }, from: number, to: number, limit: number): Promise<ExplainResult> {
    const started = performance.now();
    const th = threshold();
    const span = to - from;
    const inScope = (s: LearnedSeries) => scope.kind === 'fleet' || s.labels.host === scope.hostId;
    const byName = new Map<string, LearnedSeries[]>();
    let candidates = 0;
    let skipped = 0;
    for (const s of learned.values()) {
      if (!inScope(s)) continue;
      if (s.baseline.kind === 'learning' || candidates >= EXPLAIN_MAX_SERIES) {
        skipped++;
        continue;
      }
      candidates++;
      let list = byName.get(s.name);
      if (!list) byName.set(s.name, (list = []));
      list.push(s);
    }
    const rows: ExplainRow[] = [];
    let evaluated = 0;
    for (const [name, list] of byName) {
      if (performance.now() - started > EXPLAIN_BUDGET_MS) {
        skipped += list.length;
        continue;
      }
      const selector: SeriesSelector = scope.kind === 'host' ? { name, matchers: [{ label: 'host', op: '=', value: scope.hostId }] } : { name };
      const ranges = await options.store.query({ selector, from: from - span, to, maxPoints: 2 * EXPLAIN_STEPS });
      const byKey = new Map(ranges.map((r) => [seriesKey(r.name, r.labels), r]));
      for (const s of list) {
        const r = byKey.get(seriesKey(s.name, s.labels));
        let sumAbs = 0;
        let steps = 0;
        let worst = 0;
        let worstT = from;
        if (r) {
          for (const p of r.points) {
            if (p[0] < from || p[0] >= to) continue;
            const mid = p[0] + r.stepMs / 2;
            if (!bucketAt(s.baseline, mid)) continue;
            const z = zScore(s.baseline, mid, p[1]);
            sumAbs += Math.abs(z);
            steps++;
            if (Math.abs(z) > Math.abs(worst)) {
              worst = z;
              worstT = mid;
            }
          }
        }
        const value = r ? meanOf(r.points, from, to) : undefined;
        if (!steps || value === undefined) {
          skipped++;
          continue;
        }
        evaluated++;
        const before = meanOf(r!.points, from - span, from);
        rows.push({ ...scoreOf(s, worstT, value, worst, th), score: sumAbs / steps, ...(before === undefined ? {} : { before }) });
      }
    }
    rows.sort((a, b) => b.score - a.score);
    return { from, to, evaluated, skipped, rows: rows.slice(0, limit), tookMs: performance.now() - started };
  }

  function status() {
    let seriesLearned = 0;
    let seriesLearning = 0;
    let memoryBytes = 0;
    for (const s of learned.values()) {
      if (s.baseline.kind === 'learning') seriesLearning++;
      else seriesLearned++;
      memoryBytes += baselineBytes(s.baseline) + 200;
    }
    const sorted = [...cycleMs].sort((a, b) => a - b);
    return {
      seriesLearned,
      seriesLearning,
      memoryBytes,
      ...(lastRefreshAt === undefined ? {} : { lastRefreshAt }),
      ...(lastRefreshMs === undefined ? {} : { lastRefreshMs }),
      ...(sorted.length ? { scoreCycleMs: sorted[sorted.length >> 1]! } : {}),
    };
  }

  return {
    refreshSlice,
    refreshAll,
    score,
    unusual,
    verdicts,
    band,
    explain,
    status,
    rates: (kind: EntityRef['kind']): EntityRate[] => rates.filter((r) => r.entity.kind === kind),
    allRates: (): EntityRate[] => rates,
    /** Drop everything learned (turned off, families changed). */
    clear(): void {
      learned.clear();
      queue = [];
      sweepHour = -1;
      rates = [];
    },
    learned: (): ReadonlyMap<string, LearnedSeries> => learned,
  };
}

export type Detector = ReturnType<typeof createDetector>;
