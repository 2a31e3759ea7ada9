// The node_exporter targets added in the UI, kept in <dataDir>/targets.json.
// No secret is ever written here: a bearer token or basic-auth password lives
// in the secret store under `target:<name>:token` / `target:<name>:password`.
import { z } from 'zod';
import { BasicUserField, CaFileField, ScrapeIntervalField } from '../../common/promHosts.js';
import { HostNameField, TagField } from '../../common/sshHosts.js';
import { storedListFile } from '../managed/storedList.js';

export const StoredTarget = z.object({
  name: HostNameField,
  nodeExporter: z.string().url(),
  cadvisor: z.string().url().optional(),
  auth: z.discriminatedUnion('type', [z.object({ type: z.literal('none') }), z.object({ type: z.literal('bearer') }), z.object({ type: z.literal('basic'), username: BasicUserField })]),
  caFile: CaFileField.optional(),
  intervalMs: ScrapeIntervalField,
  tags: z.array(TagField),
  enabled: z.boolean(),
});
export type StoredTarget = z.infer<typeof StoredTarget>;

export const targetTokenRef = (name: string) => `target:${name}:token`;
export const targetPasswordRef = (name: string) => `target:${name}:password`;

export const targetsFile = storedListFile({ file: 'targets.json', key: 'targets', what: 'node_exporter target', entry: StoredTarget });
