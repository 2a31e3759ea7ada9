// The notification channels of the console: the built-in desktop channel,
// channels added on the channels screen (kept in <dataDir>/channels.json, their
// URLs and signing secrets in the secret store under `channel:<name>:url` /
// `…:secret`, an Alertmanager's token or password under `…:auth`) and
// channels from the provisioning file's `channels:` (secrets by reference,
// read-only in the UI). One managed set of definitions, as for
// hosts and cloud accounts; each definition's runtime is its sender.
//
// What leaves this module for the UI never holds a secret: whether a URL or
// secret is set, where it comes from, and the host the URL points at.
import { z } from 'zod';
import {
  CHANNEL_TYPE_FIELDS,
  DESKTOP_CHANNEL,
  ADDABLE_CHANNEL_TYPES,
  ChannelName,
  type ChannelDraft,
  type ChannelTestResult,
  type ChannelView,
} from '../../common/alertChannels.js';
import { RpcError } from '../../common/contract.js';
import { resolveSecretRef } from '../config/secretRef.js';
import type { Logger } from '../log.js';
import { ManagedSet } from '../managed/managedSet.js';
import { storedListFile } from '../managed/storedList.js';
import type { SecretStore } from '../secrets/secretStore.js';
import { createChannel, type ChannelDeps } from './channels/createChannel.js';
import { deliverWithRetry } from './channels/deliver.js';
import type { ChannelSpec, NotificationChannel, SecretSource } from './channels/types.js';
import type { PlannedNotification } from './model.js';

/** A channel added in the UI as channels.json keeps it: never a secret. */
const StoredChannel = z.object({
  name: ChannelName,
  type: z.enum(ADDABLE_CHANNEL_TYPES),
  timeoutMs: z.number().int().min(100).max(120_000).optional(),
  /** A signing secret is stored for it (DingTalk): messages are signed, and fail clearly if the secret goes missing. */
  signed: z.boolean().optional(),
  /** Alertmanager: its base URLs (no secret in them), resend interval and authentication (the secret is in the store). */
  urls: z.array(z.string()).optional(),
  resendMs: z.number().int().min(1000).max(3_600_000).optional(),
  auth: z.enum(['bearer', 'basic']).optional(),
  username: z.string().optional(),
  /** The origins (scheme://host:port) the stored token or password was entered for: it is only ever sent there. */
  authFor: z.array(z.string()).optional(),
});
type StoredChannel = z.infer<typeof StoredChannel>;

export const channelsFile = storedListFile<StoredChannel>({ file: 'channels.json', key: 'channels', what: 'channel', entry: StoredChannel });

export const channelUrlRef = (name: string) => `channel:${name}:url`;
export const channelSecretRef = (name: string) => `channel:${name}:secret`;
export const channelAuthRef = (name: string) => `channel:${name}:auth`;

interface ChannelDef {
  readonly name: string;
  readonly provisioned: boolean;
  readonly spec: ChannelSpec;
  /** Where a provisioned channel's relative `_file` references start. */
  readonly baseDir?: string;
}

export interface ChannelSetOptions {
  readonly dataDir: string;
  readonly secrets: SecretStore;
  readonly log: Logger;
  readonly now: () => number;
  /** Environment for `url_env` / `secret_env` (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The desktop sender (the popup and the UI's toast), under the given name. */
  readonly desktop: (name: string) => NotificationChannel;
  /** The channels in effect changed: hand them to the engine. */
  readonly onChange: (channels: NotificationChannel[]) => void;
}

const notFound = (name: string) => new RpcError('not_found', `no channel named "${name}"`);

export class ChannelSet {
  private readonly set: ManagedSet<StoredChannel, ChannelSpec, ChannelDef, NotificationChannel>;
  private started = false;

