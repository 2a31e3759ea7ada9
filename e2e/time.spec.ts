// One time selection for every screen that shows time, kept in the URL: a
// zoom drawn with the mouse loads every chart (whole milliseconds in the
// queries), survives a reload and a shared link, and goes back with Back or
// Reset; Top-K and the alert history follow the header's range; screens that
// show no time hide it; "last sample" ticks with the samples.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { screenshotPath, startConsole, type RunningConsole } from './console.js';
import { fleetHostName, seedFleet } from './seedFleet.js';

declare const window: { location: { hash: string } };
declare const localStorage: { setItem(key: string, value: string): void };

const NOW = Date.now();
let console_: RunningConsole;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  console_ = await startConsole({ prepare: (dir) => seedFleet(dir, { hosts: 12, minutes: 180, now: NOW }) });
});

test.afterAll(async () => {
  await console_?.stop();
});

/** Opens a screen with the header at 6 h (the preference a link without a range opens at). */
async function open(page: Page, hash: string) {
  await page.goto(console_.url);
  await page.evaluate(() => localStorage.setItem('overlook.prefs', JSON.stringify({ state: { theme: 'light', lang: 'en', range: '6h' }, version: 1 })));
  await page.reload();
  await page.evaluate((h) => (window.location.hash = h), hash);
}

/** Drags across a chart's plot with the mouse, from `a` to `b` (fractions of its width), as a person does. */
export async function dragAcross(page: Page, chart: Locator, a: number, b: number): Promise<void> {
  // Centre the chart so the sticky header cannot sit over the drag.
  await chart.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  const box = (await chart.locator('.chart-plot').boundingBox())!;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * a, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * ((a + b) / 2), y, { steps: 4 });
  await page.mouse.move(box.x + box.width * b, y, { steps: 4 });
  await page.mouse.up();
}

/** Every chart on the screen answered with points and none shows an error. */
async function expectChartsLoaded(page: Page, keys: readonly string[]) {
  for (const key of keys) {
    const chart = page.getByTestId(`chart-${key}`);
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), { message: key, timeout: 30_000 }).toBeGreaterThan(0);
    await expect(chart.getByText('Could not load this chart'), key).toHaveCount(0);
    await expect(chart.locator('.error-text'), key).toHaveCount(0);
  }
}

const HOST_CHARTS = ['cpu-mode', 'memory', 'load', 'filesystems'] as const;

test('a zoom drawn with the mouse loads every chart, is in the URL, survives a reload, and Back or Reset undo it', async ({ page }) => {
  const host = fleetHostName(3);
  await open(page, `#/hosts/${host}`);
  await expect(page).toHaveURL(new RegExp(`#/hosts/${host}\\?range=6h$`));
  await expectChartsLoaded(page, HOST_CHARTS);
  const failures: string[] = [];
  page.on('websocket', (ws) => ws.on('framereceived', (f) => String(f.payload).includes('invalid_input') && failures.push(String(f.payload))));

  await dragAcross(page, page.getByTestId('chart-cpu-mode'), 0.57, 0.83);
  await expect(page.getByTestId('zoom-window')).toBeVisible();
  await expect(page.getByTestId('range-fixed')).toBeVisible();
  await expect(page).toHaveURL(/\?range=6h&from=\d+&to=\d+$/);
  const url = new URL(page.url().replace('#/', '/'));
  const from = Number(url.searchParams.get('from'));
  const to = Number(url.searchParams.get('to'));
  // About a quarter of six hours (the seeded history is its later half), in whole milliseconds.
  expect(to - from).toBeGreaterThan(3600_000);
  expect(to - from).toBeLessThan(2 * 3600_000);
  await expectChartsLoaded(page, HOST_CHARTS);
  expect(failures).toEqual([]);
  await page.screenshot({ path: screenshotPath('time-host-zoomed'), fullPage: true });

  // A zoom inside the zoom.
  const zoomText = await page.getByTestId('zoom-window').textContent();
  await dragAcross(page, page.getByTestId('chart-memory'), 0.7, 0.2);
  await expect(page.getByTestId('zoom-window')).not.toHaveText(zoomText!);
  await expectChartsLoaded(page, HOST_CHARTS);
  const nestedUrl = page.url();
  const nestedText = await page.getByTestId('zoom-window').textContent();

  // Reloading (or opening the link elsewhere) shows the same window.
  await page.reload();
  await expect(page.getByTestId('zoom-window')).toHaveText(nestedText!);
  expect(page.url()).toBe(nestedUrl);
  await expectChartsLoaded(page, HOST_CHARTS);
  const context = await page.context().browser()!.newContext();
  const other = await context.newPage();
  await other.goto(console_.url);
  await other.goto(nestedUrl);
  await expect(other.getByTestId('zoom-window')).toHaveText(nestedText!);
  await context.close();

  // Back undoes the inner zoom; Reset returns to the live range.
  await page.goBack();
  await expect(page.getByTestId('zoom-window')).toHaveText(zoomText!);
  await page.getByTestId('zoom-reset').click();
  await expect(page.getByTestId('zoom-window')).toHaveCount(0);
  await expect(page).toHaveURL(new RegExp(`#/hosts/${host}\\?range=6h$`));
  await expect(page.getByTestId('range-live')).toBeVisible();
  expect(failures).toEqual([]);
});

