// Anomalies as the UI and the core exchange them: each stored series' learned
// normal (a seasonal baseline: a robust centre and spread per hour of week,
// hour of day, or "learning" while there is too little history), how far the
// recent window is from it (a robust z-score), the share of an entity's
// series that are unusual (its anomaly rate), and the ranking that answers
// "what happened here?" for a picked time range.
// Pure TypeScript + zod: no Node, no DOM.
import { z } from 'zod';

const Labels = z.record(z.string(), z.string());

/** The families that can learn a baseline, by where the series come from. */
export const ANOMALY_FAMILIES = ['host', 'container', 'cloud', 'check'] as const;
export const AnomalyFamily = z.enum(ANOMALY_FAMILIES);
export type AnomalyFamily = z.infer<typeof AnomalyFamily>;

/** How far out a point must be to count as unusual; the core maps each to a z threshold (documented where it is defined). */
export const AnomalySensitivity = z.enum(['low', 'medium', 'high']);
export type AnomalySensitivity = z.infer<typeof AnomalySensitivity>;

export const AnomalySettings = z.object({
  enabled: z.boolean(),
  sensitivity: AnomalySensitivity,
  families: z.array(AnomalyFamily).max(ANOMALY_FAMILIES.length),
});
export type AnomalySettings = z.infer<typeof AnomalySettings>;

/**
 * How a baseline buckets time: `hour_of_week` once there are enough weeks of
 * history, `hour_of_day` with less, `learning` below the minimum (no verdict).
 */
export const BaselineKind = z.enum(['learning', 'hour_of_day', 'hour_of_week']);
export type BaselineKind = z.infer<typeof BaselineKind>;

/** The thing a series belongs to, as Top-K names it (see TopKRow.entity). */
export const EntityRef = z.object({
  kind: z.enum(['host', 'container', 'cloud', 'check']),
  id: z.string().min(1).max(400),
});
export type EntityRef = z.infer<typeof EntityRef>;

/** One series' normal for one time bucket. */
export const BaselineView = z.object({
  kind: BaselineKind,
  /** The bucket in words the UI localises: hour 0–23, and weekday 0–6 (0 = Sunday) for hour_of_week; both UTC. */
  hour: z.number().int().min(0).max(23).optional(),
  weekday: z.number().int().min(0).max(6).optional(),
  centre: z.number(),
  /** The robust spread (scaled MAD, floored so flat series do not flag every wiggle). */
  spread: z.number().nonnegative(),
  /** The normal range at the current sensitivity: centre ± threshold × spread. */
  low: z.number(),
  high: z.number(),
  /** How much history the baseline learned from: the span in ms and the observations in this bucket. */
  learnedFromMs: z.number().nonnegative(),
  observations: z.number().int().nonnegative(),
});
export type BaselineView = z.infer<typeof BaselineView>;

/** One series scored against its baseline over a window. */
export const SeriesScore = z.object({
  name: z.string(),
  labels: Labels,
  entity: EntityRef,
  /** The window's mean (for "now": the last few minutes). */
  value: z.number(),
  baseline: BaselineView,
  /** (value − centre) / spread; 0 while learning. */
  z: z.number(),
  direction: z.enum(['up', 'down']),
  anomalous: z.boolean(),
});
export type SeriesScore = z.infer<typeof SeriesScore>;

/** The baseline band behind a chart's line: [t, centre, low, high] per bucket, and the stretches flagged unusual. */
export const SeriesBand = z.object({
  name: z.string(),
  labels: Labels,
  stepMs: z.number(),
  kind: BaselineKind,
  band: z.array(z.tuple([z.number(), z.number(), z.number(), z.number()])),
  /** [from, to] in ms, ascending, non-overlapping. */
  flagged: z.array(z.tuple([z.number(), z.number()])),
});
export type SeriesBand = z.infer<typeof SeriesBand>;

// A band query is the chart's own RangeQuery (contract.ts): the band lines up with the line it sits behind.

export const UnusualQuery = z.object({ entity: EntityRef, limit: z.number().int().min(1).max(200).default(10) });
export type UnusualQuery = z.input<typeof UnusualQuery>;

export const UnusualResult = z.object({
  at: z.number(),
  /** Most unusual first (largest |z|); only series with a verdict (not learning). */
  series: z.array(SeriesScore),
  /** Series of the entity scored, and how many of them are still learning. */
  scored: z.number().int().nonnegative(),
  learning: z.number().int().nonnegative(),
});
export type UnusualResult = z.infer<typeof UnusualResult>;

/** "What happened here?": a picked range across one host or the whole fleet. */
export const ExplainQuery = z
  .object({
    scope: z.discriminatedUnion('kind', [z.object({ kind: z.literal('fleet') }), z.object({ kind: z.literal('host'), hostId: z.string().min(1).max(200) })]),
    from: z.number().int().nonnegative(),
    to: z.number().int().nonnegative(),
    limit: z.number().int().min(1).max(200).default(20),
  })
  .refine((q) => q.to > q.from, { message: 'to must be after from', path: ['to'] })
  .refine((q) => q.to - q.from <= 31 * 86_400_000, { message: 'pick a range of at most 31 days', path: ['from'] });
export type ExplainQuery = z.input<typeof ExplainQuery>;

export const ExplainRow = SeriesScore.extend({
  /** How unusual the window was as a whole (the ranking key; larger is more unusual). */
  score: z.number(),
  /** The mean over the same span just before the window, for "from … to …". */
  before: z.number().optional(),
});
export type ExplainRow = z.infer<typeof ExplainRow>;

// For a host scope the contract adds `processes`: the top processes kept nearest the window's middle (ProcessSnapshot).
export const ExplainResult = z.object({
  from: z.number(),
  to: z.number(),
  /** Series compared, and how many had no verdict (learning or no data in the window). */
  evaluated: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  rows: z.array(ExplainRow),
  tookMs: z.number(),
});
export type ExplainResult = z.infer<typeof ExplainResult>;

/** Anomaly rate per entity: the share of its scored series flagged now. */
export const EntityRate = z.object({
  entity: EntityRef,
  rate: z.number().min(0).max(1),
  flagged: z.number().int().nonnegative(),
  scored: z.number().int().nonnegative(),
});
export type EntityRate = z.infer<typeof EntityRate>;

/** The metric name the anomaly rate is stored under (per entity, with the entity's labels), so Top-K and charts rank and draw it like any series. */
export const ANOMALY_RATE_SERIES = 'anomaly:rate:ratio';

/** What learning costs, shown on Settings. */
export const AnomalyStatus = z.object({
  settings: AnomalySettings,
  /** Fields set by the provisioning file (read-only in the UI). */
  provisioned: z.array(z.enum(['enabled', 'sensitivity', 'families'])),
  seriesLearned: z.number().int().nonnegative(),
  seriesLearning: z.number().int().nonnegative(),
  lastRefreshAt: z.number().optional(),
  /** Wall time and CPU of the last full baseline refresh, and the baselines' memory. */
  lastRefreshMs: z.number().optional(),
  memoryBytes: z.number().nonnegative(),
  /** Median cost of one scoring cycle. */
  scoreCycleMs: z.number().optional(),
  /** Set while the history backend is an engine: baselines learn from the local store only. */
  note: z.string().optional(),
});
export type AnomalyStatus = z.infer<typeof AnomalyStatus>;