  constructor(private readonly options: ChannelSetOptions) {
    this.set = new ManagedSet({
      what: 'channel',
      section: 'channels',
      dataDir: options.dataDir,
      file: channelsFile,
      log: options.log,
      fromStored: (s): ChannelDef => ({
        name: s.name,
        provisioned: false,
        spec: s.type === 'alertmanager' ? alertmanagerSpecOf(s) : {
          name: s.name,
          type: s.type,
          url: { ref: channelUrlRef(s.name) },
          ...(s.signed && CHANNEL_TYPE_FIELDS[s.type].secret !== 'none' ? { secret: { ref: channelSecretRef(s.name) } } : {}),
          ...(s.timeoutMs !== undefined ? { timeoutMs: s.timeoutMs } : {}),
        },
      }),
      fromProvisioned: (spec, baseDir): ChannelDef => ({ name: spec.name, provisioned: true, spec, baseDir }),
      start: (def) => this.sender(def.spec, def.baseDir),
      stop: async () => undefined,
    });
  }

  async start(): Promise<void> {
    this.set.load();
    this.started = true;
    await this.apply();
  }

  /** The provisioning file's channels (already parsed); a second one of a name is left out with a warning. */
  setProvisioned(specs: readonly ChannelSpec[], baseDir: string | undefined): void {
    this.set.setProvisioned(
      specs.filter((s) => s.name !== DESKTOP_CHANNEL || s.type === 'desktop'),
      baseDir ?? process.cwd(),
    );
    if (this.started) void this.apply();
  }

  stop(): Promise<void> {
    return this.set.stop();
  }

  /** The channels in effect: the desktop one, then every definition's sender. */
  channels(): NotificationChannel[] {
    const out = new Map<string, NotificationChannel>([[DESKTOP_CHANNEL, this.options.desktop(DESKTOP_CHANNEL)]]);
    for (const { def, runtime } of this.set.entries()) out.set(def.name, runtime);
    return [...out.values()];
  }

  /** Every channel as the UI lists it; `usedBy` says which rules notify through each. */
  async views(usedBy: (name: string) => ChannelView['usedBy']): Promise<ChannelView[]> {
    const refs = new Set(await this.options.secrets.list().catch(() => [] as string[]));
    const desktop: ChannelView = { name: DESKTOP_CHANNEL, type: 'desktop', origin: 'builtin', url: null, secret: null, timeoutMs: null, usedBy: usedBy(DESKTOP_CHANNEL) };
    const views: ChannelView[] = [];
    for (const { def } of this.set.entries()) {
      if (def.name === DESKTOP_CHANNEL) continue;
      views.push(await this.view(def, refs, usedBy(def.name)));
    }
    return [desktop, ...views.sort((a, b) => a.name.localeCompare(b.name))];
  }

  async view(def: ChannelDef, refs: ReadonlySet<string>, usedBy: ChannelView['usedBy']): Promise<ChannelView> {
    const part = async (source: SecretSource | undefined, withHost: boolean) => {
      if (!source) return null;
      const origin = 'ref' in source ? 'store' : 'env' in source ? 'env' : 'file' in source ? 'file' : 'inline';
      const reference = 'env' in source ? source.env : 'file' in source ? source.file : null;
      let value: string | undefined;
      if ('ref' in source) {
        if (refs.has(source.ref)) value = await this.options.secrets.get(source.ref).catch(() => undefined);
      } else if ('value' in source) value = source.value;
      else {
        const read = resolveSecretRef('env' in source ? { env: source.env } : { file: source.file }, { environment: this.options.env, baseDir: def.baseDir });
        if (!('problem' in read)) value = read.value;
      }
      return { set: value !== undefined && value !== '', origin, reference, ...(withHost ? { host: hostOf(value) } : {}) } as const;
    };
    // An Alertmanager channel posts to a list of base URLs (no token in them): listed as set, with their hosts.
    const url =
      def.spec.type === 'alertmanager'
        ? ({ set: true, origin: 'inline', reference: null, host: (def.spec.urls ?? []).map((u) => hostOf(u)).join(', ') } as const)
        : await part(def.spec.url, true);
    const takesSecret = def.spec.type !== 'desktop' && def.spec.type !== 'alertmanager' && CHANNEL_TYPE_FIELDS[def.spec.type].secret !== 'none';
    const secret = def.spec.secret ? await part(def.spec.secret, false) : takesSecret ? ({ set: false, origin: null, reference: null } as const) : null;
    let alertmanager: ChannelView['alertmanager'] = null;
    if (def.spec.type === 'alertmanager') {
      const a = def.spec.auth;
      const authPart = a ? await part(a.kind === 'bearer' ? a.token : a.password, false) : null;
      alertmanager = {
        urls: [...(def.spec.urls ?? [])],
        resendMs: def.spec.resendMs ?? null,
        auth: {
          kind: a?.kind ?? 'none',
          username: a?.kind === 'basic' ? a.username : null,
          set: authPart?.set ?? false,
          origin: authPart?.origin ?? null,
          reference: authPart?.reference ?? null,
        },
      };
    }
    return {
      name: def.name,
      type: def.spec.type,
      origin: def.provisioned ? 'provisioned' : 'user',
      url: url ? { set: url.set, origin: url.origin, reference: url.reference, host: url.host ?? null } : null,
      secret: secret ? { set: secret.set, origin: secret.origin, reference: secret.reference } : null,
      timeoutMs: def.spec.timeoutMs ?? null,
      alertmanager,
      usedBy,
    };
  }

