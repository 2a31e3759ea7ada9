// The one contract between the core and every UI: each request with the schema
// of its input and output, and each event with the schema of its payload.
// The dispatcher validates every input here, at the edge; handlers trust
// their types. Names are `domain/verb`. Pure TypeScript + zod: importable by
// the renderer and the preload.
import { z } from 'zod';
import { AlertRule } from './alertRules.js';
import { AlertView, DeliveryRecord, DeliveryStatus, HistoryFilter, PreviewResult, RuleView, Silence, TransitionRecord } from './alertModel.js';
import { ChannelDraft, ChannelTestRequest, ChannelTestResult, ChannelView } from './alertChannels.js';
import { refineLabelPattern } from './alertModel.js';
import { ListenAddressText } from './listenAddress.js';
import { METRIC_UNITS } from './metrics.js';
import { ALERT_LANGS } from './alertTexts.js';
import { HostDefinitionView, HostDraft, HostKeyPrompt, ImportResult, SshConfigView, TestConnectionView } from './sshHosts.js';
import { CloudAccountDraft, CloudAccountView, CloudInstanceRow, CloudMappingsView, CloudTestView } from './clouds.js';
import { CheckDraft, CheckName, CheckView } from './checks.js';
import { AnomalySettings, AnomalyStatus, EntityRate, EntityRef, ExplainQuery, ExplainResult, SeriesBand, UnusualQuery, UnusualResult } from './anomalies.js';
import { HistoryDraft, HistoryState, RemoteWriteDraft, RemoteWriteTargetView, TargetNameField } from './remoteWrite.js';
import { ReceiverState, ReceiverUpdate, TargetDefinitionView, TargetDraft, TargetTestView } from './promHosts.js';

// ---------------------------------------------------------------- building blocks

export { HostStatus } from './hostStatus.js';
import { HostStatus } from './hostStatus.js';

/**
 * Where a host's data comes from: the agent on this machine (`local`) or over
 * SSH (`ssh`), its node_exporter scraped over HTTP(S) (`node_exporter`), or
 * remote write pushed to the console's receiver (`pushed`). The last two have
 * no processes: node_exporter lists none.
 */
export const HostKind = z.enum(['local', 'ssh', 'node_exporter', 'pushed']);
export type HostKind = z.infer<typeof HostKind>;

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
  /** For display: SSH hosts `user@host:port`; node_exporter targets the URL scraped; pushed hosts the sender's address. */
  address: z.string().optional(),
  /** SSH hosts waiting for a decision on a host key (status host_key_unknown / host_key_changed). */
  hostKey: HostKeyPrompt.optional(),
  info: z
    .object({
      hostname: z.string().optional(),
      kernel: z.string().optional(),
      os: z.string().optional(),
      arch: z.string().optional(),
      cpus: z.number().optional(),
      /** Node's platform name of the watched OS (linux, darwin, win32): says why some series are absent. */
      platform: z.string().optional(),
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
  /** Containers on the host: running (incl. paused) and all known; null when the host reports no container data. */
  containersRunning: z.number().nullable().optional(),
  containersTotal: z.number().nullable().optional(),
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
export const LabelMatcher = z
  .object({
    label: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/),
    op: MatchOp,
    value: z.string().max(1024),
  })
  .superRefine(refineLabelPattern);
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
  /** The UI's language, which notifications (popups, webhooks, chat robots) are written in; English until a UI says. */
  language: z.enum(ALERT_LANGS).optional(),
});
export type Settings = z.infer<typeof Settings>;

/**
 * Where passwords, passphrases and keys are kept. The desktop app uses the OS
 * keychain through Electron's safeStorage; where there is none it falls back to
 * the headless console's store (AES-256-GCM, the key in a 0600 file beside the
 * data) and says why, so the user can fix it rather than trust a keychain that
 * is not there.
 */
