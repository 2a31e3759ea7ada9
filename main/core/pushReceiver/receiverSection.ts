// The `remote_write_receiver:` section of the provisioning file: the
// listener hosts push Prometheus remote write to.
//
//   remote_write_receiver:
//     listen: 127.0.0.1:9091               # default; 0.0.0.0:9091 to take pushes from other machines
//     token_env: OVERLOOK_PUSH_TOKEN       # or token_file; or several senders, each with its own:
//     tokens:
//       - token_file: secrets/dc1.token
//         host_prefix: dc1-                # hosts pushed with this token are named dc1-<instance>
//     host_label: instance                 # the label that names a host (default instance)
//     allowed_hosts: [web-*, db-1]         # only these become hosts (default: any)
//     interval: 15s                        # how often senders push a host's scrape: stale after two without one
//     offline_after: 2m                    # then offline, and the host-offline rule can fire
//     max_request_bytes: 16777216
//     max_samples_per_second: 200000
//     max_series_per_host: 20000
//     max_hosts: 2000
//
// A present section turns the receiver on (`enabled: false` keeps it off
// while still locking it in the UI). Secrets are references, resolved when
// the receiver starts.
import { z } from 'zod';
import { LISTEN_ADDRESS_MESSAGES, parseListenAddress, type ListenAddress } from '../../common/listenAddress.js';
import { durationField, secretRefFields, secretRefOf, secretRefRules } from '../config/provisioningFields.js';
import { wholeSection } from '../config/provisioning.js';
import type { SecretRef } from '../config/secretRef.js';
import { HOST_LABEL_PATTERN, HOST_PATTERN_TEXT } from './pushedHostNames.js';

export interface ProvisionedReceiverToken {
  readonly ref: SecretRef;
  readonly hostPrefix?: string;
}

export interface ProvisionedReceiver {
  readonly enabled: boolean;
  readonly listen?: ListenAddress;
  readonly tokens: readonly ProvisionedReceiverToken[];
  readonly hostLabel?: string;
  readonly allowedHosts?: readonly string[];
  readonly intervalMs?: number;
  readonly offlineAfterMs?: number;
  readonly maxRequestBytes?: number;
  readonly maxSamplesPerSecond?: number;
  readonly maxSeriesPerHost?: number;
  readonly maxHosts?: number;
}

const ListenInFile = z.unknown().transform((input, ctx): ListenAddress => {
  const parsed = typeof input === 'string' ? parseListenAddress(input) : undefined;
  if (!parsed?.ok) {
    ctx.addIssue({ code: 'custom', message: parsed ? LISTEN_ADDRESS_MESSAGES[parsed.problem] : 'must be host:port text, like 127.0.0.1:9091' });
    return z.NEVER;
  }
  return parsed.address;
});

const HostPrefix = z
  .string({ error: 'must be text' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,30}$/, { error: 'a host prefix may hold letters, digits, ".", "_" and "-" (at most 31), starting with a letter or digit' });

const TokenInFile = z.strictObject({ ...secretRefFields('token'), host_prefix: HostPrefix.optional() }).superRefine(secretRefRules(['token'], ['token']));

const count = (what: string, max: number) =>
  z
    .number({ error: `must be a number of ${what}` })
    .int({ error: `must be a whole number of ${what}` })
    .min(1, { error: `must be at least 1` })
    .max(max, { error: `must be at most ${max}` });

const ReceiverInFile = z
  .strictObject({
    enabled: z.boolean({ error: 'must be true or false' }).optional(),
    listen: ListenInFile.optional(),
    ...secretRefFields('token'),
    tokens: z.array(TokenInFile, { error: 'must be a list of tokens' }).max(100, { error: 'at most 100 tokens' }).optional(),
    host_label: z.string({ error: 'must be a label name' }).regex(HOST_LABEL_PATTERN, { error: 'must be a label name, like instance' }).optional(),
    allowed_hosts: z
      .array(z.string({ error: 'must be a host name or pattern' }).regex(/^[A-Za-z0-9._*?-]{1,100}$/, { error: HOST_PATTERN_TEXT }), { error: 'must be a list of host names or patterns' })
      .max(1000, { error: 'at most 1000 patterns' })
      .optional(),
    interval: durationField({ minMs: 1000, maxMs: 3_600_000, bareNumberUnit: 'seconds' }).optional(),
    offline_after: durationField({ minMs: 2000, maxMs: 86_400_000, bareNumberUnit: 'seconds' }).optional(),
    max_request_bytes: count('bytes', 256 * 1024 * 1024).optional(),
    max_samples_per_second: count('samples', 100_000_000).optional(),
    max_series_per_host: count('series', 10_000_000).optional(),
    max_hosts: count('hosts', 100_000).optional(),
  })
  .superRefine(secretRefRules(['token']))
  .superRefine((entry, ctx) => {
    if (secretRefOf(entry, 'token') && entry.tokens) ctx.addIssue({ code: 'custom', path: ['tokens'], message: 'give either token_env/token_file or tokens, not both' });
    if (entry.enabled !== false && !secretRefOf(entry, 'token') && !entry.tokens?.length) {
      ctx.addIssue({ code: 'custom', path: [], message: 'the receiver needs a token: token_env, token_file, or a list of tokens' });
    }
  });

const receiverSectionSchema = ReceiverInFile.transform((inFile): ProvisionedReceiver => {
  const single = secretRefOf(inFile, 'token');
  const tokens: ProvisionedReceiverToken[] = single
    ? [{ ref: single }]
    : (inFile.tokens ?? []).map((t) => ({ ref: secretRefOf(t, 'token')!, ...(t.host_prefix ? { hostPrefix: t.host_prefix } : {}) }));
  return {
    enabled: inFile.enabled ?? true,
    ...(inFile.listen ? { listen: inFile.listen } : {}),
    tokens,
    ...(inFile.host_label ? { hostLabel: inFile.host_label } : {}),
    ...(inFile.allowed_hosts ? { allowedHosts: inFile.allowed_hosts } : {}),
    ...(inFile.interval !== undefined ? { intervalMs: inFile.interval } : {}),
    ...(inFile.offline_after !== undefined ? { offlineAfterMs: inFile.offline_after } : {}),
    ...(inFile.max_request_bytes !== undefined ? { maxRequestBytes: inFile.max_request_bytes } : {}),
    ...(inFile.max_samples_per_second !== undefined ? { maxSamplesPerSecond: inFile.max_samples_per_second } : {}),
    ...(inFile.max_series_per_host !== undefined ? { maxSeriesPerHost: inFile.max_series_per_host } : {}),
    ...(inFile.max_hosts !== undefined ? { maxHosts: inFile.max_hosts } : {}),
  };
});

/** The `remote_write_receiver:` section; null when the file has none. */
export const receiverSection = wholeSection<ProvisionedReceiver | null>('remote_write_receiver', receiverSectionSchema, () => null);
