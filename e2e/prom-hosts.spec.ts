// Hosts that speak Prometheus, end to end in Chromium with real parts:
// Debian's node_exporter added through the Add-host dialog the way a user does
// it (charts appear, the host's source shows, processes are said to need the
// SSH agent); the remote-write receiver turned on from the Settings screen and
// Debian's Prometheus in agent mode pushing a host into it; vmagent pushing to
// a receiver declared in the provisioning file (short interval and offline
// time), stopped, so the host goes stale and then offline on the overview.
// Screens in English and 简体中文, light and dark.
import fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { fromTestSupport, screenshotPath, startConsole, type RunningConsole } from './console.js';
import { languageCheck, type LanguageCheck } from './languageCheck.js';

// The e2e project compiles without the DOM library; these run in the page.
declare const window: { location: { hash: string } };
declare const localStorage: { setItem(key: string, value: string): void };

// The harness of real Prometheus parts (main/testing/promServers.ts), loaded from the test build; only what this spec uses.
interface RunningProcess {
  stop(): Promise<void>;
  output(): string;
}
interface SenderOptions {
  scrape: string;
  remoteWriteUrl: string;
  token: string;
  scrapeIntervalSeconds: number;
  dir: string;
  listenPort: number;
}
interface PromServers {
  startNodeExporter(options: { host: string; port: number }): Promise<RunningProcess & { url: string }>;
  startPrometheusAgent(options: SenderOptions): Promise<RunningProcess>;
  startVmagent(options: SenderOptions): Promise<RunningProcess>;
  makePromTempDir(prefix: string): string;
}

const TOKEN = 'e2e-push-token-0123456789';
const SCRAPED = 'ne-loopback';
// Prometheus and vmagent name the target instance="127.0.0.1:PORT"; the pushed host is named without the port.
const PUSHED = '127.0.0.1';

let prom: PromServers;
let freePort: () => Promise<number>;
let lang: LanguageCheck;
const cleanups: (() => Promise<void> | void)[] = [];

test.beforeAll(async () => {
  prom = await fromTestSupport<PromServers>('promServers.js');
  ({ freePort } = await fromTestSupport<{ freePort: () => Promise<number> }>('freePort.js'));
  lang = await languageCheck();
});

test.afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function go(page: Page, console_: RunningConsole, hash: string) {
  if (!page.url().startsWith(console_.origin)) await page.goto(console_.url);
  await page.evaluate((h) => (window.location.hash = h), hash);
}

async function prefs(page: Page, lang: 'en' | 'zh-CN', theme: 'light' | 'dark') {
  await page.evaluate(({ lang, theme }) => localStorage.setItem('overlook.prefs', JSON.stringify({ state: { theme, lang, range: '15m' }, version: 1 })), { lang, theme });
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
}

async function chartHasPoints(page: Page) {
  await expect(page.getByTestId('chart-cpu-mode')).toBeVisible({ timeout: 60_000 });
  await expect.poll(async () => Number(await page.getByTestId('chart-cpu-mode').getAttribute('data-points')), { timeout: 60_000 }).toBeGreaterThan(1);
}

