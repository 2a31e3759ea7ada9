// How a source of host observations talks to the core: it is started with
// two callbacks and stopped. The agent (locally or over SSH) and the
// built-in collector implement it; the core never knows which one runs.
import type { HostStatus } from '../../common/contract.js';
import type { HostKeyPrompt } from '../../common/sshHosts.js';
import type { HostObservation } from './observation.js';

/** What a status may carry beyond its text (optional, added for SSH host keys; sources without it pass nothing). */
export interface StatusExtra {
  /** The host key waiting for the user's decision (host_key_unknown / host_key_changed). */
  readonly hostKey?: HostKeyPrompt;
}

export interface SourceEvents {
  observation(obs: HostObservation): void;
  status(status: HostStatus, detail?: string, extra?: StatusExtra): void;
}

/** A running source of one host's observations. */
export interface HostSource {
  start(events: SourceEvents): void;
  stop(): Promise<void>;
}
