// The one contract between the core and every UI: each request with the schema
// of its input and output, and each event with the schema of its payload.
// The dispatcher validates every input here, at the edge; handlers trust
// their types. Names are `domain/verb`. Pure TypeScript + zod: importable by
// the renderer and the preload.
import { z } from 'zod';

// ---------------------------------------------------------------- building blocks

export const HostStatus = z.enum([
  'connecting',
  'online',
  'stale', // no sample for two intervals
  'offline',
  'auth_failed',
  'host_key_changed',
  'host_key_unknown',
  'unsupported_os',
  'agent_error',
  'paused',
]);
export type HostStatus = z.infer<typeof HostStatus>;

export const HostKind = z.enum(['local', 'ssh']);

export const Host = z.object({
  id: z.string(),
  name: z.string(),
  kind: HostKind,
  status: HostStatus,
  /** Human-readable reason for the status (last error, unsupported OS name, …). Never contains secrets. */
  statusDetail: z.string().optional(),
  lastSampleAt: z.number().optional(),
  pollIntervalMs: z.number(),
  tags: z.array(z.string()),
  /** True when the host comes from the provisioning file (read-only in the UI). */
  provisioned: z.boolean(),
  info: z
    .object({
      hostname: z.string().optional(),
      kernel: z.string().optional(),
      os: z.string().optional(),
      arch: z.string().optional(),
      cpus: z.number().optional(),
    })
    .optional(),
});
export type Host = z.infer<typeof Host>;

/** The latest values of one host, for the overview card and the detail header. */
export const HostSummary = z.object({
  hostId: z.string(),
  t: z.number(),
  cpuUsage: z.number().nullable(),
  cpus: z.number().nullable(),
  load1: z.number().nullable(),
  load5: z.number().nullable(),
  load15: z.number().nullable(),
  memoryUsed: z.number().nullable(),
  memoryTotal: z.number().nullable(),
  swapUsed: z.number().nullable(),
  swapTotal: z.number().nullable(),
  fullestMount: z.string().nullable(),
  fullestMountUsage: z.number().nullable(),
  networkRxRate: z.number().nullable(),
  networkTxRate: z.number().nullable(),
  diskReadRate: z.number().nullable(),
  diskWriteRate: z.number().nullable(),
  uptimeSeconds: z.number().nullable(),
});
export type HostSummary = z.infer<typeof HostSummary>;

export const ProcessRow = z.object({
  pid: z.number(),
  comm: z.string(),
  user: z.string().optional(),
  state: z.string().optional(),
  /** CPU in cores (1 = one full CPU) over the last interval. */
  cpu: z.number(),
  rssBytes: z.number(),
  memoryRatio: z.number().nullable(),
});
export type ProcessRow = z.infer<typeof ProcessRow>;

export const MatchOp = z.enum(['=', '!=', '=~', '!~']);
export const LabelMatcher = z.object({
  label: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/),
  op: MatchOp,
  value: z.string().max(1024),
});
export const SeriesSelector = z.object({
  name: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/),
  matchers: z.array(LabelMatcher).max(32).optional(),
});

export const Tier = z.enum(['raw', '1m', '1h']);
export type Tier = z.infer<typeof Tier>;

export const RangeQuery = z
  .object({
    selectors: z.array(SeriesSelector).min(1).max(32),
    /** ms since the epoch */
    from: z.number().int().nonnegative(),
    to: z.number().int().nonnegative(),
    /** About one point per chart pixel. */
    maxPoints: z.number().int().min(2).max(5000),
  })
  .refine((q) => q.to > q.from, { message: 'to must be after from', path: ['to'] });
export type RangeQuery = z.infer<typeof RangeQuery>;

/** One bucket: [t, avg, min, max]; t is the bucket start in ms. Missing buckets are absent (gaps stay gaps). */
export const Point = z.tuple([z.number(), z.number(), z.number(), z.number()]);
export type Point = z.infer<typeof Point>;

export const SeriesData = z.object({
  name: z.string(),
  labels: z.record(z.string(), z.string()),
  tier: Tier,
  stepMs: z.number(),
  points: z.array(Point),
});
export type SeriesData = z.infer<typeof SeriesData>;

