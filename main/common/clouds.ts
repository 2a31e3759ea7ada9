// What the UI, the provisioning file and the core say about cloud accounts
// and cloud instances, validated the same way everywhere. Pure:
// imported by the contract, the renderer and the core.
import { z } from 'zod';

export const CLOUD_PROVIDERS = ['aliyun', 'tencent', 'huawei'] as const;
export const CloudProvider = z.enum(CLOUD_PROVIDERS, { error: 'must be one of aliyun, tencent, huawei' });
export type CloudProvider = z.infer<typeof CloudProvider>;

/** What each cloud calls its two halves of a key, for forms and messages. */
export const CLOUD_KEY_NAMES: Readonly<Record<CloudProvider, { id: string; secret: string }>> = {
  aliyun: { id: 'AccessKey ID', secret: 'AccessKey Secret' },
  tencent: { id: 'SecretId', secret: 'SecretKey' },
  huawei: { id: 'Access Key (AK)', secret: 'Secret Key (SK)' },
};

export const ACCOUNT_NAME_MAX = 63;
/** The `account` label of every series and part of the URL. */
export const AccountNameField = z
  .string({ error: 'the name is required' })
  .trim()
  .min(1, { error: 'the name is required' })
  .max(ACCOUNT_NAME_MAX, { error: `the name can be at most ${ACCOUNT_NAME_MAX} characters` })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'the name may hold letters, digits, ".", "_" and "-", and must start with a letter or digit' });

/** Region ids as the three clouds write them: cn-hangzhou, ap-guangzhou, cn-north-4. */
export const RegionField = z
  .string({ error: 'a region must be text like cn-hangzhou' })
  .trim()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { error: 'a region is written like cn-hangzhou, ap-guangzhou or cn-north-4' })
  .max(40, { error: 'a region id is at most 40 characters' });

export const MAX_REGIONS = 30;

/** `host[:port]` of a private or proxied endpoint (the emulators in the tests); no scheme, no path. */
export const EndpointField = z
  .string({ error: 'the endpoint must be text like cms.example.internal:443' })
  .trim()
  .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, { error: 'the endpoint is a host or host:port, without http:// or a path' });

/** A Huawei project id: 32 hex digits as IAM issues them (looser, since private clouds differ). */
export const ProjectIdField = z
  .string({ error: 'a project id must be text' })
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'a project id holds letters, digits, "_" and "-" (IAM shows it under My Credentials → Projects)' });

/** Access key ids are identifiers, not secrets, but still no whitespace or control characters. */
export const AccessKeyIdField = z
  .string({ error: 'the key id is required' })
  .trim()
  .min(4, { error: 'the key id is too short' })
  .max(128, { error: 'the key id is at most 128 characters' })
  .regex(/^[\x21-\x7e]+$/, { error: 'the key id holds printable characters only' });

export const AccessKeySecretField = z
  .string({ error: 'the secret is required' })
  .min(4, { error: 'the secret is too short' })
  .max(256, { error: 'the secret is at most 256 characters' })
  .regex(/^[\x21-\x7e]+$/, { error: 'the secret holds printable characters only (check for a pasted space or line break)' });

/** Data granularity: the clouds' common periods. */
export const CLOUD_PERIODS_SECONDS = [60, 300] as const;
export const CLOUD_PERIOD_MIN_S = 60;
export const CLOUD_INTERVAL_MAX_S = 3600;

/**
 * Keys shown in forms as a hint (first 4 and last 4 characters), never whole:
 * an id is not a secret, but a screenshot should not hand it out either.
 */
export function accessKeyIdHint(id: string): string {
  return id.length <= 10 ? `${id.slice(0, 2)}…` : `${id.slice(0, 4)}…${id.slice(-4)}`;
}

/** The labels every cloud series carries; mapping labels may not reuse them. */
export const CLOUD_SERIES_LABELS = ['cloud', 'account', 'region', 'instance', 'product'] as const;

/** The overview's columns a canonical metric can feed (the mapping's `summary:`). */
export const CLOUD_SUMMARY_KEYS = ['cpu', 'memory', 'disk', 'network_receive', 'network_transmit'] as const;
export type CloudSummaryKey = (typeof CLOUD_SUMMARY_KEYS)[number];

// ---------------------------------------------------------------- contract schemas