test('a node_exporter added through the dialog and a host pushed by Prometheus in agent mode become hosts with charts', async ({ page }) => {
  test.setTimeout(600_000);
  const nePort = await freePort();
  const ne = await prom.startNodeExporter({ host: '127.0.0.1', port: nePort });
  cleanups.push(() => ne.stop());
  const console_ = await startConsole();
  cleanups.push(() => console_.stop());

  // ---- pull: the Add-host dialog's node_exporter tab, a test scrape, Save.
  await go(page, console_, '#/');
  await page.getByTestId('add-host').click();
  await page.getByTestId('add-host-kind-node_exporter').click();
  await page.getByTestId('target-form-name').fill(SCRAPED);
  // A bare host:port, as people type it: the console scrapes its /metrics.
  await page.getByTestId('target-form-nodeExporter').fill(`127.0.0.1:${nePort}`);
  await page.getByTestId('target-form-interval').fill('2');
  await page.getByTestId('target-form-tags').fill('lab');
  await page.getByTestId('target-form-test').click();
  await expect(page.getByTestId('target-test-report')).toHaveAttribute('data-ok', 'true', { timeout: 30_000 });
  await expect(page.getByTestId('target-test-report')).toContainText(`http://127.0.0.1:${nePort}/metrics`);
  await page.screenshot({ path: screenshotPath('prom-hosts-add-node-exporter') });
  await page.getByTestId('target-form-save').click();
  // Saving opens the new host's detail: its source, charts once two scrapes gave rates, and no process table.
  await expect(page).toHaveURL(new RegExp(`#/hosts/${SCRAPED}`));
  await chartHasPoints(page);
  await expect(page.getByTestId('processes-need-agent')).toContainText('processes need the SSH agent');
  await expect(page.getByText('node_exporter (scraped)')).toBeVisible();

  // ---- push: the receiver is off until turned on in Settings; then Prometheus in agent mode pushes to it.
  await go(page, console_, '#/settings');
  const card = page.getByTestId('settings-receiver');
  await expect(card.getByTestId('receiver-status')).toHaveAttribute('data-state', 'off');
  await expect(card.getByTestId('receiver-token-state')).toHaveText('Not set');
  const receiverPort = await freePort();
  await card.getByTestId('receiver-enabled').check();
  await card.getByTestId('receiver-listen').fill(`127.0.0.1:${receiverPort}`);
  await card.getByTestId('receiver-token').fill(TOKEN);
  await card.getByTestId('receiver-save').click();
  await expect(card.getByTestId('receiver-status')).toHaveAttribute('data-state', 'serving');
  await expect(card.getByTestId('receiver-url')).toHaveText(`http://127.0.0.1:${receiverPort}/api/v1/write`);
  await expect(card.getByTestId('receiver-token-state')).toHaveText('Set');
  // The token is write-only: the page never holds it once saved.
  await expect(card.getByTestId('receiver-token')).toHaveValue('');
  expect(await page.content()).not.toContain(TOKEN);

  const dir = prom.makePromTempDir('e2e-agent');
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const agent = await prom.startPrometheusAgent({ scrape: `127.0.0.1:${nePort}`, remoteWriteUrl: `http://127.0.0.1:${receiverPort}/api/v1/write`, token: TOKEN, scrapeIntervalSeconds: 1, dir, listenPort: await freePort() });
  cleanups.push(() => agent.stop());
  await expect(card.getByTestId('receiver-stats')).toContainText(/^1 host, /, { timeout: 60_000 });

  // The overview shows both, each with its source.
  await go(page, console_, '#/');
  await page.getByTestId('view-table').click();
  const pushedRow = page.locator(`[data-testid="fleet-row"][data-host-id="${PUSHED}"]`);
  await expect(pushedRow).toHaveAttribute('data-status', 'online', { timeout: 60_000 });
  await expect(pushedRow.getByTestId('host-kind')).toHaveAttribute('data-kind', 'pushed');
  const scrapedRow = page.locator(`[data-testid="fleet-row"][data-host-id="${SCRAPED}"]`);
  await expect(scrapedRow).toHaveAttribute('data-status', 'online');
  await expect(scrapedRow.getByTestId('host-kind')).toHaveAttribute('data-kind', 'node_exporter');
  await expect(page.locator('[data-testid="fleet-row"][data-host-id="local"]').getByTestId('host-kind')).toHaveAttribute('data-kind', 'local');

  await go(page, console_, `#/hosts/${PUSHED}`);
  await chartHasPoints(page);
  await expect(page.getByText('Pushed (remote write)')).toBeVisible();
  await expect(page.getByTestId('processes-need-agent')).toBeVisible();

  // Every screen this touches, in both languages and both themes; no English left in Chinese.
  const screens = [
    { name: 'overview-cards', hash: '#/', ready: async () => { await page.getByTestId('view-cards').click(); await expect(page.locator(`[data-testid="host-card"][data-host-id="${PUSHED}"]`)).toBeVisible(); } },
    { name: 'pushed-host', hash: `#/hosts/${PUSHED}`, ready: () => chartHasPoints(page) },
    { name: 'scraped-host', hash: `#/hosts/${SCRAPED}`, ready: () => chartHasPoints(page) },
    { name: 'settings', hash: '#/settings', ready: () => expect(page.getByTestId('receiver-status')).toHaveAttribute('data-state', 'serving') },
    {
      name: 'add-dialog',
      hash: '#/',
      ready: async () => {
        await page.getByTestId('add-host').click();
        await page.getByTestId('add-host-kind-node_exporter').click();
        // The radio is visually hidden behind its label, which is what a user clicks.
        await page.locator('label', { has: page.getByTestId('target-form-auth-bearer') }).click();
        await expect(page.getByTestId('target-form-secret')).toBeVisible();
      },
    },
  ];
  for (const language of ['en', 'zh-CN'] as const) {
    for (const theme of ['light', 'dark'] as const) {
      await prefs(page, language, theme);
      for (const s of screens) {
        await go(page, console_, s.hash);
        await page.reload();
        await s.ready();
        if (language === 'zh-CN') await lang.expectNoEnglish(page, `prom-hosts ${s.name}`);
        await page.screenshot({ path: screenshotPath(`prom-hosts-${s.name}-${language}-${theme}`), fullPage: s.name !== 'overview-cards' && s.name !== 'add-dialog' });
        if (s.name === 'add-dialog') await page.keyboard.press('Escape');
      }
    }
  }
  await prefs(page, 'en', 'light');
});