  async viewOf(name: string, usedBy: ChannelView['usedBy']): Promise<ChannelView> {
    const def = this.set.definition(name);
    if (!def) throw notFound(name);
    return this.view(def, new Set(await this.options.secrets.list().catch(() => [] as string[])), usedBy);
  }

  // ------------------------------------------------------------ changes from the UI

  async add(draft: ChannelDraft): Promise<void> {
    if (this.set.has(draft.name)) throw new RpcError('invalid_input', `a channel named "${draft.name}" already exists`);
    if (draft.type === 'alertmanager') {
      const auth = draft.auth ?? 'none';
      if (auth !== 'none' && !draft.authSecret) throw new RpcError('invalid_input', `enter the ${auth === 'bearer' ? 'bearer token' : 'basic auth password'}`);
      if (auth !== 'none') await this.options.secrets.set(channelAuthRef(draft.name), draft.authSecret!);
      this.set.setStored([...this.set.stored, storedAlertmanager(draft, auth === 'none' ? undefined : origins(draft.urls!))]);
      this.options.log.info(`alert channel ${draft.name}: added (alertmanager, ${draft.urls!.length} URL${draft.urls!.length > 1 ? 's' : ''})`);
      await this.apply();
      return;
    }
    if (!draft.url) throw new RpcError('invalid_input', 'enter the URL the channel posts to');
    await this.options.secrets.set(channelUrlRef(draft.name), draft.url);
    if (draft.secret) await this.options.secrets.set(channelSecretRef(draft.name), draft.secret);
    this.set.setStored([...this.set.stored, storedOf(draft, Boolean(draft.secret))]);
    this.options.log.info(`alert channel ${draft.name}: added (${draft.type})`);
    await this.apply();
  }

  /** The name stays (rules refer to it); an absent URL or secret keeps the stored one, `secret: null` removes it. */
  async update(name: string, draft: ChannelDraft): Promise<void> {
    this.editable(name);
    const before = this.set.stored.find((s) => s.name === name);
    if (draft.name !== name) throw new RpcError('invalid_input', 'a channel cannot be renamed (rules refer to it by name); add a new one and point the rules at it');
    if (draft.type === 'alertmanager') {
      const authFor = await this.alertmanagerSecret(name, draft, before);
      await this.options.secrets.delete(channelUrlRef(name));
      await this.options.secrets.delete(channelSecretRef(name));
      this.set.setStored(this.set.stored.map((s) => (s.name === name ? storedAlertmanager(draft, authFor) : s)));
      await this.apply(new Set([name]));
      return;
    }
    if (before?.type === 'alertmanager' && !draft.url) throw new RpcError('invalid_input', 'enter the URL the channel posts to');
    await this.options.secrets.delete(channelAuthRef(name));
    if (draft.url) await this.options.secrets.set(channelUrlRef(name), draft.url);
    if (draft.secret) await this.options.secrets.set(channelSecretRef(name), draft.secret);
    const takesSecret = CHANNEL_TYPE_FIELDS[draft.type].secret !== 'none';
    if (draft.secret === null || !takesSecret) await this.options.secrets.delete(channelSecretRef(name));
    const signed = takesSecret && (draft.secret ? true : draft.secret === null ? false : before?.signed === true);
    this.set.setStored(this.set.stored.map((s) => (s.name === name ? storedOf(draft, signed) : s)));
    // A new secret does not change the definition: restart this channel's sender either way.
    await this.apply(new Set([name]));
  }

