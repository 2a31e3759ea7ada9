// The Prometheus text exposition format (version 0.0.4) and its OpenMetrics
// 1.0 sibling, read into samples: what node_exporter and cAdvisor serve on
// /metrics. Pure, bounded, and tolerant the way the console must be: a line
// that breaks the format is skipped with a problem naming its line, the rest
// of the scrape is kept; a body with no sample at all is an error.
//
// The grammar (https://prometheus.io/docs/instrumenting/exposition_formats/,
// "Text format details", and the OpenMetrics spec, "ABNF"):
//
//   line    = "# HELP " name " " docstring | "# TYPE " name " " type | "#" comment | sample | ""
//   sample  = name [ "{" [ label *( "," label ) [ "," ] ] "}" ] SP value [ SP timestamp ] [ " # " exemplar ]
//   label   = label_name "=" DQUOTE escaped_value DQUOTE
//
// Label values escape `\\`, `\"` and `\n` (nothing else); HELP escapes `\\`
// and `\n`. Values are Go floats, `NaN`, `+Inf`, `-Inf`. Timestamps are
// milliseconds since the epoch in the Prometheus format and seconds (a float)
// in OpenMetrics, whose body ends with `# EOF` (text after it is an error).
// OpenMetrics exemplars (` # {trace_id="…"} 1`) are read past and dropped.
// Prometheus 3's quoted UTF-8 names (`{"my.metric", a="b"}`) are accepted.

export type ExpositionType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped' | 'unknown' | 'info' | 'stateset' | 'gaugehistogram';

const TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped', 'unknown', 'info', 'stateset', 'gaugehistogram']);

export interface ExpositionSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** ms since the epoch, when the exposition gives one. */
  readonly timestampMs?: number;
}

export interface ExpositionLimits {
  /** Characters of one line; node_exporter's longest is a few hundred. */
  readonly maxLineLength: number;
  /** Samples kept; the rest of the body is reported once and dropped. */
  readonly maxSamples: number;
  readonly maxLabelsPerSample: number;
  /** Problems listed (each names its line); the count goes on past it. */
  readonly maxProblems: number;
}

export const DEFAULT_EXPOSITION_LIMITS: ExpositionLimits = {
  maxLineLength: 64 * 1024,
  maxSamples: 200_000,
  maxLabelsPerSample: 64,
  maxProblems: 20,
};

export interface Exposition {
  readonly samples: ExpositionSample[];
  /** `# TYPE` per family name (as written: `_total`, `_bucket` and other suffixes belong to their family). */
  readonly types: ReadonlyMap<string, ExpositionType>;
  /** The first few problems, each with its line number; `problemCount` counts all of them. */
  readonly problems: string[];
  readonly problemCount: number;
  /** Samples beyond `maxSamples` that were dropped. */
  readonly droppedSamples: number;
}

/** A body that holds no usable sample: not an exposition at all (an HTML page, a JSON error), or empty. */
export class ExpositionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpositionError';
  }
}

export interface ParseExpositionOptions {
  /** The body is OpenMetrics (its Content-Type is application/openmetrics-text): timestamps in seconds, `# EOF` required. */
  readonly openMetrics?: boolean;
  readonly limits?: Partial<ExpositionLimits>;
}

