// History read from an engine's PromQL HTTP API (Prometheus, VictoriaMetrics,
// Mimir, Thanos): what another console wrote there with remote write, for
// ranges beyond the local retention and hosts this console does not poll.
//
// A range query becomes three `query_range` calls, avg_over_time,
// min_over_time and max_over_time over one bucket, the bucket widths the
// local store would use (store/tiers.ts planBuckets), so the charts get the
// same [bucket start, avg, min, max] points. Each bucket [s, s + step) is
// evaluated at s + step - 1 ms: a range selector covers (T - step, T]
// (Prometheus 3, VictoriaMetrics; Prometheus 2 closes it at both ends), so
// with millisecond timestamps the window holds exactly the bucket's samples.
// Prometheus refuses more than 11,000 points per series in one query
// (web/api/v1/api.go, "exceeded maximum resolution of 11,000 points per
// timeseries"): the step never goes below span / 11,000. VictoriaMetrics
// aligns start and end to the step for its cache unless `nocache=1`, which
// is sent always (Prometheus ignores it).
//
// Answers are parsed against a schema at this edge; a slow, failing or
// unreachable engine fails the call with a message the chart shows, within
// the client's timeout.
import { z } from 'zod';
import { escapeLabelValue, type Labels, type SeriesSelector } from '../../common/series.js';
import type { Point } from '../../common/contract.js';
import { EngineHttpError, type EngineClient } from '../engine/engineHttp.js';
import { LOCAL_HOST } from '../engine/engineHost.js';
import { planBuckets, tierForStep, SECOND_MS, MINUTE_MS, DAY_MS } from '../store/tiers.js';
import type { RangeRequest, SeriesInfo, StoredRange } from '../store/types.js';
import { historyUnavailable, type HistoryReader } from './historyReader.js';

/** Prometheus's limit on points per series in one range query. */
export const MAX_POINTS_PER_SERIES = 11_000;
const MIN_STEP_MS = SECOND_MS;

export interface PromqlHistoryOptions {
  readonly client: EngineClient;
  /** The `host` label the local host has in the engine (engineHost.ts): read back as `local`. */
  readonly localHostOnEngine: string;
  /** How far back `series` looks for a series' newest sample (default one day). */
  readonly seriesLookbackMs?: number;
  /** Requests to the engine at once (default 4). */
  readonly concurrency?: number;
  readonly now?: () => number;
  /** Every query's outcome, for the history status the Settings screen shows. */
  readonly onOutcome?: (error: string | undefined) => void;
}

const SampleValue = z.tuple([z.number(), z.string()]);
const MatrixResult = z.object({
  status: z.literal('success'),
  data: z.object({
    resultType: z.literal('matrix'),
    result: z.array(z.object({ metric: z.record(z.string(), z.string()), values: z.array(SampleValue) })),
  }),
});
const VectorResult = z.object({
  status: z.literal('success'),
  data: z.object({
    resultType: z.literal('vector'),
    result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: SampleValue })),
  }),
});
const ErrorBody = z.object({ status: z.literal('error'), errorType: z.string().optional(), error: z.string().optional() });

/** A PromQL selector for one of the console's selectors, with `local` as the engine knows it. */
export function promqlSelector(selector: SeriesSelector, localHostOnEngine: string): string {
  const matchers = (selector.matchers ?? []).map((m) => {
    const value = m.label === 'host' && (m.op === '=' || m.op === '!=') && m.value === LOCAL_HOST ? localHostOnEngine : m.value;
    return `${m.label}${m.op}"${escapeLabelValue(value)}"`;
  });
  return matchers.length ? `${selector.name}{${matchers.join(',')}}` : selector.name;
}

/** A number as PromQL's API writes it ("NaN", "+Inf", "1.5e+06"), or undefined when it is not finite. */
function finite(text: string): number | undefined {
  const v = Number(text);
  return Number.isFinite(v) ? v : undefined;
}

export function labelsFromEngine(metric: Readonly<Record<string, string>>, localHostOnEngine: string): Labels {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(metric)) if (k !== '__name__') labels[k] = k === 'host' && v === localHostOnEngine ? LOCAL_HOST : v;
  return labels;
}

function labelsKey(labels: Labels): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

/** The plan of one range query: buckets as the local store would make them, within the engine's point limit. */
export function planPromqlRange(from: number, to: number, maxPoints: number): { stepMs: number; start: number; end: number } {
  const plan = planBuckets(from, to, maxPoints);
  let stepMs = Math.max(plan.stepMs, MIN_STEP_MS);
  // Keep to Prometheus's limit even for a caller that asks for more points than it allows.
  while ((plan.end - plan.start) / stepMs + 1 > MAX_POINTS_PER_SERIES) stepMs *= 2;
  const start = Math.floor(plan.start / stepMs) * stepMs;
  const end = Math.ceil(plan.end / stepMs) * stepMs;
  return { stepMs, start, end };
}

