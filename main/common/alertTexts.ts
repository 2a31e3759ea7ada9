// The words of alerts that the core writes itself — notification titles and
// bodies (desktop popups, webhooks, chat robots), built-in rule names and
// summaries, default summaries, host status and severity words — in English
// and Simplified Chinese. The core sends notifications in the UI's language
// (Settings.language); the renderer registers this same catalogue as its
// `notify` area (renderer/src/i18n/*/notify.ts), so a summary on the screen
// and in the popup read the same. Pure: no Node, no DOM.
//
// Summary templates keep the rule editor's `{{label}}` placeholders; the
// other messages take `{name}` parameters like the renderer's catalogue.
export const ALERT_LANGS = ['en', 'zh-CN'] as const;
export type AlertLang = (typeof ALERT_LANGS)[number];

export const alertTextsEn = {
  'notify.builtin.host-offline.name': 'Host offline',
  'notify.builtin.host-offline.summary': 'Host {{host}} is {{status}}',
  'notify.builtin.disk-full.name': 'Disk nearly full',
  'notify.builtin.disk-full.summary': 'Filesystem {{mountpoint}} on {{host}} is {{value}} full',
  'notify.builtin.no-data.name': 'No data',
  'notify.builtin.no-data.summary': 'No data from {{host}} for {{value}}',
  'notify.builtin.check-down.name': 'Service check down',
  'notify.builtin.check-down.summary': 'Check {{check}} is down from {{vantage}}',
  'notify.builtin.cert-expiry.name': 'Certificate expires soon',
  'notify.builtin.cert-expiry.summary': 'The certificate of check {{check}} expires in {{value}} days',
  'notify.builtin.unusual.name': 'Unusual behaviour',
  'notify.builtin.unusual.summary': '{{rule}}: {{evidence}}',
  'notify.summary.threshold': '{{rule}}: {{value}} {{op}} {{threshold}}',
  'notify.summary.anomalous': '{{rule}}: {{evidence}}',
  'notify.anomaly.series': '{series} is {value}, normally {low} to {high} ({bucket} UTC), z = {z}, learned from {days} days of history',
  'notify.anomaly.entity': '{flagged} of {scored} series unusual ({rate}); most: {series}',
  'notify.anomaly.hourOfWeek': '{weekday} {hour}:00',
  'notify.anomaly.hourOfDay': 'daily at {hour}:00',
  'notify.weekday.0': 'Sundays',
  'notify.weekday.1': 'Mondays',
  'notify.weekday.2': 'Tuesdays',
  'notify.weekday.3': 'Wednesdays',
  'notify.weekday.4': 'Thursdays',
  'notify.weekday.5': 'Fridays',
  'notify.weekday.6': 'Saturdays',
  'notify.summary.absent': '{{rule}}: no data for {{value}}',
  'notify.summary.host_status': '{{rule}}: {{host}} is {{status}}',
  'notify.value.noData': 'no data',
  'notify.status.connecting': 'connecting',
  'notify.status.online': 'online',
  'notify.status.stale': 'stale',
  'notify.status.offline': 'offline',
  'notify.status.auth_failed': 'refusing the login',
  'notify.status.host_key_changed': 'presenting a changed host key',
  'notify.status.host_key_unknown': 'presenting an unknown host key',
  'notify.status.unsupported_os': 'running an unsupported OS',
  'notify.status.agent_error': 'failing to run the agent',
  'notify.status.paused': 'paused',
  'notify.severity.info': 'info',
  'notify.severity.warning': 'warning',
  'notify.severity.critical': 'critical',
  'notify.title.firing': '[FIRING:{count}] {rule}',
  'notify.title.resolved': '[RESOLVED] {rule}',
  'notify.title.resolvedCount': '[RESOLVED:{count}] {rule}',
  'notify.title.mixed': '[FIRING:{firing}, RESOLVED:{resolved}] {rule}',
  'notify.word.firing': 'FIRING',
  'notify.word.stillFiring': 'STILL FIRING',
  'notify.word.resolved': 'RESOLVED',
  'notify.body.resolved': 'Resolved: {summary}',
  'notify.body.more': 'and {count} more',
  'notify.body.severity': 'Severity: {severity}',
  'notify.body.since': 'since {time}',
  'notify.body.resolvedAt': 'resolved {time}',
  'notify.test.title': '[TEST] Overlook test notification',
  'notify.test.rule': 'Overlook test',
  'notify.test.summary': 'A test message from Overlook: this channel works.',
} as const satisfies Record<string, string>;

export type AlertTextKey = keyof typeof alertTextsEn;

