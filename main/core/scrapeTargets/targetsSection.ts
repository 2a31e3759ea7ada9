// node_exporter targets in the provisioning file: entries of the `hosts:`
// list that name a `node_exporter:` (or `cadvisor:`) URL instead of an SSH
// `address:`. The SSH feature reads the other entries of the same list.
//
//   hosts:
//     - name: web-2
//       node_exporter: https://web-2.example.com:9100/metrics
//       cadvisor: http://web-2.example.com:8080/metrics   # optional: its containers
//       interval: 15s
//       token_env: WEB2_SCRAPE_TOKEN                      # or token_file, or basic_auth: { username, password_env }
//       ca_file: certs/internal-ca.pem                    # TLS: trust this CA instead of the system's
//       tags: [web]
//
// Each entry stands alone: a bad one is reported with its line and left out.
// Secrets are references, resolved when the target starts.
import { z } from 'zod';
import { CaFileField, ScrapeUrlField, SCRAPE_INTERVAL_MAX_MS, SCRAPE_INTERVAL_MIN_MS } from '../../common/promHosts.js';
import { HostNameField, MAX_TAGS, TagField } from '../../common/sshHosts.js';
import { BasicAuthInFile, durationField, secretRefFields, secretRefOf, secretRefRules } from '../config/provisioningFields.js';
import { sectionOfClaimedEntries } from '../config/provisioning.js';
import type { SecretRef } from '../config/secretRef.js';

export type ProvisionedTargetAuth =
  | { readonly type: 'none' }
  | { readonly type: 'bearer'; readonly token: SecretRef }
  | { readonly type: 'basic'; readonly username: string; readonly password: SecretRef };

export interface ProvisionedTarget {
  readonly name: string;
  readonly nodeExporter: string;
  readonly cadvisor?: string;
  readonly auth: ProvisionedTargetAuth;
  /** As written: relative to the provisioning file's folder. */
  readonly caFile?: string;
  /** Absent: the console's poll interval. */
  readonly intervalMs?: number;
  readonly tags: readonly string[];
  readonly enabled: boolean;
}

const TargetInFile = z
  .strictObject({
    name: HostNameField,
    node_exporter: ScrapeUrlField,
    cadvisor: ScrapeUrlField.optional(),
    ...secretRefFields('token'),
    basic_auth: BasicAuthInFile.optional(),
    ca_file: CaFileField.optional(),
    interval: durationField({ minMs: SCRAPE_INTERVAL_MIN_MS, maxMs: SCRAPE_INTERVAL_MAX_MS, bareNumberUnit: 'seconds' }).optional(),
    tags: z.array(TagField, { error: 'must be a list of tags' }).max(MAX_TAGS, { error: `at most ${MAX_TAGS} tags` }).optional(),
    enabled: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .superRefine(secretRefRules(['token']))
  .superRefine((entry, ctx) => {
    if (secretRefOf(entry, 'token') && entry.basic_auth) ctx.addIssue({ code: 'custom', path: ['basic_auth'], message: 'give either a token or basic_auth, not both' });
  });

export const provisionedTargetEntry = TargetInFile.transform((inFile): ProvisionedTarget => {
  const token = secretRefOf(inFile, 'token');
  const password = inFile.basic_auth && secretRefOf(inFile.basic_auth, 'password');
  const auth: ProvisionedTargetAuth = token
    ? { type: 'bearer', token }
    : inFile.basic_auth && password
      ? { type: 'basic', username: inFile.basic_auth.username, password }
      : { type: 'none' };
  return {
    name: inFile.name,
    nodeExporter: inFile.node_exporter,
    ...(inFile.cadvisor ? { cadvisor: inFile.cadvisor } : {}),
    auth,
    ...(inFile.ca_file ? { caFile: inFile.ca_file } : {}),
    ...(inFile.interval !== undefined ? { intervalMs: inFile.interval } : {}),
    tags: [...new Set(inFile.tags ?? [])],
    enabled: inFile.enabled ?? true,
  };
});

/** An entry of `hosts:` is a target when it names a node_exporter or cAdvisor URL. */
export function isTargetEntry(entry: unknown): boolean {
  return typeof entry === 'object' && entry !== null && !Array.isArray(entry) && ('node_exporter' in entry || 'cadvisor' in entry);
}

export const targetsSection = sectionOfClaimedEntries('hosts', 'hosts:node_exporter', isTargetEntry, provisionedTargetEntry);
