// The `export:` section of the provisioning file: the /metrics exporter.
//
//   export:
//     listen: 127.0.0.1:9309
//     token_env: OVERLOOK_METRICS_TOKEN      # or token_file: secrets/metrics.token
//     basic_auth: { username: prometheus, password_env: OVERLOOK_METRICS_PASSWORD }
//
// A present section turns the exporter on (`enabled: false` keeps it off while
// still locking it in the UI). Secrets are references, resolved when the
// exporter starts, so a rotated token file takes effect on the next reload.
import { z } from 'zod';
import { LISTEN_ADDRESS_MESSAGES, parseListenAddress, type ListenAddress } from '../../common/listenAddress.js';
import { BasicAuthInFile, secretRefFields, secretRefOf, secretRefRules } from '../config/provisioningFields.js';
import { wholeSection } from '../config/provisioning.js';
import type { SecretRef } from '../config/secretRef.js';

export interface ProvisionedExport {
  readonly enabled: boolean;
  /** Absent: the UI's address, else the default 127.0.0.1:9309. */
  readonly listen?: ListenAddress;
  readonly token?: SecretRef;
  readonly basicAuth?: { readonly username: string; readonly password: SecretRef };
}

const ListenInFile = z.unknown().transform((input, ctx): ListenAddress => {
  if (typeof input !== 'string') {
    ctx.addIssue({ code: 'custom', message: 'must be host:port text, like 127.0.0.1:9309' });
    return z.NEVER;
  }
  const parsed = parseListenAddress(input);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: LISTEN_ADDRESS_MESSAGES[parsed.problem] });
    return z.NEVER;
  }
  return parsed.address;
});

const ExportInFile = z
  .strictObject({
    enabled: z.boolean().optional(),
    listen: ListenInFile.optional(),
    ...secretRefFields('token'),
    basic_auth: BasicAuthInFile.optional(),
  })
  .superRefine(secretRefRules(['token']));

const exportSectionSchema = ExportInFile.transform((inFile): ProvisionedExport | null => {
  const token = secretRefOf(inFile, 'token');
  const password = inFile.basic_auth && secretRefOf(inFile.basic_auth, 'password');
  return {
    enabled: inFile.enabled ?? true,
    ...(inFile.listen ? { listen: inFile.listen } : {}),
    ...(token ? { token } : {}),
    ...(inFile.basic_auth && password ? { basicAuth: { username: inFile.basic_auth.username, password } } : {}),
  };
});

/** The `export:` section; null when the file has none. */
export const exportSection = wholeSection<ProvisionedExport | null>('export', exportSectionSchema, () => null);
