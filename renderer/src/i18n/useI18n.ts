import { useCallback, useMemo, useSyncExternalStore } from 'react';
import { usePrefs } from '../stores/prefs';
import { detectLang, intlLocale, translate, type Lang, type MessageKey, type MessageParams, type Translate } from './catalogue';

function subscribeLanguages(onChange: () => void): () => void {
  window.addEventListener('languagechange', onChange);
  return () => window.removeEventListener('languagechange', onChange);
}

function browserLanguages(): readonly string[] {
  return navigator.languages?.length ? navigator.languages : [navigator.language];
}

export interface I18n {
  lang: Lang;
  /** BCP 47 tag for Intl formatting. */
  locale: string;
  t: Translate;
}

export function useI18n(): I18n {
  const choice = usePrefs((s) => s.lang);
  const preferredKey = useSyncExternalStore(subscribeLanguages, () => browserLanguages().join(','));
  const preferred = useMemo(() => (preferredKey ? preferredKey.split(',') : []), [preferredKey]);
  const lang = choice === 'system' ? detectLang(preferred) : choice;
  const locale = intlLocale(lang, preferred);
  const t = useCallback((key: MessageKey, params?: MessageParams) => translate(lang, key, params), [lang]);
  return useMemo(() => ({ lang, locale, t }), [lang, locale, t]);
}
