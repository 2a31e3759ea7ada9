// Hosts that speak Prometheus, as the UI and the provisioning file describe
// them: a node_exporter target (and optionally a cAdvisor one) scraped over
// HTTP(S), and the remote-write receiver that hosts push to. Validated the
// same way on both sides. Pure: imported by the contract, the renderer and
// the core.
import { z } from 'zod';
import { hostDraftBase } from './sshHosts.js';
import { ListenAddressText } from './listenAddress.js';

export const SCRAPE_INTERVAL_MIN_MS = 1000;
export const SCRAPE_INTERVAL_MAX_MS = 3_600_000;
/** Prometheus's own default scrape_interval is 1m; node_exporter setups commonly scrape every 15 s. */
export const SCRAPE_DEFAULT_INTERVAL_MS = 15_000;

export type ScrapeUrlParse = { ok: true; url: string } | { ok: false; message: string };

/**
 * A scrape URL: http or https, a host, an optional port and path. A bare
 * `http://host:9100` means its /metrics (node_exporter's root is an HTML
 * page). Credentials never go in the URL: they would be shown and logged
 * with it; they are given apart, by reference.
 */
export function parseScrapeUrl(text: string): ScrapeUrlParse {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, message: 'the URL is required' };
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`);
  } catch {
    return { ok: false, message: 'not a URL (e.g. http://web-1:9100/metrics)' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, message: 'the URL must start with http:// or https://' };
  if (url.username || url.password) return { ok: false, message: 'put no user or password in the URL; give them as the target’s login instead' };
  if (!url.hostname) return { ok: false, message: 'the URL has no host' };
  if (url.hash) return { ok: false, message: 'the URL cannot have a #fragment' };
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/metrics';
  return { ok: true, url: url.toString() };
}

export const ScrapeUrlField = z
  .string({ error: 'the URL is required' })
  .max(2048, { error: 'the URL is too long' })
  .transform((text, ctx) => {
    const parsed = parseScrapeUrl(text);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.message });
      return z.NEVER;
    }
    return parsed.url;
  });

export const ScrapeIntervalField = z
  .number({ error: 'the interval must be a number' })
  .int({ error: 'the interval must be a whole number of milliseconds' })
  .min(SCRAPE_INTERVAL_MIN_MS, { error: `the interval must be between ${SCRAPE_INTERVAL_MIN_MS / 1000} s and ${SCRAPE_INTERVAL_MAX_MS / 3_600_000} h` })
  .max(SCRAPE_INTERVAL_MAX_MS, { error: `the interval must be between ${SCRAPE_INTERVAL_MIN_MS / 1000} s and ${SCRAPE_INTERVAL_MAX_MS / 3_600_000} h` });

/** An absolute path of a PEM file of CA certificates (a relative one in the provisioning file starts at the file's folder). */
export const CaFileField = z
  .string({ error: 'must be the path of a PEM file' })
  .trim()
  .min(1, { error: 'must be the path of a PEM file' })
  .max(1024, { error: 'the path is too long' });

const SecretText = (what: string) =>
  z
    .string()
    .min(1, { error: `the ${what} cannot be empty` })
    .max(4096, { error: `the ${what} is too long` })
    .regex(/^[^\r\n]*$/, { error: `the ${what} cannot span lines` });

/** RFC 7617 §2: the user-id of basic auth cannot contain a colon. */
export const BasicUserField = z
  .string({ error: 'the user is required' })
  .trim()
  .min(1, { error: 'the user is required' })
  .max(256, { error: 'the user is too long' })
  .refine((name) => !name.includes(':'), { error: 'the user cannot contain ":" (RFC 7617)' });

export const TargetAuthDraft = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('none') }),
    /** Write-only: absent on update keeps the stored token. */
    z.object({ type: z.literal('bearer'), token: SecretText('token').optional() }),
    z.object({ type: z.literal('basic'), username: BasicUserField, password: SecretText('password').optional() }),
  ],
  { error: 'choose no login, a bearer token or basic auth' },
);
export type TargetAuthDraft = z.infer<typeof TargetAuthDraft>;

/** A node_exporter target added in the UI (the Add-host dialog's node_exporter tab). */
export const TargetDraft = z.object({
  ...hostDraftBase,
  nodeExporter: ScrapeUrlField,
  /** A cAdvisor endpoint for the host's containers. */
  cadvisor: ScrapeUrlField.optional(),
  auth: TargetAuthDraft.default({ type: 'none' }),
  caFile: CaFileField.optional(),
  intervalMs: ScrapeIntervalField.default(SCRAPE_DEFAULT_INTERVAL_MS),
});
export type TargetDraft = z.infer<typeof TargetDraft>;
export type TargetDraftInput = z.input<typeof TargetDraft>;

/** A target's definition as the edit form sees it: whether a secret is stored, never its value. */
export const TargetDefinitionView = z.object({
  name: z.string(),
  nodeExporter: z.string(),
  cadvisor: z.string().optional(),
  auth: z.discriminatedUnion('type', [
    z.object({ type: z.literal('none') }),
    z.object({ type: z.literal('bearer'), tokenSet: z.boolean() }),
    z.object({ type: z.literal('basic'), username: z.string(), passwordSet: z.boolean() }),
  ]),
  caFile: z.string().optional(),
  intervalMs: z.number(),
  tags: z.array(z.string()),
  enabled: z.boolean(),
  provisioned: z.boolean(),
});
export type TargetDefinitionView = z.infer<typeof TargetDefinitionView>;

/** One scrape of each of a draft's endpoints, as the dialog's Test shows it. */
export const TargetTestView = z.object({
  ok: z.boolean(),
  endpoints: z.array(
    z.object({
      endpoint: z.enum(['node_exporter', 'cadvisor']),
      url: z.string(),
      ok: z.boolean(),
      /** Series read (node_* for node_exporter, container_* for cAdvisor). */
      series: z.number(),
      ms: z.number(),
      /** What went wrong (refused, timed out, HTTP 401, not an exposition…), or what the scrape found. */
      detail: z.string(),
      /** The host's name for itself (node_uname_info), when node_exporter answered. */
      hostname: z.string().optional(),
    }),
  ),
});
export type TargetTestView = z.infer<typeof TargetTestView>;

// ---------------------------------------------------------------- the remote-write receiver

/** Bearer tokens travel in an HTTP header: printable ASCII without spaces, at least 16 characters. */
export const ReceiverToken = z
  .string()
  .min(16, { error: 'the token must be at least 16 characters' })
  .max(1024, { error: 'the token must be at most 1024 characters' })
  .regex(/^[\x21-\x7e]+$/, { error: 'the token may hold only printable ASCII characters, without spaces' });

/** What set a receiver field that the Settings screen then shows read-only. */
export const ReceiverLock = z.enum(['flag', 'file']);
export type ReceiverLock = z.infer<typeof ReceiverLock>;

/** Requests the receiver refused, by why; the counters of /metrics' overlook_remote_write_requests_total. */
export const ReceiverRefusals = z.object({
  unauthorized: z.number(),
  forbidden: z.number(),
  badRequest: z.number(),
  tooLarge: z.number(),
  rateLimited: z.number(),
  unsupported: z.number(),
});
export type ReceiverRefusals = z.infer<typeof ReceiverRefusals>;

/** The remote-write receiver as the Settings screen sees it; never a token. */
export const ReceiverState = z.object({
  enabled: z.boolean(),
  /** `host:port` it binds (or would bind). */
  listen: z.string(),
  /** The URL senders write to while listening, else null. */
  url: z.string().nullable(),
  allInterfaces: z.boolean(),
  /** Tokens in force (one from the Settings screen, or the file's list). */
  tokens: z.number(),
  /** The label that names a pushed host (default `instance`). */
  hostLabel: z.string(),
  /** Host name patterns accepted (empty: any). */
  allowedHosts: z.array(z.string()),
  lastError: z.string().nullable(),
  lockedBy: z.object({ enabled: ReceiverLock.nullable(), listen: ReceiverLock.nullable(), token: ReceiverLock.nullable() }),
  stats: z.object({
    requestsAccepted: z.number(),
    samplesAccepted: z.number(),
    refused: ReceiverRefusals,
    /** Series and samples dropped from accepted requests (not a node_exporter or cAdvisor name, no host label, host not allowed). */
    samplesIgnored: z.number(),
    hosts: z.number(),
    lastRequestAt: z.number().nullable(),
    /** The latest refusal's reason, as sent back to the sender. */
    lastRefusal: z.string().nullable(),
  }),
});
export type ReceiverState = z.infer<typeof ReceiverState>;

export const ReceiverUpdate = z.object({
  enabled: z.boolean().optional(),
  listen: ListenAddressText.optional(),
  /** Write-only: a new bearer token, or null to remove it. */
  token: ReceiverToken.nullable().optional(),
});
export type ReceiverUpdate = z.infer<typeof ReceiverUpdate>;
