// The Settings screen against a real `overlook serve`: retention saved and
// kept, field validation, the /metrics exporter turned on from the UI with a
// token the page never sees again, then scraped by this test over HTTP.
import { freePort } from '../main/testing/freePort.js';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { screenshotPath, startConsole, type RunningConsole } from './console.js';

let console_: RunningConsole;

test.beforeAll(async () => {
  console_ = await startConsole();
});

test.afterAll(async () => {
  await console_?.stop();
});


test('settings: retention, validation, and /metrics enabled from the UI', async ({ page, request }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(console_.url);
  await page.getByTestId('nav-settings').click();
  await expect(page).toHaveURL(/#\/settings$/);
  const screen = page.getByTestId('settings');
  await expect(screen).toBeVisible();
  await expect(page.getByTestId('settings-config')).toContainText('--config');
  await expect(page.getByTestId('db-size')).not.toBeEmpty();

  // Retention: a bad value is refused on the spot, a good one is saved by the core.
  const raw = page.getByTestId('retention-rawHours');
  await raw.fill('1000');
  await expect(page.getByTestId('settings-general')).toContainText('Enter a value from 1 to 720.');
  await expect(page.getByTestId('settings-save')).toBeDisabled();
  await raw.fill('72');
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-saved')).toBeVisible();
  await expect.poll(() => JSON.parse(fs.readFileSync(path.join(console_.dataDir, 'settings.json'), 'utf8')).retention?.rawHours).toBe(72);

  // The exporter: off by default, nothing to scrape.
  await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'off');
  await expect(page.getByTestId('export-token-state')).toHaveAttribute('data-set', 'false');

  const listen = page.getByTestId('export-listen');
  await listen.fill('127.0.0.1');
  await expect(page.getByTestId('settings-export')).toContainText('Write it as host:port');
  await listen.fill('0.0.0.0:9309');
  await expect(page.getByTestId('export-exposed-warning')).toBeVisible();
  await page.getByTestId('export-token').fill('short');
  await expect(page.getByTestId('settings-export')).toContainText('at least 16 characters');
  await expect(page.getByTestId('export-save')).toBeDisabled();

  const port = await freePort();
  const token = `e2e-token-${Date.now()}-abcdefgh`;
  await listen.fill(`127.0.0.1:${port}`);
  await expect(page.getByTestId('export-exposed-warning')).toHaveCount(0);
  await page.getByTestId('export-token').fill(token);
  await page.getByTestId('export-enabled').check();
  await page.getByTestId('export-save').click();
  await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'serving');
  const url = `http://127.0.0.1:${port}/metrics`;
  await expect(page.getByTestId('export-url')).toHaveText(url);
  const sdUrl = `http://127.0.0.1:${port}/sd/hosts`;
  await expect(page.getByTestId('export-sd-url')).toHaveText(sdUrl);
  await expect(page.getByTestId('export-token-state')).toHaveAttribute('data-set', 'true');
  await expect(page.getByTestId('export-token')).toHaveValue('');

  // Prometheus' view: the token is enforced, the local host is there.
  expect((await request.get(url)).status()).toBe(401);
  await expect
    .poll(async () => (await request.get(url, { headers: { Authorization: `Bearer ${token}` } })).text(), { timeout: 30_000 })
    .toMatch(/^overlook_host_up\{host="local"\} 1$/m);
  const scraped = await request.get(url, { headers: { Authorization: `Bearer ${token}` } });
  expect(scraped.status()).toBe(200);
  expect(await scraped.text()).toMatch(/^node_cpu_seconds_total\{[^}]*host="local"[^}]*\} \d/m);
  // The discovery URL the card shows answers with the local host as a target, behind the same token.
  expect((await request.get(sdUrl)).status()).toBe(401);
  const discovered = (await (await request.get(sdUrl, { headers: { Authorization: `Bearer ${token}` } })).json()) as { targets: string[]; labels: Record<string, string> }[];
  expect(discovered).toEqual([expect.objectContaining({ targets: [`127.0.0.1:${port}`], labels: expect.objectContaining({ instance: 'local', __metrics_path__: '/metrics/host/local' }) })]);

  // The page learns of the scrape, and never holds the token.
  await expect(page.getByTestId('export-url-row')).not.toContainText('not scraped yet', { timeout: 15_000 });
  expect(await page.content()).not.toContain(token);

  await page.screenshot({ path: screenshotPath('settings-light'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.screenshot({ path: screenshotPath('settings-dark'), fullPage: true });
  await page.getByTestId('lang-toggle').click();
  await expect(page.getByTestId('settings')).toContainText('设置');
  await page.screenshot({ path: screenshotPath('settings-dark-zh-CN'), fullPage: true });
  await page.getByTestId('lang-toggle').click();

  // Kept across a reload: the core answers from its saved state.
  await page.reload();
  await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'serving');
  await expect(page.getByTestId('retention-rawHours')).toHaveValue('72');
});
