import { useI18n } from '../i18n/useI18n';
import { hrefFor, screenShowsTime, type Route } from '../router';
import { usePrefs } from '../stores/prefs';
import { unmutedFiring, useAlerts } from '../stores/alerts';
import { useClouds } from '../stores/clouds';
import { useChecks } from '../stores/checks';
import { checkState } from '../screens/checks/checkDisplay';
import { useConnection } from '../stores/connection';
import { useState } from 'react';
import { selectRange, selectWindow, useTimeSelection } from '../stores/timeSelection';
import { fromLocalInput, rangeDurationMs, rangeKeys, rangeLabelKey, rangeLongLabelKey, toLocalInput } from '../timeRange';

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
        <a href={hrefFor({ screen: 'topk' })} aria-current={route.screen === 'topk' ? 'page' : undefined} data-testid="nav-topk">
          {t('nav.topk')}
        </a>
        <CloudsNavLink active={route.screen === 'clouds' || route.screen === 'cloud-account' || route.screen === 'cloud-instance'} />
        <ChecksNavLink active={route.screen === 'checks'} />
        <AlertsNavLink active={route.screen === 'alerts'} />
        <a href={hrefFor({ screen: 'settings' })} aria-current={route.screen === 'settings' ? 'page' : undefined} data-testid="nav-settings">
          {t('nav.settings')}
        </a>
      </nav>
      <div className="header-tools">
        <button type="button" className="text-btn" data-testid="palette-open" title={t('palette.open')} onClick={() => window.dispatchEvent(new Event('overlook:palette'))}>
          <kbd>{t('palette.shortcut')}</kbd>
        </button>
        {screenShowsTime(route) ? <RangePicker /> : <ConnectionPill />}
        <ThemeChoice />
        <LangToggle />
      </div>
    </header>
  );
}

/** Clouds, with the number of accounts whose collector is in trouble (credentials rejected, the cloud unreachable). */
function CloudsNavLink({ active }: { active: boolean }) {
  const { t } = useI18n();
  const failing = useClouds((s) => s.accounts.filter((a) => a.status.state === 'error').length);
  return (
    <a href={hrefFor({ screen: 'clouds' })} aria-current={active ? 'page' : undefined} data-testid="nav-clouds">
      {t('nav.clouds')}
      {failing > 0 && (
        <span className="nav-badge" data-testid="clouds-badge" aria-label={t('nav.cloudsFailing', { count: failing })}>
          {failing}
        </span>
      )}
    </a>
  );
}

/** Service checks, with the number of checks some vantage point sees down. */
function ChecksNavLink({ active }: { active: boolean }) {
  const { t } = useI18n();
  const down = useChecks((s) => s.checks.filter((c) => checkState(c) === 'down').length);
  return (
    <a href={hrefFor({ screen: 'checks' })} aria-current={active ? 'page' : undefined} data-testid="nav-checks">
      {t('nav.checks')}
      {down > 0 && (
        <span className="nav-badge" data-testid="checks-badge" aria-label={t('nav.checksDown', { count: down })}>
          {down}
        </span>
      )}
    </a>
  );
}

function AlertsNavLink({ active }: { active: boolean }) {
  const { t } = useI18n();
  const firing = useAlerts((s) => unmutedFiring(s.alerts));
  return (
    <a href={hrefFor({ screen: 'alerts' })} aria-current={active ? 'page' : undefined} data-testid="nav-alerts">
      {t('nav.alerts')}
      {firing > 0 && (
        <span className="nav-badge" data-testid="alerts-badge" aria-label={t('nav.alertsFiring', { count: firing })}>
          {firing}
        </span>
      )}
    </a>
  );
}

/**
 * Live, a fixed window, or no link to the console: nothing says "live" while
 * the connection is down, since nothing on the page is being updated.
 */
