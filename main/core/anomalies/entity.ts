// Which entity (host, container, cloud instance, service check) a stored
// series belongs to, named as Top-K names it (TopKRow.entity), and which
// family it learns under. Series the console derives about itself or about
// anomalies do not learn: the anomaly rate would otherwise learn from itself.
import { ANOMALY_RATE_SERIES, type AnomalyFamily, type EntityRef } from '../../common/anomalies.js';
import type { Labels } from '../../common/series.js';
import { containerEntity } from '../containers/topKEntity.js';

/** Names that never learn: the anomaly rate itself, anything under `anomaly:`, and the console's own `console:*` and `overlook_*` series. */
export function learnsName(name: string): boolean {
  return name !== ANOMALY_RATE_SERIES && !name.startsWith('anomaly:') && !name.startsWith('console:') && !name.startsWith('overlook_');
}

/** The entity and family of a series, or undefined for a series of no entity. */
export function entityOf(labels: Labels): { entity: EntityRef; family: AnomalyFamily } | undefined {
  if (labels.check !== undefined && labels.vantage !== undefined) return { entity: { kind: 'check', id: `${labels.check}/${labels.vantage}` }, family: 'check' };
  const container = containerEntity(labels);
  if (container !== undefined) return { entity: { kind: 'container', id: container }, family: 'container' };
  if (labels.cloud !== undefined && labels.instance !== undefined) return { entity: { kind: 'cloud', id: labels.instance }, family: 'cloud' };
  if (labels.host !== undefined) return { entity: { kind: 'host', id: labels.host }, family: 'host' };
  return undefined;
}

/** The labels the anomaly rate of an entity is stored with, so Top-K's entity label (and containerEntity/checkEntity) name it the same way. */
export function entityLabels(labels: Labels, kind: EntityRef['kind']): Record<string, string> {
  const keep: Record<EntityRef['kind'], readonly string[]> = {
    host: ['host'],
    container: ['host', 'namespace', 'pod', 'container'],
    cloud: ['cloud', 'account', 'region', 'instance'],
    check: ['check', 'vantage'],
  };
  const out: Record<string, string> = {};
  for (const k of keep[kind]) if (labels[k] !== undefined) out[k] = labels[k]!;
  return out;
}

export const entityKey = (e: EntityRef): string => `${e.kind}\u0000${e.id}`;
