// What the UI, the provisioning file and the core say about cloud accounts
// and cloud instances (issue 5), validated the same way everywhere. Pure:
// imported by the contract, the renderer and the core.
import { z } from 'zod';

export const CLOUD_PROVIDERS = ['aliyun', 'tencent', 'huawei'] as const;
export const CloudProvider = z.enum(CLOUD_PROVIDERS, { error: 'must be one of aliyun, tencent, huawei' });
export type CloudProvider = z.infer<typeof CloudProvider>;

/** What each cloud calls its two halves of a key, for forms and messages. */
export const CLOUD_KEY_NAMES: Readonly<Record<CloudProvider, { id: string; secret: string }>> = {
  aliyun: { id: 'AccessKey ID', secret: 'AccessKey Secret' },
  tencent: { id: 'SecretId', secret: 'SecretKey' },
  huawei: { id: 'Access Key (AK)', secret: 'Secret Key (SK)' },
};

export const ACCOUNT_NAME_MAX = 63;
/** The `account` label of every series and part of the URL. */
export const AccountNameField = z
  .string({ error: 'the name is required' })
  .trim()
  .min(1, { error: 'the name is required' })
  .max(ACCOUNT_NAME_MAX, { error: `the name can be at most ${ACCOUNT_NAME_MAX} characters` })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'the name may hold letters, digits, ".", "_" and "-", and must start with a letter or digit' });

/** Region ids as the three clouds write them: cn-hangzhou, ap-guangzhou, cn-north-4. */
export const RegionField = z
  .string({ error: 'a region must be text like cn-hangzhou' })
  .trim()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { error: 'a region is written like cn-hangzhou, ap-guangzhou or cn-north-4' })
  .max(40, { error: 'a region id is at most 40 characters' });

export const MAX_REGIONS = 30;

/** `host[:port]` of a private or proxied endpoint (the emulators in the tests); no scheme, no path. */
export const EndpointField = z
  .string({ error: 'the endpoint must be text like cms.example.internal:443' })
  .trim()
  .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, { error: 'the endpoint is a host or host:port, without http:// or a path' });

/** A Huawei project id: 32 hex digits as IAM issues them (looser, since private clouds differ). */
export const ProjectIdField = z
  .string({ error: 'a project id must be text' })
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'a project id holds letters, digits, "_" and "-" (IAM shows it under My Credentials → Projects)' });

/** Access key ids are identifiers, not secrets, but still no whitespace or control characters. */
export const AccessKeyIdField = z
  .string({ error: 'the key id is required' })
  .trim()
  .min(4, { error: 'the key id is too short' })
  .max(128, { error: 'the key id is at most 128 characters' })
  .regex(/^[\x21-\x7e]+$/, { error: 'the key id holds printable characters only' });

export const AccessKeySecretField = z
  .string({ error: 'the secret is required' })
  .min(4, { error: 'the secret is too short' })
  .max(256, { error: 'the secret is at most 256 characters' })
  .regex(/^[\x21-\x7e]+$/, { error: 'the secret holds printable characters only (check for a pasted space or line break)' });

/** Data granularity: the clouds' common periods. */
export const CLOUD_PERIODS_SECONDS = [60, 300] as const;
export const CLOUD_PERIOD_MIN_S = 60;
export const CLOUD_INTERVAL_MAX_S = 3600;

/**
 * Keys shown in forms as a hint (first 4 and last 4 characters), never whole:
 * an id is not a secret, but a screenshot should not hand it out either.
 */
export function accessKeyIdHint(id: string): string {
  return id.length <= 10 ? `${id.slice(0, 2)}…` : `${id.slice(0, 4)}…${id.slice(-4)}`;
}

/** The labels every cloud series carries; mapping labels may not reuse them. */
export const CLOUD_SERIES_LABELS = ['cloud', 'account', 'region', 'instance', 'product'] as const;

/** The overview's columns a canonical metric can feed (the mapping's `summary:`). */
export const CLOUD_SUMMARY_KEYS = ['cpu', 'memory', 'disk', 'network_receive', 'network_transmit'] as const;
export type CloudSummaryKey = (typeof CLOUD_SUMMARY_KEYS)[number];
