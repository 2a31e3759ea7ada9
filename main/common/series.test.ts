import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RE2JS } from 're2js';
import { formatSelector, LabelPatternError, labelPatternProblem, matchesLabels, matchesPattern, parseSelector, seriesKey } from './series.js';

describe('seriesKey', () => {
  it('sorts labels and escapes values like the Prometheus text format', () => {
    expect(seriesKey('m', { b: '2', a: 'x"y\\z\nw' })).toBe('m{a="x\\"y\\\\z\\nw",b="2"}');
    expect(seriesKey('m', {})).toBe('m');
  });
});

describe('parseSelector', () => {
  it('parses names and every matcher kind', () => {
    expect(parseSelector('node_load1')).toEqual({ name: 'node_load1' });
    expect(parseSelector('node_load1{host="web-1", mode!="idle",device=~"eth.*" , fs!~"tmp.*"}')).toEqual({
      name: 'node_load1',
      matchers: [
        { label: 'host', op: '=', value: 'web-1' },
        { label: 'mode', op: '!=', value: 'idle' },
        { label: 'device', op: '=~', value: 'eth.*' },
        { label: 'fs', op: '!~', value: 'tmp.*' },
      ],
    });
  });
  it('round-trips escaped values', () => {
    const sel = parseSelector('m{a="q\\"uote\\\\"}');
    expect(sel.matchers![0]!.value).toBe('q"uote\\');
    expect(parseSelector(formatSelector(sel))).toEqual(sel);
  });
  it('says what is wrong', () => {
    expect(() => parseSelector('1bad')).toThrow(/invalid metric name/);
    expect(() => parseSelector('m{host="a"')).toThrow(/closing/);
    expect(() => parseSelector('m{host=a}')).toThrow(/quoted value/);
    expect(() => parseSelector('m{host~"a"}')).toThrow(/expected =/);
    expect(() => parseSelector('m{host=~"("}')).toThrow(/invalid regular expression/);
    expect(() => parseSelector('m{host="a" mode="b"}')).toThrow(/","/);
  });
});

describe('matchesLabels', () => {
  it('anchors regular expressions and treats a missing label as empty', () => {
    expect(matchesLabels({ device: 'eth0' }, [{ label: 'device', op: '=~', value: 'eth' }])).toBe(false);
    expect(matchesLabels({ device: 'eth0' }, [{ label: 'device', op: '=~', value: 'eth.' }])).toBe(true);
    expect(matchesLabels({}, [{ label: 'device', op: '=', value: '' }])).toBe(true);
    expect(matchesLabels({ a: '1' }, [{ label: 'a', op: '!=', value: '1' }])).toBe(false);
  });
});

describe('label patterns', () => {
  it('answer as Prometheus does: anchored, `.` matches a newline, RE2 syntax only', () => {
    expect(matchesLabels({ d: 'eth0' }, [{ label: 'd', op: '=~', value: 'eth.*' }])).toBe(true);
    expect(matchesLabels({ d: 'veth0' }, [{ label: 'd', op: '=~', value: 'eth.*' }])).toBe(false);
    expect(matchesLabels({ d: 'a\nb' }, [{ label: 'd', op: '=~', value: 'a.b' }])).toBe(true);
    expect(matchesLabels({}, [{ label: 'd', op: '=~', value: '' }])).toBe(true);
    expect(() => matchesLabels({ d: 'x' }, [{ label: 'd', op: '=~', value: '(?=x)' }])).toThrow(LabelPatternError);
    expect(labelPatternProblem('(a)\\1')).toMatch(/no backreferences or lookaround/);
    expect(labelPatternProblem('a|b')).toBeUndefined();
  });

  it('the shapes answered without the engine (literals, alternatives, prefix, suffix, infix) agree with RE2 (fast-check)', () => {
    const chunk = fc.constantFrom('a', 'b', 'ab', '.', '.*', '.+', '|', 'eth', '0', '\n', '\\.', '(', ')', '[ab]');
    const pattern = fc.array(chunk, { maxLength: 5 }).map((c) => c.join('')).filter((p) => labelPatternProblem(p) === undefined);
    const value = fc.array(fc.constantFrom('a', 'b', 'e', 't', 'h', '0', '.', '\n', 'x'), { maxLength: 8 }).map((c) => c.join(''));
    fc.assert(
      fc.property(pattern, value, (p, v) => {
        expect(matchesPattern(p, v)).toBe(RE2JS.compile(p, RE2JS.DOTALL).testExact(v));
        // Asked again: the memo gives the same answer.
        expect(matchesPattern(p, v)).toBe(RE2JS.compile(p, RE2JS.DOTALL).testExact(v));
      }),
      { numRuns: 3000 },
    );
  });
});
