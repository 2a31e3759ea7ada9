import { describe, expect, it } from 'vitest';
import { formatThreshold } from '../../../../main/common/format';
import { formatAlertValue } from './alertValues';

describe('formatAlertValue', () => {
  it('shows a threshold alert in its metric unit', () => {
    expect(formatAlertValue('host:cpu_usage:ratio{host="a"}', 0.5, 'en')).toBe('50%');
  });
  it('shows a no-data alert as how long the series has been silent', () => {
    expect(formatAlertValue('host:cpu_usage:ratio{host="a"}', 16.55, 'en', { silence: true })).toMatch(/^16(\.\d+)?\s?s$/);
  });
  it('has no value without data', () => {
    expect(formatAlertValue('node_load1', null, 'en')).toBeNull();
  });
});

describe('formatThreshold', () => {
  it('keeps the usual format when it shows the number', () => {
    expect(formatThreshold('host:cpu_usage:ratio', 0.9, 'en')).toBe('90%');
  });
  it('never shows a tiny threshold as zero', () => {
    expect(formatThreshold('host:cpu_usage:ratio', 0.00001, 'en')).toBe('0.001%');
    expect(formatThreshold('node_load1', 0.0001234, 'en')).toBe('0.000123');
    expect(formatThreshold('node_load1', 0, 'en')).toBe('0.00');
  });
});