/** A request budget for one API of an account (calls per second, burst). */
export const CloudApiLimitInput = z.object({
  ratePerSecond: z.number({ error: 'the rate must be a number' }).positive({ error: 'the rate must be above 0' }).max(1000, { error: 'the rate can be at most 1000 calls per second' }),
  burst: z.number({ error: 'the burst must be a number' }).int({ error: 'the burst must be a whole number' }).min(1, { error: 'the burst must be at least 1' }).max(1000, { error: 'the burst can be at most 1000' }),
});

export const ProductNameField = z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, { error: 'a product is a mapping’s product name, like ecs' });

const CloudAccountFields = z.object({
  name: AccountNameField,
  provider: CloudProvider,
  regions: z
    .array(RegionField, { error: 'give at least one region' })
    .min(1, { error: 'give at least one region' })
    .max(MAX_REGIONS, { error: `at most ${MAX_REGIONS} regions per account` })
    .refine((r) => new Set(r).size === r.length, { error: 'a region is listed twice' }),
  /** Write-only. Absent on an edit: the stored key stays. */
  accessKeyId: AccessKeyIdField.optional(),
  /** Write-only. Absent on an edit: the stored secret stays. */
  accessKeySecret: AccessKeySecretField.optional(),
  /** Huawei: the project id of every region. */
  projectIds: z.record(z.string(), ProjectIdField).optional(),
  endpoint: EndpointField.optional(),
  periodSeconds: z.union([z.literal(60), z.literal(300)], { error: 'the period is 60 or 300 seconds' }).optional(),
  intervalSeconds: z.number().int().min(CLOUD_PERIOD_MIN_S, { error: 'collect at most once a minute' }).max(CLOUD_INTERVAL_MAX_S, { error: 'collect at least once an hour' }).optional(),
  delaySeconds: z.number().int().min(0, { error: 'the delay cannot be negative' }).max(1800, { error: 'the delay is at most 30 minutes' }).optional(),
  products: z.array(ProductNameField).max(50).optional(),
  limits: z.record(z.string().regex(/^[A-Za-z]+$/), CloudApiLimitInput).optional(),
  enabled: z.boolean().default(true),
});

/** Cross-field rules of an account, the same for the UI and the provisioning file. */
export function cloudAccountProblems(a: { provider: CloudProvider; regions: readonly string[]; projectIds?: Readonly<Record<string, string>>; periodSeconds?: number; intervalSeconds?: number }): { path: string[]; message: string }[] {
  const out: { path: string[]; message: string }[] = [];
  if (a.provider === 'huawei') {
    const missing = a.regions.filter((r) => !a.projectIds?.[r]);
    if (missing.length) out.push({ path: ['projectIds'], message: `Huawei needs the project id of every region; missing for ${missing.join(', ')}` });
    const extra = Object.keys(a.projectIds ?? {}).filter((r) => !a.regions.includes(r));
    if (extra.length) out.push({ path: ['projectIds'], message: `project ids for regions not listed: ${extra.join(', ')}` });
  } else if (a.projectIds && Object.keys(a.projectIds).length) {
    out.push({ path: ['projectIds'], message: 'project ids are for Huawei accounts only' });
  }
  const period = a.periodSeconds ?? 60;
  if (a.intervalSeconds !== undefined && a.intervalSeconds % period !== 0) out.push({ path: ['intervalSeconds'], message: `the interval must be a whole number of periods (${period} s)` });
  return out;
}

