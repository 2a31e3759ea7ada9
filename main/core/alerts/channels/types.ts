// Notification channels: where a planned notification goes. Channel configs
// name their secrets (webhook URLs carry tokens; DingTalk has a signing
// secret) by reference — the secret store or an environment variable — so no
// secret sits in the rule list, the provisioning file or the renderer.
import { z } from 'zod';
import type { AlertView, PlannedNotification } from '../model.js';

// The types live with the UI's view of channels (main/common/alertChannels.ts).
export { ChannelType } from '../../../common/alertChannels.js';
import { AlertmanagerUrl, ChannelType, type DeliveryProblem } from '../../../common/alertChannels.js';

/**
 * Where a secret value comes from: the secret store (`ref`), an environment
 * variable (`env`), a file (`file`, relative to the provisioning file) or, for
 * tests and non-secret URLs, inline (`value`).
 */
export const SecretSource = z.union([
  z.object({ ref: z.string().min(1) }).strict(),
  z.object({ env: z.string().min(1) }).strict(),
  z.object({ file: z.string().min(1) }).strict(),
  z.object({ value: z.string().min(1) }).strict(),
]);
export type SecretSource = z.infer<typeof SecretSource>;

/** An Alertmanager's authentication: a bearer token, or basic auth (RFC 7617) with the password by reference. */
export const ChannelAuth = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('bearer'), token: SecretSource }).strict(),
  z.object({ kind: z.literal('basic'), username: z.string().min(1).refine((u) => !u.includes(':'), { message: 'cannot contain ":" (RFC 7617)' }), password: SecretSource }).strict(),
]);
export type ChannelAuth = z.infer<typeof ChannelAuth>;

export const ChannelSpec = z
  .object({
    name: z.string().trim().min(1).max(100),
    type: ChannelType,
    /** The webhook URL (all types but desktop). */
    url: SecretSource.optional(),
    /** DingTalk's signing secret (the `SEC…` string of the robot's 加签 setting). */
    secret: SecretSource.optional(),
    /** Per-attempt timeout (default 10 s). */
    timeoutMs: z.number().int().min(100).max(120_000).optional(),
    /** Alertmanager: the base URL of each Alertmanager (an HA pair lists both); each gets every alert. */
    urls: z.array(AlertmanagerUrl).min(1).max(10).optional(),
    /** Alertmanager: firing alerts are sent again this often (default 1 min, as Prometheus's resend delay). */
    resendMs: z.number().int().min(1000).max(3_600_000).optional(),
    /** Alertmanager: the start of each alert's generatorURL (default overlook://alerts). */
    generatorUrl: z.string().url().optional(),
    /** Alertmanager: the Authorization header, sent only to its `urls`. */
    auth: ChannelAuth.optional(),
  })
  .refine((c) => c.type === 'desktop' || c.type === 'alertmanager' || c.url !== undefined, { message: 'a webhook channel needs a url (url, url_env or a secret reference)' })
  .refine((c) => c.auth === undefined || c.type === 'alertmanager', { message: 'only an alertmanager channel takes bearer_token or basic_auth' })
  .refine((c) => c.type !== 'alertmanager' || (c.urls !== undefined && c.url === undefined), {
    message: 'an alertmanager channel needs urls: the base URL of each Alertmanager, e.g. [http://am-1:9093, http://am-2:9093]',
  });
export type ChannelSpec = z.infer<typeof ChannelSpec>;

export interface NotificationChannel {
  readonly name: string;
  readonly type: ChannelType;
  /** Resolves when delivered; rejects with a DeliveryError whose message is safe to show and log. */
  send(notification: PlannedNotification): Promise<void>;
  /**
   * A channel that wants the alerts still firing again and again (an
   * Alertmanager resolves an alert it has not heard of for a while): every
   * `everyMs` the alerts feature hands it those of the rules routed to it.
   */
  readonly resend?: {
    readonly everyMs: number;
    send(firing: readonly AlertView[]): Promise<void>;
  };
}

/**
 * A failed delivery. `retryable` says whether trying again may help (network
 * error, timeout, 5xx, 429) or not (4xx, a robot rejecting the signature).
 * The message never holds a secret: URLs are redacted, and known secret
 * values are scrubbed before the error is built.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** Server-asked wait before the next attempt (Retry-After), ms. */
    readonly retryAfterMs?: number,
    /** What went wrong, for the screen to word (scrubbed like the message). */
    readonly problem?: DeliveryProblem,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}