export const ConfigProblem = z.object({
  file: z.string(),
  line: z.number().optional(),
  column: z.number().optional(),
  field: z.string().optional(),
  message: z.string(),
});
export type ConfigProblem = z.infer<typeof ConfigProblem>;

export const Retention = z.object({
  rawHours: z.number().min(1).max(24 * 30),
  minuteDays: z.number().min(1).max(400),
  hourDays: z.number().min(1).max(3650),
});
export type Retention = z.infer<typeof Retention>;

export const Settings = z.object({
  pollIntervalMs: z.number().int().min(1000).max(3_600_000),
  retention: Retention,
});
export type Settings = z.infer<typeof Settings>;

export const AppInfo = z.object({
  version: z.string(),
  agentVersion: z.string(),
  shell: z.enum(['desktop', 'headless']),
  settings: Settings,
  /** Fields set by the provisioning file are read-only in the UI. */
  provisionedSettings: z.array(z.string()),
  config: z.object({
    file: z.string().nullable(),
    problems: z.array(ConfigProblem),
    loadedAt: z.number().nullable(),
  }),
  store: z.object({
    sizeBytes: z.number(),
    series: z.number(),
  }),
});
export type AppInfo = z.infer<typeof AppInfo>;

/** Details that change per sample but are not series: mounts, devices, top processes. */
export const HostInventory = z.object({
  hostId: z.string(),
  t: z.number(),
  filesystems: z.array(z.object({ mountpoint: z.string(), device: z.string(), fstype: z.string() })),
  disks: z.array(z.string()),
  interfaces: z.array(z.string()),
  temperatures: z.array(z.object({ name: z.string(), labels: z.record(z.string(), z.string()), celsius: z.number() })),
  processes: z.array(ProcessRow),
});
export type HostInventory = z.infer<typeof HostInventory>;

// ---------------------------------------------------------------- requests and events

const HostId = z.object({ hostId: z.string().min(1).max(200) });

export const requests = {
  /** Version, shell, effective settings, provisioning problems, store size. */
  'app/info': { input: z.void(), output: AppInfo },
  /** Every watched host with its status. */
  'hosts/list': { input: z.void(), output: z.array(Host) },
  /** Latest values of every host that has reported at least once. */
  'hosts/summaries': { input: z.void(), output: z.array(HostSummary) },
  /** Mounts, devices, temperatures and top processes from the host's latest sample. */
  'hosts/inventory': { input: HostId, output: HostInventory.nullable() },
  /** Range query over stored series; the store picks the tier and buckets to maxPoints. */
  'series/query': { input: RangeQuery, output: z.array(SeriesData) },
  /**
   * Change settings. Fields set by the provisioning file cannot be changed here
   * (error code `provisioned`). The renderer cannot name file paths.
   */
  'settings/update': { input: Settings.partial(), output: Settings },
} as const;

export const events = {
  'hosts/changed': z.array(Host),
  /** A host delivered a sample; detail screens re-query their ranges on it. */
  'samples/appended': z.object({ hostId: z.string(), t: z.number(), summary: HostSummary }),
  'config/changed': AppInfo.shape.config,
} as const;

export type Requests = typeof requests;
export type Events = typeof events;
export type RequestName = keyof Requests;
export type EventName = keyof Events;
export type RequestInput<K extends RequestName> = z.input<Requests[K]['input']>;
export type RequestOutput<K extends RequestName> = z.output<Requests[K]['output']>;
export type EventPayload<K extends EventName> = z.output<Events[K]>;

/** Every request handler the core provides. */
export type Handlers = {
  [K in RequestName]: (input: z.output<Requests[K]['input']>) => Promise<RequestOutput<K>> | RequestOutput<K>;
};

/** Error codes a request can fail with; messages are for people and never contain secrets. */
export type RpcErrorCode = 'invalid_input' | 'not_found' | 'provisioned' | 'unknown_method' | 'internal' | 'unavailable';

export class RpcError extends Error {
  constructor(
    readonly code: RpcErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}
