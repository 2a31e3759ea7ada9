// Cloud metric mappings, "one name, three clouds": each YAML file declares a
// product (ecs, slb, rds…) and its canonical metrics, and for each cloud the
// namespace, metric, statistic and unit scale that feed the canonical name.
//
//   product: ecs
//   title: Virtual machines
//   clouds:
//     aliyun:  { namespace: acs_ecs_dashboard, instance_dimension: instanceId }
//     tencent: { namespace: QCE/CVM, instance_dimension: InstanceId, discovery: cvm }
//     huawei:  { namespace: SYS.ECS, instance_dimension: instance_id }
//   metrics:
//     - name: cloud_cpu_utilization_ratio
//       help: CPU in use
//       unit: ratio
//       summary: cpu
//       aliyun:  { metric: CPUUtilization, statistic: Average, scale: 0.01 }
//       tencent: { metric: CPUUsage, statistic: avg, scale: 0.01 }
//       huawei:  { metric: cpu_util, statistic: average, scale: 0.01 }
//
// Parsing is pure. A file with a YAML error is left out whole; a bad metric
// entry is left out alone; every problem names the file, line and field. The
// shipped files are resources/cloud-mappings/*.yaml; files in the data dir's
// cloud-mappings/ add products and metrics, or override them per cloud
// (mergeMappings.ts).
import { isMap, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { CLOUD_PROVIDERS, CLOUD_SERIES_LABELS, CLOUD_SUMMARY_KEYS, type CloudProvider, type CloudSummaryKey } from '../../../common/clouds.js';
import type { ConfigProblem } from '../../../common/contract.js';
import { CLOUD_METRIC_PREFIX, cloudMetricUnit, type MetricUnit } from '../../../common/metrics.js';
import { describeIssue, fieldName, firstLine, knownKeysAt, locate, unknownFieldMessage } from '../../config/provisioning.js';

/** How each cloud writes its statistics (CMS Datapoints keys; GetMonitorData SpecifyStatistics; CES `filter`). */
export const STATISTICS: Readonly<Record<CloudProvider, readonly string[]>> = {
  aliyun: ['Average', 'Maximum', 'Minimum', 'Sum', 'Value'],
  tencent: ['avg', 'max', 'min'],
  huawei: ['average', 'max', 'min', 'sum', 'variance'],
};
export const DEFAULT_STATISTIC: Readonly<Record<CloudProvider, string>> = { aliyun: 'Average', tencent: 'avg', huawei: 'average' };

/**
 * How instances of a product are found. Alibaba: from the metric data itself
 * (DescribeMetricLast without dimensions lists every instance reporting).
 * Tencent: the product's own list API (CVM DescribeInstances, CLB
 * DescribeLoadBalancers, CDB DescribeDBInstances). Huawei: CES ListMetrics.
 */
export const DISCOVERY: Readonly<Record<CloudProvider, readonly string[]>> = {
  aliyun: ['metric_data'],
  tencent: ['cvm', 'clb', 'cdb'],
  huawei: ['list_metrics'],
};

const CANONICAL_UNITS = ['ratio', 'bytes', 'bytes_per_second', 'per_second', 'seconds', 'celsius', 'count'] as const satisfies readonly MetricUnit[];

const ProductName = z
  .string({ error: 'must be a product name like ecs' })
  .regex(/^[a-z][a-z0-9_]{0,31}$/, { error: 'a product name is lower-case letters, digits and _, like ecs or rds' });
const CanonicalName = z
  .string({ error: 'must be a metric name like cloud_cpu_utilization_ratio' })
  .regex(/^cloud_[a-z0-9_]+[a-z0-9]$/, { error: `a canonical name starts with ${CLOUD_METRIC_PREFIX} and holds lower-case letters, digits and _` })
  .max(120, { error: 'a canonical name is at most 120 characters' });
const CloudName = z
  .string()
  .trim()
  .min(1, { error: 'cannot be empty' })
  .max(200, { error: 'is at most 200 characters' })
  .regex(/^[\x21-\x7e]+$/, { error: 'holds printable characters without spaces' });
const LabelName = z
  .string()
  .regex(/^[a-z_][a-z0-9_]*$/, { error: 'a label name is lower-case letters, digits and _' })
  .refine((l) => !(CLOUD_SERIES_LABELS as readonly string[]).includes(l), {
    error: `${CLOUD_SERIES_LABELS.join(', ')} are set by the console; choose another label name`,
  });

const ProductOnCloudInFile = z.strictObject({
  namespace: CloudName,
  instance_dimension: CloudName,
  discovery: z.string({ error: 'must be text' }).optional(),
  /** Alibaba: the metric whose data lists the instances (default: the product's first metric on this cloud). */
  discovery_metric: CloudName.optional(),
});

const CloudMetricInFile = z.strictObject({
  metric: CloudName,
  namespace: CloudName.optional(),
  statistic: z.string({ error: 'must be text' }).optional(),
  scale: z
    .number({ error: 'must be a number, like 0.01 for percent → ratio' })
    .refine((n) => Number.isFinite(n) && n !== 0, { error: 'must be a finite number other than 0' })
    .optional(),
  /** Our label → the cloud's dimension that fills it (a disk's `device`, a mount's `mount_point`). */
  labels: z.record(LabelName, CloudName, { error: 'must map label names to the cloud’s dimension names' }).optional(),
});

const MetricInFile = z.strictObject({
  name: CanonicalName,
  help: z.string({ error: 'must be text' }).trim().min(1, { error: 'cannot be empty' }).max(300, { error: 'is at most 300 characters' }).optional(),
  unit: z.enum(CANONICAL_UNITS, { error: `must be one of ${CANONICAL_UNITS.join(', ')}` }).optional(),
  summary: z.enum(CLOUD_SUMMARY_KEYS, { error: `must be one of ${CLOUD_SUMMARY_KEYS.join(', ')}` }).optional(),
  disabled: z.boolean({ error: 'must be true or false' }).optional(),
  aliyun: CloudMetricInFile.optional(),
  tencent: CloudMetricInFile.optional(),
  huawei: CloudMetricInFile.optional(),
});

const FileInFile = z.strictObject({
  product: ProductName,
  title: z.string({ error: 'must be text' }).trim().min(1).max(120).optional(),
  clouds: z
    .strictObject({ aliyun: ProductOnCloudInFile.optional(), tencent: ProductOnCloudInFile.optional(), huawei: ProductOnCloudInFile.optional() })
    .optional(),
  metrics: z.array(z.unknown(), { error: 'must be a list of metrics' }).optional(),
});

// The whole file's shape, only walked to suggest field names for typos.
const WholeFile = FileInFile.extend({ metrics: z.array(MetricInFile).optional() });

export interface ProductOnCloud {
  readonly namespace: string;
  readonly instanceDimension: string;
  readonly discovery: string;
  readonly discoveryMetric?: string;
}

export interface CloudMetricSource {
  readonly metric: string;
  readonly namespace?: string;
  readonly statistic: string;
  readonly scale: number;
  readonly labels: Readonly<Record<string, string>>;
}

export interface MappingSourceRef {
  readonly file: string;
  readonly line?: number;
  /** Index of the entry in the file's `metrics:` list. */
  readonly index: number;
}

export interface MetricEntry {
  readonly name: string;
  readonly help?: string;
  readonly unit?: MetricUnit;
  readonly summary?: CloudSummaryKey;
  readonly disabled?: boolean;
  readonly clouds: Partial<Record<CloudProvider, CloudMetricSource>>;
  readonly source: MappingSourceRef;
}

export interface MappingFile {
  readonly file: string;
  readonly product: string;
  readonly title?: string;
  readonly clouds: Partial<Record<CloudProvider, ProductOnCloud>>;
  readonly metrics: readonly MetricEntry[];
}

export interface MappingFileParse {
  /** Null when the file cannot be used at all (YAML error, bad `product:`); its problems say why. */
  readonly mapping: MappingFile | null;
  readonly problems: ConfigProblem[];
}

/** Parses one mapping file's text; `file` is the path shown in problems. */
export function parseMappingFile(text: string, file: string): MappingFileParse {
  const problems: ConfigProblem[] = [];
  const lineCounter = new LineCounter();
  const at = (offset: number | undefined) => {
    if (offset === undefined) return {};
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  for (const error of doc.errors) problems.push({ file, ...at(error.pos[0]), message: firstLine(error.message) });
  if (doc.errors.length > 0) return { mapping: null, problems };
  const root: unknown = doc.contents;
  if (!isMap(root)) {
    problems.push({ file, message: 'a mapping file is a YAML mapping with `product:` and `metrics:`' });
    return { mapping: null, problems };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    problems.push({ file, message: firstLine((err as Error).message) });
    return { mapping: null, problems };
  }

  const report = (issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[]): void => {
    for (const issue of issues) {
      const issuePath = [...prefix, ...issue.path];
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const keyPath = [...issuePath, key];
          problems.push({ file, ...at(locate(root, keyPath).keyOffset), field: fieldName(keyPath), message: unknownFieldMessage(key, knownKeysAt(WholeFile, issuePath)) });
        }
      } else {
        problems.push({ file, ...at(locate(root, issuePath).valueOffset), field: fieldName(issuePath) || undefined, message: issue.message });
      }
    }
  };
  const problem = (path: PropertyKey[], message: string) => problems.push({ file, ...at(locate(root, path).valueOffset), field: fieldName(path), message });

  const top = FileInFile.safeParse(data, { error: describeIssue });
  if (!top.success) {
    report(top.error.issues, []);
    return { mapping: null, problems };
  }

  const clouds: Partial<Record<CloudProvider, ProductOnCloud>> = {};
  for (const provider of CLOUD_PROVIDERS) {
    const inFile = top.data.clouds?.[provider];
    if (!inFile) continue;
    const allowed = DISCOVERY[provider];
    const discovery = inFile.discovery ?? (allowed.length === 1 ? allowed[0]! : undefined);
    if (discovery === undefined || !allowed.includes(discovery)) {
      problem(['clouds', provider, 'discovery'], discovery === undefined ? `is required for ${provider}: one of ${allowed.join(', ')}` : `must be one of ${allowed.join(', ')}`);
      continue;
    }
    if (inFile.discovery_metric !== undefined && provider !== 'aliyun') {
      problem(['clouds', provider, 'discovery_metric'], 'only Alibaba lists instances from a metric; leave it out here');
      continue;
    }
    clouds[provider] = {
      namespace: inFile.namespace,
      instanceDimension: inFile.instance_dimension,
      discovery,
      ...(inFile.discovery_metric ? { discoveryMetric: inFile.discovery_metric } : {}),
    };
  }

  const metrics: MetricEntry[] = [];
  const seen = new Set<string>();
  (top.data.metrics ?? []).forEach((raw, index) => {
    const before = problems.length;
    const entry = MetricInFile.safeParse(raw, { error: describeIssue });
    if (!entry.success) {
      report(entry.error.issues, ['metrics', index]);
      return;
    }
    const m = entry.data;
    const path = ['metrics', index];
    if (seen.has(m.name)) problem([...path, 'name'], `${m.name} is listed twice in this file; the first entry is used`);
    if (m.unit !== undefined && cloudMetricUnit(m.name) !== m.unit) {
      problem([...path, 'unit'], `the name says ${cloudMetricUnit(m.name)} (by its ending) but unit says ${m.unit}; names end in their unit: _ratio, _bytes, _bytes_per_second, _per_second, _seconds, or none for a count`);
    }
    const perCloud: Partial<Record<CloudProvider, CloudMetricSource>> = {};
    for (const provider of CLOUD_PROVIDERS) {
      const c = m[provider];
      if (!c) continue;
      const statistic = c.statistic ?? DEFAULT_STATISTIC[provider];
      if (!STATISTICS[provider].includes(statistic)) {
        problem([...path, provider, 'statistic'], `${provider} statistics are ${STATISTICS[provider].join(', ')}`);
        continue;
      }
      perCloud[provider] = {
        metric: c.metric,
        ...(c.namespace ? { namespace: c.namespace } : {}),
        statistic,
        scale: c.scale ?? 1,
        labels: { ...(c.labels ?? {}) },
      };
    }
    if (problems.length > before) return;
    seen.add(m.name);
    const line = at(locate(root, path).valueOffset).line;
    metrics.push({
      name: m.name,
      ...(m.help !== undefined ? { help: m.help } : {}),
      ...(m.unit !== undefined ? { unit: m.unit } : {}),
      ...(m.summary !== undefined ? { summary: m.summary } : {}),
      ...(m.disabled !== undefined ? { disabled: m.disabled } : {}),
      clouds: perCloud,
      source: { file, index, ...(line !== undefined ? { line } : {}) },
    });
  });

  return { mapping: { file, product: top.data.product, ...(top.data.title ? { title: top.data.title } : {}), clouds, metrics }, problems };
}
