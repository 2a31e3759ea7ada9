// The SSH hosts added in the UI, kept in <dataDir>/hosts.json. No secret is
// ever written here: passwords and passphrases live in the secret store under
// `host:<name>:password` / `host:<name>:passphrase`, and this file only says
// which kind of login a host uses. A damaged file is set aside (renamed), never
// overwritten, so a bad edit loses nothing (managed/storedList.ts).
import { storedListFile } from '../managed/storedList.js';
import { z } from 'zod';
import { EngineSocketField, HostAddressField, HostNameField, IntervalField, JumpField, PortField, SshUserField, TagField } from '../../common/sshHosts.js';

export const StoredAuth = z.discriminatedUnion('type', [
  z.object({ type: z.literal('key'), keyFile: z.string().min(1) }),
  z.object({ type: z.literal('password') }),
  z.object({ type: z.literal('agent') }),
]);
export type StoredAuth = z.infer<typeof StoredAuth>;

export const StoredHost = z.object({
  name: HostNameField,
  host: HostAddressField,
  port: PortField,
  user: SshUserField,
  auth: StoredAuth,
  jump: z.array(JumpField),
  intervalMs: IntervalField,
  tags: z.array(TagField),
  enabled: z.boolean(),
  engineSocket: EngineSocketField.optional(),
});
export type StoredHost = z.infer<typeof StoredHost>;

export const passwordRef = (name: string) => `host:${name}:password`;
export const passphraseRef = (name: string) => `host:${name}:passphrase`;

export const hostsFile = storedListFile({ file: 'hosts.json', key: 'hosts', what: 'host', entry: StoredHost });
