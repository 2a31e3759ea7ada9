// The operator's display choices, kept in localStorage: theme and language
// ("system" follows the OS / browser until the operator picks one) and the
// time range.
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import { isLang, type Lang } from '../i18n/catalogue';
import { isRangeKey, type RangeKey } from '../timeRange';

export type ThemeChoice = 'system' | 'light' | 'dark';
export type LangChoice = 'system' | Lang;

export interface PrefsState {
  theme: ThemeChoice;
  lang: LangChoice;
  range: RangeKey;
  setTheme(theme: ThemeChoice): void;
  setLang(lang: LangChoice): void;
  setRange(range: RangeKey): void;
}

const defaults = { theme: 'system' as ThemeChoice, lang: 'system' as LangChoice, range: '15m' as RangeKey };

/** Keep only valid values from storage: a hand-edited or older entry falls back per field, never breaks the app. */
export function sanitisePrefs(stored: unknown): typeof defaults {
  const s = (typeof stored === 'object' && stored !== null ? stored : {}) as Record<string, unknown>;
  return {
    theme: s.theme === 'light' || s.theme === 'dark' || s.theme === 'system' ? s.theme : defaults.theme,
    lang: s.lang === 'system' || isLang(s.lang) ? (s.lang as LangChoice) : defaults.lang,
    range: isRangeKey(s.range) ? s.range : defaults.range,
  };
}

export const usePrefs = create<PrefsState>()(
  persist(
    (set) => ({
      ...defaults,
      setTheme: (theme) => set({ theme }),
      setLang: (lang) => set({ lang }),
      setRange: (range) => set({ range }),
    }),
    {
      name: 'overlook.prefs',
      version: 1,
      storage: createJSONStorage(() => localStorage),
      partialize: (s) => ({ theme: s.theme, lang: s.lang, range: s.range }),
      merge: (persisted, current) => ({ ...current, ...sanitisePrefs(persisted) }),
    },
  ),
);
