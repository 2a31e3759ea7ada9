// What a person sees on the page, for the specs that check translations:
// visible text nodes plus placeholders, labels and titles, trimmed; and the
// catalogues, loaded at run time (the e2e project cannot include renderer sources).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from '@playwright/test';
import { repoRoot } from './console.js';

// The e2e project compiles without the DOM library; these run in the page.
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const NodeFilter: { SHOW_TEXT: number };

/** Visible text nodes and placeholders/labels of the page, trimmed. */
export async function visibleStrings(page: Page): Promise<string[]> {
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

export interface Catalogues {
  en: Record<string, string>;
  zhCN: Record<string, string>;
  /** English strings that must not show in Chinese mode (those the same in both languages left out). */
  englishStrings: Set<string>;
}

export async function loadCatalogues(): Promise<Catalogues> {
  const catalogue = (name: string) => import(pathToFileURL(path.join(repoRoot, 'renderer', 'src', 'i18n', name)).href);
  const en = (await catalogue('en.ts')).en as Record<string, string>;
  const zhCN = (await catalogue('zh-CN.ts')).zhCN as Record<string, string>;
  // Strings the same in both languages by design (names, units, symbols) may show in either.
  const sameInBoth = new Set(Object.keys(en).filter((k) => zhCN[k] === en[k]).map((k) => en[k]!));
  const englishStrings = new Set(Object.values(en).filter((v) => !v.includes('{') && !sameInBoth.has(v)));
  return { en, zhCN, englishStrings };
}

const keyPattern = /^[a-z][a-zA-Z]*(\.[a-zA-Z0-9_-]+)+$/;

/** Visible strings that are English catalogue text or raw message keys. */
export async function englishLeftovers(page: Page, catalogues: Catalogues): Promise<string[]> {
  const strings = await visibleStrings(page);
  return strings.filter((s) => catalogues.englishStrings.has(s) || (keyPattern.test(s) && s in catalogues.en));
}
