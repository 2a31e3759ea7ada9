// Series identity shared by every layer: the agent pipeline, the store, the
// exporter, the alert engine and the renderer. A series is a Prometheus-style
// metric name plus labels; the `host` label names the watched machine.
// Pure TypeScript: no Node, no DOM.
import { RE2JS } from 're2js';

export type Labels = Readonly<Record<string, string>>;

/** One observed value of one series at one time (t = ms since the epoch). */
export interface Sample {
  readonly name: string;
  readonly labels: Labels;
  readonly t: number;
  readonly v: number;
}

/** Counters are monotonic raw values (rates are derived in the core); gauges are taken as they are. */
export type SeriesKind = 'counter' | 'gauge';

/** A value as a source reports it, before the core adds `host` and derives rates. */
export interface RawSeries {
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
  readonly kind: SeriesKind;
}

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  readonly label: string;
  readonly op: MatchOp;
  readonly value: string;
}

/** A PromQL-style instant selector: a metric name plus label matchers. */
export interface SeriesSelector {
  readonly name: string;
  readonly matchers?: readonly LabelMatcher[];
}

/**
 * Escape a label value the way the Prometheus text format does
 * (backslash, double quote and line feed; see the exposition format spec,
 * "Text format details").
 */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Canonical text form `name{a="1",b="2"}` with labels sorted by name; stable, so usable as a map key. */
export function seriesKey(name: string, labels: Labels): string {
  const names = Object.keys(labels).sort();
  if (names.length === 0) return name;
  const parts = names.map((l) => `${l}="${escapeLabelValue(labels[l] ?? '')}"`);
  return `${name}{${parts.join(',')}}`;
}

// Label patterns (`=~`, `!~`) run on RE2's linear-time engine (re2js, a pure
// JavaScript port of RE2), never on JavaScript's backtracking RegExp: a pattern
// such as `(.|.)*Z` takes the backtracking engine exponential time in the
// length of the value, and a selector is something anyone with the UI types.
// Semantics follow Prometheus, which compiles a matcher as `^(?s:PATTERN)$`
// with Go's regexp (RE2 syntax; see prometheus/model/labels/regexp.go): fully
// anchored, `.` matches a newline too, no backreferences, no lookaround.
const patternCache = new Map<string, Matcher>();

/** A compiled pattern: a shape that needs no regex engine at all, or RE2 with a memo of its answers. */
interface Matcher {
  /** A literal, alternatives of literals, a prefix, suffix or infix: cheaper than a memo lookup. */
  readonly shortcut: ((value: string) => boolean) | undefined;
  readonly re: RE2JS;
  /** RE2's answers by value: rules and charts match the same label values again and again. */
  readonly memo: Map<string, boolean>;
}

// Literal text: none of RE2's metacharacters (a pattern with escapes goes to RE2).
const LITERAL = /^[^\\.^$|?*+()[\]{}]*$/;
/** Shapes Prometheus also matches without the engine (model/labels/regexp.go): literals, alternatives of them, prefix, suffix, contains. */
function shortcut(pattern: string): ((value: string) => boolean) | undefined {
  if (LITERAL.test(pattern)) return (v) => v === pattern;
  if (pattern === '.*') return () => true;
  if (pattern === '.+') return (v) => v.length > 0;
  const parts = pattern.split('|');
  if (parts.length > 1 && parts.every((p) => LITERAL.test(p))) {
    const set = new Set(parts);
    return (v) => set.has(v);
  }
  const inner = pattern.startsWith('.*') ? pattern.slice(2) : undefined;
  if (pattern.endsWith('.*') && LITERAL.test(pattern.slice(0, -2))) {
    const prefix = pattern.slice(0, -2);
    return (v) => v.startsWith(prefix);
  }
  if (inner !== undefined && LITERAL.test(inner)) return (v) => v.endsWith(inner);
  if (inner !== undefined && inner.endsWith('.*') && LITERAL.test(inner.slice(0, -2))) {
    const middle = inner.slice(0, -2);
    return (v) => v.includes(middle);
  }
  return undefined;
}

/** Memo entries over all patterns; past this every memo starts again (a bound on memory, not a tuning knob). */
const MAX_MEMO_ENTRIES = 200_000;
let memoEntries = 0;

/** Thrown when a label pattern is not a regular expression RE2 accepts. */
export class LabelPatternError extends Error {
  /** Survives the crossing to and from the store's thread (store/workerProtocol.ts keeps `code`). */
  readonly code = 'INVALID_PATTERN';
  constructor(message: string) {
    super(message);
    this.name = 'LabelPatternError';
  }
}

