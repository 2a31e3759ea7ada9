// What the UI, the provisioning file and the core say about the engines the
// console writes to (Prometheus remote write) and reads history from (PromQL
// HTTP API), validated the same way everywhere. Pure: imported by the
// contract, the renderer and the core. Secrets (a bearer token, a basic-auth
// password) go in as write-only fields and never come back.
import { z } from 'zod';

/** Which of the console's series a target gets. */
export const REMOTE_WRITE_SERIES_KINDS = ['host', 'container', 'cloud', 'health'] as const;
export const RemoteWriteSeriesKind = z.enum(REMOTE_WRITE_SERIES_KINDS, { error: 'must be host, container, cloud or health' });
export type RemoteWriteSeriesKind = z.infer<typeof RemoteWriteSeriesKind>;

export const EngineAuthKind = z.enum(['none', 'bearer', 'basic']);
export type EngineAuthKind = z.infer<typeof EngineAuthKind>;

export const TARGET_NAME_MAX = 63;
/** A target's name: its label in the status metrics (`target`) and in the secret store. */
export const TargetNameField = z
  .string({ error: 'the name is required' })
  .trim()
  .min(1, { error: 'the name is required' })
  .max(TARGET_NAME_MAX, { error: `the name can be at most ${TARGET_NAME_MAX} characters` })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'the name may hold letters, digits, ".", "_" and "-", and must start with a letter or digit' });

/** An http(s) URL without credentials in it (they go in the auth fields, which are kept as secrets). */
export const EngineUrlField = z
  .string({ error: 'the URL is required' })
  .trim()
  .max(2000, { error: 'the URL is at most 2000 characters' })
  .superRefine((text, ctx) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a URL like http://vm.example:8428' });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: 'must start with http:// or https://' });
    if (url.username || url.password) ctx.addIssue({ code: 'custom', message: 'must not carry a user name or password; use the authentication fields' });
  });

// RFC 9110 §5.1: a field name is a token.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Header names that carry credentials: those go through the auth fields, kept as secrets, never as plain headers. */
const CREDENTIAL_HEADER = /authorization|cookie|token|secret|password|api[-_]?key/i;
/** Headers the sender sets itself (the remote-write protocol's, and the connection's). */
const RESERVED_HEADERS = new Set(['content-type', 'content-encoding', 'content-length', 'x-prometheus-remote-write-version', 'user-agent', 'host', 'connection', 'transfer-encoding']);

export function headerNameProblem(name: string): string | undefined {
  if (!HEADER_NAME.test(name)) return `"${name.slice(0, 60)}" is not a valid header name`;
  if (CREDENTIAL_HEADER.test(name)) return `${name} would carry a credential in plain text; use bearer or basic authentication, whose secrets are kept encrypted`;
  if (RESERVED_HEADERS.has(name.toLowerCase())) return `${name} is set by the console itself`;
  return undefined;
}

export const HeadersField = z
  .record(z.string(), z.string().max(1000, { error: 'a header value is at most 1000 characters' }).regex(/^[\t\x20-\x7e]*$/, { error: 'a header value holds printable ASCII only' }))
  .superRefine((headers, ctx) => {
    for (const name of Object.keys(headers)) {
      const problem = headerNameProblem(name);
      if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
    }
    if (Object.keys(headers).length > 20) ctx.addIssue({ code: 'custom', message: 'at most 20 headers' });
  });

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** External labels: added to every series sent that does not carry the label already (as Prometheus does). */
export const ExternalLabelsField = z
  .record(z.string(), z.string().min(1, { error: 'a label value cannot be empty' }).max(1000))
  .superRefine((labels, ctx) => {
    for (const name of Object.keys(labels)) {
      if (!LABEL_NAME.test(name) || name.startsWith('__')) ctx.addIssue({ code: 'custom', path: [name], message: `"${name.slice(0, 60)}" is not a label name (letters, digits and _, not starting with a digit or __)` });
    }
    if (Object.keys(labels).length > 20) ctx.addIssue({ code: 'custom', message: 'at most 20 external labels' });
  });

/** PEM text of the certificate authorities to trust for an https engine (public certificates, not secrets). */
export const CaPemField = z
  .string()
  .max(64 * 1024, { error: 'the CA certificate text is at most 64 KiB' })
  .refine((pem) => /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(pem), { error: 'must be PEM text starting with -----BEGIN CERTIFICATE-----' });

export const SecretField = z
  .string()
  .min(1, { error: 'the secret cannot be empty' })
  .max(4096, { error: 'the secret is at most 4096 characters' })
  .regex(/^[\x20-\x7e]+$/, { error: 'the secret holds printable ASCII only (check for a pasted line break)' });

export const MAX_AGE_HOURS_MAX = 7 * 24;
export const DEFAULT_MAX_AGE_MS = 6 * 3_600_000;

