import { formatDuration, formatMetricValue } from '../../../../main/common/format';

/**
 * An alert's value as the list shows it. A no-data rule's value is how long
 * its series has been silent (seconds), not a value of the series: it reads as
 * a duration, never in the series' unit (a CPU ratio would show "1,655%").
 * Null means the alert has no value (no data): the caller shows its own text.
 */
export function formatAlertValue(seriesKey: string, value: number | null, locale: string, options: { silence?: boolean } = {}): string | null {
  if (value === null) return null;
  if (options.silence) return formatDuration(value, locale);
  return formatMetricValue(seriesKey.split('{')[0]!, value, locale);
}

