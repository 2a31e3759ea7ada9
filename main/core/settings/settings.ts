// Effective settings = defaults, overridden by what the user saved in the UI,
// overridden by the provisioning file (whose fields the UI shows read-only).
import fs from 'node:fs';
import path from 'node:path';
import { Settings, type Retention } from '../../common/contract.js';

export const DEFAULT_RETENTION: Retention = { rawHours: 48, minuteDays: 30, hourDays: 365 };
export const DEFAULT_SETTINGS: Settings = { pollIntervalMs: 5000, retention: DEFAULT_RETENTION };

/** A layer of settings; the provisioning file may set only some retention tiers. */
export type SettingsPatch = Partial<Omit<Settings, 'retention'>> & { retention?: Partial<Retention> };

export function mergeSettings(...layers: (SettingsPatch | undefined)[]): Settings {
  let out: Settings = { ...DEFAULT_SETTINGS, retention: { ...DEFAULT_RETENTION } };
  for (const layer of layers) {
    if (!layer) continue;
    out = {
      pollIntervalMs: layer.pollIntervalMs ?? out.pollIntervalMs,
      retention: { ...out.retention, ...(layer.retention ?? {}) },
    };
  }
  return out;
}

/** Saved UI settings live in <dataDir>/settings.json; a corrupt file is set aside, not fatal. */
export function loadSavedSettings(dataDir: string): { saved: SettingsPatch; problem?: string } {
  const file = path.join(dataDir, 'settings.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { saved: {} };
  }
  try {
    const parsed = Settings.partial().safeParse(JSON.parse(text));
    if (parsed.success) return { saved: parsed.data };
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  } catch (err) {
    const aside = `${file}.invalid-${Date.now()}`;
    fs.renameSync(file, aside);
    return { saved: {}, problem: `settings.json was invalid (${(err as Error).message}); moved to ${aside}, using defaults` };
  }
}

export function saveSettings(dataDir: string, saved: SettingsPatch): void {
  const file = path.join(dataDir, 'settings.json');
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(saved, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}
