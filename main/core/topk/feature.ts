// Top-K: ranks hosts, containers, cloud instances and service checks (later processes) by a
// metric over a window. One range query over every series of the metric,
// bucketed to the sparkline's resolution, so the store picks the coarse tier
// for long windows and a 7-day ranking costs about what a 1-hour one does.
import type { TopKKind, TopKQuery, TopKResult } from '../../common/contract.js';
import type { Labels } from '../../common/series.js';
import { containerEntity } from '../containers/topKEntity.js';
import type { CoreContext, CoreFeature } from '../coreContext.js';
import { rankSeries } from './rankSeries.js';

/** The label that names each kind's entities in the store (containers: see containerEntity; a cloud instance: its id, the `instance` label). */
const entityLabelOf: Record<TopKKind, string> = { host: 'host', container: 'container', cloud: 'instance', check: 'check' };

/** A service check from one vantage point (the `check` and `vantage` labels of its probe_* series): `api/console`, `api/bastion-1`. */
export function checkEntity(labels: Labels): string | undefined {
  return labels.check === undefined || labels.vantage === undefined ? undefined : `${labels.check}/${labels.vantage}`;
}

export async function queryTopK(store: Pick<CoreContext['history'], 'query'>, q: TopKQuery): Promise<TopKResult> {
  const ranges = await store.query({ selector: { name: q.metric }, from: q.from, to: q.to, maxPoints: q.points });
  const ranking = rankSeries(ranges, {
    aggregate: q.aggregate,
    k: q.k,
    order: q.order,
    entityLabel: entityLabelOf[q.kind],
    ...(q.kind === 'container' ? { entityOf: containerEntity } : q.kind === 'check' ? { entityOf: checkEntity } : {}),
  });
  const stepMs = ranges[0]?.stepMs ?? Math.ceil((q.to - q.from) / q.points);
  return { stepMs, total: ranking.total, rows: ranking.rows };
}

export function topKFeature(ctx: CoreContext): CoreFeature {
  return {
    name: 'topk',
    handlers: {
      'topk/query': (q) => queryTopK(ctx.history, q),
    },
  };
}
