// The provisioning file's `alerts:` and `channels:` sections. Each entry
// stands alone (sectionOfIndependentEntries): a bad rule is left out with a
// problem that names its line and field, and the others still apply: an
// invalid rule gets a clear error and never stops the others.
import { z } from 'zod';
import { sectionOfIndependentEntries } from '../config/provisioning.js';
import { parseProvisionedChannel } from './channels/createChannel.js';
import type { ChannelSpec } from './channels/types.js';
import { parseProvisionedRule, type AlertRule } from './rule.js';

/** Fields an `alerts:` entry may have, as written in the file. */
const ALERT_FIELDS = [
  'name',
  'type',
  'selector',
  'aggregate',
  'window',
  'op',
  'threshold',
  'for',
  'keep_firing_for',
  'severity',
  'summary',
  'channels',
  'enabled',
  'statuses',
  'host_pattern',
] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * One `alerts:` entry → an AlertRule (id `provisioned:<name>`). Unknown fields
 * are refused rather than dropped: a misspelt `treshold` must not leave a rule
 * that silently never fires.
 */
export const provisionedAlertEntry: z.ZodType<AlertRule> = z.unknown().transform((input, ctx): AlertRule => {
  if (isRecord(input)) {
    const known = new Set<string>(ALERT_FIELDS);
    const unknown = Object.keys(input).filter((k) => !known.has(k));
    if (unknown.length) {
      for (const key of unknown) {
        ctx.addIssue({ code: 'custom', path: [key], message: `unknown field \`${key}\`; an alert takes ${ALERT_FIELDS.join(', ')}` });
      }
      return z.NEVER;
    }
  }
  const parsed = parseProvisionedRule(input);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', path: parsed.field ? [parsed.field] : [], message: parsed.error });
    return z.NEVER;
  }
  return parsed.value;
});

/** One `channels:` entry → a ChannelSpec; secrets stay references (env, file or secret store). */
export const provisionedChannelEntry: z.ZodType<ChannelSpec> = z.unknown().transform((input, ctx): ChannelSpec => {
  const parsed = parseProvisionedChannel(input);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', path: parsed.field ? [parsed.field] : [], message: parsed.error });
    return z.NEVER;
  }
  return parsed.value;
});

export const channelsSection = sectionOfIndependentEntries('channels', provisionedChannelEntry);
export const alertsSection = sectionOfIndependentEntries('alerts', provisionedAlertEntry);
