// The console's own health, as the /metrics exporter shows it. Counters are
// cumulative since the console started (Prometheus' rate() handles the reset
// when it restarts). Features add their own health families through the core
// context (CoreFeature.exposition), the cloud collectors' API calls among them.

export interface ConsoleHealth {
  readonly samplesIngested: number;
  /** Batches the history database could not store, and the samples in them. */
  readonly ingestFailures: number;
  readonly samplesLost: number;
  /** Samples the store refused (out of order, duplicates, too late, not finite). */
  readonly samplesDropped: number;
  readonly sshReconnects: number;
  readonly agentErrors: number;
  readonly alertEvaluations: number;
  /** Size of the SQLite database files (main + WAL) in bytes. */
  readonly dbSizeBytes: number;
}

export const EMPTY_CONSOLE_HEALTH: ConsoleHealth = {
  samplesIngested: 0,
  ingestFailures: 0,
  samplesLost: 0,
  samplesDropped: 0,
  sshReconnects: 0,
  agentErrors: 0,
  alertEvaluations: 0,
  dbSizeBytes: 0,
};
