// The `hosts:` section of the provisioning file: SSH hosts, read-only in the UI.
//
//   hosts:
//     - name: web-1
//       address: deploy@web-1.example.com:22
//       key_file: ~/.ssh/id_ed25519          # or password_env / password_file, or agent: true
//       passphrase_env: WEB1_KEY_PASSPHRASE
//       jump: bastion                        # another host's name, an address, or a list of them
//       interval: 10s
//       tags: [web, prod]
//       host_key: SHA256:…                   # a pin; without it known_hosts or the UI decides
//       engine_socket: /run/user/1000/docker.sock   # Docker/Podman API socket, when not a usual one
//
// Each entry stands alone: a bad one is reported with its line and left out.
// Secrets are references, resolved when the host connects.
import { z } from 'zod';
import { EngineSocketField, HostNameField, JumpField, MAX_JUMPS, MAX_TAGS, parseSshAddress, SSH_INTERVAL_MAX_MS, SSH_INTERVAL_MIN_MS, TagField } from '../../common/sshHosts.js';
import { durationField, secretRefFields, secretRefOf, secretRefRules } from '../config/provisioningFields.js';
import { sectionOfIndependentEntries } from '../config/provisioning.js';
import type { SecretRef } from '../config/secretRef.js';

export type ProvisionedHostAuth =
  | { readonly type: 'key'; readonly keyFile: string; readonly passphrase?: SecretRef }
  | { readonly type: 'password'; readonly password: SecretRef }
  | { readonly type: 'agent' };

export interface ProvisionedHost {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly auth: ProvisionedHostAuth;
  readonly jump: readonly string[];
  /** Absent: the console's poll interval. */
  readonly intervalMs?: number;
  readonly tags: readonly string[];
  readonly hostKeyPin?: string;
  /** The container engine's API socket on the host, when it is not where the agent looks. */
  readonly engineSocket?: string;
  readonly enabled: boolean;
}

/** What `ssh-keygen -l` prints for a SHA-256 fingerprint: 43 base64 characters (padding optional). */
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}=?$/;

const AddressInFile = z.string({ error: 'must be an address like deploy@web-1.example.com:22' }).transform((text, ctx) => {
  const parsed = parseSshAddress(text);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: parsed.message });
    return z.NEVER;
  }
  if (!parsed.address.user) {
    ctx.addIssue({ code: 'custom', message: 'needs a user: write it as user@host or user@host:port' });
    return z.NEVER;
  }
  return { user: parsed.address.user, host: parsed.address.host, port: parsed.address.port ?? 22 };
});

const HostInFile = z
  .strictObject({
    name: HostNameField,
    address: AddressInFile,
    key_file: z.string({ error: 'must be the path of a private key file' }).min(1, { error: 'must be the path of a private key file' }).optional(),
    ...secretRefFields('passphrase'),
    ...secretRefFields('password'),
    agent: z.boolean({ error: 'must be true or false' }).optional(),
    jump: z.union([JumpField, z.array(JumpField).max(MAX_JUMPS, { error: `at most ${MAX_JUMPS} jump hosts` })], { error: 'must be a host name or address, or a list of them' }).optional(),
    interval: durationField({ minMs: SSH_INTERVAL_MIN_MS, maxMs: SSH_INTERVAL_MAX_MS, bareNumberUnit: 'seconds' }).optional(),
    tags: z.array(TagField, { error: 'must be a list of tags' }).max(MAX_TAGS, { error: `at most ${MAX_TAGS} tags` }).optional(),
    host_key: z
      .string({ error: 'must be a SHA256 fingerprint' })
      .trim()
      .regex(FINGERPRINT, { error: 'must be a SHA256 fingerprint as `ssh-keygen -lf` prints it, like SHA256:AbC… (43 characters after the colon)' })
      .optional(),
    enabled: z.boolean({ error: 'must be true or false' }).optional(),
    engine_socket: EngineSocketField.optional(),
  })
  .superRefine(secretRefRules(['passphrase', 'password']))
  .superRefine((entry, ctx) => {
    const methods = [entry.key_file !== undefined, secretRefOf(entry, 'password') !== undefined, entry.agent === true].filter(Boolean).length;
    if (methods === 0) {
      ctx.addIssue({ code: 'custom', path: [], message: 'needs a way to log in: `key_file`, `password_env`/`password_file`, or `agent: true`' });
    } else if (methods > 1) {
      ctx.addIssue({ code: 'custom', path: [], message: 'give one way to log in: `key_file`, `password_env`/`password_file` or `agent: true`, not several' });
    }
    if (secretRefOf(entry, 'passphrase') && entry.key_file === undefined) {
      ctx.addIssue({ code: 'custom', path: ['passphrase_env'], message: 'a passphrase only goes with `key_file`' });
    }
  });

export const provisionedHostEntry = HostInFile.transform((inFile): ProvisionedHost => {
  const password = secretRefOf(inFile, 'password');
  const passphrase = secretRefOf(inFile, 'passphrase');
  const auth: ProvisionedHostAuth =
    inFile.key_file !== undefined
      ? { type: 'key', keyFile: inFile.key_file, ...(passphrase ? { passphrase } : {}) }
      : password
        ? { type: 'password', password }
        : { type: 'agent' };
  const jump = inFile.jump === undefined ? [] : typeof inFile.jump === 'string' ? [inFile.jump] : inFile.jump;
  return {
    name: inFile.name,
    host: inFile.address.host,
    port: inFile.address.port,
    user: inFile.address.user,
    auth,
    jump,
    ...(inFile.interval !== undefined ? { intervalMs: inFile.interval } : {}),
    tags: [...new Set(inFile.tags ?? [])],
    ...(inFile.host_key ? { hostKeyPin: inFile.host_key } : {}),
    ...(inFile.engine_socket ? { engineSocket: inFile.engine_socket } : {}),
    enabled: inFile.enabled ?? true,
  };
});

/** The `hosts:` section: each host stands alone (a bad one is reported and left out). */
export const hostsSection = sectionOfIndependentEntries('hosts', provisionedHostEntry);
