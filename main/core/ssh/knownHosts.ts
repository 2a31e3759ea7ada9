// OpenSSH known_hosts, as sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT" describes it:
//   [marker] hostpatterns keytype base64-key [comment]
// hostpatterns: comma list of names with * and ? wildcards and ! negation, a
// port other than 22 written "[host]:port", or one hashed name
// "|1|base64(salt)|base64(HMAC-SHA1(salt, name))" (ssh-keygen -H).
// Markers: "@revoked" (this key is never accepted) and "@cert-authority" (a CA
// that signs host certificates; ssh2 does not verify host certificates, so
// those lines are kept but never match a plain key).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type KnownHostMarker = 'revoked' | 'cert-authority';

export interface KnownHostEntry {
  readonly marker?: KnownHostMarker;
  /** Plain patterns (comma list split), empty for a hashed entry. */
  readonly patterns: readonly string[];
  readonly hashed?: { readonly salt: Buffer; readonly hash: Buffer };
  readonly keyType: string;
  /** base64 of the key blob, as written in the file. */
  readonly key: string;
  readonly line: number;
  /** Where the entry came from, for messages ("~/.ssh/known_hosts:12"). */
  readonly source?: string;
}

export interface KnownHostsParse {
  readonly entries: KnownHostEntry[];
  /** Lines that could not be read, with the reason; never fatal. */
  readonly problems: string[];
}

export function parseKnownHosts(text: string, source?: string): KnownHostsParse {
  const entries: KnownHostEntry[] = [];
  const problems: string[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    const fields = trimmed.split(/\s+/);
    let marker: KnownHostMarker | undefined;
    if (fields[0]!.startsWith('@')) {
      const m = fields.shift()!;
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else {
        problems.push(`line ${lineNo}: unknown marker ${m}`);
        return;
      }
    }
    if (fields.length < 3) {
      problems.push(`line ${lineNo}: expected "hosts keytype key", got ${fields.length} fields`);
      return;
    }
    const [hostsField, keyType, key] = fields as [string, string, string];
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key)) {
      problems.push(`line ${lineNo}: key is not base64`);
      return;
    }
    // The blob names its own type first (RFC 4253 §6.6); a line whose blob
    // disagrees with its type field is damaged, not a key.
    if (keyTypeOfBlob(Buffer.from(key, 'base64')) !== keyType) {
      problems.push(`line ${lineNo}: key does not decode to a ${keyType.slice(0, 40)} key`);
      return;
    }
    const common = { keyType, key, line: lineNo, ...(marker ? { marker } : {}), ...(source ? { source } : {}) };
    if (hostsField.startsWith('|1|')) {
      const parts = hostsField.split('|');
      // ['', '1', salt, hash]
      if (parts.length !== 4) {
        problems.push(`line ${lineNo}: malformed hashed host name`);
        return;
      }
      const salt = Buffer.from(parts[2]!, 'base64');
      const hash = Buffer.from(parts[3]!, 'base64');
      if (salt.length !== 20 || hash.length !== 20) {
        problems.push(`line ${lineNo}: hashed host name has a ${salt.length}-byte salt and ${hash.length}-byte hash, expected 20 and 20`);
        return;
      }
      entries.push({ ...common, patterns: [], hashed: { salt, hash } });
      return;
    }
    if (hostsField.startsWith('|')) {
      problems.push(`line ${lineNo}: unsupported hashed host name format`);
      return;
    }
    entries.push({ ...common, patterns: hostsField.split(',').filter(Boolean) });
  });
  return { entries, problems };
}

