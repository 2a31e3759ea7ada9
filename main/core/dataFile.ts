// Small JSON files the console keeps in its data dir (settings.json,
// export.json, hosts.json). Written through a temp file and a rename, so a
// crash never leaves half a file; read back through a parser, and a file that
// does not parse is moved aside (kept for the user to inspect, never
// overwritten) so the console starts with defaults instead of refusing to start.
import fs from 'node:fs';

export type DataFileRead<T> =
  | { readonly state: 'missing' }
  | { readonly state: 'ok'; readonly value: T }
  | { readonly state: 'unreadable'; readonly problem: string }
  | { readonly state: 'set_aside'; readonly problem: string; readonly movedTo: string };

/** `parse` throws an Error saying what is wrong with the content. */
export function readJsonDataFile<T>(file: string, parse: (value: unknown) => T): DataFileRead<T> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { state: 'missing' };
    return { state: 'unreadable', problem: `${file} cannot be read (${code ?? 'error'})` };
  }
  try {
    return { state: 'ok', value: parse(JSON.parse(text)) };
  } catch (err) {
    const movedTo = `${file}.invalid-${Date.now()}`;
    fs.renameSync(file, movedTo);
    const reason = (err as Error).message.split('\n')[0]!.slice(0, 200);
    return { state: 'set_aside', movedTo, problem: `${file} was invalid (${reason}); moved to ${movedTo}` };
  }
}

export function writeJsonDataFile(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/**
 * Creates a SQLite database file readable by its owner only (0600, like the
 * secret store), or narrows an existing one to 0600, before SQLite opens it.
 * SQLite creates a new database 0644 (less the umask) and gives its -wal and
 * -shm files the database file's own permissions (os_unix.c,
 * findCreateFileMode), so creating the main file 0600 covers all three; the
 * side files of a database created by an earlier build are narrowed too.
 */
export function preparePrivateDatabaseFile(file: string): void {
  if (file === ':memory:' || file === '') return;
  fs.closeSync(fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    try {
      if ((fs.statSync(f).mode & 0o077) !== 0) fs.chmodSync(f, 0o600);
    } catch {
      // A side file that does not exist (yet) gets the main file's mode when SQLite creates it.
    }
  }
}
