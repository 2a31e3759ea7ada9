// The cloud accounts added in the UI, kept in <dataDir>/clouds.json. No key
// material is written here: the AccessKey ID / SecretId / AK and its secret
// live in the secret store under `cloud:<name>:access_key_id` and
// `cloud:<name>:access_key_secret` (an id is not a secret, but it names the
// account to whoever reads the file). A damaged file is set aside, never
// overwritten.
import path from 'node:path';
import { z } from 'zod';
import { AccountNameField, CloudApiLimitInput, CloudProvider, EndpointField, ProductNameField, ProjectIdField, RegionField } from '../../common/clouds.js';
import { readJsonDataFile, writeJsonDataFile } from '../dataFile.js';

export const StoredCloudAccount = z.object({
  name: AccountNameField,
  provider: CloudProvider,
  regions: z.array(RegionField).min(1),
  projectIds: z.record(z.string(), ProjectIdField).optional(),
  endpoint: EndpointField.optional(),
  periodSeconds: z.number().int().optional(),
  intervalSeconds: z.number().int().optional(),
  delaySeconds: z.number().int().optional(),
  products: z.array(ProductNameField).optional(),
  limits: z.record(z.string(), CloudApiLimitInput).optional(),
  enabled: z.boolean(),
});
export type StoredCloudAccount = z.infer<typeof StoredCloudAccount>;

const AccountsFile = z.object({ version: z.literal(1), accounts: z.array(z.unknown()) });

export const CLOUDS_FILE = 'clouds.json';
export const accessKeyIdRef = (name: string) => `cloud:${name}:access_key_id`;
export const accessKeySecretRef = (name: string) => `cloud:${name}:access_key_secret`;

export function loadStoredAccounts(dataDir: string): { accounts: StoredCloudAccount[]; problems: string[] } {
  const file = path.join(dataDir, CLOUDS_FILE);
  const read = readJsonDataFile(file, (value) => {
    const result = AccountsFile.safeParse(value);
    if (!result.success) throw new Error('not a cloud accounts file of version 1');
    return result.data;
  });
  if (read.state === 'missing') return { accounts: [], problems: [] };
  if (read.state === 'unreadable') return { accounts: [], problems: [read.problem] };
  if (read.state === 'set_aside') return { accounts: [], problems: [`${read.problem}; no UI cloud accounts were loaded`] };
  const accounts: StoredCloudAccount[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  read.value.accounts.forEach((raw, index) => {
    const entry = StoredCloudAccount.safeParse(raw);
    if (!entry.success) problems.push(`${file}: account #${index + 1} left out: ${entry.error.issues[0]?.message ?? 'invalid'}`);
    else if (seen.has(entry.data.name)) problems.push(`${file}: account #${index + 1} left out: the name ${entry.data.name} is used twice`);
    else {
      seen.add(entry.data.name);
      accounts.push(entry.data);
    }
  });
  return { accounts, problems };
}

export function saveStoredAccounts(dataDir: string, accounts: readonly StoredCloudAccount[]): void {
  writeJsonDataFile(path.join(dataDir, CLOUDS_FILE), { version: 1, accounts });
}
