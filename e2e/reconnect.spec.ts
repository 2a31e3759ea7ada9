// Restarting `overlook serve` does not strand an open tab: the token is kept
// in the data dir, so the tab reconnects by itself; while the console is
// down nothing on the page says Live or Online; after `--rotate-token` the
// tab says plainly why it is refused and how to get back in, and it comes
// back by itself once the new address is opened.
import { expect, test, type Page } from '@playwright/test';
import { screenshotPath, startConsole, type RunningConsole } from './console.js';

declare const localStorage: { setItem(key: string, value: string): void };

let console_: RunningConsole | undefined;

test.afterAll(async () => {
  await console_?.stop();
});

async function expectNothingLive(page: Page) {
  await expect(page.getByTestId('range-live')).toHaveCount(0);
  await expect(page.getByTestId('range-disconnected')).toBeVisible();
  // No badge keeps its last "Online": the page cannot know.
  await expect(page.locator('.badge[data-status="online"]')).toHaveCount(0);
  await expect(page.locator('.badge', { hasText: /^Online$/ })).toHaveCount(0);
  await expect(page.locator('.badge[data-status="unknown"]').first()).toBeVisible();
}

test('a restarted console takes the tab back; a rotated token is explained, and the tab returns once the new address is opened', async ({ page, context }) => {
  test.setTimeout(150_000);
  console_ = await startConsole();
  const { port, dataDir } = console_;
  await page.goto(console_.url);
  const card = page.getByTestId('host-card').filter({ hasText: 'local' });
  await expect(card.locator('.badge')).toHaveAttribute('data-status', 'online', { timeout: 30_000 });
  await expect(page.getByTestId('range-live')).toBeVisible();

  // Down: the banner says so, and nothing looks live.
  await console_.stop({ keepData: true });
  await expect(page.getByTestId('connection-banner')).toHaveAttribute('data-reason', 'lost');
  await expectNothingLive(page);
  await page.screenshot({ path: screenshotPath('reconnect-console-down') });

  // Restarted on the same port and data dir: same token, the tab's cookie works, no reload.
  console_ = await startConsole({ dataDir, port });
  await page.getByTestId('connection-banner').getByRole('button').click();
  await expect(page.getByTestId('connection-banner')).toHaveCount(0, { timeout: 20_000 });
  await expect(card.locator('.badge')).toHaveAttribute('data-status', 'online', { timeout: 30_000 });
  await expect(page.getByTestId('range-live')).toBeVisible();

  // Rotated: the console answers but refuses the tab. It says why, not "reconnecting…" forever.
  await console_.stop({ keepData: true });
  console_ = await startConsole({ dataDir, port, args: ['--rotate-token'] });
  const banner = page.getByTestId('connection-banner');
  await expect(banner).toHaveAttribute('data-reason', 'unauthorized', { timeout: 30_000 });
  await expect(banner).toContainText('it was restarted with a new access token, or its token was rotated');
  await expect(banner).toContainText('Open the address "overlook serve" printed');
  await expect(banner).not.toContainText('reconnecting');
  await expectNothingLive(page);
  await page.screenshot({ path: screenshotPath('reconnect-token-rotated') });
  // It stays that way (no flicker back to "reconnecting").
  await page.waitForTimeout(12_000);
  await expect(banner).toHaveAttribute('data-reason', 'unauthorized');

  // Opening the new address (another tab, same browser) sets the cookie; this tab comes back by itself.
  const other = await context.newPage();
  await other.goto(console_.url);
  await expect(other.getByTestId('host-card').first()).toBeVisible({ timeout: 30_000 });
  await expect(banner).toHaveCount(0, { timeout: 20_000 });
  await expect(card.locator('.badge')).toHaveAttribute('data-status', 'online', { timeout: 30_000 });
  await other.close();
});

test('the Chinese banner for a refused tab', async ({ page }) => {
  test.setTimeout(90_000);
  await console_?.stop();
  console_ = await startConsole();
  const { port, dataDir } = console_;
  await page.goto(console_.url);
  await page.evaluate(() => localStorage.setItem('overlook.prefs', JSON.stringify({ state: { theme: 'dark', lang: 'zh-CN', range: '15m' }, version: 1 })));
  await page.reload();
  await expect(page.getByTestId('host-card').first()).toBeVisible({ timeout: 30_000 });
  await console_.stop({ keepData: true });
  console_ = await startConsole({ dataDir, port, args: ['--rotate-token'] });
  const banner = page.getByTestId('connection-banner');
  await expect(banner).toHaveAttribute('data-reason', 'unauthorized', { timeout: 30_000 });
  await expect(banner).toContainText('overlook serve');
  await expect(page.getByTestId('range-disconnected')).toHaveText('已断开');
  await page.screenshot({ path: screenshotPath('reconnect-token-rotated-zh-CN-dark') });
});
