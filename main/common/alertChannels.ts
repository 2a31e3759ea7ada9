// Notification channels as the UI and the contract see them: what each type
// takes, the draft a form sends (secrets write-only), and the view that comes
// back (never a secret: only whether it is set, and the host it goes to).
// Pure TypeScript + zod: the contract, the renderer and the core share it.
//
// A type is one entry of CHANNEL_TYPES: its fields and whether they are
// secret. Adding a type (an Alertmanager receiver) is an entry here, a
// sender in main/core/alerts/channels/, and its words in the catalogues.
import { z } from 'zod';

/**
 * Every type a channel can have; `desktop` is built in (the popup) and cannot be added; `alertmanager`
 * (Alertmanager's API v2) posts to a list of base URLs, with basic auth or a bearer token.
 */
export const CHANNEL_TYPES = ['desktop', 'webhook', 'slack', 'dingtalk', 'wecom', 'alertmanager'] as const;
export const ChannelType = z.enum(CHANNEL_TYPES);
export type ChannelType = z.infer<typeof ChannelType>;

/** The types a user may add on the channels screen. */
export const ADDABLE_CHANNEL_TYPES = ['webhook', 'slack', 'dingtalk', 'wecom', 'alertmanager'] as const satisfies readonly ChannelType[];
export type AddableChannelType = (typeof ADDABLE_CHANNEL_TYPES)[number];
/** The addable types that post to one webhook URL (which is a secret). */
export type WebhookChannelType = Exclude<AddableChannelType, 'alertmanager'>;

export interface ChannelTypeFields {
  /**
   * The endpoint. Robot and incoming-webhook URLs carry their token in the
   * path or query (Slack's /services/T…/B…/<token>, DingTalk's
   * access_token=, WeCom's key=), so they are kept as secrets.
   */
  readonly url: 'secret' | 'list';
  /** A second secret: DingTalk's signing secret (加签, the `SEC…` string). */
  readonly secret: 'none' | 'optional';
  /** HTTP authentication (Alertmanager behind basic auth or a token-checking proxy): none, bearer or basic. */
  readonly auth: boolean;
}

export const CHANNEL_TYPE_FIELDS: Readonly<Record<AddableChannelType, ChannelTypeFields>> = {
  webhook: { url: 'secret', secret: 'none', auth: false },
  slack: { url: 'secret', secret: 'none', auth: false },
  dingtalk: { url: 'secret', secret: 'optional', auth: false },
  wecom: { url: 'secret', secret: 'none', auth: false },
  // Alertmanager's base URLs hold no token (one in them is refused): a list, shown as it is.
  alertmanager: { url: 'list', secret: 'none', auth: true },
};

/** How a channel authenticates to its receiver (Alertmanager): no header, `Authorization: Bearer`, or basic auth (RFC 7617). */
export const CHANNEL_AUTH_KINDS = ['none', 'bearer', 'basic'] as const;
export const ChannelAuthKind = z.enum(CHANNEL_AUTH_KINDS);
export type ChannelAuthKind = z.infer<typeof ChannelAuthKind>;

/** A whole http(s) URL with a host. */
function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host !== '';
  } catch {
    return false;
  }
}

/** An Alertmanager's base URL: http(s), no user or password in it (they go in the auth fields, as secrets). */
export const AlertmanagerUrl = z
  .string()
  .trim()
  .max(2000, { error: 'the URL is at most 2000 characters' })
  .refine(
    isHttpUrl,
    { error: 'write each Alertmanager\'s whole URL, like http://am-1:9093' },
  )
  .refine(
    (text) => {
      try {
        const u = new URL(text);
        return u.username === '' && u.password === '' && u.search === '';
      } catch {
        return true;
      }
    },
    { error: 'an Alertmanager URL carries no user, password or query; set basic auth or a bearer token instead' },
  );

