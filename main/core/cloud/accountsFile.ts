// The cloud accounts added in the UI, kept in <dataDir>/clouds.json. No key
// material is written here: the AccessKey ID / SecretId / AK and its secret
// live in the secret store under `cloud:<name>:access_key_id` and
// `cloud:<name>:access_key_secret` (an id is not a secret, but it names the
// account to whoever reads the file). A damaged file is set aside, never
// overwritten (managed/storedList.ts).
import { z } from 'zod';
import { AccountNameField, CloudApiLimitInput, CloudProvider, EndpointField, ProductNameField, ProjectIdField, RegionField } from '../../common/clouds.js';
import { storedListFile } from '../managed/storedList.js';

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

export const accessKeyIdRef = (name: string) => `cloud:${name}:access_key_id`;
export const accessKeySecretRef = (name: string) => `cloud:${name}:access_key_secret`;

export const accountsFile = storedListFile({ file: 'clouds.json', key: 'accounts', what: 'cloud account', entry: StoredCloudAccount });
