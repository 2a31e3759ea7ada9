// Anomalies in the browser: a console whose history (five days of two hosts,
// seeded through the real store and its rollups) lets the core learn
// baselines, with one host's CPU stepped far out for the last 90 minutes.
// The overview ranks that host first by anomaly rate; its detail lists the
// CPU series under "what is unusual now"; the CPU chart draws the normal
// range and the flagged stretch; a mouse drag over the step and "What
// happened here?" rank the perturbed series first; Settings changes the
// sensitivity. Screenshots in English and Chinese, light and dark.
import { expect, test, type Page } from '@playwright/test';
import { screenshotPath, startConsole, type RunningConsole } from './console.js';
import { languageCheck, type LanguageCheck } from './languageCheck.js';
import { PERTURBED_HOST, PERTURBED_SERIES, QUIET_HOST, seedAnomalies } from './seedAnomalies.js';

declare const window: { location: { hash: string } };
declare const localStorage: { setItem(key: string, value: string): void };

let console_: RunningConsole;
let language: LanguageCheck;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  language = await languageCheck();
  const now = Date.now();
  console_ = await startConsole({ prepare: (dir) => seedAnomalies(dir, now) });
});

test.afterAll(async () => {
  await console_?.stop();
});

async function open(page: Page, hash: string, prefs: { lang?: 'en' | 'zh-CN'; theme?: 'light' | 'dark' } = {}) {
  await page.goto(console_.url);
  // The hash first: a range in it is saved to the prefs as it applies, which would overwrite the ones set here.
  await page.evaluate((h) => (window.location.hash = h), hash);
  await page.evaluate((p) => {
    localStorage.setItem('overlook.prefs', JSON.stringify({ state: { theme: p.theme ?? 'light', lang: p.lang ?? 'en', range: '6h' }, version: 1 }));
  }, prefs);
  await page.reload();
}

const fleetRow = (page: Page, id: string) => page.locator(`[data-testid="fleet-row"][data-host-id="${id}"]`);

test('the overview ranks the host with the unusual series first by anomaly rate', async ({ page }) => {
  // The core learns a metric name every 2 s and scores once a minute: the first rates come within a few minutes.
  // A few hosts open as cards; the table has the column to sort by.
  test.setTimeout(300_000);
  await open(page, '#/');
  await page.getByTestId('view-table').click();
  await expect(fleetRow(page, PERTURBED_HOST).getByTestId('fleet-unusual')).not.toHaveText('—', { timeout: 240_000 });
  await expect(fleetRow(page, QUIET_HOST).getByTestId('fleet-unusual')).toHaveText('0%');
  await page.getByTestId('sort-unusual').click();
  const order = async () => (await page.getByTestId('fleet-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-host-id'))));
  let ids = await order();
  if (ids[0] !== PERTURBED_HOST) {
    await page.getByTestId('sort-unusual').click();
    ids = await order();
  }
  expect(ids[0]).toBe(PERTURBED_HOST);
  expect(ids.indexOf(QUIET_HOST)).toBeGreaterThan(0);
  const rate = await fleetRow(page, PERTURBED_HOST).getByTestId('fleet-unusual').textContent();
  expect(Number(rate!.replace('%', ''))).toBeGreaterThan(0);
  await page.screenshot({ path: screenshotPath('anomalies-overview-en-light'), fullPage: true });
});

test('the host lists its unusual CPU under "What is unusual now", and the chart draws the normal range and the flagged stretch', async ({ page }) => {
  test.setTimeout(120_000);
  await open(page, `#/hosts/${PERTURBED_HOST}?range=6h`);
  const card = page.getByTestId('unusual-now');
  await expect(card.getByTestId('unusual-row').first()).toBeVisible({ timeout: 90_000 });
  const listed = await card.getByTestId('unusual-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-series')));
  expect(listed.every((s) => PERTURBED_SERIES.includes(s!))).toBe(true);
  await expect(card.getByTestId('unusual-row').first()).toContainText(/spread above/);

  const chart = page.getByTestId('chart-cpu-mode');
  await chart.getByTestId('band-toggle-cpu-mode').check();
  await expect(chart.locator('.normal-band path').first()).toBeVisible();
  await expect(chart.locator('.anomaly-flag').first()).toBeVisible();
  await expect(chart.getByTestId('band-range')).toContainText('Normal');
  await expect(chart.getByTestId('band-flagged')).toBeVisible();
  // The tooltip at a point inside the flagged stretch gives the normal range and z there.
  const plot = (await chart.locator('.chart-plot').boundingBox())!;
  await page.mouse.move(plot.x + plot.width * 0.97, plot.y + plot.height / 2);
  await expect(page.getByTestId('tooltip-band')).toContainText(/z = \d/);
  await page.screenshot({ path: screenshotPath('anomalies-host-en-light'), fullPage: true });
  await chart.screenshot({ path: screenshotPath('anomalies-chart-band-en-light') });
  // A series the seed left alone has a band and no flagged stretch.
  const load = page.getByTestId('chart-load');
  await load.getByTestId('band-toggle-load').check();
  await expect(load.locator('.normal-band path').first()).toBeVisible();
  await expect(load.locator('.anomaly-flag')).toHaveCount(0);
});