export const alertTextsZhCN: Record<AlertTextKey, string> = {
  'notify.builtin.host-offline.name': '主机离线',
  'notify.builtin.host-offline.summary': '主机 {{host}} 状态：{{status}}',
  'notify.builtin.disk-full.name': '磁盘将满',
  'notify.builtin.disk-full.summary': '{{host}} 上的文件系统 {{mountpoint}} 已用 {{value}}',
  'notify.builtin.no-data.name': '无数据',
  'notify.builtin.no-data.summary': '{{host}} 已有 {{value}} 没有数据',
  'notify.builtin.check-down.name': '服务检查失败',
  'notify.builtin.check-down.summary': '从 {{vantage}} 检查 {{check}} 失败',
  'notify.builtin.cert-expiry.name': '证书即将过期',
  'notify.builtin.cert-expiry.summary': '检查 {{check}} 的证书将在 {{value}} 天后过期',
  'notify.builtin.unusual.name': '行为异常',
  'notify.builtin.unusual.summary': '{{rule}}：{{evidence}}',
  'notify.summary.threshold': '{{rule}}：{{value}} {{op}} {{threshold}}',
  'notify.summary.anomalous': '{{rule}}：{{evidence}}',
  'notify.anomaly.series': '{series} 当前为 {value}，通常在 {low} 到 {high} 之间（UTC {bucket}），z = {z}，基于 {days} 天的历史学得',
  'notify.anomaly.entity': '{scored} 个序列中有 {flagged} 个异常（{rate}）；最异常：{series}',
  'notify.anomaly.hourOfWeek': '{weekday}{hour}:00',
  'notify.anomaly.hourOfDay': '每天 {hour}:00',
  'notify.weekday.0': '每周日',
  'notify.weekday.1': '每周一',
  'notify.weekday.2': '每周二',
  'notify.weekday.3': '每周三',
  'notify.weekday.4': '每周四',
  'notify.weekday.5': '每周五',
  'notify.weekday.6': '每周六',
  'notify.summary.absent': '{{rule}}：已有 {{value}} 没有数据',
  'notify.summary.host_status': '{{rule}}：{{host}} {{status}}',
  'notify.value.noData': '无数据',
  'notify.status.connecting': '连接中',
  'notify.status.online': '在线',
  'notify.status.stale': '数据滞后',
  'notify.status.offline': '离线',
  'notify.status.auth_failed': '认证失败',
  'notify.status.host_key_changed': '主机密钥已变更',
  'notify.status.host_key_unknown': '主机密钥未知',
  'notify.status.unsupported_os': '系统不受支持',
  'notify.status.agent_error': '采集程序出错',
  'notify.status.paused': '已暂停',
  'notify.severity.info': '提示',
  'notify.severity.warning': '警告',
  'notify.severity.critical': '严重',
  'notify.title.firing': '【告警:{count}】{rule}',
  'notify.title.resolved': '【已恢复】{rule}',
  'notify.title.resolvedCount': '【已恢复:{count}】{rule}',
  'notify.title.mixed': '【告警:{firing}，已恢复:{resolved}】{rule}',
  'notify.word.firing': '告警',
  'notify.word.stillFiring': '仍在告警',
  'notify.word.resolved': '已恢复',
  'notify.body.resolved': '已恢复：{summary}',
  'notify.body.more': '另有 {count} 条',
  'notify.body.severity': '级别：{severity}',
  'notify.body.since': '自 {time} 起',
  'notify.body.resolvedAt': '于 {time} 恢复',
  'notify.test.title': '【测试】Overlook 测试通知',
  'notify.test.rule': 'Overlook 测试',
  'notify.test.summary': '这是一条来自 Overlook 的测试消息：此通知渠道工作正常。',
};

const catalogues: Record<AlertLang, Record<AlertTextKey, string>> = { en: alertTextsEn, 'zh-CN': alertTextsZhCN };

export function isAlertLang(value: unknown): value is AlertLang {
  return typeof value === 'string' && (ALERT_LANGS as readonly string[]).includes(value);
}

/** A message with its `{name}` parameters filled; an unknown one stays visible. */
export function alertText(lang: AlertLang, key: AlertTextKey, params?: Readonly<Record<string, string | number>>): string {
  const template = catalogues[lang][key] ?? alertTextsEn[key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export const BUILTIN_RULE_SLUGS = ['host-offline', 'disk-full', 'no-data', 'check-down', 'cert-expiry', 'unusual'] as const;
type BuiltinSlug = (typeof BUILTIN_RULE_SLUGS)[number];

function builtinSlug(ruleId: string): BuiltinSlug | undefined {
  const slug = ruleId.startsWith('builtin:') ? ruleId.slice('builtin:'.length) : undefined;
  return (BUILTIN_RULE_SLUGS as readonly string[]).includes(slug ?? '') ? (slug as BuiltinSlug) : undefined;
}

/**
 * A rule's name in `lang`: a built-in rule still under the name it shipped
 * with reads in the UI's language; a name the user gave it is theirs and
 * stays as written. Works for the journal's records too (rule id + name).
 */
export function ruleDisplayName(rule: { readonly id: string; readonly name: string }, lang: AlertLang): string {
  const slug = builtinSlug(rule.id);
  if (!slug || rule.name !== alertTextsEn[`notify.builtin.${slug}.name`]) return rule.name;
  return alertText(lang, `notify.builtin.${slug}.name`);
}

/** A built-in rule's summary template in `lang`, while it is the one it shipped with; else the rule's own. */
export function summaryTemplate(rule: { readonly id: string; readonly summary: string }, lang: AlertLang): string {
  const slug = builtinSlug(rule.id);
  if (!slug || rule.summary !== alertTextsEn[`notify.builtin.${slug}.summary`]) return rule.summary;
  return alertText(lang, `notify.builtin.${slug}.summary`);
}

/** A host status as a summary's `{{status}}` says it ("Host web-1 is offline"). */
export function hostStatusWord(status: string, lang: AlertLang): string {
  const key = `notify.status.${status}` as AlertTextKey;
  return key in alertTextsEn ? alertText(lang, key) : status;
}