export const SecretStorage = z.object({
  kind: z.enum(['keychain', 'file']),
  /**
   * Set when the desktop app fell back to the key file: `no_keychain` (safeStorage
   * says encryption is not available: no keyring answered), `basic_text` (Linux:
   * Chromium picked its basic_text backend, which encrypts with a hard-coded key).
   */
  reason: z.enum(['no_keychain', 'basic_text']).optional(),
  /** The key file (file kind): the one file to keep private, and to back up with secrets.json. */
  keyFile: z.string().optional(),
  /** The Linux keychain Chromium talks to (gnome_libsecret, kwallet5…), keychain kind. */
  backend: z.string().optional(),
});
export type SecretStorage = z.infer<typeof SecretStorage>;

export const AppInfo = z.object({
  version: z.string(),
  agentVersion: z.string(),
  shell: z.enum(['desktop', 'headless']),
  secretStorage: SecretStorage,
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
    /** Samples the store refused since it opened: out of order, duplicates, too late, not finite. */
    droppedSamples: z.number(),
    /** Samples in batches that could not be written in this run. */
    samplesLost: z.number(),
    /** Set while writes fail (a full disk): the database's message, when failures began, the latest. */
    writeError: z.object({ message: z.string(), since: z.number(), at: z.number() }).nullable(),
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

// ---- topk, process history, status journal, history-only hosts: the operator's screens

/** What Top-K ranks: hosts, containers, cloud instances. */
export const TopKKind = z.enum(['host', 'container', 'cloud', 'check']);
export type TopKKind = z.infer<typeof TopKKind>;
/** avg and max over the window's buckets; last = the last bucket's average. */
export const TopKAggregate = z.enum(['avg', 'max', 'last']);
export type TopKAggregate = z.infer<typeof TopKAggregate>;

export const TopKQuery = z
  .object({
    kind: TopKKind,
    metric: SeriesSelector.shape.name,
    aggregate: TopKAggregate,
    from: z.number().int().nonnegative(),
    to: z.number().int().nonnegative(),
    k: z.number().int().min(1).max(1000),
    order: z.enum(['desc', 'asc']),
    /** Buckets per row: the sparkline's resolution, and the granularity of avg/max/last. */
    points: z.number().int().min(2).max(500),
  })
  .refine((q) => q.to > q.from, { message: 'to must be after from', path: ['to'] });
export type TopKQuery = z.infer<typeof TopKQuery>;

export const TopKRow = z.object({
  /** The ranked thing's id: the host id for kind `host`; `host/container` (`host/namespace/pod/container` in Kubernetes) for kind `container`; `check/vantage` for kind `check`. */
  entity: z.string(),
  /** Labels of the series that gave the value (for a per-mount metric: the worst mount). */
  labels: z.record(z.string(), z.string()),
  value: z.number(),
  /** Start of the last bucket with data: older than the window's end when the series vanished. */
  lastT: z.number(),
  /** The sparkline: [t, v] per bucket (v is the bucket's avg, or max when ranking by max). */
  points: z.array(z.tuple([z.number(), z.number()])),
});
export type TopKRow = z.infer<typeof TopKRow>;

export const TopKResult = z.object({
  stepMs: z.number(),
  /** Entities with data in the window (the rows are the first k of them). */
  total: z.number(),
  rows: z.array(TopKRow),
});
export type TopKResult = z.infer<typeof TopKResult>;

/** The top processes of one host at one moment, as kept by the process history. */
export const ProcessSnapshot = z.object({
  hostId: z.string(),
  t: z.number(),
  processes: z.array(ProcessRow),
});
export type ProcessSnapshot = z.infer<typeof ProcessSnapshot>;

export const StatusTransition = z.object({
  t: z.number(),
  status: HostStatus,
  previous: HostStatus.nullable(),
  detail: z.string().optional(),
});
export type StatusTransition = z.infer<typeof StatusTransition>;

/** A host that has history in the store but is not configured any more (or was never configured here). */
export const HistoryOnlyHost = z.object({
  hostId: z.string(),
  lastSampleAt: z.number(),
  /** Its last known values, for the overview row. */
  summary: HostSummary,
});
export type HistoryOnlyHost = z.infer<typeof HistoryOnlyHost>;

// ---------------------------------------------------------------- containers

export const ContainerStateName = z.enum(['created', 'running', 'paused', 'restarting', 'exited', 'dead', 'removing', 'unknown']);
export type ContainerStateName = z.infer<typeof ContainerStateName>;

/** One container of a host, its latest values (rates over the last interval); null = not known / not readable. */
export const ContainerRow = z.object({
  /** Full container id. */
  id: z.string(),
  /** Engine name, or the short id when the engine could not be asked. */
  name: z.string(),
  image: z.string().nullable(),
  /** docker, podman, containerd, cri-o, or cri (a Kubernetes container whose runtime the cgroup path does not name). */
  runtime: z.string(),
  state: ContainerStateName,
  restarts: z.number().nullable(),
  /** Kubernetes pod and namespace (from io.kubernetes.* labels), when it is a pod's container. */
  pod: z.string().nullable(),
  namespace: z.string().nullable(),
  /** Pod uid and QoS class from the cgroup path (known even without the engine). */
  podUid: z.string().nullable(),
  qos: z.enum(['guaranteed', 'burstable', 'besteffort']).nullable(),
  /** A pod's sandbox ("pause") container. */
  sandbox: z.boolean(),
  /** The labels its stored series carry besides `host` (container, image, namespace, pod): charts select by them. */
  seriesLabels: z.record(z.string(), z.string()),
  /** The engine's labels (compose project, Kubernetes names…), as the engine gave them. */
  labels: z.record(z.string(), z.string()),
  /** The container's cgroup (relative to the hierarchy root); null for containers without one (exited). */
  cgroupPath: z.string().nullable(),
  cpuCores: z.number().nullable(),
  cpuLimitCores: z.number().nullable(),
  /** Throttled periods / periods over the last interval (0..1). */
  cpuThrottledRatio: z.number().nullable(),
  /** Seconds throttled per second over the last interval. */
  cpuThrottledSecondsRate: z.number().nullable(),
  memoryUsageBytes: z.number().nullable(),
  memoryWorkingSetBytes: z.number().nullable(),
  memoryRssBytes: z.number().nullable(),
  memoryCacheBytes: z.number().nullable(),
  memoryPeakBytes: z.number().nullable(),
  /** null = no limit. */
  memoryLimitBytes: z.number().nullable(),
  oomKills: z.number().nullable(),
  /** Tasks (threads) in the cgroup, and its pids.max (null = none). */
  pids: z.number().nullable(),
  pidsLimit: z.number().nullable(),
  blockReadBytesRate: z.number().nullable(),
  blockWriteBytesRate: z.number().nullable(),
  blockReadOpsRate: z.number().nullable(),
  blockWriteOpsRate: z.number().nullable(),
  /** From the init process's network namespace; null when it could not be read (pid unknown, /proc not readable). */
  networkRxBytesRate: z.number().nullable(),
  networkTxBytesRate: z.number().nullable(),
  startedAt: z.number().nullable(),
});
export type ContainerRow = z.infer<typeof ContainerRow>;

export const EngineNoteCode = z.enum(['socket_denied', 'forwarding_refused', 'engine_unreachable', 'engine_garbage', 'no_engine']);
export type EngineNoteCode = z.infer<typeof EngineNoteCode>;

/** Why names are missing or old; the UI words it per code. */
export const EngineNote = z.object({
  code: EngineNoteCode,
  socket: z.string().optional(),
  user: z.string().optional(),
  detail: z.string().optional(),
});
export type EngineNote = z.infer<typeof EngineNote>;

export const HostContainers = z.object({
  hostId: z.string(),
  t: z.number(),
  cgroupMode: z.enum(['v1', 'v2', 'hybrid', 'none']),
  cgroupDriver: z.enum(['systemd', 'cgroupfs', 'unknown']),
  engine: z.enum(['docker', 'podman']).nullable(),
  /** How the engine was reached: the local socket, the socket over SSH, or its CLI over SSH. */
  engineVia: z.enum(['socket', 'ssh-socket', 'cli']).nullable(),
  /** When the engine last answered; null when it never has. */
  engineAt: z.number().nullable(),
  /** e.g. the user may not open the docker socket; metrics still flow, named by id. */
  note: EngineNote.nullable(),
  containers: z.array(ContainerRow),
});
export type HostContainers = z.infer<typeof HostContainers>;

// ---------------------------------------------------------------- export (/metrics)

export const ExportAuth = z.enum(['none', 'bearer', 'basic']);
export type ExportAuth = z.infer<typeof ExportAuth>;
/** What set a field the Settings screen then shows read-only: `overlook serve --metrics-listen`, or the provisioning file. */
export const ExportLock = z.enum(['flag', 'file']);
export type ExportLock = z.infer<typeof ExportLock>;

export { ListenAddressText };

/** The exporter as the Settings screen sees it. Never carries the token or password, only whether one is set. */
export const ExportState = z.object({
  enabled: z.boolean(),
  /** Effective `host:port`, e.g. 127.0.0.1:9309 (shown even while disabled: what enabling would bind). */
  listen: z.string(),
  auth: ExportAuth,
  tokenSet: z.boolean(),
  /** The URL to scrape while listening, else null. */
  url: z.string().nullable(),
  /** Prometheus HTTP service discovery of each host as its own target while listening, else null. */
  sdUrl: z.string().nullable(),
  /** Bound to 0.0.0.0 or ::, reachable from other machines. */
  allInterfaces: z.boolean(),
  /** Why the exporter is not serving although enabled (port in use, a missing token variable…). */
  lastError: z.string().nullable(),
  lastScrapeAt: z.number().nullable(),
  lockedBy: z.object({ enabled: ExportLock.nullable(), listen: ExportLock.nullable(), token: ExportLock.nullable() }),
});
export type ExportState = z.infer<typeof ExportState>;

/** Bearer tokens travel in an HTTP header: printable ASCII without spaces (RFC 6750 b64token is narrower still). */
export const ExportToken = z
  .string()
  .min(16, { error: 'the token must be at least 16 characters' })
  .max(1024, { error: 'the token must be at most 1024 characters' })
  .regex(/^[\x21-\x7e]+$/, { error: 'the token may hold only printable ASCII characters, without spaces' });

export const ExportUpdate = z.object({
  enabled: z.boolean().optional(),
  listen: ListenAddressText.optional(),
  /** Write-only: a new bearer token, or null to remove it. */
  token: ExportToken.nullable().optional(),
});
export type ExportUpdate = z.infer<typeof ExportUpdate>;

// ---- metric names for pickers

export const MetricChoiceView = z.object({
  name: z.string(),
  unit: z.enum(METRIC_UNITS),
  help: z.string(),
  /** Series stored under the name now; 0 for a catalogue name with none yet. */
  series: z.number(),
  lastT: z.number().nullable(),
});
export type MetricChoiceView = z.infer<typeof MetricChoiceView>;
/** Label name → its values among a metric's series (each list sorted, at most SERIES_LABEL_VALUES_MAX). */
export const SeriesLabelValues = z.record(z.string(), z.array(z.string()));
export const SERIES_LABEL_VALUES_MAX = 200;

// ---- alerts: rules, states, history, silences, deliveries; schemas in alertRules.ts / alertModel.ts

/** A rule as the editor sends it; the core parses it with the rule schema so messages name the field. */
export const AlertRuleInput = z.record(z.string(), z.unknown());
const AlertRuleId = z.object({ id: z.string().min(1).max(300) });
/** One click on an alert: mute this alert, its whole rule, or everything on its host. */
/** `instance`: every alert on one cloud instance (its `cloud`, `account` and `instance` labels), as `host` is for a host. */
export const AlertSilenceScope = z.enum(['alert', 'rule', 'host', 'instance']);
export type AlertSilenceScope = z.infer<typeof AlertSilenceScope>;
export const AlertSilenceRequest = z.object({
  alertId: z.string().min(1).max(2000),
  scope: AlertSilenceScope,
  durationMs: z.number().int().min(60_000).max(30 * 86_400_000),
  comment: z.string().max(500).optional(),
});
export const AlertRulesList = z.object({ rules: z.array(RuleView), channels: z.array(z.string()) });
export type AlertRulesList = z.infer<typeof AlertRulesList>;
/** What changed: `states` (evaluation), `rules`, `silences` or `deliveries`; the alert list is always current. */
export const AlertsChanged = z.object({ reason: z.enum(['states', 'rules', 'silences', 'deliveries', 'channels']), alerts: z.array(AlertView) });
export type AlertsChanged = z.infer<typeof AlertsChanged>;
/** A desktop notification for the headless console: the UI shows a toast and, when allowed, a browser Notification. */
export const AlertNotice = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  severity: z.enum(['info', 'warning', 'critical']),
  status: z.enum(['firing', 'resolved']),
  at: z.number(),
});
export type AlertNotice = z.infer<typeof AlertNotice>;

