// The `settings:` section of the provisioning file: the poll interval and the
// retention per store tier. Bounds come from the contract's Settings schema,
// so the file can never hold a value the UI would refuse.
import { z } from 'zod';
import { Retention, Settings } from '../../common/contract.js';
import { wholeSection } from './provisioning.js';
import { durationField } from './provisioningFields.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** What the file sets; anything it leaves out comes from the user's saved settings or the defaults. */
export interface ProvisionedSettingsValues {
  pollIntervalMs?: number;
  retention?: Partial<Retention>;
}

function boundsOf(schema: z.ZodNumber, unitMs: number): { minMs: number; maxMs: number } {
  if (schema.minValue === null || schema.maxValue === null) throw new Error('contract bound missing');
  return { minMs: schema.minValue * unitMs, maxMs: schema.maxValue * unitMs };
}

const SettingsInFile = z.strictObject({
  poll_interval: durationField({ ...boundsOf(Settings.shape.pollIntervalMs, 1), bareNumberUnit: 'seconds' }).optional(),
  retention: z
    .strictObject({
      raw: durationField(boundsOf(Retention.shape.rawHours, HOUR_MS)).optional(),
      minute: durationField(boundsOf(Retention.shape.minuteDays, DAY_MS)).optional(),
      hour: durationField(boundsOf(Retention.shape.hourDays, DAY_MS)).optional(),
    })
    .optional(),
});

const settingsSectionSchema = SettingsInFile.transform((inFile): ProvisionedSettingsValues => {
  const values: ProvisionedSettingsValues = {};
  if (inFile.poll_interval !== undefined) values.pollIntervalMs = inFile.poll_interval;
  const retention: Partial<Retention> = {};
  if (inFile.retention?.raw !== undefined) retention.rawHours = inFile.retention.raw / HOUR_MS;
  if (inFile.retention?.minute !== undefined) retention.minuteDays = inFile.retention.minute / DAY_MS;
  if (inFile.retention?.hour !== undefined) retention.hourDays = inFile.retention.hour / DAY_MS;
  if (Object.keys(retention).length > 0) values.retention = retention;
  return values;
});

export const settingsSection = wholeSection<ProvisionedSettingsValues>('settings', settingsSectionSchema, () => ({}));

/**
 * Top-level `Settings` fields the file sets (`pollIntervalMs`, `retention`), for
 * AppInfo.provisionedSettings. `settings/update` replaces `retention` whole, so
 * setting any retention tier in the file makes all of it read-only.
 */
export function provisionedSettingsFields(values: ProvisionedSettingsValues): (keyof Settings)[] {
  return (['pollIntervalMs', 'retention'] as const).filter((field) => values[field] !== undefined);
}
