// An SSH host as the feature knows it, whichever side defined it (the UI's
// hosts.json or the provisioning file's `hosts:`), and the pure mappings
// between that definition, what the UI sends (HostDraft), what hosts.json
// keeps (StoredHost) and what the UI is shown. Secrets are never part of a
// definition: it says where to read them (the secret store, or an `_env` /
// `_file` reference) when the host connects.
import type { Host } from '../../common/contract.js';
import { formatSshAddress, type HostDefinitionView, type HostDraft } from '../../common/sshHosts.js';
import { secretFilePath, type SecretRef } from '../config/secretRef.js';
import type { ProvisionedHost } from './hostsSection.js';
import { passphraseRef, passwordRef, type StoredHost } from './hostsFile.js';

/** Where a secret is read: a key of the secret store, or a reference from the provisioning file. */
export type SecretSource = { readonly store: string } | { readonly ref: SecretRef; readonly baseDir: string };

export interface HostDef {
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
  /** The container engine's socket on the host (provisioning file `engine_socket`, host dialog); else the agent looks. */
  readonly engineSocket?: string;
  readonly provisioned: boolean;
}

export function defFromStored(s: StoredHost): HostDef {
  return {
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
  };
}

export function defFromProvisioned(p: ProvisionedHost, baseDir: string): HostDef {
  return {
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
  };
}

export function storedFromDraft(draft: HostDraft): StoredHost {
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

/** The core's host for a definition; a host without its own interval follows the console's. */
export function hostOf(def: HostDef, pollIntervalMs: number): Omit<Host, 'status' | 'lastSampleAt'> {
  return {
    id: def.name,
    name: def.name,
    kind: 'ssh',
    pollIntervalMs: def.intervalMs ?? pollIntervalMs,
    tags: [...def.tags],
    provisioned: def.provisioned,
    address: formatSshAddress({ user: def.user, host: def.host, port: def.port }),
  };
}

/** What the host dialog shows of a definition: whether secrets are set, never their values. */
export function definitionView(d: HostDef, pollIntervalMs: number, secretSet: { passphrase: boolean; password: boolean }): HostDefinitionView {
  const auth: HostDefinitionView['auth'] =
    d.auth.type === 'key'
      ? { type: 'key', keyFile: d.auth.keyFile, passphraseSet: secretSet.passphrase }
      : d.auth.type === 'password'
        ? { type: 'password', passwordSet: secretSet.password }
        : { type: 'agent' };
  return {
    name: d.name,
    host: d.host,
    port: d.port,
    user: d.user,
    auth,
    jump: [...d.jump],
    intervalMs: d.intervalMs ?? pollIntervalMs,
    tags: [...d.tags],
    enabled: d.enabled,
    ...(d.engineSocket ? { engineSocket: d.engineSocket } : {}),
    provisioned: d.provisioned,
  };
}
