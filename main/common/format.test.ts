import { describe, expect, it } from 'vitest';
import {
  MISSING,
  formatAgo,
  formatAxisTick,
  formatByUnit,
  formatBytes,
  formatBytesPerSecond,
  formatCelsius,
  formatCores,
  formatCount,
  formatDuration,
  formatList,
  formatLoad,
  formatPercent,
  formatTimeTick,
  niceTicks,
  scaleBytes,
  timeTicks,
} from './format.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

describe('formatBytes', () => {
  it('uses binary units with about three significant figures', () => {
    expect(formatBytes(0, 'en')).toBe('0 B');
    expect(formatBytes(1023, 'en')).toBe('1,023 B');
    expect(formatBytes(1024, 'en')).toBe('1.00 KiB');
    expect(formatBytes(1.5 * MiB, 'en')).toBe('1.50 MiB');
    expect(formatBytes(12.34 * GiB, 'en')).toBe('12.3 GiB');
    expect(formatBytes(123.4 * GiB, 'en')).toBe('123 GiB');
    expect(formatBytes(3 * 1024 * GiB, 'en')).toBe('3.00 TiB');
  });

  it('promotes values that would round up to 1024 of a unit', () => {
    expect(formatBytes(1024 * KiB - 1, 'en')).toBe('1.00 MiB');
    expect(scaleBytes(MiB - 1).unit).toBe('MiB');
  });

  it('formats per locale', () => {
    expect(formatBytes(1.5 * MiB, 'de-DE')).toBe('1,50 MiB');
    expect(formatBytes(1.5 * MiB, 'zh-CN')).toBe('1.50 MiB');
  });

  it('shows missing values as a dash, not 0 or NaN', () => {
    expect(formatBytes(null, 'en')).toBe(MISSING);
    expect(formatBytes(undefined, 'en')).toBe(MISSING);
    expect(formatBytes(Number.NaN, 'en')).toBe(MISSING);
    expect(formatBytes(Number.POSITIVE_INFINITY, 'en')).toBe(MISSING);
  });

  it('rates are sizes per second', () => {
    expect(formatBytesPerSecond(2.5 * KiB, 'en')).toBe('2.50 KiB/s');
    expect(formatBytesPerSecond(null, 'en')).toBe(MISSING);
  });
});

describe('formatPercent', () => {
  it('shows one decimal below ten percent and whole numbers above', () => {
    expect(formatPercent(0, 'en')).toBe('0%');
    expect(formatPercent(0.0123, 'en')).toBe('1.2%');
    expect(formatPercent(0.456, 'en')).toBe('46%');
    expect(formatPercent(1, 'en')).toBe('100%');
  });
  it('follows the locale', () => {
    // French puts a (narrow, per ICU version) no-break space before %.
    expect(formatPercent(0.456, 'fr-FR')).toMatch(/^46[\u00a0\u202f]%$/);
    expect(formatPercent(null, 'en')).toBe(MISSING);
  });
});

describe('formatCores', () => {
  it('reads like top: percent of one CPU, beyond 100 % for multi-threaded processes', () => {
    expect(formatCores(0.25, 'en')).toBe('25.0%');
    expect(formatCores(2, 'en')).toBe('200.0%');
  });
});

describe('formatDuration', () => {
  it('shows the two largest units', () => {
    expect(formatDuration(42, 'en')).toBe('42s');
    expect(formatDuration(12 * 60 + 5, 'en')).toBe('12m 5s');
    expect(formatDuration(4 * 3600 + 12 * 60 + 59, 'en')).toBe('4h 12m');
    expect(formatDuration(3 * 86400 + 4 * 3600 + 5, 'en')).toBe('3d 4h');
  });
  it('drops a zero second unit instead of printing "3d 0h"', () => {
    expect(formatDuration(3 * 86400 + 59, 'en')).toBe('3d');
    expect(formatDuration(3600, 'en')).toBe('1h');
  });
  it('speaks Chinese units in Chinese', () => {
    expect(formatDuration(3 * 86400 + 4 * 3600, 'zh-CN')).toBe('3天4小时');
    expect(formatDuration(12 * 60, 'zh-CN')).toBe('12分钟');
  });
  it('handles sub-second, negative and missing values', () => {
    expect(formatDuration(0.4, 'en')).toBe('0s');
    expect(formatDuration(-90, 'en')).toBe('-1m 30s');
    expect(formatDuration(null, 'en')).toBe(MISSING);
  });
});

describe('other units', () => {
  it('formats load, temperature and counts', () => {
    expect(formatLoad(0.5, 'en')).toBe('0.50');
    expect(formatLoad(12.345, 'en')).toBe('12.35');
    expect(formatCelsius(45.25, 'en')).toBe('45.3°C');
    expect(formatCount(7, 'en')).toBe('7');
    expect(formatCount(12_345, 'en')).toBe('12.3K');
    expect(formatCount(12_345, 'zh-CN')).toBe('1.2万');
  });
});

