// What the command palette offers, pure: every screen, every entity the
// console knows (hosts, containers, cloud accounts and instances, alert
// rules) and the common actions (add or import hosts, add a cloud account,
// silence a firing alert, switch the time range, the theme, the language).
// CommandPalette runs them; this module only lists them, so the list is
// unit-tested.
import type { AlertView, RuleView } from '../../../main/common/alertModel';
import { ruleDisplayName } from '../../../main/common/alertTexts';
import type { CloudAccountView, CloudInstanceRow } from '../../../main/common/clouds';
import type { ContainerRow, HistoryOnlyHost, Host } from '../../../main/common/contract';
import type { Lang, Translate } from '../i18n/catalogue';
import type { Route } from '../router';
import { rangeKeys, rangeLongLabelKey, type RangeKey } from '../timeRange';
import type { ThemeChoice } from '../stores/prefs';

export type PaletteAction =
  | { kind: 'add-host' }
  | { kind: 'import-hosts' }
  | { kind: 'add-cloud' }
  | { kind: 'add-check' }
  | { kind: 'silence'; alertId: string; durationMs: number }
  | { kind: 'range'; range: RangeKey }
  | { kind: 'theme'; theme: ThemeChoice }
  | { kind: 'lang'; lang: Lang };

export interface PaletteCommand {
  id: string;
  label: string;
  /** What it is (a host, a container on web-1, an action), shown beside the label. */
  hint: string;
  /** Words it is found by besides its label (a container's host, an instance's id). */
  keywords?: string;
  /** Go to a screen; `focus` names an element there to scroll to (a rule's row). */
  go?: { route: Route; focus?: string };
  run?: PaletteAction;
}

export interface PaletteInputs {
  hosts: readonly Host[];
  historyOnly: readonly HistoryOnlyHost[];
  /** Containers of the hosts that have some, by host id (asked for when the palette opens). */
  containers: Readonly<Record<string, readonly ContainerRow[]>>;
  cloudAccounts: readonly CloudAccountView[];
  cloudInstances: readonly CloudInstanceRow[];
  rules: readonly RuleView[];
  alerts: readonly AlertView[];
  t: Translate;
  /** The UI's language: built-in rule names read in it (English when absent). */
  lang?: Lang;
}

const SILENCE_MS = 3_600_000;

