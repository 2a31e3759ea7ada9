// Service checks end to end: an HTTP server started here on loopback, a real
// `overlook serve` watching a real sshd (an SSH host the check also runs
// from, over its connection), and a person in Chromium adding a check in the dialog by
// typing and clicking, seeing it up on the checks screen, the overview card
// and Top-K, then the server stopped and the check down (the reason shown,
// the nav counting it, the built-in "Service check down" rule, enabled on
// the alerts screen, firing); both languages, both themes.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import { fromDist, fromTestSupport, screenshotPath, startConsole, type RunningConsole } from './console.js';
import { languageCheck, type LanguageCheck } from './languageCheck.js';

declare const window: { location: { hash: string } };
declare const localStorage: { setItem(key: string, value: string): void; removeItem(key: string): void };

// The SSH layer's harness, loaded from the build (main/testing/sshServers.ts); only what this spec uses.
interface SshServer {
  hostKey(): { type: string; blob: string };
  stop(): Promise<void>;
}
interface Harness {
  ensureTestUser(): Promise<{ name: string }>;
  makeTempDir(prefix: string): string;
  removeTempDir(dir: string): void;
  makeKeyPair(dir: string, name: string): Promise<{ privateKeyPath: string; publicKey: string }>;
  startSshd(options: { port: number; authorizedKeys: readonly string[] }): Promise<SshServer>;
}

const SSH_PORT = 22297;
const HOST = 'lab-1';
let harness: Harness;
let sshd: SshServer | undefined;
let dir: string | undefined;
let console_: RunningConsole;
let server: http.Server;
let port = 0;
let language: LanguageCheck;

test.describe.configure({ mode: 'serial' });

