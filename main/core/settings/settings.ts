// Effective settings = defaults, overridden by what the user saved in the UI,
// overridden by the provisioning file (whose fields the UI shows read-only).
import { DEFAULT_RETENTION } from '../store/tiers.js';
import { readJsonDataFile, writeJsonDataFile } from '../dataFile.js';
import path from 'node:path';
import { Settings, type Retention } from '../../common/contract.js';

// The store owns its tiers and their default retention; settings start from them.
export { DEFAULT_RETENTION };
export const DEFAULT_SETTINGS: Settings = { pollIntervalMs: 5000, retention: DEFAULT_RETENTION };

/** A layer of settings; the provisioning file may set only some retention tiers. */
export type SettingsPatch = Partial<Omit<Settings, 'retention'>> & { retention?: Partial<Retention> };

export function mergeSettings(...layers: (SettingsPatch | undefined)[]): Settings {
  let out: Settings = { ...DEFAULT_SETTINGS, retention: { ...DEFAULT_RETENTION } };
  for (const layer of layers) {
    if (!layer) continue;
    const language = layer.language ?? out.language;
    out = {
      pollIntervalMs: layer.pollIntervalMs ?? out.pollIntervalMs,
      retention: { ...out.retention, ...(layer.retention ?? {}) },
      ...(language ? { language } : {}),
    };
  }
  return out;
}

/** Saved UI settings live in <dataDir>/settings.json; a corrupt file is set aside, not fatal. */
export function loadSavedSettings(dataDir: string): { saved: SettingsPatch; problem?: string } {
  const read = readJsonDataFile(path.join(dataDir, 'settings.json'), (value) => {
    const parsed = Settings.partial().safeParse(value);
    if (parsed.success) return parsed.data;
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  });
  if (read.state === 'ok') return { saved: read.value };
  if (read.state === 'missing') return { saved: {} };
  return { saved: {}, problem: `${read.problem}; using default settings` };
}

export function saveSettings(dataDir: string, saved: SettingsPatch): void {
  writeJsonDataFile(path.join(dataDir, 'settings.json'), saved);
}
