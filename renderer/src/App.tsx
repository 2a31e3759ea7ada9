import { useEffect, useRef } from 'react';
import { AppHeader } from './components/AppHeader';
import { HistorySourceStrip } from './components/HistorySourceStrip';
import { ConnectionBanner } from './components/ConnectionBanner';
import { Toasts } from './components/Toasts';
import { CommandPalette } from './components/CommandPalette';
import { TopK } from './screens/topk/TopK';
import { AlertsScreen } from './screens/alerts/AlertsScreen';
import { useI18n } from './i18n/useI18n';
import { screenShowsTime, useRoute } from './router';
import { HostDetail } from './screens/hostDetail/HostDetail';
import { ContainerDetail } from './screens/containers/ContainerDetail';
import { Overview } from './screens/overview/Overview';
import { SettingsScreen } from './screens/settings/Settings';
import { useEffectiveTheme } from './hooks/useEffectiveTheme';
import { CloudsScreen } from './screens/clouds/CloudsScreen';
import { CloudAccountScreen } from './screens/clouds/CloudAccountScreen';
import { CloudInstanceScreen } from './screens/clouds/CloudInstanceScreen';
import { ChecksScreen } from './screens/checks/ChecksScreen';

export function App() {
  const theme = useEffectiveTheme();
  const { lang, t } = useI18n();
  const route = useRoute();
  const mainRef = useRef<HTMLElement>(null);
  const routeKey =
    route.screen === 'host'
      ? `host:${route.hostId}`
      : route.screen === 'container'
        ? `container:${route.hostId}/${route.namespace ?? ''}/${route.pod ?? ''}/${route.container}`
        : route.screen === 'cloud-account'
          ? `cloud:${route.account}`
          : route.screen === 'cloud-instance'
            ? `cloud:${route.account}/${route.instanceId}`
            : route.screen;

  useEffect(() => {
    const root = document.documentElement;
    root.dataset.theme = theme;
    root.style.colorScheme = theme;
  }, [theme]);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  useEffect(() => {
    document.title =
      route.screen === 'host'
        ? `${route.hostId} · ${t('app.name')}`
        : route.screen === 'container'
          ? `${route.container} · ${route.hostId} · ${t('app.name')}`
          : route.screen === 'cloud-account'
            ? `${route.account} · ${t('app.name')}`
            : route.screen === 'cloud-instance'
              ? `${route.instanceId} · ${t('app.name')}`
              : t('app.name');
  }, [route, t]);

  // After navigating, put keyboard and screen-reader focus on the new screen's
  // heading, as a page load would; not on first load, where the browser's
  // own start position is right.
  const firstRoute = useRef(true);
  useEffect(() => {
    if (firstRoute.current) {
      firstRoute.current = false;
      return;
    }
    window.scrollTo(0, 0);
    mainRef.current?.querySelector<HTMLElement>('h1')?.focus({ preventScroll: true });
  }, [routeKey]);

  const skipToContent = () => mainRef.current?.querySelector<HTMLElement>('h1')?.focus();

  return (
    <>
      <button type="button" className="skip-link" onClick={skipToContent}>
        {t('app.skipToContent')}
      </button>
      <AppHeader route={route} />
      <ConnectionBanner />
      {(screenShowsTime(route) || route.screen === 'overview') && <HistorySourceStrip />}
      <main ref={mainRef} className="app-main">
        {route.screen === 'settings' ? (
          <SettingsScreen />
        ) : route.screen === 'alerts' ? (
          <AlertsScreen />
        ) : route.screen === 'host' ? (
          <HostDetail key={route.hostId} hostId={route.hostId} />
        ) : route.screen === 'container' ? (
          <ContainerDetail key={routeKey} hostId={route.hostId} container={route.container} namespace={route.namespace} pod={route.pod} />
        ) : route.screen === 'topk' ? (
          <TopK />
        ) : route.screen === 'checks' ? (
          <ChecksScreen />
        ) : route.screen === 'clouds' ? (
          <CloudsScreen />
        ) : route.screen === 'cloud-account' ? (
          <CloudAccountScreen key={route.account} account={route.account} />
        ) : route.screen === 'cloud-instance' ? (
          <CloudInstanceScreen key={`${route.account}/${route.instanceId}`} account={route.account} instanceId={route.instanceId} />
        ) : (
          <Overview />
        )}
      </main>
      <Toasts />
      <CommandPalette />
    </>
  );
}