test('Top-K and the alert history follow the header; the range is carried between screens and reloads', async ({ page }) => {
  await open(page, `#/hosts/${fleetHostName(1)}`);
  await page.getByTestId('range-24h').click();
  await expect(page).toHaveURL(/range=24h$/);

  await page.getByTestId('nav-topk').click();
  await expect(page).toHaveURL(/#\/topk\?range=24h$/);
  await expect(page.getByTestId('range-24h')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('topk-range')).toContainText('Last 24 hours');
  await expect(page.getByTestId('topk-row').first()).toBeVisible({ timeout: 30_000 });
  // Its own window selector is gone: there is one range.
  await expect(page.locator('[data-testid^="topk-window-"]')).toHaveCount(0);
  await expect(page.getByTestId('topk-link').first()).toHaveAttribute('href', /range=24h/);

  // The answer follows the header: what Top-K asks for spans the header's range.
  const asked: { from: number; to: number }[] = [];
  page.on('websocket', (ws) =>
    ws.on('framesent', (f) => {
      const frame = JSON.parse(String(f.payload)) as { method?: string; input?: { from: number; to: number } };
      if (frame.method === 'topk/query' && frame.input) asked.push(frame.input);
    }),
  );
  await page.reload();
  await expect(page.getByTestId('range-24h')).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(() => asked.length, { timeout: 20_000 }).toBeGreaterThan(0);
  expect(asked.at(-1)!.to - asked.at(-1)!.from).toBe(24 * 3600_000);
  await page.getByTestId('range-15m').click();
  await expect(page).toHaveURL(/#\/topk\?range=15m$/);
  await expect(page.getByTestId('topk-range')).toContainText('Last 15 minutes');
  await expect.poll(() => asked.at(-1)!.to - asked.at(-1)!.from).toBe(15 * 60_000);
  await page.screenshot({ path: screenshotPath('time-topk-15m') });

  // A custom window typed in the header is fixed for Top-K too.
  await page.getByTestId('range-custom').click();
  await page.getByTestId('range-from').fill('2024-01-01T10:00');
  await page.getByTestId('range-to').fill('2024-01-01T12:00');
  await page.getByTestId('range-apply').click();
  await expect(page).toHaveURL(/#\/topk\?range=15m&from=\d+&to=\d+$/);
  await expect(page.getByTestId('topk-range')).toContainText('2024');
  await expect.poll(() => asked.at(-1)!.to - asked.at(-1)!.from).toBe(2 * 3600_000);
  await expect(page.getByTestId('topk-empty')).toBeVisible();

  // The alert history shows the same range.
  await page.getByTestId('nav-alerts').click();
  await expect(page).toHaveURL(/#\/alerts\?range=15m&from=\d+&to=\d+$/);
  await expect(page.getByTestId('alerts-history-range')).toContainText('2024');
  await page.getByTestId('range-1h').click();
  await expect(page.getByTestId('alerts-history-range')).toContainText('Last hour');
});

test('screens that show no time hide the range control; nothing says Live while the console is unreachable', async ({ page }) => {
  for (const [hash, ready] of [
    ['#/', 'overview'],
    ['#/clouds', 'clouds'],
    ['#/settings', 'settings'],
  ] as const) {
    await open(page, hash);
    await expect(page.getByTestId(ready)).toBeVisible();
    await expect(page.getByTestId('range-picker')).toHaveCount(0);
    await expect(page).not.toHaveURL(/range=/);
  }
  await open(page, `#/hosts/${fleetHostName(2)}`);
  await expect(page.getByTestId('range-picker')).toBeVisible();
  await expect(page.getByTestId('range-live')).toBeVisible();
  // One theme control in the header.
  await expect(page.getByTestId('theme-choice')).toHaveCount(1);
  await expect(page.getByTestId('theme-toggle')).toHaveCount(0);
});

test('"last sample" on the host detail moves with the samples', async ({ page }) => {
  await open(page, '#/hosts/local');
  const last = page.getByTestId('last-sample');
  await expect(last).toBeVisible({ timeout: 30_000 });
  const first = Number(await last.getAttribute('data-t'));
  await expect.poll(async () => Number(await last.getAttribute('data-t')), { timeout: 20_000 }).toBeGreaterThan(first);
  // A sample arrives every 5 s: the text never gets to minutes while the host is online.
  for (let i = 0; i < 6; i++) {
    await expect(last).toHaveText(/Last sample (now|\d+ sec\. ago)/);
    await page.waitForTimeout(1000);
  }
});
