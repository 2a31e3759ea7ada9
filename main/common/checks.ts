// Service checks (is the site answering, is the port open, when does the
// certificate expire) as the UI and the core exchange them: a draft to add or
// edit one, and a view with its latest result from each vantage point (the
// console itself, or an SSH host the console holds a connection to).
// Pure TypeScript + zod: no Node, no DOM.
import { z } from 'zod';
import { HostNameField } from './sshHosts.js';

export const CHECK_KINDS = ['http', 'tcp', 'tls', 'ping'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

export const CHECK_INTERVAL_DEFAULT_MS = 30_000;
export const CHECK_INTERVAL_MIN_MS = 1_000;
export const CHECK_INTERVAL_MAX_MS = 24 * 3600_000;
export const CHECK_TIMEOUT_DEFAULT_MS = 10_000;
export const CHECK_TIMEOUT_MAX_MS = 120_000;
export const CHECK_MAX_REDIRECTS_DEFAULT = 10;
/** The console's own vantage point; any other names an SSH host. */
export const CONSOLE_VANTAGE = 'console';
export const MAX_VANTAGES = 16;
export const MAX_HEADERS = 32;
export const BODY_MATCH_MAX = 1000;
/** At most this much of a body is read looking for a match (blackbox_exporter's body_size_limit is the same idea). */
export const BODY_READ_MAX_BYTES_DEFAULT = 1024 * 1024;

export const CheckNameField = HostNameField;

/** What `ping` is given: a name or an address, nothing a shell or ping would read as an option. */
export const PingHostPattern = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,252}$/;

/** host:port, a name or an address ([v6]:port). */
export const HostPortField = z
  .string({ error: 'give host:port' })
  .trim()
  .min(3, { error: 'give host:port' })
  .max(300, { error: 'host:port is too long' })
  .refine((s) => /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):\d{1,5}$/.test(s) && Number(s.slice(s.lastIndexOf(':') + 1)) >= 1 && Number(s.slice(s.lastIndexOf(':') + 1)) <= 65535, {
    error: 'give host:port, e.g. db.internal:5432',
  });

export const CheckUrlField = z
  .string({ error: 'give a URL' })
  .trim()
  .max(2000, { error: 'the URL is too long' })
  .refine(
    (s) => {
      try {
        const u = new URL(s);
        return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
      } catch {
        return false;
      }
    },
    { error: 'give an http:// or https:// URL' },
  )
  // A user name or password in the URL would be shown on the screen, in logs and in the `check` label's neighbourhood; auth is kept apart instead.
  .refine((s) => !URL.canParse(s) || (new URL(s).username === '' && new URL(s).password === ''), { error: 'put credentials in the auth fields (or basic_auth), not in the URL' });

export const BodyMatchField = z.object({
  type: z.enum(['substring', 'regex']),
  pattern: z.string().min(1, { error: 'the pattern is empty' }).max(BODY_MATCH_MAX, { error: `the pattern can be at most ${BODY_MATCH_MAX} characters` }),
});
export type BodyMatch = z.infer<typeof BodyMatchField>;

export const CERT_WARN_DAYS_DEFAULT = 14;

/**
 * Headers a check may not set: hop-by-hop ones (RFC 9110 §7.6.1: Connection and the
 * fields it names, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding,
 * Upgrade) and the ones the probe itself writes (Host, Content-Length).
 */
export const FORBIDDEN_HEADERS: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length']);

/** A header whose value is a credential: kept in the secret store, shown masked, never sent on a redirect to another origin. */
export function isSecretHeader(name: string): boolean {
  const n = name.toLowerCase();
  return n === 'authorization' || n === 'cookie' || n === 'x-api-key' || /token|secret|api[-_]?key|password|session/.test(n);
}

export const HeaderNameField = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/, { error: 'a header name holds letters, digits and -' })
  .refine((n) => !FORBIDDEN_HEADERS.has(n.toLowerCase()), { error: 'hop-by-hop headers (Connection, Upgrade, Transfer-Encoding…) and Host cannot be set' });
