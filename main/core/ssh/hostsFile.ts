// The SSH hosts added in the UI, kept in <dataDir>/hosts.json. No secret is
// ever written here: passwords and passphrases live in the secret store under
// `host:<name>:password` / `host:<name>:passphrase`, and this file only says
// which kind of login a host uses. A damaged file is set aside (renamed), never
// overwritten, so a bad edit loses nothing.
import { readJsonDataFile, writeJsonDataFile } from '../dataFile.js';
import path from 'node:path';
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

const HostsFile = z.object({ version: z.literal(1), hosts: z.array(z.unknown()) });

export const HOSTS_FILE = 'hosts.json';

export const passwordRef = (name: string) => `host:${name}:password`;
export const passphraseRef = (name: string) => `host:${name}:passphrase`;

export interface HostsFileLoad {
  readonly hosts: StoredHost[];
  /** What was wrong, for the log: a damaged file (set aside) or entries left out. */
  readonly problems: string[];
}

export function loadStoredHosts(dataDir: string): HostsFileLoad {
  const file = path.join(dataDir, HOSTS_FILE);
  const read = readJsonDataFile(file, (value) => {
    const result = HostsFile.safeParse(value);
    if (!result.success) throw new Error('not a hosts file of version 1');
    return result.data;
  });
  if (read.state === 'missing') return { hosts: [], problems: [] };
  if (read.state === 'unreadable') return { hosts: [], problems: [read.problem] };
  if (read.state === 'set_aside') return { hosts: [], problems: [`${read.problem}; no UI hosts were loaded`] };
  const parsed = read.value;
  const hosts: StoredHost[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  parsed.hosts.forEach((raw, index) => {
    const entry = StoredHost.safeParse(raw);
    if (!entry.success) {
      problems.push(`${file}: host #${index + 1} left out: ${entry.error.issues[0]?.message ?? 'invalid'}`);
    } else if (seen.has(entry.data.name)) {
      problems.push(`${file}: host #${index + 1} left out: the name ${entry.data.name} is used twice`);
    } else {
      seen.add(entry.data.name);
      hosts.push(entry.data);
    }
  });
  return { hosts, problems };
}

/** Written through a temp file and rename, so a crash never leaves half a file. */
export function saveStoredHosts(dataDir: string, hosts: readonly StoredHost[]): void {
  writeJsonDataFile(path.join(dataDir, HOSTS_FILE), { version: 1, hosts });
}
