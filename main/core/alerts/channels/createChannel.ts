// Channels from their configs, secrets resolved at send time through the
// caller's resolver (secret store for `ref`, process.env for `env`).
import { dingTalkChannel, desktopChannel, slackChannel, webhookChannel, weComChannel, type DesktopNotify, type SecretValue } from './robots.js';
import { resolveSecretRef } from '../../config/secretRef.js';
import { parseDuration } from '../../../common/duration.js';
import { alertmanagerChannel } from './alertmanager.js';
import { ChannelSpec, DeliveryError, type NotificationChannel, type SecretSource } from './types.js';

export interface ChannelDeps {
  /** The shell's popup; without it a desktop channel fails each delivery with a clear error. */
  readonly notify?: DesktopNotify;
  /** Reads a secret from the secret store by ref. */
  readonly getSecret?: (ref: string) => Promise<string | undefined>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where relative `file` sources start: the provisioning file's directory. */
  readonly baseDir?: string;
  readonly now?: () => number;
}

export function resolveSecretSource(source: SecretSource, deps: ChannelDeps, what: string, part: 'url' | 'secret' | 'auth'): SecretValue {
  return async () => {
    let value: string | undefined;
    if ('value' in source) value = source.value;
    else if ('env' in source) value = (deps.env ?? process.env)[source.env];
    else if ('file' in source) {
      // Read at send time, so a rotated token file applies without a reload.
      const read = resolveSecretRef({ file: source.file }, { baseDir: deps.baseDir });
      if ('problem' in read) throw new DeliveryError(`${what} is not set (${read.problem})`, false, undefined, { kind: 'notSet', what: part });
      value = read.value;
    } else value = deps.getSecret ? await deps.getSecret(source.ref) : undefined;
    if (!value) {
      const where = 'env' in source ? `environment variable ${source.env}` : 'ref' in source ? `secret ${source.ref}` : 'the config';
      throw new DeliveryError(`${what} is not set (${where} is empty or missing)`, false, undefined, { kind: 'notSet', what: part });
    }
    return value;
  };
}

export function createChannel(spec: ChannelSpec, deps: ChannelDeps = {}): NotificationChannel {
  const options = { timeoutMs: spec.timeoutMs, now: deps.now };
  if (spec.type === 'desktop') {
    const notify: DesktopNotify =
      deps.notify ??
      (() => {
        throw new Error('no desktop notifier in this shell');
      });
    return desktopChannel(spec.name, notify);
  }
  if (spec.type === 'alertmanager') {
    const auth = spec.auth;
    const authorization = auth
      ? async () => {
          if (auth.kind === 'bearer') {
            const token = await resolveSecretSource(auth.token, deps, `the bearer token of channel "${spec.name}"`, 'auth')();
            return { header: `Bearer ${token}`, secrets: [token] };
          }
          const password = await resolveSecretSource(auth.password, deps, `the basic auth password of channel "${spec.name}"`, 'auth')();
          // RFC 7617 §2: base64 of user-id ":" password, UTF-8.
          const encoded = Buffer.from(`${auth.username}:${password}`, 'utf8').toString('base64');
          return { header: `Basic ${encoded}`, secrets: [password, encoded] };
        }
      : undefined;
    return alertmanagerChannel(spec.name, spec.urls!, {
      ...(authorization ? { authorization } : {}),
      ...(spec.timeoutMs !== undefined ? { timeoutMs: spec.timeoutMs } : {}),
      ...(spec.resendMs !== undefined ? { resendMs: spec.resendMs } : {}),
      ...(spec.generatorUrl !== undefined ? { generatorUrl: spec.generatorUrl } : {}),
      ...(deps.now ? { now: deps.now } : {}),
    });
  }
  const url = resolveSecretSource(spec.url!, deps, `the URL of channel "${spec.name}"`, 'url');
  switch (spec.type) {
    case 'webhook':
      return webhookChannel(spec.name, url, options);
    case 'dingtalk':
      return dingTalkChannel(spec.name, url, spec.secret ? resolveSecretSource(spec.secret, deps, `the signing secret of channel "${spec.name}"`, 'secret') : undefined, options);
    case 'wecom':
      return weComChannel(spec.name, url, options);
    case 'slack':
      return slackChannel(spec.name, url, options);
  }
  throw new Error(`unknown channel type ${spec.type as string}`);
}

/** `field`: the offending field as written, so the provisioning problem points at its line. */
export type ChannelParse = { ok: true; value: ChannelSpec } | { ok: false; error: string; field?: string };

/**
 * One `channels:` entry of the provisioning file: `name`, `type`, and the
 * URL as `url` (inline), `url_env` (environment variable) or `url_ref`
 * (secret store) or `url_file` (a file), DingTalk's signing secret as
 * `secret_env`, `secret_file` or `secret_ref`,
 * optional `timeout_ms`. Inline secrets (`secret:`) are refused: a
 * provisioning file gets committed. The error names the entry.
 *
 * An `alertmanager` channel takes `urls` (each Alertmanager's base URL; an
 * HA pair lists both), and optionally `resend_interval` (a duration, default
 * 1m), `generator_url` (where an alert links back to; default
 * overlook://alerts) and its authentication, as remote_write takes it:
 * `bearer_token_env` / `bearer_token_file` / `bearer_token_ref`, or
 * `basic_auth: { username, password_env | password_file | password_ref }`;
 * a token or password written inline is refused.
 */
