// In-app toasts for alert notifications (the `desktop` channel in the
// browser), and the browser Notification API when the user allowed it and
// the console's tab is not in front. Permission is only ever asked from a
// button press (AlertsScreen), never on load.
import { create } from 'zustand';
import type { AlertNotice } from '../../../main/common/contract';
import { core } from '../coreClient';
import { useAlerts } from './alerts';

export interface ToastsState {
  toasts: AlertNotice[];
}

/** Toasts beyond this many push the oldest out: a burst of alerts must not cover the screen. */
export const MAX_TOASTS = 4;
const TOAST_MS = 12_000;

export const useToasts = create<ToastsState>()(() => ({ toasts: [] }));

export function dismissToast(id: string): void {
  useToasts.setState((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
}

export function pushToast(notice: AlertNotice): void {
  useToasts.setState((s) => ({ toasts: [...s.toasts, notice].slice(-MAX_TOASTS) }));
  setTimeout(() => dismissToast(notice.id), notice.severity === 'critical' && notice.status === 'firing' ? TOAST_MS * 3 : TOAST_MS);
}

export function browserNotificationsSupported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

function showBrowserNotification(notice: AlertNotice): void {
  // The desktop shell shows Electron's own notification; a second one from the page would double it.
  if (useAlerts.getState().shell !== 'headless') return;
  if (!browserNotificationsSupported() || Notification.permission !== 'granted') return;
  if (document.visibilityState === 'visible' && document.hasFocus()) return; // the toast is in view
  try {
    new Notification(notice.title, { body: notice.body, tag: notice.id });
  } catch {
    // Some browsers allow notifications only from a service worker; the toast stays.
  }
}

export function startToasts(): void {
  core.on('alerts/notification', (notice) => {
    pushToast(notice);
    showBrowserNotification(notice);
  });
}
