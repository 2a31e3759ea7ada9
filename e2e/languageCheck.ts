// "Is this screen really in Chinese?": every visible string, placeholder,
// label and tooltip of the page checked against the English catalogue (and
// for raw message keys). Strings the same in both languages by design
// (names, units, symbols) may show in either. Shared by the specs that
// screenshot screens in both languages.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, type Page } from '@playwright/test';
import { repoRoot } from './console.js';

// The e2e project compiles without the DOM library; these run in the page.
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const NodeFilter: { SHOW_TEXT: number };

/** Visible text nodes and placeholders/labels of the page, trimmed. */
async function visibleStrings(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent?.trim();
      const el = n.parentElement;
      if (!text || !el || el.closest('script,style,option:not(:checked)')) continue;
      if (!el.checkVisibility()) continue;
      out.push(text);
    }
    for (const el of document.querySelectorAll('[placeholder],[aria-label],[title]')) {
      if (!el.checkVisibility()) continue;
      for (const attr of ['placeholder', 'aria-label', 'title']) {
        const v = el.getAttribute(attr)?.trim();
        if (v) out.push(v);
      }
    }
    return out;
  });
}

const keyPattern = /^[a-z][a-zA-Z]*(\.[a-zA-Z0-9_-]+)+$/;

export interface LanguageCheck {
  readonly en: Record<string, string>;
  readonly zhCN: Record<string, string>;
  /** English catalogue strings (or raw keys) visible on the page. */
  englishLeftovers(page: Page, screen: string): Promise<string[]>;
  expectNoEnglish(page: Page, screen: string): Promise<void>;
}

/** Loads the catalogues at run time (the e2e project cannot include renderer sources). */
export async function languageCheck(): Promise<LanguageCheck> {
  const { catalogues } = (await import(pathToFileURL(path.join(repoRoot, 'renderer', 'src', 'i18n', 'catalogue.ts')).href)) as { catalogues: Record<'en' | 'zh-CN', Record<string, string>> };
  const en = catalogues.en;
  const zhCN = catalogues['zh-CN'];
  const sameInBoth = new Set(Object.keys(en).filter((k) => zhCN[k] === en[k]).map((k) => en[k]!));
  const englishStrings = new Set(Object.values(en).filter((v) => !v.includes('{') && !sameInBoth.has(v)));
  const englishLeftovers = async (page: Page, screen: string) => {
    const strings = await visibleStrings(page);
    expect(strings.length, screen).toBeGreaterThan(10);
    return strings.filter((s) => englishStrings.has(s) || (keyPattern.test(s) && s in en));
  };
  return {
    en,
    zhCN,
    englishLeftovers,
    async expectNoEnglish(page, screen) {
      expect(await englishLeftovers(page, screen), `${screen}: English or raw keys in Chinese mode`).toEqual([]);
    },
  };
}