/** The resend interval of an Alertmanager channel: 1 s to 1 h (Prometheus's resend delay is 1 min). */
export const AlertmanagerResendMs = z.number().int().min(1000, { error: 'the resend interval is at least 1 s' }).max(3_600_000, { error: 'the resend interval is at most 1 h' });

export const DESKTOP_CHANNEL = 'desktop';

/** A channel's name is how rules refer to it: letters, digits, ".", "_", "-". */
export const ChannelName = z
  .string({ error: 'the name is required' })
  .trim()
  .min(1, { error: 'the name is required' })
  .max(100, { error: 'the name is at most 100 characters' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'the name may hold letters, digits, ".", "_" and "-", and must start with a letter or digit' })
  .refine((n) => n !== DESKTOP_CHANNEL, { error: '"desktop" is the built-in desktop channel; pick another name' });

/** An http(s) URL, checked as a URL (the server's answer to it is the test's business). */
export const ChannelUrl = z
  .string()
  .trim()
  .max(2000, { error: 'the URL is at most 2000 characters' })
  .refine(
    isHttpUrl,
    { error: 'write the whole URL, starting with https://' },
  );

export const ChannelSigningSecret = z
  .string()
  .min(8, { error: 'the signing secret is too short' })
  .max(500, { error: 'the signing secret is at most 500 characters' })
  .regex(/^[\x21-\x7e]+$/, { error: 'the signing secret holds printable characters only (check for a pasted space or line break)' });

/**
 * What the channel form sends. `url` and `secret` are write-only: on an
 * edit, absent keeps the stored value; `secret: null` removes DingTalk's
 * signing secret.
 */
export const ChannelDraft = z
  .object({
    name: ChannelName,
    type: z.enum(ADDABLE_CHANNEL_TYPES, { error: 'the type is webhook, slack, dingtalk, wecom or alertmanager' }),
    url: ChannelUrl.optional(),
    secret: ChannelSigningSecret.nullable().optional(),
    timeoutMs: z.number().int().min(100).max(120_000).optional(),
    /** Alertmanager: each Alertmanager's base URL (an HA pair lists both). */
    urls: z.array(AlertmanagerUrl).min(1, { error: 'list at least one Alertmanager URL' }).max(10, { error: 'at most 10 Alertmanagers' }).optional(),
    /** Alertmanager: how often firing alerts are sent again. */
    resendMs: AlertmanagerResendMs.optional(),
    /** Alertmanager: how it authenticates; the token or password is `authSecret`, write-only (absent on an edit keeps the stored one). */
    auth: ChannelAuthKind.optional(),
    username: z
      .string()
      .trim()
      .min(1, { error: 'the user name is required for basic auth' })
      .max(200)
      .refine((u) => !u.includes(':'), { error: 'a basic auth user name cannot contain ":" (RFC 7617)' })
      .optional(),
    authSecret: z.string().min(1).max(4096).regex(/^[^\r\n]+$/, { error: 'the token or password is one line' }).optional(),
  })
  .superRefine((d, ctx) => {
    if (d.secret && CHANNEL_TYPE_FIELDS[d.type].secret === 'none') ctx.addIssue({ code: 'custom', path: ['secret'], message: `a ${d.type} channel has no signing secret` });
    if (d.type === 'alertmanager') {
      if (d.url !== undefined) ctx.addIssue({ code: 'custom', path: ['url'], message: 'an alertmanager channel takes urls, a list of base URLs' });
      if (d.urls === undefined) ctx.addIssue({ code: 'custom', path: ['urls'], message: 'list at least one Alertmanager URL' });
      if (d.auth === 'basic' && d.username === undefined) ctx.addIssue({ code: 'custom', path: ['username'], message: 'the user name is required for basic auth' });
    } else {
      for (const key of ['urls', 'resendMs', 'auth', 'username', 'authSecret'] as const) {
        if (d[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `a ${d.type} channel has no ${key}` });
      }
    }
    if (d.authSecret !== undefined && (d.auth === undefined || d.auth === 'none')) ctx.addIssue({ code: 'custom', path: ['authSecret'], message: 'a token or password needs bearer or basic auth' });
  });
