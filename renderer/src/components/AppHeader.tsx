import { useI18n } from '../i18n/useI18n';
import { hrefFor, type Route } from '../router';
import { usePrefs } from '../stores/prefs';
import { useEffectiveTheme } from '../theme';
import { rangeKeys, rangeLabelKey, rangeLongLabelKey } from '../time-range';

export function AppHeader({ route }: { route: Route }) {
  const { t } = useI18n();
  return (
    <header className="app-header">
      <a className="brand" href={hrefFor({ screen: 'overview' })}>
        <Logo />
        <span>{t('app.name')}</span>
      </a>
      <nav className="app-nav" aria-label={t('nav.label')}>
        <a href={hrefFor({ screen: 'overview' })} aria-current={route.screen === 'overview' ? 'page' : undefined}>
          {t('nav.overview')}
        </a>
      </nav>
      <div className="header-tools">
        <RangePicker />
        <ThemeToggle />
        <LangToggle />
      </div>
    </header>
  );
}

function RangePicker() {
  const { t } = useI18n();
  const range = usePrefs((s) => s.range);
  const setRange = usePrefs((s) => s.setRange);
  return (
    <div className="range-picker" role="group" aria-label={t('range.label')}>
      <span className="live-pill">
        <span className="live-dot" aria-hidden="true" />
        {t('range.live')}
      </span>
      {rangeKeys.map((key) => (
        <button
          key={key}
          type="button"
          className="segment"
          data-testid={`range-${key}`}
          aria-pressed={range === key}
          title={t(rangeLongLabelKey(key))}
          onClick={() => setRange(key)}
        >
          {t(rangeLabelKey(key))}
        </button>
      ))}
    </div>
  );
}

function ThemeToggle() {
  const { t } = useI18n();
  const theme = useEffectiveTheme();
  const setTheme = usePrefs((s) => s.setTheme);
  const label = theme === 'dark' ? t('theme.toLight') : t('theme.toDark');
  return (
    <button
      type="button"
      className="icon-btn"
      data-testid="theme-toggle"
      data-theme={theme}
      aria-label={label}
      title={label}
      onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
    >
      {theme === 'dark' ? <SunIcon /> : <MoonIcon />}
    </button>
  );
}

function LangToggle() {
  const { t, lang } = useI18n();
  const setLang = usePrefs((s) => s.setLang);
  const other = lang === 'en' ? 'zh-CN' : 'en';
  const label = t('lang.switchTo', { language: t('lang.otherName') });
  return (
    <button
      type="button"
      className="text-btn"
      data-testid="lang-toggle"
      data-lang={lang}
      aria-label={label}
      title={label}
      onClick={() => setLang(other)}
    >
      <GlobeIcon />
      <span lang={other}>{t('lang.otherName')}</span>
    </button>
  );
}

function Logo() {
  return (
    <svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true" className="logo">
      <rect x="1" y="1" width="22" height="22" rx="6" fill="var(--accent)" />
      <path d="M5 15.5 L9 10.5 L12.5 13.5 L19 7" fill="none" stroke="var(--accent-contrast)" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

function SunIcon() {
  return (
    <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round">
      <circle cx="12" cy="12" r="4.5" />
      <path d="M12 2v2.5M12 19.5V22M2 12h2.5M19.5 12H22M4.9 4.9l1.8 1.8M17.3 17.3l1.8 1.8M4.9 19.1l1.8-1.8M17.3 6.7l1.8-1.8" />
    </svg>
  );
}

function MoonIcon() {
  return (
    <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2" strokeLinejoin="round">
      <path d="M20 14.5A8.5 8.5 0 0 1 9.5 4a8.5 8.5 0 1 0 10.5 10.5Z" />
    </svg>
  );
}

function GlobeIcon() {
  return (
    <svg width="15" height="15" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2">
      <circle cx="12" cy="12" r="9.5" />
      <path d="M2.5 12h19M12 2.5c2.8 3 2.8 16 0 19M12 2.5c-2.8 3-2.8 16 0 19" />
    </svg>
  );
}
