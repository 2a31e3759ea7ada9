// The alerts feature: plugs the alert engine into the core. It owns the
// journal (`<dataDir>/alerts.sqlite`), reads series through the history
// store, hears host status changes, evaluates on the poll interval in slices
// (so sample ingest never waits on it), takes rules and channels from the
// provisioning file, and answers the contract's `alerts/*` requests.
//
// The `desktop` channel is always there. It emits `alerts/notification` to
// the connected UIs (the in-app toast; the headless console's browser
// Notification) and calls the shell's `notify` when it has one (Electron's
// Notification on the desktop). The other channels come from the channels
// screen and the provisioning file (channelSet.ts).
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { RpcError, type Handlers, type Host } from '../../common/contract.js';
import type { AlertsChanged } from '../../common/contract.js';
import type { Severity } from '../../common/alertRules.js';
import type { CoreContext, CoreFeature } from '../coreContext.js';
import { sectionOf, type ProvisioningResult } from '../config/provisioning.js';
import { alertsSection, channelsSection } from './provisioningSection.js';
import { createChannel } from './channels/createChannel.js';
import type { RetryPolicy } from './channels/deliver.js';
import type { DesktopNotice } from './channels/robots.js';
import type { NotificationChannel } from './channels/types.js';
import { ChannelSet } from './channelSet.js';
import type { PlannedNotification } from './model.js';
import { alertText } from '../../common/alertTexts.js';
import { AlertEngine, AlertRuleError, type AlertEngineEvent } from './engine.js';
import { AlertJournal } from './journal.js';
import type { AlertRule } from './rule.js';
import { storeWindowReader } from './storeReader.js';
import { queryRefusal } from '../store/types.js';

export interface AlertsFeatureOptions {
  /** The shell's own popup (Electron's Notification); the headless console has none and relies on the UI. */
  readonly notify?: (notice: { title: string; body: string; severity: Severity; status: 'firing' | 'resolved' }) => void | Promise<void>;
  /** Evaluate this often; default: the settings' poll interval. */
  readonly evaluateEveryMs?: number;
  /** History, finished deliveries and expired silences older than this are pruned daily (default 90 days). */
  readonly keepHistoryMs?: number;
  readonly retry?: RetryPolicy;
  /** Environment for `url_env` / `secret_env` channel references (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export { DESKTOP_CHANNEL } from '../../common/alertChannels.js';
import { DESKTOP_CHANNEL } from '../../common/alertChannels.js';
const DAY_MS = 86_400_000;
const DEFAULT_KEEP_HISTORY_MS = 90 * DAY_MS;

export function createAlertsFeature(options: AlertsFeatureOptions = {}): (ctx: CoreContext) => CoreFeature {
  return (ctx) => new AlertsFeature(ctx, options).feature();
}

class AlertsFeature {
  private readonly engine: AlertEngine;
  private readonly channels: ChannelSet;
  private readonly hostNames = new Map<string, string>();
  private evaluateTimer?: NodeJS.Timeout;
  private pruneTimer?: NodeJS.Timeout;
  /** Per channel that wants firing alerts again and again (Alertmanager): its timer. */
  private resendTimers: NodeJS.Timeout[] = [];
  private evaluateEveryMs: number;
  private stopped = false;

  constructor(
    private readonly ctx: CoreContext,
    private readonly options: AlertsFeatureOptions,
  ) {
    this.evaluateEveryMs = options.evaluateEveryMs ?? ctx.settings().pollIntervalMs;
    this.engine = new AlertEngine({
      journal: openJournal(ctx),
      reader: storeWindowReader(ctx.store, () => ctx.settings().pollIntervalMs, watchedHostNames(ctx)),
      anomalies: (selector, sensitivity) => ctx.anomalyVerdicts(selector, sensitivity),
      now: ctx.now,
      log: ctx.log,
      channels: [this.desktopChannel()],
      builtin: { pollIntervalMs: ctx.settings().pollIntervalMs },
      plan: { lang: ctx.settings().language ?? 'en' },
      ...(options.retry ? { delivery: options.retry } : {}),
      onEvent: (event) => this.onEngineEvent(event),
    });
    this.channels = new ChannelSet({
      dataDir: ctx.dataDir,
      secrets: ctx.secrets,
      log: ctx.log,
      now: ctx.now,
      env: options.env,
      desktop: (name) => ({ ...this.desktopChannel(), name }),
      onChange: (channels) => {
        this.engine.setChannels(channels);
        this.scheduleResends(channels);
        this.announce('channels');
      },
    });
  }

