// The provisioning file (`--config FILE`): YAML declaring settings, hosts,
// clouds, alerts, channels and export. Parsing is pure and maps every problem
// back to the file, line, column and field the user wrote; watching is a thin
// loop around it that keeps the last good configuration when an edit breaks
// the file.
//
// This module knows no section but its own shape rules: each feature declares
// the sections it reads (CoreFeature.provisioning), and the composition root
// builds the parser from them. A section is a schema for the section as
// written (snake_case, built from provisioningFields.ts) that transforms into
// what the feature uses, and its value when the file leaves it out.
import fs from 'node:fs';
import path from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import type { ConfigProblem } from '../../common/contract.js';
import { describeYamlValue, isPlaintextSecretKey } from './provisioningFields.js';

export interface ProvisioningSection<Out> {
  /** Its key at the top of the file (`hosts`, `alerts`…). */
  readonly name: string;
  /** The section as written in the file, transforming into what the core uses. */
  readonly schema: z.ZodType<Out>;
  /** The value when the file has no such section. */
  readonly absent: () => Out;
  /** Set by `sectionOfIndependentEntries`: the schema of one list entry. */
  readonly entry?: z.ZodType;
  /**
   * Set by `sectionOfClaimedEntries`: several features share one list (`hosts:`
   * holds SSH hosts and node_exporter targets), each entry going to the
   * first section that claims it, else to the one that claims nothing.
   */
  readonly claims?: (entry: unknown) => boolean;
  /** Where the value is kept when sections share a name (default: the name). */
  readonly key?: string;
}

/** A section validated as a whole: any problem in it (a plaintext secret too) rejects the file. */
export function wholeSection<Out>(name: string, schema: z.ZodType<Out>, absent: () => Out): ProvisioningSection<Out> {
  return { name, schema, absent };
}

/**
 * A list whose entries stand alone: a bad entry (a plaintext secret in it
 * too) is left out with a problem and the others still apply (an invalid
 * alert rule gets a clear error and never stops the others).
 */
export function sectionOfIndependentEntries<Entry>(name: string, entry: z.ZodType<Entry>): ProvisioningSection<Entry[]> {
  return { name, schema: z.array(entry), absent: () => [], entry };
}

/**
 * Entries of a list that another feature's section also reads: those for
 * which `claims` is true are this section's (a bad one is reported and left
 * out, as with independent entries); the rest are the other's.
 */
export function sectionOfClaimedEntries<Entry>(name: string, key: string, claims: (entry: unknown) => boolean, entry: z.ZodType<Entry>): ProvisioningSection<Entry[]> {
  return { name, key, schema: z.array(entry), absent: () => [], entry, claims };
}

// `any`: a list holds sections of every output type; sectionOf recovers each one's.
export type AnySection = ProvisioningSection<any>;

/** An accepted provisioning file: where it is, and each section's value by name. */
export interface ProvisionedConfig {
  /** The file's path as given to the parser (the watcher gives an absolute one). */
  readonly file: string;
  /** Where relative paths in the file (`password_file: secrets/web1`) start: the file's directory. */
  readonly baseDir: string;
  readonly version: 1;
  readonly values: Readonly<Record<string, unknown>>;
  /**
   * Per list of independent entries, the names of the entries this version of
   * the file got wrong (left out of `values`): a reload keeps the last good
   * definition of each (carryLastGood) instead of dropping it.
   */
  readonly failedEntries?: Readonly<Record<string, readonly string[]>>;
}

/** A section's value in an accepted file (its `absent` value when the file leaves it out). */
export function sectionOf<Out>(config: ProvisionedConfig, section: ProvisioningSection<Out>): Out {
  const key = section.key ?? section.name;
  return key in config.values ? (config.values[key] as Out) : section.absent();
}

export interface ProvisioningParse<Config> {
  /** Null when any problem is fatal; the caller keeps its last good configuration. */
  config: Config | null;
  /** Every problem found; with a non-null config these are the ones that only dropped an entry. */
  problems: ConfigProblem[];
}

const SUPPORTED_VERSION = 1;
// A provisioning file for 500 hosts is ~100 KiB; a file far beyond that is a wrong path.
const MAX_FILE_BYTES = 4 * 1024 * 1024;

export type ProvisioningParser = (text: string, file: string) => ProvisioningParse<ProvisionedConfig>;

