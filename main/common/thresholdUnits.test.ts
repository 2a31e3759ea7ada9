import { describe, expect, it } from 'vitest';
import { formatByUnit } from './format.js';
import type { MetricUnit } from './metrics.js';
import { parseThreshold, thresholdText } from './thresholdUnits.js';

const value = (text: string, unit: MetricUnit | undefined) => {
  const r = parseThreshold(text, unit);
  return r.ok ? r.value : r.problem;
};

describe('parseThreshold: the display unit', () => {
  it('reads a ratio in percent, with or without the sign; 0.01 is 0.01 %, not 1 %', () => {
    expect(value('90', 'ratio')).toBeCloseTo(0.9, 12);
    expect(value('90%', 'ratio')).toBeCloseTo(0.9, 12);
    expect(value(' 1 % ', 'ratio')).toBeCloseTo(0.01, 12);
    expect(value('0.01', 'ratio')).toBeCloseTo(0.0001, 12);
    expect(value('.5%', 'ratio')).toBeCloseTo(0.005, 12);
    expect(value('90 MiB', 'ratio')).toBe('unit');
  });

  it('gives the number people mean, not a float artefact of the unit (95% is 0.95 exactly)', () => {
    expect(value('95%', 'ratio')).toBe(0.95);
    expect(value('7', 'ratio')).toBe(0.07);
    expect(value('150%', 'cores')).toBe(1.5);
    expect(value('100 Mbit/s', 'bytes_per_second')).toBe(12_500_000);
  });

  it('reads CPU in cores as top shows it (150 % is one and a half cores), or in cores when it says so', () => {
    expect(value('150%', 'cores')).toBeCloseTo(1.5, 12);
    expect(value('150', 'cores')).toBeCloseTo(1.5, 12);
    expect(value('1.5 cores', 'cores')).toBe(1.5);
    expect(value('2 核', 'cores')).toBe(2);
  });

  it('reads bytes with IEC and SI prefixes and refuses a bare K/M/G, which could be either', () => {
    expect(value('512', 'bytes')).toBe(512);
    expect(value('1.5 GiB', 'bytes')).toBe(1.5 * 2 ** 30);
    expect(value('1.5Gi', 'bytes')).toBe(1.5 * 2 ** 30);
    expect(value('500 MB', 'bytes')).toBe(5e8);
    expect(value('2 kB', 'bytes')).toBe(2000);
    expect(value('2 KB', 'bytes')).toBe(2000);
    expect(value('1,000 B', 'bytes')).toBe(1000);
    expect(value('2G', 'bytes')).toBe('ambiguous_prefix');
    expect(value('2 parsecs', 'bytes')).toBe('unit');
  });

  it('reads rates per second in bytes, and in bits with a lower-case b', () => {
    expect(value('10 MiB/s', 'bytes_per_second')).toBe(10 * 2 ** 20);
    expect(value('10 MB/s', 'bytes_per_second')).toBe(1e7);
    expect(value('10MBps', 'bytes_per_second')).toBe(1e7);
    expect(value('100 Mbit/s', 'bytes_per_second')).toBe(12.5e6);
    expect(value('100 Mbps', 'bytes_per_second')).toBe(12.5e6);
    expect(value('100 Mb/s', 'bytes_per_second')).toBe(12.5e6);
    expect(value('1 Gbit/s', 'bytes_per_second')).toBe(1.25e8);
    expect(value('300', 'bytes_per_second')).toBe(300);
    expect(value('300 /s', 'per_second')).toBe(300);
    expect(value('1.2K/s', 'per_second')).toBe(1200);
    expect(value('1.2万/s', 'per_second')).toBe(12000);
  });

  it('reads durations for metrics in seconds, a bare number being seconds', () => {
    expect(value('90', 'seconds')).toBe(90);
    expect(value('5m', 'seconds')).toBe(300);
    expect(value('1h 30m', 'seconds')).toBe(5400);
    expect(value('3天4小时', 'seconds')).toBe(3 * 86400 + 4 * 3600);
    expect(value('5 lightyears', 'seconds')).toBe('unit');
  });

  it('reads temperatures, loads and counts as plain numbers with their own signs', () => {
    expect(value('80', 'celsius')).toBe(80);
    expect(value('80°C', 'celsius')).toBe(80);
    expect(value('80 ℃', 'celsius')).toBe(80);
    expect(value('4', 'load')).toBe(4);
    expect(value('1.5k', 'count')).toBe(1500);
    expect(value('-3', undefined)).toBe(-3);
    expect(value('2%', undefined)).toBe('unit');
  });

  it('says what is wrong: empty, not a number, or a unit the metric does not take', () => {
    expect(parseThreshold('  ', 'ratio')).toMatchObject({ ok: false, problem: 'empty' });
    expect(parseThreshold('high', 'ratio')).toMatchObject({ ok: false, problem: 'number' });
    expect(parseThreshold('1,5', 'ratio')).toMatchObject({ ok: false, problem: 'unit', accepted: '%' });
    expect(parseThreshold('5 apples', 'bytes')).toMatchObject({ ok: false, problem: 'unit', accepted: expect.stringContaining('GiB') });
  });
});

