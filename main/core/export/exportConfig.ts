// Where the exporter's settings come from, and which wins. Three layers, field
// by field: `overlook serve --metrics-listen` (enables, sets the address), the
// provisioning file's `export:` section (enables, address, token or basic
// auth), then what the user chose in the Settings screen (<dataDir>/export.json,
// with the token in the secret store). A field set by a higher layer is shown
// read-only in the UI. Pure apart from the two file helpers at the end.
import { readJsonDataFile, writeJsonDataFile } from '../dataFile.js';
import path from 'node:path';
import { z } from 'zod';
import type { ExportAuth, ExportLock } from '../../common/contract.js';
import { DEFAULT_METRICS_LISTEN, parseListenAddress, type ListenAddress } from '../../common/listenAddress.js';
import type { SecretRef } from '../config/secretRef.js';
import type { ProvisionedExport } from './exportSection.js';

/** The secret store ref of a token entered in the Settings screen. */
export const UI_TOKEN_SECRET_REF = 'export:metrics-token';

/** What the Settings screen saved; the token is not here but in the secret store. */
export interface SavedExportSettings {
  readonly enabled?: boolean;
  /** `host:port` text as validated by the contract. */
  readonly listen?: string;
}

export interface ExportLayers {
  readonly flag?: ListenAddress;
  readonly file?: ProvisionedExport | null;
  readonly ui: SavedExportSettings & { readonly tokenSet: boolean };
}

export type TokenSource = { readonly from: 'file'; readonly ref: SecretRef } | { readonly from: 'ui' };

export interface EffectiveExport {
  readonly enabled: boolean;
  readonly listen: ListenAddress;
  readonly token?: TokenSource;
  readonly basicAuth?: { readonly username: string; readonly password: SecretRef };
  readonly auth: ExportAuth;
  readonly lockedBy: { readonly enabled: ExportLock | null; readonly listen: ExportLock | null; readonly token: ExportLock | null };
}

export function effectiveExport(layers: ExportLayers): EffectiveExport {
  const { flag, file, ui } = layers;
  const savedListen = ui.listen !== undefined ? parseListenAddress(ui.listen) : undefined;

  const enabled = flag ? true : file ? file.enabled : (ui.enabled ?? false);
  const listen = flag ?? file?.listen ?? (savedListen?.ok ? savedListen.address : DEFAULT_METRICS_LISTEN);
  // Credentials from the file replace the UI's whole: mixing a file's basic
  // auth with a token typed in the UI would leave the file's author unsure what guards the endpoint.
  const fileSetsAuth = Boolean(file?.token || file?.basicAuth);
  const token: TokenSource | undefined = fileSetsAuth ? (file?.token ? { from: 'file', ref: file.token } : undefined) : ui.tokenSet ? { from: 'ui' } : undefined;
  const basicAuth = file?.basicAuth;

  return {
    enabled,
    listen,
    ...(token ? { token } : {}),
    ...(basicAuth ? { basicAuth } : {}),
    auth: token ? 'bearer' : basicAuth ? 'basic' : 'none',
    lockedBy: {
      enabled: flag ? 'flag' : file ? 'file' : null,
      listen: flag ? 'flag' : file?.listen ? 'file' : null,
      token: fileSetsAuth ? 'file' : null,
    },
  };
}

const SavedExportFile = z.object({ enabled: z.boolean().optional(), listen: z.string().optional() });

/** A corrupt export.json is set aside and the exporter stays off, as with settings.json. */
export function loadSavedExport(dataDir: string): { saved: SavedExportSettings; problem?: string } {
  const read = readJsonDataFile(path.join(dataDir, 'export.json'), (value) => {
    const parsed = SavedExportFile.parse(value);
    if (parsed.listen !== undefined && !parseListenAddress(parsed.listen).ok) throw new Error(`listen: "${parsed.listen}" is not host:port`);
    return parsed;
  });
  if (read.state === 'ok') return { saved: read.value };
  if (read.state === 'missing') return { saved: {} };
  return { saved: {}, problem: `${read.problem}; the exporter stays off` };
}

export function saveExport(dataDir: string, saved: SavedExportSettings): void {
  writeJsonDataFile(path.join(dataDir, 'export.json'), saved);
}
