// A watched host's status, in its own module so the contract and the alert
// rule schemas (which the contract imports) can both use it without a cycle.
import { z } from 'zod';

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
