// A cloud account as the feature knows it, whichever side defined it (the
// UI's clouds.json, keys in the secret store; or the provisioning file's
// `clouds:`, keys by `_env` / `_file` reference), and the pure mappings
// between that definition, the UI's draft, what clouds.json keeps and what
// a collector is configured with. Keys are never part of a definition: it
// says where to read them when the collector starts.
import type { CloudAccountDraft } from '../../common/clouds.js';
import { RpcError } from '../../common/contract.js';
import type { SecretRef } from '../config/secretRef.js';
import type { StoredCloudAccount } from './accountsFile.js';
import type { ProvisionedCloudAccount } from './cloudsSection.js';
import { API_QUOTAS } from './collector/defaults.js';
import type { CloudAccountConfig, CloudAccountSettings } from './collector/types.js';

export type KeySource = { readonly kind: 'store' } | { readonly kind: 'ref'; readonly id: SecretRef; readonly secret: SecretRef; readonly baseDir: string };

export interface AccountDef extends CloudAccountSettings {
  readonly enabled: boolean;
  readonly provisioned: boolean;
  readonly keys: KeySource;
}

export const defFromStored = (s: StoredCloudAccount): AccountDef => ({ ...s, provisioned: false, keys: { kind: 'store' } });

export function defFromProvisioned(p: ProvisionedCloudAccount, baseDir: string): AccountDef {
  const { accessKeyId, accessKeySecret, ...rest } = p;
  return { ...rest, provisioned: true, keys: { kind: 'ref', id: accessKeyId, secret: accessKeySecret, baseDir } };
}

export function storedFromDraft(draft: CloudAccountDraft): StoredCloudAccount {
  return {
    name: draft.name,
    provider: draft.provider,
    regions: [...draft.regions],
    ...(draft.provider === 'huawei' && draft.projectIds ? { projectIds: { ...draft.projectIds } } : {}),
    ...(draft.endpoint ? { endpoint: draft.endpoint } : {}),
    ...(draft.periodSeconds ? { periodSeconds: draft.periodSeconds } : {}),
    ...(draft.intervalSeconds ? { intervalSeconds: draft.intervalSeconds } : {}),
    ...(draft.delaySeconds !== undefined ? { delaySeconds: draft.delaySeconds } : {}),
    ...(draft.products?.length ? { products: [...draft.products] } : {}),
    ...(draft.limits ? { limits: { ...draft.limits } } : {}),
    enabled: draft.enabled,
  };
}

/** A collector's configuration: the definition's settings with the keys read for it. Never logged. */
export function configOf(def: AccountDef, keys: { id: string; secret: string }): CloudAccountConfig {
  const { enabled: _enabled, provisioned: _provisioned, keys: _keys, ...settings } = def;
  return { ...settings, accessKeyId: keys.id, accessKeySecret: keys.secret };
}

/** A draft's per-API limits name only APIs its cloud has. */
export function checkLimits(draft: CloudAccountDraft): void {
  const known = Object.keys(API_QUOTAS[draft.provider]);
  const unknown = Object.keys(draft.limits ?? {}).filter((api) => !known.includes(api));
  if (unknown.length) throw new RpcError('invalid_input', `${draft.provider} calls ${known.join(', ')}; no API named ${unknown.join(', ')}`);
}
