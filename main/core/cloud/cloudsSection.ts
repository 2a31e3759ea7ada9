// The `clouds:` section of the provisioning file: cloud accounts, read-only
// in the UI.
//
//   clouds:
//     - name: prod-aliyun
//       provider: aliyun                       # aliyun | tencent | huawei
//       regions: [cn-hangzhou, cn-shanghai]
//       access_key_id_env: ALIYUN_AK_ID        # or access_key_id_file
//       access_key_secret_env: ALIYUN_AK_SECRET # or access_key_secret_file
//       project_ids: { cn-north-4: 0f1e… }     # Huawei: one per region
//       endpoint: cms-vpc.internal:443         # optional: private or proxied endpoint
//       period: 60s                            # datapoint granularity: 60s or 5m
//       interval: 5m                           # how often to collect (fewer, fuller calls)
//       delay: 2m                              # how long the cloud takes to settle a minute
//       max_backfill: 6h                       # how far back an outage is filled in
//       products: [ecs, rds]                   # default: every product with a mapping
//       limits: { GetMonitorData: { rate: 10, burst: 2 } }
//       enabled: true
//
// Each entry stands alone: a bad one is reported with its line and left out.
// Keys are references only (`_env`, `_file`), resolved when the account starts,
// so a rotated secret file takes effect on the next start; an entry with a
// plaintext `access_key_secret:` is left out by the parser (provisioning.ts).
import { z } from 'zod';
import { cloudAccountProblems, CloudProvider, EndpointField, MAX_REGIONS, ProductNameField, ProjectIdField, RegionField, AccountNameField } from '../../common/clouds.js';
import type { CloudAccountSettings } from './collector/types.js';
import { durationField, secretRefFields, secretRefOf, secretRefRules } from '../config/provisioningFields.js';
import { sectionOfIndependentEntries } from '../config/provisioning.js';
import type { SecretRef } from '../config/secretRef.js';
import { API_QUOTAS, DEFAULT_PERIOD_SECONDS } from './collector/defaults.js';

export interface ProvisionedCloudAccount extends CloudAccountSettings {
  readonly accessKeyId: SecretRef;
  readonly accessKeySecret: SecretRef;
  readonly enabled: boolean;
}

const LimitInFile = z.strictObject({
  rate: z.number({ error: 'must be calls per second, a number' }).positive({ error: 'must be above 0' }).max(1000, { error: 'at most 1000 calls per second' }),
  burst: z.number({ error: 'must be a whole number' }).int({ error: 'must be a whole number' }).min(1).max(1000).optional(),
});

const CloudInFile = z
  .strictObject({
    name: AccountNameField,
    provider: CloudProvider,
    regions: z.array(RegionField, { error: 'must be a list of regions, like [cn-hangzhou]' }).min(1, { error: 'needs at least one region' }).max(MAX_REGIONS, { error: `at most ${MAX_REGIONS} regions` }),
    ...secretRefFields('access_key_id'),
    ...secretRefFields('access_key_secret'),
    project_ids: z.record(RegionField, ProjectIdField, { error: 'must map each region to its project id' }).optional(),
    endpoint: EndpointField.optional(),
    period: durationField({ minMs: 60_000, maxMs: 300_000, bareNumberUnit: 'seconds' }).optional(),
    interval: durationField({ minMs: 60_000, maxMs: 3_600_000, bareNumberUnit: 'seconds' }).optional(),
    delay: durationField({ minMs: 0, maxMs: 1_800_000, bareNumberUnit: 'seconds' }).optional(),
    max_backfill: durationField({ minMs: 5 * 60_000, maxMs: 24 * 3_600_000 }).optional(),
    products: z.array(ProductNameField, { error: 'must be a list of products, like [ecs, rds]' }).max(50).optional(),
    limits: z.record(z.string(), LimitInFile, { error: 'must map API names to { rate, burst }' }).optional(),
    enabled: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .superRefine(secretRefRules(['access_key_id', 'access_key_secret'], ['access_key_id', 'access_key_secret']))
  .superRefine((entry, ctx) => {
    if (entry.period !== undefined && entry.period !== 60_000 && entry.period !== 300_000) ctx.addIssue({ code: 'custom', path: ['period'], message: 'the clouds collect at 60s or 5m' });
    const problems = cloudAccountProblems({
      provider: entry.provider,
      regions: entry.regions,
      ...(entry.project_ids ? { projectIds: entry.project_ids } : {}),
      ...(entry.period !== undefined ? { periodSeconds: entry.period / 1000 } : {}),
      ...(entry.interval !== undefined ? { intervalSeconds: entry.interval / 1000 } : {}),
    });
    for (const p of problems) ctx.addIssue({ code: 'custom', path: p.path[0] === 'projectIds' ? ['project_ids'] : ['interval'], message: p.message });
    if (new Set(entry.regions).size !== entry.regions.length) ctx.addIssue({ code: 'custom', path: ['regions'], message: 'a region is listed twice' });
    // A cycle asks each series from one period before its cursor, but never
    // from further back than max_backfill: shorter than a cycle plus that
    // period, every cycle would start after where the last one ended.
    const periodMs = entry.period ?? DEFAULT_PERIOD_SECONDS * 1000;
    const neededMs = (entry.interval ?? periodMs) + periodMs;
    if (entry.max_backfill !== undefined && entry.max_backfill < neededMs) {
      ctx.addIssue({ code: 'custom', path: ['max_backfill'], message: `must be at least the interval plus one period (${neededMs / 60_000} min here), or every cycle leaves a gap` });
    }
    const known = Object.keys(API_QUOTAS[entry.provider]);
    for (const api of Object.keys(entry.limits ?? {})) {
      if (!known.includes(api)) ctx.addIssue({ code: 'custom', path: ['limits', api], message: `${entry.provider} calls ${known.join(', ')}; no API named ${api}` });
    }
  });

export const provisionedCloudEntry = CloudInFile.transform((inFile): ProvisionedCloudAccount => ({
  name: inFile.name,
  provider: inFile.provider,
  regions: inFile.regions,
  accessKeyId: secretRefOf(inFile, 'access_key_id')!,
  accessKeySecret: secretRefOf(inFile, 'access_key_secret')!,
  ...(inFile.project_ids ? { projectIds: inFile.project_ids } : {}),
  ...(inFile.endpoint ? { endpoint: inFile.endpoint } : {}),
  ...(inFile.period !== undefined ? { periodSeconds: inFile.period / 1000 } : {}),
  ...(inFile.interval !== undefined ? { intervalSeconds: inFile.interval / 1000 } : {}),
  ...(inFile.delay !== undefined ? { delaySeconds: inFile.delay / 1000 } : {}),
  ...(inFile.max_backfill !== undefined ? { maxBackfillSeconds: inFile.max_backfill / 1000 } : {}),
  ...(inFile.products ? { products: [...new Set(inFile.products)] } : {}),
  ...(inFile.limits
    ? { limits: Object.fromEntries(Object.entries(inFile.limits).map(([api, l]) => [api, { ratePerSecond: l.rate, burst: l.burst ?? Math.max(1, Math.ceil(l.rate / 4)) }])) }
    : {}),
  enabled: inFile.enabled ?? true,
}));

/** The `clouds:` section: each account stands alone (a bad one is reported and left out). */
export const cloudsSection = sectionOfIndependentEntries('clouds', provisionedCloudEntry);
