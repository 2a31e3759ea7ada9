// The Alertmanager channel: alerts posted to Alertmanager's API v2
// (POST /api/v2/alerts, a JSON list of postableAlert: labels, annotations,
// startsAt, endsAt, generatorURL; api/v2/openapi.yaml in the Alertmanager
// repository), so its routing, grouping, silences and inhibitions apply and
// several consoles evaluating the same rule are one alert there: Alertmanager
// identifies an alert by its label set, so the labels hold nothing of the
// console (alertname, severity, the alert's own labels, instance = host).
//
// Alertmanager resolves an alert whose endsAt has passed, so a firing alert
// is sent again every `resendMs` (default 1 min, Prometheus's
// --rules.alert.resend-delay) with endsAt four resend periods ahead, as
// Prometheus does (rules/alerting.go: ValidUntil = now + 4 × max(resend
// delay, evaluation interval)): a console that stops leaves its alerts to
// resolve by themselves a few minutes later. A resolved alert is sent with
// endsAt = when it resolved. Every Alertmanager listed (an HA pair) gets
// every alert: Alertmanager's clustering deduplicates notifications, not
// alerts, and expects each client to send to all of its peers.
//
// An Alertmanager behind basic auth (its --web.config.file, the Prometheus
// exporter-toolkit's basic_auth_users) or a token-checking proxy gets an
// Authorization header, read at send time (a rotated token file applies at
// once) and only ever sent to the channel's own URLs: node:http follows no
// redirect, so a 3xx is a failed delivery, not a second request elsewhere.
import type { AlertView, PlannedNotification } from '../model.js';
import { postJson } from './http.js';
import { DeliveryError, type NotificationChannel } from './types.js';

export const DEFAULT_RESEND_MS = 60_000;
export const DEFAULT_GENERATOR_URL = 'overlook://alerts';

export interface AlertmanagerOptions {
  readonly timeoutMs?: number;
  readonly resendMs?: number;
  readonly generatorUrl?: string;
  readonly now?: () => number;
  /** The Authorization header's value (`Bearer …`, `Basic …`), resolved for each send; rejects with a DeliveryError when its secret is missing. */
  readonly authorization?: () => Promise<{ readonly header: string; readonly secrets: readonly string[] }>;
}

/** One alert as Alertmanager's API v2 takes it (postableAlert). */
export interface PostableAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL: string;
}

interface AlertFacts {
  readonly ruleId: string;
  readonly ruleName: string;
  readonly severity: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly summary: string;
  readonly value: number | null;
  readonly startsAt: number;
  /** Set for a resolved alert. */
  readonly resolvedAt?: number;
}

/** A label name as Prometheus allows it ([a-zA-Z_][a-zA-Z0-9_]*, model/labels): other characters become `_`. */
export function labelName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[a-zA-Z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

export function postableAlert(facts: AlertFacts, now: number, resendMs: number, generatorUrl: string): PostableAlert {
  const labels: Record<string, string> = {};
  for (const [name, value] of Object.entries(facts.labels)) if (value !== '') labels[labelName(name)] = value;
  // Prometheus's own alerts carry the scraped target as `instance`; routes written for them match a host here too.
  if (labels.host !== undefined && labels.instance === undefined) labels.instance = labels.host;
  labels.alertname = facts.ruleName;
  labels.severity = facts.severity;
  const value = facts.value === null ? 'no data' : String(facts.value);
  return {
    labels,
    annotations: { summary: facts.summary, description: `${facts.ruleName}: ${facts.summary} (value ${value})`, value },
    startsAt: new Date(facts.startsAt).toISOString(),
    endsAt: new Date(facts.resolvedAt ?? now + 4 * resendMs).toISOString(),
    generatorURL: `${generatorUrl}?rule=${encodeURIComponent(facts.ruleId)}`,
  };
}

function fromNotification(n: PlannedNotification): AlertFacts[] {
  return n.alerts.map((a) => ({
    ruleId: n.ruleId,
    ruleName: n.ruleName,
    severity: n.severity,
    labels: a.labels,
    summary: a.summary,
    value: a.value,
    startsAt: a.firedAt ?? a.activeAt,
    ...(a.status === 'resolved' ? { resolvedAt: a.resolvedAt ?? a.firedAt ?? a.activeAt } : {}),
  }));
}

function fromView(a: AlertView): AlertFacts {
  return { ruleId: a.ruleId, ruleName: a.ruleName, severity: a.severity, labels: a.labels, summary: a.summary, value: a.value, startsAt: a.firedAt ?? a.activeAt };
}

/** `http://am:9093/prefix/` → `http://am:9093/prefix/api/v2/alerts`. */
export function alertsEndpoint(base: string): string {
  return `${base.replace(/\/+$/, '')}/api/v2/alerts`;
}

export function alertmanagerChannel(name: string, urls: readonly string[], options: AlertmanagerOptions = {}): NotificationChannel {
  const now = options.now ?? Date.now;
  const resendMs = options.resendMs ?? DEFAULT_RESEND_MS;
  const generatorUrl = options.generatorUrl ?? DEFAULT_GENERATOR_URL;
  const timeoutMs = options.timeoutMs ?? 10_000;

  /** Posts to every Alertmanager at once; fails (naming each that failed) unless all took the alerts. */
  async function post(facts: readonly AlertFacts[]): Promise<void> {
    if (facts.length === 0) return;
    const at = now();
    const body = facts.map((f) => postableAlert(f, at, resendMs, generatorUrl));
    const auth = options.authorization ? await options.authorization() : undefined;
    const postOptions = auth ? { timeoutMs, headers: { authorization: auth.header }, secrets: [...auth.secrets, auth.header] } : { timeoutMs };
    const results = await Promise.allSettled(urls.map((url) => postJson(alertsEndpoint(url), body, postOptions)));
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (failed.length === 0) return;
    const messages = failed.map((e) => (e instanceof DeliveryError ? e.message : `alertmanager failed (${(e as Error)?.name ?? 'error'})`));
    const retryable = failed.some((e) => e instanceof DeliveryError && e.retryable);
    const retryAfterMs = Math.max(0, ...failed.map((e) => (e instanceof DeliveryError ? (e.retryAfterMs ?? 0) : 0)));
    const of = urls.length > 1 ? ` (${failed.length} of ${urls.length} Alertmanagers)` : '';
    // The first failure's problem, so the screen words a 401 or a refused connection as it does for any channel.
    const problem = failed.map((e) => (e instanceof DeliveryError ? e.problem : undefined)).find((p) => p !== undefined);
    throw new DeliveryError(`${messages.join('; ')}${of}`, retryable, retryAfterMs || undefined, problem);
  }

  return {
    name,
    type: 'alertmanager',
    send: (n) => post(fromNotification(n)),
    resend: { everyMs: resendMs, send: (firing) => post(firing.map(fromView)) },
  };
}