/** A target as the Settings screen sends it. `secret` is write-only: absent keeps the stored one. */
export const RemoteWriteDraft = z
  .object({
    name: TargetNameField,
    url: EngineUrlField,
    enabled: z.boolean(),
    headers: HeadersField,
    auth: EngineAuthKind,
    username: z.string().trim().max(200).optional(),
    secret: SecretField.optional(),
    /** PEM text; '' removes the CA, absent keeps the one set. */
    caPem: CaPemField.or(z.literal('')).optional(),
    externalLabels: ExternalLabelsField,
    series: z.array(RemoteWriteSeriesKind).min(1, { error: 'pick at least one kind of series' }),
    maxAgeHours: z.number().min(0.1, { error: 'at least 0.1 hours' }).max(MAX_AGE_HOURS_MAX, { error: `at most ${MAX_AGE_HOURS_MAX} hours` }),
  })
  .refine((d) => d.auth !== 'basic' || (d.username !== undefined && d.username !== '' && !d.username.includes(':')), {
    message: 'basic authentication needs a user name without ":" (RFC 7617)',
    path: ['username'],
  });
export type RemoteWriteDraft = z.infer<typeof RemoteWriteDraft>;

export const RemoteWriteState = z.enum(['idle', 'sending', 'retrying', 'disabled']);
export type RemoteWriteState = z.infer<typeof RemoteWriteState>;

/** A target's progress since the console started (pending and oldest come from the durable outbox). */
export const RemoteWriteStatus = z.object({
  state: RemoteWriteState,
  sentSamples: z.number(),
  sentBytes: z.number(),
  /** Samples logged but not sent yet (all kinds; a target skips the ones it does not select quickly). */
  pendingSamples: z.number(),
  /** How long the oldest unsent sample has waited; null when nothing is pending. */
  oldestPendingAgeMs: z.number().nullable(),
  /** Samples older than the target's age limit that were never sent. */
  droppedSamples: z.number(),
  /** Samples the engine refused (4xx other than 429) or the console could not send, by reason (`http_400`, `invalid_series`…). */
  rejectedSamples: z.record(z.string(), z.number()),
  retries: z.number(),
  lastSuccessAt: z.number().nullable(),
  /** Never holds a secret: the engine's answer is scrubbed, the URL's query left out. */
  lastError: z.string().nullable(),
  lastErrorAt: z.number().nullable(),
});
export type RemoteWriteStatus = z.infer<typeof RemoteWriteStatus>;

export const RemoteWriteTargetView = z.object({
  name: z.string(),
  url: z.string(),
  enabled: z.boolean(),
  provisioned: z.boolean(),
  headers: z.record(z.string(), z.string()),
  auth: EngineAuthKind,
  username: z.string().nullable(),
  secretSet: z.boolean(),
  caSet: z.boolean(),
  externalLabels: z.record(z.string(), z.string()),
  series: z.array(RemoteWriteSeriesKind),
  maxAgeMs: z.number(),
  status: RemoteWriteStatus,
});
export type RemoteWriteTargetView = z.infer<typeof RemoteWriteTargetView>;

// ---------------------------------------------------------------- history backend

export const HistoryBackend = z.enum(['local', 'promql']);
export type HistoryBackend = z.infer<typeof HistoryBackend>;

/** Where charts, Top-K and ranges read history from, as the Settings screen sends it. `secret` is write-only. */
export const HistoryDraft = z
  .object({
    backend: HistoryBackend,
    url: EngineUrlField.optional(),
    auth: EngineAuthKind,
    username: z.string().trim().max(200).optional(),
    secret: SecretField.optional(),
    /** PEM text; '' removes the CA, absent keeps the one set. */
    caPem: CaPemField.or(z.literal('')).optional(),
  })
  .refine((d) => d.backend === 'local' || d.url !== undefined, { message: 'the PromQL backend needs the engine\'s URL', path: ['url'] })
  .refine((d) => d.auth !== 'basic' || (d.username !== undefined && d.username !== '' && !d.username.includes(':')), {
    message: 'basic authentication needs a user name without ":" (RFC 7617)',
    path: ['username'],
  });
export type HistoryDraft = z.infer<typeof HistoryDraft>;

export const HistoryState = z.object({
  backend: HistoryBackend,
  /** The engine's base URL (PromQL backend), e.g. http://vm.example:8428; null for the local store. */
  url: z.string().nullable(),
  auth: EngineAuthKind,
  username: z.string().nullable(),
  secretSet: z.boolean(),
  caSet: z.boolean(),
  /** Set when the provisioning file's `history:` decides, and the screen shows it read-only. */
  provisioned: z.boolean(),
  /** The last query's failure (a slow or failing engine), cleared by the next success. */
  lastError: z.string().nullable(),
  lastErrorAt: z.number().nullable(),
  lastQueryAt: z.number().nullable(),
});
export type HistoryState = z.infer<typeof HistoryState>;
