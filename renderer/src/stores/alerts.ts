// Alerts as the UI shows them: the current alerts (kept current by
// `alerts/changed`), and on the alerts screen the rules, channels, recent
// deliveries, history and the provisioning problems of the alert sections.
// Refreshed from scratch on every (re)connection.
import { create } from 'zustand';
import type { AlertView, DeliveryRecord, RuleView, Silence, TransitionRecord } from '../../../main/common/alertModel';
import type { ChannelView } from '../../../main/common/alertChannels';
import type { AlertsChanged, ConfigProblem } from '../../../main/common/contract';
import { core } from '../coreClient';
import { onEachConnection, useConnection } from './connection';

export interface AlertsState {
  phase: 'loading' | 'ready' | 'error';
  error?: string;
  alerts: AlertView[];
  rules: RuleView[];
  /** Channel names, for the rule editor's checkboxes. */
  channels: string[];
  /** The channels screen's list: every channel with what it needs (never a secret). */
  channelViews: ChannelView[];
  /** Active silences. */
  silences: Silence[];
  deliveries: DeliveryRecord[];
  history: TransitionRecord[];
  /** Problems of the provisioning file's `alerts:` and `channels:` sections. */
  problems: ConfigProblem[];
  shell?: 'desktop' | 'headless';
}

export const useAlerts = create<AlertsState>()(() => ({
  phase: 'loading',
  alerts: [],
  rules: [],
  channels: [],
  channelViews: [],
  silences: [],
  deliveries: [],
  history: [],
  problems: [],
}));

/** Firing alerts nobody silenced: the count on the nav entry. */
export function unmutedFiring(alerts: readonly AlertView[]): number {
  let n = 0;
  for (const a of alerts) if (a.status === 'firing' && !a.muted) n++;
  return n;
}

export function alertProblems(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return problems.filter((p) => p.field !== undefined && /^(alerts|channels)(\[|\.|$)/.test(p.field));
}

let seq = 0;

export async function refreshAlerts(): Promise<void> {
  const mine = ++seq;
  try {
    const [alerts, rules, deliveries, history, info, channelViews, silences] = await Promise.all([
      core.call('alerts/list'),
      core.call('alerts/rules'),
      core.call('alerts/deliveries', { limit: 50 }),
      core.call('alerts/history', { limit: 200 }),
      core.call('app/info'),
      core.call('alerts/channels'),
      core.call('alerts/silences'),
    ]);
    if (mine !== seq) return;
    useAlerts.setState({
      phase: 'ready',
      error: undefined,
      alerts,
      rules: rules.rules,
      channels: rules.channels,
      channelViews,
      silences,
      deliveries,
      history,
      problems: alertProblems(info.config.problems),
      shell: info.shell,
    });
  } catch (err) {
    if (mine !== seq) return;
    if (useConnection.getState().status !== 'open' && useAlerts.getState().phase === 'ready') return;
    useAlerts.setState({ phase: 'error', error: (err as Error).message });
  }
}

async function refreshPart(reason: AlertsChanged['reason']): Promise<void> {
  try {
    if (reason === 'rules' || reason === 'channels') {
      // Rules name channels and channels list the rules using them: both change together.
      const [r, channelViews] = await Promise.all([core.call('alerts/rules'), core.call('alerts/channels')]);
      useAlerts.setState({ rules: r.rules, channels: r.channels, channelViews });
    } else if (reason === 'silences') {
      useAlerts.setState({ silences: await core.call('alerts/silences') });
    } else if (reason === 'deliveries') {
      useAlerts.setState({ deliveries: await core.call('alerts/deliveries', { limit: 50 }) });
    } else if (reason === 'states') {
      const [history, rules] = await Promise.all([core.call('alerts/history', { limit: 200 }), core.call('alerts/rules')]);
      useAlerts.setState({ history, rules: rules.rules, channels: rules.channels });
    }
  } catch {
    // The next change or reconnection refreshes again; the list itself came with the event.
  }
}

/** Wire the store to the core's events and to reconnections. Call once at start-up. */
export function startAlertsSync(): void {
  core.on('alerts/changed', ({ reason, alerts }) => {
    useAlerts.setState({ alerts });
    void refreshPart(reason);
  });
  core.on('config/changed', (config) => useAlerts.setState({ problems: alertProblems(config.problems) }));
  onEachConnection(() => void refreshAlerts());
}
