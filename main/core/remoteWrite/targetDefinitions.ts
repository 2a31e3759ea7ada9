// Remote-write targets from both sides: the Settings screen (kept in
// <dataDir>/remote-write.json, the token or password in the secret store)
// and the provisioning file's `remote_write:` list (secrets by reference,
// read-only in the UI).
//
//   remote_write:
//     - name: vm
//       url: https://vm.example:8428/api/v1/write
//       headers: { X-Scope-OrgID: team-a }       # Mimir's tenant; Thanos: THANOS-TENANT
//       bearer_token_env: VM_TOKEN               # or bearer_token_file, or basic_auth: { username, password_env }
//       tls: { ca_file: vm-ca.pem }
//       external_labels: { console: alice }
//       series: [host, container, cloud, health]  # default: all
//       max_age: 6h                              # older unsent samples are dropped (counted)
//       max_samples_per_send: 10000
//       timeout: 30s
//       enabled: true
import { z } from 'zod';
import {
  CaPemField,
  DEFAULT_MAX_AGE_MS,
  EngineAuthKind,
  ExternalLabelsField,
  HeadersField,
  REMOTE_WRITE_SERIES_KINDS,
  RemoteWriteSeriesKind,
  TargetNameField,
  type RemoteWriteDraft,
} from '../../common/remoteWrite.js';
import { sectionOfIndependentEntries } from '../config/provisioning.js';
import { durationField } from '../config/provisioningFields.js';
import { engineConnectionFields, engineConnectionFromFile, engineConnectionRules, HeadersInFile, type EngineConnection } from '../engine/engineConnection.js';
import type { ManagedDefinition } from '../managed/managedSet.js';
import { storedListFile } from '../managed/storedList.js';

/** Remote write's default timeout (Prometheus's remote_timeout). */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Samples per request: one request is in flight per target, so larger than Prometheus's 2,000 per shard. */
export const DEFAULT_MAX_SAMPLES_PER_SEND = 10_000;

export interface TargetDefinition extends ManagedDefinition {
  readonly enabled: boolean;
  readonly connection: EngineConnection;
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly series: readonly RemoteWriteSeriesKind[];
  readonly maxAgeMs: number;
  readonly maxSamplesPerSend: number;
}

/** The secret store key of a target's token or password entered on the Settings screen. */
export const targetSecretKey = (name: string) => `remote-write:${name}:secret`;

// ---------------------------------------------------------------- the provisioning file

const TargetInFile = z
  .strictObject({
    name: TargetNameField,
    enabled: z.boolean().optional(),
    ...engineConnectionFields({ minMs: 1000, maxMs: 300_000 }),
    headers: HeadersInFile.optional(),
    external_labels: ExternalLabelsField.optional(),
    series: z.array(RemoteWriteSeriesKind).min(1, { error: 'list at least one of host, container, cloud, health' }).optional(),
    max_age: durationField({ minMs: 60_000, maxMs: 7 * 86_400_000 }).optional(),
    max_samples_per_send: z.number().int().min(100).max(100_000).optional(),
  })
  .superRefine(engineConnectionRules);

export type ProvisionedTarget = z.infer<typeof TargetInFile>;

/** `remote_write:`: each entry stands alone (a bad one is reported and left out). */
export const remoteWriteSection = sectionOfIndependentEntries('remote_write', TargetInFile);

export function targetFromFile(entry: ProvisionedTarget, baseDir: string): TargetDefinition {
  return {
    name: entry.name,
    provisioned: true,
    enabled: entry.enabled ?? true,
    connection: engineConnectionFromFile(entry, entry.headers ?? {}, baseDir, DEFAULT_TIMEOUT_MS),
    externalLabels: entry.external_labels ?? {},
    series: entry.series ? [...new Set(entry.series)] : [...REMOTE_WRITE_SERIES_KINDS],
    maxAgeMs: entry.max_age ?? DEFAULT_MAX_AGE_MS,
    maxSamplesPerSend: entry.max_samples_per_send ?? DEFAULT_MAX_SAMPLES_PER_SEND,
  };
}

// ---------------------------------------------------------------- the Settings screen's list

const StoredTarget = z.object({
  name: TargetNameField,
  url: z.string(),
  enabled: z.boolean(),
  headers: HeadersField,
  auth: EngineAuthKind,
  username: z.string().optional(),
  caPem: CaPemField.optional(),
  externalLabels: ExternalLabelsField,
  series: z.array(RemoteWriteSeriesKind).min(1),
  maxAgeMs: z.number().positive(),
});
export type StoredTarget = z.infer<typeof StoredTarget>;

export const storedTargetsFile = storedListFile({ file: 'remote-write.json', key: 'targets', what: 'remote-write target', entry: StoredTarget });

export function targetFromStored(stored: StoredTarget): TargetDefinition {
  const secret = { from: 'store', key: targetSecretKey(stored.name) } as const;
  return {
    name: stored.name,
    provisioned: false,
    enabled: stored.enabled,
    connection: {
      url: stored.url,
      headers: stored.headers,
      auth: stored.auth === 'bearer' ? { kind: 'bearer', token: secret } : stored.auth === 'basic' ? { kind: 'basic', username: stored.username ?? '', password: secret } : { kind: 'none' },
      ...(stored.caPem ? { ca: { pem: stored.caPem } } : {}),
      timeoutMs: DEFAULT_TIMEOUT_MS,
    },
    externalLabels: stored.externalLabels,
    series: [...new Set(stored.series)],
    maxAgeMs: stored.maxAgeMs,
    maxSamplesPerSend: DEFAULT_MAX_SAMPLES_PER_SEND,
  };
}

/** What the Settings screen sent, as kept (the secret is not here). `caPem: ''` removes a CA; absent keeps the old one. */
export function storedFromDraft(draft: RemoteWriteDraft, previous?: StoredTarget): StoredTarget {
  const caPem = draft.caPem === undefined ? previous?.caPem : draft.caPem === '' ? undefined : draft.caPem;
  return {
    name: draft.name,
    url: draft.url,
    enabled: draft.enabled,
    headers: draft.headers,
    auth: draft.auth,
    ...(draft.auth === 'basic' && draft.username ? { username: draft.username } : {}),
    ...(caPem ? { caPem } : {}),
    externalLabels: draft.externalLabels,
    series: [...new Set(draft.series)],
    maxAgeMs: Math.round(draft.maxAgeHours * 3_600_000),
  };
}
