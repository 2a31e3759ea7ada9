// Reads ~/.ssh/config the way ssh_config(5) describes it, far enough to import
// hosts: Host blocks (patterns, * ?, ! negation), HostName, Port, User,
// IdentityFile (~ and %-tokens), ProxyJump and Include (globs, relative to
// ~/.ssh). For each keyword the first value obtained wins, across every block
// that applies, in file order; IdentityFile accumulates. Match blocks cannot be
// evaluated without running commands or knowing the final host, so they are
// skipped with a note rather than guessed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { patternListMatches } from './knownHosts.js';

export interface JumpSpec {
  readonly user?: string;
  readonly host: string;
  readonly port?: number;
}

export interface SshConfigEntry {
  /** The name after Host, as the user types it to ssh. */
  readonly alias: string;
  readonly hostName: string;
  readonly port: number;
  readonly user?: string;
  /** Expanded paths, in the order ssh would try them. */
  readonly identityFiles: readonly string[];
  readonly identitiesOnly?: boolean;
  /** Empty when there is no jump (or ProxyJump none). */
  readonly proxyJump: readonly JumpSpec[];
  /** Settings that apply to this host but that the console does not honour (ProxyCommand, …). */
  readonly notes: readonly string[];
}

interface ConfigLine {
  readonly keyword: string; // lower case
  readonly args: readonly string[];
  /** The Host patterns in force for this line; undefined before any Host line (applies to all). */
  readonly hostPatterns?: readonly string[];
  readonly where: string;
}

export interface ParsedSshConfig {
  readonly lines: readonly ConfigLine[];
  /** Every concrete (wildcard-free, not negated) name that appears after Host, in order. */
  readonly concreteHosts: readonly string[];
  /** Things skipped (Match blocks, unreadable Include files, bad lines). */
  readonly notes: readonly string[];
}

export interface SshConfigContext {
  /** Home directory used for ~ and for resolving relative Include paths (~/.ssh). */
  readonly home: string;
  /** Local user name, for %u and as the default remote user. */
  readonly localUser: string;
  /** Reads a file; undefined when it does not exist. Defaults to the filesystem. */
  readonly readFile?: (file: string) => string | undefined;
  /** Lists a directory's entries (for Include globs). Defaults to the filesystem. */
  readonly readDir?: (dir: string) => string[];
}

const MAX_INCLUDE_DEPTH = 16; // readconf.c READCONF_MAX_DEPTH

