// A list of named things the user added in the UI (SSH hosts, cloud
// accounts), kept as `{ version: 1, <key>: [...] }` in a JSON file of the data
// dir. Never any secret: those live in the secret store. Each entry is
// validated on its own, so one damaged entry is left out with a problem and
// the others load; a file that is not such a list at all is set aside
// (dataFile.ts), never overwritten.
import path from 'node:path';
import { z } from 'zod';
import { readJsonDataFile, writeJsonDataFile } from '../dataFile.js';

export interface StoredListFile<Entry extends { readonly name: string }> {
  /** The entries, and what was wrong (for the log): a damaged file (set aside) or entries left out. */
  load(dataDir: string): { entries: Entry[]; problems: string[] };
  /** Written through a temp file and rename, so a crash never leaves half a file. */
  save(dataDir: string, entries: readonly Entry[]): void;
}

export function storedListFile<Entry extends { readonly name: string }>(spec: {
  /** `hosts.json` */
  readonly file: string;
  /** The list's key in the file: `hosts`. */
  readonly key: string;
  /** For messages: `host`, `account`. */
  readonly what: string;
  readonly entry: z.ZodType<Entry>;
}): StoredListFile<Entry> {
  const fileSchema = z.object({ version: z.literal(1), [spec.key]: z.array(z.unknown()) });
  return {
    load(dataDir) {
      const file = path.join(dataDir, spec.file);
      const read = readJsonDataFile(file, (value) => {
        const result = fileSchema.safeParse(value);
        if (!result.success) throw new Error(`not a list of ${spec.what}s of version 1`);
        return result.data[spec.key] as unknown[];
      });
      if (read.state === 'missing') return { entries: [], problems: [] };
      if (read.state === 'unreadable') return { entries: [], problems: [read.problem] };
      if (read.state === 'set_aside') return { entries: [], problems: [`${read.problem}; no ${spec.what}s from the UI were loaded`] };
      const entries: Entry[] = [];
      const problems: string[] = [];
      const seen = new Set<string>();
      read.value.forEach((raw, index) => {
        const parsed = spec.entry.safeParse(raw);
        if (!parsed.success) problems.push(`${file}: ${spec.what} #${index + 1} left out: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
        else if (seen.has(parsed.data.name)) problems.push(`${file}: ${spec.what} #${index + 1} left out: the name ${parsed.data.name} is used twice`);
        else {
          seen.add(parsed.data.name);
          entries.push(parsed.data);
        }
      });
      return { entries, problems };
    },
    save(dataDir, entries) {
      writeJsonDataFile(path.join(dataDir, spec.file), { version: 1, [spec.key]: entries });
    },
  };
}