export function paletteCommands(input: PaletteInputs): PaletteCommand[] {
  const { t } = input;
  const lang = input.lang ?? 'en';
  const screen = (id: string, label: string, route: Route): PaletteCommand => ({ id: `screen:${id}`, label, hint: t('palette.screen'), go: { route } });
  const action = (id: string, label: string, run: PaletteAction, keywords?: string): PaletteCommand => ({ id: `action:${id}`, label, hint: t('palette.action'), run, ...(keywords ? { keywords } : {}) });
  const out: PaletteCommand[] = [
    screen('overview', t('nav.overview'), { screen: 'overview' }),
    screen('topk', t('nav.topk'), { screen: 'topk' }),
    screen('clouds', t('nav.clouds'), { screen: 'clouds' }),
    screen('checks', t('nav.checks'), { screen: 'checks' }),
    screen('alerts', t('nav.alerts'), { screen: 'alerts' }),
    screen('settings', t('nav.settings'), { screen: 'settings' }),
    action('add-host', t('palette.action.addHost'), { kind: 'add-host' }, 'ssh new'),
    action('import-hosts', t('palette.action.importHosts'), { kind: 'import-hosts' }, 'ssh config'),
    action('add-cloud', t('palette.action.addCloud'), { kind: 'add-cloud' }, 'aliyun tencent huawei'),
    action('add-check', t('palette.action.addCheck'), { kind: 'add-check' }, 'http tcp tls ping probe uptime'),
    ...rangeKeys.map((range) => action(`range:${range}`, t('palette.action.range', { range: t(rangeLongLabelKey(range)) }), { kind: 'range', range }, 'time range')),
    action('theme:light', t('palette.action.theme', { theme: t('theme.light') }), { kind: 'theme', theme: 'light' }, 'theme'),
    action('theme:dark', t('palette.action.theme', { theme: t('theme.dark') }), { kind: 'theme', theme: 'dark' }, 'theme'),
    action('theme:system', t('palette.action.theme', { theme: t('theme.system') }), { kind: 'theme', theme: 'system' }, 'theme'),
    action('lang:en', t('palette.action.lang', { language: 'English' }), { kind: 'lang', lang: 'en' }, 'language'),
    action('lang:zh-CN', t('palette.action.lang', { language: '简体中文' }), { kind: 'lang', lang: 'zh-CN' }, 'language chinese'),
  ];
  for (const a of input.alerts) {
    if (a.status !== 'firing' || a.muted) continue;
    const where = a.labels.host ?? a.labels.instance ?? '';
    out.push(action(`silence:${a.alertId}`, t('palette.action.silence', { rule: ruleDisplayName({ id: a.ruleId, name: a.ruleName }, lang), where }), { kind: 'silence', alertId: a.alertId, durationMs: SILENCE_MS }, `silence mute ${a.ruleName} ${a.summary}`));
  }
  const hostIds = new Set<string>();
  for (const h of input.hosts) {
    hostIds.add(h.id);
    out.push({ id: `host:${h.id}`, label: h.name, hint: t('palette.host'), keywords: [h.address ?? '', ...h.tags].join(' '), go: { route: { screen: 'host', hostId: h.id } } });
  }
  for (const h of input.historyOnly) {
    if (hostIds.has(h.hostId)) continue;
    out.push({ id: `host:${h.hostId}`, label: h.hostId, hint: t('fleet.notConfigured'), go: { route: { screen: 'host', hostId: h.hostId } } });
  }
  for (const [hostId, rows] of Object.entries(input.containers)) {
    const hostName = input.hosts.find((h) => h.id === hostId)?.name ?? hostId;
    const seen = new Set<string>();
    for (const r of rows) {
      if (r.sandbox) continue;
      const labels = r.seriesLabels;
      const key = `${labels.namespace ?? ''}/${labels.pod ?? ''}/${labels.container ?? ''}`;
      if (!labels.container || seen.has(key)) continue;
      seen.add(key);
      const name = r.pod ? labels.container : r.name;
      out.push({
        id: `container:${hostId}:${key}`,
        label: name,
        hint: t('palette.container', { host: hostName }),
        keywords: [r.image ?? '', r.pod ?? '', r.namespace ?? '', r.id.slice(0, 12)].join(' '),
        go: { route: { screen: 'container', hostId, container: labels.container, ...(labels.namespace ? { namespace: labels.namespace } : {}), ...(labels.pod ? { pod: labels.pod } : {}) } },
      });
    }
  }
  for (const a of input.cloudAccounts) {
    out.push({ id: `cloud:${a.name}`, label: a.name, hint: t('palette.cloudAccount'), keywords: a.provider, go: { route: { screen: 'cloud-account', account: a.name } } });
  }
  for (const r of input.cloudInstances) {
    out.push({
      id: `cloud:${r.account}/${r.instanceId}`,
      label: r.name || r.instanceId,
      hint: t('palette.cloudInstance', { account: r.account }),
      keywords: [r.instanceId, r.region, r.product, r.privateIp ?? ''].join(' '),
      go: { route: { screen: 'cloud-instance', account: r.account, instanceId: r.instanceId } },
    });
  }
  for (const v of input.rules) {
    out.push({ id: `rule:${v.rule.id}`, label: ruleDisplayName(v.rule, lang), hint: t('palette.rule'), keywords: `alert rule ${v.rule.name}`, go: { route: { screen: 'alerts' }, focus: `[data-testid="rule-row"][data-rule="${cssString(v.rule.name)}"]` } });
  }
  return out;
}

/** A value for a CSS attribute selector in double quotes. */
function cssString(s: string): string {
  return s.replace(/["\\]/g, (c) => `\\${c}`).replace(/\n/g, '\\a ');
}