/** A small health endpoint; started again on the same port to bring the check back up. */
function startServer(onPort = 0): Promise<void> {
  server = http.createServer((req, res) => {
    res.writeHead(req.url === '/health' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(req.url === '/health' ? '{"status":"ok"}' : '{}');
  });
  return new Promise((resolve) => server.listen(onPort, '127.0.0.1', () => {
    port = (server.address() as AddressInfo).port;
    resolve();
  }));
}

async function stopServer(): Promise<void> {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

test.beforeAll(async () => {
  language = await languageCheck();
  await startServer();
  harness = await fromTestSupport<Harness>('sshServers.js');
  const { sha256Fingerprint } = await fromDist<{ sha256Fingerprint(blob: string): string }>('core/ssh/knownHosts.js');
  const user = await harness.ensureTestUser();
  dir = harness.makeTempDir('e2e-checks-');
  const key = await harness.makeKeyPair(dir, 'client');
  sshd = await harness.startSshd({ port: SSH_PORT, authorizedKeys: [key.publicKey] });
  const file = path.join(dir, 'overlook.yaml');
  fs.writeFileSync(
    file,
    `version: 1
hosts:
  - name: ${HOST}
    address: ${user.name}@127.0.0.1:${SSH_PORT}
    key_file: ${key.privateKeyPath}
    host_key: ${sha256Fingerprint(sshd.hostKey().blob)}
`,
  );
  console_ = await startConsole({ args: ['--config', file] });
});

test.afterAll(async () => {
  await console_?.stop().catch(() => undefined);
  await sshd?.stop().catch(() => undefined);
  if (server?.listening) await stopServer();
  if (dir) harness.removeTempDir(dir);
});

async function open(page: Page, hash: string, prefs: { lang?: 'en' | 'zh-CN'; theme?: 'light' | 'dark' } = {}) {
  await page.goto(console_.url);
  await page.evaluate((p) => {
    localStorage.setItem('overlook.prefs', JSON.stringify({ state: { theme: p.theme ?? 'light', lang: p.lang ?? 'en', range: '15m' }, version: 1 }));
  }, prefs);
  await page.evaluate((h) => (window.location.hash = h), hash);
  await page.reload();
}

const row = (page: Page, name: string) => page.locator(`[data-testid="check-row"][data-check="${name}"]`);

test('add an HTTP check in the dialog, field by field, and see it up from this console and from an SSH host', async ({ page }) => {
  // The built-in rule, off by default, switched on as an operator would.
  await open(page, '#/alerts');
  const rule = page.locator('[data-testid="rule-row"][data-rule="Service check down"]');
  await expect(rule).toBeVisible();
  // A controlled switch: it turns on once the core answers.
  await rule.getByTestId('rule-enabled').click();
  await expect(rule.getByTestId('rule-enabled')).toBeChecked();

  await page.getByTestId('nav-checks').click();
  await expect(page.getByTestId('checks-empty')).toBeVisible();
  await page.screenshot({ path: screenshotPath('checks-empty-light'), fullPage: true });
  await page.getByTestId('check-add').click();
  const dialog = page.getByTestId('check-form');
  await page.getByTestId('check-form-name').fill('web api');
  await page.getByTestId('check-form-target').click();
  await expect(page.getByTestId('check-form-error-name')).toBeVisible();
  await page.getByTestId('check-form-name').fill('web-api');
  await page.getByTestId('check-form-target').fill('ftp://127.0.0.1/');
  await page.getByTestId('check-form-expectStatus').click();
  await expect(page.getByTestId('check-form-error-name')).toHaveCount(0);
  await expect(page.getByTestId('check-form-error-target')).toBeVisible();
  await page.getByTestId('check-form-target').fill(`http://127.0.0.1:${port}/health`);
  await page.getByTestId('check-form-expectStatus').fill('200, abc');
  await page.getByTestId('check-form-bodyMatch').click();
  await expect(page.getByTestId('check-form-error-target')).toHaveCount(0);
  await expect(page.getByTestId('check-form-error-expectStatus')).toBeVisible();
  await page.getByTestId('check-form-expectStatus').fill('200');
  await page.getByTestId('check-form-bodyMatch').fill('"status":"ok"');
  // No vantage point: refused, said on its field.
  await page.getByTestId('check-form-vantage-console').uncheck();
  await expect(page.getByTestId('check-form-error-vantages')).toBeVisible();
  await page.getByTestId('check-form-vantage-console').check();
  // And from inside the SSH host's network, over the connection the console holds.
  await page.getByTestId(`check-form-vantage-${HOST}`).check();
  await page.getByTestId('check-form-intervalSeconds').fill('2');
  await page.getByTestId('check-form-timeoutSeconds').fill('1');
  await dialog.screenshot({ path: screenshotPath('checks-dialog-light') });
  await page.getByTestId('check-form-save').click();
  await expect(dialog).toHaveCount(0);

  const r = row(page, 'web-api');
  await expect(r).toHaveAttribute('data-state', 'up', { timeout: 20_000 });
  const vantage = r.locator('[data-testid="check-vantage"][data-vantage="console"]');
  await expect(vantage).toContainText('this console');
  await expect(vantage).toContainText('HTTP 200');
  await expect(vantage).toContainText(/\d ms/);
  const viaSsh = r.locator(`[data-testid="check-vantage"][data-vantage="${HOST}"]`);
  await expect(viaSsh).toHaveAttribute('data-state', 'up');
  await expect(viaSsh).toContainText(HOST);
  await expect(viaSsh).toContainText('HTTP 200');
  await r.getByTestId('check-run').click();
  await expect(r.getByTestId('check-tested')).toBeVisible();
  await expect(page.getByTestId('checks-badge')).toHaveCount(0);
  await page.screenshot({ path: screenshotPath('checks-screen-up-light'), fullPage: true });

  // The edit dialog reads the check back; its name cannot change.
  await r.getByTestId('check-edit').click();
  await expect(page.getByTestId('check-form-name')).toBeDisabled();
  await expect(page.getByTestId('check-form-expectStatus')).toHaveValue('200');
  await expect(page.getByTestId('check-form-bodyMatch')).toHaveValue('"status":"ok"');
  await page.getByTestId('check-form').getByRole('button', { name: 'Cancel' }).click();
});

test('the overview shows the check with a dot per vantage point, and Top-K ranks it by latency', async ({ page }) => {
  await open(page, '#/');
  const card = page.getByTestId('checks-card');
  const item = card.locator('[data-testid="checks-card-item"][data-check="web-api"]');
  await expect(item).toHaveAttribute('data-state', 'up');
  await expect(item.locator('[data-testid="checks-card-dot"][data-state="up"]')).toHaveCount(2);
  await card.screenshot({ path: screenshotPath('checks-overview-card-light') });
  await item.click();
  await expect(page.getByTestId('checks')).toBeVisible();

  await open(page, '#/topk');
  await page.getByTestId('topk-kind').selectOption('check');
  const top = page.locator('[data-testid="topk-row"][data-entity="web-api/console"]');
  await expect(top).toBeVisible({ timeout: 20_000 });
  await expect(top).toContainText('from this console');
  await expect(top).toContainText(' ms');
  await page.screenshot({ path: screenshotPath('checks-topk-light'), fullPage: true });
});

test('the server stops: the check goes down with the reason, the nav counts it, and the built-in rule fires', async ({ page }) => {
  test.setTimeout(180_000);
  await open(page, '#/checks');
  const r = row(page, 'web-api');
  await expect(r).toHaveAttribute('data-state', 'up');
  await stopServer();
  await r.getByTestId('check-run').click();
  await expect(r).toHaveAttribute('data-state', 'down', { timeout: 20_000 });
  await expect(r.locator('[data-testid="check-vantage"][data-state="down"]')).toHaveCount(2, { timeout: 20_000 });
  await expect(r.getByTestId('check-reason').first()).not.toBeEmpty();
  await expect(page.getByTestId('checks-badge')).toHaveText('1');
  await expect(page.getByTestId('checks-count')).toContainText('1 down');
  await page.screenshot({ path: screenshotPath('checks-screen-down-light'), fullPage: true });

  await open(page, '#/', { theme: 'dark' });
  await expect(page.locator('[data-testid="checks-card-item"][data-check="web-api"]')).toHaveAttribute('data-state', 'down');
  await expect(page.getByTestId('checks-card-count')).toHaveText('1 of 1 down');
  await page.getByTestId('checks-card').screenshot({ path: screenshotPath('checks-overview-card-down-dark') });

  // Down for a minute (the rule's `for`, main/core/alerts/rule.ts): one alert per vantage point.
  await open(page, '#/alerts');
  const firing = page.locator('[data-testid="alert-row"][data-rule="Service check down"][data-status="firing"]');
  await expect(firing).toHaveCount(2, { timeout: 120_000 });
  await expect(firing.getByTestId('alert-summary').filter({ hasText: 'from console' })).toContainText('web-api');
  await expect(firing.getByTestId('alert-summary').filter({ hasText: `from ${HOST}` })).toContainText('web-api');
});

test('pause, resume, and back up once the server returns', async ({ page }) => {
  await open(page, '#/checks', { theme: 'dark' });
  const r = row(page, 'web-api');
  await r.getByTestId('check-toggle').click();
  await expect(r).toHaveAttribute('data-state', 'paused');
  await expect(page.getByTestId('checks-badge')).toHaveCount(0);
  await r.getByTestId('check-toggle').click();
  await startServer(port);
  await r.getByTestId('check-run').click();
  await expect(r).toHaveAttribute('data-state', 'up', { timeout: 20_000 });
  await page.screenshot({ path: screenshotPath('checks-screen-dark'), fullPage: true });
  await page.getByTestId('check-add').click();
  await page.getByTestId('check-form-kind-tls').locator('xpath=..').click();
  await page.getByTestId('check-form-name').click();
  await page.getByTestId('check-form-save').click();
  await expect(page.getByTestId('check-form-error-name')).toBeVisible();
  await expect(page.getByTestId('check-form-error-target')).toBeVisible();
  await page.getByTestId('check-form').screenshot({ path: screenshotPath('checks-dialog-errors-dark') });
  await page.keyboard.press('Escape');
});

test('the checks screen, its dialog and the overview card in Chinese have no English left, in both themes', async ({ page }) => {
  for (const theme of ['light', 'dark'] as const) {
    await open(page, '#/checks', { lang: 'zh-CN', theme });
    const r = row(page, 'web-api');
    await expect(r).toHaveAttribute('data-state', 'up');
    await expect(r.locator('[data-testid="check-vantage"][data-vantage="console"]')).toContainText('本控制台');
    await language.expectNoEnglish(page, 'checks');
    await page.screenshot({ path: screenshotPath(`checks-screen-zh-CN-${theme}`), fullPage: true });
    await page.getByTestId('check-add').click();
    await expect(page.getByTestId('check-form')).toBeVisible();
    await language.expectNoEnglish(page, 'check dialog');
    await page.getByTestId('check-form').screenshot({ path: screenshotPath(`checks-dialog-zh-CN-${theme}`) });
    await page.keyboard.press('Escape');
    await open(page, '#/', { lang: 'zh-CN', theme });
    await expect(page.getByTestId('checks-card')).toBeVisible();
    await language.expectNoEnglish(page, 'overview');
    await page.getByTestId('checks-card').screenshot({ path: screenshotPath(`checks-overview-card-zh-CN-${theme}`) });
  }
});

test('delete asks once more, then the check is gone from the screen and the overview', async ({ page }) => {
  await open(page, '#/checks');
  const r = row(page, 'web-api');
  await r.getByTestId('check-remove').click();
  await r.getByTestId('check-remove-confirm').click();
  await expect(page.getByTestId('checks-empty')).toBeVisible();
  await open(page, '#/');
  await expect(page.getByTestId('overview')).toBeVisible();
  await expect(page.getByTestId('checks-card')).toHaveCount(0);
});
