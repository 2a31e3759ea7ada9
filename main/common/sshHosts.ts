// What the UI and the provisioning file say about an SSH host, validated the
// same way in both: names (a host's name is its id and the `host` label of its
// series, so it must be safe in a label and in a URL), addresses, ports,
// intervals and tags. Pure: imported by the contract, the renderer and the core.
import { z } from 'zod';

export const HOST_NAME_MAX = 63;
/** A name is the `host` label of every series and part of the URL: letters, digits, `.`, `_`, `-`. */
export const HOST_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** `local` is the console's own machine. */
export const RESERVED_HOST_NAMES: readonly string[] = ['local'];

export const SSH_INTERVAL_MIN_MS = 1000;
export const SSH_INTERVAL_MAX_MS = 3_600_000;
export const SSH_DEFAULT_INTERVAL_MS = 5000;
export const MAX_JUMPS = 5;
export const MAX_TAGS = 20;

export const HostNameField = z
  .string({ error: 'the name is required' })
  .trim()
  .min(1, { error: 'the name is required' })
  .max(HOST_NAME_MAX, { error: `the name can be at most ${HOST_NAME_MAX} characters` })
  .regex(HOST_NAME_PATTERN, { error: 'the name may hold letters, digits, ".", "_" and "-", and must start with a letter or digit' })
  .refine((name) => !RESERVED_HOST_NAMES.includes(name.toLowerCase()), { error: '"local" is this machine; choose another name' });

// RFC 1123 labels (underscore tolerated: /etc/hosts and ~/.ssh/config names carry them).
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^(?=.*:)[0-9A-Fa-f:.]{2,45}(%[A-Za-z0-9_.-]+)?$/;

/** A host name or IP address (IPv6 without brackets). */
export function isHostAddress(host: string): boolean {
  if (IPV4.test(host) || IPV6.test(host)) return true;
  // All-numeric dotted names that are not IPv4 (999.1.1.1) are typos, not names.
  if (/^[\d.]+$/.test(host)) return false;
  return HOSTNAME.test(host);
}

export const HostAddressField = z
  .string({ error: 'the address is required' })
  .trim()
  .min(1, { error: 'the address is required' })
  .refine(isHostAddress, { error: 'not a host name or IP address (e.g. web-1.example.com, 10.0.0.5 or ::1)' });

export const PortField = z
  .number({ error: 'the port must be a number' })
  .int({ error: 'the port must be a whole number' })
  .min(1, { error: 'the port must be between 1 and 65535' })
  .max(65535, { error: 'the port must be between 1 and 65535' });

// POSIX portable user names (IEEE 1003.1 3.437), plus the `$` Samba machine accounts end with.
export const SshUserField = z
  .string({ error: 'the user is required' })
  .trim()
  .min(1, { error: 'the user is required' })
  .max(64, { error: 'the user can be at most 64 characters' })
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$/, { error: 'the user may hold letters, digits, ".", "_" and "-"' });

export const IntervalField = z
  .number({ error: 'the interval must be a number' })
  .int({ error: 'the interval must be a whole number of milliseconds' })
  .min(SSH_INTERVAL_MIN_MS, { error: `the interval must be between ${SSH_INTERVAL_MIN_MS / 1000} s and ${SSH_INTERVAL_MAX_MS / 3_600_000} h` })
  .max(SSH_INTERVAL_MAX_MS, { error: `the interval must be between ${SSH_INTERVAL_MIN_MS / 1000} s and ${SSH_INTERVAL_MAX_MS / 3_600_000} h` });

export const TagField = z
  .string()
  .trim()
  .min(1, { error: 'a tag cannot be empty' })
  .max(40, { error: 'a tag can be at most 40 characters' })
  .regex(/^[\p{L}\p{N}_.:/-]+$/u, { error: 'a tag may hold letters, digits, "_", ".", ":", "/" and "-"' });

export interface SshAddress {
  readonly user?: string;
  readonly host: string;
  readonly port?: number;
}

export type SshAddressParse = { ok: true; address: SshAddress } | { ok: false; message: string };

/** `[user@]host[:port]`, `[user@][v6]:port`, or a bare IPv6 address. */
export function parseSshAddress(text: string): SshAddressParse {
  let rest = text.trim();
  if (!rest) return { ok: false, message: 'the address is empty' };
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (!SshUserField.safeParse(user).success) return { ok: false, message: `"${user}" is not a user name` };
  }
  let host = rest;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(rest);
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2];
  } else if (rest.indexOf(':') >= 0 && rest.indexOf(':') === rest.lastIndexOf(':')) {
    host = rest.slice(0, rest.indexOf(':'));
    portText = rest.slice(rest.indexOf(':') + 1);
  }
  if (!isHostAddress(host)) return { ok: false, message: `"${host}" is not a host name or IP address` };
  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) return { ok: false, message: `"${portText}" is not a port between 1 and 65535` };
  }
  return { ok: true, address: { host, ...(user ? { user } : {}), ...(port !== undefined ? { port } : {}) } };
}

/** `user@host:port`, brackets around an IPv6 host. */
export function formatSshAddress(address: { user?: string; host: string; port?: number }): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `${address.user ? `${address.user}@` : ''}${host}${address.port !== undefined ? `:${address.port}` : ''}`;
}

/**
 * The container engine's API socket on the host, when not one of the usual
 * ones the agent looks for (/var/run/docker.sock, /run/podman/podman.sock, the
 * rootless ones under the user's runtime dir). An absolute path; a unix
 * socket path is at most 107 bytes on Linux (sun_path is 108 with its NUL,
 * unix(7)), kept generous here since the agent only tests it.
 */
