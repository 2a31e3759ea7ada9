// A node_exporter target as the feature knows it, whichever side defined it
// (the UI's targets.json or the provisioning file's `hosts:`), and the pure
// mappings between that definition, what the UI sends (TargetDraft), what
// targets.json keeps and what the edit form is shown. Secrets are never part
// of a definition: it says where to read them.
import type { Host } from '../../common/contract.js';
import type { TargetDefinitionView, TargetDraft } from '../../common/promHosts.js';
import { secretFilePath, type SecretRef } from '../config/secretRef.js';
import { targetPasswordRef, targetTokenRef, type StoredTarget } from './targetsFile.js';
import type { ProvisionedTarget } from './targetsSection.js';

/** Where a secret is read: a key of the secret store, or a reference from the provisioning file. */
export type SecretSource = { readonly store: string } | { readonly ref: SecretRef; readonly baseDir: string };

export interface TargetDef {
  readonly name: string;
  readonly nodeExporter: string;
  readonly cadvisor?: string;
  readonly auth:
    | { readonly type: 'none' }
    | { readonly type: 'bearer'; readonly token: SecretSource }
    | { readonly type: 'basic'; readonly username: string; readonly password: SecretSource };
  /** Absolute path. */
  readonly caFile?: string;
  /** Absent: the console's poll interval (provisioned targets without `interval`). */
  readonly intervalMs?: number;
  readonly tags: readonly string[];
  readonly enabled: boolean;
  readonly provisioned: boolean;
}

export function defFromStored(s: StoredTarget): TargetDef {
  return {
    name: s.name,
    nodeExporter: s.nodeExporter,
    ...(s.cadvisor ? { cadvisor: s.cadvisor } : {}),
    auth:
      s.auth.type === 'bearer'
        ? { type: 'bearer', token: { store: targetTokenRef(s.name) } }
        : s.auth.type === 'basic'
          ? { type: 'basic', username: s.auth.username, password: { store: targetPasswordRef(s.name) } }
          : { type: 'none' },
    ...(s.caFile ? { caFile: s.caFile } : {}),
    intervalMs: s.intervalMs,
    tags: s.tags,
    enabled: s.enabled,
    provisioned: false,
  };
}

export function defFromProvisioned(p: ProvisionedTarget, baseDir: string): TargetDef {
  return {
    name: p.name,
    nodeExporter: p.nodeExporter,
    ...(p.cadvisor ? { cadvisor: p.cadvisor } : {}),
    auth:
      p.auth.type === 'bearer'
        ? { type: 'bearer', token: { ref: p.auth.token, baseDir } }
        : p.auth.type === 'basic'
          ? { type: 'basic', username: p.auth.username, password: { ref: p.auth.password, baseDir } }
          : { type: 'none' },
    ...(p.caFile ? { caFile: secretFilePath(p.caFile, baseDir) } : {}),
    ...(p.intervalMs !== undefined ? { intervalMs: p.intervalMs } : {}),
    tags: p.tags,
    enabled: p.enabled,
    provisioned: true,
  };
}

export function storedFromDraft(draft: TargetDraft): StoredTarget {
  return {
    name: draft.name,
    nodeExporter: draft.nodeExporter,
    ...(draft.cadvisor ? { cadvisor: draft.cadvisor } : {}),
    auth: draft.auth.type === 'basic' ? { type: 'basic', username: draft.auth.username } : { type: draft.auth.type },
    ...(draft.caFile ? { caFile: draft.caFile } : {}),
    intervalMs: draft.intervalMs,
    tags: draft.tags,
    enabled: draft.enabled,
  };
}

/** The URL as shown: scheme, host, port and path (never a query string, which some setups use for tokens). */
export function displayUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/** The core's host for a definition; a target without its own interval follows the console's. */
export function hostOf(def: TargetDef, pollIntervalMs: number): Omit<Host, 'status' | 'lastSampleAt'> {
  return {
    id: def.name,
    name: def.name,
    kind: 'node_exporter',
    pollIntervalMs: def.intervalMs ?? pollIntervalMs,
    tags: [...def.tags],
    provisioned: def.provisioned,
    address: displayUrl(def.nodeExporter),
  };
}

export function definitionView(d: TargetDef, pollIntervalMs: number, secretSet: boolean): TargetDefinitionView {
  return {
    name: d.name,
    nodeExporter: d.nodeExporter,
    ...(d.cadvisor ? { cadvisor: d.cadvisor } : {}),
    auth: d.auth.type === 'bearer' ? { type: 'bearer', tokenSet: secretSet } : d.auth.type === 'basic' ? { type: 'basic', username: d.auth.username, passwordSet: secretSet } : { type: 'none' },
    ...(d.caFile ? { caFile: d.caFile } : {}),
    intervalMs: d.intervalMs ?? pollIntervalMs,
    tags: [...d.tags],
    enabled: d.enabled,
    provisioned: d.provisioned,
  };
}
