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

export function resolveSecretSource(source: SecretSource, deps: ChannelDeps, what: string, part: 'url' | 'secret'): SecretValue {
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
    return alertmanagerChannel(spec.name, spec.urls!, {
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
 * 1m) and `generator_url` (where an alert links back to; default
 * overlook://alerts).
 */
export function parseProvisionedChannel(entry: unknown): ChannelParse {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return { ok: false, error: 'a channel entry must be a mapping with name and type' };
  const e = entry as Record<string, unknown>;
  const label = typeof e.name === 'string' && e.name.trim() ? `channel "${e.name.trim()}"` : 'channel without a name';
  const known = new Set(['name', 'type', 'url', 'url_env', 'url_ref', 'url_file', 'secret_env', 'secret_ref', 'secret_file', 'timeout_ms', 'urls', 'resend_interval', 'generator_url']);
  if ('secret' in e) return { ok: false, error: `${label}: write the signing secret as secret_env, secret_file or secret_ref, never inline`, field: 'secret' };
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
