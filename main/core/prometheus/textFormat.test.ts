// The text-format parser against a real node_exporter capture, against
// promtool (Prometheus's own parser) on hand-made edge cases, round trips of
// random series through the format's escaping, and arbitrary input: whatever
// the bytes, the parser returns samples or throws ExpositionError, never
// anything else.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeLabelValue } from '../../common/series.js';
import { ExpositionError, parseExposition, parseExpositionFloat } from './textFormat.js';

const fixture = (name: string) => fs.readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

/** promtool's verdict: 0 clean, 3 style problems only, 1 a parse error (its `check metrics` reads stdin). */
function promtool(text: string): number {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 20_000 });
  if (r.error) throw new Error(`promtool could not run (apt-get install prometheus): ${r.error.message}`);
  return r.status ?? -1;
}

describe('the Prometheus text format', () => {
  it('reads every sample of a real node_exporter 1.5 scrape (Debian 12), which promtool accepts too', () => {
    const text = fixture('node-exporter-1.5.0-debian12.txt');
    const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    const parsed = parseExposition(text);
    expect(parsed.problems).toEqual([]);
    expect(parsed.samples).toHaveLength(lines.length);
    expect(parsed.types.get('node_cpu_seconds_total')).toBe('counter');
    expect(parsed.types.get('go_gc_duration_seconds')).toBe('summary');
    const uname = parsed.samples.find((s) => s.name === 'node_uname_info')!;
    expect(uname.labels.sysname).toBe('Linux');
    expect(uname.value).toBe(1);
    const root = parsed.samples.find((s) => s.name === 'node_filesystem_size_bytes' && s.labels.mountpoint === '/')!;
    expect(root.value).toBe(2.70553174016e11);
    expect([0, 3]).toContain(promtool(text));
  });

  it('unescapes label values (\\\\, \\" and \\n only), reads NaN/±Inf, timestamps, blanks and a trailing comma', () => {
    const parsed = parseExposition(
      [
        '# HELP a_total Some help with \\n an escape',
        '# TYPE a_total counter',
        'a_total{path="C:\\\\dir",quote="say \\"hi\\"",nl="two\\nlines",} 1.5e3 1700000000000',
        'b NaN',
        'c{x="1"} +Inf',
        'd  -Inf   -12',
        'e{ } 0x',
        '',
        '# just a comment',
        'f\t7',
      ].join('\n'),
    );
    expect(parsed.samples).toEqual([
      { name: 'a_total', labels: { path: 'C:\\dir', quote: 'say "hi"', nl: 'two\nlines' }, value: 1500, timestampMs: 1_700_000_000_000 },
      { name: 'b', labels: {}, value: NaN },
      { name: 'c', labels: { x: '1' }, value: Infinity },
      { name: 'd', labels: {}, value: -Infinity, timestampMs: -12 },
      { name: 'f', labels: {}, value: 7 },
    ]);
    expect(parsed.problems).toEqual(['line 7: "0x" is not a number']);
  });

  it('OpenMetrics: timestamps in seconds, exemplars dropped, # EOF ends the body and nothing may follow it', () => {
    const body = '# TYPE r counter\nr_total{a="b"} 3 1700000000.5 # {trace_id="x"} 1 1700000000\n# EOF\n';
    expect(parseExposition(body, { openMetrics: true }).samples).toEqual([{ name: 'r_total', labels: { a: 'b' }, value: 3, timestampMs: 1_700_000_000_500 }]);
    expect(parseExposition(body + 'late 1\n', { openMetrics: true }).problems).toEqual(['line 4: text after "# EOF" (line 3)']);
    expect(parseExposition('x 1\n', { openMetrics: true }).problems).toEqual(['line 1: an OpenMetrics body must end with "# EOF"; it may have been cut short']);
  });

  it('a quoted UTF-8 metric name (Prometheus 3) is read as the name', () => {
    expect(parseExposition('{"my.metric", a="b"} 2\n').samples).toEqual([{ name: 'my.metric', labels: { a: 'b' }, value: 2 }]);
  });

  it('an HTML page, JSON or an empty body is an error that says so; a few bad lines are skipped and named', () => {
    expect(() => parseExposition('<html><body>Login</body></html>')).toThrow(/not a Prometheus exposition: line 1/);
    expect(() => parseExposition('{"error":"nope"}')).toThrow(ExpositionError);
    expect(() => parseExposition('')).toThrow(/holds no sample/);
    const parsed = parseExposition('ok 1\nbad{a="1" 2\nok2 3\n');
    expect(parsed.samples.map((s) => s.name)).toEqual(['ok', 'ok2']);
    expect(parsed.problems).toEqual(['line 2: expected "," or "}" after a label']);
  });

  it('is bounded: long lines, too many samples and too many labels are cut with a problem', () => {
    const many = Array.from({ length: 50 }, (_, i) => `s${i} 1`).join('\n');
    const parsed = parseExposition(many, { limits: { maxSamples: 10 } });
    expect(parsed.samples).toHaveLength(10);
    expect(parsed.droppedSamples).toBe(40);
    expect(parseExposition(`a 1\nb{x="${'y'.repeat(200)}"} 1\n`, { limits: { maxLineLength: 100 } }).problems).toEqual(['line 2: longer than 100 characters; left out']);
    const labels = Array.from({ length: 5 }, (_, i) => `l${i}="v"`).join(',');
    expect(parseExposition(`a 1\nb{${labels}} 1\n`, { limits: { maxLabelsPerSample: 4 } }).problems).toEqual(['line 2: more than 4 labels']);
    const problems = parseExposition('ok 1\n' + 'bad{\n'.repeat(100), { limits: { maxProblems: 3 } });
    expect(problems.problems).toHaveLength(3);
    expect(problems.problemCount).toBe(100);
  });

  // Each case: a body with one questionable line, and whether Prometheus's own parser (promtool) fails it.
  const edgeCases: [string, string][] = [
    ['unknown escape', 'a{x="\\t"} 1\n'],
    ['unterminated value', 'a{x="1} 1\n'],
    ['missing value', 'a{x="1"}\n'],
    ['bad metric name', '1abc 1\n'],
    ['bad label name', 'a{1x="1"} 1\n'],
    ['duplicate label', 'a{x="1",x="2"} 1\n'],
    ['float timestamp', 'a 1 1.5\n'],
    ['three fields', 'a 1 2 3\n'],
    ['value word', 'a one\n'],
    ['label without quotes', 'a{x=1} 1\n'],
    ['fine', 'a{x="1",y="\\\\ \\" \\n"} 1 5\n'],
    ['fine with Inf', 'a -Inf\nb NaN\n'],
  ];
  it('fails the same lines Prometheus fails (promtool check metrics as the peer)', () => {
    for (const [what, body] of edgeCases) {
      const peerFails = promtool(body) === 1;
      let oursFails = false;
      try {
        oursFails = parseExposition(body).problems.length > 0;
      } catch (err) {
        if (!(err instanceof ExpositionError)) throw err;
        oursFails = true;
      }
      expect({ what, fails: oursFails }).toEqual({ what, fails: peerFails });
    }
  });

  const name = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,30}$/);
  const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,15}$/);
  const labelValue = fc.string({ maxLength: 30, unit: 'binary' });
  const value = fc.oneof(fc.double(), fc.integer().map(Number));
  it('round trip: what the format writes (escaped per the spec) reads back as the same series', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ name, labels: fc.dictionary(labelName, labelValue, { maxKeys: 5 }), value, ts: fc.option(fc.integer({ min: -1e12, max: 4e12 })) }), { minLength: 1, maxLength: 10 }), (series) => {
        const unique = [...new Map(series.map((s) => [JSON.stringify([s.name, Object.entries(s.labels).sort()]), s])).values()];
        const text = unique
          .map((s) => {
            const labels = Object.entries(s.labels)
              .map(([k, v]) => `${k}="${escapeLabelValue(v)}"`)
              .join(',');
            const v = Number.isNaN(s.value) ? 'NaN' : s.value === Infinity ? '+Inf' : s.value === -Infinity ? '-Inf' : String(s.value);
            return `${s.name}{${labels}} ${v}${s.ts === null ? '' : ` ${s.ts}`}`;
          })
          .join('\n');
        const parsed = parseExposition(text);
        expect(parsed.problems).toEqual([]);
        expect(parsed.samples).toHaveLength(unique.length);
        parsed.samples.forEach((p, i) => {
          expect(p.name).toBe(unique[i]!.name);
          expect(p.labels).toEqual(unique[i]!.labels);
          expect(Object.is(p.value, unique[i]!.value) || (p.value === 0 && unique[i]!.value === 0)).toBe(true);
          expect(p.timestampMs).toBe(unique[i]!.ts ?? undefined);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('any text at all: samples or an ExpositionError, never another exception', () => {
    const pieces = fc.constantFrom('a', '{', '}', '"', '\\', '=', ',', ' ', '\n', '#', '# TYPE a counter\n', '# EOF\n', 'NaN', '1', 'x="', '\t', '\r');
    const text = fc.oneof(fc.string({ maxLength: 200, unit: 'binary' }), fc.array(pieces, { maxLength: 80 }).map((p) => p.join('')));
    fc.assert(
      fc.property(text, fc.boolean(), (body, openMetrics) => {
        try {
          const parsed = parseExposition(body, { openMetrics });
          expect(parsed.samples.length).toBeGreaterThan(0);
          for (const s of parsed.samples) expect(typeof s.value).toBe('number');
        } catch (err) {
          expect(err).toBeInstanceOf(ExpositionError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('reads values as Go does: decimals, exponents, NaN and Inf in any case; not hex, not empty', () => {
    expect(parseExpositionFloat('1e-3')).toBe(0.001);
    expect(parseExpositionFloat('.5')).toBe(0.5);
    expect(parseExpositionFloat('-inf')).toBe(-Infinity);
    expect(parseExpositionFloat('Infinity')).toBe(Infinity);
    expect(Number.isNaN(parseExpositionFloat('nan'))).toBe(true);
    expect(parseExpositionFloat('')).toBeUndefined();
    expect(parseExpositionFloat('0x10')).toBeUndefined();
    expect(parseExpositionFloat('1_000')).toBeUndefined();
  });
});
