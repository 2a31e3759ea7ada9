// The words of a notification, shared by the channels: a plain-text form
// (desktop popups), a markdown form (DingTalk, WeCom) and Slack's mrkdwn, in
// the notification's language (the UI's when it was planned). Chat robots cap
// message size, so the lists are cut with "and N more". The generic
// webhook's JSON keeps its field names and values machine-readable; only its
// title and summaries are in that language.
import { alertText, type AlertLang } from '../../../common/alertTexts.js';
import type { NotifiedAlert, PlannedNotification } from '../model.js';

const langOf = (n: PlannedNotification): AlertLang => n.lang ?? 'en';

const MAX_LISTED = 20;

function when(t: number | undefined): string {
  return t === undefined ? '' : new Date(t).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

function labelText(a: NotifiedAlert): string {
  return Object.keys(a.labels)
    .sort()
    .map((k) => `${k}=${a.labels[k]}`)
    .join(', ');
}

function stateWord(a: NotifiedAlert, lang: AlertLang): string {
  if (a.status === 'resolved') return alertText(lang, 'notify.word.resolved');
  return alertText(lang, a.repeat ? 'notify.word.stillFiring' : 'notify.word.firing');
}

function listed(n: PlannedNotification): { shown: NotifiedAlert[]; more: number } {
  return { shown: n.alerts.slice(0, MAX_LISTED), more: Math.max(0, n.alerts.length - MAX_LISTED) };
}

/** Short body for a desktop popup: one line per alert, at most `maxLines`. */
export function plainBody(n: PlannedNotification, maxLines = 5): string {
  const lang = langOf(n);
  const lines = n.alerts.slice(0, maxLines).map((a) => (a.status === 'resolved' ? alertText(lang, 'notify.body.resolved', { summary: a.summary }) : a.summary));
  if (n.alerts.length > maxLines) lines.push(alertText(lang, 'notify.body.more', { count: n.alerts.length - maxLines }));
  return lines.join('\n');
}

export function markdownText(n: PlannedNotification): string {
  const lang = langOf(n);
  const { shown, more } = listed(n);
  const lines = [`### ${n.title}`, '', alertText(lang, 'notify.body.severity', { severity: `**${alertText(lang, `notify.severity.${n.severity}`)}**` }), ''];
  for (const a of shown) {
    const times = a.status === 'resolved' ? alertText(lang, 'notify.body.resolvedAt', { time: when(a.resolvedAt) }) : alertText(lang, 'notify.body.since', { time: when(a.firedAt ?? a.activeAt) });
    lines.push(`- **${stateWord(a, lang)}** ${a.summary} (${labelText(a)}; ${times})`);
  }
  if (more) lines.push(`- ${alertText(lang, 'notify.body.more', { count: more })}`);
  return lines.join('\n');
}

function slackEscape(text: string): string {
  // Slack's mrkdwn reserves &, < and > (https://api.slack.com/reference/surfaces/formatting#escaping).
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function slackMrkdwn(n: PlannedNotification): string {
  const lang = langOf(n);
  const { shown, more } = listed(n);
  const lines = [`*${slackEscape(n.title)}*  (${alertText(lang, 'notify.body.severity', { severity: alertText(lang, `notify.severity.${n.severity}`) })})`];
  for (const a of shown) lines.push(`• *${stateWord(a, lang)}* ${slackEscape(a.summary)} _(${slackEscape(labelText(a))})_`);
  if (more) lines.push(`• ${alertText(lang, 'notify.body.more', { count: more })}`);
  return lines.join('\n');
}

/** Cut `text` to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const ellipsis = '…';
  const budget = maxBytes - Buffer.byteLength(ellipsis, 'utf8');
  let bytes = 0;
  let out = '';
  for (const ch of text) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > budget) break;
    bytes += n;
    out += ch;
  }
  return out + ellipsis;
}

/** The generic webhook's JSON body (version 1). */
export function webhookBody(n: PlannedNotification, sentAt: number) {
  return {
    version: '1',
    source: 'overlook',
    ...(n.test ? { test: true } : {}),
    id: n.id,
    status: n.status,
    title: n.title,
    rule: { id: n.ruleId, name: n.ruleName, severity: n.severity },
    alerts: n.alerts.map((a) => ({
      id: a.alertId,
      status: a.status,
      repeat: a.repeat,
      labels: a.labels,
      summary: a.summary,
      value: a.value,
      activeAt: new Date(a.activeAt).toISOString(),
      ...(a.firedAt !== undefined ? { firedAt: new Date(a.firedAt).toISOString() } : {}),
      ...(a.resolvedAt !== undefined ? { resolvedAt: new Date(a.resolvedAt).toISOString() } : {}),
    })),
    sentAt: new Date(sentAt).toISOString(),
  };
}
