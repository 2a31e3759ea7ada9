import { describe, expect, it } from 'vitest';
import { formatSelector, matchesLabels, parseSelector, seriesKey } from './series.js';

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