export function createProvisioningParser(sectionList: readonly AnySection[]): ProvisioningParser {
  // Sections by their name in the file: one each, or several sharing a list whose entries they claim.
  const sections: Record<string, AnySection[]> = {};
  const keys = new Set<string>();
  for (const section of sectionList) {
    const key = section.key ?? section.name;
    if (section.name === 'version' || keys.has(key)) throw new Error(`two provisioning sections are named "${key}"`);
    keys.add(key);
    (sections[section.name] ??= []).push(section);
  }
  for (const [name, group] of Object.entries(sections)) {
    if (group.length > 1 && (group.some((s) => !s.entry) || group.filter((s) => !s.claims).length > 1)) {
      throw new Error(`provisioning sections sharing "${name}" must be lists of entries, all but one claiming theirs`);
    }
    // The one that claims nothing takes what the others leave, so it is asked last.
    group.sort((a, b) => Number(!a.claims) - Number(!b.claims));
  }
  const topLevelShape: Record<string, z.ZodType> = {
    version: z.literal(SUPPORTED_VERSION, { error: `unsupported version; this console reads version ${SUPPORTED_VERSION}` }).optional(),
  };
  const fullShape: Record<string, z.ZodType> = { ...topLevelShape };
  for (const [name, group] of Object.entries(sections)) {
    const section = group[group.length - 1]!;
    // Independent entries are checked one by one after the top level; here the section only has to be a list.
    topLevelShape[name] = (section.entry ? z.array(z.unknown(), { error: 'must be a list' }) : section.schema).optional();
    fullShape[name] = section.schema.optional();
  }
  const topLevel = z.strictObject(topLevelShape);
  // The whole file's schema, only walked to suggest field names.
  const whole = z.strictObject(fullShape);

  return function parseProvisioning(text: string, file: string): ProvisioningParse<ProvisionedConfig> {
    const problems: ConfigProblem[] = [];
    let fatal = false;
    const lineCounter = new LineCounter();
    const at = (offset: number | undefined): Pick<ConfigProblem, 'line' | 'column'> => {
      if (offset === undefined) return {};
      const { line, col } = lineCounter.linePos(offset);
      return { line, column: col };
    };

    // prettyErrors would append a code frame quoting the line, which may hold a secret; we report line/column instead.
    const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    for (const error of doc.errors) problems.push({ file, ...at(error.pos[0]), message: firstLine(error.message) });
    if (doc.errors.length > 0) return { config: null, problems };
    for (const warning of doc.warnings) problems.push({ file, ...at(warning.pos[0]), message: firstLine(warning.message) });

    const root: unknown = doc.contents;
    if (root !== null && !isMap(root)) {
      problems.push({ file, ...at(rangeStart(root)), message: 'the file must be a mapping of sections, like `settings:`' });
      return { config: null, problems };
    }

    // A secret written in the file is refused wherever it is, and never
    // echoed. Inside an entry of a list section (hosts, clouds, alerts,
    // channels) it leaves out only that entry, like any other bad entry;
    // anywhere else (a whole section such as settings or export, a section
    // this version does not know) it refuses the file, whatever the section's
    // schema would have made of the key.
    const secretKeys = new Set<string>();
    /** Per list section, the indexes of the entries that hold a plaintext secret. */
    const entriesWithSecrets = new Map<string, Set<number>>();
    for (const found of findPlaintextSecretKeys(root, [])) {
      secretKeys.add(fieldName(found.path));
      const key = String(found.path[found.path.length - 1]);
      problems.push({
        file,
        ...at(found.offset),
        field: fieldName(found.path),
        message: `\`${key}\` would keep a secret in plaintext in the file; use \`${key}_env\` (the name of an environment variable) or \`${key}_file\` (the path of a file holding it) instead`,
      });
      const [sectionName, index] = found.path;
      const group = typeof sectionName === 'string' && Object.hasOwn(sections, sectionName) ? sections[sectionName] : undefined;
      if (group?.[0]?.entry && typeof sectionName === 'string' && typeof index === 'number') {
        const indexes = entriesWithSecrets.get(sectionName) ?? new Set<number>();
        indexes.add(index);
        entriesWithSecrets.set(sectionName, indexes);
      } else {
        fatal = true;
      }
    }

    let data: unknown;
    try {
      // maxAliasCount guards against "billion laughs" alias expansion.
      data = doc.toJS({ maxAliasCount: 100 }) ?? {};
    } catch (err) {
      problems.push({ file, message: firstLine((err as Error).message) });
      return { config: null, problems };
    }
    // `settings:` with every line below it commented out is an empty section, not an error.
    for (const name of Object.keys(sections)) {
      if ((data as Record<string, unknown>)[name] === null) delete (data as Record<string, unknown>)[name];
    }

    // `entrySchema`: the schema the issues came from when it is one list entry's (its field names are the ones to suggest).
    const report = (issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[], entrySchema?: z.ZodType): number => {
      let added = 0;
      for (const issue of issues) {
        const issuePath = [...prefix, ...issue.path];
        if (issue.code === 'unrecognized_keys') {
          for (const key of issue.keys) {
            const keyPath = [...issuePath, key];
            if (secretKeys.has(fieldName(keyPath))) continue;
            const known = entrySchema ? knownKeysAt(entrySchema, [...issue.path]) : knownKeysAt(whole, issuePath);
            problems.push({ file, ...at(locate(root, keyPath).keyOffset), field: fieldName(keyPath), message: unknownFieldMessage(key, known) });
            added++;
          }
        } else {
          problems.push({ file, ...at(locate(root, issuePath).valueOffset), field: fieldName(issuePath) || undefined, message: issue.message });
          added++;
        }
      }
      return added;
    };

    const top = topLevel.safeParse(data, { error: describeIssue });
    if (!top.success) {
      if (report(top.error.issues, []) > 0) fatal = true;
    }
    if (fatal || !top.success) return { config: null, problems };

    const parsed = top.data as Record<string, unknown>;
    const values: Record<string, unknown> = {};
    // Keyed like `values` (a section's key), so carryLastGood finds the entries it replaces.
    const failedEntries: Record<string, string[]> = {};
    for (const [name, group] of Object.entries(sections)) {
      const value = parsed[name];
      if (value === undefined) {
        for (const section of group) values[section.key ?? section.name] = section.absent();
      } else if (group[0]!.entry) {
        const kept = new Map<AnySection, unknown[]>(group.map((section) => [section, []]));
        const withSecrets = entriesWithSecrets.get(name);
        (value as unknown[]).forEach((entryInFile, index) => {
          const section = group.find((s) => !s.claims || s.claims(entryInFile));
          if (!section) {
            problems.push({ file, ...at(locate(root, [name, index]).valueOffset), field: fieldName([name, index]), message: 'is none of the kinds of entry this list holds' });
            return;
          }
          const entry = section.entry!.safeParse(entryInFile, { error: describeIssue });
          // Its other problems are reported too, so one edit can fix them all. An entry
          // holding a plaintext secret is left out like an invalid one (its last good
          // definition stays on a reload).
          if (entry.success && !withSecrets?.has(index)) kept.get(section)!.push(entry.data);
          else {
            if (!entry.success) report(entry.error.issues, [name, index], group.length > 1 ? section.entry : undefined);
            const entryName = (entryInFile as { name?: unknown } | null)?.name;
            if (typeof entryName === 'string' && entryName !== '') (failedEntries[section.key ?? section.name] ??= []).push(entryName);
          }
        });
        for (const section of group) values[section.key ?? section.name] = kept.get(section);
      } else {
        values[name] = value;
      }
    }
    return {
      config: { file, baseDir: path.dirname(path.resolve(file)), version: SUPPORTED_VERSION, values, ...(Object.keys(failedEntries).length ? { failedEntries } : {}) },
      problems,
    };
  };
}

