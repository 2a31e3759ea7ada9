// Mapping files in order (shipped ones first, then the user's) become one set
// of product mappings per cloud. A later file overrides an earlier one per
// product and cloud, and per metric and cloud: a user file that only says
//
//   product: ecs
//   metrics:
//     - name: cloud_cpu_utilization_ratio
//       aliyun: { metric: CPUUtilization, statistic: Maximum, scale: 0.01 }
//
// changes Alibaba's source of that metric and keeps Tencent's and Huawei's.
// `disabled: true` drops a metric. Pure.
import { CLOUD_PROVIDERS, type CloudProvider, type CloudSummaryKey } from '../../../common/clouds.js';
import type { ConfigProblem } from '../../../common/contract.js';
import { cloudMetricUnit, type MetricUnit } from '../../../common/metrics.js';
import type { CloudMetricMapping, CloudProductMapping } from '../collector/types.js';
import type { CloudMetricSource, MappingFile, MappingSourceRef, ProductOnCloud } from './mappingFile.js';

interface MetricAcc {
  name: string;
  help?: string;
  unit?: MetricUnit;
  summary?: CloudSummaryKey;
  disabled: boolean;
  clouds: Partial<Record<CloudProvider, { source: CloudMetricSource; from: MappingSourceRef }>>;
  firstSeen: MappingSourceRef;
}

interface ProductAcc {
  product: string;
  title?: string;
  clouds: Partial<Record<CloudProvider, ProductOnCloud>>;
  metrics: Map<string, MetricAcc>;
}

export interface MergedMappings {
  readonly products: readonly CloudProductMapping[];
  readonly problems: readonly ConfigProblem[];
}

export function mergeMappings(files: readonly MappingFile[]): MergedMappings {
  const products = new Map<string, ProductAcc>();
  const problems: ConfigProblem[] = [];
  for (const file of files) {
    let acc = products.get(file.product);
    if (!acc) products.set(file.product, (acc = { product: file.product, clouds: {}, metrics: new Map() }));
    if (file.title) acc.title = file.title;
    for (const provider of CLOUD_PROVIDERS) {
      const c = file.clouds[provider];
      if (c) acc.clouds[provider] = c;
    }
    for (const m of file.metrics) {
      let metric = acc.metrics.get(m.name);
      if (!metric) acc.metrics.set(m.name, (metric = { name: m.name, disabled: false, clouds: {}, firstSeen: m.source }));
      if (m.help !== undefined) metric.help = m.help;
      if (m.unit !== undefined) metric.unit = m.unit;
      if (m.summary !== undefined) metric.summary = m.summary;
      if (m.disabled !== undefined) metric.disabled = m.disabled;
      for (const provider of CLOUD_PROVIDERS) {
        const source = m.clouds[provider];
        if (source) metric.clouds[provider] = { source, from: m.source };
      }
    }
  }

  const out: CloudProductMapping[] = [];
  const summaryOwners = new Map<string, string>();
  for (const acc of products.values()) {
    for (const provider of CLOUD_PROVIDERS) {
      const onCloud = acc.clouds[provider];
      const metrics: CloudMetricMapping[] = [];
      for (const metric of acc.metrics.values()) {
        if (metric.disabled) continue;
        const entry = metric.clouds[provider];
        if (!entry) continue;
        const where = { file: entry.from.file, ...(entry.from.line !== undefined ? { line: entry.from.line } : {}), field: `metrics[${entry.from.index}].${provider}` };
        if (!onCloud) {
          problems.push({ ...where, message: `${metric.name} maps ${provider}, but product ${acc.product} has no clouds.${provider} (namespace and instance_dimension); left out` });
          continue;
        }
        if (metric.help === undefined) {
          problems.push({ ...where, field: `metrics[${entry.from.index}].help`, message: `${metric.name} needs a help text (it is new, not an override); left out` });
          continue;
        }
        const summaryKey = metric.summary && `${provider}/${acc.product}/${metric.summary}`;
        if (summaryKey && summaryOwners.has(summaryKey) && summaryOwners.get(summaryKey) !== metric.name) {
          problems.push({ ...where, field: `metrics[${entry.from.index}].summary`, message: `${acc.product} already shows ${summaryOwners.get(summaryKey)} as ${metric.summary}; ${metric.name} is collected but not summarised` });
        } else if (summaryKey) {
          summaryOwners.set(summaryKey, metric.name);
        }
        metrics.push({
          provider,
          product: acc.product,
          canonical: metric.name,
          help: metric.help,
          unit: metric.unit ?? cloudMetricUnit(metric.name),
          ...(summaryKey && summaryOwners.get(summaryKey) === metric.name ? { summary: metric.summary } : {}),
          namespace: entry.source.namespace ?? onCloud.namespace,
          metric: entry.source.metric,
          instanceDimension: onCloud.instanceDimension,
          labels: entry.source.labels,
          statistic: entry.source.statistic,
          scale: entry.source.scale,
          source: { file: entry.from.file, index: entry.from.index },
        });
      }
      if (!onCloud || metrics.length === 0) continue;
      out.push({
        provider,
        product: acc.product,
        title: acc.title ?? acc.product,
        namespace: onCloud.namespace,
        instanceDimension: onCloud.instanceDimension,
        discovery: onCloud.discovery,
        ...(onCloud.discoveryMetric ? { discoveryMetric: onCloud.discoveryMetric } : {}),
        metrics,
      });
    }
  }
  out.sort((a, b) => (a.provider === b.provider ? a.product.localeCompare(b.product) : a.provider.localeCompare(b.provider)));
  return { products: out, problems };
}