export function createPromqlHistory(options: PromqlHistoryOptions): HistoryReader {
  const { client, localHostOnEngine } = options;
  const now = options.now ?? Date.now;
  const lookbackMs = options.seriesLookbackMs ?? DAY_MS;
  const limit = Math.max(1, options.concurrency ?? 4);
  let running = 0;
  const waiting: Array<() => void> = [];

  async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await fn();
    } finally {
      running--;
      waiting.shift()?.();
    }
  }

  async function call(path: string, params: Record<string, string>): Promise<unknown> {
    return withSlot(async () => {
      let body: Buffer;
      try {
        const res = await client.request({
          method: 'POST',
          path,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: Buffer.from(new URLSearchParams({ ...params, nocache: '1' }).toString()),
        });
        body = res.body;
      } catch (err) {
        const message = describeFailure(err, client.where);
        options.onOutcome?.(message);
        throw historyUnavailable(message);
      }
      try {
        const parsed = JSON.parse(body.toString('utf8')) as unknown;
        options.onOutcome?.(undefined);
        return parsed;
      } catch {
        const message = `the history engine ${client.where} answered something that is not JSON; is the URL its PromQL API (e.g. http://host:8428 or http://host:9090)?`;
        options.onOutcome?.(message);
        throw historyUnavailable(message);
      }
    });
  }

  function answer<T>(schema: z.ZodType<T>, value: unknown): T {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const message = `the history engine ${client.where} answered in a shape that is not the PromQL API's`;
    options.onOutcome?.(message);
    throw historyUnavailable(message);
  }

  const seconds = (ms: number) => (ms / 1000).toFixed(3);

  async function rangeOf(expr: string, start: number, end: number, stepMs: number) {
    const value = await call('/api/v1/query_range', { query: expr, start: seconds(start), end: seconds(end), step: seconds(stepMs) });
    return answer(MatrixResult, value).data.result;
  }

  async function instant(expr: string, at: number) {
    const value = await call('/api/v1/query', { query: expr, time: seconds(at) });
    return answer(VectorResult, value).data.result;
  }

  return {
    async query(request: RangeRequest): Promise<StoredRange[]> {
      const { stepMs, start, end } = planPromqlRange(request.from, request.to, request.maxPoints);
      const selector = promqlSelector(request.selector, localHostOnEngine);
      const window = `[${stepMs}ms]`;
      // Evaluated at each bucket's last millisecond: bucket s is (s - 1 ms, s + step - 1 ms].
      const evalStart = start + stepMs - 1;
      const evalEnd = end - 1;
      const over = (fn: 'avg' | 'min' | 'max') => rangeOf(`${fn}_over_time(${selector}${window})`, evalStart, evalEnd, stepMs);
      const [avg, min, max] = await Promise.all([over('avg'), over('min'), over('max')]);
      const byKey = new Map<string, { labels: Labels; points: Map<number, Point> }>();
      const add = (rows: Awaited<ReturnType<typeof over>>, column: 1 | 2 | 3) => {
        for (const row of rows) {
          const labels = labelsFromEngine(row.metric, localHostOnEngine);
          const key = labelsKey(labels);
          let entry = byKey.get(key);
          if (!entry) byKey.set(key, (entry = { labels, points: new Map() }));
          for (const [ts, text] of row.values) {
            const v = finite(text);
            if (v === undefined) continue;
            const bucket = Math.round(ts * 1000) + 1 - stepMs;
            let point = entry.points.get(bucket);
            if (!point) entry.points.set(bucket, (point = [bucket, Number.NaN, Number.NaN, Number.NaN]));
            point[column] = v;
          }
        }
      };
      add(avg, 1);
      add(min, 2);
      add(max, 3);
      const tier = tierForStep(stepMs);
      return [...byKey.values()].map(({ labels, points }) => ({
        name: request.selector.name,
        labels,
        tier,
        stepMs,
        points: [...points.values()]
          // A bucket the three answers do not all cover (the engine moved on between them) is left out rather than half drawn.
          .filter((p) => Number.isFinite(p[1]) && Number.isFinite(p[2]) && Number.isFinite(p[3]))
          .sort((a, b) => a[0] - b[0]),
      }));
    },

    async series(selector: SeriesSelector): Promise<SeriesInfo[]> {
      const at = now();
      const sel = promqlSelector(selector, localHostOnEngine);
      // timestamp() of a plain selector gives each series' own newest sample time within the
      // engine's lookback (5 min by default); the subquery finds it further back, at its resolution.
      const resolution = Math.max(MINUTE_MS, Math.ceil(lookbackMs / 1440 / MINUTE_MS) * MINUTE_MS);
      const [recent, older] = await Promise.all([
        instant(`timestamp(${sel})`, at),
        instant(`max_over_time(timestamp(${sel})[${Math.round(lookbackMs / 1000)}s:${Math.round(resolution / 1000)}s])`, at),
      ]);
      const byKey = new Map<string, { labels: Labels; lastT: number }>();
      for (const row of [...older, ...recent]) {
        const labels = labelsFromEngine(row.metric, localHostOnEngine);
        const t = finite(row.value[1]);
        if (t === undefined) continue;
        const key = labelsKey(labels);
        const lastT = Math.round(t * 1000);
        const current = byKey.get(key);
        if (!current || current.lastT < lastT) byKey.set(key, { labels, lastT });
      }
      return [...byKey.values()].map((s, i) => ({ id: i + 1, name: selector.name, labels: s.labels, lastT: s.lastT }));
    },
  };
}

/** What went wrong, for the chart and the Settings screen: the engine's own words when it gave some. */
function describeFailure(err: unknown, where: string): string {
  if (err instanceof EngineHttpError) {
    if (err.kind === 'timeout') return `the history engine ${where} did not answer in time; the range may be too large for it, or it is overloaded`;
    if (err.kind === 'status') {
      const body = err.detail ? ErrorBody.safeParse(safeJson(err.detail)) : undefined;
      const said = body?.success ? `${body.data.errorType ?? 'error'}: ${body.data.error ?? ''}` : err.detail;
      return `the history engine ${where} answered HTTP ${err.status}${said ? `: ${said}` : ''}`;
    }
    return `the history engine ${where} is not reachable: ${err.message.replace(/^[A-Z]+ \S+: /, '')}`;
  }
  return `the history engine ${where} failed: ${(err as Error)?.name ?? 'error'}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