// ---------------------------------------------------------------- messages and locations

const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: '`true` or `false`',
  object: 'a mapping',
  array: 'a list',
};

/** Zod's messages speak JavaScript ("expected object, received array"); the user wrote YAML. */
export function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'invalid_type') {
    const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
    if (issue.input === undefined) return `is required (${expected})`;
    return `must be ${expected}, not ${describeYamlValue(issue.input)}`;
  }
  return undefined;
}

export function unknownFieldMessage(key: string, known: string[]): string {
  const closest = closestName(key, known);
  if (closest) return `unknown field \`${key}\` — did you mean \`${closest}\`?`;
  if (known.length > 0) return `unknown field \`${key}\`; expected one of: ${known.join(', ')}`;
  return `unknown field \`${key}\``;
}

function closestName(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(key.length / 3)) ? best : undefined;
}

/** Optimal string alignment distance: edits plus swaps of neighbours, the commonest typo (`nmae`). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/** Field names of the object schema at `at`, seen through optional/default/pipe/array wrappers. */
export function knownKeysAt(schema: z.ZodType, at: PropertyKey[]): string[] {
  let current: z.core.$ZodType | undefined = schema;
  const steps = [...at];
  while (current) {
    const def = current._zod.def as unknown as Record<string, unknown> & { type: string };
    if (['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type)) {
      current = def.innerType as z.core.$ZodType;
    } else if (def.type === 'pipe') {
      current = def.in as z.core.$ZodType;
    } else if (steps.length === 0) {
      return def.type === 'object' ? Object.keys(def.shape as object) : [];
    } else if (def.type === 'object') {
      current = (def.shape as Record<string, z.core.$ZodType>)[String(steps.shift())];
    } else if (def.type === 'array') {
      steps.shift();
      current = def.element as z.core.$ZodType;
    } else {
      return [];
    }
  }
  return [];
}

export function fieldName(at: readonly PropertyKey[]): string {
  let out = '';
  for (const step of at) out += typeof step === 'number' ? `[${step}]` : out === '' ? String(step) : `.${String(step)}`;
  return out;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? range[0] : undefined;
}

/** Offsets of the YAML node at `at` and of its key; stops at the deepest node that exists. */
export function locate(root: unknown, at: readonly PropertyKey[]): { valueOffset?: number; keyOffset?: number } {
  let node = root;
  let valueOffset = rangeStart(root);
  let keyOffset: number | undefined;
  for (const step of at) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(step));
      if (!pair) break;
      keyOffset = rangeStart(pair.key);
      // An empty value (`poll_interval:`) is a null scalar placed after the colon; its key stands for it.
      const empty = pair.value === null || (isScalar(pair.value) && pair.value.value === null && pair.value.source === '');
      valueOffset = empty ? keyOffset : (rangeStart(pair.value) ?? keyOffset);
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number') {
      const item = node.items[step];
      if (item === undefined) break;
      keyOffset = undefined;
      valueOffset = rangeStart(item) ?? valueOffset;
      node = item;
    } else {
      break;
    }
  }
  return { valueOffset, keyOffset: keyOffset ?? valueOffset };
}

