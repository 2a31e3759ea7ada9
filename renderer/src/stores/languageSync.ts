// The core writes notifications (popups, webhooks, chat robots) in the UI's
// language, which lives here in the browser (prefs, or the browser's own list
// while the choice is "system"). Tell the core on every (re)connection and
// whenever it changes; with several windows open, the last one to connect or
// switch decides.
import { core } from '../coreClient';
import { detectLang, type Lang } from '../i18n/catalogue';
import { onEachConnection, useConnection } from './connection';
import { usePrefs } from './prefs';

/** The language the UI shows: the operator's choice, else the browser's. */
export function effectiveLang(choice: Lang | 'system', browser: readonly string[]): Lang {
  return choice === 'system' ? detectLang(browser) : choice;
}

export function startLanguageSync(): void {
  let told: Lang | undefined;
  const browser = () => (navigator.languages?.length ? navigator.languages : [navigator.language]);
  const tell = async (force: boolean) => {
    const lang = effectiveLang(usePrefs.getState().lang, browser());
    if ((lang === told && !force) || useConnection.getState().status !== 'open') return;
    told = lang;
    try {
      const info = await core.call('app/info');
      if (info.settings.language !== lang) await core.call('settings/update', { language: lang });
    } catch {
      told = undefined; // the next connection tries again
    }
  };
  onEachConnection(() => void tell(true));
  usePrefs.subscribe(() => void tell(false));
  window.addEventListener('languagechange', () => void tell(false));
}
