// How the console reaches an engine (a remote-write target, a PromQL history
// backend): URL, headers, authentication and a CA, as either side defines
// it — the provisioning file, with secrets by reference (`bearer_token_env`,
// `basic_auth.password_file`) and the CA as a file; or the Settings screen,
// with the secret in the secret store and the CA as PEM text. Secrets are
// resolved when a client is built, so a rotated token file applies at the
// next (re)start, and a missing one is a clear problem for that engine only.
import fs from 'node:fs';
import { z } from 'zod';
import { CaPemField, headerNameProblem } from '../../common/remoteWrite.js';
import { BasicAuthInFile, durationField, secretRefFields, secretRefOf, secretRefRules } from '../config/provisioningFields.js';
import { resolveSecretRef, secretFilePath, type SecretRef } from '../config/secretRef.js';
import type { SecretStore } from '../secrets/secretStore.js';
import type { EngineAuth, EngineEndpoint } from './engineHttp.js';

/** A secret kept by reference in the file (resolved against its directory), or in the secret store under a key. */
export type EngineSecret = { readonly from: 'file'; readonly ref: SecretRef; readonly baseDir: string } | { readonly from: 'store'; readonly key: string };

export type EngineAuthConfig =
  | { readonly kind: 'none' }
  | { readonly kind: 'bearer'; readonly token: EngineSecret }
  | { readonly kind: 'basic'; readonly username: string; readonly password: EngineSecret };

export interface EngineConnection {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly auth: EngineAuthConfig;
  /** The CA to trust: PEM text (the UI), or a file (the provisioning file, resolved against its directory). */
  readonly ca?: { readonly pem: string } | { readonly file: string; readonly baseDir: string };
  readonly timeoutMs: number;
}

// ---------------------------------------------------------------- the provisioning file's fields

const TlsInFile = z.strictObject({
  /** PEM file of the certificate authorities to trust, relative to the provisioning file. */
  ca_file: z.string({ error: 'must be the path of a PEM file' }).min(1, { error: 'must be the path of a PEM file' }),
});

export const HeadersInFile = z.record(z.string(), z.string({ error: 'a header value must be text' })).superRefine((headers, ctx) => {
  for (const name of Object.keys(headers)) {
    const problem = headerNameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
  }
});

/** Spread into a section's strictObject: URL, bearer token or basic auth by reference, a CA file, a timeout. */
export function engineConnectionFields(defaultTimeout: { minMs: number; maxMs: number }) {
  return {
    url: z.string({ error: 'must be the engine\'s URL, like http://vm.example:8428' }).superRefine((text, ctx) => {
      let u: URL;
      try {
        u = new URL(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a URL like http://vm.example:8428' });
        return;
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: 'must start with http:// or https://' });
      if (u.username || u.password) ctx.addIssue({ code: 'custom', message: 'must not carry a user name or password; use bearer_token_env or basic_auth' });
    }),
    ...secretRefFields('bearer_token'),
    basic_auth: BasicAuthInFile.optional(),
    tls: TlsInFile.optional(),
    timeout: durationField(defaultTimeout).optional(),
  };
}

export const engineConnectionRules = (entry: Record<string, unknown>, ctx: z.RefinementCtx): void => {
  secretRefRules(['bearer_token'])(entry, ctx);
  if (secretRefOf(entry, 'bearer_token') && entry.basic_auth !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['basic_auth'], message: 'give either a bearer token or basic_auth, not both' });
  }
};

/** The connection a validated file entry describes. */
export function engineConnectionFromFile(
  entry: { url: string; basic_auth?: { username: string } & Record<string, unknown>; tls?: { ca_file: string }; timeout?: number } & Record<string, unknown>,
  headers: Readonly<Record<string, string>>,
  baseDir: string,
  defaultTimeoutMs: number,
): EngineConnection {
  const token = secretRefOf(entry, 'bearer_token');
  const password = entry.basic_auth ? secretRefOf(entry.basic_auth, 'password') : undefined;
  const auth: EngineAuthConfig = token
    ? { kind: 'bearer', token: { from: 'file', ref: token, baseDir } }
    : entry.basic_auth && password
      ? { kind: 'basic', username: entry.basic_auth.username, password: { from: 'file', ref: password, baseDir } }
      : { kind: 'none' };
  return {
    url: entry.url,
    headers,
    auth,
    ...(entry.tls ? { ca: { file: entry.tls.ca_file, baseDir } } : {}),
    timeoutMs: entry.timeout ?? defaultTimeoutMs,
  };
}

// ---------------------------------------------------------------- resolving

export type EndpointResolution = { readonly ok: true; readonly endpoint: EngineEndpoint } | { readonly ok: false; readonly problem: string };

async function secretValue(secret: EngineSecret, secrets: SecretStore, what: string): Promise<{ value: string } | { problem: string }> {
  if (secret.from === 'file') {
    const r = resolveSecretRef(secret.ref, { baseDir: secret.baseDir });
    return 'problem' in r ? { problem: `${what}: ${r.problem}` } : r;
  }
  const value = await secrets.get(secret.key);
  return value ? { value } : { problem: `${what} is missing from the secret store; enter it again` };
}

/** The endpoint with its secrets and CA read, or what is missing. The problem never holds a secret. */
export async function resolveEngineEndpoint(connection: EngineConnection, secrets: SecretStore): Promise<EndpointResolution> {
  let auth: EngineAuth = { kind: 'none' };
  if (connection.auth.kind === 'bearer') {
    const token = await secretValue(connection.auth.token, secrets, 'the bearer token');
    if ('problem' in token) return { ok: false, problem: token.problem };
    auth = { kind: 'bearer', token: token.value };
  } else if (connection.auth.kind === 'basic') {
    const password = await secretValue(connection.auth.password, secrets, 'the basic auth password');
    if ('problem' in password) return { ok: false, problem: password.problem };
    auth = { kind: 'basic', username: connection.auth.username, password: password.value };
  }
  let caPem: string | undefined;
  if (connection.ca && 'pem' in connection.ca) caPem = connection.ca.pem;
  else if (connection.ca) {
    const file = secretFilePath(connection.ca.file, connection.ca.baseDir);
    try {
      caPem = fs.readFileSync(file, 'utf8');
    } catch (err) {
      return { ok: false, problem: `the CA file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
    }
    if (!CaPemField.safeParse(caPem).success) return { ok: false, problem: `the CA file ${file} holds no PEM certificate` };
  }
  return { ok: true, endpoint: { url: connection.url, headers: connection.headers, auth, ...(caPem ? { caPem } : {}), timeoutMs: connection.timeoutMs } };
}