function compilePattern(pattern: string): Matcher {
  let m = patternCache.get(pattern);
  if (!m) {
    let re: RE2JS;
    try {
      // Compiled even when a shortcut answers: what RE2 refuses is refused whatever its shape.
      re = RE2JS.compile(pattern, RE2JS.DOTALL);
    } catch (err) {
      throw new LabelPatternError(describePatternError(pattern, err));
    }
    m = { shortcut: shortcut(pattern), re, memo: new Map() };
    if (patternCache.size > 1000) {
      patternCache.clear();
      memoEntries = 0;
    }
    patternCache.set(pattern, m);
  }
  return m;
}

function describePatternError(pattern: string, err: unknown): string {
  const detail = (err as Error).message.replace(/^error parsing regexp: /, '');
  const perl = /\\[1-9]|\(\?[=!]|\(\?<[=!]/.test(pattern);
  return `invalid regular expression "${pattern}": ${detail}${perl ? ' (RE2 syntax, as in Prometheus: no backreferences or lookaround)' : ''}`;
}

/** Why a label pattern cannot be used (RE2 syntax, as Prometheus), or undefined when it can. */
export function labelPatternProblem(pattern: string): string | undefined {
  try {
    compilePattern(pattern);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Whether `value` matches the whole of `pattern` (Prometheus' anchored match). Throws LabelPatternError for a bad pattern. */
export function matchesPattern(pattern: string, value: string): boolean {
  const m = compilePattern(pattern);
  if (m.shortcut) return m.shortcut(value);
  let hit = m.memo.get(value);
  if (hit === undefined) {
    hit = m.re.testExact(value);
    if (memoEntries >= MAX_MEMO_ENTRIES) {
      for (const other of patternCache.values()) other.memo.clear();
      memoEntries = 0;
    }
    m.memo.set(value, hit);
    memoEntries++;
  }
  return hit;
}

export function matchesLabels(labels: Labels, matchers: readonly LabelMatcher[] | undefined): boolean {
  if (!matchers) return true;
  for (const m of matchers) {
    const actual = labels[m.label] ?? '';
    switch (m.op) {
      case '=':
        if (actual !== m.value) return false;
        break;
      case '!=':
        if (actual === m.value) return false;
        break;
      case '=~':
        if (!matchesPattern(m.value, actual)) return false;
        break;
      case '!~':
        if (matchesPattern(m.value, actual)) return false;
        break;
    }
  }
  return true;
}

export function matchesSelector(name: string, labels: Labels, selector: SeriesSelector): boolean {
  return name === selector.name && matchesLabels(labels, selector.matchers);
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Parse `name{label="v",other=~"re"}` into a selector. Throws an Error whose
 * message says what is wrong and where, for the provisioning file and the UI.
 */
export function parseSelector(text: string): SeriesSelector {
  const src = text.trim();
  const brace = src.indexOf('{');
  const name = (brace < 0 ? src : src.slice(0, brace)).trim();
  if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name "${name}" in selector "${text}"`);
  if (brace < 0) return { name };
  if (!src.endsWith('}')) throw new Error(`selector "${text}" is missing its closing "}"`);
  const body = src.slice(brace + 1, -1);
  const matchers: LabelMatcher[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < body.length && /\s/.test(body[i]!)) i++;
  };
  while (true) {
    skipSpace();
    if (i >= body.length) break;
    const start = i;
    while (i < body.length && /[a-zA-Z0-9_]/.test(body[i]!)) i++;
    const label = body.slice(start, i);
    if (!LABEL_NAME.test(label)) throw new Error(`invalid label name at position ${brace + 1 + start} in selector "${text}"`);
    skipSpace();
    const op = (['=~', '!~', '!=', '='] as const).find((o) => body.startsWith(o, i));
    if (!op) throw new Error(`expected =, !=, =~ or !~ after "${label}" in selector "${text}"`);
    i += op.length;
    skipSpace();
    if (body[i] !== '"') throw new Error(`expected a quoted value for "${label}" in selector "${text}"`);
    i++;
    let value = '';
    while (i < body.length && body[i] !== '"') {
      if (body[i] === '\\' && i + 1 < body.length) {
        const next = body[i + 1]!;
        value += next === 'n' ? '\n' : next;
        i += 2;
      } else {
        value += body[i];
        i++;
      }
    }
    if (body[i] !== '"') throw new Error(`unterminated value for "${label}" in selector "${text}"`);
    i++;
    if (op === '=~' || op === '!~') {
      const problem = labelPatternProblem(value);
      if (problem !== undefined) throw new Error(`${problem} for "${label}" in selector "${text}"`);
    }
    matchers.push({ label, op, value });
    skipSpace();
    if (i < body.length) {
      if (body[i] !== ',') throw new Error(`expected "," between matchers in selector "${text}"`);
      i++;
    }
  }
  return { name, matchers };
}

export function formatSelector(selector: SeriesSelector): string {
  if (!selector.matchers || selector.matchers.length === 0) return selector.name;
  return `${selector.name}{${selector.matchers.map((m) => `${m.label}${m.op}"${escapeLabelValue(m.value)}"`).join(',')}}`;
}