export const HeaderValueField = z.string().max(4000, { error: 'a header value can be at most 4000 characters' }).refine((v) => !/[\r\n\0]/.test(v), { error: 'a header value cannot hold a line break' });
const HeaderName = HeaderNameField;
const HeaderValue = HeaderValueField;

export const HttpSpecField = z.object({
  url: CheckUrlField,
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'OPTIONS']).default('GET'),
  /** Empty: any 2xx. */
  expectStatus: z.array(z.number().int().min(100).max(599)).max(50).default([]),
  bodyMatch: BodyMatchField.optional(),
  headers: z.record(HeaderName, HeaderValue).refine((h) => Object.keys(h).length <= MAX_HEADERS, { error: `at most ${MAX_HEADERS} headers` }).default({}),
  followRedirects: z.boolean().default(true),
  maxRedirects: z.number().int().min(0).max(30).default(CHECK_MAX_REDIRECTS_DEFAULT),
});
export type HttpSpec = z.infer<typeof HttpSpecField>;

const SecretValue = z.string().min(1).max(4000).refine((v) => !/[\r\n\0]/.test(v), { error: 'a secret cannot hold a line break' });

/**
 * HTTP auth of a check added in the UI. The password or token is write-only:
 * it goes to the console's secret store and never comes back; absent on an
 * edit, the stored one is kept.
 */
export const CheckAuthDraft = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }),
  z.object({ type: z.literal('basic'), username: z.string().min(1, { error: 'give a user name' }).max(200).refine((u) => !/[:\r\n\0]/.test(u), { error: 'a user name cannot hold a colon or a line break' }), password: SecretValue.optional() }),
  z.object({ type: z.literal('bearer'), token: SecretValue.optional() }),
]);
export type CheckAuthDraft = z.infer<typeof CheckAuthDraft>;

/** Why a check is down (or what happened), for the UI to say in its language; the English `detail` says it for logs and notifications. */
export const CHECK_REASONS = [
  'ok',
  'timeout',
  'refused',
  'unreachable',
  'unresolvable',
  'reset',
  'connect_failed',
  'tls_expired',
  'tls_not_yet_valid',
  'tls_self_signed',
  'tls_unknown_ca',
  'tls_name_mismatch',
  'tls_untrusted',
  'tls_handshake_failed',
  'status_mismatch',
  'body_mismatch',
  'banner_mismatch',
  'redirect_limit',
  'redirect_invalid',
  'body_too_large',
  'no_answer',
  'ping_no_reply',
  'ping_unavailable',
  'ping_failed',
  'vantage_unreachable',
  'auth_missing',
  'config',
] as const;
export type CheckReason = (typeof CHECK_REASONS)[number];

