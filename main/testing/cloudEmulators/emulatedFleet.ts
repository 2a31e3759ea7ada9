// The resources an emulated cloud account holds: instances per region and
// product (ECS/CVM, load balancers, databases), with names, the metrics each
// namespace offers (taken from the shipped mapping files, so the emulator
// offers what the console asks for), per-disk / per-mount sub-dimensions, and
// agent metrics that only instances with the cloud's agent report. Pure and
// deterministic: a test can recompute any value.
import type { CloudProvider } from '../../common/clouds.js';
import { findShippedMappingsDir, loadMappings } from '../../core/cloud/mappings/loadMappings.js';
import type { CloudProductMapping } from '../../core/cloud/collector/types.js';

export interface FleetOptions {
  /** Instances per product in every region (default: ecs only, the count given). */
  readonly products?: Readonly<Partial<Record<string, number>>>;
  readonly regions?: readonly string[];
  /** Every n-th ECS instance runs without the cloud's agent (no memory/disk metrics); default 10, 0 = all have it. */
  readonly withoutAgentEvery?: number;
  /** Metrics the cloud does not offer here, as "namespace/metric". */
  readonly withoutMetrics?: readonly string[];
}

export interface EmulatedResource {
  readonly product: string;
  readonly region: string;
  readonly id: string;
  readonly name: string;
  /** Tencent CLB: the VIP its metrics are keyed by. */
  readonly vip?: string;
  readonly hasAgent: boolean;
}

export interface OfferedMetric {
  readonly namespace: string;
  readonly metric: string;
  readonly product: string;
  /** The instance dimension's name in this namespace. */
  readonly instanceDimension: string;
  /** Sub-dimension names (device, mount_point) → values per instance. */
  readonly subDimensions: readonly string[];
  readonly needsAgent: boolean;
  /** Unit as the cloud's metric catalogue states it. */
  readonly unit: string;
}

const AGENT_METRICS: Readonly<Record<CloudProvider, (namespace: string, metric: string) => boolean>> = {
  aliyun: (_ns, m) => m === 'memory_usedutilization' || m === 'diskusage_utilization',
  tencent: (_ns, m) => m === 'MemUsage' || m === 'DiskUsage',
  huawei: (ns) => ns === 'AGT.ECS',
};

const SUB_VALUES: Readonly<Record<string, readonly string[]>> = {
  device: ['/dev/vda1', '/dev/vdb1'],
  mount_point: ['/', '/data'],
};

const NAME_WORD: Readonly<Record<string, string>> = { ecs: 'app', slb: 'lb', rds: 'db' };

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export function emulatedInstanceId(provider: CloudProvider, product: string, regionIndex: number, i: number): string {
  const tag = `${regionIndex}${pad(i, 5)}`;
  if (provider === 'aliyun') return `${product === 'slb' ? 'lb' : product === 'rds' ? 'rm' : 'i'}-bp1emu${tag}`;
  if (provider === 'tencent') return `${product === 'slb' ? 'lb' : product === 'rds' ? 'cdb' : 'ins'}-emu${tag}`;
  const productCode = product === 'slb' ? '8001' : product === 'rds' ? '8002' : '8000';
  return `0000000${regionIndex}-0000-4000-${productCode}-${pad(i, 12)}`;
}

/** Bits/s metrics in the hundreds of kbit/s, Mbit/s ones in single digits, connections in the tens: values that read like a real fleet. */
export function magnitudeOf(metric: string): number {
  if (/(In|Out)Rate$|TrafficRX$|TrafficTX$|Network(In|Out)New$/.test(metric)) return 20_000;
  if (/(traffic|Traffic)$/.test(metric)) return 0.1;
  if (/BPS$|_Bps$|bytes_rate|bytes_in$|bytes_out$|^Bytes(Received|Sent)$|ReadTraffic$|WriteTraffic$/.test(metric)) return 500;
  if (/connection|Conn|cps$|conn_count/i.test(metric)) return 5;
  return 1;
}