/** Splits a config line into words, honouring double quotes (as readconf.c argv_split does). */
export function splitConfigWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"') quoted = false;
      else current += c;
      continue;
    }
    if (c === '"') {
      quoted = true;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length && (line[i + 1] === '"' || line[i + 1] === '\\' || line[i + 1] === ' ')) {
      current += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else if (c === '#' && !inWord) {
      break;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

function defaultReadFile(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function defaultReadDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function globSegmentRegExp(segment: string): RegExp {
  const escaped = segment.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${escaped}$`);
}

/** Expands * and ? in any path segment, sorted like glob(3). */
export function expandGlob(pattern: string, readDir: (dir: string) => string[]): string[] {
  if (!/[*?]/.test(pattern)) return [pattern];
  const isAbsolute = pattern.startsWith('/');
  const segments = pattern.split('/').filter(Boolean);
  let candidates = [isAbsolute ? '/' : ''];
  for (const segment of segments) {
    const next: string[] = [];
    for (const base of candidates) {
      if (!/[*?]/.test(segment)) {
        next.push(path.join(base, segment));
        continue;
      }
      const re = globSegmentRegExp(segment);
      for (const name of readDir(base || '.').sort()) {
        // Like the shell, a wildcard does not match a leading dot.
        if (name.startsWith('.') && !segment.startsWith('.')) continue;
        if (re.test(name)) next.push(path.join(base, name));
      }
    }
    candidates = next;
  }
  return candidates;
}

export function expandTilde(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return path.join(home, p.slice(2));
  return p;
}

export function parseSshConfig(text: string, context: SshConfigContext, fileName = '~/.ssh/config'): ParsedSshConfig {
  const readFile = context.readFile ?? defaultReadFile;
  const readDir = context.readDir ?? defaultReadDir;
  const lines: ConfigLine[] = [];
  const concrete: string[] = [];
  const notes: string[] = [];

  function walk(body: string, where: string, inherited: readonly string[] | undefined, depth: number): void {
    let hostPatterns = inherited;
    let skippingMatch = false;
    body.split(/\r?\n/).forEach((raw, index) => {
      const at = `${where}:${index + 1}`;
      const trimmed = raw.trim();
      if (!trimmed || trimmed.startsWith('#')) return;
      // "Keyword value" or "Keyword=value" (readconf.c accepts one optional '=').
      const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(trimmed);
      if (!m) {
        notes.push(`${at}: "${trimmed}" has a keyword but no value; skipped`);
        return;
      }
      const keyword = m[1]!.toLowerCase();
      const args = splitConfigWords(m[2]!);
      if (keyword === 'host') {
        skippingMatch = false;
        hostPatterns = args;
        for (const pattern of args) {
          if (!pattern.startsWith('!') && !/[*?]/.test(pattern) && !concrete.includes(pattern)) concrete.push(pattern);
        }
        return;
      }
      if (keyword === 'match') {
        skippingMatch = true;
        notes.push(`${at}: Match ${args.join(' ')} is not evaluated by the importer; its settings are ignored`);
        return;
      }
      if (skippingMatch) return;
      if (keyword === 'include') {
        if (depth >= MAX_INCLUDE_DEPTH) {
          notes.push(`${at}: Include nested more than ${MAX_INCLUDE_DEPTH} deep; skipped`);
          return;
        }
        for (const arg of args) {
          // ssh_config(5): files without an absolute path are in ~/.ssh for the user's config.
          const expanded = expandTilde(arg, context.home);
          const absolute = path.isAbsolute(expanded) ? expanded : path.join(context.home, '.ssh', expanded);
          const matches = expandGlob(absolute, readDir);
          for (const file of matches) {
            const included = readFile(file);
            if (included === undefined) {
              if (!/[*?]/.test(absolute)) notes.push(`${at}: Include ${arg}: ${file} not readable; skipped`);
              continue;
            }
            walk(included, file, hostPatterns, depth + 1);
          }
        }
        return;
      }
      lines.push({ keyword, args, where: at, ...(hostPatterns ? { hostPatterns } : {}) });
    });
  }

  walk(text, fileName, undefined, 0);
  return { lines, concreteHosts: concrete, notes };
}

/** ProxyJump value → hops. Accepts "[user@]host[:port]", "[user@][v6addr]:port" and "ssh://[user@]host[:port]". */
export function parseProxyJump(value: string): JumpSpec[] {
  if (value.toLowerCase() === 'none') return [];
  return value.split(',').map((raw) => parseJumpHop(raw.trim()));
}

export function parseJumpHop(raw: string): JumpSpec {
  let spec = raw.startsWith('ssh://') ? raw.slice(6) : raw;
  spec = spec.replace(/\/$/, '');
  let user: string | undefined;
  const at = spec.lastIndexOf('@');
  if (at >= 0) {
    user = spec.slice(0, at);
    spec = spec.slice(at + 1);
  }
  let host = spec;
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(spec);
  if (bracketed) {
    host = bracketed[1]!;
    if (bracketed[2]) port = Number(bracketed[2]);
  } else {
    const colon = spec.lastIndexOf(':');
    // More than one colon without brackets is a bare IPv6 address, not host:port.
    if (colon >= 0 && spec.indexOf(':') === colon) {
      host = spec.slice(0, colon);
      port = Number(spec.slice(colon + 1));
    }
  }
  if (!host) throw new Error(`ProxyJump hop "${raw}" has no host`);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    throw new Error(`ProxyJump hop "${raw}" has an invalid port`);
  }
  return { host, ...(user ? { user } : {}), ...(port !== undefined ? { port } : {}) };
}

function expandTokens(value: string, tokens: Record<string, string>): string {
  return value.replace(/%(.)/g, (whole, t: string) => (t === '%' ? '%' : (tokens[t] ?? whole)));
}

/** Everything ssh would use for `ssh alias`, as far as the importer understands it. */
export function resolveHost(config: ParsedSshConfig, alias: string, context: SshConfigContext): SshConfigEntry {
  const first = new Map<string, readonly string[]>();
  const identityRaw: string[] = [];
  const notes: string[] = [];
  for (const line of config.lines) {
    if (line.hostPatterns && !patternListMatches(line.hostPatterns, alias)) continue;
    if (line.keyword === 'identityfile') {
      if (line.args[0]) identityRaw.push(line.args[0]);
      continue;
    }
    if (!first.has(line.keyword)) first.set(line.keyword, line.args);
  }
  const hostNameRaw = first.get('hostname')?.[0];
  const hostName = hostNameRaw ? expandTokens(hostNameRaw, { h: alias, n: alias }) : alias;
  const portRaw = first.get('port')?.[0];
  let port = 22;
  if (portRaw !== undefined) {
    const n = Number(portRaw);
    if (Number.isInteger(n) && n >= 1 && n <= 65535) port = n;
    else notes.push(`Port "${portRaw}" is not a port number; using 22`);
  }
  const user = first.get('user')?.[0];
  const tokens: Record<string, string> = {
    h: hostName,
    n: alias,
    p: String(port),
    r: user ?? context.localUser,
    u: context.localUser,
    d: context.home,
  };
  const identityFiles = identityRaw.map((f) => expandTilde(expandTokens(f, tokens), context.home));
  let proxyJump: JumpSpec[] = [];
  const jumpRaw = first.get('proxyjump');
  if (jumpRaw?.[0]) {
    try {
      proxyJump = parseProxyJump(jumpRaw.join(','));
    } catch (err) {
      notes.push((err as Error).message);
    }
  }
  const proxyCommand = first.get('proxycommand');
  if (proxyCommand && proxyCommand[0]?.toLowerCase() !== 'none' && !jumpRaw) {
    notes.push('ProxyCommand is not supported; the console connects directly or through ProxyJump');
  }
  const identitiesOnly = first.get('identitiesonly')?.[0]?.toLowerCase();
  return {
    alias,
    hostName,
    port,
    ...(user ? { user } : {}),
    identityFiles,
    ...(identitiesOnly ? { identitiesOnly: identitiesOnly === 'yes' } : {}),
    proxyJump,
    notes,
  };
}

/** The hosts a user can pick from in "Import from ~/.ssh/config": one per concrete Host name, wildcard blocks applied as defaults. */
export function importableHosts(config: ParsedSshConfig, context: SshConfigContext): SshConfigEntry[] {
  return config.concreteHosts.map((alias) => resolveHost(config, alias, context));
}

/** Reads and resolves the user's ~/.ssh/config (missing file → no hosts, no error). */
export function readUserSshConfig(options: Partial<SshConfigContext> & { file?: string } = {}): { hosts: SshConfigEntry[]; notes: readonly string[] } {
  const context: SshConfigContext = {
    home: options.home ?? os.homedir(),
    localUser: options.localUser ?? os.userInfo().username,
    ...(options.readFile ? { readFile: options.readFile } : {}),
    ...(options.readDir ? { readDir: options.readDir } : {}),
  };
  const file = options.file ?? path.join(context.home, '.ssh', 'config');
  const text = (context.readFile ?? defaultReadFile)(file);
  if (text === undefined) return { hosts: [], notes: [] };
  const parsed = parseSshConfig(text, context, file);
  return { hosts: importableHosts(parsed, context), notes: parsed.notes };
}
