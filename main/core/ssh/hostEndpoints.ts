// From a host's definition to the SSH endpoints that reach it: its login
// (key and passphrase, password, or ssh-agent), with secrets read from where
// the definition says at connection time (so a rotated secret file takes
// effect on the next connect), and its jump hosts resolved in order: another
// host's name (its own jumps first) or an address using this host's login.
import fs from 'node:fs';
import path from 'node:path';
import { parseSshAddress } from '../../common/sshHosts.js';
import { resolveSecretRef } from '../config/secretRef.js';
import type { SecretStore } from '../secrets/secretStore.js';
import type { HostDef, SecretSource } from './hostDefinitions.js';
import { expandTilde } from './sshConfig.js';
import type { SshAuth, SshEndpoint } from './sshConnection.js';

/**
 * The identity files ssh tries when a host names none (ssh_config(5),
 * IdentityFile: ~/.ssh/id_rsa, id_ecdsa, id_ecdsa_sk, id_ed25519,
 * id_ed25519_sk, id_dsa), less the security-key and DSA ones ssh2 cannot use.
 */
export const DEFAULT_IDENTITY_FILES = ['id_rsa', 'id_ecdsa', 'id_ed25519'] as const;

export type ResolvedEndpoints = { ok: true; target: SshEndpoint; jumps: SshEndpoint[] } | { ok: false; status: 'auth_failed' | 'offline'; message: string };

/** Secrets typed in a dialog for a test, in place of stored ones; `passphrase: null` means none. */
export interface SecretOverrides {
  readonly password?: string;
  readonly passphrase?: string | null;
}

export interface EndpointResolverOptions {
  readonly secrets: SecretStore;
  /** SSH_AUTH_SOCK and the provisioning file's `*_env` secrets. */
  readonly env: NodeJS.ProcessEnv;
  /** `~` in key paths. */
  readonly home: string;
  /** Another host's definition, for a jump that names it. */
  readonly definition: (name: string) => HostDef | undefined;
}

export function createEndpointResolver(options: EndpointResolverOptions) {
  async function readSecret(source: SecretSource | undefined, what: string, name: string): Promise<{ value?: string; problem?: string }> {
    if (!source) return {};
    if ('store' in source) {
      try {
        return { value: await options.secrets.get(source.store) };
      } catch (err) {
        return { problem: `the stored ${what} of ${name} cannot be read: ${(err as Error).message}` };
      }
    }
    const resolved = resolveSecretRef(source.ref, { environment: options.env, baseDir: source.baseDir });
    return 'value' in resolved ? { value: resolved.value } : { problem: `${what} of ${name}: ${resolved.problem}` };
  }

  async function authOf(def: HostDef, overrides: SecretOverrides): Promise<{ auth: SshAuth } | { problem: string }> {
    switch (def.auth.type) {
      case 'key': {
        let passphrase: string | undefined;
        if (overrides.passphrase !== undefined) passphrase = overrides.passphrase ?? undefined;
        else {
          const read = await readSecret(def.auth.passphrase, 'key passphrase', def.name);
          if (read.problem) return { problem: read.problem };
          passphrase = read.value;
        }
        return { auth: { type: 'key', keyFile: expandTilde(def.auth.keyFile, options.home), ...(passphrase ? { passphrase } : {}) } };
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
      case 'agent': {
        // As ssh does for a host without IdentityFile: the agent if there is one, then the default identities.
        const socket = options.env.SSH_AUTH_SOCK;
        const keyFiles = DEFAULT_IDENTITY_FILES.map((f) => path.join(options.home, '.ssh', f)).filter((f) => fs.existsSync(f));
        if (!socket && process.platform !== 'win32' && keyFiles.length === 0) {
          return { problem: `no identity to offer: SSH_AUTH_SOCK is not set in the console's environment and none of ${DEFAULT_IDENTITY_FILES.map((f) => `~/.ssh/${f}`).join(', ')} exists` };
        }
        return { auth: { type: 'agent', ...(socket ? { socket } : {}), keyFiles } };
      }
    }
  }

  /** The hops to reach `def`: each jump is another host's name (its own jumps first) or an address using this host's login. */
  async function resolve(def: HostDef, overrides: SecretOverrides = {}, visiting: string[] = []): Promise<ResolvedEndpoints> {
    if (visiting.includes(def.name)) return { ok: false, status: 'offline', message: `jump hosts loop: ${[...visiting, def.name].join(' → ')}` };
    const auth = await authOf(def, overrides);
    if ('problem' in auth) return { ok: false, status: 'auth_failed', message: auth.problem };
    const jumps: SshEndpoint[] = [];
    for (const hop of def.jump) {
      const named = options.definition(hop);
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

  return { resolve };
}