  async remove(name: string): Promise<void> {
    this.editable(name);
    this.set.setStored(this.set.stored.filter((s) => s.name !== name));
    await this.apply();
    await this.options.secrets.delete(channelUrlRef(name));
    await this.options.secrets.delete(channelSecretRef(name));
    await this.options.secrets.delete(channelAuthRef(name));
    this.options.log.info(`alert channel ${name}: removed`);
  }

  /** Sends `notification` once (no retries: the person waiting wants the answer now) through a saved channel or a draft. */
  async test(request: { name: string } | { draft: ChannelDraft; editing?: string }, notification: PlannedNotification): Promise<ChannelTestResult> {
    let channel: NotificationChannel;
    if ('name' in request) {
      const found = this.channels().find((c) => c.name === request.name);
      if (!found) throw notFound(request.name);
      channel = found;
    } else {
      const { draft, editing } = request;
      const stored = editing === undefined ? undefined : this.editable(editing);
      if (draft.type === 'alertmanager') {
        const auth = draft.auth ?? 'none';
        let source: SecretSource | undefined;
        if (auth !== 'none') {
          if (draft.authSecret) source = { value: draft.authSecret };
          else if (editing !== undefined) {
            const before = this.set.stored.find((s) => s.name === editing);
            const problem = before ? storedSecretProblem(before, draft) : 'nothing is stored';
            if (problem) return { ok: false, error: problem, problem: { kind: 'notSet', what: 'auth' }, durationMs: 0 };
            source = { ref: channelAuthRef(editing) };
          } else return { ok: false, error: 'enter the token or password', problem: { kind: 'notSet', what: 'auth' }, durationMs: 0 };
        }
        channel = this.sender({ ...alertmanagerSpecOf(storedAlertmanager(draft, undefined)), ...(source ? { auth: auth === 'bearer' ? { kind: 'bearer', token: source } : { kind: 'basic', username: draft.username ?? '', password: source } } : {}) });
        return this.testThrough(channel, notification);
      }
      const source = (value: string | null | undefined, ref: string): SecretSource | undefined => {
        if (value) return { value };
        if (value === null || !stored) return undefined;
        return { ref };
      };
      const url = source(draft.url, channelUrlRef(editing ?? draft.name));
      if (!url) return { ok: false, error: 'enter the URL the channel posts to', problem: { kind: 'notSet', what: 'url' }, durationMs: 0 };
      const secret = CHANNEL_TYPE_FIELDS[draft.type].secret === 'none' ? undefined : source(draft.secret, channelSecretRef(editing ?? draft.name));
      channel = this.sender({ name: draft.name, type: draft.type, url, ...(secret ? { secret } : {}), ...(draft.timeoutMs ? { timeoutMs: draft.timeoutMs } : {}) });
    }
    return this.testThrough(channel, notification);
  }

  private async testThrough(channel: NotificationChannel, notification: PlannedNotification): Promise<ChannelTestResult> {
    const started = this.options.now();
    const outcome = await deliverWithRetry(channel, notification, { maxAttempts: 1 });
    return { ok: outcome.ok, ...(outcome.error ? { error: outcome.error } : {}), ...(outcome.problem ? { problem: outcome.problem } : {}), durationMs: Math.max(0, this.options.now() - started) };
  }

  // ------------------------------------------------------------ internals