/** Whether a response's Content-Type says OpenMetrics rather than the Prometheus text format. */
export function isOpenMetricsContentType(contentType: string | undefined): boolean {
  return /^\s*application\/openmetrics-text\b/i.test(contentType ?? '');
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

class LineError extends Error {}

/** A Go-style float as the format writes values: decimal, exponent, NaN, ±Inf (case-insensitive, as strconv.ParseFloat). */
export function parseExpositionFloat(text: string): number | undefined {
  if (DECIMAL.test(text)) return Number(text);
  const lower = text.toLowerCase();
  if (lower === 'nan' || lower === '+nan' || lower === '-nan') return NaN;
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  return undefined;
}

/** Reads one sample line; throws LineError saying what is wrong. */
function parseSampleLine(line: string, openMetrics: boolean, limits: ExpositionLimits): ExpositionSample {
  let i = 0;
  const n = line.length;
  let name = '';
  const labels: Record<string, string> = {};
  let labelCount = 0;

  const readQuoted = (): string => {
    // line[i] is the opening quote.
    i++;
    let out = '';
    let start = i;
    while (i < n) {
      const c = line.charCodeAt(i);
      if (c === 34 /* " */) {
        out += line.slice(start, i);
        i++;
        return out;
      }
      if (c === 92 /* \ */) {
        out += line.slice(start, i);
        const next = line[i + 1];
        if (next === '\\') out += '\\';
        else if (next === '"') out += '"';
        else if (next === 'n') out += '\n';
        else throw new LineError(next === undefined ? 'a label value ends in a lone backslash' : `"\\${next}" is not an escape the format allows (only \\\\, \\" and \\n)`);
        i += 2;
        start = i;
        continue;
      }
      i++;
    }
    throw new LineError('a label value has no closing quote');
  };

  const readName = (pattern: RegExp, what: string): string => {
    const start = i;
    while (i < n) {
      const c = line.charCodeAt(i);
      // [a-zA-Z0-9_:]
      if ((c >= 48 && c <= 58) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) i++;
      else break;
    }
    const text = line.slice(start, i);
    if (!pattern.test(text)) throw new LineError(text === '' ? `expected a ${what}` : `"${text.slice(0, 64)}" is not a valid ${what}`);
    return text;
  };

  const skipSpaces = () => {
    while (i < n && (line[i] === ' ' || line[i] === '\t')) i++;
  };

  if (line[0] !== '{') name = readName(METRIC_NAME, 'metric name');
  const afterName = i;
  skipSpaces();
  if (line[i] !== '{') i = afterName;
  else {
    i++;
    let first = true;
    for (;;) {
      skipSpaces();
      if (line[i] === '}') {
        i++;
        break;
      }
      if (i >= n) throw new LineError('the label set has no closing "}"');
      let labelName: string;
      if (line[i] === '"') {
        labelName = readQuoted();
        skipSpaces();
        // `{"my.metric", a="b"}`: a quoted string without "=" is the metric name (Prometheus 3, UTF-8 names).
        if (line[i] !== '=') {
          if (!first || name !== '') throw new LineError('a quoted metric name must come first, and only once');
          if (labelName === '') throw new LineError('the metric name is empty');
          name = labelName;
          first = false;
          if (line[i] === ',') i++;
          continue;
        }
      } else {
        labelName = readName(LABEL_NAME, 'label name');
        skipSpaces();
      }
      first = false;
      if (line[i] !== '=') throw new LineError(`expected "=" after label ${labelName.slice(0, 64)}`);
      i++;
      skipSpaces();
      if (line[i] !== '"') throw new LineError(`the value of label ${labelName.slice(0, 64)} is not quoted`);
      const value = readQuoted();
      if (Object.prototype.hasOwnProperty.call(labels, labelName)) throw new LineError(`label ${labelName.slice(0, 64)} appears twice`);
      if (++labelCount > limits.maxLabelsPerSample) throw new LineError(`more than ${limits.maxLabelsPerSample} labels`);
      labels[labelName] = value;
      skipSpaces();
      if (line[i] === ',') i++;
      else if (line[i] !== '}') throw new LineError('expected "," or "}" after a label');
    }
  }
  if (name === '') throw new LineError('the sample has no metric name');
  // One or more blanks, the value, optionally a timestamp, optionally an exemplar.
  if (line[i] !== ' ' && line[i] !== '\t') throw new LineError(i >= n ? 'the sample has no value' : `unexpected "${line[i]}" after the ${i > 0 && line[i - 1] === '}' ? 'labels' : 'name'}`);
  const exemplar = openMetrics ? line.indexOf(' # ', i) : -1;
  const rest = (exemplar >= 0 ? line.slice(i, exemplar) : line.slice(i)).trim().split(/[ \t]+/);
  if (rest.length === 0 || rest[0] === '') throw new LineError('the sample has no value');
  if (rest.length > 2) throw new LineError('unexpected text after the timestamp');
  const value = parseExpositionFloat(rest[0]!);
  if (value === undefined) throw new LineError(`"${rest[0]!.slice(0, 40)}" is not a number`);
  let timestampMs: number | undefined;
  if (rest[1] !== undefined) {
    if (openMetrics) {
      const seconds = parseExpositionFloat(rest[1]);
      if (seconds === undefined || !Number.isFinite(seconds)) throw new LineError(`"${rest[1].slice(0, 40)}" is not a timestamp in seconds`);
      timestampMs = Math.round(seconds * 1000);
    } else {
      if (!INTEGER.test(rest[1])) throw new LineError(`"${rest[1].slice(0, 40)}" is not a timestamp in milliseconds`);
      timestampMs = Number(rest[1]);
      if (!Number.isSafeInteger(timestampMs)) throw new LineError('the timestamp is out of range');
    }
  }
  return timestampMs === undefined ? { name, labels, value } : { name, labels, value, timestampMs };
}

/** Parses an exposition body; throws ExpositionError when it holds no usable sample. */
export function parseExposition(text: string, options: ParseExpositionOptions = {}): Exposition {
  const limits: ExpositionLimits = { ...DEFAULT_EXPOSITION_LIMITS, ...options.limits };
  const openMetrics = options.openMetrics ?? false;
  const samples: ExpositionSample[] = [];
  const types = new Map<string, ExpositionType>();
  const problems: string[] = [];
  let problemCount = 0;
  let droppedSamples = 0;
  const seen = new Set<string>();
  let sawEof = false;
  let eofLine = 0;

  const problem = (lineNo: number, message: string) => {
    problemCount++;
    if (problems.length < limits.maxProblems) problems.push(`line ${lineNo}: ${message}`);
  };

  let pos = 0;
  let lineNo = 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    lineNo++;
    const length = nl - pos;
    if (length > limits.maxLineLength) {
      problem(lineNo, `longer than ${limits.maxLineLength} characters; left out`);
      pos = nl + 1;
      continue;
    }
    let line = text.slice(pos, nl);
    pos = nl + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (sawEof) {
      if (line.trim() !== '') {
        problem(lineNo, `text after "# EOF" (line ${eofLine})`);
        break;
      }
      continue;
    }
    if (line.trim() === '') continue;
    if (line.charCodeAt(0) === 35 /* # */) {
      if (line === '# EOF' || line.trimEnd() === '# EOF') {
        sawEof = true;
        eofLine = lineNo;
        continue;
      }
      const m = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(line);
      if (!m) continue; // a comment
      const family = m[2]!.startsWith('"') && m[2]!.endsWith('"') ? m[2]!.slice(1, -1) : m[2]!;
      if (m[1] === 'TYPE') {
        const type = (m[3] ?? '').trim().toLowerCase();
        if (!TYPES.has(type)) problem(lineNo, `"${type.slice(0, 40)}" is not a metric type`);
        else if (types.has(family)) problem(lineNo, `a second TYPE line for ${family.slice(0, 64)}`);
        else types.set(family, type as ExpositionType);
      }
      continue;
    }
    if (samples.length >= limits.maxSamples) {
      droppedSamples++;
      continue;
    }
    try {
      const sample = parseSampleLine(line, openMetrics, limits);
      const key = sampleKey(sample);
      if (seen.has(key)) {
        problem(lineNo, `${sample.name} repeats a series already listed; the first one is kept`);
        continue;
      }
      seen.add(key);
      samples.push(sample);
    } catch (err) {
      if (!(err instanceof LineError)) throw err;
      problem(lineNo, err.message);
    }
  }
  if (droppedSamples > 0) problem(lineNo, `more than ${limits.maxSamples} samples; ${droppedSamples} left out`);
  if (openMetrics && !sawEof) problem(lineNo, 'an OpenMetrics body must end with "# EOF"; it may have been cut short');
  if (samples.length === 0) {
    throw new ExpositionError(problems.length ? `not a Prometheus exposition: ${problems[0]}` : 'the exposition holds no sample');
  }
  return { samples, types, problems, problemCount, droppedSamples };
}

function sampleKey(sample: ExpositionSample): string {
  const names = Object.keys(sample.labels).sort();
  let key = sample.name;
  for (const name of names) key += `\u0000${name}\u0001${sample.labels[name]}`;
  return key;
}