test('a drag across the step on the CPU chart, then "What happened here?", ranks the perturbed series first, on the host and across the fleet', async ({ page }) => {
  test.setTimeout(120_000);
  await open(page, `#/hosts/${PERTURBED_HOST}?range=6h`);
  const chart = page.getByTestId('chart-cpu-mode');
  await expect(chart).toHaveAttribute('data-points', /[1-9]/);
  const plot = (await chart.locator('.chart-plot').boundingBox())!;
  const y = plot.y + plot.height / 2;
  // The last 90 minutes of a 6-hour chart are its right quarter.
  await page.mouse.move(plot.x + plot.width * 0.8, y);
  await page.mouse.down();
  await page.mouse.move(plot.x + plot.width * 0.9, y, { steps: 4 });
  await page.mouse.move(plot.x + plot.width * 0.98, y, { steps: 4 });
  await page.mouse.up();
  await expect(page.getByTestId('zoom-window')).toBeVisible();
  await page.getByTestId('explain-open').click();
  const panel = page.getByTestId('explain-panel');
  await expect(panel.getByTestId('explain-row').first()).toBeVisible({ timeout: 30_000 });
  const first = panel.getByTestId('explain-row').first();
  expect(PERTURBED_SERIES).toContain(await first.getAttribute('data-series'));
  // The unperturbed series of the host rank below both CPU series.
  const ranked = await panel.getByTestId('explain-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-series')));
  const lastPerturbed = Math.max(...PERTURBED_SERIES.map((s) => ranked.indexOf(s)));
  for (const other of ['host:memory_used:ratio', 'node_load1']) if (ranked.includes(other)) expect(ranked.indexOf(other)).toBeGreaterThan(lastPerturbed);
  await expect(page.getByTestId('explain-summary')).toBeVisible();
  await page.screenshot({ path: screenshotPath('anomalies-explain-host-en-light'), fullPage: true });
  // The URL keeps it: a reload opens the same view.
  expect(await page.evaluate(() => window.location.hash)).toContain('explain=host');
  await page.getByTestId('explain-scope-fleet').click();
  await expect(panel.getByTestId('explain-row').first()).toHaveAttribute('data-entity', PERTURBED_HOST, { timeout: 30_000 });
  expect(PERTURBED_SERIES).toContain(await panel.getByTestId('explain-row').first().getAttribute('data-series'));
  await panel.screenshot({ path: screenshotPath('anomalies-explain-fleet-en-light') });
});

test('Settings → Anomalies changes the sensitivity, which stays after a reload, and shows what learning costs', async ({ page }) => {
  await open(page, '#/settings');
  const card = page.getByTestId('settings-anomalies');
  await expect(card.getByTestId('anomalies-learned')).not.toHaveText('0');
  await expect(card.getByTestId('anomalies-sensitivity')).toHaveValue('medium');
  await card.getByTestId('anomalies-sensitivity').selectOption('high');
  await expect(card.getByTestId('anomalies-saved')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('settings-anomalies').getByTestId('anomalies-sensitivity')).toHaveValue('high');
  await card.screenshot({ path: screenshotPath('anomalies-settings-en-light') });
  await card.getByTestId('anomalies-sensitivity').selectOption('medium');
  await expect(card.getByTestId('anomalies-saved')).toBeVisible();
});

