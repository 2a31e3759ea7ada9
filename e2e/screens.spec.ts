// The operator's screens with a fleet: 300 hosts seeded into the history
// (through the product's own store, before the console starts), shown as
// "not configured" hosts beside the live local one. Overview filters and
// sorts, Top-K ranks and clicks through, the process history answers, the
// command palette jumps, and every main screen is translated and themed.
import { expect, test, type Page } from '@playwright/test';
import { screenshotPath, startConsole, type RunningConsole } from './console.js';
import { fleetHostName, seedFleet, seededCpu } from './seedFleet.js';
import { languageCheck } from './languageCheck.js';

// The e2e project compiles without the DOM library; these run in the page.
declare const window: { location: { hash: string } };
declare const localStorage: { setItem(key: string, value: string): void };

const HOSTS = 300;
const NOW = Date.now();
const SPIKE_HOST = 7;
const SPIKE_AT = Math.floor(NOW / 60_000) * 60_000 - 30 * 60_000;

let console_: RunningConsole;
let en: Record<string, string>;
let zhCN: Record<string, string>;
let englishLeftovers: (page: Page, screen: string) => Promise<string[]>;
let expectNoEnglish: (page: Page, screen: string) => Promise<void>;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  ({ en, zhCN, englishLeftovers, expectNoEnglish } = await languageCheck());
  console_ = await startConsole({ prepare: (dir) => seedFleet(dir, { hosts: HOSTS, minutes: 120, now: NOW, spikeHost: SPIKE_HOST, spikeAt: SPIKE_AT }) });
});

test.afterAll(async () => {
  await console_?.stop();
});

async function open(page: Page, hash = '#/') {
  await page.goto(console_.url);
  await page.evaluate((h) => (window.location.hash = h), hash);
}

const byCpuDesc = Array.from({ length: HOSTS }, (_, k) => k + 1).sort((a, b) => seededCpu(b) - seededCpu(a));

test('the overview lists 300 seeded hosts in a virtualised table that filters and sorts', async ({ page }) => {
  await open(page);
  const rows = page.getByTestId('fleet-row');
  await expect(page.getByTestId('fleet-table')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('overview-count')).toHaveText(`${HOSTS + 1} hosts`);
  // Virtualised: only the rows in view exist in the DOM.
  expect(await rows.count()).toBeLessThan(60);
  await expect(rows.first()).toHaveAttribute('data-host-id', 'local');
  await expect(page.locator('[data-host-id="node-001"]')).toHaveAttribute('data-status', 'not_configured');

  await page.getByTestId('sort-cpu').click();
  // The live local host sorts wherever its real CPU puts it (first on a busy machine): compare seeded hosts only.
  const seededRows = page.locator('[data-testid="fleet-row"]:not([data-host-id="local"])');
  await expect(seededRows.first()).toHaveAttribute('data-host-id', fleetHostName(byCpuDesc[0]!));
  await expect(seededRows.nth(1)).toHaveAttribute('data-host-id', fleetHostName(byCpuDesc[1]!));
  await expect(page.getByTestId('fleet-table').locator('[aria-sort="descending"]')).toHaveCount(1);
  await page.screenshot({ path: screenshotPath('screens-overview-sorted-cpu') });
  await page.getByTestId('sort-cpu').click();
  await expect(seededRows.first()).toHaveAttribute('data-host-id', fleetHostName(byCpuDesc[HOSTS - 1]!));

  await page.getByTestId('fleet-filter').fill('node-04');
  await expect(page.getByTestId('overview-count')).toHaveText(`10 of ${HOSTS + 1} hosts`);
  await expect(rows).toHaveCount(10);
  await page.getByTestId('fleet-filter').fill('');
  await page.getByTestId('fleet-status').selectOption('online');
  await expect(rows).toHaveCount(1, { timeout: 30_000 });
  await expect(rows.first()).toHaveAttribute('data-host-id', 'local');
  await page.getByTestId('fleet-status').selectOption('not_configured');
  await expect(page.getByTestId('overview-count')).toHaveText(`${HOSTS} of ${HOSTS + 1} hosts`);
  await page.getByTestId('fleet-status').selectOption('all');

  // Scrolling to the end renders the last rows (and still not all of them).
  await page.getByTestId('sort-name').click();
  await page.getByTestId('fleet-body').evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(page.locator(`[data-host-id="${fleetHostName(HOSTS)}"]`)).toBeVisible();
  expect(await rows.count()).toBeLessThan(60);

  // Keyboard: arrow keys walk the rows, Enter opens one.
  await page.getByTestId('fleet-body').evaluate((el) => (el.scrollTop = 0));
  await page.locator('[data-host-id="local"]').focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(page.locator(':focus')).toHaveAttribute('data-host-id', fleetHostName(2));
  await page.keyboard.press('End');
  await expect(page.locator(':focus')).toHaveAttribute('data-host-id', fleetHostName(HOSTS));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('host-detail')).toHaveAttribute('data-host-id', fleetHostName(HOSTS));
});

