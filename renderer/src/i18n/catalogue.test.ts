import { describe, expect, it } from 'vitest';
import { areaCatalogues, detectLang, en, intlLocale, translate, zhCN, type Area } from './catalogue';
import { sortColumns, statusFilters } from '../screens/overview/fleetRows';
import { topKAggregates, topKKinds, topKMetrics } from '../screens/topk/topKOptions';

/** The parameters a message uses: `{name}`, and a plural block's parameter (its branches are English's forms, not parameters). */
const placeholders = (s: string) => {
  let flat = s;
  // Innermost first: a plural block has no braces left inside once its branches are gone.
  for (let before = ''; before !== flat; ) {
    before = flat;
    flat = flat.replace(/\{(\w+), plural,((?:\s*[=\w]+\s*\{[^{}]*\})+)\s*\}/g, '{$1}');
  }
  return [...flat.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
};

describe('message catalogues', () => {
  it('English and Chinese have exactly the same keys', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
  });

  it('have the same areas, each with the same keys in both languages', () => {
    const areas = Object.keys(areaCatalogues.en) as Area[];
    expect(Object.keys(areaCatalogues['zh-CN']).sort()).toEqual([...areas].sort());
    for (const area of areas) {
      expect(Object.keys(areaCatalogues['zh-CN'][area]).sort(), area).toEqual(Object.keys(areaCatalogues.en[area]).sort());
    }
  });

  it('keep each key in one area, the one its first segment names', () => {
    for (const catalogue of Object.values(areaCatalogues)) {
      const areaOfPrefix = new Map<string, string>();
      let keys = 0;
      for (const [area, messages] of Object.entries(catalogue)) {
        for (const key of Object.keys(messages)) {
          const prefix = key.split('.')[0]!;
          expect(areaOfPrefix.get(prefix) ?? area, `${key} is in ${area}, other ${prefix}.* keys in ${areaOfPrefix.get(prefix)}`).toBe(area);
          areaOfPrefix.set(prefix, area);
          keys++;
        }
      }
      // A key in two areas would silently take the later one's text.
      expect(Object.keys(en).length).toBe(keys);
    }
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
    const sameInBoth = new Set(['app.name', 'metric.cpu', 'processes.pid', 'processes.cpu', 'host.kind.ssh', 'series.core', 'metric.usedOf', 'palette.shortcut',
      // product names and kernel terms
      'containers.engine.docker', 'containers.engine.podman', 'containers.col.cpu', 'containers.chart.cpu', 'containers.fact.pod', 'containers.fact.cgroup',
      'containers.series.rss', 'containers.oomKills', 'containers.cgroup.noDriver', 'hostForm.kind.nodeExporter', 'fleet.kind.ssh', 'fleet.kind.node_exporter',
      'series.tcpTimeWait', 'series.pressureCpu', 'series.pressureIo']);
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
    expect(translate('en', 'topk.caption', { k: 3 })).toBe('Top 3 of {total}');
  });
  it('picks English\'s singular or plural by the number, formatted or not', () => {
    expect(translate('en', 'cloud.count', { count: 1 })).toBe('1 account');
    expect(translate('en', 'cloud.count', { count: '1,234' })).toBe('1,234 accounts');
    expect(translate('en', 'cloud.count', { count: 0 })).toBe('0 accounts');
    expect(translate('en', 'cloud.fleet.count', { count: 1, accounts: 2 })).toBe('1 instance in 2 accounts');
    expect(translate('en', 'cloud.fleet.count', { count: 40, accounts: 1 })).toBe('40 instances in 1 account');
    expect(translate('en', 'nav.cloudsFailing', { count: 1 })).toBe('1 cloud account needs attention');
    expect(translate('zh-CN', 'cloud.count', { count: 1 })).toBe(zhCN['cloud.count'].replace('{count}', '1'));
  });
  it('every plural block of the catalogues has an "other" form and parses whole', () => {
    for (const [key, text] of Object.entries(en)) {
      if (!text.includes(', plural,')) continue;
      expect(text, key).toMatch(/other \{/);
      const filled = translate('en', key as keyof typeof en, Object.fromEntries(placeholders(text).map((p) => [p!, 2])));
      expect(filled, key).not.toMatch(/[{}]/);
    }
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

describe('every key the screens use exists in both catalogues', () => {
  // Every renderer source, as text (Vite's glob; the renderer has no Node APIs).
  const sources = import.meta.glob(['../**/*.ts', '../**/*.tsx', '!../**/*.test.ts'], { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

  it('literal keys in t(...) calls', () => {
    const used = new Set<string>();
    expect(Object.keys(sources).length).toBeGreaterThan(20);
    for (const text of Object.values(sources)) {
      for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z0-9_.-]+)'/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(50);
    for (const key of used) {
      expect(en, `en lacks ${key}`).toHaveProperty([key]);
      expect(zhCN, `zh-CN lacks ${key}`).toHaveProperty([key]);
    }
  });

  it('keys built from option lists (filters, Top-K choices)', () => {
    const built = [
      ...statusFilters.map((s) => `fleet.status.${s}`),
      ...topKAggregates.map((a) => `topk.agg.${a}`),
      ...topKKinds.map((k) => `topk.kind.${k}`),
      ...Object.values(topKMetrics).flat().map((m) => m.labelKey),
    ];
    expect(sortColumns.length).toBeGreaterThan(5);
    for (const key of built) {
      expect(en, `en lacks ${key}`).toHaveProperty([key]);
      expect(zhCN, `zh-CN lacks ${key}`).toHaveProperty([key]);
    }
  });
});
