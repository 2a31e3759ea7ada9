// Alerts end to end in Chromium against a real `overlook serve`: a rule made
// in the editor on the local host's CPU previews, fires, toasts and lists;
// one click silences it. A provisioning file's webhook channel posts to a real
// HTTP server here, and its invalid rule shows as a problem while the valid
// one still fires.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { screenshotPath, startConsole, type RunningConsole } from './console.js';

async function openAlerts(page: Page, console_: RunningConsole) {
  await page.goto(console_.url);
  await page.getByTestId('nav-alerts').click();
  await expect(page.getByTestId('alerts-screen')).toBeVisible();
  await expect(page.getByTestId('rules-table')).toBeVisible();
}

test.describe('alert rules from the editor', () => {
  let console_: RunningConsole;
  test.beforeAll(async () => {
    console_ = await startConsole();
  });
  test.afterAll(async () => {
    await console_?.stop();
  });

  test('a CPU rule previews, fires with a toast, lists, and silences in one click', async ({ page }) => {
    test.setTimeout(150_000);
    await page.emulateMedia({ colorScheme: 'light' });
    await openAlerts(page, console_);

    await page.getByTestId('new-rule').click();
    const editor = page.getByTestId('rule-editor');
    await expect(editor).toBeVisible();
    // Field validation speaks before anything is sent.
    await page.getByTestId('rule-window').fill('soon');
    await page.getByTestId('rule-window').blur();
    await expect(editor.getByTestId('field-problem')).toContainText('duration');
    await page.getByTestId('rule-window').fill('30s');

    await page.getByTestId('rule-name').fill('Local CPU busy');
    await page.getByTestId('rule-selector').fill('host:cpu_usage:ratio{host="local"}');
    await page.getByTestId('rule-aggregate').selectOption('max');
    await page.getByTestId('rule-threshold').fill('0.0001');
    await page.getByTestId('rule-for').fill('0s');
    await page.getByTestId('rule-severity').selectOption('critical');
    // The live preview, once the local host has a CPU sample or two.
    await expect(page.getByTestId('rule-preview-headline')).toHaveText('Would fire now for 1 series.', { timeout: 45_000 });
    await page.screenshot({ path: screenshotPath('alerts-editor'), fullPage: true });

    await page.getByTestId('rule-save').click();
    await expect(editor).toBeHidden();
    await expect(page.getByTestId('rule-row').filter({ hasText: 'Local CPU busy' })).toBeVisible();

    const row = page.getByTestId('alert-row').filter({ hasText: 'Local CPU busy' });
    await expect(row).toHaveAttribute('data-status', 'firing', { timeout: 45_000 });
    await expect(page.getByTestId('alerts-badge')).toHaveText('1');
    // The desktop channel in the browser: an in-app toast (after the grouping window).
    const toast = page.getByTestId('toast').filter({ hasText: 'Local CPU busy' });
    await expect(toast).toBeVisible({ timeout: 45_000 });
    await expect(toast).toHaveAttribute('data-status', 'firing');
    await page.screenshot({ path: screenshotPath('alerts-firing'), fullPage: true });

    await row.getByTestId('silence-button').click();
    await expect(row).toHaveAttribute('data-muted', 'true');
    await expect(row.getByTestId('muted-badge')).toBeVisible();
    await expect(page.getByTestId('alerts-badge')).toBeHidden();
    await expect(page.getByTestId('history-table')).toContainText('Local CPU busy');
    await page.screenshot({ path: screenshotPath('alerts-silenced'), fullPage: true });

    // The same screen in Chinese.
    await page.getByTestId('lang-toggle').click();
    await expect(page.getByTestId('alerts-screen')).toContainText('当前告警');
    await expect(row.getByTestId('muted-badge')).toHaveText('已静默');
    await page.getByTestId('new-rule').click();
    await page.screenshot({ path: screenshotPath('alerts-zh-CN'), fullPage: true });
  });
});

test.describe('alerts and channels from the provisioning file', () => {
  let console_: RunningConsole;
  let server: http.Server;
  const received: unknown[] = [];
  let dir: string;

  test.beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        try {
          received.push({ path: req.url, contentType: req.headers['content-type'], body: JSON.parse(body) });
        } catch {
          received.push({ path: req.url, raw: body });
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovl-e2e-alerts-'));
    const file = path.join(dir, 'overlook.yaml');
    fs.writeFileSync(
      file,
      `version: 1
settings:
  poll_interval: 2s
channels:
  - name: hook
    type: webhook
    url_env: E2E_HOOK_URL
alerts:
  - name: cpu seen
    selector: host:cpu_usage:ratio{host="local"}
    aggregate: max
    window: 30s
    op: ">="
    threshold: 0
    for: 0s
    severity: warning
    summary: "CPU on {{host}} is {{value}}"
    channels: [hook]
  - name: not a rule
    selector: node_load1
    window: 1m
    op: "~"
    threshold: 1
`,
    );
    console_ = await startConsole({ args: ['--config', file], env: { E2E_HOOK_URL: `http://127.0.0.1:${port}/hook?token=abc` } });
  });
  test.afterAll(async () => {
    await console_?.stop();
    await new Promise((r) => server.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the webhook receives the firing alert as JSON; the invalid rule is a problem and the valid one works', async ({ page }) => {
    test.setTimeout(120_000);
    await page.emulateMedia({ colorScheme: 'light' });
    await openAlerts(page, console_);
    const problems = page.getByTestId('alert-config-problems');
    await expect(problems).toContainText('alerts[1].op');
    await expect(problems).toContainText('overlook.yaml:22');
    const provisioned = page.getByTestId('rule-row').filter({ hasText: 'cpu seen' });
    await expect(provisioned.getByTestId('provisioned-badge')).toBeVisible();
    await expect(provisioned.getByTestId('rule-enabled')).toBeDisabled();
    await expect(page.getByTestId('rule-row').filter({ hasText: 'not a rule' })).toHaveCount(0);

    await expect(page.getByTestId('alert-row').filter({ hasText: 'cpu seen' })).toHaveAttribute('data-status', 'firing', { timeout: 45_000 });
    await expect.poll(() => received.length, { timeout: 45_000 }).toBeGreaterThan(0);
    const first = received[0] as { path: string; contentType: string; body: Record<string, unknown> };
    expect(first.path).toBe('/hook?token=abc');
    expect(first.contentType).toMatch(/application\/json/);
    expect(JSON.stringify(first.body)).toContain('cpu seen');
    expect(JSON.stringify(first.body)).toContain('firing');
    await expect(page.getByTestId('deliveries-table')).toContainText('hook');
    await page.screenshot({ path: screenshotPath('alerts-provisioned'), fullPage: true });
  });
});
