import { describe, expect, it } from 'vitest';
import { en } from './en';
import { zhCN } from './zh-CN';
import { detectLang, intlLocale, translate } from './catalogue';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogues', () => {
  it('English and Chinese have exactly the same keys', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
  });

  it('have no empty strings', () => {
    for (const [lang, catalogue] of [['en', en], ['zh-CN', zhCN]] as const) {
      for (const [key, text] of Object.entries(catalogue)) {
        expect(text.trim(), `${lang} ${key}`).not.toBe('');
      }
    }
  });

  it('use the same placeholders in both languages', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(zhCN[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('Chinese screen text is translated, not copied from English', () => {
    // Names that read the same in both languages are the only allowed copies.
    const sameInBoth = new Set(['app.name', 'metric.cpu', 'processes.pid', 'processes.cpu', 'host.kind.ssh', 'series.core', 'metric.usedOf']);
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      if (sameInBoth.has(key)) continue;
      expect(zhCN[key], key).not.toBe(en[key]);
    }
  });
});

describe('translate', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('en', 'overview.count', { count: 3 })).toBe('3 hosts');
    expect(translate('zh-CN', 'overview.count', { count: 3 })).toBe('3 台主机');
    expect(translate('en', 'overview.count')).toBe('{count} hosts');
  });
});

describe('language detection', () => {
  it('follows the browser list', () => {
    expect(detectLang(['zh-CN', 'en'])).toBe('zh-CN');
    expect(detectLang(['zh-TW'])).toBe('zh-CN');
    expect(detectLang(['en-GB', 'zh-CN'])).toBe('en');
    expect(detectLang(['fr-FR', 'zh'])).toBe('zh-CN');
    expect(detectLang(['fr-FR'])).toBe('en');
    expect(detectLang([])).toBe('en');
  });
  it('keeps a regional English for Intl', () => {
    expect(intlLocale('en', ['en-GB'])).toBe('en-GB');
    expect(intlLocale('en', ['zh-CN'])).toBe('en');
    expect(intlLocale('zh-CN', ['en-US'])).toBe('zh-CN');
  });
});