function ConnectionPill({ fixed = false }: { fixed?: boolean }) {
  const { t } = useI18n();
  const status = useConnection((s) => s.status);
  if (status !== 'open')
    return (
      <span className="live-pill live-pill--down" data-testid="range-disconnected" title={t('connection.pill.hint')}>
        <span className="live-dot" aria-hidden="true" />
        {t(status === 'connecting' ? 'connection.pill.connecting' : 'connection.pill.down')}
      </span>
    );
  if (fixed)
    return (
      <span className="live-pill live-pill--off" data-testid="range-fixed">
        {t('range.fixed')}
      </span>
    );
  return (
    <span className="live-pill" data-testid="range-live">
      <span className="live-dot" aria-hidden="true" />
      {t('range.live')}
    </span>
  );
}

function RangePicker() {
  const { t } = useI18n();
  const range = useTimeSelection((s) => s.range);
  const fixed = useTimeSelection((s) => s.fixed);
  return (
    <div className="range-picker" role="group" aria-label={t('range.label')} data-testid="range-picker">
      <ConnectionPill fixed={fixed !== null} />
      {rangeKeys.map((key) => (
        <button
          key={key}
          type="button"
          className="segment"
          data-testid={`range-${key}`}
          aria-pressed={!fixed && range === key}
          title={t(rangeLongLabelKey(key))}
          onClick={() => selectRange(key)}
        >
          {t(rangeLabelKey(key))}
        </button>
      ))}
      <CustomRange />
    </div>
  );
}

/** An absolute from/to window, typed (keyboard-friendly twin of drag-to-zoom). */
function CustomRange() {
  const { t } = useI18n();
  const fixed = useTimeSelection((s) => s.fixed);
  const range = useTimeSelection((s) => s.range);
  const [open, setOpen] = useState(false);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [problem, setProblem] = useState(false);
  const start = () => {
    const now = Date.now();
    setFrom(toLocalInput(fixed?.from ?? now - rangeDurationMs[range]));
    setTo(toLocalInput(fixed?.to ?? now));
    setProblem(false);
    setOpen((o) => !o);
  };
  return (
    <span className="custom-range">
      <button type="button" className="segment" aria-pressed={fixed !== null} aria-expanded={open} data-testid="range-custom" onClick={start}>
        {t('range.custom')}
      </button>
      {open && (
        <form
          className="popover"
          data-testid="range-custom-form"
          onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
          onSubmit={(e) => {
            e.preventDefault();
            const a = fromLocalInput(from);
            const b = fromLocalInput(to);
            if (a === null || b === null || b <= a) return setProblem(true);
            selectWindow({ from: a, to: b });
            setOpen(false);
          }}
        >
          <label className="field">
            <span>{t('range.from')}</span>
            <input className="input" type="datetime-local" value={from} autoFocus onChange={(e) => setFrom(e.target.value)} data-testid="range-from" />
          </label>
          <label className="field">
            <span>{t('range.to')}</span>
            <input className="input" type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} data-testid="range-to" />
          </label>
          {problem && <span className="error-text small">{t('range.invalid')}</span>}
          <button type="submit" className="btn btn--small" data-testid="range-apply">
            {t('range.apply')}
          </button>
        </form>
      )}
    </span>
  );
}

function ThemeChoice() {
  const { t } = useI18n();
  const choice = usePrefs((s) => s.theme);
  const setTheme = usePrefs((s) => s.setTheme);
  return (
    <select className="input input--compact" aria-label={t('theme.choice')} title={t('theme.choice')} value={choice} data-testid="theme-choice" onChange={(e) => setTheme(e.target.value as typeof choice)}>
      <option value="system">{t('theme.system')}</option>
      <option value="light">{t('theme.light')}</option>
      <option value="dark">{t('theme.dark')}</option>
    </select>
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

function GlobeIcon() {
  return (
    <svg width="15" height="15" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2">
      <circle cx="12" cy="12" r="9.5" />
      <path d="M2.5 12h19M12 2.5c2.8 3 2.8 16 0 19M12 2.5c-2.8 3-2.8 16 0 19" />
    </svg>
  );
}