// ---- ssh hosts: schemas in sshHosts.ts, requests below

// ---------------------------------------------------------------- requests and events

const HostId = z.object({ hostId: z.string().min(1).max(200) });

/** "What happened here?" with, for a host, the top processes kept nearest the window's middle. */
export const ExplainView = ExplainResult.extend({ processes: ProcessSnapshot.nullable() });
export type ExplainView = z.infer<typeof ExplainView>;
const CloudAccount = z.object({ account: z.string().min(1).max(100) });

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
  /** Every metric name stored or in the catalogue, with its unit and how many series carry it (the rule editor's picker). */
  'series/names': { input: z.void(), output: z.array(MetricChoiceView) },
  /** The label values among one metric's series, for completing a selector. */
  'series/labels': { input: z.object({ name: SeriesSelector.shape.name }), output: SeriesLabelValues },
  /**
   * Change settings. Fields set by the provisioning file cannot be changed here
   * (error code `provisioned`). The renderer cannot name file paths.
   */
  'settings/update': { input: Settings.partial(), output: Settings },
  // ---- export
  /** The /metrics exporter's state; the token itself is never returned. */
  'export/get': { input: z.void(), output: ExportState },
  /** Enable/disable, listen address, token (write-only). Fields set by the flag or the file fail with `provisioned`. */
  'export/update': { input: ExportUpdate, output: ExportState },
  // ---- topk, process history, status journal, history-only hosts
  /** Rank entities by a metric over a window (avg / max / last), with a sparkline per row. */
  'topk/query': { input: TopKQuery, output: TopKResult },
  /** The top processes of a host at the kept moment nearest `t` (within `toleranceMs`, default 10 min). */
  'processes/at': {
    input: HostId.extend({ t: z.number().int().nonnegative(), toleranceMs: z.number().int().min(0).max(86_400_000).optional() }),
    output: ProcessSnapshot.nullable(),
  },
  /** Status changes of a host within [from, to], oldest first (since the console started). */
  'hosts/statusHistory': {
    input: HostId.extend({ from: z.number().int().nonnegative(), to: z.number().int().nonnegative() }),
    output: z.array(StatusTransition),
  },
  /** Hosts found in the history that no source watches: shown read-only as "not configured". */
  'hosts/historyOnly': { input: z.void(), output: z.array(HistoryOnlyHost) },
  // ---- containers
  /** The containers of a host from its latest sample (running ones from cgroups, stopped ones from the engine); null before the first sample. */
  'containers/list': { input: HostId, output: HostContainers.nullable() },
  // ---- alerts
  /** Current alerts (pending, firing, recently resolved), muted ones marked. */
  'alerts/list': { input: z.void(), output: z.array(AlertView) },
  /** State transitions, newest first (when, value, duration). */
  'alerts/history': { input: HistoryFilter, output: z.array(TransitionRecord) },
  /** Every rule (built-in, provisioned, user) with health and counts, and the configured channel names. */
  'alerts/rules': { input: z.void(), output: AlertRulesList },
  'alerts/rule-create': { input: AlertRuleInput, output: AlertRule },
  /** Provisioned rules fail with `provisioned`; built-in ones keep their type. */
  'alerts/rule-update': { input: AlertRuleId.extend({ rule: AlertRuleInput }), output: AlertRule },
  'alerts/rule-delete': { input: AlertRuleId, output: z.boolean() },
  'alerts/rule-enable': { input: AlertRuleId.extend({ enabled: z.boolean() }), output: AlertRule },
  /** What a draft would do now, for the editor's live preview ("would fire now for 3 series"). */
  'alerts/preview': { input: AlertRuleInput, output: PreviewResult },
  'alerts/silence': { input: AlertSilenceRequest, output: Silence },
  'alerts/unsilence': { input: AlertRuleId, output: z.boolean() },
  /** Active silences. */
  'alerts/silences': { input: z.void(), output: z.array(Silence) },
  /** Every notification channel (built-in, provisioned, added here) with what it needs; never a URL or a secret. */
  'alerts/channels': { input: z.void(), output: z.array(ChannelView) },
  /** Add a channel; its URL and signing secret go to the secret store and never come back. */
  'alerts/channel-add': { input: ChannelDraft, output: ChannelView },
  /** Edit a channel added here (not its name: rules refer to it). An absent URL or secret keeps the stored one; `secret: null` removes it. Provisioned ones fail with `provisioned`. */
  'alerts/channel-update': { input: z.object({ name: z.string().min(1).max(100), draft: ChannelDraft }), output: ChannelView },
  /** Remove a channel added here and forget its secrets. Rules that name it report failed deliveries until changed. */
  'alerts/channel-remove': { input: z.object({ name: z.string().min(1).max(100) }), output: z.boolean() },
  /** Send a test message through a saved channel (by name) or a draft; the receiver's answer, redacted. */
  'alerts/channel-test': { input: ChannelTestRequest, output: ChannelTestResult },
  /** Notification deliveries, newest first; failures carry their (redacted) error. */
  'alerts/deliveries': { input: z.object({ status: DeliveryStatus.optional(), limit: z.number().int().min(1).max(1000).optional() }), output: z.array(DeliveryRecord) },
  // ---- ssh hosts
  /** Add an SSH host; its password or passphrase goes to the secret store and never comes back. */
  'hosts/add': { input: HostDraft, output: Host },
  /** Edit a host added in the UI (the name cannot change: it is the host's id in the history). Absent secrets keep the stored ones. */
  'hosts/update': { input: HostId.extend({ draft: HostDraft }), output: Host },
  /** Stop watching a host added in the UI and forget its secrets; its history stays. Provisioned hosts fail with `provisioned`. */
  'hosts/remove': { input: HostId, output: z.boolean() },
  /** Pause (status `paused`, connection closed) or resume a host added in the UI. */
  'hosts/set-enabled': { input: HostId.extend({ enabled: z.boolean() }), output: Host },
  /** The definition of an SSH host for the edit form, without secrets. */
  'hosts/definition': { input: HostId, output: HostDefinitionView },
  /** Every step of connecting with a draft (resolve, connect, host key, auth, uname, agent), once. A password given here is used for this test only. */
  'hosts/test': {
    input: HostDraft.extend({
      /**
       * "Trust this key and go on": the fingerprint the user was shown for an
       * unknown host key. The test accepts the key only if the host still
       * offers that very key (it is then trusted in the console's
       * known_hosts), and goes on to the login. A changed key is never
       * trusted this way.
       */
      trustHostKey: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/).optional(),
    }),
    output: TestConnectionView,
  },
  /** Trust the host key the host is waiting on; `fingerprint` must equal the one currently offered. */
  'hosts/accept-key': { input: HostId.extend({ fingerprint: z.string().min(8).max(200) }), output: Host },
  /** Hosts in ~/.ssh/config that can be imported. */
  'hosts/ssh-config': { input: z.void(), output: SshConfigView },
  /** Add the named ~/.ssh/config entries. */
  'hosts/import': { input: z.object({ names: z.array(z.string().min(1).max(300)).min(1).max(500) }), output: ImportResult },
  // ---- node_exporter targets: schemas in promHosts.ts
  /** Add a host watched through its node_exporter (and optionally cAdvisor); a token or password goes to the secret store and never comes back. */
  'targets/add': { input: TargetDraft, output: Host },
  /** Edit a target added in the UI (not its name: it labels the history). Absent secrets keep the stored ones. */
  'targets/update': { input: HostId.extend({ draft: TargetDraft }), output: Host },
  /** Stop scraping a target added in the UI and forget its secrets; its history stays. Provisioned ones fail with `provisioned`. */
  'targets/remove': { input: HostId, output: z.boolean() },
  'targets/set-enabled': { input: HostId.extend({ enabled: z.boolean() }), output: Host },
  /** The definition of a target for the edit form, without secrets. */
  'targets/definition': { input: HostId, output: TargetDefinitionView },
  /** One scrape of each of the draft's URLs. A token or password given here is used for this test only. */
  'targets/test': { input: TargetDraft, output: TargetTestView },
  // ---- remote-write receiver
  /** The receiver's state and counters; the token itself is never returned. */
  'receiver/get': { input: z.void(), output: ReceiverState },
  /** Enable/disable, listen address, token (write-only). Fields set by the flag or the file fail with `provisioned`. */
  'receiver/update': { input: ReceiverUpdate, output: ReceiverState },
  // ---- clouds: schemas in clouds.ts
  /** Every cloud account (UI and provisioned) with its collector's status and API figures; never a key. */
  'clouds/list': { input: z.void(), output: z.array(CloudAccountView) },
  /** Add an account; its keys go to the secret store and never come back. */
  'clouds/add': { input: CloudAccountDraft, output: CloudAccountView },
  /** Edit an account added in the UI (not its name: it labels the history). Absent keys keep the stored ones. */
  'clouds/update': { input: CloudAccount.extend({ draft: CloudAccountDraft }), output: CloudAccountView },
  /** Stop collecting and forget the keys; the history stays. Provisioned accounts fail with `provisioned`. */
  'clouds/remove': { input: CloudAccount, output: z.boolean() },
  'clouds/set-enabled': { input: CloudAccount.extend({ enabled: z.boolean() }), output: CloudAccountView },
  /** Try a draft's keys: one discovery per region; the cloud's own error when it refuses. Keys left empty use an existing UI account's. */
  'clouds/test': { input: CloudAccountDraft, output: CloudTestView },
  /** Cloud instances with their latest key metrics: one account's, or every account's. */
  'clouds/instances': { input: z.object({ account: z.string().min(1).max(100).optional() }), output: z.array(CloudInstanceRow) },
  /** The metric mappings in force, the files they came from and their problems. */
  'clouds/mappings': { input: z.void(), output: CloudMappingsView },
  // ---- anomalies: schemas in anomalies.ts
  /** The baseline band (centre, normal range) behind each series of a chart's query, and the stretches flagged unusual. */
  'anomalies/band': { input: RangeQuery, output: z.array(SeriesBand) },
  /** One entity's series scored now, most unusual first ("what is unusual now"). */
  'anomalies/unusual': { input: UnusualQuery, output: UnusualResult },
  /** The series across a host or the fleet that moved most unusually in a picked range, against their own baselines. */
  'anomalies/explain': { input: ExplainQuery, output: ExplainView },
  /** Anomaly rate per entity of a kind (hosts for the overview), highest first. */
  'anomalies/rates': { input: z.object({ kind: EntityRef.shape.kind }), output: z.array(EntityRate) },
  /** Settings and what learning costs. */
  'anomalies/status': { input: z.void(), output: AnomalyStatus },
  /** Change the anomaly settings (fields set by the provisioning file fail with `provisioned`). */
  'anomalies/update': { input: AnomalySettings.partial(), output: AnomalyStatus },

  // ---- service checks: schemas in checks.ts
  /** Every check (UI and provisioned) with its latest result from each vantage point. */
  'checks/list': { input: z.void(), output: z.array(CheckView) },
  /** Add a check; it runs from each vantage point every interval, the first run within the first interval. */
  'checks/add': { input: CheckDraft, output: CheckView },
  /** Edit a check added in the UI (not its name: it labels the history). Provisioned checks fail with `provisioned`. */
  'checks/update': { input: CheckName.extend({ draft: CheckDraft }), output: CheckView },
  /** Stop and forget a check; its history stays. Provisioned checks fail with `provisioned`. */
  'checks/remove': { input: CheckName, output: z.boolean() },
  /** Pause or resume a check added in the UI. */
  'checks/set-enabled': { input: CheckName.extend({ enabled: z.boolean() }), output: CheckView },
  /** Run a check now from each of its vantage points and answer with the results. */
  'checks/run': { input: CheckName, output: CheckView },
  // ---- remote write and the history backend: schemas in remoteWrite.ts
  /** Every remote-write target (UI and provisioned) with its status; never a secret. */
  'remote-write/list': { input: z.void(), output: z.array(RemoteWriteTargetView) },
  /** Add a target; its token or password goes to the secret store and never comes back. It starts with what arrives from now on. */
  'remote-write/add': { input: RemoteWriteDraft, output: RemoteWriteTargetView },
  /** Edit a target added in the UI (not its name). An absent secret keeps the stored one. Provisioned targets fail with `provisioned`. */
  'remote-write/update': { input: z.object({ name: TargetNameField, draft: RemoteWriteDraft }), output: RemoteWriteTargetView },
  /** Stop writing to a target, forget its secret and its place in the outbox. Provisioned targets fail with `provisioned`. */
  'remote-write/remove': { input: z.object({ name: TargetNameField }), output: z.boolean() },
  /** Where charts, Top-K and ranges read history from: the local store or an engine's PromQL API. */
  'history/get': { input: z.void(), output: HistoryState },
  /** Choose the history backend. Fails with `provisioned` when the file's `history:` decides. The renderer cannot name a file. */
  'history/update': { input: HistoryDraft, output: HistoryState },
} as const;

