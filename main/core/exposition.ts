// Metric families a feature adds to the /metrics export beside the hosts'
// series (the cloud collectors' series and API health, …), built at scrape
// time. The export feature asks every feature through the core context
// (CoreFeature.exposition), so no feature needs to know the exporter and the
// exporter knows no feature.
import type { Labels } from '../common/series.js';

export type ExposedType = 'counter' | 'gauge' | 'histogram';

export interface ExposedValue {
  readonly labels: Labels;
  readonly sharedLabels?: Labels;
  readonly value: number;
  /** For histogram parts: name_bucket, name_sum, name_count. */
  readonly metricName?: string;
}

export interface ExposedFamily {
  readonly name: string;
  readonly help: string;
  readonly type: ExposedType;
  readonly values: readonly ExposedValue[];
}

/** What a feature is told when asked for its families: the scrape's time, and names it must not use (the exporter's own). */
export interface ExpositionRequest {
  readonly now: number;
  readonly reserved: ReadonlySet<string>;
}