export type ChannelDraft = z.infer<typeof ChannelDraft>;

/** Where a channel's URL or secret comes from: the secret store (set in the UI), or the provisioning file's reference. */
export const SecretOrigin = z.enum(['store', 'env', 'file', 'inline']);

/**
 * A channel as the channels screen lists it. Never a URL or a secret: whether
 * each is set (a URL not set is why a channel cannot send), where it comes
 * from, and the host it posts to. No prose: the screen words it.
 */
export const ChannelView = z.object({
  name: z.string(),
  type: ChannelType,
  origin: z.enum(['builtin', 'provisioned', 'user']),
  url: z
    .object({
      set: z.boolean(),
      origin: SecretOrigin,
      /** The environment variable or file a provisioned URL is read from (a name, not the value). */
      reference: z.string().nullable(),
      /** Host (and port) the channel posts to, read from the URL: not a secret, and says which service it is. */
      host: z.string().nullable(),
    })
    .nullable(),
  /** Null for a type without one; `origin` null when the channel has none (an unsigned DingTalk robot). */
  secret: z.object({ set: z.boolean(), origin: SecretOrigin.nullable(), reference: z.string().nullable() }).nullable(),
  timeoutMs: z.number().nullable(),
  /** Alertmanager: its base URLs (no secret in them: one with a user, password or query is refused), resend interval and authentication. */
  alertmanager: z
    .object({
      urls: z.array(z.string()),
      resendMs: z.number().nullable(),
      /** How it authenticates; `set`: the token or password has a value; `reference`: the variable or file a provisioned one is read from. */
      auth: z.object({ kind: ChannelAuthKind, username: z.string().nullable(), set: z.boolean(), origin: SecretOrigin.nullable(), reference: z.string().nullable() }),
    })
    .nullable()
    .optional(),
  /** Rules that notify through it (id and name, so a built-in rule's name can be shown in the UI's language). */
  usedBy: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type ChannelView = z.infer<typeof ChannelView>;

/**
 * Why a send failed, for the screen to word in the UI's language. What the
 * receiver said (a robot's errmsg, a response body) is passed on as it came,
 * with secrets scrubbed.
 */
export const DeliveryProblem = z.discriminatedUnion('kind', [
  /** A chat robot answered with an error code (a bad signature, a keyword it wants). */
  z.object({ kind: z.literal('refused'), service: z.string(), code: z.string(), message: z.string() }),
  z.object({ kind: z.literal('notJson'), service: z.string(), body: z.string() }),
  z.object({ kind: z.literal('http'), status: z.number(), body: z.string() }),
  z.object({ kind: z.literal('timeout'), ms: z.number() }),
  /** A network error, by its code (ECONNREFUSED, ENOTFOUND…). */
  z.object({ kind: z.literal('network'), code: z.string() }),
  z.object({ kind: z.literal('badUrl') }),
  /** The URL, signing secret or auth token / password has no value (its variable, file or secret is empty or missing, or none was entered). */
  z.object({ kind: z.literal('notSet'), what: z.enum(['url', 'secret', 'auth']) }),
]);
export type DeliveryProblem = z.infer<typeof DeliveryProblem>;

/** The answer to "send a test message": sent, or the receiver's (redacted) error, with its problem for the screen to word. */
export const ChannelTestResult = z.object({ ok: z.boolean(), error: z.string().optional(), problem: DeliveryProblem.optional(), durationMs: z.number() });
export type ChannelTestResult = z.infer<typeof ChannelTestResult>;

/**
 * Test a saved channel by name, or a draft from the form; a draft's absent
 * URL or secret falls back to the stored ones of the UI channel it edits.
 */
export const ChannelTestRequest = z.union([z.object({ name: z.string().min(1).max(100) }).strict(), z.object({ draft: ChannelDraft, editing: z.string().min(1).max(100).optional() }).strict()]);
export type ChannelTestRequest = z.infer<typeof ChannelTestRequest>;