function* findPlaintextSecretKeys(node: unknown, at: PropertyKey[]): Generator<{ path: PropertyKey[]; offset?: number }> {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      const keyPath = [...at, key];
      if (isPlaintextSecretKey(key)) yield { path: keyPath, offset: rangeStart(pair.key) };
      else yield* findPlaintextSecretKeys(pair.value, keyPath);
    }
  } else if (isSeq(node)) {
    for (const [index, item] of node.items.entries()) yield* findPlaintextSecretKeys(item, [...at, index]);
  }
}

export function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/:$/, '');
}

// ---------------------------------------------------------------- watching the file

export interface ProvisioningResult {
  /** Absolute path of the file. */
  file: string;
  /** The configuration in effect: the file's latest contents when they were accepted, else the last good one (null if there never was one). */
  config: ProvisionedConfig | null;
  /** Problems with the file's latest contents (when they were rejected, these say why, and the last one says what stays in effect). */
  problems: ConfigProblem[];
  /** Whether the latest contents became `config`; false when they were rejected or the file is missing. */
  applied: boolean;
  /** When `config` was read (ms since the epoch); null without one. */
  loadedAt: number | null;
  /** When the file was last read. */
  checkedAt: number;
}

export interface ProvisioningWatchOptions {
  /** Editors write in several steps (truncate, write, rename); wait this long after the last event. */
  debounceMs?: number;
  /**
   * Also re-read this often: inotify misses changes on network file systems
   * and on files bind-mounted into containers. Reading a small file is cheap,
   * and unchanged contents are not reported again.
   */
  pollMs?: number;
  now?: () => number;
}

export interface ProvisioningWatcher {
  /** The latest result (also passed to onResult). */
  current(): ProvisioningResult;
  close(): void;
}

type FileRead = { kind: 'text'; text: string } | { kind: 'missing' } | { kind: 'unreadable'; message: string };

/**
 * Reads `file` now (calling onResult before returning) and again whenever it
 * changes. Watches the directory, not the file: editors and `kubectl`-style
 * config maps replace the file by renaming over it, which ends a watch on the
 * file itself.
 */
/**
 * A reload where an entry of a list (a host, a cloud account, a rule, a
 * channel) became invalid keeps that entry's last good definition, so a typo
 * does not remove a host or silence a rule; each one kept is reported by
 * name. An entry removed from the file is gone; one that is valid again
 * replaces the kept one. Entries are matched by their `name`.
 */