export const events = {
  'hosts/changed': z.array(Host),
  /** A host delivered a sample; detail screens re-query their ranges on it. */
  'samples/appended': z.object({ hostId: z.string(), t: z.number(), summary: HostSummary }),
  'config/changed': AppInfo.shape.config,
  // ---- export
  /** The exporter started, stopped, failed to bind or changed settings. */
  'export/changed': ExportState,
  // ---- remote-write receiver
  /** The receiver started, stopped, failed to bind, changed settings, or its counters moved (at most once a second). */
  'receiver/changed': ReceiverState,
  // ---- alerts
  'alerts/changed': AlertsChanged,
  'alerts/notification': AlertNotice,
  // ---- clouds
  /** An account was added, changed, removed, or its collector's status changed (at most a few times a second). */
  'clouds/changed': z.array(CloudAccountView),
  /** An account's collector stored datapoints, the newest at `t`: screens re-query. */
  'clouds/samples': z.object({ account: z.string(), t: z.number() }),
  // ---- anomalies
  /** Scores were refreshed (at most once per scoring cycle): the rates per host, for the overview. */
  'anomalies/changed': z.array(EntityRate),
  // ---- service checks
  /** A check was added, changed or removed, or a result arrived (at most a few times a second). */
  'checks/changed': z.array(CheckView),
  // ---- remote write, history backend
  /** A target was added, changed or removed, or its status moved (at most once a second). */
  'remote-write/changed': z.array(RemoteWriteTargetView),
  /** The history backend changed, or its health did (a failing engine). */
  'history/changed': HistoryState,
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