/** The name known_hosts uses for host:port: "host" for port 22, else "[host]:port". */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Shell-style * and ? match, case-insensitive as host names are (match.c match_pattern in OpenSSH). */
export function wildcardMatch(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase();
  const s = name.toLowerCase();
  // Iterative matcher with backtracking on the last '*'.
  let pi = 0;
  let si = 0;
  let starP = -1;
  let starS = 0;
  while (si < s.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === s[si])) {
      pi++;
      si++;
    } else if (pi < p.length && p[pi] === '*') {
      starP = pi++;
      starS = si;
    } else if (starP >= 0) {
      pi = starP + 1;
      si = ++starS;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/**
 * A comma list of patterns against a name: a negated pattern that matches
 * wins outright ("no"), otherwise any positive match is a match
 * (OpenSSH match_hostname semantics).
 */
export function patternListMatches(patterns: readonly string[], name: string): boolean {
  let matched = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (wildcardMatch(pattern.slice(1), name)) return false;
    } else if (wildcardMatch(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

export function hashHostName(name: string, salt: Buffer): Buffer {
  return crypto.createHmac('sha1', salt).update(name).digest();
}

/** The "|1|salt|hash" form ssh-keygen -H writes, with a fresh salt. */
export function hashedHostField(name: string, salt: Buffer = crypto.randomBytes(20)): string {
  return `|1|${salt.toString('base64')}|${hashHostName(name, salt).toString('base64')}`;
}

export function entryMatchesHost(entry: KnownHostEntry, host: string, port: number): boolean {
  const name = knownHostsName(host, port);
  if (entry.hashed) {
    return crypto.timingSafeEqual(hashHostName(name, entry.hashed.salt), entry.hashed.hash);
  }
  return patternListMatches(entry.patterns, name);
}

export type HostKeyCheck = 'match' | 'unknown' | 'changed' | 'revoked';

/**
 * What the entries say about the key a server presented:
 * - 'revoked': a @revoked line lists this key (for any host, as OpenSSH does);
 * - 'match': a line for this host holds this exact key;
 * - 'changed': the host is known but with other keys only. OpenSSH treats a
 *   differing key of the same type as changed; a host known only under other
 *   key types is changed here too, because the connection prefers the known
 *   types (see preferredHostKeyAlgorithms), so reaching this means the server
 *   no longer offers its known key;
 * - 'unknown': no line for this host.
 */
export function checkHostKey(entries: readonly KnownHostEntry[], host: string, port: number, keyType: string, keyBlob: Buffer | string): HostKeyCheck {
  const key = typeof keyBlob === 'string' ? keyBlob : keyBlob.toString('base64');
  if (entries.some((e) => e.marker === 'revoked' && e.key === key)) return 'revoked';
  let known = false;
  for (const entry of entries) {
    if (entry.marker) continue;
    if (!entryMatchesHost(entry, host, port)) continue;
    known = true;
    if (entry.keyType === keyType && entry.key === key) return 'match';
  }
  return known ? 'changed' : 'unknown';
}

/** Key types the entries hold for this host, for ordering the host key algorithms offered. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], host: string, port: number): string[] {
  const types = new Set<string>();
  for (const entry of entries) {
    if (!entry.marker && entryMatchesHost(entry, host, port)) types.add(entry.keyType);
  }
  return [...types];
}

/** "SHA256:" + unpadded base64 of the SHA-256 of the key blob, as ssh-keygen -l prints. */
export function sha256Fingerprint(keyBlob: Buffer | string): string {
  const blob = typeof keyBlob === 'string' ? Buffer.from(keyBlob, 'base64') : keyBlob;
  return 'SHA256:' + crypto.createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/** Normalises a user-typed pin ("SHA256:abc…", with or without padding) for comparison. */
export function normaliseFingerprint(pin: string): string {
  const trimmed = pin.trim();
  const body = trimmed.replace(/^SHA256:/i, '').replace(/=+$/, '');
  return 'SHA256:' + body;
}

/** The key type named inside an SSH wire-format public key blob (RFC 4253 §6.6: string type, …). */
export function keyTypeOfBlob(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const len = blob.readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > blob.length) return undefined;
  const type = blob.subarray(4, 4 + len).toString('latin1');
  return /^[\x21-\x7e]+$/.test(type) ? type : undefined;
}

// ---------------------------------------------------------------------------
// The layered store: the user's own known_hosts (read only, never written) and
// the console's file in the data dir holding the keys the user accepted here.

export interface HostKeyStoreOptions {
  /** The console's own known_hosts file (created on first accept). */
  readonly consoleFile: string;
  /** Read-only files, typically ~/.ssh/known_hosts; missing files are fine. */
  readonly userFiles?: readonly string[];
}

export interface HostKeyVerdict {
  readonly result: HostKeyCheck;
  /** Which layer decided: 'console' (accepted in Overlook), 'user' (~/.ssh/known_hosts), 'pin' or 'none'. */
  readonly decidedBy: 'console' | 'user' | 'pin' | 'none';
}

function readEntries(file: string): KnownHostEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return parseKnownHosts(text, file).entries;
}

export class HostKeyStore {
  constructor(private readonly options: HostKeyStoreOptions) {}

  get consoleFile(): string {
    return this.options.consoleFile;
  }

  /**
   * The console file, when it knows the host, is authoritative: the user
   * deliberately accepted a new key there after a change, and the stale key
   * in ~/.ssh/known_hosts (which we never edit) must not keep blocking it.
   * A @revoked line in either file always wins.
   */
  check(host: string, port: number, keyType: string, keyBlob: Buffer | string, pin?: string): HostKeyVerdict {
    const consoleEntries = readEntries(this.options.consoleFile);
    const userEntries = (this.options.userFiles ?? []).flatMap(readEntries);
    const key = typeof keyBlob === 'string' ? keyBlob : keyBlob.toString('base64');
    if ([...consoleEntries, ...userEntries].some((e) => e.marker === 'revoked' && e.key === key)) {
      return { result: 'revoked', decidedBy: consoleEntries.some((e) => e.marker === 'revoked' && e.key === key) ? 'console' : 'user' };
    }
    if (pin) {
      return { result: normaliseFingerprint(pin) === sha256Fingerprint(key) ? 'match' : 'changed', decidedBy: 'pin' };
    }
    const fromConsole = checkHostKey(consoleEntries, host, port, keyType, key);
    if (fromConsole !== 'unknown') return { result: fromConsole, decidedBy: 'console' };
    const fromUser = checkHostKey(userEntries, host, port, keyType, key);
    return { result: fromUser, decidedBy: fromUser === 'unknown' ? 'none' : 'user' };
  }

  /** Key types known for the host across both layers (console first). */
  knownTypes(host: string, port: number): string[] {
    const consoleTypes = knownKeyTypes(readEntries(this.options.consoleFile), host, port);
    if (consoleTypes.length) return consoleTypes;
    return knownKeyTypes((this.options.userFiles ?? []).flatMap(readEntries), host, port);
  }

  /**
   * Records a key the user accepted for host:port in the console file,
   * replacing the console's earlier lines for that host (a deliberate accept
   * after a change). Written via a temp file and rename so a crash never
   * leaves half a file.
   */
  accept(host: string, port: number, keyType: string, keyBlob: Buffer | string): void {
    const key = typeof keyBlob === 'string' ? keyBlob : keyBlob.toString('base64');
    if (!/^[\x21-\x7e]+$/.test(keyType) || !/^[A-Za-z0-9+/]+={0,2}$/.test(key)) {
      throw new Error('refusing to record a malformed host key');
    }
    if (/[\s,#|]/.test(host)) throw new Error(`refusing to record host name with whitespace or separators: ${JSON.stringify(host)}`);
    const file = this.options.consoleFile;
    let existing = '';
    try {
      existing = fs.readFileSync(file, 'utf8');
    } catch {
      existing = '# Host keys accepted in Overlook (OpenSSH known_hosts format). ~/.ssh/known_hosts is never written.\n';
    }
    const parsed = parseKnownHosts(existing);
    const dropLines = new Set(parsed.entries.filter((e) => !e.marker && entryMatchesHost(e, host, port)).map((e) => e.line));
    const kept = existing.split(/\r?\n/).filter((_, i) => !dropLines.has(i + 1));
    while (kept.length && kept[kept.length - 1] === '') kept.pop();
    kept.push(`${knownHostsName(host, port)} ${keyType} ${key}`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, kept.join('\n') + '\n', { mode: 0o600 });
    fs.renameSync(tmp, file);
  }
}

/**
 * The console's store: accepted keys in <dataDir>/known_hosts, and the user's
 * ~/.ssh/known_hosts and known_hosts2 (OpenSSH's default UserKnownHostsFile)
 * read only.
 */
export function createConsoleHostKeyStore(dataDir: string, home: string = os.homedir()): HostKeyStore {
  return new HostKeyStore({
    consoleFile: path.join(dataDir, 'known_hosts'),
    userFiles: [path.join(home, '.ssh', 'known_hosts'), path.join(home, '.ssh', 'known_hosts2')],
  });
}
