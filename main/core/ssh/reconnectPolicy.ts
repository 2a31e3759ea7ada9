// How long a host waits before the next connection attempt. Network faults
// back off exponentially with jitter (so hosts cut off together do not come
// back in lockstep); problems only a person can fix (wrong password, unknown or
// changed host key, unsupported OS) retry rarely, so a wrong password never
// turns into a storm of failed logins on the server (fail2ban, sshd
// MaxStartups) — the UI's retry or a config change tries again at once.
import type { SshErrorKind } from './sshErrors.js';

export interface ReconnectPolicy {
  /** First retry after a network fault. */
  readonly initialMs: number;
  /** Cap of the exponential backoff for network faults. */
  readonly maxMs: number;
  /** Retry period for errors that need the user (auth, host key, config, unsupported OS). */
  readonly userActionMs: number;
  /** First retry after the agent failed on a reachable host (it will most likely fail again). */
  readonly agentErrorMs: number;
}

export const DEFAULT_RECONNECT_POLICY: ReconnectPolicy = {
  initialMs: 1_000,
  maxMs: 60_000,
  userActionMs: 15 * 60_000,
  agentErrorMs: 30_000,
};

const USER_ACTION_KINDS: ReadonlySet<SshErrorKind> = new Set(['auth_failed', 'host_key_unknown', 'host_key_changed', 'config', 'unsupported_os']);

/**
 * Delay before attempt number `failures + 1`, where `failures` counts
 * consecutive failed attempts (1 after the first failure). "Equal jitter":
 * half the exponential step fixed, half random, so the delay still grows but
 * hosts spread out. `random` is in [0, 1).
 */
export function reconnectDelayMs(kind: SshErrorKind, failures: number, random: number, policy: ReconnectPolicy = DEFAULT_RECONNECT_POLICY): number {
  if (USER_ACTION_KINDS.has(kind)) return policy.userActionMs;
  const n = Math.max(1, failures);
  const base = kind === 'agent_error' ? policy.agentErrorMs : policy.initialMs;
  const cap = kind === 'agent_error' ? Math.max(policy.maxMs, policy.agentErrorMs * 8) : policy.maxMs;
  const step = Math.min(cap, base * 2 ** Math.min(n - 1, 30));
  return Math.round(step / 2 + random * (step / 2));
}

export function needsUser(kind: SshErrorKind): boolean {
  return USER_ACTION_KINDS.has(kind);
}
