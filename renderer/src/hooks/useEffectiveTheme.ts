import { useSyncExternalStore } from 'react';
import { usePrefs } from '../stores/prefs';

export type Theme = 'light' | 'dark';

const darkQuery = () => window.matchMedia('(prefers-color-scheme: dark)');

function subscribeScheme(onChange: () => void): () => void {
  const q = darkQuery();
  q.addEventListener('change', onChange);
  return () => q.removeEventListener('change', onChange);
}

/** The theme in effect: the operator's choice, or the OS's while they have not chosen. */
export function useEffectiveTheme(): Theme {
  const choice = usePrefs((s) => s.theme);
  const osDark = useSyncExternalStore(subscribeScheme, () => darkQuery().matches);
  if (choice === 'system') return osDark ? 'dark' : 'light';
  return choice;
}
