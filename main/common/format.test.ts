import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatMetricValue, formatPercent, formatCount } from './format.js';

describe('humanised values', () => {
  it('bytes use binary prefixes and three significant digits', () => {
    expect(formatBytes(0, 'en')).toBe('0 B');
    expect(formatBytes(1023, 'en')).toBe('1,023 B');
    expect(formatBytes(1536, 'en')).toBe('1.5 KiB');
    expect(formatBytes(16 * 1024 ** 3, 'en')).toBe('16 GiB');
    expect(formatBytes(123.456 * 1024 ** 2, 'en')).toBe('123 MiB');
  });
  it('ratios are percents', () => {
    expect(formatPercent(0.4567, 'en')).toBe('45.7%');
    expect(formatPercent(1, 'en')).toBe('100%');
    expect(formatPercent(0.001234, 'en')).toBe('0.12%');
  });
  it('durations read like uptime', () => {
    expect(formatDuration(42.5, 'en')).toBe('42.5s');
    expect(formatDuration(125, 'en')).toBe('2m 5s');
    expect(formatDuration(3725, 'en')).toBe('1h 2m');
    expect(formatDuration(93784, 'en')).toBe('1d 2h');
  });
  it('counts use SI prefixes', () => {
    expect(formatCount(999, 'en')).toBe('999');
    expect(formatCount(12_345, 'en')).toBe('12.3k');
  });
  it('picks the unit from the metric catalogue and formats per locale', () => {
    expect(formatMetricValue('node_network_receive_bytes:rate', 2048, 'en')).toBe('2 KiB/s');
    expect(formatMetricValue('host:cpu_usage:ratio', 0.5, 'en')).toBe('50%');
    expect(formatMetricValue('node_hwmon_temp_celsius', 41.25, 'en')).toBe('41.3 °C');
    expect(formatMetricValue('node_load1', 1.234, 'de')).toBe('1,23');
    expect(formatMetricValue('not_in_catalogue', 1234.5, 'en')).toBe('1,235');
  });
});
