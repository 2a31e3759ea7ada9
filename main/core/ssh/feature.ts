// Remote hosts over SSH as a feature of the core: hosts added in the UI
// (kept in <dataDir>/hosts.json, secrets in the secret store) and hosts from
// the provisioning file's `hosts:` section (read-only, hot-reloaded), one
// managed set of definitions (hostDefinitions.ts), each watched through an
// SshHostRuntime. Host keys are never accepted silently: a host waiting on
// one carries the key's fingerprint in its status, and only
// `hosts/accept-key` with that same fingerprint records it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RpcError, type Handlers, type Host } from '../../common/contract.js';
import { formatSshAddress, HostDraft, HostNameField, type SshConfigEntryView, type TestConnectionView } from '../../common/sshHosts.js';
import { sectionOf } from '../config/provisioning.js';
import type { CoreContext, CoreFeature } from '../coreContext.js';
import { ManagedSet } from '../managed/managedSet.js';
import { loadAgentScript } from '../sources/agent/agentScript.js';
import { checkConnection } from './connectionCheck.js';
import { defFromProvisioned, defFromStored, definitionView, hostOf, storedFromDraft, type HostDef, type SecretSource } from './hostDefinitions.js';
import { createEndpointResolver } from './hostEndpoints.js';
import { hostsFile, passphraseRef, passwordRef, type StoredHost } from './hostsFile.js';
import { hostsSection, type ProvisionedHost } from './hostsSection.js';
import { HostKeyStore, normaliseFingerprint } from './knownHosts.js';
import type { ReconnectPolicy } from './reconnectPolicy.js';
import { readUserSshConfig } from './sshConfig.js';
import { SshHostRuntime } from './sshHostRuntime.js';
import { SshHostSource } from './sshHostSource.js';

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

const NOT_SSH = (id: string) => new RpcError('not_found', `no SSH host named "${id}"`);

/** The same user at the same host and port, through the same jump hosts in the same order. */
function sameAddress(a: Pick<HostDef, 'host' | 'port' | 'user' | 'jump'>, b: Pick<HostDraft, 'host' | 'port' | 'user' | 'jump'>): boolean {
  return a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port && a.user === b.user && a.jump.length === b.jump.length && a.jump.every((j, i) => j === b.jump[i]);
}

