// Service checks in the provisioning file. Each entry stands alone: a bad one
// is reported with its line and left out, the others run.
//
//   checks:
//     - name: api
//       http: https://api.internal/health      # or tcp: db.internal:5432, tls: mail.example.com:465, ping: gw.internal
//       method: GET                             # http: GET (default), HEAD, POST, PUT, OPTIONS
//       expect_status: [200, 204]               # http: default any 2xx
//       body_contains: '"status":"ok"'          # or body_regex: 'ok|ready' (RE2 syntax: linear time)
//       headers: { X-Probe: overlook }
//       follow_redirects: true                  # default true, at most max_redirects (default 10)
//       token_env: API_TOKEN                    # or token_file, or basic_auth: { username, password_env }
//       ca_file: certs/internal-ca.pem          # trust this CA instead of the system's
//       banner: SSH-2.0                         # tcp: the server's first bytes hold this
//       server_name: mail.example.com           # tls: the name the certificate must hold
//       cert_warn_days: 21                      # tls, https: warn this many days before expiry (default 14, 1–365)
//       from: [console, bastion-1]              # vantage points: the console, SSH hosts by name
//       interval: 30s                           # default 30s
//       timeout: 10s                            # default 10s
//       enabled: true
import { z } from 'zod';
import { CHECK_INTERVAL_DEFAULT_MS, CHECK_INTERVAL_MAX_MS, CHECK_INTERVAL_MIN_MS, CHECK_MAX_REDIRECTS_DEFAULT, CHECK_TIMEOUT_DEFAULT_MS, CHECK_TIMEOUT_MAX_MS, CheckDraft, CheckNameField, CONSOLE_VANTAGE, MAX_VANTAGES } from '../../common/checks.js';
import { CaFileField } from '../../common/promHosts.js';
import { BasicAuthInFile, durationField, secretRefFields, secretRefOf, secretRefRules } from '../config/provisioningFields.js';
import { sectionOfIndependentEntries } from '../config/provisioning.js';
import type { SecretRef } from '../config/secretRef.js';

export type CheckAuthRef = { readonly type: 'none' } | { readonly type: 'bearer'; readonly token: SecretRef } | { readonly type: 'basic'; readonly username: string; readonly password: SecretRef };

export interface ProvisionedCheck {
  readonly name: string;
  readonly draft: CheckDraft;
  readonly auth: CheckAuthRef;
  /** As written: relative to the provisioning file's folder. */
  readonly caFile?: string;
}

const CheckInFile = z
  .strictObject({
    name: CheckNameField,
    http: z.string().optional(),
    tcp: z.string().optional(),
    tls: z.string().optional(),
    ping: z.string().optional(),
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'OPTIONS'], { error: 'must be GET, HEAD, POST, PUT or OPTIONS' }).optional(),
    expect_status: z.array(z.number().int().min(100).max(599), { error: 'must be a list of HTTP status codes' }).max(50).optional(),
    body_contains: z.string().min(1).max(1000).optional(),
    body_regex: z.string().min(1).max(1000).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    follow_redirects: z.boolean({ error: 'must be true or false' }).optional(),
    max_redirects: z.number().int().min(0).max(30).optional(),
    ...secretRefFields('token'),
    basic_auth: BasicAuthInFile.optional(),
    ca_file: CaFileField.optional(),
    banner: z.string().min(1).max(1000).optional(),
    server_name: z.string().min(1).max(253).optional(),
    cert_warn_days: z.number({ error: 'must be a number of days, 1 to 365' }).int({ error: 'must be whole days' }).min(1, { error: 'must be 1 to 365 days' }).max(365, { error: 'must be 1 to 365 days' }).optional(),
    from: z.array(z.string().min(1).max(100), { error: 'must be a list of vantage points: console, or SSH hosts by name' }).min(1).max(MAX_VANTAGES).optional(),
    interval: durationField({ minMs: CHECK_INTERVAL_MIN_MS, maxMs: CHECK_INTERVAL_MAX_MS, bareNumberUnit: 'seconds' }).optional(),
    timeout: durationField({ minMs: 100, maxMs: CHECK_TIMEOUT_MAX_MS, bareNumberUnit: 'seconds' }).optional(),
    enabled: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .superRefine(secretRefRules(['token']))
  .superRefine((entry, ctx) => {
    const kinds = (['http', 'tcp', 'tls', 'ping'] as const).filter((k) => entry[k] !== undefined);
    if (kinds.length !== 1) ctx.addIssue({ code: 'custom', path: [], message: 'give exactly one of http: (a URL), tcp: or tls: (host:port), ping: (a host)' });
    if (entry.body_contains !== undefined && entry.body_regex !== undefined) ctx.addIssue({ code: 'custom', path: ['body_regex'], message: 'give either body_contains or body_regex, not both' });
    if (secretRefOf(entry, 'token') && entry.basic_auth) ctx.addIssue({ code: 'custom', path: ['basic_auth'], message: 'give either a token or basic_auth, not both' });
  })
  .transform((inFile, ctx): ProvisionedCheck => {
    const kind = inFile.http !== undefined ? 'http' : inFile.tcp !== undefined ? 'tcp' : inFile.tls !== undefined ? 'tls' : 'ping';
    const target = (inFile.http ?? inFile.tcp ?? inFile.tls ?? inFile.ping)!;
    const parsed = CheckDraft.safeParse({
      name: inFile.name,
      kind,
      target,
      ...(kind === 'http'
        ? {
            http: {
              url: target,
              ...(inFile.method ? { method: inFile.method } : {}),
              expectStatus: inFile.expect_status ?? [],
              ...(inFile.body_contains ? { bodyMatch: { type: 'substring', pattern: inFile.body_contains } } : inFile.body_regex ? { bodyMatch: { type: 'regex', pattern: inFile.body_regex } } : {}),
              headers: inFile.headers ?? {},
              followRedirects: inFile.follow_redirects ?? true,
              maxRedirects: inFile.max_redirects ?? CHECK_MAX_REDIRECTS_DEFAULT,
            },
          }
        : {}),
      ...(inFile.banner !== undefined ? { banner: inFile.banner } : {}),
      ...(inFile.server_name !== undefined ? { serverName: inFile.server_name } : {}),
      ...(inFile.cert_warn_days !== undefined ? { certWarnDays: inFile.cert_warn_days } : {}),
      vantages: inFile.from ?? [CONSOLE_VANTAGE],
      intervalMs: inFile.interval ?? CHECK_INTERVAL_DEFAULT_MS,
      timeoutMs: inFile.timeout ?? CHECK_TIMEOUT_DEFAULT_MS,
      enabled: inFile.enabled ?? true,
    });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path[0] === 'certWarnDays' ? 'cert_warn_days' : issue.path[0] === 'target' ? kind : issue.path[0] === 'vantages' ? 'from' : issue.path[0] === 'http' ? String(issue.path.at(-1) ?? kind) : issue.path.length ? String(issue.path[0]) : kind;
        ctx.addIssue({ code: 'custom', path: [field], message: issue.message });
      }
      return z.NEVER;
    }
    const token = secretRefOf(inFile, 'token');
    const password = inFile.basic_auth && secretRefOf(inFile.basic_auth, 'password');
    const auth: CheckAuthRef = token ? { type: 'bearer', token } : inFile.basic_auth && password ? { type: 'basic', username: inFile.basic_auth.username, password } : { type: 'none' };
    return { name: inFile.name, draft: parsed.data, auth, ...(inFile.ca_file ? { caFile: inFile.ca_file } : {}) };
  });

export const checksSection = sectionOfIndependentEntries('checks', CheckInFile);