/** What the cloud's instance list says beyond name and id, in that cloud's words. */
export interface EmulatedInstanceFacts {
  readonly privateIp: string;
  readonly instanceType: string;
  readonly status: string;
}

const INSTANCE_TYPES: Readonly<Record<CloudProvider, readonly string[]>> = {
  aliyun: ['ecs.g7.large', 'ecs.c7.xlarge', 'ecs.r7.2xlarge'],
  tencent: ['S5.MEDIUM4', 'SA3.LARGE8'],
  huawei: ['s6.large.2', 'c7.xlarge.2', 'm7.2xlarge.8'],
};
const RUNNING: Readonly<Record<CloudProvider, readonly [string, string]>> = { aliyun: ['Running', 'Stopped'], tencent: ['RUNNING', 'STOPPED'], huawei: ['ACTIVE', 'SHUTOFF'] };

export class EmulatedFleet {
  readonly resources: readonly EmulatedResource[];
  readonly offered: readonly OfferedMetric[];
  private readonly byRegionProduct = new Map<string, EmulatedResource[]>();
  private readonly byKey = new Map<string, EmulatedResource>();
  /** Names changed in the "console" since the fleet was made (a test renames an instance). */
  private readonly renamed = new Map<string, string>();

  constructor(
    readonly provider: CloudProvider,
    options: FleetOptions,
    mappings: readonly CloudProductMapping[] = loadMappings({ shippedDir: findShippedMappingsDir() }).products,
  ) {
    const regions = options.regions ?? [defaultRegion(provider)];
    const every = options.withoutAgentEvery ?? 10;
    const products = options.products ?? { ecs: 0 };
    const resources: EmulatedResource[] = [];
    regions.forEach((region, r) => {
      for (const [product, count] of Object.entries(products)) {
        for (let i = 0; i < (count ?? 0); i++) {
          const id = emulatedInstanceId(provider, product, r, i);
          const res: EmulatedResource = {
            product,
            region,
            id,
            name: `${NAME_WORD[product] ?? product}-${region}-${pad(i + 1, 3)}`,
            ...(provider === 'tencent' && product === 'slb' ? { vip: `10.${100 + r}.${Math.floor(i / 250)}.${(i % 250) + 1}` } : {}),
            hasAgent: product !== 'ecs' || every === 0 || (i + 1) % every !== 0,
          };
          resources.push(res);
          const key = `${region}/${product}`;
          if (!this.byRegionProduct.has(key)) this.byRegionProduct.set(key, []);
          this.byRegionProduct.get(key)!.push(res);
          this.byKey.set(`${region}/${id}`, res);
          if (res.vip) this.byKey.set(`${region}/${res.vip}`, res);
        }
      }
    });
    this.resources = resources;
    const without = new Set(options.withoutMetrics ?? []);
    const offered = new Map<string, OfferedMetric>();
    for (const p of mappings) {
      if (p.provider !== provider) continue;
      for (const m of p.metrics) {
        const key = `${m.namespace}/${m.metric}`;
        if (without.has(key) || offered.has(key)) continue;
        offered.set(key, {
          namespace: m.namespace,
          metric: m.metric,
          product: p.product,
          instanceDimension: m.instanceDimension,
          subDimensions: Object.values(m.labels),
          needsAgent: AGENT_METRICS[provider](m.namespace, m.metric),
          unit: m.unit === 'ratio' ? '%' : m.unit === 'bytes_per_second' ? (m.scale === 0.125 ? 'bits/s' : m.scale === 125000 ? 'Mbps' : 'Bytes/s') : 'Count',
        });
      }
    }
    this.offered = [...offered.values()];
  }

  instances(region: string, product: string): readonly EmulatedResource[] {
    return this.byRegionProduct.get(`${region}/${product}`) ?? [];
  }

  /** The instance's name now (renames included). */
  nameOf(resource: EmulatedResource): string {
    return this.renamed.get(`${resource.region}/${resource.id}`) ?? resource.name;
  }