test('vmagent pushing to a receiver declared in the file: the host goes stale, then offline, when vmagent stops', async ({ page }) => {
  test.setTimeout(180_000);
  const nePort = await freePort();
  const ne = await prom.startNodeExporter({ host: '127.0.0.1', port: nePort });
  cleanups.push(() => ne.stop());
  const receiverPort = await freePort();
  const dir = prom.makePromTempDir('e2e-vmagent');
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = `${dir}/overlook.yaml`;
  // A short interval and offline time so the test does not wait the defaults (15 s, 2 min).
  fs.writeFileSync(
    file,
    `version: 1
remote_write_receiver:
  listen: 127.0.0.1:${receiverPort}
  token_env: E2E_PUSH_TOKEN
  interval: 2s
  offline_after: 8s
`,
  );
  const console_ = await startConsole({ args: ['--config', file], env: { E2E_PUSH_TOKEN: TOKEN } });
  cleanups.push(() => console_.stop());
  const vmagent = await prom.startVmagent({ scrape: `127.0.0.1:${nePort}`, remoteWriteUrl: `http://127.0.0.1:${receiverPort}/api/v1/write`, token: TOKEN, scrapeIntervalSeconds: 1, dir, listenPort: await freePort() });
  cleanups.push(() => vmagent.stop());

  await go(page, console_, '#/');
  await page.getByTestId('view-cards').click();
  const card = page.locator(`[data-testid="host-card"][data-host-id="${PUSHED}"]`);
  await expect(card).toHaveAttribute('data-status', 'online', { timeout: 90_000 });
  await expect(card.getByTestId('host-kind')).toHaveText('pushed');
  await vmagent.stop();
  await expect(card).toHaveAttribute('data-status', 'stale', { timeout: 30_000 });
  await expect(card.getByTestId('host-card-last-seen')).toBeVisible();
  await page.screenshot({ path: screenshotPath('prom-hosts-pushed-stale') });
  await expect(card).toHaveAttribute('data-status', 'offline', { timeout: 30_000 });
  await expect(card.getByTestId('host-card-detail')).toContainText(/nothing pushed for \d+ s/);
  await page.screenshot({ path: screenshotPath('prom-hosts-pushed-offline') });

  // The file's receiver shows on Settings as provisioned: serving, its address, a token set.
  await go(page, console_, '#/settings');
  await expect(page.getByTestId('receiver-status')).toHaveAttribute('data-state', 'serving');
  await expect(page.getByTestId('receiver-url')).toHaveText(`http://127.0.0.1:${receiverPort}/api/v1/write`);
  await expect(page.getByTestId('receiver-token-state')).toHaveText('Set');
  await expect(page.getByTestId('receiver-listen')).toBeDisabled();
});
