// What a feature of the core (SSH hosts, alerts, the /metrics exporter, cloud
// collectors…) gets from the composition root, and what it gives back. Each
// feature lives in its own folder with its own handlers; createCore() only
// lists them, so features grow without editing each other.
import type { Duplex } from 'node:stream';
import type { EventName, EventPayload, Handlers, Host, HostStatus, RequestInput, Settings } from '../common/contract.js';
import type { AnomalySensitivity, SeriesScore } from '../common/anomalies.js';
import type { SeriesSelector } from '../common/series.js';
import type { Sample } from '../common/series.js';
import type { AnySection, ProvisioningResult } from './config/provisioning.js';
import type { ExposedFamily, ExpositionRequest } from './exposition.js';
import type { Logger } from './log.js';
import type { SecretStore } from './secrets/secretStore.js';
import type { HostObservation } from './model/observation.js';
import type { HostSource } from './model/hostSource.js';
import type { DerivedSamples } from './derive/observation.js';
import type { AppendOptions, MetricStore } from './store/types.js';
import type { HistoryReader } from './history/historyReader.js';

export type CoreEventListener = <K extends EventName>(event: K, payload: EventPayload<K>) => void;

/** One watched host as features see it. */
export interface HostView {
  readonly host: Host;
  /** The latest observation (raw series, node_exporter names), if any arrived. */
  readonly latest?: HostObservation;
}

/** The console's own counters; the exporter publishes them as overlook_* metrics. */
export interface CoreHealth {
  samplesIngested: number;
  ingestFailures: number;
  /** Samples in the batches that could not be written. */
  samplesLost: number;
  /** Set while writes fail (cleared by the next good one): the error, when the failures began, the latest. */
  ingestError: { message: string; since: number; at: number } | undefined;
  sshReconnects: number;
  agentErrors: number;
  alertEvaluations: number;
}

export interface CoreContext {
  readonly dataDir: string;
  readonly shell: 'desktop' | 'headless';
  readonly log: Logger;
  readonly secrets: SecretStore;
  readonly store: MetricStore;
  /**
   * Where charts, Top-K and the fleet's history-only hosts read history: the
   * store, or an engine's PromQL API when the console is set so (Settings,
   * `history:`). Writing, the outbox and alert evaluation use `store`.
   */
  readonly history: HistoryReader;
  readonly health: CoreHealth;
  readonly now: () => number;
  readonly emit: CoreEventListener;
  /**
   * Stores samples that do not come from a host observation (cloud
   * collectors). Without options they join the core's next batch (written
   * within a second); with `maxDelayMs` they are written as a batch of their
   * own that may reach that far into the past. Resolves once written (a
   * failure is logged and counted in health.ingestFailures, never thrown).
   */
  ingest(samples: readonly Sample[], options?: AppendOptions): Promise<void>;
  settings(): Settings;
  hosts(): HostView[];
  host(id: string): HostView | undefined;
  /** Start watching a host through a source; its samples flow like the local host's. */
  addHost(host: Omit<Host, 'status' | 'lastSampleAt'>, source: HostSource): void;
  /** Replace a host's definition and source (edit), keeping its history. */
  replaceHost(host: Omit<Host, 'status' | 'lastSampleAt'>, source: HostSource): Promise<void>;
  removeHost(id: string): Promise<void>;
  /**
   * A byte stream to host:port opened from the watched host `hostId` (an SSH
   * direct-tcpip channel over the connection the console holds, RFC 4254
   * §7.2), answered by the feature that holds such connections
   * (CoreFeature.openStreamVia). Rejects with a message for people.
   */
  openStreamVia(hostId: string, host: string, port: number): Promise<Duplex>;
  /** Runs a command on the watched host `hostId` over the connection the console holds (bounded output and time). */
  runVia(hostId: string, command: string, timeoutMs: number): Promise<{ code: number | null; stdout: string }>;
  /** Every feature's families for one /metrics scrape (CoreFeature.exposition), in the features' order. */
  exposition(request: ExpositionRequest): Promise<ExposedFamily[]>;
  /**
   * Another feature's answer to a request of the contract (what the process
   * history kept at an instant…), as the UI would get it: features reach
   * each other through the context, never by import.
   */
  request<K extends keyof Handlers>(name: K, input: RequestInput<K>): Promise<Awaited<ReturnType<Handlers[K]>>>;
  /**
   * The anomaly verdicts of the series a selector matches, from the last
   * scoring cycle, at a sensitivity (CoreFeature.anomalyVerdicts); empty when
   * no feature learns baselines or anomalies are off.
   */
  anomalyVerdicts(selector: SeriesSelector, sensitivity: AnomalySensitivity): SeriesScore[];
}

export interface CoreFeature {
  readonly name: string;
  /** Request handlers this feature answers (each name of the contract is answered by exactly one feature). */
  readonly handlers?: Partial<Handlers>;
  start?(): void | Promise<void>;
  stop?(): void | Promise<void>;
  /** The provisioning file's sections this feature reads (`hosts:`…); the core's parser knows only the sections its features declare. */
  readonly provisioning?: readonly AnySection[];
  /** Every accepted (or rejected) provisioning file, once at start and on each change. */
  onProvisioning?(result: ProvisioningResult): void;
  onHostStatus?(host: Host, previous: HostStatus | undefined): void;
  onHostRemoved?(hostId: string): void;
  onSettings?(settings: Settings): void;
  /** Opens a stream to host:port from one of this feature's hosts; undefined when `hostId` is not one of them. */
  openStreamVia?(hostId: string, host: string, port: number): Promise<Duplex> | undefined;
  /** Runs a command on one of this feature's hosts; undefined when `hostId` is not one of them. */
  runVia?(hostId: string, command: string, timeoutMs: number): Promise<{ code: number | null; stdout: string }> | undefined;
  /** Families this feature adds to /metrics, built at scrape time; names in `request.reserved` are the exporter's. */
  exposition?(request: ExpositionRequest): readonly ExposedFamily[] | Promise<readonly ExposedFamily[]>;
  /**
   * Every observation of a watched host, after the core derived its samples
   * and top processes (the process history keeps a bounded sample of them).
   * Runs on the ingest path: keep it cheap, never block.
   */
  onObservation?(hostId: string, observation: HostObservation, derived: DerivedSamples): void;
  /** Anomaly verdicts for alert rules (see CoreContext.anomalyVerdicts); undefined from features that learn no baselines. */
  anomalyVerdicts?(selector: SeriesSelector, sensitivity: AnomalySensitivity): SeriesScore[] | undefined;
}