  feature(): CoreFeature {
    return {
      name: 'alerts',
      handlers: this.handlers(),
      provisioning: [channelsSection, alertsSection],
      start: () => this.start(),
      stop: () => this.stop(),
      onProvisioning: (result) => this.onProvisioning(result),
      onHostStatus: (host) => this.onHostStatus(host),
      onHostRemoved: (hostId) => {
        const name = this.hostNames.get(hostId) ?? hostId;
        this.hostNames.delete(hostId);
        this.engine.forgetHost(name);
      },
      onSettings: (settings) => {
        this.engine.setLanguage(settings.language ?? 'en');
        if (this.options.evaluateEveryMs === undefined && settings.pollIntervalMs !== this.evaluateEveryMs) {
          this.evaluateEveryMs = settings.pollIntervalMs;
          if (this.evaluateTimer) this.scheduleEvaluation();
        }
      },
    };
  }

  // ------------------------------------------------------------ lifecycle

  private async start(): Promise<void> {
    await this.channels.start();
    for (const { host } of this.ctx.hosts()) this.onHostStatus(host);
    this.scheduleEvaluation();
    const prune = () => {
      try {
        const removed = this.engine.prune(this.ctx.now() - (this.options.keepHistoryMs ?? DEFAULT_KEEP_HISTORY_MS));
        if (removed) this.ctx.log.info(`alerts: pruned ${removed} old history rows`);
      } catch (err) {
        this.ctx.log.warn('alerts: pruning the journal failed', { error: (err as Error).message });
      }
    };
    prune();
    this.pruneTimer = setInterval(prune, DAY_MS);
    this.pruneTimer.unref();
  }

  private scheduleEvaluation(): void {
    if (this.evaluateTimer) clearInterval(this.evaluateTimer);
    this.evaluateTimer = setInterval(() => void this.evaluateNow(), this.evaluateEveryMs);
    this.evaluateTimer.unref();
  }

  /** One cycle; exported through the feature for tests via the handlers' effects. */
  async evaluateNow(): Promise<void> {
    if (this.stopped) return;
    try {
      const report = await this.engine.evaluateInSlices(this.ctx.now());
      if (report) this.ctx.health.alertEvaluations += report.rules;
    } catch (err) {
      this.ctx.log.error('alerts: evaluation failed', { error: (err as Error).message });
    }
  }

  private async stop(): Promise<void> {
    this.stopped = true;
    if (this.evaluateTimer) clearInterval(this.evaluateTimer);
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.evaluateTimer = this.pruneTimer = undefined;
    await this.channels.stop();
    this.scheduleResends([]);
    await this.engine.close();
  }

  // ------------------------------------------------------------ inputs

  private onHostStatus(host: Host): void {
    // Series carry the host's name as their `host` label; host alerts use the same, so one silence covers both.
    this.hostNames.set(host.id, host.name);
    this.engine.onHostStatus(host.name, host.status, this.ctx.now());
  }

