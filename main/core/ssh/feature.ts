// Remote hosts over SSH as a feature of the core (issue 3): hosts added in the
// UI (kept in <dataDir>/hosts.json, secrets in the secret store) and hosts from
// the provisioning file's `hosts:` section (read-only, hot-reloaded), each
// watched through an SshHostSource. Host keys are never accepted silently: a
// host waiting on one carries the key's fingerprint in its status, and only
// `hosts/accept-key` with that same fingerprint records it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RpcError, type Handlers, type Host } from '../../common/contract.js';
import {
  formatSshAddress,
  HostDraft,
  HostNameField,
  parseSshAddress,
  type HostDefinitionView,
  type SshConfigEntryView,
  type TestConnectionView,
} from '../../common/sshHosts.js';
import { loadAgentScript } from '../sources/agent/agentScript.js';
import { resolveSecretRef, secretFilePath, type SecretRef } from '../config/secretRef.js';
import type { CoreContext, CoreFeature } from '../coreContext.js';
import type { HostSource, SourceEvents } from '../model/hostSource.js';
import { hostsSection, type ProvisionedHost } from './hostsSection.js';
import { sectionOf } from '../config/provisioning.js';
import { hostKeyPrompt, isPendingHostKey, type PendingHostKey } from './hostKeyReview.js';
import { loadStoredHosts, passphraseRef, passwordRef, saveStoredHosts, type StoredHost } from './hostsFile.js';
import { HostKeyStore, normaliseFingerprint } from './knownHosts.js';
import type { ReconnectPolicy } from './reconnectPolicy.js';
import { expandTilde, readUserSshConfig } from './sshConfig.js';
import type { SshAuth, SshEndpoint } from './sshConnection.js';
import { SshHostSource } from './sshHostSource.js';
import { testConnection } from './connectionCheck.js';

export interface SshFeatureOptions {
  /** The user's home: ~/.ssh/known_hosts, ~/.ssh/config and `~` in key paths (tests point it elsewhere). */
  readonly home?: string;
  /** Remote directory for the agent, relative to the remote $HOME. */
  readonly agentDir?: string;
  readonly reconnect?: Partial<ReconnectPolicy>;
  readonly keepaliveIntervalMs?: number;
  readonly readyTimeoutMs?: number;
  /** SSH_AUTH_SOCK and the provisioning file's `*_env` secrets are read here (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

type SecretSource = { readonly store: string } | { readonly ref: SecretRef; readonly baseDir: string };

/** One host as the feature knows it, whichever side defined it. */
interface HostDef {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly auth:
    | { readonly type: 'key'; readonly keyFile: string; readonly passphrase?: SecretSource }
    | { readonly type: 'password'; readonly password?: SecretSource }
    | { readonly type: 'agent' };
  readonly jump: readonly string[];
  /** Absent: the console's poll interval (provisioned hosts without `interval`). */
  readonly intervalMs?: number;
  readonly tags: readonly string[];
  readonly enabled: boolean;
  readonly hostKeyPin?: string;
  /** The container engine's socket on the host (provisioning file `engine_socket`); else the agent looks (issue 4). */
  readonly engineSocket?: string;
  readonly provisioned: boolean;
}

interface Runtime {
  def: HostDef;
  source: FeatureSource;
}

type Resolved = { ok: true; target: SshEndpoint; jumps: SshEndpoint[] } | { ok: false; status: 'auth_failed' | 'offline'; message: string };

/**
 * The core's HostSource for one SSH host: resolves secrets and jump hosts when
 * it starts (so a rotated secret file takes effect on the next start), then
 * runs an SshHostSource and adds the host-key details to its statuses.
 */
class FeatureSource implements HostSource {
  private inner: SshHostSource | undefined;
  private starting: Promise<void> | undefined;
  private stopped = false;
  pending: PendingHostKey | undefined;

