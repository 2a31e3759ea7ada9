// A provisioning file with problems is said on the overview, not only on
// Settings: a broken file (not applied) and a file with a bad entry (left
// out), each with a link to the details; fixing the file clears it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { screenshotPath, startConsole, type RunningConsole } from './console.js';
import { languageCheck } from './languageCheck.js';

declare const localStorage: { setItem(key: string, value: string): void };

let console_: RunningConsole | undefined;
let dir: string;
let file: string;

test.beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-e2e-prov-'));
  file = path.join(dir, 'overlook.yaml');
  // Broken from the start: a tab where YAML wants spaces.
  fs.writeFileSync(file, 'settings:\n\tpoll_interval: 5s\n');
  console_ = await startConsole({ args: ['--config', file] });
});

test.afterAll(async () => {
  await console_?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a broken provisioning file and a bad entry are reported on the overview, with a link to Settings; a fixed file clears it', async ({ page }) => {
  await page.goto(console_!.url);
  const banner = page.getByTestId('provisioning-banner');
  await expect(banner).toBeVisible({ timeout: 30_000 });
  await expect(banner).toHaveAttribute('data-refused', 'true');
  await expect(banner).toContainText('has errors and is not applied');
  await expect(banner).toContainText('overlook.yaml:2');
  await page.screenshot({ path: screenshotPath('provisioning-banner-refused') });
  await page.getByTestId('provisioning-banner-link').click();
  await expect(page.getByTestId('config-problems')).toBeVisible();

  // One bad entry: the rest applies, the entry is left out, the overview says so.
  fs.writeFileSync(file, 'hosts:\n  - name: good\n    address: ops@10.255.0.1:22\n    agent: true\n  - name: bad one\n    address: ops@10.255.0.2:22\n    agent: true\n');
  await page.locator('a.brand').click();
  await expect(banner).toHaveAttribute('data-refused', 'false', { timeout: 20_000 });
  await expect(banner).toContainText('has 1 problem; the entries concerned are left out');
  await expect(page.locator('[data-testid="host-card"][data-host-id="good"]')).toBeVisible();

  await page.evaluate(() => localStorage.setItem('overlook.prefs', JSON.stringify({ state: { theme: 'dark', lang: 'zh-CN', range: '15m' }, version: 1 })));
  await page.reload();
  await expect(banner).toBeVisible();
  await (await languageCheck()).expectNoEnglish(page, 'overview with a provisioning problem');
  await page.screenshot({ path: screenshotPath('provisioning-banner-zh-CN-dark') });

  // Fixed: the banner goes.
  fs.writeFileSync(file, 'hosts:\n  - name: good\n    address: ops@10.255.0.1:22\n    agent: true\n');
  await expect(banner).toHaveCount(0, { timeout: 20_000 });
});