  private onProvisioning(result: ProvisioningResult): void {
    const config = result.config;
    const rules: AlertRule[] = [];
    const seen = new Set<string>();
    for (const rule of config ? sectionOf(config, alertsSection) : []) {
      if (seen.has(rule.id)) {
        this.ctx.log.warn(`config ${result.file}: a second alert named "${rule.name}" was ignored; alert names must be unique`);
        continue;
      }
      seen.add(rule.id);
      rules.push(rule);
    }
    const specs = config ? sectionOf(config, channelsSection) : [];
    const names = new Set<string>();
    for (const spec of specs) {
      if (names.has(spec.name)) this.ctx.log.warn(`config ${result.file}: a second channel named "${spec.name}" was ignored; channel names must be unique`);
      names.add(spec.name);
    }
    this.channels.setProvisioned(specs, config?.baseDir);
    this.engine.setProvisionedRules(rules, this.ctx.now());
  }

  /**
   * Every channel with `resend` (Alertmanager) gets, every `resend.everyMs`,
   * the alerts firing now of the rules routed to it, silenced ones left out.
   * One send at a time per channel; a failure is logged when it changes.
   */
  private scheduleResends(channels: readonly NotificationChannel[]): void {
    for (const timer of this.resendTimers) clearInterval(timer);
    this.resendTimers = [];
    if (this.stopped) return;
    for (const channel of channels) {
      const resend = channel.resend;
      if (!resend) continue;
      let busy = false;
      let lastError: string | undefined;
      const timer = setInterval(() => {
        if (busy || this.stopped) return;
        const firing = this.engine
          .listAlerts(this.ctx.now())
          .filter((a) => a.status === 'firing' && !a.muted && (this.engine.getRule(a.ruleId)?.channels ?? []).includes(channel.name));
        if (firing.length === 0) return;
        busy = true;
        resend
          .send(firing)
          .then(
            () => {
              if (lastError !== undefined) this.ctx.log.info(`alerts: channel "${channel.name}" takes firing alerts again`);
              lastError = undefined;
            },
            (err: unknown) => {
              const message = (err as Error).message;
              if (message !== lastError) this.ctx.log.warn(`alerts: sending the firing alerts again to channel "${channel.name}" failed`, { error: message });
              lastError = message;
            },
          )
          .finally(() => (busy = false));
      }, resend.everyMs);
      timer.unref();
      this.resendTimers.push(timer);
    }
  }

  private desktopChannel(): NotificationChannel {
    const notify = async (notice: DesktopNotice) => {
      this.ctx.emit('alerts/notification', { id: randomUUID(), title: notice.title, body: notice.body, severity: notice.severity, status: notice.status, at: this.ctx.now() });
      await this.options.notify?.(notice);
    };
    return createChannel({ name: DESKTOP_CHANNEL, type: 'desktop' }, { notify });
  }

  // ------------------------------------------------------------ outputs

  private onEngineEvent(event: AlertEngineEvent): void {
    const reason: AlertsChanged['reason'] | undefined =
      event.type === 'alerts' ? 'states' : event.type === 'rules' ? 'rules' : event.type === 'silences' ? 'silences' : event.type === 'delivery' && event.delivery.status !== 'sending' ? 'deliveries' : undefined;
    if (reason) this.announce(reason);
  }

  private announce(reason: AlertsChanged['reason']): void {
    if (this.stopped) return;
    this.ctx.emit('alerts/changed', { reason, alerts: this.engine.listAlerts(this.ctx.now()) });
  }

  /** The rules that notify through a channel. */
  private rulesUsing(channel: string): { id: string; name: string }[] {
    return this.engine
      .listRules()
      .filter((r) => r.rule.channels.includes(channel))
      .map((r) => ({ id: r.rule.id, name: r.rule.name }));
  }

  /** What "Test" sends: marked as a test in its title and, for the JSON webhook, in its body. */
  private testNotification(): PlannedNotification {
    const now = this.ctx.now();
    const lang = this.engine.language;
    return {
      id: `test@${now}`,
      ruleId: 'test',
      ruleName: alertText(lang, 'notify.test.rule'),
      severity: 'info',
      channels: [],
      status: 'firing',
      test: true,
      lang,
      title: alertText(lang, 'notify.test.title'),
      alerts: [{ alertId: 'test', key: 'test', labels: {}, status: 'firing', repeat: false, summary: alertText(lang, 'notify.test.summary'), value: null, activeAt: now, firedAt: now }],
      createdAt: now,
    };
  }