export const CheckDraft = z
  .object({
    name: CheckNameField,
    kind: z.enum(CHECK_KINDS),
    /** http: the URL's; tcp and tls: host:port; ping: a host. */
    target: z.string().trim().min(1, { error: 'give a target' }).max(2000),
    http: HttpSpecField.optional(),
    /** tcp: a substring the server's first bytes must hold (an SSH or SMTP banner). */
    banner: z.string().max(BODY_MATCH_MAX).optional(),
    /** tls: the name the certificate must hold (default: the target's host). */
    serverName: z.string().max(253).optional(),
    /** http (UI checks): basic or bearer auth, the secret in the secret store. */
    auth: CheckAuthDraft.optional(),
    /** tls, https: under this many days left the certificate is a warning (the screen's colour, the built-in rule). */
    certWarnDays: z.number().int({ error: 'give whole days' }).min(1, { error: 'give 1 to 365 days' }).max(365, { error: 'give 1 to 365 days' }).default(CERT_WARN_DAYS_DEFAULT),
    vantages: z.array(z.string().min(1).max(100)).min(1).max(MAX_VANTAGES).default([CONSOLE_VANTAGE]),
    intervalMs: z.number().int().min(CHECK_INTERVAL_MIN_MS).max(CHECK_INTERVAL_MAX_MS).default(CHECK_INTERVAL_DEFAULT_MS),
    timeoutMs: z.number().int().min(100).max(CHECK_TIMEOUT_MAX_MS).default(CHECK_TIMEOUT_DEFAULT_MS),
    enabled: z.boolean().default(true),
  })
  .superRefine((d, ctx) => {
    if (d.kind === 'ping') {
      if (!PingHostPattern.test(d.target)) ctx.addIssue({ code: 'custom', path: ['target'], message: 'give a host name or address to ping' });
    } else if (d.kind === 'http') {
      const r = CheckUrlField.safeParse(d.target);
      if (!r.success) ctx.addIssue({ code: 'custom', path: ['target'], message: r.error.issues[0]?.message ?? 'give a URL' });
    } else {
      const r = HostPortField.safeParse(d.target);
      if (!r.success) ctx.addIssue({ code: 'custom', path: ['target'], message: r.error.issues[0]?.message ?? 'give host:port' });
    }
    if (d.auth && d.auth.type !== 'none') {
      if (d.kind !== 'http') ctx.addIssue({ code: 'custom', path: ['auth'], message: 'auth is for HTTP checks' });
      if (d.http && Object.keys(d.http.headers).some((h) => h.toLowerCase() === 'authorization')) ctx.addIssue({ code: 'custom', path: ['auth'], message: 'give either an Authorization header or auth, not both' });
    }
    if (d.http) {
      const lower = Object.keys(d.http.headers).map((h) => h.toLowerCase());
      if (new Set(lower).size !== lower.length) ctx.addIssue({ code: 'custom', path: ['http', 'headers'], message: 'a header is listed twice' });
    }
    if (new Set(d.vantages).size !== d.vantages.length) ctx.addIssue({ code: 'custom', path: ['vantages'], message: 'a vantage point is listed twice' });
  });
export type CheckDraft = z.output<typeof CheckDraft>;
export type CheckDraftInput = z.input<typeof CheckDraft>;

/** Seconds each phase took (blackbox_exporter's phases of probe_http_duration_seconds). */
export const CheckPhases = z.object({
  resolve: z.number().optional(),
  connect: z.number().optional(),
  tls: z.number().optional(),
  processing: z.number().optional(),
  transfer: z.number().optional(),
});
export type CheckPhases = z.infer<typeof CheckPhases>;

export const CheckResult = z.object({
  vantage: z.string(),
  /** ms since the epoch when the probe started. */
  at: z.number(),
  up: z.boolean(),
  durationSeconds: z.number(),
  phases: CheckPhases,
  statusCode: z.number().optional(),
  /** The earliest notAfter of the chain the server sent, seconds since the epoch. */
  certExpiry: z.number().optional(),
  /** Why it is down (or a note when up), for people, in English; never a secret. */
  detail: z.string(),
  /** The same as a code the UI says in its language. */
  reason: z.enum(CHECK_REASONS).optional(),
});
export type CheckResult = z.infer<typeof CheckResult>;

export const CheckView = z.object({
  name: z.string(),
  kind: z.enum(CHECK_KINDS),
  target: z.string(),
  vantages: z.array(z.string()),
  intervalMs: z.number(),
  timeoutMs: z.number(),
  enabled: z.boolean(),
  provisioned: z.boolean(),
  /** The draft that makes this check, for the edit form (auth by reference is never shown). */
  draft: z.unknown(),
  /** The latest result from each vantage point that has run. */
  results: z.array(CheckResult),
  /** Which secrets are set (never their values): secret-looking headers by name, and the auth's password or token. */
  secrets: z.object({ headers: z.array(z.string()), auth: z.boolean() }),
});
export type CheckView = z.infer<typeof CheckView>;

export const CheckName = z.object({ name: z.string().min(1).max(100) });
