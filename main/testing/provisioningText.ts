// The provisioning file as the default console reads it, for tests: every
// section the core and its features declare, in the order createCore builds
// its parser (settings, then each feature's). Each section's value is also
// set on the result by name (`config.hosts`), to keep assertions short.
import { createProvisioningParser, sectionOf, type ProvisionedConfig, type ProvisioningParse } from '../core/config/provisioning.js';
import { provisionedSettingsFields, settingsSection, type ProvisionedSettingsValues } from '../core/config/settingsSection.js';
import { alertsSection, channelsSection } from '../core/alerts/provisioningSection.js';
import type { AlertRule } from '../core/alerts/rule.js';
import type { ChannelSpec } from '../core/alerts/channels/types.js';
import { cloudsSection, type ProvisionedCloudAccount } from '../core/cloud/cloudsSection.js';
import { exportSection, type ProvisionedExport } from '../core/export/exportSection.js';
import { hostsSection, type ProvisionedHost } from '../core/ssh/hostsSection.js';

const parse = createProvisioningParser([settingsSection, channelsSection, alertsSection, exportSection, hostsSection, cloudsSection]);

export interface ParsedConfig extends ProvisionedConfig {
  readonly settings: ProvisionedSettingsValues;
  readonly provisionedFields: string[];
  readonly channels: ChannelSpec[];
  readonly alerts: AlertRule[];
  readonly export: ProvisionedExport | null;
  readonly hosts: ProvisionedHost[];
  readonly clouds: ProvisionedCloudAccount[];
}

export function parseProvisioningText(text: string, file: string): ProvisioningParse<ParsedConfig> {
  const { config, problems } = parse(text, file);
  if (!config) return { config: null, problems };
  const settings = sectionOf(config, settingsSection);
  return {
    config: {
      ...config,
      settings,
      provisionedFields: provisionedSettingsFields(settings),
      channels: sectionOf(config, channelsSection),
      alerts: sectionOf(config, alertsSection),
      export: sectionOf(config, exportSection),
      hosts: sectionOf(config, hostsSection),
      clouds: sectionOf(config, cloudsSection),
    },
    problems,
  };
}