  /** Renames an instance, as an operator would in the cloud's console; the next instance listing shows the new name. */
  rename(region: string, id: string, name: string): void {
    if (!this.byKey.has(`${region}/${id}`)) throw new Error(`no instance ${id} in ${region}`);
    this.renamed.set(`${region}/${id}`, name);
  }

  /** Private address, type and state: deterministic per instance; every 13th is stopped. */
  factsOf(resource: EmulatedResource): EmulatedInstanceFacts {
    // The id's last five digits are the instance's number in its region.
    const index = Number(/(\d+)$/.exec(resource.id)?.[1] ?? 0) % 100_000;
    const regionIndex = Math.max(0, this.regionsInOrder.indexOf(resource.region));
    const types = INSTANCE_TYPES[this.provider];
    return {
      privateIp: `172.${16 + (regionIndex % 16)}.${Math.floor(index / 250) % 256}.${(index % 250) + 2}`,
      instanceType: types[index % types.length]!,
      status: RUNNING[this.provider][(index + 1) % 13 === 0 ? 1 : 0],
    };
  }

  private get regionsInOrder(): string[] {
    return [...new Set(this.resources.map((r) => r.region))];
  }

  /** The resource a monitoring query names by its id (or Tencent CLB VIP), in a region. */
  find(region: string, idOrVip: string): EmulatedResource | undefined {
    return this.byKey.get(`${region}/${idOrVip}`);
  }

  offeredMetric(namespace: string, metric: string): OfferedMetric | undefined {
    return this.offered.find((m) => m.namespace === namespace && m.metric === metric);
  }

  metricsOf(namespace: string): readonly OfferedMetric[] {
    return this.offered.filter((m) => m.namespace === namespace);
  }

  /** Whether the resource reports this metric at all (agent metrics need the agent; product must match the namespace). */
  reports(resource: EmulatedResource, offered: OfferedMetric): boolean {
    return resource.product === offered.product && (!offered.needsAgent || resource.hasAgent);
  }

  /** The sub-dimension value sets of a resource for a metric: [{}] without sub-dimensions; two disks on odd instances, one on even. */
  subDimensionSets(resource: EmulatedResource, offered: OfferedMetric): Record<string, string>[] {
    if (offered.subDimensions.length === 0) return [{}];
    const index = Number(/(\d+)$/.exec(resource.id)?.[1] ?? 0);
    const count = index % 2 === 1 ? 2 : 1;
    const sets: Record<string, string>[] = [];
    for (let i = 0; i < count; i++) sets.push(Object.fromEntries(offered.subDimensions.map((d) => [d, SUB_VALUES[d]?.[i] ?? `${d}-${i}`])));
    return sets;
  }

  /** The value the cloud holds for one series at one time. */
  value(resource: EmulatedResource, metric: string, sub: Readonly<Record<string, string>>, t: number): number {
    return emulatedValue(resource.id, metric, sub, t);
  }
}

export function emulatedValue(id: string, metric: string, sub: Readonly<Record<string, string>>, t: number): number {
  const subKey = Object.values(sub).join('|');
  return Math.round(syntheticValue(subKey ? `${id}|${subKey}` : id, metric, t) * magnitudeOf(metric) * 100) / 100;
}

export function defaultRegion(provider: CloudProvider): string {
  return provider === 'aliyun' ? 'cn-hangzhou' : provider === 'tencent' ? 'ap-guangzhou' : 'cn-north-4';
}

/**
 * Plausible, deterministic values: a per-series baseline plus a slow wave,
 * so charts look alive and tests can recompute any point.
 */
export function syntheticValue(seriesKey: string, metric: string, timestampMs: number): number {
  let seed = 0;
  for (const ch of `${seriesKey}/${metric}`) seed = (seed * 31 + ch.charCodeAt(0)) >>> 0;
  const baseline = 10 + (seed % 60);
  const wave = 8 * Math.sin(timestampMs / 600_000 + (seed % 17));
  return Math.round((baseline + wave) * 100) / 100;
}
