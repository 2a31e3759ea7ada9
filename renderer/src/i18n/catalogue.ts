// Message lookup, pure: the language is an argument, so tests and non-React
// code can translate too. Components use `useI18n()`.
import { commonEn } from './en/common';
import { paletteEn } from './en/palette';
import { chartsEn } from './en/charts';
import { overviewEn } from './en/overview';
import { hostDetailEn } from './en/hostDetail';
import { hostsEn } from './en/hosts';
import { containersEn } from './en/containers';
import { topkEn } from './en/topk';
import { alertsEn } from './en/alerts';
import { settingsEn } from './en/settings';
import { cloudsEn } from './en/clouds';
import { notifyEn } from './en/notify';
import { checksEn } from './en/checks';
import { anomaliesEn } from './en/anomalies';
import { commonZhCN } from './zh-CN/common';
import { paletteZhCN } from './zh-CN/palette';
import { chartsZhCN } from './zh-CN/charts';
import { overviewZhCN } from './zh-CN/overview';
import { hostDetailZhCN } from './zh-CN/hostDetail';
import { hostsZhCN } from './zh-CN/hosts';
import { containersZhCN } from './zh-CN/containers';
import { topkZhCN } from './zh-CN/topk';
import { alertsZhCN } from './zh-CN/alerts';
import { settingsZhCN } from './zh-CN/settings';
import { cloudsZhCN } from './zh-CN/clouds';
import { notifyZhCN } from './zh-CN/notify';
import { checksZhCN } from './zh-CN/checks';
import { anomaliesZhCN } from './zh-CN/anomalies';

export const languages = ['en', 'zh-CN'] as const;
export type Lang = (typeof languages)[number];

/**
 * The messages, one file per area of the UI and language (en/alerts.ts,
 * zh-CN/alerts.ts): a key's first segment says its area, and each area has
 * the same keys in both languages (the types and catalogue.test.ts check).
 */
const enAreas = { common: commonEn, palette: paletteEn, charts: chartsEn, overview: overviewEn, hostDetail: hostDetailEn, hosts: hostsEn, containers: containersEn, topk: topkEn, alerts: alertsEn, settings: settingsEn, clouds: cloudsEn, notify: notifyEn, checks: checksEn, anomalies: anomaliesEn };
type Areas = typeof enAreas;
export type Area = keyof Areas;
export type MessageKey = { [A in Area]: keyof Areas[A] }[Area];
const zhCNAreas: { [A in Area]: Record<keyof Areas[A], string> } = { common: commonZhCN, palette: paletteZhCN, charts: chartsZhCN, overview: overviewZhCN, hostDetail: hostDetailZhCN, hosts: hostsZhCN, containers: containersZhCN, topk: topkZhCN, alerts: alertsZhCN, settings: settingsZhCN, clouds: cloudsZhCN, notify: notifyZhCN, checks: checksZhCN, anomalies: anomaliesZhCN };

export const areaCatalogues: Record<Lang, Record<Area, Readonly<Record<string, string>>>> = { en: enAreas, 'zh-CN': zhCNAreas };

const assemble = (areas: Record<Area, Readonly<Record<string, string>>>) => Object.assign({}, ...Object.values(areas)) as Record<MessageKey, string>;
export const en = assemble(enAreas);
export const zhCN = assemble(zhCNAreas);
export const catalogues: Record<Lang, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };

/** Whether a key made at run time (`cloud.product.${product}`) has a message. */
export function isMessageKey(key: string): key is MessageKey {
  return key in en;
}

export type MessageParams = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: MessageParams) => string;

/** Fill `{name}` placeholders; an unknown placeholder stays visible so a test can catch it. */
export function translate(lang: Lang, key: MessageKey, params?: MessageParams): string {
  const template = catalogues[lang][key] ?? en[key] ?? key;
  if (!params) return template;
  return fillPlurals(lang, template, params).replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

const PLURAL_START = /\{(\w+), plural,/g;

/**
 * ICU's plural form, the part English needs: `{count, plural, one {# host}
 * other {# hosts}}` takes the branch Intl.PluralRules picks for the number
 * (a formatted "1,234" is read back as a number) and puts the parameter as
 * given where `#` is. Chinese has one form and writes the text plainly.
 * A block whose parameter is missing or not a number stays as written.
 */
function fillPlurals(lang: Lang, template: string, params: MessageParams): string {
  let out = '';
  let at = 0;
  PLURAL_START.lastIndex = 0;
  for (let m = PLURAL_START.exec(template); m; m = PLURAL_START.exec(template)) {
    const branches = new Map<string, string>();
    let i = m.index + m[0].length;
    // Branches: `selector {text}` until the block's closing brace.
    for (;;) {
      while (template[i] === ' ') i++;
      if (template[i] === '}' || i >= template.length) break;
      const selector = /^[=\w]+/.exec(template.slice(i))?.[0];
      if (!selector) break;
      i += selector.length;
      while (template[i] === ' ') i++;
      if (template[i] !== '{') break;
      let depth = 0;
      const start = i + 1;
      for (; i < template.length; i++) {
        if (template[i] === '{') depth++;
        else if (template[i] === '}' && --depth === 0) break;
      }
      branches.set(selector, template.slice(start, i));
      i++;
    }
    const raw = params[m[1]!];
    const n = typeof raw === 'number' ? raw : Number(String(raw ?? '').replace(/[^\d.-]/g, ''));
    if (raw === undefined || !Number.isFinite(n) || template[i] !== '}') continue;
    const branch = branches.get(`=${n}`) ?? branches.get(new Intl.PluralRules(lang).select(n)) ?? branches.get('other') ?? '';
    out += template.slice(at, m.index) + branch.replace(/#/g, String(raw));
    at = i + 1;
    PLURAL_START.lastIndex = at;
  }
  return out + template.slice(at);
}

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (languages as readonly string[]).includes(value);
}

/**
 * The language to start in, from the browser's preference list: any Chinese
 * tag picks Simplified Chinese (our only Chinese catalogue), else English.
 */
export function detectLang(preferred: readonly string[]): Lang {
  for (const tag of preferred) {
    const lower = tag.toLowerCase();
    if (lower === 'zh' || lower.startsWith('zh-')) return 'zh-CN';
    if (lower === 'en' || lower.startsWith('en-')) return 'en';
  }
  return 'en';
}

/**
 * The locale for Intl formatting: the user's own tag when it is a variant of
 * the chosen language (en-GB keeps day-month dates), else the catalogue's tag.
 */
export function intlLocale(lang: Lang, preferred: readonly string[]): string {
  const base = lang.split('-')[0]!;
  const match = preferred.find((tag) => tag.toLowerCase().split('-')[0] === base);
  if (lang === 'zh-CN') return 'zh-CN';
  return match ?? lang;
}