export function carryLastGood(previous: ProvisionedConfig, next: ProvisionedConfig): { config: ProvisionedConfig; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  if (!next.failedEntries) return { config: next, problems };
  const values: Record<string, unknown> = { ...next.values };
  for (const [section, names] of Object.entries(next.failedEntries)) {
    const before = previous.values[section];
    const now = values[section];
    if (!Array.isArray(before) || !Array.isArray(now)) continue;
    const nameOf = (e: unknown) => (e as { name?: unknown } | null)?.name;
    const present = new Set(now.map(nameOf));
    const carried: unknown[] = [];
    for (const name of new Set(names)) {
      if (present.has(name)) continue; // another entry of that name is valid: it is the one in effect
      const last = before.find((e) => nameOf(e) === name);
      if (last === undefined) continue;
      carried.push(last);
      problems.push({ file: next.file, field: section.split(':')[0]!, message: `${name}: this version of the entry is invalid (see above); its last good definition stays in effect until it is fixed` });
    }
    if (carried.length) values[section] = [...now, ...carried];
  }
  return { config: { ...next, values }, problems };
}

export function watchProvisioningFile(
  file: string,
  parse: ProvisioningParser,
  onResult: (load: ProvisioningResult) => void,
  options: ProvisioningWatchOptions = {},
): ProvisioningWatcher {
  const absolute = path.resolve(file);
  const directory = path.dirname(absolute);
  const debounceMs = options.debounceMs ?? 200;
  const pollMs = options.pollMs ?? 5000;
  const now = options.now ?? Date.now;

  let lastRead: FileRead | undefined;
  let lastGood: { config: ProvisionedConfig; loadedAt: number } | null = null;
  let latest: ProvisioningResult;
  let closed = false;
  let debounce: NodeJS.Timeout | undefined;
  let watcher: fs.FSWatcher | undefined;

  const check = (): void => {
    if (closed) return;
    const read = readProvisioningFile(absolute);
    if (lastRead && sameRead(lastRead, read)) return;
    lastRead = read;
    const checkedAt = now();
    let problems: ConfigProblem[];
    let config: ProvisionedConfig | null = null;
    if (read.kind === 'text') {
      ({ config, problems } = parse(read.text, absolute));
    } else if (read.kind === 'missing') {
      problems = [{ file: absolute, message: 'the file does not exist' }];
    } else {
      problems = [{ file: absolute, message: read.message }];
    }
    if (config) {
      if (lastGood) {
        const carried = carryLastGood(lastGood.config, config);
        config = carried.config;
        problems.push(...carried.problems);
      }
      lastGood = { config, loadedAt: checkedAt };
    } else if (lastGood) {
      problems.push({ file: absolute, message: `not applied; the configuration loaded at ${new Date(lastGood.loadedAt).toISOString()} stays in effect` });
    } else {
      problems.push({ file: absolute, message: 'not applied; nothing from this file is in effect until it is fixed' });
    }
    latest = { file: absolute, config: lastGood?.config ?? null, problems, applied: config !== null, loadedAt: lastGood?.loadedAt ?? null, checkedAt };
    onResult(latest);
  };

  const schedule = (): void => {
    if (closed) return;
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(() => {
      debounce = undefined;
      ensureWatching();
      check();
    }, debounceMs);
    debounce.unref();
  };

  // The directory itself may be missing (a volume not mounted yet) or be
  // replaced; the poll re-attaches the watch when it can.
  const ensureWatching = (): void => {
    if (watcher || closed) return;
    try {
      watcher = fs.watch(directory, { persistent: false }, schedule);
      watcher.on('error', () => {
        watcher?.close();
        watcher = undefined;
        schedule();
      });
    } catch {
      watcher = undefined;
    }
  };

  ensureWatching();
  check();
  const poll = setInterval(() => {
    ensureWatching();
    check();
  }, pollMs);
  poll.unref();

  return {
    current: () => latest,
    close: () => {
      closed = true;
      if (debounce) clearTimeout(debounce);
      clearInterval(poll);
      watcher?.close();
      watcher = undefined;
    },
  };
}

function readProvisioningFile(file: string): FileRead {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return { kind: 'unreadable', message: 'not a regular file' };
    if (stat.size > MAX_FILE_BYTES) return { kind: 'unreadable', message: `the file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB` };
    return { kind: 'text', text: fs.readFileSync(file, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    return { kind: 'unreadable', message: code === 'EACCES' ? 'the file cannot be read (permission denied)' : `the file cannot be read (${code ?? 'error'})` };
  }
}

function sameRead(a: FileRead, b: FileRead): boolean {
  if (a.kind === 'text' && b.kind === 'text') return a.text === b.text;
  if (a.kind === 'unreadable' && b.kind === 'unreadable') return a.message === b.message;
  return a.kind === b.kind;
}