test('Top-K ranks the seeded hosts over the header\'s range and clicks through to the host at that range', async ({ page }) => {
  await open(page, '#/topk');
  await page.getByTestId('topk-metric').selectOption('host:cpu_usage:ratio');
  await page.getByTestId('topk-agg-avg').click();
  await page.getByTestId('range-1h').click();
  await expect(page).toHaveURL(/#\/topk\?range=1h$/);
  await page.getByTestId('topk-k').selectOption('10');
  const rows = page.getByTestId('topk-row');
  await expect(rows).toHaveCount(10, { timeout: 30_000 });
  // The local host reports live too; it ranks wherever its real CPU puts it, so compare seeded hosts only.
  const seeded = (await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-host-id')))).filter((id) => id !== 'local');
  expect(seeded.slice(0, 5)).toEqual(byCpuDesc.slice(0, 5).map(fleetHostName));
  const values = await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
  expect([...values].sort((a, b) => b - a)).toEqual(values);
  // A seeded host has an hour of points; local (which may rank first on a busy machine) only has what it sampled since start.
  const firstSeeded = page.locator('[data-testid="topk-row"]:not([data-host-id="local"])').first();
  await expect(firstSeeded.locator('svg.sparkline path.sparkline-line')).toHaveAttribute('d', /M.*L/);
  // Sparklines big enough to read a trend; no "coming soon" kind; the last column says what it is.
  const spark = (await firstSeeded.locator('svg.sparkline').boundingBox())!;
  expect(spark.width).toBeGreaterThanOrEqual(200);
  expect(spark.height).toBeGreaterThanOrEqual(36);
  await expect(page.getByTestId('topk-kind').locator('option')).toHaveText(['Hosts', 'Containers', 'Cloud instances', 'Service checks']);
  await expect(page.getByTestId('topk-kind').locator('option[disabled]')).toHaveCount(0);
  const lastColumn = page.getByTestId('topk-table').locator('th').last();
  await expect(lastColumn).toHaveText('Last sample');
  await expect(lastColumn).toHaveAttribute('title', /still reports/);

  // Max over the window finds the host with the spike, whose average is ordinary.
  // On a loaded machine the live local host can peak above the spike too; it is left out again.
  await page.getByTestId('topk-agg-max').click();
  await expect(firstSeeded).toHaveAttribute('data-host-id', fleetHostName(SPIKE_HOST));
  await page.getByTestId('topk-k').selectOption('5');
  await expect(rows).toHaveCount(5);
  await page.screenshot({ path: screenshotPath('screens-topk') });

  await firstSeeded.getByTestId('topk-link').click();
  await expect(page.getByTestId('host-detail')).toHaveAttribute('data-host-id', fleetHostName(SPIKE_HOST));
  await expect(page).toHaveURL(/range=1h/);
  await expect(page.getByTestId('range-1h')).toHaveAttribute('aria-pressed', 'true');
  const cpu = page.getByTestId('chart-cpu-mode');
  await expect.poll(async () => Number(await cpu.getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThan(30);

  // Which process was behind the spike: the process history answers.
  await cpu.locator('.chart-plot').scrollIntoViewIfNeeded();
  const spikeLocal = await page.evaluate((t) => {
    const d = new Date(t);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  }, SPIKE_AT);
  await page.getByTestId('processes-at-input').fill(spikeLocal);
  await page.getByTestId('processes-at-input').press('Enter');
  await expect(page.getByTestId('processes-at-table')).toContainText('backup.sh');
  await page.screenshot({ path: screenshotPath('screens-host-processes-at'), fullPage: true });
});

test('the command palette goes to any screen or entity and runs the common actions, from the keyboard', async ({ page }) => {
  await open(page);
  await expect(page.getByTestId('fleet-table')).toBeVisible({ timeout: 30_000 });
  const palette = async (text: string, expected: string | RegExp) => {
    await page.keyboard.press('Control+k');
    await expect(page.getByTestId('palette')).toBeVisible();
    await page.keyboard.type(text);
    await expect(page.getByTestId('palette-item').first()).toContainText(expected);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('palette')).toHaveCount(0);
  };
  await page.keyboard.press('Control+k');
  await page.keyboard.type('node123');
  await expect(page.getByTestId('palette-item').first()).toContainText('node-123');
  await page.screenshot({ path: screenshotPath('screens-palette') });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('host-detail')).toHaveAttribute('data-host-id', 'node-123');

  // Every screen.
  for (const [text, screen] of [['top-k', 'topk'], ['clouds', 'clouds'], ['alerts', 'alerts-screen'], ['settings', 'settings'], ['overview', 'overview']] as const) {
    await palette(text, new RegExp(text, 'i'));
    await expect(page.getByTestId(screen)).toBeVisible();
  }
  // A rule: the alerts screen, scrolled to its row.
  await palette('host offline', 'Host offline');
  await expect(page.getByTestId('rule-row').filter({ hasText: 'Host offline' }).first()).toBeInViewport();

  // Actions: add a host (its dialog opens), the time range, the theme, the language.
  await palette('add an ssh host', 'Add an SSH host');
  await expect(page.getByTestId('host-form')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('host-form')).toHaveCount(0);
  await palette('import hosts', 'Import hosts from ~/.ssh/config');
  await expect(page.getByTestId('import-dialog')).toBeVisible();
  await page.keyboard.press('Escape');
  await page.evaluate(() => (window.location.hash = '#/topk'));
  await palette('range 7 days', 'Time range: Last 7 days');
  await expect(page).toHaveURL(/#\/topk\?range=7d$/);
  await expect(page.getByTestId('range-7d')).toHaveAttribute('aria-pressed', 'true');
  await palette('theme dark', 'Theme: Dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await palette('language 简体中文', 'Language: 简体中文');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await page.keyboard.press('Control+k');
  await page.keyboard.type('主题');
  await page.screenshot({ path: screenshotPath('screens-palette-zh-CN-dark') });
  await page.keyboard.press('Escape');
  await palette('English', 'English');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await palette('theme light', 'Theme: Light');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.keyboard.press('Control+k');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('palette')).toHaveCount(0);
});

const screens: { name: string; hash: string; ready: string }[] = [
  { name: 'overview', hash: '#/', ready: 'fleet-table' },
  { name: 'topk', hash: '#/topk', ready: 'topk-table' },
  { name: 'host', hash: `#/hosts/${fleetHostName(SPIKE_HOST)}`, ready: 'chart-cpu-mode' },
];

test('switching to Chinese translates every visible string on the main screens; both themes, both languages', async ({ page }) => {
  test.setTimeout(180_000);
  await open(page);
  await expect(page.getByTestId('fleet-table')).toBeVisible({ timeout: 30_000 });
  for (const lang of ['en', 'zh-CN'] as const) {
    for (const theme of ['light', 'dark'] as const) {
      await page.evaluate(({ lang, theme }) => {
        localStorage.setItem('overlook.prefs', JSON.stringify({ state: { theme, lang, range: '1h' }, version: 1 }));
      }, { lang, theme });
      for (const s of screens) {
        await page.evaluate((h) => (window.location.hash = h), s.hash);
        await page.reload();
        await expect(page.getByTestId(s.ready)).toBeVisible({ timeout: 30_000 });
        await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
        await expect(page.locator('html')).toHaveAttribute('lang', lang);
        if (s.name === 'host') await expect.poll(async () => Number(await page.getByTestId('chart-cpu-mode').getAttribute('data-points'))).toBeGreaterThan(10);
        if (lang === 'zh-CN') await expectNoEnglish(page, s.name);
        // The detector itself works: in English it finds the catalogue's strings.
        else expect((await englishLeftovers(page, s.name)).length, s.name).toBeGreaterThan(5);
        await page.screenshot({ path: screenshotPath(`screens-${s.name}-${lang}-${theme}`), fullPage: s.name !== 'overview' });
      }
    }
  }
  // The switch itself, at runtime, without a reload.
  await page.evaluate(() => localStorage.setItem('overlook.prefs', JSON.stringify({ state: { theme: 'light', lang: 'en', range: '1h' }, version: 1 })));
  await page.evaluate(() => (window.location.hash = '#/'));
  await page.reload();
  await expect(page.getByTestId('fleet-table')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(en['overview.title']!);
  await page.getByTestId('lang-toggle').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(zhCN['overview.title']!);
  await expectNoEnglish(page, 'overview after runtime switch');
  await page.getByTestId('theme-choice').selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.screenshot({ path: screenshotPath('screens-dark-theme') });
});