describe('formatByUnit', () => {
  it('dispatches on the metric catalogue unit', () => {
    expect(formatByUnit('ratio', 0.5, 'en')).toBe('50%');
    expect(formatByUnit('bytes', 2 * GiB, 'en')).toBe('2.00 GiB');
    expect(formatByUnit('bytes_per_second', 512, 'en')).toBe('512 B/s');
    expect(formatByUnit('seconds', 90, 'en')).toBe('1m 30s');
    expect(formatByUnit('celsius', 60, 'en')).toBe('60°C');
    expect(formatByUnit('per_second', 3, 'en')).toBe('3/s');
    expect(formatByUnit('load', 1, 'en')).toBe('1.00');
    expect(formatByUnit(undefined, 1, 'en')).toBe('1');
    expect(formatByUnit('bytes', null, 'en')).toBe(MISSING);
  });
});

describe('axis ticks', () => {
  it('are short', () => {
    expect(formatAxisTick('ratio', 0.25, 'en')).toBe('25%');
    expect(formatAxisTick('ratio', 0.05, 'en')).toBe('5%');
    expect(formatAxisTick('bytes', 512 * MiB, 'en')).toBe('512 MiB');
    expect(formatAxisTick('bytes', 1.5 * GiB, 'en')).toBe('1.5 GiB');
    expect(formatAxisTick('bytes_per_second', 2 * KiB, 'en')).toBe('2 KiB/s');
  });

  it('step in round binary sizes for bytes', () => {
    const ticks = niceTicks('bytes', 7.3 * GiB, 4);
    expect(ticks).toEqual([0, 2 * GiB, 4 * GiB, 6 * GiB, 8 * GiB]);
    const small = niceTicks('bytes_per_second', 900 * KiB, 4);
    expect(small[1]).toBe(256 * KiB);
    expect(small[small.length - 1]).toBeGreaterThanOrEqual(900 * KiB);
  });

  it('step in round decimal numbers otherwise, and always reach the maximum', () => {
    expect(niceTicks('load', 3.2, 4)).toEqual([0, 1, 2, 3, 4]);
    expect(niceTicks('ratio', 1, 4)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(niceTicks('ratio', 0, 4)).toEqual([0]);
    expect(niceTicks('celsius', Number.NaN, 4)).toEqual([0]);
  });
});

describe('time', () => {
  const t = Date.UTC(2024, 2, 5, 14, 7, 0);
  it('ticks show clock time for short ranges and dates for long ones', () => {
    expect(formatTimeTick(t, 3600_000, 'en-GB', 'UTC')).toBe('14:07');
    expect(formatTimeTick(t, 30 * 86_400_000, 'en-GB', 'UTC')).toBe('5 Mar');
    expect(formatTimeTick(t, 30 * 86_400_000, 'zh-CN', 'UTC')).toBe('3月5日');
  });
  it('says how long ago', () => {
    expect(formatAgo(t - 12_000, t, 'en')).toMatch(/^12 sec(\.|onds)? ago$/);
    expect(formatAgo(t - 3 * 3600_000, t, 'zh-CN')).toBe('3小时前');
  });
});

describe('timeTicks', () => {
  const utc = () => 0;
  it('places round ticks across the whole range, not just where data is', () => {
    const from = Date.UTC(2024, 0, 1, 10, 3, 20);
    const ticks = timeTicks(from, from + 3600_000, 6, utc);
    expect(ticks.map((t) => new Date(t).toISOString().slice(11, 16))).toEqual(['10:10', '10:20', '10:30', '10:40', '10:50', '11:00']);
  });
  it('aligns day ticks to local midnight', () => {
    const from = Date.UTC(2024, 0, 1, 5, 0, 0);
    const beijing = () => 8 * 60;
    const ticks = timeTicks(from, from + 7 * 86_400_000, 7, beijing);
    // Local midnight in UTC+8 is 16:00 UTC.
    expect(ticks.every((t) => new Date(t).getUTCHours() === 16)).toBe(true);
    expect(ticks.length).toBe(7);
  });
  it('returns nothing for an empty range', () => {
    expect(timeTicks(10, 10, 5)).toEqual([]);
  });
});

describe('formatList', () => {
  it('joins items as the locale does: commas in English, the enumeration comma 、 in Chinese', () => {
    expect(formatList(['Disk nearly full', 'Host offline', 'No data'], 'en')).toBe('Disk nearly full, Host offline, No data');
    expect(formatList(['磁盘将满', '主机离线', '无数据'], 'zh-CN')).toBe('磁盘将满、主机离线、无数据');
    expect(formatList(['Offline', 'Stale', 'Auth failed'], 'en', 'or')).toBe('Offline, Stale, or Auth failed');
    expect(formatList(['离线', '数据滞后', '认证失败'], 'zh-CN', 'or')).toBe('离线、数据滞后或认证失败');
    expect(formatList(['desktop'], 'zh-CN')).toBe('desktop');
  });
});