  constructor(
    private readonly build: () => Promise<{ source: SshHostSource; endpoints: SshEndpoint[] } | { status: 'auth_failed' | 'offline' | 'paused'; message?: string }>,
    private readonly files: { consoleFile: string; userFiles: readonly string[] },
  ) {}

  start(events: SourceEvents): void {
    if (this.starting) return;
    this.starting = this.build().then(
      (built) => {
        if (this.stopped) return;
        if (!('source' in built)) {
          events.status(built.status, built.message);
          return;
        }
        const inner = built.source;
        const [target] = built.endpoints;
        this.inner = inner;
        inner.start({
          observation: (obs) => events.observation(obs),
          status: (status, detail) => {
            const err = inner.stats.lastError;
            if ((status === 'host_key_unknown' || status === 'host_key_changed') && isPendingHostKey(err)) {
              this.pending = err;
              const pin = built.endpoints.find((e) => e.host === err.host && e.port === err.port)?.hostKeyPin;
              events.status(status, detail, { hostKey: hostKeyPrompt(err, target!, this.files, pin) });
            } else {
              if (status !== 'connecting') this.pending = undefined;
              events.status(status, detail);
            }
          },
        });
      },
      (err: unknown) => {
        if (!this.stopped) events.status('offline', `could not prepare the connection: ${(err as Error).message}`);
      },
    );
  }