  private handlers(): Partial<Handlers> {
    const engine = this.engine;
    const now = () => this.ctx.now();
    return {
      'alerts/list': () => engine.listAlerts(now()),
      'alerts/history': (filter) => engine.history(filter),
      'alerts/rules': () => ({ rules: engine.listRules(), channels: engine.channelNames() }),
      'alerts/rule-create': (input) => asRpc(() => engine.createRule(input, now())),
      'alerts/rule-update': ({ id, rule }) => asRpc(() => engine.updateRule(id, rule, now())),
      'alerts/rule-delete': ({ id }) => asRpc(() => (engine.deleteRule(id, now()), true)),
      'alerts/rule-enable': ({ id, enabled }) => asRpc(() => engine.setRuleEnabled(id, enabled, now())),
      'alerts/preview': (input) => asRpc(() => engine.preview(input, now())),
      'alerts/silence': ({ alertId, scope, durationMs, comment }) => asRpc(() => engine.silenceAlert(alertId, scope, durationMs, comment, now())),
      'alerts/unsilence': ({ id }) => engine.unsilence(id, now()),
      'alerts/silences': () => engine.listSilences({}, now()),
      'alerts/deliveries': (filter) => engine.deliveries(filter),
      'alerts/channels': () => this.channels.views((name) => this.rulesUsing(name)),
      'alerts/channel-add': async (draft) => {
        await this.channels.add(draft);
        return this.channels.viewOf(draft.name, this.rulesUsing(draft.name));
      },
      'alerts/channel-update': async ({ name, draft }) => {
        await this.channels.update(name, draft);
        return this.channels.viewOf(name, this.rulesUsing(name));
      },
      'alerts/channel-remove': async ({ name }) => {
        await this.channels.remove(name);
        return true;
      },
      'alerts/channel-test': (request) => this.channels.test(request, this.testNotification()),
    };
  }
}

/** The engine's refusals as the contract's error codes; anything else stays an internal error. */
function asRpc<T>(fn: () => T): T {
  try {
    const result = fn();
    return (result instanceof Promise ? result.catch((err: unknown) => Promise.reject(rpcErrorOf(err))) : result) as T;
  } catch (err) {
    throw rpcErrorOf(err);
  }
}

function rpcErrorOf(err: unknown): unknown {
  if (err instanceof AlertRuleError) {
    if (err.code === 'not_found') return new RpcError('not_found', err.message);
    if (err.code === 'provisioned') return new RpcError('provisioned', err.message);
    return new RpcError('invalid_input', err.message);
  }
  return queryRefusal(err);
}

function openJournal(ctx: CoreContext): AlertJournal {
  const file = path.join(ctx.dataDir, 'alerts.sqlite');
  try {
    return new AlertJournal({ file });
  } catch (err) {
    // A damaged or newer file is left untouched for the user to inspect; alerts still run, in memory.
    ctx.log.error(`alerts: cannot open ${file}; alerts run without history until it is fixed`, { error: (err as Error).message });
    return new AlertJournal({ file: ':memory:' });
  }
}

/**
 * The names of the hosts the console watches, for the window reader. Every
 * rule reads it in every cycle: build the set at most once a second rather
 * than copying the host list per rule.
 */
function watchedHostNames(ctx: CoreContext): () => ReadonlySet<string> {
  let cached: { at: number; names: ReadonlySet<string> } | undefined;
  return () => {
    const now = ctx.now();
    if (!cached || now - cached.at >= 1000 || now < cached.at) cached = { at: now, names: new Set(ctx.hosts().map((h) => h.host.name)) };
    return cached.names;
  };
}
