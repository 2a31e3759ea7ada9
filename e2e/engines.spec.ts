// Settings against a real `overlook serve` and a real VictoriaMetrics: a
// remote-write target added from the screen sends the local host's samples
// (its status shows them sent and nothing pending), the history source
// switched to the engine's PromQL API and shown as such, the target removed;
// screenshots in light, dark and Chinese.
import { expect, test } from '@playwright/test';
import { fromTestSupport, screenshotPath, startConsole, type RunningConsole } from './console.js';
import { languageCheck } from './languageCheck.js';

interface RunningEngine {
  url: string;
  remove(): Promise<void>;
}

let console_: RunningConsole;
let vm: RunningEngine;

test.beforeAll(async () => {
  const engines = await fromTestSupport<{ startVictoriaMetrics: () => Promise<RunningEngine> }>('engines.js');
  vm = await engines.startVictoriaMetrics();
  console_ = await startConsole();
});

test.afterAll(async () => {
  await console_?.stop();
  await vm?.remove();
});

test('settings: a remote-write target added, sending, removed; history read from the engine', async ({ page, request }) => {
  test.setTimeout(120_000);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(console_.url);
  await page.getByTestId('nav-settings').click();
  const card = page.getByTestId('settings-remote-write');
  await expect(page.getByTestId('rw-none')).toBeVisible();
  await expect(page.getByTestId('history-source')).toHaveAttribute('data-backend', 'local');

  // A bad URL is refused by the core with its reason; nothing is added.
  await page.getByTestId('rw-add').click();
  await page.getByTestId('rw-name').fill('victoria');
  await page.getByTestId('rw-url').fill('vm.example');
  await page.getByTestId('rw-save').click();
  await expect(page.getByTestId('rw-save-error')).toContainText('URL');
  await expect(page.getByTestId('rw-target')).toHaveCount(0);

  await page.getByTestId('rw-url').fill(`${vm.url}/api/v1/write`);
  await page.getByTestId('rw-headers').fill('X-Scope-OrgID: team-a');
  await page.getByTestId('rw-labels').fill('console=e2e');
  await page.getByTestId('rw-save').click();
  const target = card.locator('[data-testid="rw-target"][data-name="victoria"]');
  await expect(target).toBeVisible();
  // The local host's samples reach the engine: sent, and the engine holds them with the external label.
  await expect(target.getByTestId('rw-last-success')).not.toHaveText(/not yet/, { timeout: 60_000 });
  await expect(target.getByTestId('rw-sent')).not.toHaveText(/^0 samples/);
  await expect
    .poll(async () => (await (await request.get(`${vm.url}/api/v1/series?match[]=${encodeURIComponent('host:cpu_usage:ratio{console="e2e"}')}`)).json()).data?.length ?? 0, {
      timeout: 30_000,
    })
    .toBeGreaterThan(0);

  // History from the engine: the screen says so.
  await page.getByTestId('history-backend').selectOption('promql');
  await page.getByTestId('history-url').fill(vm.url);
  await page.getByTestId('history-save').click();
  await expect(page.getByTestId('history-source')).toHaveAttribute('data-backend', 'promql');
  await expect(page.getByTestId('history-where')).toContainText(vm.url);

  await page.screenshot({ path: screenshotPath('settings-engines-light'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.screenshot({ path: screenshotPath('settings-engines-dark'), fullPage: true });
  await page.getByTestId('lang-toggle').click();
  await expect(card).toContainText('远程写入');
  await (await languageCheck()).expectNoEnglish(page, 'settings with engines');
  await page.screenshot({ path: screenshotPath('settings-engines-dark-zh-CN'), fullPage: true });
  await page.getByTestId('lang-toggle').click();

  // Removed: nothing is sent any more, and the history source goes back to this console.
  await target.getByTestId('rw-remove').click();
  await expect(page.getByTestId('rw-none')).toBeVisible();
  await page.getByTestId('history-backend').selectOption('local');
  await page.getByTestId('history-save').click();
  await expect(page.getByTestId('history-source')).toHaveAttribute('data-backend', 'local');
});
