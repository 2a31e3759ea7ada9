// Building blocks for the sections of the provisioning file, so that every
// section (settings now; hosts, clouds, alerts, channels, export later) reads
// durations and secret references the same way and reports the same errors.
// Messages never repeat a value that could be a secret.
import { z } from 'zod';
import { formatDuration, parseDuration } from './duration.js';
import type { SecretRef } from './secretRef.js';

export interface DurationFieldOptions {
  /** Inclusive bounds in milliseconds. */
  minMs: number;
  maxMs: number;
  /**
   * What a bare number means (`poll_interval: 5` → 5 seconds). Without it a bare
   * number is an error that asks for a unit: `raw: 48` could mean hours or days.
   */
  bareNumberUnit?: 'seconds';
}

/** A duration written as `5s`/`48h`/`1h30m` (or a bare number of seconds where allowed), parsed to milliseconds. */
export function durationField(options: DurationFieldOptions) {
  return z.unknown().transform((input, ctx): number => {
    let ms: number;
    if (typeof input === 'number' && options.bareNumberUnit === 'seconds') {
      if (!Number.isFinite(input) || input < 0) {
        ctx.addIssue({ code: 'custom', message: 'must be a positive number of seconds or a duration like 5s' });
        return z.NEVER;
      }
      ms = input * 1000;
    } else if (typeof input === 'number') {
      ctx.addIssue({ code: 'custom', message: `\`${input}\` has no unit; write it like ${input}h or ${input}d` });
      return z.NEVER;
    } else if (typeof input === 'string') {
      const parsed = parseDuration(input);
      if (!parsed.ok) {
        ctx.addIssue({ code: 'custom', message: parsed.error });
        return z.NEVER;
      }
      ms = parsed.ms;
    } else {
      ctx.addIssue({ code: 'custom', message: `must be a duration like 5s, 2m, 48h or 30d, not ${describeYamlValue(input)}` });
      return z.NEVER;
    }
    if (ms < options.minMs || ms > options.maxMs) {
      ctx.addIssue({
        code: 'custom',
        message: `must be between ${formatDuration(options.minMs)} and ${formatDuration(options.maxMs)} (got ${formatDuration(ms)})`,
      });
      return z.NEVER;
    }
    return Math.round(ms);
  });
}

// POSIX names environment variables with letters, digits and underscores
// (IEEE Std 1003.1, 8.1). The message does not echo the value: a user who
// pasted the secret itself into `password_env` must not see it in a log.
const EnvVarName = z
  .string({ error: 'must be the name of an environment variable' })
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
    error: 'is not an environment variable name (letters, digits and _, not starting with a digit); put the secret in the environment and its name here',
  });

const SecretFilePath = z.string({ error: 'must be the path of a file' }).min(1, { error: 'must be the path of a file' });

type SecretRefShape<Name extends string> = { [K in `${Name}_env`]: z.ZodOptional<typeof EnvVarName> } & {
  [K in `${Name}_file`]: z.ZodOptional<typeof SecretFilePath>;
};

/**
 * The two ways to give a secret: `<name>_env` (an environment variable's name)
 * and `<name>_file` (a file path, relative to the provisioning file). Spread into
 * a section's object: `z.strictObject({ name: …, ...secretRefFields('password') })`,
 * then check with `secretRefRules` and read with `secretRefOf`.
 */
export function secretRefFields<const Name extends string>(name: Name): SecretRefShape<Name> {
  return { [`${name}_env`]: EnvVarName.optional(), [`${name}_file`]: SecretFilePath.optional() } as SecretRefShape<Name>;
}

type WithSecretRefs = Record<string, unknown>;

/**
 * A superRefine for objects with secret references: at most one source per
 * secret, and the ones listed in `required` must have one.
 */
export function secretRefRules(names: readonly string[], required: readonly string[] = []) {
  return (entry: WithSecretRefs, ctx: z.RefinementCtx): void => {
    for (const name of names) {
      const env = entry[`${name}_env`];
      const file = entry[`${name}_file`];
      if (env !== undefined && file !== undefined) {
        ctx.addIssue({ code: 'custom', path: [`${name}_file`], message: `give either \`${name}_env\` or \`${name}_file\`, not both` });
      } else if (env === undefined && file === undefined && required.includes(name)) {
        ctx.addIssue({ code: 'custom', path: [], message: `needs \`${name}_env\` (an environment variable's name) or \`${name}_file\` (a file path)` });
      }
    }
  };
}

/** The reference for `name` in a validated entry, or undefined when the entry gives none. */
export function secretRefOf(entry: WithSecretRefs, name: string): SecretRef | undefined {
  const env = entry[`${name}_env`];
  const file = entry[`${name}_file`];
  if (typeof env === 'string') return { env };
  if (typeof file === 'string') return { file };
  return undefined;
}

/**
 * `basic_auth: { username: prometheus, password_env: … }` — the same block in
 * every section that speaks HTTP (the export, remote-write and history
 * engines, node_exporter targets): a user name and the password by reference.
 */
export const BasicAuthInFile = z
  .strictObject({
    username: z
      .string({ error: 'must be a user name' })
      .min(1, { error: 'must be a user name' })
      .max(256, { error: 'is too long for a user name' })
      // RFC 7617 §2: the user-id cannot contain a colon.
      .refine((name) => !name.includes(':'), { error: 'cannot contain ":" (RFC 7617)' }),
    ...secretRefFields('password'),
  })
  .superRefine(secretRefRules(['password'], ['password']));

// Keys that would hold a secret's value. `host_key` (a public key pin),
// `access_key_id` and `secret_id` (identifiers) are not secrets and don't match.
const PLAINTEXT_SECRET_KEY = /(^|_)(password|passphrase|passwd|secret|token|secret_key|api_key|private_key|credentials?)$/i;

/** True for a key such as `password` or `access_key_secret` whose value would be a secret written in the file. */
export function isPlaintextSecretKey(key: string): boolean {
  return PLAINTEXT_SECRET_KEY.test(key);
}

/** "a list", "a number"… — the kind of a YAML value for messages, never the value itself. */
export function describeYamlValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'text';
    case 'number':
      return 'a number';
    case 'boolean':
      return `\`${value}\``;
    case 'object':
      return 'a mapping';
    default:
      return `a ${typeof value}`;
  }
}
