// The channels: desktop popup, generic JSON webhook, DingTalk robot, WeCom
// group robot and Slack incoming webhook.
import { createHmac } from 'node:crypto';
import type { Severity } from '../rule.js';
import { oneLine, postJson, scrubSecrets, urlSecrets, type HttpResponse } from './http.js';
import { markdownText, plainBody, slackMrkdwn, truncateUtf8, webhookBody } from './messageText.js';
import { DeliveryError, type NotificationChannel } from './types.js';

export const DEFAULT_TIMEOUT_MS = 10_000;

export interface DesktopNotice {
  readonly title: string;
  readonly body: string;
  readonly severity: Severity;
  /** `firing` or `resolved`, for the toast's colour. */
  readonly status: 'firing' | 'resolved';
}

/** Shown by the shell: Electron's Notification, or the browser Notification API plus an in-app toast. */
export type DesktopNotify = (notice: DesktopNotice) => void | Promise<void>;

export function desktopChannel(name: string, notify: DesktopNotify): NotificationChannel {
  return {
    name,
    type: 'desktop',
    async send(n) {
      try {
        await notify({ title: n.title, body: plainBody(n), severity: n.severity, status: n.status });
      } catch (err) {
        throw new DeliveryError(`desktop notification failed: ${(err as Error).message}`, false);
      }
    },
  };
}

/** A secret-bearing value, read when a notification is sent so a rotated token applies at once. */
export type SecretValue = () => Promise<string>;

export interface WebhookOptions {
  readonly timeoutMs?: number;
  /** Clock for DingTalk's signature timestamp (tests move it). */
  readonly now?: () => number;
}

export function webhookChannel(name: string, url: SecretValue, options: WebhookOptions = {}): NotificationChannel {
  const now = options.now ?? Date.now;
  return {
    name,
    type: 'webhook',
    async send(n) {
      await postJson(await url(), webhookBody(n, now()), { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
    },
  };
}

/**
 * DingTalk custom robot "加签" signature: HMAC-SHA256 keyed by the secret over
 * `timestamp + "\n" + secret`, Base64, then URL-encoded, sent as the `timestamp`
 * (ms) and `sign` query parameters; DingTalk rejects a timestamp more than an
 * hour from its clock. Source: DingTalk Open Platform, custom robot security
 * settings (open.dingtalk.com, "自定义机器人安全设置" / 加签), as quoted in
 * https://apifox.com/apidoc/docs-site/467052/doc-3550006.
 */
export function dingTalkSign(secret: string, timestamp: number): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

export function dingTalkSignedUrl(url: string, secret: string, timestamp: number): string {
  const sep = url.includes('?') ? '&' : '?';
  return `${url}${sep}timestamp=${timestamp}&sign=${encodeURIComponent(dingTalkSign(secret, timestamp))}`;
}

/** DingTalk and WeCom answer HTTP 200 with `{"errcode":0,"errmsg":"ok"}`; anything else is a rejection. */
function checkErrcode(robot: string, res: HttpResponse, secrets: string[]): void {
  let parsed: { errcode?: unknown; errmsg?: unknown };
  try {
    parsed = JSON.parse(res.body) as typeof parsed;
  } catch {
    throw new DeliveryError(scrubSecrets(`${robot} answered something that is not JSON: ${oneLine(res.body)}`, secrets), false, undefined, {
      kind: 'notJson',
      service: robot,
      body: scrubSecrets(oneLine(res.body), secrets),
    });
  }
  if (parsed.errcode === 0) return;
  // A bad signature, a missing keyword or an invalid key will not fix itself: not retried.
  const code = String(parsed.errcode);
  const message = scrubSecrets(oneLine(String(parsed.errmsg ?? '')), secrets);
  throw new DeliveryError(scrubSecrets(`${robot} rejected the message: errcode ${code} ${oneLine(String(parsed.errmsg ?? ''))}`, secrets), false, undefined, { kind: 'refused', service: robot, code, message });
}

// DingTalk's markdown message takes a title (the conversation list preview) and a text.
export function dingTalkChannel(name: string, url: SecretValue, secret: SecretValue | undefined, options: WebhookOptions = {}): NotificationChannel {
  const now = options.now ?? Date.now;
  return {
    name,
    type: 'dingtalk',
    async send(n) {
      const base = await url();
      const key = secret ? await secret() : undefined;
      const target = key ? dingTalkSignedUrl(base, key, now()) : base;
      const secrets = [...urlSecrets(base), ...(key ? [key] : [])];
      const body = { msgtype: 'markdown', markdown: { title: n.title, text: truncateUtf8(markdownText(n), 18_000) } };
      const res = await postJson(target, body, { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, secrets });
      checkErrcode('DingTalk', res, secrets);
    },
  };
}

// WeCom group robot: markdown content is capped at 4096 bytes of UTF-8
// (https://developer.work.weixin.qq.com/document/path/91770, "markdown类型").
export const WECOM_MARKDOWN_MAX_BYTES = 4096;

export function weComChannel(name: string, url: SecretValue, options: WebhookOptions = {}): NotificationChannel {
  return {
    name,
    type: 'wecom',
    async send(n) {
      const target = await url();
      const secrets = urlSecrets(target);
      const body = { msgtype: 'markdown', markdown: { content: truncateUtf8(markdownText(n), WECOM_MARKDOWN_MAX_BYTES) } };
      const res = await postJson(target, body, { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, secrets });
      checkErrcode('WeCom', res, secrets);
    },
  };
}

// Slack incoming webhook: `text` is the fallback shown in notifications, the
// section block carries mrkdwn (a section's text is limited to 3000 characters,
// https://api.slack.com/reference/block-kit/blocks#section). Slack answers 200 "ok".
export function slackChannel(name: string, url: SecretValue, options: WebhookOptions = {}): NotificationChannel {
  return {
    name,
    type: 'slack',
    async send(n) {
      const mrkdwn = slackMrkdwn(n);
      const body = {
        text: n.title,
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: mrkdwn.length > 3000 ? `${mrkdwn.slice(0, 2999)}…` : mrkdwn } }],
      };
      await postJson(await url(), body, { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
    },
  };
}

