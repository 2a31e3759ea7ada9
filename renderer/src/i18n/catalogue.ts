// Message lookup, pure: the language is an argument, so tests and non-React
// code can translate too. Components use `useI18n()`.
import { en, type MessageKey } from './en';
import { zhCN } from './zh-CN';

export type { MessageKey };
export const languages = ['en', 'zh-CN'] as const;
export type Lang = (typeof languages)[number];

export const catalogues: Record<Lang, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };

export type MessageParams = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: MessageParams) => string;

/** Fill `{name}` placeholders; an unknown placeholder stays visible so a test can catch it. */
export function translate(lang: Lang, key: MessageKey, params?: MessageParams): string {
  const template = catalogues[lang][key] ?? en[key] ?? key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
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