  /**
   * The origins an edited Alertmanager channel's secret is for: a new token
   * or password is stored for the draft's URLs; none entered keeps the stored
   * one only while the URLs stay on the origins it was entered for (a stored
   * secret is only ever sent there) and the kind of auth stays the same.
   */
  private async alertmanagerSecret(name: string, draft: ChannelDraft, before: StoredChannel | undefined): Promise<string[] | undefined> {
    const auth = draft.auth ?? 'none';
    if (auth === 'none') {
      await this.options.secrets.delete(channelAuthRef(name));
      return undefined;
    }
    if (draft.authSecret) {
      await this.options.secrets.set(channelAuthRef(name), draft.authSecret);
      return origins(draft.urls!);
    }
    const problem = before ? storedSecretProblem(before, draft) : 'nothing is stored';
    if (problem) throw new RpcError('invalid_input', problem);
    return before!.authFor;
  }

  private editable(name: string): ChannelDef {
    if (name === DESKTOP_CHANNEL) throw new RpcError('invalid_input', 'the desktop channel is built in; it cannot be changed or removed');
    return this.set.editable(name, () => notFound(name)).def;
  }

  private sender(spec: ChannelSpec, baseDir?: string): NotificationChannel {
    if (spec.type === 'desktop') return this.options.desktop(spec.name);
    const deps: ChannelDeps = { getSecret: (ref) => this.options.secrets.get(ref), env: this.options.env, baseDir, now: this.options.now };
    return createChannel(spec, deps);
  }

  private async apply(restart?: ReadonlySet<string>): Promise<void> {
    await this.set.reconcile(restart);
    this.options.onChange(this.channels());
  }
}

/** scheme://host:port of each URL: where a stored secret may go. */
function origins(urls: readonly string[]): string[] {
  return [...new Set(urls.map((u) => new URL(u).origin))];
}

/** Why an Alertmanager draft without a new token or password cannot keep the stored one; undefined when it can. */
function storedSecretProblem(before: StoredChannel, draft: ChannelDraft): string | undefined {
  const what = draft.auth === 'bearer' ? 'bearer token' : 'basic auth password';
  if (before.type !== 'alertmanager' || before.auth !== draft.auth || !before.authFor) return `enter the ${what}`;
  const allowed = new Set(before.authFor);
  const elsewhere = origins(draft.urls ?? []).filter((o) => !allowed.has(o));
  if (elsewhere.length > 0) {
    return `${elsewhere.join(', ')} ${elsewhere.length > 1 ? 'are' : 'is'} not where the stored ${what} was entered for (${before.authFor.join(', ')}); a stored secret is only sent there, so enter it again`;
  }
  return undefined;
}

function storedAlertmanager(draft: ChannelDraft, authFor: string[] | undefined): StoredChannel {
  const auth = draft.auth && draft.auth !== 'none' ? draft.auth : undefined;
  return {
    name: draft.name,
    type: 'alertmanager',
    urls: [...(draft.urls ?? [])],
    ...(draft.resendMs !== undefined ? { resendMs: draft.resendMs } : {}),
    ...(draft.timeoutMs !== undefined ? { timeoutMs: draft.timeoutMs } : {}),
    ...(auth ? { auth } : {}),
    ...(auth === 'basic' && draft.username ? { username: draft.username } : {}),
    ...(auth && authFor ? { authFor } : {}),
  };
}

function alertmanagerSpecOf(s: StoredChannel): ChannelSpec {
  const secret = { ref: channelAuthRef(s.name) };
  return {
    name: s.name,
    type: 'alertmanager',
    urls: s.urls ?? [],
    ...(s.resendMs !== undefined ? { resendMs: s.resendMs } : {}),
    ...(s.timeoutMs !== undefined ? { timeoutMs: s.timeoutMs } : {}),
    ...(s.auth === 'bearer' ? { auth: { kind: 'bearer', token: secret } } : s.auth === 'basic' ? { auth: { kind: 'basic', username: s.username ?? '', password: secret } } : {}),
  };
}

function storedOf(draft: ChannelDraft, signed: boolean): StoredChannel {
  return { name: draft.name, type: draft.type, ...(draft.timeoutMs !== undefined ? { timeoutMs: draft.timeoutMs } : {}), ...(signed ? { signed } : {}) };
}

/** The host (and port) of a URL: which service a channel posts to, without its path or query, where tokens live. */
function hostOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).host || null;
  } catch {
    return null;
  }
}