export function parseProvisionedChannel(entry: unknown): ChannelParse {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return { ok: false, error: 'a channel entry must be a mapping with name and type' };
  const e = entry as Record<string, unknown>;
  const label = typeof e.name === 'string' && e.name.trim() ? `channel "${e.name.trim()}"` : 'channel without a name';
  const known = new Set([
    'name', 'type', 'url', 'url_env', 'url_ref', 'url_file', 'secret_env', 'secret_ref', 'secret_file', 'timeout_ms', 'urls', 'resend_interval', 'generator_url',
    'bearer_token_env', 'bearer_token_file', 'bearer_token_ref', 'basic_auth',
  ]);
  if ('secret' in e) return { ok: false, error: `${label}: write the signing secret as secret_env, secret_file or secret_ref, never inline`, field: 'secret' };
  if ('bearer_token' in e) return { ok: false, error: `${label}: write the bearer token as bearer_token_env, bearer_token_file or bearer_token_ref, never inline`, field: 'bearer_token' };
  const auth = provisionedAuth(e, label);
  if (auth && 'error' in auth) return { ok: false, ...auth };
  const unknown = Object.keys(e).filter((k) => !known.has(k));
  if (unknown.length) return { ok: false, error: `${label}: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`, field: unknown[0] };
  const urls = (['url', 'url_env', 'url_ref', 'url_file'] as const).filter((k) => e[k] !== undefined);
  if (urls.length > 1) return { ok: false, error: `${label}: give one of url, url_env, url_file or url_ref, not ${urls.join(' and ')}`, field: urls[1] };
  const secrets = (['secret_env', 'secret_ref', 'secret_file'] as const).filter((k) => e[k] !== undefined);
  if (secrets.length > 1) return { ok: false, error: `${label}: give one of secret_env, secret_file or secret_ref, not ${secrets.join(' and ')}`, field: secrets[1] };
  let resendMs: number | undefined;
  if (e.resend_interval !== undefined) {
    const d = typeof e.resend_interval === 'string' ? parseDuration(e.resend_interval) : { ok: false as const, error: 'write it as a duration, like 1m' };
    if (!d.ok) return { ok: false, error: `${label}: resend_interval: ${d.error}`, field: 'resend_interval' };
    resendMs = d.ms;
  }
  const source = (k: string, v: unknown) => (k.endsWith('_env') ? { env: v } : k.endsWith('_ref') ? { ref: v } : k.endsWith('_file') ? { file: v } : { value: v });
  const draft = {
    name: e.name,
    type: e.type,
    ...(urls[0] ? { url: source(urls[0], e[urls[0]]) } : {}),
    ...(secrets[0] ? { secret: source(secrets[0], e[secrets[0]]) } : {}),
    ...(e.timeout_ms !== undefined ? { timeoutMs: e.timeout_ms } : {}),
    ...(e.urls !== undefined ? { urls: e.urls } : {}),
    ...(resendMs !== undefined ? { resendMs } : {}),
    ...(e.generator_url !== undefined ? { generatorUrl: e.generator_url } : {}),
    ...(auth ? { auth: auth.auth } : {}),
  };
  const parsed = ChannelSpec.safeParse(draft);
  if (!parsed.success) {
    const first = parsed.error.issues[0]?.path[0];
    const fileNames: Record<string, string> = { timeoutMs: 'timeout_ms', resendMs: 'resend_interval', generatorUrl: 'generator_url' };
    const written = typeof first === 'string' ? (fileNames[first] ?? first) : undefined;
    return {
      ok: false,
      error: `${label}: ${parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ')}`,
      ...(written ? { field: written } : {}),
    };
  }
  return { ok: true, value: parsed.data };
}

const refSource = (prefix: string, obj: Record<string, unknown>) =>
  (['_env', '_file', '_ref'] as const).filter((suffix) => obj[`${prefix}${suffix}`] !== undefined).map((suffix) => ({ key: `${prefix}${suffix}`, suffix, value: obj[`${prefix}${suffix}`] }));

function sourceOf(suffix: '_env' | '_file' | '_ref', value: unknown): unknown {
  return suffix === '_env' ? { env: value } : suffix === '_file' ? { file: value } : { ref: value };
}

/** An entry's `bearer_token_*` or `basic_auth`, by reference only; undefined when it has neither. */
function provisionedAuth(e: Record<string, unknown>, label: string): { auth: unknown } | { error: string; field: string } | undefined {
  const tokens = refSource('bearer_token', e);
  if (tokens.length > 1) return { error: `${label}: give one of bearer_token_env, bearer_token_file or bearer_token_ref, not ${tokens.map((t) => t.key).join(' and ')}`, field: tokens[1]!.key };
  if (tokens.length === 1 && e.basic_auth !== undefined) return { error: `${label}: give either a bearer token or basic_auth, not both`, field: 'basic_auth' };
  if (tokens.length === 1) return { auth: { kind: 'bearer', token: sourceOf(tokens[0]!.suffix, tokens[0]!.value) } };
  if (e.basic_auth === undefined) return undefined;
  const b = e.basic_auth;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) return { error: `${label}: basic_auth must be a mapping with username and password_env, password_file or password_ref`, field: 'basic_auth' };
  const ba = b as Record<string, unknown>;
  if ('password' in ba) return { error: `${label}: basic_auth: write the password as password_env, password_file or password_ref, never inline`, field: 'basic_auth' };
  const unknown = Object.keys(ba).filter((k) => !['username', 'password_env', 'password_file', 'password_ref'].includes(k));
  if (unknown.length) return { error: `${label}: basic_auth: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`, field: 'basic_auth' };
  const passwords = refSource('password', ba);
  if (passwords.length !== 1) return { error: `${label}: basic_auth needs exactly one of password_env, password_file or password_ref`, field: 'basic_auth' };
  return { auth: { kind: 'basic', username: ba.username, password: sourceOf(passwords[0]!.suffix, passwords[0]!.value) } };
}
