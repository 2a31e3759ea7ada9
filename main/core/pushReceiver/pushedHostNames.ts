// How a pushed series names its host: the value of its host label
// (`instance` by default), which Prometheus sets to the target's
// `host:port`. The port is dropped (one host, one name, whichever exporter
// port it was scraped on), other characters a host name may not hold become
// "-", and a token's prefix goes in front. Pure.
import { HOST_NAME_MAX, HOST_NAME_PATTERN, RESERVED_HOST_NAMES } from '../../common/sshHosts.js';

export const HOST_LABEL_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export const HOST_PATTERN_TEXT = 'a host name pattern may hold letters, digits, ".", "_", "-" and the wildcards * and ?';

/** The host name for a label value, or undefined when none can be made of it. */
export function pushedHostName(value: string, prefix = ''): string | undefined {
  let text = value.trim();
  // [v6]:port, host:port → without the port (a bare IPv6 address has several colons and keeps them, made "-" below).
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) text = bracketed[1]!;
  else if (/^[^:]+:\d+$/.test(text)) text = text.slice(0, text.lastIndexOf(':'));
  text = text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  const name = (prefix + text).slice(0, HOST_NAME_MAX).replace(/[-.]+$/, '');
  if (!name || !HOST_NAME_PATTERN.test(name) || RESERVED_HOST_NAMES.includes(name.toLowerCase())) return undefined;
  return name;
}

/** `web-*`, `db-?` → a matcher (anchored; only * and ? are special). */
export function hostPatternMatcher(patterns: readonly string[]): (name: string) => boolean {
  if (patterns.length === 0) return () => true;
  const res = patterns.map((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i'));
  return (name) => res.some((re) => re.test(name));
}