describe('thresholdText: a stored threshold in the editor', () => {
  it('writes the display unit, exactly', () => {
    expect(thresholdText(0.9, 'ratio')).toBe('90%');
    expect(thresholdText(0.0001, 'ratio')).toBe('0.01%');
    expect(thresholdText(0.07, 'ratio')).toBe('7%');
    expect(thresholdText(1.5, 'cores')).toBe('150%');
    expect(thresholdText(1.5 * 2 ** 30, 'bytes')).toBe('1.5 GiB');
    expect(thresholdText(5e8, 'bytes')).toBe('500 MB');
    expect(thresholdText(123_456_789, 'bytes')).toBe('123456789 B');
    expect(thresholdText(10 * 2 ** 20, 'bytes_per_second')).toBe('10 MiB/s');
    expect(thresholdText(250, 'per_second')).toBe('250/s');
    expect(thresholdText(5400, 'seconds')).toBe('1h30m');
    expect(thresholdText(80, 'celsius')).toBe('80°C');
    expect(thresholdText(4, 'load')).toBe('4');
  });

  it('reads back to the same value for every unit', () => {
    const cases: [number, MetricUnit | undefined][] = [
      [0.9, 'ratio'], [0.123456, 'ratio'], [1e-7, 'ratio'], [2.25, 'cores'], [1.5 * 2 ** 30, 'bytes'], [1234567, 'bytes'], [5e8, 'bytes'],
      [3 * 2 ** 20, 'bytes_per_second'], [12.5e6, 'bytes_per_second'], [0.5, 'per_second'], [3600, 'seconds'], [0.25, 'seconds'], [72.5, 'celsius'], [1.75, 'load'], [12, 'count'], [-4, undefined],
    ];
    for (const [v, unit] of cases) {
      const back = parseThreshold(thresholdText(v, unit), unit);
      expect(back.ok && back.value, `${v} ${unit}`).toBeCloseTo(v, 9);
    }
  });
});

describe('what the screens print reads back as a threshold', () => {
  it('for every unit, in English and Chinese, within the display rounding', () => {
    const cases: [number, MetricUnit][] = [
      [0.934, 'ratio'], [0.05, 'ratio'], [1.5, 'cores'], [1.5 * 2 ** 30, 'bytes'], [1000, 'bytes'], [3 * 2 ** 20, 'bytes_per_second'], [1234, 'per_second'], [12345, 'count'],
      [3 * 86400 + 4 * 3600, 'seconds'], [90, 'seconds'], [80, 'celsius'], [1.23, 'load'],
    ];
    for (const locale of ['en', 'zh-CN']) {
      for (const [v, unit] of cases) {
        const shown = formatByUnit(unit, v, locale);
        const back = parseThreshold(shown, unit);
        expect(back.ok, `${locale} ${unit} "${shown}"`).toBe(true);
        if (back.ok) expect(Math.abs(back.value - v) / v, `${locale} ${unit} "${shown}"`).toBeLessThan(0.05);
      }
    }
  });
});
