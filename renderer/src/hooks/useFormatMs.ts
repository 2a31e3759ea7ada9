// Milliseconds of work (a refresh, a scoring cycle, an explain query) in the UI's language.
import { formatDuration } from '../../../main/common/format';
import { msWords } from '../charts/anomalyBand';
import { useI18n } from '../i18n/useI18n';

export function useFormatMs(): (ms: number) => string {
  const { t, locale } = useI18n();
  return (ms) => {
    const w = msWords(ms, locale);
    return 'seconds' in w ? formatDuration(w.seconds, locale) : t(w.key, { ms: w.ms });
  };
}