export const CloudAccountDraft = CloudAccountFields.superRefine((a, ctx) => {
  for (const p of cloudAccountProblems(a)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
});
export type CloudAccountDraft = z.infer<typeof CloudAccountDraft>;

export const CloudCycleErrorView = z.object({
  at: z.number(),
  region: z.string().optional(),
  api: z.string(),
  kind: z.string(),
  code: z.string(),
  message: z.string(),
  count: z.number(),
});

export const CloudStatusView = z.object({
  state: z.enum(['starting', 'collecting', 'idle', 'error', 'stopped', 'paused']),
  stateDetail: z.string().optional(),
  instances: z.number(),
  instancesByProduct: z.record(z.string(), z.number()),
  lastCycleStartedAt: z.number().nullable(),
  lastCycleDurationMs: z.number().nullable(),
  lastCycleCalls: z.number().nullable(),
  lastCycleMinimumCalls: z.number().nullable(),
  lastCycleDiscoveryCalls: z.number().nullable(),
  lastCycleSamples: z.number().nullable(),
  lastDiscoveryAt: z.number().nullable(),
  lastDiscoveryCalls: z.number().nullable(),
  collectedUntil: z.number().nullable(),
  recentErrors: z.array(CloudCycleErrorView),
  laggingSeries: z.number(),
  unavailableMetrics: z.array(z.string()),
  /** Products whose instances show ids, not names: the cloud's instance list was refused or failed at the last discovery. */
  namesProblems: z.array(
    z.object({
      region: z.string(),
      product: z.string(),
      api: z.string(),
      kind: z.enum(['permission_denied', 'failed']),
      code: z.string(),
      message: z.string(),
      /** The policy action to grant (ecs:DescribeInstances, ecs:cloudServers:list). */
      permission: z.string(),
      at: z.number(),
    }),
  ),
});
export type CloudStatusView = z.infer<typeof CloudStatusView>;

/** One API of an account as the console saw it: calls, throttles, errors by code, latency. */
export const CloudApiView = z.object({
  api: z.string(),
  calls: z.number(),
  throttles: z.number(),
  errorsByCode: z.record(z.string(), z.number()),
  /** Mean and an estimate of the 95th percentile (from the latency histogram), in ms; null before the first call. */
  latencyMeanMs: z.number().nullable(),
  latencyP95Ms: z.number().nullable(),
  /** The budget in force and the cloud's published quota (null: none published). */
  ratePerSecond: z.number(),
  burst: z.number(),
  publishedPerSecond: z.number().nullable(),
});
export type CloudApiView = z.infer<typeof CloudApiView>;

/** An account as the UI sees it: never a secret, only whether one is set and a hint of the key id. */
export const CloudAccountView = z.object({
  name: z.string(),
  provider: CloudProvider,
  regions: z.array(z.string()),
  projectIds: z.record(z.string(), z.string()),
  endpoint: z.string().nullable(),
  accessKeyIdHint: z.string().nullable(),
  secretSet: z.boolean(),
  periodSeconds: z.number(),
  intervalSeconds: z.number(),
  delaySeconds: z.number(),
  products: z.array(z.string()).nullable(),
  enabled: z.boolean(),
  provisioned: z.boolean(),
  /** Why the account cannot run (a secret variable not set…), else null. */
  problem: z.string().nullable(),
  status: CloudStatusView,
  apis: z.array(CloudApiView),
  /** Data calls a month at the current fleet and interval, next to the cloud's free monthly quota (null: none published). */
  projectedMonthlyCalls: z.number().nullable(),
  freeMonthlyCalls: z.number().nullable(),
});
export type CloudAccountView = z.infer<typeof CloudAccountView>;

export const CloudTestView = z.object({
  ok: z.boolean(),
  kind: z.string().optional(),
  code: z.string().optional(),
  message: z.string(),
  instances: z.array(z.object({ region: z.string(), product: z.string(), count: z.number() })),
  /** The keys read the metrics but may not list the instances by name: ids will be shown. */
  namesDenied: z.object({ region: z.string(), product: z.string(), api: z.string(), code: z.string(), permission: z.string() }).optional(),
});
export type CloudTestView = z.infer<typeof CloudTestView>;

/** One cloud instance with its latest key metrics (ratios 0..1, bytes per second), for the overview and the account screen. */
export const CloudInstanceRow = z.object({
  account: z.string(),
  provider: CloudProvider,
  region: z.string(),
  product: z.string(),
  instanceId: z.string(),
  name: z.string().nullable(),
  /** From the cloud's instance list, where one is read (ECS DescribeInstances, ListServersDetails). */
  privateIp: z.string().optional(),
  instanceType: z.string().optional(),
  /** The cloud's own lifecycle word (Running, ACTIVE, SHUTOFF…). */
  status: z.string().optional(),
  cpu: z.number().nullable(),
  memory: z.number().nullable(),
  disk: z.number().nullable(),
  /** Which disk/mount `disk` is (the fullest), when the metric is per disk. */
  diskLabel: z.string().nullable(),
  networkRx: z.number().nullable(),
  networkTx: z.number().nullable(),
  /** Newest datapoint of the instance (ms), null before the first. */
  lastT: z.number().nullable(),
});
export type CloudInstanceRow = z.infer<typeof CloudInstanceRow>;

export const CloudMappingsView = z.object({
  files: z.array(z.object({ file: z.string(), user: z.boolean(), used: z.boolean() })),
  problems: z.array(z.object({ file: z.string(), line: z.number().optional(), column: z.number().optional(), field: z.string().optional(), message: z.string() })),
  /** The user mapping directory (in the data dir). */
  userDir: z.string(),
  products: z.array(
    z.object({
      provider: CloudProvider,
      product: z.string(),
      title: z.string(),
      metrics: z.array(z.object({ canonical: z.string(), namespace: z.string(), metric: z.string(), statistic: z.string(), scale: z.number(), summary: z.string().nullable() })),
    }),
  ),
});
export type CloudMappingsView = z.infer<typeof CloudMappingsView>;

// ---------------------------------------------------------------- rules on cloud metrics

/** What a rule needs to know of an account to wait for its data. */
export interface CloudAccountTiming {
  readonly name: string;
  readonly provider: CloudProvider;
  readonly periodSeconds: number;
  readonly intervalSeconds: number;
  readonly delaySeconds: number;
}

/** Without an account to go by: Huawei's default delay (the longest of the three), a cycle a minute. */
const FALLBACK_TIMING = { periodSeconds: 60, intervalSeconds: 60, delaySeconds: 180 };

/**
 * How far back a rule on a cloud metric must look to hold a point. A period
 * [t, t + period) settles at the cloud `delay` after it ends and is fetched
 * by the next cycle, up to `interval` later, so at any moment the newest
 * point started at most delay + interval + 2 periods ago (one period for its
 * length, one for the cycle's alignment); one period more keeps a second
 * point in the window for averages. Whole minutes, the longest of the
 * accounts the selector can match (`account` / `cloud` labels), or of all.
 */
export function cloudRuleWindowMs(accounts: readonly CloudAccountTiming[], matches: (labels: { account: string; cloud: string }) => boolean = () => true): number {
  const relevant = accounts.filter((a) => matches({ account: a.name, cloud: a.provider }));
  const timings = relevant.length ? relevant : [FALLBACK_TIMING];
  const seconds = Math.max(...timings.map((a) => a.delaySeconds + a.intervalSeconds + 3 * a.periodSeconds));
  return Math.ceil(seconds / 60) * 60_000;
}

// ---------------------------------------------------------------- instance states

/** One word for a cloud instance's lifecycle state across the three clouds, for the UI to translate. */
export const CLOUD_INSTANCE_STATES = ['running', 'stopped', 'starting', 'stopping', 'pending', 'rebooting', 'resizing', 'migrating', 'shelved', 'terminating', 'deleted', 'error', 'unknown'] as const;
export type CloudInstanceState = (typeof CLOUD_INSTANCE_STATES)[number];

// Alibaba ECS `Status` (Pending, Running, Starting, Stopping, Stopped), Tencent
// CVM `InstanceState` (PENDING, LAUNCH_FAILED, RUNNING, STOPPED, STARTING,
// STOPPING, REBOOTING, SHUTDOWN, TERMINATING) and Huawei ECS `status` (BUILD,
// REBOOT, HARD_REBOOT, REBUILD, MIGRATING, RESIZE, REVERT_RESIZE,
// VERIFY_RESIZE, ACTIVE, SHUTOFF, ERROR, DELETED, SHELVED, SHELVED_OFFLOADED,
// UNKNOWN), from each cloud's DescribeInstances / ListServersDetails reference.
const INSTANCE_STATE_WORDS: Readonly<Record<string, CloudInstanceState>> = {
  running: 'running',
  active: 'running',
  stopped: 'stopped',
  shutoff: 'stopped',
  shutdown: 'stopped',
  starting: 'starting',
  stopping: 'stopping',
  pending: 'pending',
  build: 'pending',
  rebuild: 'pending',
  reboot: 'rebooting',
  hard_reboot: 'rebooting',
  rebooting: 'rebooting',
  resize: 'resizing',
  revert_resize: 'resizing',
  verify_resize: 'resizing',
  migrating: 'migrating',
  shelved: 'shelved',
  shelved_offloaded: 'shelved',
  terminating: 'terminating',
  deleted: 'deleted',
  error: 'error',
  launch_failed: 'error',
  unknown: 'unknown',
};

/** The state a cloud's own word names, or undefined for a word none of the three uses (shown as the cloud wrote it). */
export function cloudInstanceState(word: string): CloudInstanceState | undefined {
  return INSTANCE_STATE_WORDS[word.trim().toLowerCase()];
}