test('an "Unusual behaviour" rule made in the editor fires on the stepped host with the evidence, and resolves when it looks the other way; the built-in one is off and switches on', async ({ page }) => {
  test.setTimeout(240_000);
  await open(page, '#/alerts');
  const builtin = page.locator('[data-testid="rule-row"][data-origin="builtin"]').filter({ hasText: 'Unusual behaviour' });
  await expect(builtin.getByTestId('rule-enabled')).not.toBeChecked();
  // The switch follows the core's answer (a controlled input): click, then wait for it.
  await builtin.getByTestId('rule-enabled').click();
  await expect(builtin.getByTestId('rule-enabled')).toBeChecked();
  await builtin.getByTestId('rule-enabled').click();
  await expect(builtin.getByTestId('rule-enabled')).not.toBeChecked();

  await page.getByTestId('new-rule').click();
  const editor = page.getByTestId('rule-editor');
  await editor.getByTestId('rule-type').selectOption('anomalous');
  await expect(editor.getByTestId('rule-threshold')).toBeHidden();
  await expect(editor.getByTestId('rule-selector')).toHaveValue('*');
  await editor.getByTestId('rule-name').fill('CPU out of its normal');
  // A bad share says so at the field.
  await editor.getByTestId('rule-min-rate').fill('0');
  await editor.getByTestId('rule-min-rate').blur();
  await expect(editor).toContainText('Write a percentage above 0 and at most 100.');
  await editor.getByTestId('rule-scope').selectOption('series');
  await expect(editor.getByTestId('rule-min-rate')).toBeHidden();
  await editor.getByTestId('rule-selector').fill('host:cpu_usage:ratio');
  await editor.getByTestId('rule-name').click();
  await editor.getByTestId('rule-direction').selectOption('up');
  await editor.getByTestId('rule-for').fill('0s');
  await editor.screenshot({ path: screenshotPath('anomalies-rule-editor-en-light') });
  await editor.getByTestId('rule-save').click();
  await expect(editor).toBeHidden();

  const row = page.getByTestId('alert-row').filter({ hasText: 'CPU out of its normal' });
  await expect(row).toHaveAttribute('data-status', 'firing', { timeout: 150_000 });
  await expect(row).toContainText(PERTURBED_HOST);
  // The alert's value is the series' z, not a CPU share of thousands of percent.
  await expect(row).toContainText(/z = \d/);
  // The notification carries the evidence: the value, the normal range, z and the history it learned from.
  const toast = page.getByTestId('toast').filter({ hasText: 'CPU out of its normal' });
  await expect(toast).toBeVisible({ timeout: 45_000 });
  await expect(toast).toContainText(/normally .+ to .+ z = \d/);
  await expect(toast).toContainText(/learned from \d+ days/);
  await page.screenshot({ path: screenshotPath('anomalies-rule-firing-en-light'), fullPage: true });

  // Looking for drops instead, the same series is no longer unusual: the alert resolves.
  await page.getByTestId('rule-row').filter({ hasText: 'CPU out of its normal' }).getByRole('button', { name: 'Edit' }).click();
  await editor.getByTestId('rule-direction').selectOption('down');
  await editor.getByTestId('rule-save').click();
  await expect(page.getByTestId('alert-row').filter({ hasText: 'CPU out of its normal' }).and(page.locator('[data-status="firing"]'))).toHaveCount(0, { timeout: 150_000 });
});

test('the anomaly screens in Chinese have no English left, and read in both themes', async ({ page }) => {
  test.setTimeout(180_000);
  for (const [lang, theme] of [['zh-CN', 'light'], ['zh-CN', 'dark'], ['en', 'dark']] as const) {
    await open(page, `#/hosts/${PERTURBED_HOST}?range=6h`, { lang, theme });
    await expect(page.getByTestId('unusual-now').getByTestId('unusual-row').first()).toBeVisible({ timeout: 60_000 });
    const chart = page.getByTestId('chart-cpu-mode');
    await chart.getByTestId('band-toggle-cpu-mode').check();
    await expect(chart.locator('.anomaly-flag').first()).toBeVisible();
    if (lang === 'zh-CN') await language.expectNoEnglish(page, 'host detail with anomalies');
    await page.screenshot({ path: screenshotPath(`anomalies-host-${lang}-${theme}`), fullPage: true });
    await chart.screenshot({ path: screenshotPath(`anomalies-chart-band-${lang}-${theme}`) });
    const plot = (await chart.locator('.chart-plot').boundingBox())!;
    const y = plot.y + plot.height / 2;
    await page.mouse.move(plot.x + plot.width * 0.8, y);
    await page.mouse.down();
    await page.mouse.move(plot.x + plot.width * 0.9, y, { steps: 4 });
    await page.mouse.move(plot.x + plot.width * 0.98, y, { steps: 4 });
    await page.mouse.up();
    await page.getByTestId('explain-open').click();
    await expect(page.getByTestId('explain-row').first()).toBeVisible({ timeout: 30_000 });
    if (lang === 'zh-CN') await language.expectNoEnglish(page, 'what happened here');
    await page.getByTestId('explain-panel').screenshot({ path: screenshotPath(`anomalies-explain-host-${lang}-${theme}`) });

    await open(page, '#/', { lang, theme });
    await page.getByTestId('view-table').click();
    await expect(fleetRow(page, PERTURBED_HOST).getByTestId('fleet-unusual')).not.toHaveText('—', { timeout: 60_000 });
    if (lang === 'zh-CN') await language.expectNoEnglish(page, 'overview');
    await page.screenshot({ path: screenshotPath(`anomalies-overview-${lang}-${theme}`), fullPage: true });

    await open(page, '#/settings', { lang, theme });
    const card = page.getByTestId('settings-anomalies');
    await expect(card.getByTestId('anomalies-sensitivity')).toBeVisible();
    if (lang === 'zh-CN') await language.expectNoEnglish(page, 'settings');
    await card.screenshot({ path: screenshotPath(`anomalies-settings-${lang}-${theme}`) });

    await open(page, '#/alerts', { lang, theme });
    await page.getByTestId('new-rule').click();
    await page.getByTestId('rule-type').selectOption('anomalous');
    if (lang === 'zh-CN') await language.expectNoEnglish(page, 'rule editor');
    await page.getByTestId('rule-editor').screenshot({ path: screenshotPath(`anomalies-rule-editor-${lang}-${theme}`) });
  }
});
