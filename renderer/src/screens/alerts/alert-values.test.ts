import { describe, expect, it } from 'vitest';
import { formatAlertValue } from './alert-values';

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