export function createSshFeature(options: SshFeatureOptions = {}) {
  return (ctx: CoreContext): CoreFeature => {
    const home = options.home ?? os.homedir();
    const env = options.env ?? process.env;
    const userKnownHosts = [path.join(home, '.ssh', 'known_hosts'), path.join(home, '.ssh', 'known_hosts2')];
    const hostKeys = new HostKeyStore({ consoleFile: path.join(ctx.dataDir, 'known_hosts'), userFiles: userKnownHosts });
    const keyFiles = { consoleFile: hostKeys.consoleFile, userFiles: userKnownHosts };
    const agent = loadAgentScript();

    function makeRuntime(def: HostDef): SshHostRuntime {
      return new SshHostRuntime(async () => {
        if (!def.enabled) return { status: 'paused' };
        const resolved = await endpoints.resolve(def);
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

    const hosts: ManagedSet<StoredHost, ProvisionedHost, HostDef, SshHostRuntime> = new ManagedSet({
      what: 'host',
      section: 'hosts',
      dataDir: ctx.dataDir,
      file: hostsFile,
      log: ctx.log,
      fromStored: defFromStored,
      fromProvisioned: defFromProvisioned,
      start: (def) => {
        const runtime = makeRuntime(def);
        ctx.addHost(hostOf(def, ctx.settings().pollIntervalMs), runtime);
        return runtime;
      },
      // The same host, new definition: its history and name stay.
      restart: async (def) => {
        const runtime = makeRuntime(def);
        await ctx.replaceHost(hostOf(def, ctx.settings().pollIntervalMs), runtime);
        return runtime;
      },
      // The core stops every host's source when it stops; a definition removed for good takes its host along.
      stop: async ({ def }, { forget }) => {
        if (forget) await ctx.removeHost(def.name);
      },
    });
    const endpoints = createEndpointResolver({ secrets: ctx.secrets, env, home, definition: (name) => hosts.definition(name) });

    const currentHost = (id: string): Host => {
      const view = ctx.host(id);
      if (!view) throw NOT_SSH(id);
      return view.host;
    };

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

    /**
     * A stored password or passphrase is used only for the address it was
     * stored with: the same user at the same host and port through the same
     * jump hosts. A draft that changes any of them must carry the secret
     * again (a test, or an update), or a caller could have the console send
     * a stored password to a server of its choosing.
     */
    async function secretsStayWithTheirAddress(stored: HostDef, draft: HostDraft): Promise<void> {
      if (sameAddress(stored, draft)) return;
      const was = `${formatSshAddress({ user: stored.user, host: stored.host, port: stored.port })}${stored.jump.length ? ` via ${stored.jump.join(', ')}` : ''}`;
      const hasStored = async (ref: string) => (await ctx.secrets.get(ref).catch(() => undefined)) !== undefined;
      if (draft.auth.type === 'password' && draft.auth.password === undefined && (await hasStored(passwordRef(stored.name)))) {
        throw new RpcError('invalid_input', `the address differs from ${was}, which ${stored.name}'s password was stored for; a stored password is only sent there, so enter it again`);
      }
      if (draft.auth.type === 'key' && draft.auth.passphrase === undefined && (await hasStored(passphraseRef(stored.name)))) {
        throw new RpcError('invalid_input', `the address differs from ${was}, which ${stored.name}'s key passphrase was stored for; enter the passphrase again`);
      }
    }

    async function addDrafts(drafts: HostDraft[]): Promise<void> {
      for (const draft of drafts) await storeSecrets(draft, true);
      // All definitions at once: a jump may name a host imported in the same batch.
      hosts.setStored([...hosts.stored, ...drafts.map(storedFromDraft)]);
      await hosts.reconcile();
    }

    const nameTaken = (name: string) => ctx.host(name) !== undefined || hosts.has(name);
    let started = false;

    const handlers: Partial<Handlers> = {
      'hosts/add': async (draft) => {
        if (nameTaken(draft.name)) throw new RpcError('invalid_input', `a host named "${draft.name}" already exists`);
        checkJumps(draft);
        await addDrafts([draft]);
        ctx.log.info(`host ${draft.name}: added (${formatSshAddress({ user: draft.user, host: draft.host, port: draft.port })}, ${draft.auth.type} login)`);
        return currentHost(draft.name);
      },
      'hosts/update': async ({ hostId, draft }) => {
        hosts.editable(hostId, () => NOT_SSH(hostId));
        if (draft.name !== hostId) throw new RpcError('invalid_input', 'a host cannot be renamed (its name labels its history); remove it and add it again under the new name');
        checkJumps(draft);
        await secretsStayWithTheirAddress(hosts.definition(hostId)!, draft);
        await storeSecrets(draft, false);
        const s = storedFromDraft(draft);
        hosts.setStored(hosts.stored.map((x) => (x.name === hostId ? s : x)));
        // Always afresh: a password changed in the secret store does not change the definition.
        await hosts.reconcile(new Set([hostId]));
        return currentHost(hostId);
      },
      'hosts/remove': async ({ hostId }) => {
        hosts.editable(hostId, () => NOT_SSH(hostId));
        hosts.setStored(hosts.stored.filter((s) => s.name !== hostId));
        await hosts.reconcile();
        await ctx.secrets.delete(passwordRef(hostId));
        await ctx.secrets.delete(passphraseRef(hostId));
        ctx.log.info(`host ${hostId}: removed`);
        return true;
      },
      'hosts/set-enabled': async ({ hostId, enabled }) => {
        const { def } = hosts.editable(hostId, () => NOT_SSH(hostId));
        if (def.enabled !== enabled) {
          hosts.setStored(hosts.stored.map((x) => (x.name === hostId ? { ...x, enabled } : x)));
          await hosts.reconcile();
          ctx.log.info(`host ${hostId}: ${enabled ? 'resumed' : 'paused'}`);
        }
        return currentHost(hostId);
      },
      'hosts/definition': async ({ hostId }) => {
        const def = hosts.definition(hostId);
        if (!def || !hosts.runtime(hostId)) throw NOT_SSH(hostId);
        const has = async (source: SecretSource | undefined) =>
          source === undefined ? false : 'store' in source ? (await ctx.secrets.get(source.store).catch(() => undefined)) !== undefined : true;
        return definitionView(def, ctx.settings().pollIntervalMs, {
          passphrase: def.auth.type === 'key' && (await has(def.auth.passphrase)),
          password: def.auth.type === 'password' && (await has(def.auth.password)),
        });
      },
      'hosts/test': async ({ trustHostKey, ...draft }): Promise<TestConnectionView> => {
        checkJumps(draft);
        // An existing UI host's stored secrets stand in for the ones the form leaves empty.
        const existing = hosts.definition(draft.name);
        const storedHost = existing !== undefined && hosts.runtime(draft.name) !== undefined && !existing.provisioned;
        if (storedHost) await secretsStayWithTheirAddress(existing, draft);
        const useStored = storedHost && sameAddress(existing, draft);
        const s = storedFromDraft(draft);
        const def: HostDef = useStored ? defFromStored(s) : { ...defFromStored(s), auth: s.auth.type === 'key' ? { type: 'key', keyFile: s.auth.keyFile } : s.auth.type === 'password' ? { type: 'password' } : { type: 'agent' } };
        const overrides = {
          ...(draft.auth.type === 'password' && draft.auth.password !== undefined ? { password: draft.auth.password } : {}),
          ...(draft.auth.type === 'key' && draft.auth.passphrase !== undefined ? { passphrase: draft.auth.passphrase } : {}),
        };
        const resolved = await endpoints.resolve(def, overrides);
        if (!resolved.ok) return { ok: false, steps: [], error: { kind: 'config', message: resolved.message } };
        const result = await checkConnection({
          target: resolved.target,
          ...(resolved.jumps.length ? { jumps: resolved.jumps } : {}),
          hostKeys,
          agent,
          ...(options.agentDir ? { agentDir: options.agentDir } : {}),
          ...(options.readyTimeoutMs ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
          runAgentOnce: true,
          ...(trustHostKey ? { trustHostKey } : {}),
          log: ctx.log,
        });
        // A key trusted here lets every host waiting on that same key go again now.
        if (trustHostKey) {
          for (const { runtime: other } of hosts.entries()) {
            const p = other.pending;
            if (p && p.kind === 'host_key_unknown' && p.fingerprint === normaliseFingerprint(trustHostKey)) other.retryNow();
          }
        }
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
        const runtime = hosts.runtime(hostId);
        if (!runtime) throw NOT_SSH(hostId);
        const pending = runtime.pending;
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
        for (const { runtime: other } of hosts.entries()) {
          const p = other.pending;
          if (p && p.host === pending.host && p.port === pending.port && p.fingerprint === pending.fingerprint) other.retryNow();
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
          // IdentityFile named and there: that key. None: what ssh does without one, the agent then every
          // default identity (the `agent` login), not one default key picked now that may not be the authorised one.
          const identity = entry.identityFiles.find((f) => fs.existsSync(f));
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
      // Other features (service checks) open streams from a host's network through the core context.
      openStreamVia: (hostId, host, port) => hosts.runtime(hostId)?.openTcpStream(host, port),
      runVia: (hostId, command, timeoutMs) => hosts.runtime(hostId)?.runCommand(command, timeoutMs),
      provisioning: [hostsSection],
      async start() {
        hosts.load();
        started = true;
        await hosts.reconcile();
      },
      onProvisioning(result) {
        if (!result.config) return; // no configuration ever accepted: nothing to apply (the last good one stays otherwise)
        hosts.setProvisioned(sectionOf(result.config, hostsSection), result.config.baseDir);
        if (started) void hosts.reconcile();
      },
      onSettings() {
        // Hosts without their own interval follow the console's poll interval.
        if (started) void hosts.reconcile(new Set(hosts.entries().filter((e) => e.def.intervalMs === undefined).map((e) => e.def.name)));
      },
      async stop() {
        await hosts.stop();
      },
    };
  };
}