export const EngineSocketField = z
  .string({ error: 'must be the absolute path of a unix socket' })
  .trim()
  .regex(/^\/[^\0\n\r]{0,253}$/, { error: 'must be the absolute path of a unix socket, like /var/run/docker.sock' });

/** A jump hop: another host's name, or an address (`user@host:port`). */
export const JumpField = z
  .string()
  .trim()
  .min(1, { error: 'a jump host cannot be empty' })
  .max(300, { error: 'a jump host is at most 300 characters' })
  .superRefine((text, ctx) => {
    const parsed = parseSshAddress(text);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `jump host: ${parsed.message}` });
  });

const SecretText = (what: string) =>
  z
    .string()
    .min(1, { error: `the ${what} cannot be empty` })
    .max(4096, { error: `the ${what} is too long` });

export const HostAuthDraft = z.discriminatedUnion(
  'type',
  [
    z.object({
      type: z.literal('key'),
      keyFile: z
        .string({ error: 'the key file path is required' })
        .trim()
        .min(1, { error: 'the key file path is required' })
        .max(1024, { error: 'the key file path is too long' }),
      /** Write-only. Absent on update keeps the stored one; null removes it. */
      passphrase: SecretText('passphrase').nullable().optional(),
    }),
    z.object({
      type: z.literal('password'),
      /** Write-only. Absent on update keeps the stored one. */
      password: SecretText('password').optional(),
    }),
    z.object({ type: z.literal('agent') }),
  ],
  { error: 'choose a key file, a password or the ssh-agent' },
);
export type HostAuthDraft = z.infer<typeof HostAuthDraft>;

/**
 * What every kind of host the UI adds has in common (an SSH host, a
 * node_exporter target): its name, its tags, whether it is polled. Spread
 * into each kind's draft so their limits stay the same.
 */
export const hostDraftBase = {
  name: HostNameField,
  tags: z
    .array(TagField)
    .max(MAX_TAGS, { error: `at most ${MAX_TAGS} tags` })
    .default([])
    .transform((tags) => [...new Set(tags)]),
  enabled: z.boolean().default(true),
};

export const HostDraft = z.object({
  ...hostDraftBase,
  host: HostAddressField,
  port: PortField.default(22),
  user: SshUserField,
  auth: HostAuthDraft,
  jump: z.array(JumpField).max(MAX_JUMPS, { error: `at most ${MAX_JUMPS} jump hosts` }).default([]),
  intervalMs: IntervalField.default(SSH_DEFAULT_INTERVAL_MS),
  /** Absent: the agent looks for the usual sockets. */
  engineSocket: EngineSocketField.optional(),
});
export type HostDraft = z.infer<typeof HostDraft>;
export type HostDraftInput = z.input<typeof HostDraft>;

/** A host's definition as the edit form sees it: no secret, only whether one is stored. */
export const HostDefinitionView = z.object({
  name: z.string(),
  host: z.string(),
  port: z.number(),
  user: z.string(),
  auth: z.discriminatedUnion('type', [
    z.object({ type: z.literal('key'), keyFile: z.string(), passphraseSet: z.boolean() }),
    z.object({ type: z.literal('password'), passwordSet: z.boolean() }),
    z.object({ type: z.literal('agent') }),
  ]),
  jump: z.array(z.string()),
  intervalMs: z.number(),
  tags: z.array(z.string()),
  enabled: z.boolean(),
  engineSocket: z.string().optional(),
  provisioned: z.boolean(),
});
export type HostDefinitionView = z.infer<typeof HostDefinitionView>;

/** A host waiting for a decision on its host key (set while status is host_key_unknown / host_key_changed). */
export const HostKeyPrompt = z.object({
  state: z.enum(['unknown', 'changed']),
  keyType: z.string(),
  fingerprint: z.string(),
  /** The key known before (changed only), when the console can tell which. */
  knownFingerprint: z.string().optional(),
  /** "host:port" of the hop whose key this is (a jump host's, or the host's own). */
  hop: z.string().optional(),
  /** Known from a `host_key` pin in the provisioning file: change the file, not the UI. */
  pinned: z.boolean().optional(),
});
export type HostKeyPrompt = z.infer<typeof HostKeyPrompt>;

export const TestStepView = z.object({
  step: z.enum(['resolve', 'connect', 'host_key', 'auth', 'uname', 'agent_deploy', 'agent_run']),
  hop: z.string().optional(),
  ok: z.boolean(),
  detail: z.string(),
  ms: z.number(),
});
export const TestConnectionView = z.object({
  ok: z.boolean(),
  steps: z.array(TestStepView),
  error: z
    .object({
      kind: z.string(),
      message: z.string(),
      hostKey: z.object({ host: z.string(), port: z.number(), keyType: z.string(), fingerprint: z.string() }).optional(),
    })
    .optional(),
});
export type TestConnectionView = z.infer<typeof TestConnectionView>;

export const SshConfigEntryView = z.object({
  name: z.string(),
  hostName: z.string(),
  port: z.number(),
  user: z.string().optional(),
  identityFile: z.string().optional(),
  proxyJump: z.array(z.string()),
  notes: z.array(z.string()),
  /** Why it cannot be imported as is (a name the console cannot use, a host already added). */
  problem: z.string().optional(),
  alreadyAdded: z.boolean(),
});
export type SshConfigEntryView = z.infer<typeof SshConfigEntryView>;

export const SshConfigView = z.object({ file: z.string(), entries: z.array(SshConfigEntryView), notes: z.array(z.string()) });
export type SshConfigView = z.infer<typeof SshConfigView>;

export const ImportResult = z.object({
  added: z.array(z.string()),
  problems: z.array(z.object({ name: z.string(), message: z.string() })),
});
export type ImportResult = z.infer<typeof ImportResult>;