  retryNow(): void {
    this.pending = undefined;
    this.inner?.retryNow();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.starting;
    await this.inner?.stop();
  }
}

const NOT_SSH = (id: string) => new RpcError('not_found', `no SSH host named "${id}"`);
const READ_ONLY = (id: string) => new RpcError('provisioned', `${id} is defined in the provisioning file; change it there`);

export function createSshFeature(options: SshFeatureOptions = {}) {
  return (ctx: CoreContext): CoreFeature => {
    const home = options.home ?? os.homedir();
    const env = options.env ?? process.env;
    const userKnownHosts = [path.join(home, '.ssh', 'known_hosts'), path.join(home, '.ssh', 'known_hosts2')];
    const hostKeys = new HostKeyStore({ consoleFile: path.join(ctx.dataDir, 'known_hosts'), userFiles: userKnownHosts });
    const keyFiles = { consoleFile: hostKeys.consoleFile, userFiles: userKnownHosts };
    const agent = loadAgentScript();

    const runtimes = new Map<string, Runtime>();
    let stored: StoredHost[] = [];
    let provisioned: ProvisionedHost[] = [];
    let provisionedBaseDir = process.cwd();
    let started = false;

    // ------------------------------------------------------------ definitions
    const defFromStored = (s: StoredHost): HostDef => ({
      name: s.name,
      host: s.host,
      port: s.port,
      user: s.user,
      auth:
        s.auth.type === 'key'
          ? { type: 'key', keyFile: s.auth.keyFile, passphrase: { store: passphraseRef(s.name) } }
          : s.auth.type === 'password'
            ? { type: 'password', password: { store: passwordRef(s.name) } }
            : { type: 'agent' },
      jump: s.jump,
      intervalMs: s.intervalMs,
      tags: s.tags,
      enabled: s.enabled,
      ...(s.engineSocket ? { engineSocket: s.engineSocket } : {}),
      provisioned: false,
    });

    const defFromProvisioned = (p: ProvisionedHost, baseDir: string): HostDef => ({
      name: p.name,
      host: p.host,
      port: p.port,
      user: p.user,
      auth:
        p.auth.type === 'key'
          ? { type: 'key', keyFile: secretFilePath(p.auth.keyFile, baseDir), ...(p.auth.passphrase ? { passphrase: { ref: p.auth.passphrase, baseDir } } : {}) }
          : p.auth.type === 'password'
            ? { type: 'password', password: { ref: p.auth.password, baseDir } }
            : { type: 'agent' },
      jump: p.jump,
      ...(p.intervalMs !== undefined ? { intervalMs: p.intervalMs } : {}),
      tags: p.tags,
      enabled: p.enabled,
      ...(p.hostKeyPin ? { hostKeyPin: p.hostKeyPin } : {}),
      ...(p.engineSocket ? { engineSocket: p.engineSocket } : {}),
      provisioned: true,
    });

    const hostView = (def: HostDef): Omit<Host, 'status' | 'lastSampleAt'> => ({
      id: def.name,
      name: def.name,
      kind: 'ssh',
      pollIntervalMs: def.intervalMs ?? ctx.settings().pollIntervalMs,
      tags: [...def.tags],
      provisioned: def.provisioned,
      address: formatSshAddress({ user: def.user, host: def.host, port: def.port }),
    });

    // ------------------------------------------------------------ endpoints
    async function readSecret(source: SecretSource | undefined, what: string, name: string): Promise<{ value?: string; problem?: string }> {
      if (!source) return {};
      if ('store' in source) {
        try {
          return { value: await ctx.secrets.get(source.store) };
        } catch (err) {
          return { problem: `the stored ${what} of ${name} cannot be read: ${(err as Error).message}` };
        }
      }
      const resolved = resolveSecretRef(source.ref, { environment: env, baseDir: source.baseDir });
      return 'value' in resolved ? { value: resolved.value } : { problem: `${what} of ${name}: ${resolved.problem}` };
    }

    async function authOf(def: HostDef, overrides: { password?: string; passphrase?: string | null } = {}): Promise<{ auth: SshAuth } | { problem: string }> {
      switch (def.auth.type) {
        case 'key': {
          let passphrase: string | undefined;
          if (overrides.passphrase !== undefined) passphrase = overrides.passphrase ?? undefined;
          else {
            const read = await readSecret(def.auth.passphrase, 'key passphrase', def.name);
            if (read.problem) return { problem: read.problem };
            passphrase = read.value;
          }
          return { auth: { type: 'key', keyFile: expandTilde(def.auth.keyFile, home), ...(passphrase ? { passphrase } : {}) } };
        }
        case 'password': {
          let password = overrides.password;
          if (password === undefined) {
            const read = await readSecret(def.auth.password, 'password', def.name);
            if (read.problem) return { problem: read.problem };
            password = read.value;
          }
          if (!password) return { problem: `no password is stored for ${def.name}; edit the host and enter it` };
          return { auth: { type: 'password', password } };
        }
        case 'agent':
          return env.SSH_AUTH_SOCK || process.platform === 'win32'
            ? { auth: { type: 'agent', ...(env.SSH_AUTH_SOCK ? { socket: env.SSH_AUTH_SOCK } : {}) } }
            : { problem: "no ssh-agent to use: SSH_AUTH_SOCK is not set in the console's environment" };
      }
    }

    /** The hops to reach `def`: each jump is another host's name (its own jumps first) or an address using this host's login. */
    async function resolve(def: HostDef, overrides: { password?: string; passphrase?: string | null } = {}, visiting: string[] = []): Promise<Resolved> {
      if (visiting.includes(def.name)) return { ok: false, status: 'offline', message: `jump hosts loop: ${[...visiting, def.name].join(' → ')}` };
      const auth = await authOf(def, overrides);
      if ('problem' in auth) return { ok: false, status: 'auth_failed', message: auth.problem };
      const jumps: SshEndpoint[] = [];
      for (const hop of def.jump) {
        const named = runtimes.get(hop)?.def ?? allDefs().find((d) => d.name === hop);
        if (named) {
          const via = await resolve(named, {}, [...visiting, def.name]);
          if (!via.ok) return { ok: false, status: via.status, message: `jump host ${hop}: ${via.message}` };
          jumps.push(...via.jumps, via.target);
          continue;
        }
        const parsed = parseSshAddress(hop);
        if (!parsed.ok) return { ok: false, status: 'offline', message: `jump host ${hop}: ${parsed.message}` };
        jumps.push({ host: parsed.address.host, port: parsed.address.port ?? 22, username: parsed.address.user ?? def.user, auth: auth.auth });
      }
      const target: SshEndpoint = { host: def.host, port: def.port, username: def.user, auth: auth.auth, ...(def.hostKeyPin ? { hostKeyPin: def.hostKeyPin } : {}) };
      return { ok: true, target, jumps };
    }

    const allDefs = (): HostDef[] => [...stored.map(defFromStored), ...provisioned.map((p) => defFromProvisioned(p, provisionedBaseDir))];

    function makeSource(def: HostDef): FeatureSource {
      return new FeatureSource(async () => {
        if (!def.enabled) return { status: 'paused' };
        const resolved = await resolve(def);
        if (!resolved.ok) return { status: resolved.status, message: resolved.message };
        const source = new SshHostSource({
          name: def.name,
          target: resolved.target,
          ...(resolved.jumps.length ? { jumps: resolved.jumps } : {}),
          intervalMs: def.intervalMs ?? ctx.settings().pollIntervalMs,
          hostKeys,
          agent,
          log: ctx.log,
          ...(options.agentDir ? { agentDir: options.agentDir } : {}),
          ...(options.reconnect ? { reconnect: options.reconnect } : {}),
          ...(options.keepaliveIntervalMs ? { keepaliveIntervalMs: options.keepaliveIntervalMs } : {}),
          ...(options.readyTimeoutMs ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
          ...(def.engineSocket ? { engineSocket: def.engineSocket } : {}),
        });
        return { source, endpoints: [resolved.target, ...resolved.jumps] };
      }, keyFiles);
    }

    function watch(def: HostDef): void {
      const rt: Runtime = { def, source: makeSource(def) };
      runtimes.set(def.name, rt);
      ctx.addHost(hostView(def), rt.source);
    }

    async function rewatch(def: HostDef): Promise<void> {
      const rt: Runtime = { def, source: makeSource(def) };
      runtimes.set(def.name, rt);
      await ctx.replaceHost(hostView(def), rt.source);
    }

    async function unwatch(name: string): Promise<void> {
      runtimes.delete(name);
      await ctx.removeHost(name);
    }

    const currentHost = (id: string): Host => {
      const view = ctx.host(id);
      if (!view) throw NOT_SSH(id);
      return view.host;
    };

    const persist = () => saveStoredHosts(ctx.dataDir, stored);

    // ------------------------------------------------------------ provisioning
    async function applyProvisioned(): Promise<void> {
      const desired = new Map<string, HostDef>();
      for (const p of provisioned) {
        if (desired.has(p.name)) {
          ctx.log.warn(`config hosts: ${p.name} is listed twice; the first entry is used`);
          continue;
        }
        if (stored.some((s) => s.name === p.name)) {
          ctx.log.warn(`config hosts: ${p.name} is also a host added in the UI; the provisioning file's entry is left out until one is renamed`);
          continue;
        }
        desired.set(p.name, defFromProvisioned(p, provisionedBaseDir));
      }
      for (const [name, rt] of [...runtimes]) {
        if (rt.def.provisioned && !desired.has(name)) await unwatch(name);
      }
      for (const [name, def] of desired) {
        const rt = runtimes.get(name);
        if (!rt) watch(def);
        else if (JSON.stringify(rt.def) !== JSON.stringify(def)) await rewatch(def);
      }
    }

    let applying: Promise<void> = Promise.resolve();
    const queueApply = () => {
      applying = applying.then(applyProvisioned).catch((err) => ctx.log.error('could not apply the provisioned hosts', { error: (err as Error).message }));
      return applying;
    };

    // ------------------------------------------------------------ handlers
    function storedFromDraft(draft: HostDraft): StoredHost {
      return {
        name: draft.name,
        host: draft.host,
        port: draft.port,
        user: draft.user,
        auth: draft.auth.type === 'key' ? { type: 'key', keyFile: draft.auth.keyFile } : { type: draft.auth.type },
        jump: draft.jump,
        intervalMs: draft.intervalMs,
        tags: draft.tags,
        enabled: draft.enabled,
        ...(draft.engineSocket ? { engineSocket: draft.engineSocket } : {}),
      };
    }

    function checkJumps(draft: HostDraft): void {
      if (draft.jump.includes(draft.name)) throw new RpcError('invalid_input', 'a host cannot be its own jump host');
    }

    /** Stores (or clears) the draft's secrets; a password or passphrase absent from the draft keeps the stored one. */
    async function storeSecrets(draft: HostDraft, isNew: boolean): Promise<void> {
      const name = draft.name;
      if (draft.auth.type === 'password') {
        if (draft.auth.password !== undefined) await ctx.secrets.set(passwordRef(name), draft.auth.password);
        else if (isNew || (await ctx.secrets.get(passwordRef(name))) === undefined) throw new RpcError('invalid_input', 'enter the password');
      } else {
        await ctx.secrets.delete(passwordRef(name));
      }
      if (draft.auth.type === 'key') {
        if (typeof draft.auth.passphrase === 'string') await ctx.secrets.set(passphraseRef(name), draft.auth.passphrase);
        else if (draft.auth.passphrase === null) await ctx.secrets.delete(passphraseRef(name));
      } else {
        await ctx.secrets.delete(passphraseRef(name));
      }
    }

    function uiRuntime(id: string): Runtime {
      const rt = runtimes.get(id);
      if (!rt) throw NOT_SSH(id);
      if (rt.def.provisioned) throw READ_ONLY(id);
      return rt;
    }

    async function addDrafts(drafts: HostDraft[]): Promise<void> {
      const defs: HostDef[] = [];
      for (const draft of drafts) {
        await storeSecrets(draft, true);
        const s = storedFromDraft(draft);
        stored.push(s);
        defs.push(defFromStored(s));
      }
      persist();
      // All definitions first: a jump may name a host imported in the same batch.
      for (const def of defs) watch(def);
    }

    const nameTaken = (name: string) => ctx.host(name) !== undefined || stored.some((s) => s.name === name);

    const handlers: Partial<Handlers> = {
      'hosts/add': async (draft) => {
        if (nameTaken(draft.name)) throw new RpcError('invalid_input', `a host named "${draft.name}" already exists`);
        checkJumps(draft);
        await addDrafts([draft]);
        ctx.log.info(`host ${draft.name}: added (${formatSshAddress({ user: draft.user, host: draft.host, port: draft.port })}, ${draft.auth.type} login)`);
        return currentHost(draft.name);
      },
      'hosts/update': async ({ hostId, draft }) => {
        uiRuntime(hostId);
        if (draft.name !== hostId) throw new RpcError('invalid_input', 'a host cannot be renamed (its name labels its history); remove it and add it again under the new name');
        checkJumps(draft);
        await storeSecrets(draft, false);
        const s = storedFromDraft(draft);
        stored = stored.map((x) => (x.name === hostId ? s : x));
        persist();
        await rewatch(defFromStored(s));
        return currentHost(hostId);
      },
      'hosts/remove': async ({ hostId }) => {
        uiRuntime(hostId);
        stored = stored.filter((s) => s.name !== hostId);
        persist();
        await unwatch(hostId);
        await ctx.secrets.delete(passwordRef(hostId));
        await ctx.secrets.delete(passphraseRef(hostId));
        ctx.log.info(`host ${hostId}: removed`);
        return true;
      },
      'hosts/set-enabled': async ({ hostId, enabled }) => {
        const rt = uiRuntime(hostId);
        if (rt.def.enabled !== enabled) {
          stored = stored.map((x) => (x.name === hostId ? { ...x, enabled } : x));
          persist();
          await rewatch({ ...rt.def, enabled });
          ctx.log.info(`host ${hostId}: ${enabled ? 'resumed' : 'paused'}`);
        }
        return currentHost(hostId);
      },
      'hosts/definition': async ({ hostId }) => {
        const rt = runtimes.get(hostId);
        if (!rt) throw NOT_SSH(hostId);
        const d = rt.def;
        const has = async (source: SecretSource | undefined) =>
          source === undefined ? false : 'store' in source ? (await ctx.secrets.get(source.store).catch(() => undefined)) !== undefined : true;
        const auth: HostDefinitionView['auth'] =
          d.auth.type === 'key'
            ? { type: 'key', keyFile: d.auth.keyFile, passphraseSet: await has(d.auth.passphrase) }
            : d.auth.type === 'password'
              ? { type: 'password', passwordSet: await has(d.auth.password) }
              : { type: 'agent' };
        return {
          name: d.name,
          host: d.host,
          port: d.port,
          user: d.user,
          auth,
          jump: [...d.jump],
          intervalMs: d.intervalMs ?? ctx.settings().pollIntervalMs,
          tags: [...d.tags],
          enabled: d.enabled,
          ...(d.engineSocket ? { engineSocket: d.engineSocket } : {}),
          provisioned: d.provisioned,
        };
      },
      'hosts/test': async (draft): Promise<TestConnectionView> => {
        checkJumps(draft);
        // An existing UI host's stored secrets stand in for the ones the form leaves empty.
        const existing = runtimes.get(draft.name);
        const useStored = existing !== undefined && !existing.def.provisioned;
        const s = storedFromDraft(draft);
        const def: HostDef = useStored ? defFromStored(s) : { ...defFromStored(s), auth: s.auth.type === 'key' ? { type: 'key', keyFile: s.auth.keyFile } : s.auth.type === 'password' ? { type: 'password' } : { type: 'agent' } };
        const overrides = {
          ...(draft.auth.type === 'password' && draft.auth.password !== undefined ? { password: draft.auth.password } : {}),
          ...(draft.auth.type === 'key' && draft.auth.passphrase !== undefined ? { passphrase: draft.auth.passphrase } : {}),
        };
        const resolved = await resolve(def, overrides);
        if (!resolved.ok) return { ok: false, steps: [], error: { kind: 'config', message: resolved.message } };
        const result = await testConnection({
          target: resolved.target,
          ...(resolved.jumps.length ? { jumps: resolved.jumps } : {}),
          hostKeys,
          agent,
          ...(options.agentDir ? { agentDir: options.agentDir } : {}),
          ...(options.readyTimeoutMs ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
          runAgentOnce: true,
        });
        const hostKey = result.error?.hostKey;
        return {
          ok: result.ok,
          steps: result.steps.map((step) => ({ ...step })),
          ...(result.error
            ? {
                error: {
                  kind: result.error.kind,
                  message: result.error.message,
                  ...(hostKey ? { hostKey: { host: hostKey.host, port: hostKey.port, keyType: hostKey.keyType, fingerprint: hostKey.fingerprint } } : {}),
                },
              }
            : {}),
        };
      },
      'hosts/accept-key': async ({ hostId, fingerprint }) => {
        const rt = runtimes.get(hostId);
        if (!rt) throw NOT_SSH(hostId);
        const pending = rt.source.pending;
        if (!pending) throw new RpcError('invalid_input', `${hostId} is not waiting for a host key decision`);
        if (normaliseFingerprint(fingerprint) !== pending.fingerprint) {
          throw new RpcError(
            'invalid_input',
            `${pending.host}:${pending.port} now offers a different key (${pending.keyType} ${pending.fingerprint}) than the one you reviewed; review it again before accepting`,
          );
        }
        if ('decidedBy' in pending && pending.decidedBy === 'pin') {
          throw new RpcError('provisioned', `the key of ${hostId} is pinned by host_key in the provisioning file; change the pin there`);
        }
        hostKeys.accept(pending.host, pending.port, pending.keyType, pending.key);
        ctx.log.warn(`host ${hostId}: accepted ${pending.keyType} key ${pending.fingerprint} for ${pending.host}:${pending.port} (${pending.kind === 'host_key_changed' ? 'replacing a changed key' : 'new key'})`);
        // Every host waiting on this same key goes again now.
        for (const other of runtimes.values()) {
          const p = other.source.pending;
          if (p && p.host === pending.host && p.port === pending.port && p.fingerprint === pending.fingerprint) other.source.retryNow();
        }
        return currentHost(hostId);
      },
      'hosts/ssh-config': () => {
        const file = path.join(home, '.ssh', 'config');
        const config = readUserSshConfig({ home, file });
        const entries: SshConfigEntryView[] = config.hosts.map((h) => {
          const name = HostNameField.safeParse(h.alias);
          const alreadyAdded = nameTaken(h.alias);
          return {
            name: h.alias,
            hostName: h.hostName,
            port: h.port,
            ...(h.user ? { user: h.user } : {}),
            ...(h.identityFiles[0] ? { identityFile: h.identityFiles[0] } : {}),
            proxyJump: h.proxyJump.map((j) => formatSshAddress(j)),
            notes: [...h.notes],
            ...(name.success ? {} : { problem: name.error.issues[0]?.message ?? 'not a usable name' }),
            alreadyAdded,
          };
        });
        return { file, entries, notes: [...config.notes] };
      },
      'hosts/import': async ({ names }) => {
        const config = readUserSshConfig({ home, file: path.join(home, '.ssh', 'config') });
        const localUser = os.userInfo().username;
        const drafts: HostDraft[] = [];
        const problems: { name: string; message: string }[] = [];
        for (const name of names) {
          const entry = config.hosts.find((h) => h.alias === name);
          if (!entry) {
            problems.push({ name, message: 'not in ~/.ssh/config' });
            continue;
          }
          if (nameTaken(name) || drafts.some((d) => d.name === name)) {
            problems.push({ name, message: 'a host with this name already exists' });
            continue;
          }
          const identity = entry.identityFiles.find((f) => fs.existsSync(f)) ?? ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => path.join(home, '.ssh', f)).find((f) => fs.existsSync(f));
          const auth: HostDraft['auth'] = identity ? { type: 'key', keyFile: identity } : { type: 'agent' };
          const parsed = HostDraft.safeParse({
            name,
            host: entry.hostName,
            port: entry.port,
            user: entry.user ?? localUser,
            auth,
            jump: entry.proxyJump.map((j) => formatSshAddress(j)),
          });
          if (!parsed.success) {
            problems.push({ name, message: parsed.error.issues.map((i) => i.message).join('; ') });
            continue;
          }
          drafts.push(parsed.data);
        }
        if (drafts.length) await addDrafts(drafts);
        if (drafts.length) ctx.log.info(`imported ${drafts.length} host(s) from ~/.ssh/config`);
        return { added: drafts.map((d) => d.name), problems };
      },
    };

    return {
      name: 'ssh hosts',
      handlers,
      provisioning: [hostsSection],
      start() {
        const load = loadStoredHosts(ctx.dataDir);
        for (const p of load.problems) ctx.log.error(p);
        stored = load.hosts;
        for (const s of stored) {
          if (ctx.host(s.name)) {
            ctx.log.error(`hosts.json: ${s.name} clashes with a host already watched; left out`);
            continue;
          }
          watch(defFromStored(s));
        }
        started = true;
        return queueApply();
      },
      onProvisioning(result) {
        if (!result.config) return; // no configuration ever accepted: nothing to apply (the last good one stays otherwise)
        provisioned = [...sectionOf(result.config, hostsSection)];
        provisionedBaseDir = result.config.baseDir;
        if (started) void queueApply();
      },
      onSettings() {
        // Provisioned hosts without `interval` follow the console's poll interval.
        for (const rt of [...runtimes.values()]) {
          if (rt.def.intervalMs === undefined) void rewatch(rt.def).catch((err) => ctx.log.error(`host ${rt.def.name}: restart failed`, { error: (err as Error).message }));
        }
      },
      async stop() {
        await applying;
      },
    };
  };
}
